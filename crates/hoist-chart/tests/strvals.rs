//! strvals tables transcribed from helm/helm v4.2.3 (tests/data/strvals.json).

mod common;

use common::{dict_from_json, norm, to_json};
use hoist_chart::strvals;
use hoist_gotmpl::{Dict, Map, Value};
use serde_json::Value as J;

#[test]
fn strvals_tables() {
    let data: J = serde_json::from_str(include_str!("data/strvals.json")).unwrap();
    let cases = data["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let f = case["fn"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let want_err = case["err"].as_bool().unwrap();
        let dest = match case.get("got") {
            Some(g) => dict_from_json(g),
            None => Dict::new(Map::new()),
        };
        let run = |s: &str, d: &Dict| match f {
            "parse" | "parse_into" => strvals::parse_into(s, d),
            "parse_string" | "parse_into_string" => strvals::parse_into_string(s, d),
            "parse_json" => strvals::parse_json(s, d),
            "parse_literal" | "parse_literal_into" => strvals::parse_literal_into(s, d),
            other => panic!("unknown fn {other}"),
        };
        let mut res = run(input, &dest);
        if res.is_ok()
            && let Some(i2) = case.get("input2").and_then(|v| v.as_str())
        {
            res = run(i2, &dest);
        }
        match res {
            Err(e) => {
                if !want_err {
                    failures.push(format!("{f} {input:?}: unexpected error {e}"));
                } else if let Some(es) = case.get("err_str").and_then(|v| v.as_str())
                    && e.0 != es
                {
                    failures.push(format!("{f} {input:?}: error {:?}, want {es:?}", e.0));
                }
            }
            Ok(()) => {
                if want_err {
                    failures.push(format!("{f} {input:?}: expected an error"));
                    continue;
                }
                let got = to_json(&Value::Map(dest));
                let want = norm(&case["expect"]);
                if got != want {
                    failures.push(format!("{f} {input:?}: got {got}, want {want}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(cases.len(), 117);
}

#[test]
fn typed_values() {
    // helm.md s.3 typing rules; int64 for --set integers, strings otherwise.
    let d = strvals::parse("a=5,b=-5,c=+5,d=007,e=1.5,f=9223372036854775808,g=TRUE,h=Null,i=0")
        .unwrap();
    let m = d.borrow();
    assert!(matches!(m["a"], Value::Int64(5)));
    assert!(matches!(m["b"], Value::Int64(-5)));
    assert!(matches!(m["c"], Value::Int64(5)));
    assert_eq!(m["d"].as_str(), Some("007"));
    assert_eq!(m["e"].as_str(), Some("1.5"));
    assert_eq!(m["f"].as_str(), Some("9223372036854775808"));
    assert!(matches!(m["g"], Value::Bool(true)));
    assert!(matches!(m["h"], Value::Nil));
    assert!(matches!(m["i"], Value::Int64(0)));
}
