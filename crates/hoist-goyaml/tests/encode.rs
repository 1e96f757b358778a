//! Encoding cases rendered by real Helm v4.2.3 (tests/data/encode.json, made by
//! tests/gen/gen_encode.py): `fromJson`, then `toYaml`, `toYamlPretty`, `toJson`,
//! `toPrettyJson` and `toRawJson`.

use hoist_goyaml::{from_json, to_json, to_json_pretty, to_raw_json, to_yaml, to_yaml_pretty};

fn trim_nl(r: Result<String, hoist_goyaml::Error>) -> String {
    match r {
        Ok(s) => s.strip_suffix('\n').map(str::to_string).unwrap_or(s),
        Err(_) => String::new(),
    }
}

fn run(field: &str, f: fn(&hoist_gotmpl::Value) -> String) {
    let data: serde_json::Value = serde_json::from_str(include_str!("data/encode.json")).unwrap();
    let cases = data["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let want = case[field].as_str().unwrap();
        let value = from_json(input).unwrap_or_else(|e| panic!("{name}: from_json: {e}"));
        let got = f(&value);
        if got != want {
            failures.push(format!(
                "{name}:\n  input: {input}\n  want: {want:?}\n  got:  {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{field}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn to_yaml_matches_helm() {
    run("toYaml", |v| trim_nl(to_yaml(v)));
}

#[test]
fn to_yaml_pretty_matches_helm() {
    run("toYamlPretty", |v| trim_nl(to_yaml_pretty(v)));
}

#[test]
fn to_json_matches_helm() {
    run("toJson", |v| to_json(v).unwrap_or_default());
}

#[test]
fn to_pretty_json_matches_helm() {
    run("toPrettyJson", |v| to_json_pretty(v).unwrap_or_default());
}

#[test]
fn to_raw_json_matches_helm() {
    run("toRawJson", |v| to_raw_json(v).unwrap_or_default());
}
