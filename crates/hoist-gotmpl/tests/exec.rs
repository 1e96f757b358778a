//! Data-driven execution tests: rows transcribed from Go's own tests, and cases rendered by the
//! real Helm (Go text/template) oracle. See tests/gen/ for how the data files are made.

use std::rc::Rc;

use hoist_gotmpl::{
    ArgType, Dict, Func, FuncError, FuncMap, Map, MapKind, MissingKey, Signature, State, Templates,
    Value, format_float, sprintf,
};
use serde_json::Value as J;

/// JSON to a template value: integers are Go `int`, other numbers `float64`.
/// `{"$int64": n}`, `{"$bytes": [..]}` and `{"$stringmap": {..}}` give the other Go types.
fn to_value(j: &J) -> Value {
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => {
            if let Some(i) = n.as_i64()
                && !n.to_string().contains(['.', 'e', 'E'])
            {
                Value::Int(i)
            } else {
                Value::Float(n.as_f64().unwrap_or(0.0))
            }
        }
        J::String(s) => Value::string(s),
        J::Array(a) => Value::list(a.iter().map(to_value).collect()),
        J::Object(o) => {
            if let Some(v) = o.get("$int64") {
                return Value::Int64(v.as_i64().unwrap_or(0));
            }
            if let Some(J::Array(b)) = o.get("$bytes") {
                return Value::Bytes(b.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect());
            }
            if let Some(J::Object(m)) = o.get("$stringmap") {
                let map: Map = m.iter().map(|(k, v)| (k.clone(), to_value(v))).collect();
                return Value::Map(Dict::with_kind(map, MapKind::StringMap));
            }
            let map: Map = o.iter().map(|(k, v)| (k.clone(), to_value(v))).collect();
            Value::map(map)
        }
    }
}

const ANY1: &[ArgType] = &[ArgType::Any];

/// The helper functions of Go's exec_test.go.
fn go_test_funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.insert_plain("typeOf", Signature::fixed(ANY1), |a| {
        Ok(Value::from(sprintf("%T", a)))
    });
    f.insert_plain("add", Signature::variadic(&[], ArgType::Int), |a| {
        Ok(Value::Int(
            a.iter()
                .map(|v| if let Value::Int(i) = v { *i } else { 0 })
                .sum(),
        ))
    });
    f.insert_plain("echo", Signature::fixed(ANY1), |a| Ok(a[0].clone()));
    f.insert_plain("makemap", Signature::variadic(&[], ArgType::String), |a| {
        if a.len() % 2 != 0 {
            return Err(FuncError::new("bad makemap"));
        }
        let mut m = Map::new();
        for p in a.chunks(2) {
            m.insert(p[0].as_str().unwrap_or_default().to_string(), p[1].clone());
        }
        Ok(Value::Map(Dict::with_kind(m, MapKind::StringMap)))
    });
    f.insert_plain("mapOfThree", Signature::fixed(&[]), |_| {
        let mut m = Map::new();
        m.insert("three".into(), Value::Int(3));
        Ok(Value::map(m))
    });
    f.insert_plain("oneArg", Signature::fixed(&[ArgType::String]), |a| {
        Ok(Value::from(format!(
            "oneArg={}",
            a[0].as_str().unwrap_or_default()
        )))
    });
    f.insert_plain(
        "twoArgs",
        Signature::fixed(&[ArgType::String, ArgType::String]),
        |a| {
            Ok(Value::from(format!(
                "twoArgs={}{}",
                a[0].as_str().unwrap_or_default(),
                a[1].as_str().unwrap_or_default()
            )))
        },
    );
    f.insert_plain(
        "dddArg",
        Signature::variadic(&[ArgType::Int], ArgType::String),
        |a| Ok(Value::from(hoist_gotmpl::sprintln(a))),
    );
    f.insert_plain("returnInt", Signature::fixed(&[]), |_| Ok(Value::Int(7)));
    f.insert_plain("valueString", Signature::fixed(&[ArgType::String]), |_| {
        Ok(Value::string("value is ignored"))
    });
    f.insert_plain("zeroArgs", Signature::fixed(&[]), |_| {
        Ok(Value::string("zeroArgs"))
    });
    f.insert_plain("count", Signature::fixed(&[ArgType::Int]), |a| {
        let n = if let Value::Int(i) = a[0] { i } else { 0 };
        Ok(Value::list(
            (0..n)
                .map(|i| Value::string(&"abcdefghijklmnop"[i as usize..i as usize + 1]))
                .collect(),
        ))
    });
    f
}

