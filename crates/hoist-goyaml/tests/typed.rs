//! Go-typed template values (tests/data/typed.json, made by tests/gen/gen_typed.py): each case
//! is a template expression whose Go value is rebuilt here by hand.

use std::rc::Rc;

use hoist_gotmpl::{Map, Value};
use hoist_goyaml::{to_json, to_json_pretty, to_yaml, to_yaml_pretty};

fn dict(pairs: Vec<(&str, Value)>) -> Value {
    Value::map(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map>(),
    )
}

fn value_for(name: &str) -> Value {
    let int = Value::Int;
    let f = Value::Float;
    match name {
        "ints" => Value::list(vec![int(1), int(2), int(-3), int(0)]),
        "int64s" => Value::list(vec![Value::Int64(5), Value::Int64(-9223372036854775807)]),
        "floats" => Value::list(vec![
            f(1.5),
            f(1e6),
            f(1000000.0),
            f(0.000001),
            f(1e21),
            f(100.0),
            f(-0.0),
        ]),
        "mixed_dict" => dict(vec![
            ("a", int(1)),
            ("b", Value::Int64(5)),
            ("c", f(1.5)),
            ("d", Value::Bool(true)),
            ("e", Value::Nil),
            ("f", Value::from("s")),
            ("g", Value::list(vec![])),
            ("h", dict(vec![])),
        ]),
        "nested" => dict(vec![
            (
                "z",
                Value::list(vec![
                    dict(vec![
                        ("b", int(2)),
                        (
                            "a",
                            Value::list(vec![int(1), Value::list(vec![int(2), int(3)])]),
                        ),
                    ]),
                    Value::list(vec![]),
                ]),
            ),
            ("a", dict(vec![("k", Value::list(vec![Value::from("x")]))])),
        ]),
        "bytes" => Value::Bytes(Rc::from(&b"abc\n"[..])),
        "bytes_in_dict" => dict(vec![("b", Value::Bytes(Rc::from(&b"abc\n"[..])))]),
        "nil" => Value::Nil,
        "int_root" => int(42),
        "float_root" => f(1e6),
        "string_root" => Value::from("yes"),
        "list_of_lists_pretty" => Value::list(vec![
            Value::list(vec![int(1), int(2)]),
            Value::list(vec![Value::list(vec![int(3)])]),
            dict(vec![("a", Value::list(vec![int(4)]))]),
        ]),
        "big_float" => f(123456789.0),
        "big_int" => int(123456789),
        "nan" => dict(vec![("a", f(f64::NAN))]),
        "neg_inf" => Value::list(vec![f(f64::NEG_INFINITY)]),
        other => panic!("no value for case {other}"),
    }
}

/// Helm's toYaml/toYamlPretty/toJson print "" on error.
fn trim(r: Result<String, hoist_goyaml::Error>) -> String {
    let s = r.unwrap_or_default();
    s.strip_suffix('\n').map(str::to_string).unwrap_or(s)
}

#[test]
fn typed_values_match_helm() {
    let data: serde_json::Value = serde_json::from_str(include_str!("data/typed.json")).unwrap();
    let mut failures = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let v = value_for(name);
        let got = [
            ("toYaml", trim(to_yaml(&v))),
            ("toYamlPretty", trim(to_yaml_pretty(&v))),
            ("toJson", to_json(&v).unwrap_or_default()),
            ("toPrettyJson", to_json_pretty(&v).unwrap_or_default()),
        ];
        for (field, out) in got {
            if case[field].as_str() != Some(out.as_str()) {
                failures.push(format!(
                    "{name} {field}: want {:?}, got {out:?}",
                    case[field]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `mustToYaml` / `mustToJson` error texts, as Helm v4.2.3 reports them.
#[test]
fn marshal_error_texts() {
    let v = dict(vec![("a", Value::Float(f64::NAN))]);
    assert_eq!(
        to_yaml(&v).unwrap_err().to_string(),
        "error marshaling into JSON: json: unsupported value: NaN"
    );
    assert_eq!(
        to_json(&v).unwrap_err().to_string(),
        "json: unsupported value: NaN"
    );
}
