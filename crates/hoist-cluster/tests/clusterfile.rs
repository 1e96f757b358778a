//! Clusterfile parse → to_yaml round trips and malformed-file errors.
//!
//! The expected `.out` files are what sealos writes for the input (sigs.k8s.io/yaml of the
//! Go structs: sorted keys, goyaml v2 layout, `creationTimestamp: null` for a zero
//! `metav1.Time`, `status: {}` for an empty status struct, omitempty fields dropped).

use std::path::{Path, PathBuf};

use hoist_cluster::{Error, parse};

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
}

fn roundtrip(name: &str, expected: &str) {
    let path = data(&format!("clusterfile/{name}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let cf = parse(&text, &path).unwrap();
    let want = std::fs::read_to_string(data(&format!("clusterfile/{expected}"))).unwrap();
    assert_eq!(cf.to_yaml(), want, "{name}");
    // What we write parses back to the same thing.
    let again = parse(&cf.to_yaml(), &path).unwrap();
    assert_eq!(again.cluster, cf.cluster);
    assert_eq!(again.configs, cf.configs);
}

#[test]
fn sealos_docs_example() {
    roundtrip("apply-example.yaml", "apply-example.out");
}

#[test]
fn configs_kept_kubeadm_dropped() {
    roundtrip("with-config.yaml", "with-config.out");
    let path = data("clusterfile/with-config.yaml");
    let cf = parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(cf.other.len(), 1);
    assert!(
        cf.other[0].contains("\"kind\":\"ClusterConfiguration\""),
        "{}",
        cf.other[0]
    );
    assert_eq!(cf.configs[0].metadata.name, "redis-config");
    assert_eq!(cf.configs[0].spec.data, "test\n");
}

#[test]
fn written_state_is_stable() {
    roundtrip("status-roundtrip.yaml", "status-roundtrip.yaml");
}

#[test]
fn malformed_files_name_file_and_line() {
    // Each file's first line is `# expect: LINE: TEXT`; LINE `-` when the error names no line.
    let dir = data("malformed");
    let mut n = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let header = text.lines().next().unwrap();
        let spec = header.strip_prefix("# expect: ").unwrap();
        let (line, want) = spec.split_once(": ").unwrap();
        let err = parse(&text, &path).expect_err(&path.display().to_string());
        let Error::File { file, message } = &err else {
            panic!("{}: unexpected error kind {err:?}", path.display());
        };
        let prefix = if line == "-" {
            format!("{}: ", path.display())
        } else {
            format!("{}: line {line}: ", path.display())
        };
        if file != &path.display().to_string()
            || !message.contains(want)
            || !err.to_string().starts_with(&prefix)
        {
            wrong.push(format!("{err}\n  want {prefix}...{want}"));
        }
        n += 1;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(n, 10);
}

#[test]
fn secrets_stay_out_of_debug() {
    let path = data("clusterfile/apply-example.yaml");
    let cf = parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    let dbg = format!("{cf:?}");
    assert!(!dbg.contains("xxx"), "{dbg}");
}

#[test]
fn sealos_config_test_clusterfile() {
    // Unknown fields (`spec.provider`) are dropped, as Go's json.Unmarshal does.
    roundtrip(
        "sealos-config-test_clusterfile.yaml",
        "sealos-config-test_clusterfile.out",
    );
}

#[test]
fn type_errors_do_not_echo_values() {
    let text =
        "apiVersion: apps.sealos.io/v1beta1\nkind: Cluster\nspec:\n  ssh:\n    passwd: 98765\n";
    let e = parse(text, Path::new("cf")).unwrap_err().to_string();
    assert!(!e.contains("98765"), "{e}");
    assert!(
        e.contains("invalid type: integer, expected a string"),
        "{e}"
    );
}