#[test]
fn go_exec_tests() {
    let text = std::fs::read_to_string("tests/data/exec/go_exec_tests.json").unwrap();
    let doc: J = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let cases = doc["cases"].as_array().unwrap();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let tname = c.get("tmpl_name").and_then(J::as_str).unwrap_or(name);
        let input = c["input"].as_str().unwrap();
        let want = c["output"].as_str().unwrap();
        let ok = c["ok"].as_bool().unwrap();
        let data = match c.get("data_ref").and_then(J::as_str) {
            Some(r) => to_value(&doc[r]),
            None => to_value(&c["data"]),
        };
        let mut t = Templates::new(go_test_funcs());
        if let Err(e) = t.parse(tname, input) {
            failures.push(format!("{name}: parse error: {e}"));
            continue;
        }
        match t.execute(tname, &data) {
            Ok(got) => {
                if !ok {
                    failures.push(format!("{name}: expected error; got {got:?}"));
                } else if got != want {
                    failures.push(format!("{name}: want {want:?} got {got:?}"));
                }
            }
            Err(e) => {
                if ok {
                    failures.push(format!("{name}: unexpected error: {e}"));
                } else if let Some(w) = c.get("error").and_then(J::as_str)
                    && e.to_string() != w
                {
                    failures.push(format!("{name}: error\n  want {w}\n  got  {e}"));
                }
            }
        }
    }
    assert_all_passed(&failures, cases.len());
}

/// Cases rendered by real Helm (missingkey=zero, `<no value>` removed). Each case is one template
/// file; values come from JSON, so numbers in `.Values` are float64.
#[test]
fn oracle_cases() {
    let Ok(text) = std::fs::read_to_string("tests/data/exec/oracle_cases.json") else {
        return;
    };
    let doc: J = serde_json::from_str(&text).unwrap();
    let values = to_value(&doc["values"]);
    let values = float_numbers(&values);
    let mut failures = Vec::new();
    let cases = doc["cases"].as_array().unwrap();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let input = c["input"].as_str().unwrap();
        let file = format!("t/templates/{name}.yaml");
        let mut t = Templates::new(helm_like_funcs()).with_name("gotpl");
        t.set_missing_key(MissingKey::Zero);
        let mut top = Map::new();
        top.insert("Values".into(), values.clone());
        let mut tm = Map::new();
        tm.insert("Name".into(), Value::string(&file));
        tm.insert("BasePath".into(), Value::string("t/templates"));
        top.insert("Template".into(), Value::map(tm));
        let data = Value::map(top);
        let result = t.parse(&file, input).and_then(|()| t.execute(&file, &data));
        let got = match result {
            Ok(s) => Ok(s.replace("<no value>", "")),
            Err(e) => Err(e),
        };
        match (
            c.get("output").and_then(J::as_str),
            c.get("error").and_then(J::as_str),
            got,
        ) {
            (Some(w), _, Ok(g)) if w == g => {}
            (_, Some(w), Err(e)) if helm_error_matches(w, &e) => {}
            (w, we, g) => failures.push(format!(
                "{name}: {input:?}\n  want {w:?} / {we:?}\n  got  {g:?}"
            )),
        }
    }
    assert_all_passed(&failures, cases.len());
}

