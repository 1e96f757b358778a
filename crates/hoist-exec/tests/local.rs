//! The local executor: commands, output, errors, timeouts and sync_tree into a temp dir.

mod util;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hoist_exec::{Command, ExecError, ExitStatus, Host, Line, Node, Source, Stream, SyncOptions};

type Lines = Arc<Mutex<Vec<(String, Stream, String)>>>;

fn collect() -> (Lines, impl Fn(Line<'_>) + Send + Sync) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l2 = lines.clone();
    (lines, move |l: Line<'_>| {
        l2.lock()
            .unwrap()
            .push((l.host.to_string(), l.stream, l.text.to_string()))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_env_cwd_quotes() {
    let h = Host::local();
    assert_eq!(h.name(), "local");
    let dir = tempfile::tempdir().unwrap();
    let (lines, out) = collect();
    let cmd = Command {
        script: "echo \"$V\"; echo 'single $HOME'; pwd; echo err >&2".into(),
        env: vec![("V".into(), "it's \"q\" $x `y` \\n".into())],
        cwd: Some(dir.path().to_str().unwrap().into()),
        timeout: None,
    };
    h.run(&cmd, &out).await.unwrap();
    let got = lines.lock().unwrap().clone();
    let stdout: Vec<&str> = got
        .iter()
        .filter(|l| l.1 == Stream::Stdout)
        .map(|l| l.2.as_str())
        .collect();
    assert_eq!(
        stdout,
        [
            "it's \"q\" $x `y` \\n",
            "single $HOME",
            dir.path().to_str().unwrap()
        ]
    );
    assert!(got.iter().any(|l| l.1 == Stream::Stderr && l.2 == "err"));
    assert!(got.iter().all(|l| l.0 == "local"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_and_timeout() {
    let h = Host::local();
    let e = h
        .run(&Command::new("echo out; echo err >&2; exit 3"), &|_| {})
        .await
        .unwrap_err();
    match &e {
        ExecError::Failed { status, tail, .. } => {
            assert_eq!(*status, ExitStatus::Code(3));
            assert!(tail.contains(&"out".to_string()) && tail.contains(&"err".to_string()));
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().starts_with("local: "), "{e}");
    let t0 = Instant::now();
    let cmd = Command {
        timeout: Some(Duration::from_millis(500)),
        ..Command::new("sleep 41.25 & wait")
    };
    let e = h.run(&cmd, &|_| {}).await.unwrap_err();
    assert!(matches!(e, ExecError::Timeout { .. }), "{e}");
    assert!(e.to_string().starts_with("local: "), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let left = std::process::Command::new("pgrep")
        .args(["-f", "sleep 41.25"])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "the timed-out command's children survived"
    );
    assert_eq!(h.output("printf 'a\\nb'").await.unwrap(), "a\nb\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_file_atomic() {
    let h = Host::local();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sub/dir/f.txt");
    h.write_file(p.to_str().unwrap(), b"hello 'x'\n", 0o640)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"hello 'x'\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    assert_eq!(
        std::fs::read_dir(p.parent().unwrap()).unwrap().count(),
        1,
        "temp file left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_tree_local() {
    let h = Host::local();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let dst = tmp.path().join("dst");
    let dst_s = dst.to_str().unwrap();
    let mut tree = util::sample_tree(&src);
    let list = || {
        let o = std::process::Command::new("bash")
            .args(["-c", util::LIST_SCRIPT, "x", dst_s])
            .output()
            .unwrap();
        assert!(o.status.success());
        util::sorted_lines(&String::from_utf8_lossy(&o.stdout))
    };
    let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let s2 = sent.clone();
    let opts = SyncOptions {
        progress: Some(Arc::new(move |n| {
            s2.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        })),
    };
    let st = h.sync_tree(&tree, dst_s, &opts).await.unwrap();
    assert_eq!(list(), util::expected_listing(&tree));
    assert_eq!(st.files_sent, 10, "{st:?}");
    assert_eq!(
        st.bytes_sent,
        sent.load(std::sync::atomic::Ordering::Relaxed)
    );
    let st = h
        .sync_tree(&tree, dst_s, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (st.files_sent, st.removed, st.unchanged),
        (0, 0, tree.len() as u64),
        "{st:?}"
    );
    // Change one file (same size, new content) and remove one.
    std::fs::write(src.join("etc/app.conf"), b"key = 'other'\n").unwrap();
    tree.remove("etc/conf.d");
    let st = h
        .sync_tree(&tree, dst_s, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!((st.files_sent, st.removed), (1, 2), "{st:?}");
    assert_eq!(list(), util::expected_listing(&tree));
    // A kind change: a directory becomes a file.
    tree.remove("bin");
    tree.insert(
        "bin",
        Node::File {
            source: Source::Bytes(Arc::from(&b"now a file"[..])),
            mode: 0o644,
        },
    )
    .unwrap();
    h.sync_tree(&tree, dst_s, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(list(), util::expected_listing(&tree));
    // A lost manifest means everything is sent again.
    std::fs::remove_file(dst.join(".hoist-sync")).unwrap();
    let st = h
        .sync_tree(&tree, dst_s, &SyncOptions::default())
        .await
        .unwrap();
    assert!(st.files_sent > 5, "{st:?}");
    assert_eq!(list(), util::expected_listing(&tree));
    // A damaged file the manifest does not know about is not detected (documented), but a
    // dirty manifest (interrupted sync) makes the next sync resend.
    let m = std::fs::read_to_string(dst.join(".hoist-sync")).unwrap();
    let dirty: String = m
        .lines()
        .map(|l| {
            if l.ends_with(" big.bin") {
                let mut f: Vec<&str> = l.split(' ').collect();
                f[4] = "-";
                f.join(" ")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dst.join(".hoist-sync"), dirty + "\n").unwrap();
    std::fs::write(dst.join("big.bin"), b"partial").unwrap();
    let st = h
        .sync_tree(&tree, dst_s, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(st.files_sent, 1, "{st:?}");
    assert_eq!(list(), util::expected_listing(&tree));
    // Errors name the host.
    let e = h
        .sync_tree(&tree, "relative/dir", &SyncOptions::default())
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("local: "), "{e}");
}
