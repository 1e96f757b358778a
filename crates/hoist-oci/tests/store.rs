//! Store behaviour: verification, tags, gc, layouts, concurrency and crash recovery.

mod common;

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use hoist_oci::store::StoreError;
use hoist_oci::{Digest, Reference, Store};

#[test]
fn put_blob_verifies_digest() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let wrong = Digest::of(b"other");
    let err = s.put_blob(&b"hello"[..], Some(&wrong)).unwrap_err();
    match &err {
        StoreError::DigestMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, &wrong);
            assert_eq!(actual, &Digest::of(b"hello"));
        }
        e => panic!("{e}"),
    }
    let msg = err.to_string();
    assert!(msg.contains(&wrong.to_string()) && msg.contains(&Digest::of(b"hello").to_string()));
    assert!(!s.has_blob(&Digest::of(b"hello")));
    assert_eq!(
        std::fs::read_dir(dir.path().join("blobs/sha256"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join(".hoist/tmp"))
            .unwrap()
            .count(),
        0
    );
    let (d, n) = s.put_blob(&b"hello"[..], None).unwrap();
    assert_eq!((d.clone(), n), (Digest::of(b"hello"), 5));
    let mut v = Vec::new();
    s.open_blob(&d).unwrap().read_to_end(&mut v).unwrap();
    assert_eq!(v, b"hello");
    // Corruption on disk is detected on read.
    std::fs::write(s.blob_path(&d), b"hellO").unwrap();
    assert!(s.read_blob(&d).is_err());
    let mut v = Vec::new();
    assert!(s.open_blob(&d).unwrap().read_to_end(&mut v).is_err());
}

#[test]
fn tag_resolve_list_remove_gc() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let a = build_image(&[tar_of(&[("a.txt", b"A")])], &[("k", "v")]);
    let b = build_image(&[tar_of(&[("b.txt", b"B")])], &[]);
    let ra = store_image(&s, &a, "app:1");
    let rb = store_image(&s, &b, "localhost:5000/x/b:2");
    let info = s
        .resolve(&Reference::parse("docker.io/library/app:1").unwrap())
        .unwrap();
    assert_eq!(info.digest, a.manifest_digest);
    assert_eq!(info.config, a.config);
    assert_eq!(info.manifest, a.manifest);
    assert_eq!(info.created.as_deref(), Some("2024-01-02T03:04:05Z"));
    assert_eq!(info.media_type, hoist_oci::image::OCI_MANIFEST);
    let by_digest = Reference::parse(&format!("app@{}", a.manifest_digest)).unwrap();
    assert_eq!(s.resolve(&by_digest).unwrap().digest, a.manifest_digest);
    let names: Vec<String> = s
        .list()
        .unwrap()
        .iter()
        .map(|i| i.reference.to_string())
        .collect();
    assert_eq!(names, ["docker.io/library/app:1", "localhost:5000/x/b:2"]);
    // index.json carries ref names
    let idx = std::fs::read_to_string(dir.path().join("index.json")).unwrap();
    assert!(idx.contains(r#""org.opencontainers.image.ref.name":"docker.io/library/app:1""#));
    // second tag for the same image: gc after removing one keeps blobs
    let ra2 = Reference::parse("app:2").unwrap();
    s.tag(&ra2, &a.manifest_digest).unwrap();
    let st = s.remove(&ra).unwrap();
    assert!(st.removed.is_empty());
    let st = s.remove(&ra2).unwrap();
    assert_eq!(st.removed.len(), 3, "{st:?}");
    assert!(!s.has_blob(&a.manifest_digest));
    assert!(s.has_blob(&b.manifest_digest));
    assert!(matches!(
        s.resolve(&ra),
        Err(StoreError::ImageNotFound { .. })
    ));
    assert!(matches!(
        s.untag(&ra),
        Err(StoreError::ImageNotFound { .. })
    ));
    assert!(s.resolve(&rb).is_ok());
}

#[test]
fn manifest_needs_its_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let a = build_image(&[tar_of(&[("a", b"1")])], &[]);
    let e = s
        .put_manifest(&a.manifest, hoist_oci::image::OCI_MANIFEST)
        .unwrap_err();
    assert!(matches!(e, StoreError::MissingBlob { .. }), "{e}");
    let e = s
        .put_manifest(&a.manifest, hoist_oci::image::DOCKER_MANIFEST)
        .unwrap_err();
    assert!(matches!(e, StoreError::MediaTypeMismatch { .. }), "{e}");
}