/// Values from JSON are float64 in Helm.
fn float_numbers(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(*i as f64),
        Value::List(l) => Value::list(l.iter().map(float_numbers).collect()),
        Value::Map(d) => Value::Map(Dict::with_kind(
            d.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), float_numbers(v)))
                .collect(),
            MapKind::Plain,
        )),
        other => other.clone(),
    }
}

/// Helm's error for a failed render, compared with ours: Helm prints the Go message itself, or a
/// reformatted trace (`FILE:L:C\n  executing "NAME" at <CTX>:\n    MSG`); both carry the same parts.
fn helm_error_matches(want: &str, e: &hoist_gotmpl::Error) -> bool {
    if want.contains(&e.to_string()) {
        return true;
    }
    // The reformatted trace: one block per include level.
    let mut level = Some(e);
    while let Some(l) = level {
        let ctx = l.context().unwrap_or_default();
        if !want.contains(&l.location())
            || !want.contains(&format!(
                "executing \"{}\" at <{}>:",
                l.template_name(),
                ctx
            ))
        {
            return false;
        }
        match l.inner() {
            Some(inner) => {
                let head = l.message().split(": ").next().unwrap_or_default();
                if !want.contains(&format!("{head}:")) {
                    return false;
                }
                level = Some(inner);
            }
            None => return want.contains(l.message()),
        }
    }
    false
}

/// Helm-like helper functions used by the oracle cases (stand-ins with Sprig's semantics only
/// where a case needs them): `include` and `tpl` exercise the stateful API.
fn helm_like_funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.insert(
        "include",
        Func::stateful(
            Signature::fixed(&[ArgType::String, ArgType::Any]),
            |st: &mut State<'_>, a| {
                let name = a[0].as_str().unwrap_or_default().to_string();
                st.execute_template(&name, &a[1])
                    .map(Value::from)
                    .map_err(|e| FuncError::with_source(e.to_string(), e))
            },
        ),
    );
    f.insert(
        "tpl",
        Func::stateful(
            Signature::fixed(&[ArgType::String, ArgType::Any]),
            |st: &mut State<'_>, a| {
                let text = a[0].as_str().unwrap_or_default().to_string();
                // Helm v4 parses and runs the text as the set's own template ("gotpl") of a clone.
                let name = st.templates().name().to_string();
                let q = sprintf("%q", &[Value::string(&text)]);
                let mut clone = st.templates().clone();
                if let Err(e) = clone.parse(&name, &text) {
                    return Err(FuncError::with_source(
                        format!("cannot parse template {q}: {e}"),
                        e,
                    ));
                }
                st.execute_in(&clone, &name, &a[1])
                    .map(|s| Value::from(s.replace("<no value>", "")))
                    .map_err(|e| {
                        FuncError::with_source(
                            format!("error during tpl function execution for {q}: {e}"),
                            e,
                        )
                    })
            },
        ),
    );
    f.insert_plain("toString", Signature::fixed(ANY1), |a| {
        Ok(Value::from(match &a[0] {
            Value::String(s) => s.to_string(),
            v => hoist_gotmpl::format_value(v),
        }))
    });
    f.insert(
        "list",
        Func::closure(Signature::variadic(&[], ArgType::Any), |a| {
            Ok(Value::list(a.to_vec()))
        }),
    );
    f
}

#[test]
fn nested_include_error_chain() {
    let mut t = Templates::new(helm_like_funcs()).with_name("gotpl");
    t.parse(
        "a",
        r#"{{define "inner"}}{{index . 5}}{{end}}x{{include "inner" .}}"#,
    )
    .unwrap();
    let e = t.execute("a", &Value::list(vec![])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: a:1:41: executing \"a\" at <include \"inner\" .>: error calling include: \
         template: a:1:20: executing \"inner\" at <index . 5>: error calling index: index out of range: 5"
    );
    let inner = e.inner().expect("inner error");
    assert_eq!(inner.template_name(), "inner");
    assert_eq!(
        inner.message(),
        "error calling index: index out of range: 5"
    );
    assert_eq!(e.message(), format!("error calling include: {inner}"));
}

