//! Round trips against Debian's real `docker-registry` and `skopeo` on 127.0.0.1.
//! Each test prints a reason and returns when the tools are absent.

use hoist_distribution::layout::Layout;
use hoist_distribution::{
    Client, ClientOptions, Error, NoopReporter, PullOptions, PushOptions, Reference, Secret, auth,
    pull, push,
};
use hoist_testkit::{DockerRegistry, htpasswd_file, skip_without, skopeo_ok};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn have_tools() -> bool {
    !skip_without(&["docker-registry", "skopeo"])
}

/// A docker-registry with its storage (and htpasswd file) in a temporary directory.
struct Registry {
    reg: DockerRegistry,
    dir: tempfile::TempDir,
}

impl Registry {
    fn start(htpasswd: Option<(&str, &str)>) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let hp = htpasswd.map(|(user, pass)| htpasswd_file(dir.path(), user, pass));
        let reg = DockerRegistry::start_with(&dir.path().join("storage"), hp.as_deref());
        Registry { reg, dir }
    }
    fn host(&self) -> String {
        self.reg.host()
    }
    fn storage(&self) -> PathBuf {
        self.dir.path().join("storage")
    }
}

fn client(authfile: Option<&Path>) -> Client {
    Client::new(ClientOptions {
        insecure: true,
        authfile: authfile.map(Path::to_path_buf),
        chunk_size: 64 * 1024,
        ..Default::default()
    })
    .unwrap()
}

/// Writes a tiny image (uncompressed tar layers with the given sizes) into an OCI layout tagged `tag`.
/// Returns the manifest digest.
fn make_image(dir: &Path, tag: &str, layer_sizes: &[usize]) -> String {
    let l = Layout::create(dir).unwrap();
    let mut layers = Vec::new();
    let mut diff_ids = Vec::new();
    for (i, size) in layer_sizes.iter().enumerate() {
        let mut b = tar::Builder::new(Vec::new());
        let pattern: Vec<u8> = (0..251).map(|j| ((j * 31 + i * 7) % 251) as u8).collect();
        let mut data = Vec::with_capacity(*size + 251);
        while data.len() < *size {
            data.extend_from_slice(&pattern);
        }
        data.truncate(*size);
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        b.append_data(&mut h, format!("file{i}"), &data[..])
            .unwrap();
        let tarb = b.into_inner().unwrap();
        let d = l.write_blob(&tarb).unwrap();
        diff_ids.push(serde_json::json!(d));
        layers.push(serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": tarb.len()}));
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"Labels": {"io.hoist.test": tag, "sealos.io.type": "application"}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}
    }))
    .unwrap();
    let cd = l.write_blob(&config).unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": config.len()},
        "layers": layers
    }))
    .unwrap();
    let md = l.write_blob(&manifest).unwrap();
    l.add_to_index(
        "application/vnd.oci.image.manifest.v1+json",
        &md,
        manifest.len() as u64,
        Some(tag),
    )
    .unwrap();
    md
}

/// Records reporter events: (starts, dones, skipped, final progress per digest).
#[derive(Default)]
struct Counting {
    events: std::sync::Mutex<Vec<(String, String, u64)>>,
}

impl hoist_distribution::Reporter for Counting {
    fn on_blob_start(&self, d: &str, size: u64) {
        self.events
            .lock()
            .unwrap()
            .push(("start".into(), d.into(), size));
    }
    fn on_blob_progress(&self, d: &str, bytes: u64) {
        self.events
            .lock()
            .unwrap()
            .push(("progress".into(), d.into(), bytes));
    }
    fn on_blob_done(&self, d: &str) {
        self.events
            .lock()
            .unwrap()
            .push(("done".into(), d.into(), 0));
    }
    fn on_blob_skipped(&self, d: &str, size: u64) {
        self.events
            .lock()
            .unwrap()
            .push(("skipped".into(), d.into(), size));
    }
}

