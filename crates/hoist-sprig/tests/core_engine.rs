//! Sprig calls through the real template engine (hoist-gotmpl): the Go signatures given here
//! drive argument conversion (`trunc "5" "x"` fails, `round 2.5 0 1` converts 1 to float64),
//! pipelines pass the last argument, and mutations are visible through variables.
//!
//! tests/data/core/engine.json is what the real Helm v4.2.3 printed for each expression of
//! tests/data/core/engine_exprs.txt (made by tests/gen/oracle_cases.py). `.Values` is an empty
//! `common.Values`, as in the oracle chart. Helm replaces `<no value>` with "" in its output;
//! so does this test. For errors only the message after the location is compared.

use hoist_gotmpl::{Dict, FuncMap, Map, MapKind, Templates, Value};
use hoist_sprig::functions;
use serde_json::Value as J;

fn message(err: &str) -> String {
    // "template: NAME:1:3: executing \"NAME\" at <...>: MSG" or Helm's reformatted
    // "NAME:1:9\n  executing \"NAME\" at <...>:\n    MSG".
    let last = err.lines().last().unwrap_or_default().trim();
    if err.lines().count() > 1 {
        return last.to_string();
    }
    match last.find(">: ") {
        Some(i) => last[i + 3..].to_string(),
        None => last.to_string(),
    }
}

#[test]
fn sprig_through_the_engine() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/core/engine.json"
    ))
    .expect("read");
    let cases: Vec<J> = serde_json::from_str(&text).expect("parse");
    let mut funcs = FuncMap::new();
    for f in functions() {
        funcs.insert_plain(f.name, f.sig, f.f);
    }
    let mut failures = Vec::new();
    let mut passed = 0;
    for (i, case) in cases.iter().enumerate() {
        let expr = case["expr"].as_str().expect("expr");
        let mut root = Map::new();
        root.insert(
            "Values".into(),
            Value::Map(Dict::with_kind(Map::new(), MapKind::Named("common.Values"))),
        );
        let data = Value::map(root);
        let mut t = Templates::new(funcs.clone());
        let name = format!("c{i:03}");
        let got = t
            .parse(&name, &format!("{{{{ {expr} }}}}"))
            .and_then(|()| t.execute(&name, &data))
            .map(|s| s.replace("<no value>", ""))
            .map_err(|e| e.to_string());
        let ok = match (case.get("out").and_then(J::as_str), &got) {
            (Some(want), Ok(out)) => want == out,
            (None, Err(e)) => message(e) == message(case["err"].as_str().unwrap_or_default()),
            _ => false,
        };
        if ok {
            passed += 1;
        } else {
            failures.push(format!("{expr}: got {got:?}, want {case}"));
        }
    }
    eprintln!("{passed} of {} engine cases pass", cases.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