#[test]
fn empty_redefinition_does_not_replace() {
    let mut t = Templates::new(FuncMap::new());
    t.parse("a", r#"{{define "x"}}one{{end}}"#).unwrap();
    t.parse("b", r#"{{define "x"}}  {{end}}"#).unwrap();
    assert_eq!(t.execute("x", &Value::Nil).unwrap(), "one");
    t.parse("c", r#"{{define "x"}}two{{end}}"#).unwrap();
    assert_eq!(t.execute("x", &Value::Nil).unwrap(), "two");
    let mut clone = t.clone();
    clone.parse("d", r#"{{define "x"}}three{{end}}"#).unwrap();
    assert_eq!(clone.execute("x", &Value::Nil).unwrap(), "three");
    assert_eq!(t.execute("x", &Value::Nil).unwrap(), "two");
    let e = t.execute("nope", &Value::Nil).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: no template \"nope\" associated with template \"\""
    );
}

#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    let mut t = Templates::new(FuncMap::new());
    t.parse(
        "a",
        r#"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#,
    )
    .unwrap();
    let e = t.execute("a", &Value::Nil).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("exceeded maximum template depth (100000)"),
        "{e}"
    );
}

#[test]
fn float_formatting() {
    assert_eq!(format_float(1e21, 'f', -1), "1000000000000000000000");
    assert_eq!(format_float(0.000001, 'g', -1), "1e-06");
}

fn fmt_arg(j: &J) -> Value {
    if let J::Object(o) = j
        && let Some(J::String(f)) = o.get("$float")
    {
        return Value::Float(match f.as_str() {
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            _ => f64::NAN,
        });
    }
    to_value(j)
}

#[test]
fn go_fmt_tests() {
    let text = std::fs::read_to_string("tests/data/exec/go_fmt_tests.json").unwrap();
    let doc: J = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for c in cases {
        let format = c["format"].as_str().unwrap();
        let args: Vec<Value> = c["args"].as_array().unwrap().iter().map(fmt_arg).collect();
        let want = c["output"].as_str().unwrap();
        let got = sprintf(format, &args);
        if got != want {
            failures.push(format!("{format} {args:?}: want {want:?} got {got:?}"));
        }
    }
    assert_all_passed(&failures, cases.len());
}

/// Go's `tVal` methods (exec_test.go), as an `Object`: fields True, I, X, U, MSIone, MXI and
/// methods Method0..3, MyError, GetU, Copy; `U` has field V and method TrueFalse.
#[derive(Debug)]
struct GoT;

#[derive(Debug)]
struct GoU;

impl hoist_gotmpl::Object for GoU {
    fn type_name(&self) -> &str {
        "*template.U"
    }
    fn kind_name(&self) -> &str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        (name == "V").then(|| Value::string("v"))
    }
    fn has_method(&self, name: &str) -> bool {
        name == "TrueFalse"
    }
    fn method_signature(&self, _name: &str) -> Option<Signature> {
        Some(Signature::fixed(&[ArgType::Bool]))
    }
    fn call_method(&self, _name: &str, args: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::string(if matches!(args[0], Value::Bool(true)) {
            "true"
        } else {
            ""
        }))
    }
}

