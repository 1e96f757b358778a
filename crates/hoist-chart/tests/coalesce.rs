//! Coalescing tables transcribed from helm/helm v4.2.3 (tests/data/coalesce.json).

mod common;

use common::dict_from_json;
use hoist_chart::{Chart, Metadata, load_values};
use hoist_gotmpl::{Dict, Value};
use serde_json::Value as J;

fn build(j: &J) -> Chart {
    let md = Metadata {
        name: j["name"].as_str().unwrap().into(),
        ..Default::default()
    };
    let mut c = Chart::new(md);
    c.values = dict_from_json(&j["values"]);
    for d in j["deps"].as_array().unwrap() {
        c.dependencies.push(build(d));
    }
    c
}

fn lookup(v: &Dict, path: &str) -> Option<Value> {
    let mut cur = Value::Map(v.clone());
    for p in path.split('.') {
        cur = match cur {
            Value::Map(d) => d.get(p)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[test]
fn coalesce_tables() {
    let data: J = serde_json::from_str(include_str!("data/coalesce.json")).unwrap();
    let mut failures = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let chart = build(&case["chart"]);
        let user = match case.get("user_yaml") {
            Some(y) => load_values(y.as_str().unwrap().as_bytes()).unwrap(),
            None => dict_from_json(&case["user"]),
        };
        let before = format!("{user:?}");
        let v = match case["fn"].as_str().unwrap() {
            "coalesce" => hoist_chart::coalesce::coalesce_values(&chart, &user).unwrap(),
            _ => hoist_chart::coalesce::merge_values(&chart, &user).unwrap(),
        };
        assert_eq!(
            before,
            format!("{user:?}"),
            "{name}: the user values were mutated"
        );
        for (path, want) in case["checks"].as_object().into_iter().flatten() {
            let got = match lookup(&v, path) {
                None | Some(Value::Nil) => "<no value>".to_string(),
                Some(x) => hoist_gotmpl::format_value(&x),
            };
            if got != want.as_str().unwrap() {
                failures.push(format!("{name}: {path} = {got:?}, want {want}"));
            }
        }
        for p in case["absent"].as_array().into_iter().flatten() {
            if lookup(&v, p.as_str().unwrap()).is_some() {
                failures.push(format!("{name}: {p} should be absent"));
            }
        }
        for p in case["present_nil"].as_array().into_iter().flatten() {
            if !matches!(lookup(&v, p.as_str().unwrap()), Some(Value::Nil)) {
                failures.push(format!("{name}: {p} should be present and null"));
            }
        }
        for p in case["present"].as_array().into_iter().flatten() {
            if lookup(&v, p.as_str().unwrap()).is_none() {
                failures.push(format!("{name}: {p} should be present"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
