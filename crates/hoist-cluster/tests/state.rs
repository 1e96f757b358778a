//! StateDir: atomic Clusterfile writes (kill -9 mid-write), the lock, step records, reset.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use hoist_cluster::{Cluster, Clusterfile, Error, StateDir, default_cluster};

fn clusterfile(n: usize) -> Clusterfile {
    let mut c = Cluster::new("default");
    c.spec.image = vec![format!("labring/kubernetes:v1.{n}.0")];
    // Make the file big enough that a write is not one page.
    c.spec.env = (0..2000).map(|i| format!("K{i}=value-{n}-{i}")).collect();
    Clusterfile {
        cluster: c,
        ..Default::default()
    }
}

/// Not a real test: the child process of `kill_mid_write_leaves_old_or_new`, which rewrites
/// the Clusterfile forever.
#[test]
#[ignore]
fn child_writer() {
    let Ok(root) = std::env::var("HOIST_CLUSTER_TEST_ROOT") else {
        return;
    };
    let st = StateDir::open(Path::new(&root), "default").unwrap();
    let (a, b) = (clusterfile(1), clusterfile(2));
    println!("ready");
    for i in 0.. {
        st.write_clusterfile(if i % 2 == 0 { &a } else { &b })
            .unwrap();
    }
}

#[test]
fn kill_mid_write_leaves_old_or_new() {
    let t = tempfile::tempdir().unwrap();
    let st = StateDir::open(t.path(), "default").unwrap();
    st.write_clusterfile(&clusterfile(1)).unwrap();
    let want = [clusterfile(1).cluster, clusterfile(2).cluster];
    let inode = |p: &Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).unwrap().ino()
    };
    let first = inode(&st.clusterfile_path());
    for round in 0..6 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_writer", "--ignored", "--nocapture"])
            .env("HOIST_CLUSTER_TEST_ROOT", t.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(150 + 37 * round));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let got = st.read_clusterfile().unwrap().expect("a Clusterfile");
        assert!(
            want.contains(&got.cluster),
            "round {round}: torn Clusterfile"
        );
    }
    // The child really rewrote the file (each rename brings a new inode).
    assert_ne!(inode(&st.clusterfile_path()), first);
}

#[test]
fn lock_contention() {
    let t = tempfile::tempdir().unwrap();
    let st = StateDir::open(t.path(), "c1").unwrap();
    let held = st.lock().unwrap();
    let e = st.lock().unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e}");
    assert!(
        e.to_string()
            .contains("another hoist is working on this cluster"),
        "{e}"
    );
    // Another cluster is independent.
    let other = StateDir::open(t.path(), "c2").unwrap();
    drop(other.lock().unwrap());
    // And from another process (flock is per open file, so also across processes).
    let out = Command::new("flock")
        .args(["-n"])
        .arg(st.dir().join(".lock"))
        .arg("true")
        .output();
    if let Ok(out) = out {
        assert!(!out.status.success(), "flock(1) got a held lock");
    } else {
        eprintln!("skipping cross-process check: no flock(1)");
    }
    drop(held);
    drop(st.lock().unwrap());
}

#[test]
fn steps_and_reset() {
    let t = tempfile::tempdir().unwrap();
    let st = StateDir::open(t.path(), "default").unwrap();
    assert!(st.read_clusterfile().unwrap().is_none());
    assert!(!st.step_done("mount", "10.0.0.2:22", "sha256:a"));
    st.record_step("mount", "10.0.0.2:22", "sha256:a").unwrap();
    st.record_step("mount", "10.0.0.3:22", "sha256:b").unwrap();
    assert!(st.step_done("mount", "10.0.0.2:22", "sha256:a"));
    assert!(!st.step_done("mount", "10.0.0.2:22", "sha256:b"));
    assert!(!st.step_done("init", "10.0.0.2:22", "sha256:a"));
    st.record_step("mount", "10.0.0.2:22", "sha256:c").unwrap();
    assert!(st.step_done("mount", "10.0.0.2:22", "sha256:c"));
    let text = std::fs::read_to_string(st.dir().join("steps.json")).unwrap();
    assert!(text.contains("\"finished\""), "{text}");
    st.forget_host("10.0.0.3:22").unwrap();
    assert!(!st.step_done("mount", "10.0.0.3:22", "sha256:b"));
    assert!(st.step_done("mount", "10.0.0.2:22", "sha256:c"));
    st.record_step("mount", "10.0.0.3:22", "sha256:b").unwrap();
    st.write_clusterfile(&clusterfile(3)).unwrap();
    st.archive_on_reset().unwrap();
    let archived: Vec<String> = std::fs::read_dir(st.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("Clusterfile."))
        .collect();
    assert_eq!(archived.len(), 1, "{archived:?}");
    assert!(st.read_clusterfile().unwrap().is_none());
    assert!(!st.step_done("mount", "10.0.0.3:22", "sha256:b"));
    assert_eq!(st.mounts_dir(), t.path().join("default/mounts"));
}

#[test]
fn cluster_listing() {
    let t = tempfile::tempdir().unwrap();
    assert_eq!(default_cluster(t.path()).unwrap(), "default");
    assert_eq!(
        default_cluster(&t.path().join("absent")).unwrap(),
        "default"
    );
    // Only directories holding a Clusterfile count.
    std::fs::create_dir_all(t.path().join("empty")).unwrap();
    std::fs::write(t.path().join("file"), "").unwrap();
    assert_eq!(default_cluster(t.path()).unwrap(), "default");
    std::fs::create_dir_all(t.path().join("prod")).unwrap();
    std::fs::write(t.path().join("prod/Clusterfile"), "").unwrap();
    assert_eq!(default_cluster(t.path()).unwrap(), "prod");
    std::fs::create_dir_all(t.path().join("dev")).unwrap();
    std::fs::write(t.path().join("dev/Clusterfile"), "").unwrap();
    assert_eq!(default_cluster(t.path()).unwrap(), "default");
    for bad in ["", "..", "a/b", ".hidden"] {
        assert!(StateDir::open(t.path(), bad).is_err(), "{bad:?}");
    }
}
