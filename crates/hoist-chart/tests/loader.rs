//! Loader cases transcribed from helm/helm v4.2.3 pkg/chart/v2/loader/load_test.go
//! (TestLoadInvalidArchive, TestLoadFiles_BadCases, TestLoadValues, TestMergeValuesV2,
//! TestLoadDirWithUTFBOM/TestLoadArchiveWithUTFBOM on the frobnitz charts).

mod common;

use common::{norm, to_json};
use hoist_chart::archive::BufferedFile;
use hoist_chart::{load, load_archive, load_values, loader, merge_maps};
use hoist_gotmpl::Value;
use serde_json::json;
use std::io::Write;

/// A gzipped tar with one regular entry whose name is written verbatim (no path checks).
fn tar_one(name: &str, body: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_old();
    let raw = name.as_bytes();
    h.as_old_mut().name[..raw.len()].copy_from_slice(raw);
    h.set_size(body.len() as u64);
    h.set_mode(0o755);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    let mut b = tar::Builder::new(Vec::new());
    b.append(&h, body).unwrap();
    let tarball = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tarball).unwrap();
    gz.finish().unwrap()
}

#[test]
fn invalid_archives() {
    let cases = [
        (
            "../../malformed-helm-test",
            "chart illegally references parent directory",
        ),
        (
            "/foo/../../malformed-helm-test",
            "chart illegally references parent directory",
        ),
        (
            "/../../malformed-helm-test",
            "chart illegally references parent directory",
        ),
        (
            "./../../malformed-helm-test",
            "chart illegally references parent directory",
        ),
        (
            "./.",
            "chart illegally contains content outside the base directory",
        ),
        (
            "/./.",
            "chart illegally contains content outside the base directory",
        ),
        (
            "missing-leading-slash",
            "chart illegally contains content outside the base directory",
        ),
        ("/missing-leading-slash", "Chart.yaml file is missing"),
        ("//foo", "chart illegally contains absolute paths"),
        ("///foo", "chart illegally contains absolute paths"),
        ("\\\\foo", "chart illegally contains absolute paths"),
        (
            "\\..\\..\\foo",
            "chart illegally references parent directory",
        ),
        ("\\.\\c:\\\\foo", "chart contains illegally named files"),
        ("/./c://foo", "chart contains illegally named files"),
        (
            "\\\\?\\Some\\windows\\magic",
            "chart illegally contains absolute paths",
        ),
    ];
    for (internal, want) in cases {
        let err = load_archive(&tar_one(internal, b"hello: world")).unwrap_err();
        assert!(
            err.to_string().contains(want),
            "{internal:?}: got {err}, want {want}"
        );
    }
    let e = |n: &str| {
        load_archive(&tar_one(n, b"hello: world"))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        e("/Chart.yaml"),
        "validation: chart.metadata.name is required"
    );
    assert_eq!(e("files/whatever.yaml"), "Chart.yaml file is missing");
    assert_eq!(
        e("c:\\Chart.yaml"),
        "validation: chart.metadata.name is required"
    );
    // The CLI's loader hides archive errors behind one message.
    let dir = std::env::temp_dir().join(format!("hoist-chart-ld-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("bad.tgz");
    std::fs::write(&p, tar_one("../../x", b"x")).unwrap();
    assert_eq!(
        load(&p).unwrap_err().to_string(),
        "unable to load chart archive"
    );
    let p = dir.join("values.yaml");
    std::fs::write(&p, "a: 1\n").unwrap();
    assert_eq!(
        load(&p).unwrap_err().to_string(),
        format!(
            "file '{}' seems to be a YAML file, but expected a gzipped archive",
            p.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn load_files_bad_cases() {
    let files = vec![BufferedFile {
        name: "requirements.lock".into(),
        data: Vec::new(),
    }];
    assert_eq!(
        loader::load_files(files).unwrap_err().to_string(),
        "validation: chart.metadata.apiVersion is required"
    );
}

#[test]
fn load_values_multi_doc() {
    let v = load_values(b"\nfoo:\n  image: foo:v1\nbar:\n  version: v2\n").unwrap();
    assert_eq!(
        to_json(&Value::Map(v)),
        json!({"foo": {"image": "foo:v1"}, "bar": {"version": "v2"}})
    );
    let v =
        load_values(b"\nfoo:\n  image: foo:v1\nbar:\n  version: v2\n---\nfoo:\n  image: foo:v2\n")
            .unwrap();
    assert_eq!(
        to_json(&Value::Map(v)),
        json!({"foo": {"image": "foo:v2"}, "bar": {"version": "v2"}})
    );
}

#[test]
fn merge_maps_v2() {
    let d = |j: serde_json::Value| common::dict_from_json(&j);
    let nested = json!({"foo": "bar", "baz": {"cool": "stuff"}});
    let another = json!({"foo": "bar", "baz": {"cool": "things", "awesome": "stuff"}});
    let flat = json!({"foo": "bar", "baz": "stuff"});
    let m = |a: &serde_json::Value, b: &serde_json::Value| {
        to_json(&Value::Map(merge_maps(&d(a.clone()), &d(b.clone()))))
    };
    assert_eq!(m(&flat, &nested), norm(&nested));
    assert_eq!(m(&nested, &flat), norm(&flat));
    assert_eq!(m(&nested, &another), norm(&another));
}

#[test]
fn frobnitz_contents() {
    // TestLoadFile / TestLoadDir: the frobnitz chart's parts (pkg/chart/v2/loader verifyChart).
    for p in ["frobnitz", "frobnitz-1.2.3.tgz"] {
        let c = load(format!(
            "{}/tests/data/helm-testdata/{p}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert_eq!(c.name(), "frobnitz", "{p}");
        assert_eq!(c.templates.len(), 1, "{p}");
        assert_eq!(c.dependencies.len(), 2, "{p}");
        assert_eq!(
            c.files.len(),
            6,
            "{p}: {:?}",
            c.files.iter().map(|f| &f.name).collect::<Vec<_>>()
        );
        let mut deps: Vec<(&str, &str)> = c
            .dependencies
            .iter()
            .map(|d| (d.name(), d.metadata.version.as_str()))
            .collect();
        deps.sort();
        assert_eq!(deps, [("alpine", "0.1.0"), ("mariner", "4.3.2")], "{p}");
        assert!(c.files.iter().any(|f| f.name == "README.md"), "{p}");
        assert!(
            !c.files.iter().any(|f| f.name.starts_with("templates/")),
            "{p}"
        );
    }
}