#[test]
fn layout_import_export_roundtrip() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("store")).unwrap();
    let a = build_image(
        &[tar_of(&[("a", b"1")]), tar_of(&[("b", b"2")])],
        &[("x", "y")],
    );
    let lay = dir.path().join("in");
    write_layout(&lay, &a, "latest");
    let r = Reference::parse("example.com/team/app:v1").unwrap();
    assert_eq!(s.import_layout(&lay, &r).unwrap(), a.manifest_digest);
    let out = dir.path().join("out");
    assert_eq!(s.export_layout(&r, &out).unwrap(), a.manifest_digest);
    let s2 = Store::open(dir.path().join("store2")).unwrap();
    s2.import_layout(&out, &r).unwrap();
    assert_eq!(s2.resolve(&r).unwrap().manifest, a.manifest);
    // a tampered layout blob is refused and nothing is named
    let bad = dir.path().join("bad");
    write_layout(&bad, &a, "latest");
    let (gz, d) = &a.layers[0];
    let mut tampered = gz.clone();
    tampered.push(0);
    std::fs::write(bad.join("blobs/sha256").join(d.hex()), tampered).unwrap();
    let s3 = Store::open(dir.path().join("store3")).unwrap();
    let e = s3.import_layout(&bad, &r).unwrap_err();
    assert!(matches!(e, StoreError::DigestMismatch { .. }), "{e}");
    assert!(e.to_string().contains(&d.to_string()));
    assert!(s3.list().unwrap().is_empty());
}

#[test]
fn take_layout_moves_verified_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("store")).unwrap();
    let a = build_image(&[tar_of(&[("a", b"1")])], &[("x", "y")]);
    let r = Reference::parse("example.com/team/app:v1").unwrap();
    let lay = dir.path().join("in");
    write_layout(&lay, &a, "latest");
    let (_, layer) = &a.layers[0];
    let src = lay.join("blobs/sha256").join(layer.hex());
    assert_eq!(s.take_layout(&lay, &r).unwrap(), a.manifest_digest);
    assert!(!src.exists(), "the layer was copied, not moved");
    assert!(s.has_blob(layer));
    assert_eq!(s.resolve(&r).unwrap().manifest, a.manifest);
    // A tampered blob is refused, stays where it was, and nothing is named.
    let bad = dir.path().join("bad");
    write_layout(&bad, &a, "latest");
    let p = bad.join("blobs/sha256").join(layer.hex());
    std::fs::write(&p, b"not the layer").unwrap();
    let s2 = Store::open(dir.path().join("store2")).unwrap();
    let e = s2.take_layout(&bad, &r).unwrap_err();
    assert!(matches!(e, StoreError::DigestMismatch { .. }), "{e}");
    assert!(p.exists() && !s2.has_blob(layer));
    assert!(s2.list().unwrap().is_empty());
}

#[test]
fn concurrent_tags_are_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let a = build_image(&[tar_of(&[("a", b"1")])], &[]);
    store_image(&s, &a, "base:0");
    std::thread::scope(|sc| {
        for t in 0..4 {
            let s = Store::open(dir.path()).unwrap();
            let d = a.manifest_digest.clone();
            sc.spawn(move || {
                for i in 0..10 {
                    let r = Reference::parse(&format!("img{t}:{i}")).unwrap();
                    s.tag(&r, &d).unwrap();
                    let _ = s.list().unwrap();
                }
            });
        }
    });
    assert_eq!(s.list().unwrap().len(), 41);
}

/// Deterministic pseudo-random content, produced slowly so the writer can be killed mid-way.
struct SlowSource {
    left: u64,
    state: u64,
    slow: bool,
}

impl Read for SlowSource {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let n = buf.len().min(64 * 1024).min(self.left as usize);
        for b in &mut buf[..n] {
            self.state = self
                .state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.state >> 33) as u8;
        }
        self.left -= n as u64;
        if self.slow {
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(n)
    }
}

