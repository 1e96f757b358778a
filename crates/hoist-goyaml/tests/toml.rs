//! TOML cases rendered by real Helm v4.2.3 (tests/data/toml.json, made by tests/gen/gen_toml.py):
//! `toToml` of values read with `fromJson`, and `fromToml` printed with `toJson`.

use hoist_gotmpl::{Map, Value};
use hoist_goyaml::{from_json, from_toml, to_json, to_toml};

fn data() -> serde_json::Value {
    serde_json::from_str(include_str!("data/toml.json")).unwrap()
}

#[test]
fn to_toml_matches_helm() {
    let data = data();
    let mut failures = Vec::new();
    for case in data["cases"]["to"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let v = from_json(case["input"].as_str().unwrap()).unwrap();
        // Helm prints the error text in place of the output.
        let got = to_toml(&v).unwrap_or_else(|e| e.to_string());
        if case["toToml"].as_str() != Some(got.as_str()) {
            failures.push(format!("{name}: want {:?}, got {got:?}", case["toToml"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn to_toml_keeps_go_ints() {
    let mut m = Map::new();
    m.insert(
        "i".into(),
        Value::list(vec![Value::Int(1), Value::Int64(2)]),
    );
    m.insert("f".into(), Value::Float(2.0));
    let got = to_toml(&Value::map(m)).unwrap();
    assert_eq!(Some(got.as_str()), data()["cases"]["typed"].as_str());
}

#[test]
fn from_toml_matches_helm() {
    let data = data();
    let mut failures = Vec::new();
    for case in data["cases"]["from"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let got = from_toml(case["toml"].as_str().unwrap())
            .map(|v| to_json(&v).unwrap())
            .unwrap_or_else(|e| e.to_string());
        if case["json"].as_str() != Some(got.as_str()) {
            failures.push(format!("{name}: want {:?}, got {got:?}", case["json"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Integers are Go int64.
    let v = from_toml("a = 1\nb = 1.5").unwrap();
    let Value::Map(d) = v else { panic!() };
    assert_eq!(
        Some(d.get("a").unwrap().type_name().as_str()),
        data["cases"]["int_type"].as_str()
    );
}
