//! Oracle cases for the core Sprig functions (strings, numbers, lists, dicts, defaults, types,
//! paths, regular expressions, encodings).
//!
//! tests/data/core/cases.json holds, per case, a function name, the arguments as they reach the
//! function (typed: see tests/gen/core_cases.py) and what the real Helm v4.2.3 printed for
//! `typeOf` of the result, the result (`%v`) and, for mutating functions, the first argument
//! after the call — or the error text after `error calling NAME: `. The functions are called
//! directly, as the engine would call them after converting the arguments.

use std::collections::HashMap;

use hoist_gotmpl::{Dict, Map, MapKind, Value, format_value};
use hoist_sprig::{SprigFunc, functions};
use serde_json::Value as J;

const SEP: char = '\u{1f}';

/// The Go type Helm gives `.Values`.
const VALUES_TYPE: &str = "common.Values";

fn from_values_json(j: &J) -> Value {
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        J::String(s) => Value::from(s.as_str()),
        J::Array(a) => Value::list(a.iter().map(from_values_json).collect()),
        // Helm deletes keys whose value is null when it coalesces values.
        J::Object(o) => Value::map(
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), from_values_json(v)))
                .collect(),
        ),
    }
}

fn lookup_values(values: &Value, path: &str) -> Value {
    if path.is_empty() {
        return values.clone();
    }
    let mut cur = values.clone();
    for part in path.split('.') {
        cur = match cur {
            Value::Map(d) => d.get(part).unwrap_or(Value::Nil),
            _ => Value::Nil,
        };
    }
    cur
}

fn typed_arg(j: &J, values: &Value) -> Value {
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::String(s) => Value::from(s.as_str()),
        J::Array(a) => Value::list(a.iter().map(|x| typed_arg(x, values)).collect()),
        J::Number(_) => panic!("untyped number in case data: {j}"),
        J::Object(o) => {
            if let Some(n) = o.get("i") {
                Value::Int(n.as_i64().expect("int"))
            } else if let Some(n) = o.get("i64") {
                Value::Int64(n.as_i64().expect("int64"))
            } else if let Some(f) = o.get("f") {
                Value::Float(f.as_f64().expect("float"))
            } else if let Some(J::Object(m)) = o.get("m") {
                let map: Map = m
                    .iter()
                    .map(|(k, v)| (k.clone(), typed_arg(v, values)))
                    .collect();
                Value::map(map)
            } else if let Some(J::String(p)) = o.get("V") {
                lookup_values(values, p)
            } else if let Some(J::String(p)) = o.get("DC") {
                lookup_values(values, p).deep_copy()
            } else {
                panic!("bad typed arg {j}")
            }
        }
    }
}

/// Go types this crate represents as `[]interface {}` (it has no typed slices).
fn type_matches(go: &str, ours: &str) -> bool {
    go == ours
        || (ours == "[]interface {}" && matches!(go, "[]string" | "[]int" | "[][]interface {}"))
}

fn sorted_words(s: &str) -> Vec<String> {
    let mut w: Vec<String> = s
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(' ')
        .map(str::to_string)
        .collect();
    w.sort();
    w
}

/// Cases whose expected output this crate knowingly does not reproduce, with the reason.
fn known_differences() -> HashMap<usize, &'static str> {
    HashMap::new()
}

#[test]
fn core_oracle_cases() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/core/cases.json"
    ))
    .expect("read cases");
    let doc: J = serde_json::from_str(&text).expect("parse cases");
    let values = match from_values_json(&doc["values"]) {
        Value::Map(d) => Value::Map(d.retyped(MapKind::Named(VALUES_TYPE))),
        other => other,
    };
    let funcs: HashMap<&str, SprigFunc> = functions().into_iter().map(|f| (f.name, f)).collect();
    let known = known_differences();
    let cases = doc["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let mut passed = 0;
    for (i, case) in cases.iter().enumerate() {
        let name = case["fn"].as_str().expect("fn");
        let f = funcs
            .get(name)
            .unwrap_or_else(|| panic!("function {name} is missing"));
        // Fresh values per case: some functions mutate their map arguments.
        let values = match &values {
            Value::Map(d) => Value::Map(Dict::with_kind(
                d.deep_copy().snapshot().into_iter().collect(),
                d.kind(),
            )),
            other => other.clone(),
        };
        let args: Vec<Value> = case["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| typed_arg(a, &values))
            .collect();
        let got = (f.f)(&args);
        let problem = if let Some(err) = case.get("err").and_then(J::as_str) {
            match &got {
                Err(e) if e.message() == err => None,
                Err(e) => Some(format!("error {:?}, want error {err:?}", e.message())),
                Ok(v) => Some(format!("got {:?}, want error {err:?}", format_value(v))),
            }
        } else {
            let out = case["out"].as_str().expect("out");
            let parts: Vec<&str> = out.split(SEP).collect();
            match &got {
                Err(e) => Some(format!("error {:?}, want {out:?}", e.message())),
                Ok(v) => {
                    let ty = v.type_name();
                    let printed = if v.is_nil() {
                        String::new()
                    } else {
                        format_value(v)
                    };
                    let mut p = None;
                    if !type_matches(parts[0], &ty) {
                        p = Some(format!("type {ty:?}, want {:?}", parts[0]));
                    } else if matches!(name, "keys" | "values")
                        && parts.get(1).map(|p| sorted_words(p)) == Some(sorted_words(&printed))
                    {
                        // Go map order is random; this crate returns key order.
                    } else if parts.get(1).copied() != Some(printed.as_str()) {
                        p = Some(format!("got {printed:?}, want {:?}", parts.get(1)));
                    } else if let Some(first) = parts.get(2) {
                        let shown = format_value(&args[0]);
                        if shown != *first {
                            p = Some(format!("first arg after call {shown:?}, want {first:?}"));
                        }
                    }
                    p
                }
            }
        };
        match problem {
            None => passed += 1,
            Some(p) if known.contains_key(&i) => {
                eprintln!("known difference in case {i} ({name}): {p} [{}]", known[&i]);
            }
            Some(p) => failures.push(format!("case {i}: {name} {}: {p}", case["args"])),
        }
    }
    eprintln!("{passed} of {} core oracle cases pass", cases.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_function_is_registered_once() {
    let mut seen = std::collections::HashSet::new();
    for f in functions() {
        assert!(seen.insert(f.name), "{} registered twice", f.name);
    }
    for name in [
        "abbrev",
        "trunc",
        "trimAll",
        "nospace",
        "randAlpha",
        "wrapWith",
        "nindent",
        "toStrings",
        "splitn",
        "sortAlpha",
        "adler32sum",
        "b32dec",
        "toDecimal",
        "untilStep",
        "divf",
        "round",
        "randInt",
        "mustCompact",
        "ternary",
        "typeIsLike",
        "deepEqual",
        "mustDeepCopy",
        "osIsAbs",
        "tuple",
        "mergeOverwrite",
        "mustPush",
        "mustChunk",
        "dig",
        "regexQuoteMeta",
        "mustRegexReplaceAllLiteral",
        "hello",
        "uuidv4",
    ] {
        assert!(seen.contains(name), "{name} missing");
    }
}
