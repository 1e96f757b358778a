//! Real-world values files from the shared chart corpus (/work/shared/corpus), decoded and
//! re-encoded; digests of Helm v4.2.3's outputs are in tests/data/corpus_values.json (made by
//! tests/gen/gen_corpus.py). Skipped, with a message, when the corpus is absent.

use hoist_gotmpl::{Dict, Map, Value};
use hoist_goyaml::{from_str, manifest_head, to_json, to_yaml, to_yaml_pretty};
use sha2::{Digest, Sha256};

const ROOT: &str = "/work/shared/corpus";

fn sha(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Helm's `fromYaml`: a map, or `{"Error": msg}`.
fn from_yaml(src: &str) -> Value {
    match from_str(src) {
        Ok(v @ Value::Map(_)) => v,
        Ok(Value::Nil) => Value::Map(Dict::new(Map::new())),
        Ok(other) => {
            let mut m = Map::new();
            m.insert(
                "Error".into(),
                Value::string(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    hoist_goyaml::json_type_name(&other)
                )),
            );
            Value::Map(Dict::new(m))
        }
        Err(e) => {
            let mut m = Map::new();
            m.insert(
                "Error".into(),
                Value::string(format!("error converting YAML to JSON: {e}")),
            );
            Value::Map(Dict::new(m))
        }
    }
}

fn trim(r: Result<String, hoist_goyaml::Error>) -> String {
    match r {
        Ok(s) => s.strip_suffix('\n').map(str::to_string).unwrap_or(s),
        Err(_) => String::new(),
    }
}

#[test]
fn corpus_values_match_helm() {
    if !std::path::Path::new(ROOT).exists() {
        eprintln!("skipping: {ROOT} is absent");
        return;
    }
    let data: serde_json::Value =
        serde_json::from_str(include_str!("data/corpus_values.json")).unwrap();
    let cases = data["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let path = case["path"].as_str().unwrap();
        let Ok(src) = std::fs::read_to_string(format!("{ROOT}/{path}")) else {
            failures.push(format!("{path}: unreadable"));
            continue;
        };
        let v = from_yaml(&src);
        let outputs = [
            ("toJson", to_json(&v).unwrap_or_default()),
            ("toYaml", trim(to_yaml(&v))),
            ("toYamlPretty", trim(to_yaml_pretty(&v))),
        ];
        for (field, got) in outputs {
            if sha(&got) != case[field].as_str().unwrap() {
                failures.push(format!("{path}: {field} differs"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches over {} files:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every document Helm printed for the corpus charts went through Helm's own manifest parsing
/// (`yaml.Unmarshal` of each document's head), so each must decode.
#[test]
fn corpus_manifests_decode() {
    let charts = std::path::Path::new(ROOT).join("charts");
    let Ok(dirs) = std::fs::read_dir(&charts) else {
        eprintln!("skipping: {} is absent", charts.display());
        return;
    };
    let mut docs = 0;
    let mut failures = Vec::new();
    for dir in dirs.flatten() {
        let expected = dir.path().join("expected");
        for name in ["helm-template.yaml", "variant-helm-template.yaml"] {
            let Ok(text) = std::fs::read_to_string(expected.join(name)) else {
                continue;
            };
            for (i, doc) in text.split("\n---\n").enumerate() {
                docs += 1;
                match from_str(doc) {
                    Ok(Value::Map(_)) | Ok(Value::Nil) => {}
                    Ok(other) => failures.push(format!(
                        "{}/{name} doc {i}: decoded to {}",
                        dir.path().display(),
                        other.type_name()
                    )),
                    Err(e) => {
                        failures.push(format!("{}/{name} doc {i}: {e}", dir.path().display()))
                    }
                }
                if let Err(e) = manifest_head(doc) {
                    failures.push(format!(
                        "{}/{name} doc {i}: head: {e}",
                        dir.path().display()
                    ));
                }
            }
        }
    }
    assert!(docs > 1000, "only {docs} documents found");
    assert!(
        failures.is_empty(),
        "{} of {docs} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
