//! Property test: parsing and executing random templates over random data never panics, hangs or
//! overflows the stack; errors are returned instead.

use hoist_gotmpl::{
    ArgType, FuncError, FuncMap, Map, MissingKey, Signature, Templates, Value, sprintf,
};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "x",
    "\n",
    ".",
    ".a",
    ".b.c",
    ".l",
    ".m",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    "\"s\"",
    "`r`",
    "1",
    "-2",
    "3.5",
    "0x10",
    "'c'",
    "nil",
    "true",
    "if",
    "else",
    "end",
    "range",
    "with",
    "break",
    "continue",
    "define",
    "template",
    "block",
    "\"t\"",
    "and",
    "or",
    "not",
    "len",
    "index",
    "slice",
    "print",
    "printf",
    "println",
    "html",
    "js",
    "urlquery",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "call",
    "fail",
    "echo",
    "\"%d %s %v %5.2f %q %x %[2]v %*d\"",
    "$i, $e :=",
    ",",
    "/* c */",
];

fn data() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Nil),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::Int),
        (-5i64..5).prop_map(Value::Int64),
        (-3.0f64..3.0).prop_map(Value::Float),
        "[a-c%<>&'\"]{0,3}".prop_map(|s| Value::string(&s)),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::list),
            prop::collection::vec(("[a-c]", inner), 0..4).prop_map(|kv| {
                let m: Map = kv.into_iter().collect();
                Value::map(m)
            }),
        ]
    })
}

fn template_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.insert_plain("fail", Signature::fixed(&[ArgType::String]), |a| {
        Err(FuncError::new(a[0].as_str().unwrap_or_default()))
    });
    f.insert_plain("echo", Signature::variadic(&[], ArgType::Any), |a| {
        Ok(a.first().cloned().unwrap_or_default())
    });
    f
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn random_templates_never_panic(text in template_text(), d in data(), a in data(), mk in 0u8..3) {
        let mut t = Templates::new(funcs());
        t.set_missing_key(match mk { 0 => MissingKey::Default, 1 => MissingKey::Zero, _ => MissingKey::Error });
        let mut top = Map::new();
        top.insert("a".into(), a);
        top.insert("l".into(), Value::list(vec![d.clone(), Value::Nil]));
        top.insert("m".into(), d);
        let data = Value::map(top);
        if t.parse("p", &text).is_ok() {
            let _ = t.execute("p", &data);
        }
        // A recursive definition must end in an error, not a crash.
        let rec = format!("{{{{define \"t\"}}}}{text}{{{{template \"t\" .}}}}{{{{end}}}}{{{{template \"t\" .}}}}");
        let mut t2 = Templates::new(funcs());
        t2.set_max_depth(200);
        if t2.parse("r", &rec).is_ok() {
            let _ = t2.execute("r", &data);
        }
    }

    #[test]
    fn random_printf_never_panics(format in "[%a-z0-9 .*#+\\-\\[\\]]{0,12}", args in prop::collection::vec(data(), 0..4)) {
        let _ = sprintf(&format, &args);
    }
}
