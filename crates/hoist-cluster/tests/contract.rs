//! The image contract: expansion, image configs, labels, guest commands, IP lists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hoist_cluster::{
    ImageType, arch_role, expand, guest_commands, label_script, mount_from_config, parse_ip_list,
};
use serde_json::Value;

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
}

fn json(p: &str) -> Value {
    serde_json::from_slice(&std::fs::read(data(p)).unwrap()).unwrap()
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn expansion_table() {
    let t = json("expansion.json");
    let ctx: BTreeMap<String, String> = serde_json::from_value(t["context"].clone()).unwrap();
    let cases = t["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 37);
    for c in cases {
        let got = expand(c["input"].as_str().unwrap(), &ctx);
        assert_eq!(got, c["expected"].as_str().unwrap(), "{}", c["name"]);
    }
}

#[test]
fn ip_lists() {
    let t = json("ip-lists.json");
    for c in t["ok"].as_array().unwrap() {
        let want: Vec<String> = serde_json::from_value(c[1].clone()).unwrap();
        let got = parse_ip_list(c[0].as_str().unwrap()).unwrap_or_else(|e| panic!("{}: {e}", c[0]));
        assert_eq!(got, want, "{}", c[0]);
    }
    for c in t["err"].as_array().unwrap() {
        let e = parse_ip_list(c[0].as_str().unwrap()).expect_err(c[0].as_str().unwrap());
        assert!(
            e.to_string().contains(c[1].as_str().unwrap()),
            "{}: {e}",
            c[0]
        );
    }
}

#[test]
fn arch_roles() {
    assert_eq!(arch_role("x86_64\n").unwrap(), "amd64");
    assert_eq!(arch_role("aarch64").unwrap(), "arm64");
    assert_eq!(arch_role("arm64").unwrap(), "arm64");
    assert!(arch_role("riscv64").is_err());
}

fn mount(file: &str, name: &str) -> hoist_cluster::MountImage {
    let bytes = std::fs::read(data(&format!("images/{file}"))).unwrap();
    mount_from_config(name, &format!("img/{name}"), "/mnt", &bytes).unwrap()
}

#[test]
fn rootfs_config() {
    let m = mount("rootfs.json", "k8s");
    assert_eq!(m.r#type, ImageType::Rootfs);
    assert!(!m.env.contains_key("PATH"));
    assert_eq!(m.env["registryDomain"], "sealos.hub");
    assert_eq!(m.env.len(), 9);
    assert_eq!(m.cmd, vec!["bash init.sh"]);
    assert!(m.entrypoint.is_empty());
    assert_eq!(m.labels["version"], "v1.27.7");
}

#[test]
fn app_configs_and_commands() {
    let app = mount("app-shell.json", "calico");
    assert_eq!(app.r#type, ImageType::Application);
    let e = app.env.clone();
    assert_eq!(
        guest_commands(&app, false, &[], &e),
        vec!["helm upgrade -i mycalico charts/calico -n tigera-operator --set x=$(MISSING)"]
    );
    let patch = mount("app-exec.json", "patch");
    assert_eq!(patch.r#type, ImageType::Patch);
    assert_eq!(patch.env, env(&[("A", "1"), ("EMPTY", "")]));
    assert_eq!(
        guest_commands(&patch, false, &[], &patch.env),
        vec!["echo pre 1", "kubectl apply -f manifests/", "echo $A 1"]
    );
    // spec.command replaces the CMD of the first image only; ENTRYPOINT stays.
    let spec = vec!["echo $(A)-override".to_string()];
    assert_eq!(
        guest_commands(&patch, true, &spec, &patch.env),
        vec!["echo pre 1", "echo 1-override"]
    );
    assert_eq!(guest_commands(&patch, false, &spec, &patch.env).len(), 3);
    // No config section at all: an application with nothing to run.
    let empty = mount_from_config("x", "x", "/m", b"{}").unwrap();
    assert_eq!(empty.r#type, ImageType::Application);
    assert!(mount_from_config("x", "x", "/m", b"{not json").is_err());
}

#[test]
fn label_scripts_merge_later_wins() {
    let rootfs = mount("rootfs.json", "k8s");
    let patch = mount("app-exec.json", "patch");
    let both = [rootfs.clone(), patch];
    assert_eq!(label_script(&both, "init").as_deref(), Some("my-init.sh"));
    assert_eq!(
        label_script(&both, "check").as_deref(),
        Some("check.sh $registryData")
    );
    assert_eq!(label_script(&[], "clean").as_deref(), Some("clean.sh"));
    assert_eq!(
        label_script(&[], "init-registry").as_deref(),
        Some("init-registry.sh")
    );
    assert_eq!(label_script(&both, "init-cri"), None);
    assert_eq!(
        label_script(&[rootfs], "vip").as_deref(),
        Some("$defaultVIP")
    );
}

#[test]
fn sealos_guest_table() {
    let t = json("guest.json");
    let cases = t["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 15);
    for c in cases {
        let m = hoist_cluster::MountImage {
            cmd: serde_json::from_value(c["cmd"].clone()).unwrap(),
            entrypoint: serde_json::from_value(c["entrypoint"].clone()).unwrap(),
            env: serde_json::from_value(c["env"].clone()).unwrap(),
            ..Default::default()
        };
        let envs: BTreeMap<String, String> = serde_json::from_value(c["envs"].clone()).unwrap();
        // The caller merges the env: the image's ENV overlaid by the run's (sealos
        // `maps.Merge(m.Env, envs)`).
        let mut merged = m.env.clone();
        merged.extend(envs);
        let command: Vec<String> = serde_json::from_value(c["command"].clone()).unwrap();
        let want: Vec<String> = serde_json::from_value(c["want"].clone()).unwrap();
        assert_eq!(
            guest_commands(&m, true, &command, &merged),
            want,
            "{}",
            c["name"]
        );
    }
}
