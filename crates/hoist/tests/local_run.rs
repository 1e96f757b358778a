//! `hoist run IMAGE` with no hosts deploys onto this machine without SSH: the README's main job,
//! with the example cluster image in examples/cluster/hello. Files go to a temporary data root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn hoist(tmp: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoist"))
        .args(args)
        .env("HOIST_ROOT", tmp.join("store"))
        .env("HOIST_STATE_DIR", tmp.join("state"))
        .env("HOIST_DATA_ROOT", tmp.join("data-root"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(tmp: &Path, args: &[&str]) -> (String, String) {
    let out = hoist(tmp, args);
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "hoist {args:?} failed:\n{o}\n{e}");
    (o, e)
}

/// A fresh directory for one test, removed when it ends.
fn scratch(tag: &str) -> TempDir {
    let tmp =
        TempDir(std::env::temp_dir().join(format!("hoist-local-{tag}-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&tmp.0);
    std::fs::create_dir_all(&tmp.0).unwrap();
    tmp
}

/// [`scratch`] with the example cluster image built into its store as `hello-cluster:v1`.
fn with_example(tag: &str) -> TempDir {
    let tmp = scratch(tag);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/cluster/hello");
    ok(
        &tmp.0,
        &["build", "-t", "hello-cluster:v1", example.to_str().unwrap()],
    );
    tmp
}

#[test]
fn run_the_example_image_on_this_machine() {
    let tmp = with_example("run");

    let (out, err) = ok(&tmp.0, &["run", "hello-cluster:v1"]);
    // Host output comes as `local<TAB>line`; the CMD read the rendered template and init's file.
    let hello = out
        .lines()
        .find(|l| l.starts_with("local\thello from a hoist cluster image on "))
        .unwrap_or_else(|| panic!("no greeting in:\n{out}\n{err}"));
    assert!(hello.contains("(roles: master,"), "{hello}");
    let rootfs = tmp.0.join("data-root/data/default/rootfs");
    let conf = std::fs::read_to_string(rootfs.join("etc/hello.conf")).unwrap();
    assert!(
        conf.contains("greeting=\"hello from a hoist cluster image\""),
        "{conf}"
    );
    assert!(!rootfs.join("etc/hello.conf.tmpl").exists());
    let initialised = std::fs::read_to_string(rootfs.join("state/initialised-at")).unwrap();
    let cf = std::fs::read_to_string(tmp.0.join("state/default/Clusterfile")).unwrap();
    assert!(cf.contains("phase: ClusterSuccess"), "{cf}");
    assert!(cf.contains("imageName: hello-cluster:v1"), "{cf}");

    // Again: nothing runs again and nothing changes.
    let (out2, err2) = ok(&tmp.0, &["run", "hello-cluster:v1"]);
    assert!(
        !err2.contains("bootstrap: init") && !out2.contains("hello from"),
        "{out2}\n{err2}"
    );
    assert_eq!(
        std::fs::read_to_string(rootfs.join("state/initialised-at")).unwrap(),
        initialised
    );

    // A bad image name is an error naming it.
    let bad = hoist(&tmp.0, &["run", "127.0.0.1:1/no-such-image:v9"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no-such-image"));

    ok(&tmp.0, &["reset", "--force"]);
    assert!(!tmp.0.join("data-root/data/default").exists());
    assert!(!tmp.0.join("state/default/Clusterfile").exists());
}

#[test]
fn apply_a_templated_clusterfile_with_a_config_document() {
    let tmp = with_example("apply");
    // The Clusterfile is a Go template over --values/--set; its Config document rewrites a file
    // of the image before it is sent, and spec.env overrides the image's ENV.
    let clusterfile = tmp.0.join("Clusterfile");
    std::fs::write(
        &clusterfile,
        r#"apiVersion: apps.sealos.io/v1beta1
kind: Cluster
metadata:
  name: {{ .Values.name }}
spec:
  image:
  - hello-cluster:v1
  env:
  - greeting={{ .Values.greeting | upper }}
---
apiVersion: apps.sealos.io/v1beta1
kind: Config
metadata:
  name: extra
spec:
  path: etc/extra.yaml
  match: hello-cluster:v1
  strategy: merge
  data: |
    answer: {{ .Values.answer }}
"#,
    )
    .unwrap();
    let values = tmp.0.join("values.yaml");
    std::fs::write(&values, "name: applied\ngreeting: hello\nanswer: 41\n").unwrap();
    let (out, err) = ok(
        &tmp.0,
        &[
            "apply",
            "-f",
            clusterfile.to_str().unwrap(),
            "--values",
            values.to_str().unwrap(),
            "--set",
            "answer=42",
        ],
    );
    assert!(out.contains("local\tHELLO on "), "{out}\n{err}");
    let rootfs = tmp.0.join("data-root/data/applied/rootfs");
    assert_eq!(
        std::fs::read_to_string(rootfs.join("etc/extra.yaml")).unwrap(),
        "answer: 42\n"
    );
    let saved = std::fs::read_to_string(tmp.0.join("state/applied/Clusterfile")).unwrap();
    assert!(
        saved.contains("name: applied") && saved.contains("phase: ClusterSuccess"),
        "{saved}"
    );
    assert!(
        saved.contains("kind: Config") && saved.contains("path: etc/extra.yaml"),
        "{saved}"
    );

    // A malformed Clusterfile names the file and the line.
    std::fs::write(
        &clusterfile,
        "apiVersion: apps.sealos.io/v1beta1\nkind: Cluster\nspec:\n  image: [a\n",
    )
    .unwrap();
    let bad = hoist(&tmp.0, &["apply", "-f", clusterfile.to_str().unwrap()]);
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(e.contains("Clusterfile") && e.contains("line "), "{e}");

    ok(&tmp.0, &["reset", "-c", "applied", "--force"]);
    assert!(!rootfs.exists());
}

#[test]
fn gen_prints_a_clusterfile_for_images_and_hosts() {
    let tmp = scratch("gen");
    let (out, _) = ok(
        &tmp.0,
        &[
            "gen",
            "a:v1",
            "b:v2",
            "--masters",
            "10.9.0.2",
            "--nodes",
            "10.9.0.3-10.9.0.4,10.9.0.9:2222",
            "-e",
            "k=v",
        ],
    );
    assert!(
        out.starts_with("apiVersion: apps.sealos.io/v1beta1\nkind: Cluster\n"),
        "{out}"
    );
    for want in [
        "- 10.9.0.2:22",
        "- 10.9.0.3:22",
        "- 10.9.0.4:22",
        "- 10.9.0.9:2222",
        "- a:v1",
        "- b:v2",
        "- k=v",
    ] {
        assert!(out.contains(want), "no `{want}` in:\n{out}");
    }
    // A bad host list is refused with its reason.
    let bad = hoist(&tmp.0, &["gen", "a:v1", "--masters", "10.9.0.300"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("10.9.0.300"));
}

#[test]
fn run_with_a_config_file() {
    let tmp = with_example("cfg");
    // `run --config-file` adds Config documents: the file is written into the image before it
    // is sent, and the Config is kept in the Clusterfile.
    let config = tmp.0.join("config.yaml");
    std::fs::write(
        &config,
        "apiVersion: apps.sealos.io/v1beta1\nkind: Config\nmetadata:\n  name: extra\nspec:\n  path: etc/extra.yaml\n  match: hello-cluster:v1\n  strategy: override\n  data: |\n    from: config-file\n",
    )
    .unwrap();
    ok(
        &tmp.0,
        &[
            "run",
            "hello-cluster:v1",
            "-c",
            "withcfg",
            "--config-file",
            config.to_str().unwrap(),
        ],
    );
    let rootfs = tmp.0.join("data-root/data/withcfg/rootfs");
    assert_eq!(
        std::fs::read_to_string(rootfs.join("etc/extra.yaml")).unwrap(),
        "from: config-file\n"
    );
    let saved = std::fs::read_to_string(tmp.0.join("state/withcfg/Clusterfile")).unwrap();
    assert!(saved.contains("path: etc/extra.yaml"), "{saved}");

    // A Cluster document is refused there, naming the file.
    std::fs::write(
        &config,
        "apiVersion: apps.sealos.io/v1beta1\nkind: Cluster\nmetadata:\n  name: x\n",
    )
    .unwrap();
    let bad = hoist(
        &tmp.0,
        &[
            "run",
            "hello-cluster:v1",
            "-c",
            "withcfg",
            "--config-file",
            config.to_str().unwrap(),
        ],
    );
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        e.contains("config.yaml") && e.contains("Cluster document"),
        "{e}"
    );

    ok(&tmp.0, &["reset", "-c", "withcfg", "--force"]);
    assert!(!rootfs.exists());
}

#[test]
fn run_an_image_archive_file() {
    let tmp = with_example("tar");
    let archive = tmp.0.join("hello.tar");
    ok(
        &tmp.0,
        &["save", "-o", archive.to_str().unwrap(), "hello-cluster:v1"],
    );
    ok(&tmp.0, &["rmi", "hello-cluster:v1"]);
    // The archive path is an IMAGE argument: loaded into the store, then run by its name.
    let (out, err) = ok(&tmp.0, &["run", archive.to_str().unwrap(), "-c", "fromtar"]);
    assert!(out.contains("local\t"), "{out}\n{err}");
    let (images, _) = ok(&tmp.0, &["images"]);
    assert!(images.contains("hello-cluster"), "{images}");
    let saved = std::fs::read_to_string(tmp.0.join("state/fromtar/Clusterfile")).unwrap();
    assert!(saved.contains("hello-cluster:v1"), "{saved}");
    assert!(!saved.contains("hello.tar"), "{saved}");

    // With -t, an argument that is not a file is an error naming it.
    let bad = hoist(
        &tmp.0,
        &["run", "-t", "oci-archive", "nosuch.tar", "-c", "fromtar"],
    );
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(e.contains("nosuch.tar"), "{e}");

    ok(&tmp.0, &["reset", "-c", "fromtar", "--force"]);
}