impl hoist_gotmpl::Object for GoT {
    fn type_name(&self) -> &str {
        "*template.T"
    }
    fn kind_name(&self) -> &str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let mut one = Map::new();
        one.insert("one".into(), Value::Int(1));
        Some(match name {
            "True" => Value::Bool(true),
            "I" => Value::Int(17),
            "X" => Value::string("x"),
            "U" => Value::Object(Rc::new(GoU)),
            "MSIone" | "MXI" => Value::map(one),
            _ => return None,
        })
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Method0" | "Method1" | "Method2" | "Method3" | "MyError" | "GetU" | "Copy"
        )
    }
    fn method_signature(&self, name: &str) -> Option<Signature> {
        Some(match name {
            "Method1" => Signature::fixed(&[ArgType::Int]),
            "Method2" => Signature::fixed(&[ArgType::Int, ArgType::String]),
            "Method3" => Signature::fixed(&[ArgType::Any]),
            "MyError" => Signature::fixed(&[ArgType::Bool]),
            _ => Signature::fixed(&[]),
        })
    }
    fn call_method(&self, name: &str, a: &[Value]) -> Result<Value, FuncError> {
        Ok(match name {
            "Method0" => Value::string("M0"),
            "Method1" => a[0].clone(),
            "Method2" => Value::from(sprintf("Method2: %d %s", a)),
            "Method3" => Value::from(sprintf("Method3: %v", a)),
            "MyError" => {
                if matches!(a[0], Value::Bool(true)) {
                    return Err(FuncError::new("my error"));
                }
                Value::Bool(false)
            }
            "GetU" => Value::Object(Rc::new(GoU)),
            _ => Value::Object(Rc::new(GoT)),
        })
    }
}

