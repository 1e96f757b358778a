//! Helpers shared by the integration tests.
#![allow(dead_code)]

use hoist_gotmpl::{Dict, Map, Value};
use serde_json::Value as J;

/// JSON → Value (numbers as float64, as Go's encoding/json would give).
pub fn from_json(j: &J) -> Value {
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Float(n.as_f64().unwrap()),
        J::String(s) => Value::from(s.as_str()),
        J::Array(a) => Value::list(a.iter().map(from_json).collect()),
        J::Object(o) => {
            let m: Map = o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect();
            Value::map(m)
        }
    }
}

/// A JSON array of strings.
pub fn strings(j: &J) -> Vec<String> {
    j.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

pub fn dict_from_json(j: &J) -> Dict {
    match from_json(j) {
        Value::Map(d) => d,
        _ => panic!("not an object"),
    }
}

/// Value → JSON, numbers compared as float64 (what a YAML/JSON marshal comparison sees).
pub fn to_json(v: &Value) -> J {
    match v {
        Value::Nil => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) | Value::Int64(i) => J::from(*i as f64),
        Value::Float(f) => J::from(*f),
        Value::String(s) => J::String(s.to_string()),
        Value::Bytes(b) => J::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(l) => J::Array(l.iter().map(to_json).collect()),
        Value::Map(d) => J::Object(
            d.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
        Value::Object(_) => J::String("<object>".into()),
    }
}

/// Normalises numbers of a JSON value to f64 so that 3 and 3.0 compare equal.
pub fn norm(j: &J) -> J {
    match j {
        J::Number(n) => J::from(n.as_f64().unwrap()),
        J::Array(a) => J::Array(a.iter().map(norm).collect()),
        J::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), norm(v))).collect()),
        other => other.clone(),
    }
}
