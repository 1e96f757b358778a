//! `MergeValues` and `readFile` cases transcribed from helm/helm v4.2.3
//! pkg/cli/values/options_test.go, plus the flag-kind order of helm.md s.3.

mod common;

use common::{norm, to_json};
use hoist_chart::{FsReader, ValueOptions};
use hoist_gotmpl::Value;
use serde_json::json;

fn merge(opts: ValueOptions) -> Result<serde_json::Value, String> {
    opts.merge_values(&mut FsReader)
        .map(|d| to_json(&Value::Map(d)))
        .map_err(|e| e.to_string())
}

#[test]
fn merge_values_cli() {
    let o = |f: fn(&mut ValueOptions)| {
        let mut x = ValueOptions::default();
        f(&mut x);
        x
    };
    let cases: Vec<(ValueOptions, Option<serde_json::Value>)> = vec![
        (
            o(|x| x.json_values = vec![r#"{"foo": {"bar": "baz"}}"#.into()]),
            Some(json!({"foo": {"bar": "baz"}})),
        ),
        (
            o(|x| x.json_values = vec!["foo.bar=[1,2,3]".into()]),
            Some(json!({"foo": {"bar": [1.0, 2.0, 3.0]}})),
        ),
        (
            o(|x| x.values = vec!["foo=bar".into()]),
            Some(json!({"foo": "bar"})),
        ),
        (
            o(|x| x.string_values = vec!["foo=123".into()]),
            Some(json!({"foo": "123"})),
        ),
        (
            o(|x| x.literal_values = vec!["foo=true".into()]),
            Some(json!({"foo": "true"})),
        ),
        (
            o(|x| {
                x.values = vec!["a=foo".into()];
                x.string_values = vec!["b=bar".into()];
                x.json_values = vec![r#"{"c": "foo1"}"#.into()];
                x.literal_values = vec!["d=bar1".into()];
            }),
            Some(json!({"a": "foo", "b": "bar", "c": "foo1", "d": "bar1"})),
        ),
        (o(|x| x.json_values = vec!["{invalid".into()]), None),
    ];
    for (opts, want) in cases {
        let got = merge(opts.clone());
        match want {
            Some(w) => assert_eq!(got.unwrap(), norm(&w), "{opts:?}"),
            None => assert!(got.is_err(), "{opts:?}"),
        }
    }
}

#[test]
fn read_file_errors() {
    let f = |p: &str| {
        merge(ValueOptions {
            value_files: vec![p.into()],
            ..Default::default()
        })
        .unwrap_err()
    };
    assert!(f("://invalid").contains("missing protocol scheme"));
    assert_eq!(f("%a.txt"), r#"parse "%a.txt": invalid URL escape "%a.""#);
    assert_eq!(
        f("/non/existent/file.txt"),
        "open /non/existent/file.txt: no such file or directory"
    );
    assert!(
        merge(ValueOptions {
            value_files: vec![String::new()],
            ..Default::default()
        })
        .is_err()
    );
}

#[test]
fn flag_kind_order_and_files() {
    // helm.md s.3: kinds apply in a fixed order, so --set-string after --set wins.
    let dir = std::env::temp_dir().join(format!("hoist-chart-vo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f1 = dir.join("a.yaml");
    std::fs::write(&f1, "a: 1\nlist: [x, y]\nm: {k: v}\n---\nb: 2\n").unwrap();
    let got = merge(ValueOptions {
        value_files: vec![f1.to_string_lossy().into()],
        values: vec!["a=2,list[1]=z".into()],
        string_values: vec!["a=1".into()],
        file_values: vec![format!("f={}", f1.to_string_lossy())],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(got["a"], json!("1"));
    assert_eq!(got["b"], json!(2.0));
    assert_eq!(got["list"], json!(["x", "z"]));
    assert_eq!(got["m"], json!({"k": "v"}));
    assert_eq!(
        got["f"],
        json!("a: 1\nlist: [x, y]\nm: {k: v}\n---\nb: 2\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