/// Rows of Go's execTests that use tVal's methods (golang/go src/text/template/exec_test.go;
/// `.U16` arguments are replaced by the literal 3, as in the row ".Method2(3, .X)").
#[test]
fn go_method_rows() {
    let rows: &[(&str, &str, Option<&str>)] = &[
        (".Method0", "-{{.Method0}}-", Some("-M0-")),
        (".Method1(1234)", "-{{.Method1 1234}}-", Some("-1234-")),
        (".Method1(.I)", "-{{.Method1 .I}}-", Some("-17-")),
        (
            ".Method2(3, .X)",
            "-{{.Method2 3 .X}}-",
            Some("-Method2: 3 x-"),
        ),
        (
            ".Method3(nil constant)",
            "-{{.Method3 nil}}-",
            Some("-Method3: <nil>-"),
        ),
        (
            ".Method3(nil value)",
            "-{{.Method3 .MXI.unset}}-",
            Some("-Method3: <nil>-"),
        ),
        (
            "method on var",
            "{{if $x := .}}-{{$x.Method2 3 $x.X}}{{end}}-",
            Some("-Method2: 3 x-"),
        ),
        (
            "method on chained var",
            "{{range .MSIone}}{{if $.U.TrueFalse $.True}}{{$.U.TrueFalse $.True}}{{else}}WRONG{{end}}{{end}}",
            Some("true"),
        ),
        (
            "chained method",
            "{{range .MSIone}}{{if $.GetU.TrueFalse $.True}}{{$.U.TrueFalse $.True}}{{else}}WRONG{{end}}{{end}}",
            Some("true"),
        ),
        (
            "chained method on variable",
            "{{with $x := .}}{{with .I}}{{$.GetU.TrueFalse $.True}}{{end}}{{end}}",
            Some("true"),
        ),
        ("parens: $.GetU in paren", "{{($.GetU).V}}", Some("v")),
        ("printf method", r#"{{printf "%s" .Method0}}"#, Some("M0")),
        ("error method, error", "{{.MyError true}}", None),
        (
            "error method, no error",
            "{{.MyError false}}",
            Some("false"),
        ),
        (
            "bug0",
            "{{range .MSIone}}{{if $.Method1 .}}X{{end}}{{end}}",
            Some("X"),
        ),
        ("bug3", "{{with $}}{{.Method0}}{{end}}", Some("M0")),
        ("bug13", "{{print (.Copy).I}}", Some("17")),
    ];
    let data = Value::Object(Rc::new(GoT));
    for (name, input, want) in rows {
        let mut t = Templates::new(go_test_funcs());
        t.parse(name, input).unwrap();
        let got = t.execute(name, &data);
        match (want, got) {
            (Some(w), Ok(g)) => assert_eq!(&g, w, "{name}"),
            (None, Err(e)) => assert!(e.to_string().contains("my error"), "{name}: {e}"),
            (w, g) => panic!("{name}: want {w:?} got {g:?}"),
        }
    }
}

#[test]
fn self_containing_map_does_not_crash() {
    let d = Dict::new(Map::new());
    d.insert("self", Value::Map(d.clone()));
    let v = Value::Map(d);
    let printed = hoist_gotmpl::format_value(&v);
    assert!(printed.starts_with("map[self:map[self:"), "{printed}");
    let _copy = v.deep_copy();
    let mut t = Templates::new(FuncMap::new());
    t.parse("c", "{{ . }}{{ printf \"%v\" . }}").unwrap();
    assert!(t.execute("c", &v).is_ok());
}

/// Go's TestMissingMapKey (exec_test.go), default and error modes.
#[test]
fn go_missing_map_key() {
    let mut m = Map::new();
    m.insert("x".into(), Value::Int(99));
    let data = Value::map(m);
    let mut t = Templates::new(FuncMap::new());
    t.parse("t1", "{{.x}} {{.y}}").unwrap();
    assert_eq!(t.execute("t1", &data).unwrap(), "99 <no value>");
    t.option("missingkey=default").unwrap();
    assert_eq!(t.execute("t1", &data).unwrap(), "99 <no value>");
    t.option("missingkey=error").unwrap();
    let e = t.execute("t1", &data).unwrap_err();
    assert!(e.to_string().contains("map has no entry for key"), "{e}");
    let e = t.execute("t1", &Value::Nil).unwrap_err();
    assert!(
        e.to_string().contains("nil data; no entry for key \"x\""),
        "{e}"
    );
    assert!(t.option("missingkey=bogus").is_err());
}

#[derive(Debug)]
struct ValuesMethods;

impl hoist_gotmpl::MapMethods for ValuesMethods {
    fn has_method(&self, name: &str) -> bool {
        name == "Table"
    }
    fn method_signature(&self, _name: &str) -> Option<Signature> {
        Some(Signature::fixed(&[ArgType::String]))
    }
    fn call_method(&self, map: &Dict, _name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let key = args[0].as_str().unwrap_or_default();
        map.get(key)
            .ok_or_else(|| FuncError::new(format!("no table named {key:?}")))
    }
}

/// Methods of a named map type win over its keys, as in Go.
#[test]
fn named_map_methods() {
    let mut m = Map::new();
    m.insert("Table".into(), Value::string("key"));
    m.insert("a".into(), Value::string("A"));
    let data = Value::Map(Dict::with_kind(m, MapKind::Named("common.Values")));
    let mut t = Templates::new(FuncMap::new());
    t.register_map_methods("common.Values", Rc::new(ValuesMethods));
    t.parse("m", r#"{{ .Table "a" }}|{{ .a }}"#).unwrap();
    assert_eq!(t.execute("m", &data).unwrap(), "A|A");
    t.parse("n", r#"{{ .Table "zz" }}"#).unwrap();
    let e = t.execute("n", &data).unwrap_err();
    assert_eq!(e.message(), "error calling Table: no table named \"zz\"");
}

/// Clones parsed into repeatedly (nested `tpl`) keep every definition and never change the
/// original set.
#[test]
fn clone_layers() {
    let mut base = Templates::new(FuncMap::new());
    base.parse("base", r#"{{define "d0"}}0{{end}}"#).unwrap();
    let mut sets = vec![base.clone()];
    for i in 1..20 {
        let mut c = sets[i - 1].clone();
        c.parse(
            &format!("f{i}"),
            &format!(r#"{{{{define "d{i}"}}}}{i}{{{{end}}}}"#),
        )
        .unwrap();
        sets.push(c);
    }
    for (i, s) in sets.iter().enumerate() {
        for j in 0..20 {
            assert_eq!(s.lookup(&format!("d{j}")).is_some(), j <= i, "set {i} d{j}");
        }
    }
    assert_eq!(sets[19].execute("d7", &Value::Nil).unwrap(), "7");
    assert!(base.lookup("d1").is_none());
}

/// Fails with every failure listed, or reports how many cases passed.
fn assert_all_passed(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        total,
        failures.join("\n")
    );
    eprintln!("{total} passed, 0 failed");
}
