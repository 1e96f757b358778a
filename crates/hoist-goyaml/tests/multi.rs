//! Multi-document values files as Helm v4.2.3 loads them (tests/data/multi.json, made by
//! tests/gen/gen_multi.py): `from_str_multi`, then LoadValues' deep merge, printed with toJson.

use hoist_gotmpl::{Dict, Map, Value};
use hoist_goyaml::{ErrorKind, from_str_multi, json_type_name, to_json};

fn merge(dst: &mut Map, src: &Map) {
    for (k, v) in src {
        if let (Some(Value::Map(d)), Value::Map(s)) = (dst.get(k), v) {
            let mut inner = d.borrow().clone();
            merge(&mut inner, &s.borrow());
            dst.insert(k.clone(), Value::Map(Dict::new(inner)));
        } else {
            dst.insert(k.clone(), v.clone());
        }
    }
}

fn load_values(src: &str) -> Result<String, String> {
    let docs = from_str_multi(src).map_err(|e| match e.kind() {
        ErrorKind::DocumentSeparator => format!("error reading yaml document: {e}"),
        _ => format!("cannot unmarshal yaml document: error converting YAML to JSON: {e}"),
    })?;
    let mut values = Map::new();
    for doc in docs {
        match doc {
            Value::Nil => {}
            Value::Map(d) => merge(&mut values, &d.borrow()),
            other => {
                return Err(format!(
                    "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_type_name(&other)
                ));
            }
        }
    }
    Ok(to_json(&Value::Map(Dict::new(values))).unwrap())
}

#[test]
fn multi_document_values_match_helm() {
    let data: serde_json::Value = serde_json::from_str(include_str!("data/multi.json")).unwrap();
    let cases = data["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let values = case["values"].as_str().unwrap();
        let got = load_values(values);
        let ok = match (&got, case.get("json"), case.get("error")) {
            (Ok(j), Some(want), _) => want.as_str() == Some(j.as_str()),
            (Err(e), _, Some(want)) => {
                want.as_str() == Some(format!("cannot load values.yaml: {e}").as_str())
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}: got {got:?}, want {case}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