impl Counting {
    fn count(&self, kind: &str) -> usize {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.0 == kind)
            .count()
    }
    /// Every started blob reached its size in progress and was done.
    fn check_complete(&self) {
        let ev = self.events.lock().unwrap();
        for (k, d, size) in ev.iter().filter(|e| e.0 == "start") {
            let _ = k;
            let last = ev
                .iter()
                .filter(|e| e.0 == "progress" && &e.1 == d)
                .map(|e| e.2)
                .max();
            assert_eq!(last, Some(*size), "{d}");
            assert!(ev.iter().any(|e| e.0 == "done" && &e.1 == d), "{d}");
        }
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn push_then_skopeo_inspect() {
    if !have_tools() {
        return;
    }
    let reg = Registry::start(None);
    let src = tempfile::tempdir().unwrap();
    // One layer above the 64 KiB chunk size exercises the chunked PATCH upload.
    let md = make_image(src.path(), "v1", &[100, 200_000, 3000]);
    let dest = Reference::parse(&format!("{}/test/img:v1", reg.host())).unwrap();
    let c = client(None);
    let rep = Counting::default();
    let res = rt()
        .block_on(push(
            &c,
            src.path(),
            Some("v1"),
            &dest,
            &PushOptions::default(),
            &rep,
        ))
        .unwrap();
    assert_eq!(res.manifest_digest, md);
    assert_eq!(
        (rep.count("start"), rep.count("done"), rep.count("skipped")),
        (4, 4, 0)
    );
    rep.check_complete();
    assert!(res.bytes_uploaded > 200_000);
    let out = skopeo_ok(&["inspect", "--tls-verify=false", &format!("docker://{dest}")]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Digest"], md);
    assert_eq!(v["Labels"]["io.hoist.test"], "v1");
    // Second push uploads nothing (HEAD finds every blob).
    let res = rt()
        .block_on(push(
            &c,
            src.path(),
            Some("v1"),
            &dest,
            &PushOptions::default(),
            &NoopReporter,
        ))
        .unwrap();
    assert_eq!(res.bytes_uploaded, 0);
    // Cross-repo mount to another repository.
    let dest2 = Reference::parse(&format!("{}/other/img:v1", reg.host())).unwrap();
    let opts = PushOptions {
        mount_from: Some("test/img".into()),
        ..Default::default()
    };
    let res = rt()
        .block_on(push(
            &c,
            src.path(),
            Some("v1"),
            &dest2,
            &opts,
            &NoopReporter,
        ))
        .unwrap();
    assert_eq!(res.bytes_uploaded, 0);
    let rt = rt();
    assert_eq!(
        rt.block_on(c.list_tags(&dest)).unwrap(),
        vec!["v1".to_string()]
    );
    let mut cat = rt.block_on(c.catalog(&reg.host())).unwrap();
    cat.sort();
    assert_eq!(cat, vec!["other/img".to_string(), "test/img".to_string()]);
    let head = rt.block_on(c.head_manifest(&dest)).unwrap().unwrap();
    assert_eq!(head.digest.as_deref(), Some(md.as_str()));
}

#[test]
fn skopeo_copy_then_pull() {
    if !have_tools() {
        return;
    }
    let reg = Registry::start(None);
    let src = tempfile::tempdir().unwrap();
    make_image(src.path(), "v2", &[5000, 70_000]);
    let dest = format!("{}/copied/img:v2", reg.host());
    skopeo_ok(&[
        "copy",
        "--dest-tls-verify=false",
        &format!("oci:{}:v2", src.path().display()),
        &format!("docker://{dest}"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let layout_dir = out.path().join("layout");
    // A stale temp file from a "killed" pull (dead pid) is cleaned; the pull completes.
    std::fs::create_dir_all(layout_dir.join("blobs/sha256")).unwrap();
    std::fs::write(
        layout_dir.join("blobs/sha256/.tmp-abc-999999999-1"),
        b"partial",
    )
    .unwrap();
    let c = client(None);
    let r = Reference::parse(&dest).unwrap();
    let rep = Counting::default();
    let res = rt()
        .block_on(pull(&c, &r, &layout_dir, &PullOptions::default(), &rep))
        .unwrap();
    assert_eq!(
        (rep.count("start"), rep.count("done"), rep.count("skipped")),
        (3, 3, 0)
    );
    rep.check_complete();
    assert!(
        !layout_dir
            .join("blobs/sha256/.tmp-abc-999999999-1")
            .exists()
    );
    // skopeo compresses the layers on the way in, so compare with what the registry serves.
    let v: serde_json::Value = serde_json::from_str(&skopeo_ok(&[
        "inspect",
        "--tls-verify=false",
        &format!("docker://{dest}"),
    ]))
    .unwrap();
    let md = v["Digest"].as_str().unwrap().to_string();
    assert_eq!(res.manifest_digest, md);
    // Identical blobs to skopeo's own copy of the same image into an OCI layout.
    let sko = out.path().join("skopeo");
    skopeo_ok(&[
        "copy",
        "--src-tls-verify=false",
        &format!("docker://{dest}"),
        &format!("oci:{}:v2", sko.display()),
    ]);
    let list = |d: &Path| {
        let mut v: Vec<(std::ffi::OsString, Vec<u8>)> = std::fs::read_dir(d.join("blobs/sha256"))
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.file_name(), std::fs::read(e.path()).unwrap()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(list(&layout_dir), list(&sko));
    assert_eq!(list(&layout_dir).len(), 4);
    let l = Layout::open(&layout_dir).unwrap();
    assert_eq!(l.find(Some("v2")).unwrap().1, md);
    // Re-pull downloads nothing.
    let res = rt()
        .block_on(pull(
            &c,
            &r,
            &layout_dir,
            &PullOptions::default(),
            &NoopReporter,
        ))
        .unwrap();
    assert_eq!(res.bytes_downloaded, 0);
    // skopeo can read what we wrote.
    skopeo_ok(&["inspect", &format!("oci:{}:v2", layout_dir.display())]);
}

#[test]
fn htpasswd_login_and_pull() {
    if !have_tools() {
        return;
    }
    let reg = Registry::start(Some(("alice", "s3cret-pw")));
    let tmp = tempfile::tempdir().unwrap();
    let authfile = tmp.path().join("containers/auth.json");
    let rt = rt();
    let err = rt
        .block_on(auth::login(
            &reg.host(),
            "alice",
            Secret::new("wrong-pw"),
            Some(&authfile),
            true,
        ))
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("invalid username or password") && !msg.contains("wrong-pw"),
        "{msg}"
    );
    assert!(!authfile.exists());
    // Anonymous access is refused with a clear error.
    let c = client(Some(&tmp.path().join("none.json")));
    let r = Reference::parse(&format!("{}/priv/img:v1", reg.host())).unwrap();
    let err = rt.block_on(c.get_manifest(&r)).unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");

    rt.block_on(auth::login(
        &reg.host(),
        "alice",
        Secret::new("s3cret-pw"),
        Some(&authfile),
        true,
    ))
    .unwrap();
    let creds = auth::lookup(&reg.host(), None, Some(&authfile))
        .unwrap()
        .unwrap();
    assert_eq!(creds.username, "alice");
    let src = tmp.path().join("src");
    let md = make_image(&src, "v1", &[1000]);
    let c = client(Some(&authfile));
    rt.block_on(push(
        &c,
        &src,
        None,
        &r,
        &PushOptions::default(),
        &NoopReporter,
    ))
    .unwrap();
    let res = rt
        .block_on(pull(
            &c,
            &r,
            &tmp.path().join("dst"),
            &PullOptions::default(),
            &NoopReporter,
        ))
        .unwrap();
    assert_eq!(res.manifest_digest, md);
    auth::logout(&reg.host(), Some(&authfile)).unwrap();
    assert!(
        auth::lookup(&reg.host(), None, Some(&authfile))
            .unwrap()
            .is_none()
    );
}

#[test]
fn tampered_blob_is_refused() {
    if !have_tools() {
        return;
    }
    let reg = Registry::start(None);
    let src = tempfile::tempdir().unwrap();
    make_image(src.path(), "v1", &[4000]);
    let r = Reference::parse(&format!("{}/t/img:v1", reg.host())).unwrap();
    let c = client(None);
    let rt = rt();
    rt.block_on(push(
        &c,
        src.path(),
        None,
        &r,
        &PushOptions::default(),
        &NoopReporter,
    ))
    .unwrap();
    let l = Layout::open(src.path()).unwrap();
    let (_, md, _) = l.find(None).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&l.read_blob(&md).unwrap()).unwrap();
    let layer = m["layers"][0]["digest"].as_str().unwrap().to_string();
    let hex = layer.strip_prefix("sha256:").unwrap();
    let data = reg.storage().join(format!(
        "docker/registry/v2/blobs/sha256/{}/{hex}/data",
        &hex[..2]
    ));
    let mut bytes = std::fs::read(&data).unwrap();
    bytes[600] ^= 0xff;
    std::fs::write(&data, bytes).unwrap();
    let dst = tempfile::tempdir().unwrap();
    let err = rt
        .block_on(pull(
            &c,
            &r,
            dst.path(),
            &PullOptions::default(),
            &NoopReporter,
        ))
        .unwrap_err();
    match &err {
        Error::DigestMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, &layer);
            assert_ne!(actual, &layer);
        }
        e => panic!("{e:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains(&layer), "{msg}");
    // Nothing kept: neither the bad blob nor a temp file, and no image in index.json.
    assert!(!dst.path().join("blobs/sha256").join(hex).exists());
    let left: Vec<_> = std::fs::read_dir(dst.path().join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(Layout::open(dst.path()).unwrap().find(None).is_err());
}

/// `kill -9` of a pull (the example driver) leaves the layout consistent: only verified blobs
/// under their digest names, no index entry; a second pull completes it.
#[test]
fn killed_pull_resumes() {
    if !have_tools() {
        return;
    }
    // The example binary sits next to the test's deps dir when `cargo test` built examples.
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("examples/hoist-copy"));
    let Some(bin) = bin.filter(|b| b.exists()) else {
        println!(
            "skipping: examples/hoist-copy not built (run plain `cargo test -p hoist-distribution`)"
        );
        return;
    };
    let reg = Registry::start(None);
    let src = tempfile::tempdir().unwrap();
    let md = make_image(src.path(), "v1", &[16 << 20, 16 << 20, 16 << 20]);
    let r = Reference::parse(&format!("{}/big/img:v1", reg.host())).unwrap();
    let c = client(None);
    let rt = rt();
    rt.block_on(push(
        &c,
        src.path(),
        None,
        &r,
        &PushOptions::default(),
        &NoopReporter,
    ))
    .unwrap();
    let dst = tempfile::tempdir().unwrap();
    let layout_dir = dst.path().join("l");
    let mut child = Command::new(&bin)
        .args(["pull", &r.to_string()])
        .arg(&layout_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    let blobs = layout_dir.join("blobs/sha256");
    loop {
        let has_tmp = std::fs::read_dir(&blobs)
            .map(|rd| {
                rd.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
            })
            .unwrap_or(false);
        if has_tmp || t.elapsed() > Duration::from_secs(20) || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    println!("pull killed mid-transfer: {killed}");
    // Consistent: every non-temp blob matches its name.
    let l = Layout::open(&layout_dir).unwrap();
    for e in std::fs::read_dir(&blobs).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            l.read_blob(&format!("sha256:{name}")).unwrap();
        }
    }
    let res = rt
        .block_on(pull(
            &c,
            &r,
            &layout_dir,
            &PullOptions::default(),
            &NoopReporter,
        ))
        .unwrap();
    assert_eq!(res.manifest_digest, md);
    let left: Vec<_> = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(l.find(Some("v1")).unwrap().1, md);
}