const CRASH_SIZE: u64 = 32 * 1024 * 1024;

fn source(slow: bool) -> SlowSource {
    SlowSource {
        left: CRASH_SIZE,
        state: 7,
        slow,
    }
}

/// Child side of `kill_during_put_blob`: runs only when the env switch is set.
#[test]
fn crash_child() {
    let Some(root) = std::env::var_os("HOIST_OCI_CRASH_CHILD") else {
        return;
    };
    let s = Store::open(Path::new(&root)).unwrap();
    let _ = s.put_blob(source(true), None);
}

#[test]
fn kill_during_put_blob() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    Store::open(&root).unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env("HOIST_OCI_CRASH_CHILD", &root)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let tmp = root.join(".hoist/tmp");
    let start = Instant::now();
    loop {
        let partial = std::fs::read_dir(&tmp)
            .unwrap()
            .filter_map(|e| e.ok()?.metadata().ok())
            .any(|m| m.len() > 1024 * 1024);
        if partial {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "child never wrote"
        );
        assert!(child.try_wait().unwrap().is_none(), "child exited early");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Only a temp file is left; no blob and the index is intact.
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_dir(root.join("blobs/sha256"))
            .unwrap()
            .count(),
        0
    );
    let s = Store::open(&root).unwrap();
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "temp not cleaned"
    );
    assert!(s.list().unwrap().is_empty());
    // Compute the expected digest, then complete the same import.
    let mut h = hoist_oci::digest::HashingReader::new(source(false));
    std::io::copy(&mut h, &mut std::io::sink()).unwrap();
    let (want, n) = h.finish();
    let (d, size) = s.put_blob(source(false), Some(&want)).unwrap();
    assert_eq!((d, size), (want.clone(), n));
    assert!(s.has_blob(&want));
    let mut r = s.open_blob(&want).unwrap();
    std::io::copy(&mut r, &mut std::io::sink()).unwrap();
}

#[test]
fn open_keeps_live_writers_temp_files() {
    // A temp file whose writer is alive (flock held) survives another open.
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    std::thread::scope(|sc| {
        let (tx, rx) = std::sync::mpsc::channel();
        sc.spawn(move || {
            struct Signal(Option<std::sync::mpsc::Sender<()>>, u32);
            impl Read for Signal {
                fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                    if self.1 == 0 {
                        return Ok(0);
                    }
                    self.1 -= 1;
                    if let Some(tx) = self.0.take() {
                        tx.send(()).unwrap();
                        std::thread::sleep(Duration::from_millis(300));
                    }
                    buf[0] = 1;
                    Ok(1)
                }
            }
            s.put_blob(Signal(Some(tx), 3), None).unwrap();
        });
        rx.recv().unwrap();
        Store::open(dir.path()).unwrap();
    });
    assert_eq!(
        std::fs::read_dir(dir.path().join("blobs/sha256"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn lookup_by_name_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let a = build_image(&[tar_of(&[("a", b"1")])], &[]);
    let b = build_image(&[tar_of(&[("b", b"2")])], &[]);
    store_image(&s, &a, "app:1");
    store_image(&s, &b, "other:1");
    assert_eq!(s.lookup("app:1").unwrap().digest, a.manifest_digest);
    assert_eq!(
        s.lookup("docker.io/library/app:1").unwrap().digest,
        a.manifest_digest
    );
    let id = Digest::of(&a.config);
    assert_eq!(s.lookup(&id.hex()[..12]).unwrap().digest, a.manifest_digest);
    assert_eq!(s.lookup(&id.to_string()).unwrap().digest, a.manifest_digest);
    assert_eq!(
        s.lookup(&a.manifest_digest.hex()[..8]).unwrap().digest,
        a.manifest_digest
    );
    assert!(matches!(
        s.lookup("nope"),
        Err(StoreError::ImageNotFound { .. })
    ));
}

#[test]
fn index_picks_host_platform() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("s")).unwrap();
    let host = build_image(&[tar_of(&[("host", b"h")])], &[]);
    let lay = dir.path().join("lay");
    write_layout(&lay, &host, "x");
    // an index with a foreign-platform entry (blob absent, as after a single-platform pull)
    // and the host entry
    let (os, arch) = hoist_oci::image::host_platform();
    let other_arch = if arch == "s390x" { "ppc64le" } else { "s390x" };
    let index = serde_json::to_vec(&serde_json::json!({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json",
         "digest": Digest::of(b"absent").to_string(), "size": 6,
         "platform": {"os": "linux", "architecture": other_arch}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json",
         "digest": host.manifest_digest.to_string(), "size": host.manifest.len(),
         "platform": {"os": os, "architecture": arch}},
    ]}))
    .unwrap();
    let idx_digest = Digest::of(&index);
    std::fs::write(lay.join("blobs/sha256").join(idx_digest.hex()), &index).unwrap();
    let top = serde_json::json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": idx_digest.to_string(), "size": index.len(),
        "annotations": {"org.opencontainers.image.ref.name": "multi"}}]});
    std::fs::write(lay.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();
    let r = Reference::parse("multi:1").unwrap();
    s.import_layout(&lay, &r).unwrap();
    let info = s.resolve(&r).unwrap();
    assert_eq!(info.digest, idx_digest);
    assert_eq!(info.media_type, hoist_oci::image::OCI_INDEX);
    assert_eq!(info.image_digest, host.manifest_digest);
    assert_eq!(info.config, host.config);
    let want = format!("{os}/{arch}");
    assert_eq!(
        s.resolve_platform(&r, Some(&want)).unwrap().image_digest,
        host.manifest_digest
    );
    let e = s
        .resolve_platform(&r, Some(&format!("linux/{other_arch}")))
        .unwrap_err();
    assert!(matches!(e, StoreError::BlobNotFound { .. }), "{e}");
    assert!(s.resolve_platform(&r, Some("plan9/mips")).is_err());
    // gc keeps everything the index reaches
    assert!(s.gc().unwrap().removed.is_empty());
}

#[test]
fn gc_waits_for_write_guard() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let a = build_image(&[tar_of(&[("a", b"1")])], &[]);
    let guard = s.write_guard().unwrap();
    let (d, _) = s.put_blob(a.layers[0].0.as_slice(), None).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|sc| {
        let h = sc.spawn(|| {
            let s2 = Store::open(dir.path()).unwrap();
            let st = s2.gc().unwrap();
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            st
        });
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            !done.load(std::sync::atomic::Ordering::SeqCst),
            "gc ran during a write"
        );
        assert!(s.has_blob(&d));
        drop(guard);
        let st = h.join().unwrap();
        assert_eq!(st.removed, vec![d.clone()]);
    });
}

#[test]
fn stale_scratch_dirs_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let live = s.scratch_dir().unwrap();
    std::fs::write(live.path().join("f"), b"x").unwrap();
    // a dead process's scratch dir: nobody holds its lock
    let dead = dir.path().join(".hoist/tmp/scratch-dead");
    std::fs::create_dir_all(dead.join("sub")).unwrap();
    Store::open(dir.path()).unwrap();
    assert!(live.path().join("f").exists());
    assert!(!dead.exists());
    let p = live.path().to_path_buf();
    drop(live);
    assert!(!p.exists());
}

#[test]
fn import_reports_progress() {
    use std::sync::Mutex;
    #[derive(Default)]
    struct Rec(Mutex<Vec<String>>);
    impl hoist_oci::Reporter for Rec {
        fn start(&self, id: &str, total: Option<u64>) {
            self.0.lock().unwrap().push(format!("start {id} {total:?}"));
        }
        fn finish(&self, id: &str) {
            self.0.lock().unwrap().push(format!("finish {id}"));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("s")).unwrap();
    let a = build_image(&[tar_of(&[("a", b"1")])], &[]);
    let lay = dir.path().join("lay");
    write_layout(&lay, &a, "v1");
    let rec = Rec::default();
    s.import_layout_with(&lay, &Reference::parse("x:v1").unwrap(), &rec)
        .unwrap();
    let ev = rec.0.lock().unwrap().clone();
    let (gz, d) = &a.layers[0];
    assert!(
        ev.contains(&format!("start {d} Some({})", gz.len())),
        "{ev:?}"
    );
    assert!(ev.contains(&format!("finish {d}")), "{ev:?}");
}
