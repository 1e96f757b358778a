//! The SSH executor against real sshd hosts (hoist-testkit). Skips when not root.

mod util;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hoist_exec::{
    Command, ExecError, ExitStatus, Host, HostKeyCheck, Line, Node, Secret, Source, SshAuth,
    SshOptions, Stream, SyncOptions, Target, Tree, connect_all,
};
use hoist_testkit::{DEPLOY_PASSWORD, ROOT_PASSWORD, Testbed};

macro_rules! testbed {
    ($n:expr) => {
        match Testbed::up($n) {
            Ok(tb) => tb,
            Err(why) => {
                eprintln!("skipping: {why}");
                return;
            }
        }
    };
}

fn opts() -> SshOptions {
    SshOptions {
        connect_timeout: Duration::from_secs(5),
        retries: 1,
        ..SshOptions::default()
    }
}

fn key_auth(tb: &Testbed) -> SshAuth {
    SshAuth {
        key_file: Some(tb.key_file()),
        ..SshAuth::default()
    }
}

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
async fn logins() {
    let tb = testbed!(1);
    let ip = &tb.hosts()[0];
    let t = Target::new(ip.clone(), 22);
    // Password.
    let pw = SshAuth {
        password: Some(ROOT_PASSWORD.into()),
        ..SshAuth::default()
    };
    let h = Host::connect(&t, &pw, &opts()).await.unwrap();
    assert_eq!(h.name(), format!("{ip}:22"));
    assert_eq!(
        h.output("id -u; cat /etc/hostname").await.unwrap(),
        "0\nh1\n"
    );
    // Key file.
    let h = Host::connect(&t, &key_auth(&tb), &opts()).await.unwrap();
    assert_eq!(h.output("whoami").await.unwrap(), "root\n");
    // Key with a passphrase, given inline.
    let kp = tb.work_dir().join("pp_key");
    let st = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "secret-pp", "-f"])
        .arg(&kp)
        .status()
        .unwrap();
    assert!(st.success());
    let pubkey = std::fs::read_to_string(kp.with_extension("pub")).unwrap();
    tb.sh(
        0,
        &format!("echo '{}' >> /root/.ssh/authorized_keys", pubkey.trim()),
    );
    let inline = SshAuth {
        key_data: Some(Secret::new(std::fs::read_to_string(&kp).unwrap())),
        key_passphrase: Some("secret-pp".into()),
        ..SshAuth::default()
    };
    let h = Host::connect(&t, &inline, &opts()).await.unwrap();
    assert_eq!(h.output("echo ok").await.unwrap(), "ok\n");
    // The same key with a wrong passphrase: a key error naming the host, no secret.
    let bad_pp = SshAuth {
        key_file: Some(kp.clone()),
        key_passphrase: Some("wrong-pp-77".into()),
        ..SshAuth::default()
    };
    let e = Host::connect(&t, &bad_pp, &opts()).await.unwrap_err();
    let s = e.to_string();
    assert!(matches!(e, ExecError::Key { .. }), "{s}");
    assert!(
        s.starts_with(&format!("{ip}:22: ")) && !s.contains("wrong-pp-77"),
        "{s}"
    );
    // Wrong password.
    let bad = SshAuth {
        password: Some("wrong-password-42".into()),
        ..SshAuth::default()
    };
    let e = Host::connect(&t, &bad, &opts()).await.unwrap_err();
    let s = format!("{e} {e:?}");
    assert!(matches!(e, ExecError::Auth { .. }), "{s}");
    assert!(
        e.to_string()
            .starts_with(&format!("{ip}:22: authentication failed for user root")),
        "{s}"
    );
    assert!(!s.contains("wrong-password-42"), "{s}");
    // Nothing listens: a connect error naming the host.
    let e = Host::connect(&Target::new(ip.clone(), 2222), &pw, &opts())
        .await
        .unwrap_err();
    assert!(
        matches!(e, ExecError::Connect { .. })
            && e.to_string().starts_with(&format!("{ip}:2222: ")),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sudo_user() {
    let tb = testbed!(1);
    let ip = &tb.hosts()[0];
    let t = Target::new(ip.clone(), 22);
    let auth = SshAuth {
        user: "deploy".into(),
        password: Some(DEPLOY_PASSWORD.into()),
        ..SshAuth::default()
    };
    let h = Host::connect(&t, &auth, &opts()).await.unwrap();
    assert_eq!(h.output("id -u").await.unwrap(), "0\n");
    let (lines, out) = collect();
    let cmd = Command {
        script: "X='a b'; echo \"it's $X\" 'lit $HOME'; echo \"$V\"; echo to-stderr >&2; whoami"
            .into(),
        env: vec![("V".into(), "q'u\"o $t `e`".into())],
        cwd: Some("/tmp".into()),
        timeout: None,
    };
    h.run(&cmd, &out).await.unwrap();
    let got = lines.lock().unwrap().clone();
    let stdout: Vec<&str> = got
        .iter()
        .filter(|l| l.1 == Stream::Stdout)
        .map(|l| l.2.as_str())
        .collect();
    assert_eq!(stdout, ["it's a b lit $HOME", "q'u\"o $t `e`", "root"]);
    let stderr: Vec<&str> = got
        .iter()
        .filter(|l| l.1 == Stream::Stderr)
        .map(|l| l.2.as_str())
        .collect();
    assert_eq!(stderr, ["to-stderr"], "sudo must not add output");
    assert!(
        got.iter()
            .all(|l| l.0 == format!("{ip}:22") && !l.2.contains(DEPLOY_PASSWORD))
    );
    // Stdin-fed operations work through sudo -S too (the password goes first).
    h.write_file("/root/by-deploy", b"x'y\n", 0o600)
        .await
        .unwrap();
    assert_eq!(
        tb.sh(0, "cat /root/by-deploy; stat -c %U:%a /root/by-deploy"),
        "x'y\nroot:600\n"
    );
    // The deploy user with a key but no password cannot sudo: a clear error.
    let keyonly = SshAuth {
        user: "deploy".into(),
        key_file: Some(tb.key_file()),
        ..SshAuth::default()
    };
    let e = Host::connect(&t, &keyonly, &opts()).await.unwrap_err();
    assert!(
        matches!(e, ExecError::Sudo { .. })
            && e.to_string().starts_with(&format!("{ip}:22: sudo: ")),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_keys() {
    let tb = testbed!(1);
    let ip = &tb.hosts()[0];
    let t = Target::new(ip.clone(), 22);
    let kh = tb.work_dir().join("known_hosts");
    let tofu = SshOptions {
        host_key: HostKeyCheck::Tofu {
            known_hosts: kh.clone(),
        },
        ..opts()
    };
    Host::connect(&t, &key_auth(&tb), &tofu).await.unwrap();
    let text = std::fs::read_to_string(&kh).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(text.starts_with(&format!("{ip} ssh-")), "{text}");
    // Known and equal: accepted, nothing appended.
    Host::connect(&t, &key_auth(&tb), &tofu).await.unwrap();
    assert_eq!(std::fs::read_to_string(&kh).unwrap(), text);
    // The same check as OpenSSH's own client: the recorded line is valid for ssh.
    let o = std::process::Command::new("ssh-keygen")
        .arg("-F")
        .arg(ip)
        .arg("-f")
        .arg(&kh)
        .output()
        .unwrap();
    assert!(o.status.success());
    tb.rekey(0);
    let e = Host::connect(&t, &key_auth(&tb), &tofu).await.unwrap_err();
    let s = e.to_string();
    assert!(matches!(e, ExecError::HostKeyChanged { .. }), "{s}");
    assert!(s.starts_with(&format!("{ip}:22: host key changed")), "{s}");
    assert!(
        s.contains(kh.to_str().unwrap())
            && s.contains("line 1")
            && s.contains("--insecure-ignore-host-keys"),
        "{s}"
    );
    assert_eq!(s.matches("SHA256:").count(), 2, "{s}");
    let ignore = SshOptions {
        host_key: HostKeyCheck::Ignore,
        ..opts()
    };
    let h = Host::connect(&t, &key_auth(&tb), &ignore).await.unwrap();
    assert_eq!(h.output("echo ok").await.unwrap(), "ok\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands() {
    let tb = testbed!(1);
    let ip = &tb.hosts()[0];
    let h = Host::connect(&Target::new(ip.clone(), 22), &key_auth(&tb), &opts())
        .await
        .unwrap();
    // Failure with the output tail.
    let e = h
        .run(&Command::new("echo out; echo err >&2; exit 3"), &|_| {})
        .await
        .unwrap_err();
    match &e {
        ExecError::Failed { status, tail, .. } => {
            assert_eq!(*status, ExitStatus::Code(3));
            assert!(
                tail.contains(&"out".to_string()) && tail.contains(&"err".to_string()),
                "{tail:?}"
            );
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().starts_with(&format!("{ip}:22: ")), "{e}");
    // Lines arrive as they are printed, not at the end.
    let t0 = Instant::now();
    let first = Arc::new(Mutex::new(None));
    let f2 = first.clone();
    let out = move |l: Line<'_>| {
        let mut f = f2.lock().unwrap();
        if f.is_none() {
            *f = Some((t0.elapsed(), l.host.to_string(), l.text.to_string()));
        }
    };
    h.run(&Command::new("echo early; sleep 2; echo late"), &out)
        .await
        .unwrap();
    let (at, host, text) = first.lock().unwrap().clone().unwrap();
    assert!(at < Duration::from_millis(1500), "first line after {at:?}");
    assert_eq!(
        (host.as_str(), text.as_str()),
        (format!("{ip}:22").as_str(), "early")
    );
    // Timeout kills the command and its children.
    let t0 = Instant::now();
    let cmd = Command {
        timeout: Some(Duration::from_secs(1)),
        ..Command::new("sleep 43.5 & wait")
    };
    let e = h.run(&cmd, &|_| {}).await.unwrap_err();
    assert!(
        matches!(e, ExecError::Timeout { .. }) && e.to_string().starts_with(&format!("{ip}:22: ")),
        "{e}"
    );
    assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let left = std::process::Command::new("pgrep")
        .args(["-f", "sleep 43.5"])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "the timed-out remote command survived"
    );
    // Several commands at once on one connection.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let h = h.clone();
        set.spawn(async move { h.output(&format!("sleep 0.5; echo {i}")).await.unwrap() });
    }
    let t0 = Instant::now();
    let mut got = Vec::new();
    while let Some(r) = set.join_next().await {
        got.push(r.unwrap());
    }
    assert_eq!(got.len(), 8);
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "channels did not run in parallel: {:?}",
        t0.elapsed()
    );
}

fn check_equal(tb: &Testbed, i: usize, dir: &str, tree: &Tree) {
    let o = tb.exec_on(
        i,
        &format!("bash -c {} x {dir}", hoist_exec::quote(util::LIST_SCRIPT)),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        util::sorted_lines(&String::from_utf8_lossy(&o.stdout)),
        util::expected_listing(tree),
        "host {i}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_three_hosts() {
    let tb = testbed!(3);
    let src = tb.work_dir().join("src");
    let mut tree = util::sample_tree(&src);
    let targets: Vec<(Target, SshAuth)> = tb
        .hosts()
        .into_iter()
        .map(|ip| (Target::new(ip, 22), key_auth(&tb)))
        .collect();
    let hosts: Vec<Host> = connect_all(&targets, &opts(), 2)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let dir = "/var/lib/hoist-test/rootfs";
    let sync_all = |tree: Tree| {
        let hosts = hosts.clone();
        async move {
            let mut set = tokio::task::JoinSet::new();
            for (i, h) in hosts.into_iter().enumerate() {
                let tree = tree.clone();
                set.spawn(async move {
                    (
                        i,
                        h.sync_tree(&tree, dir, &SyncOptions::default())
                            .await
                            .unwrap(),
                    )
                });
            }
            let mut v = Vec::new();
            while let Some(r) = set.join_next().await {
                v.push(r.unwrap());
            }
            v.sort_by_key(|x| x.0);
            v.into_iter().map(|x| x.1).collect::<Vec<_>>()
        }
    };
    for st in sync_all(tree.clone()).await {
        assert_eq!(st.files_sent, 10, "{st:?}");
    }
    for i in 0..3 {
        check_equal(&tb, i, dir, &tree);
        // What the deploy left on the host is in its overlay upper dir, and on that host only.
        assert!(
            tb.upper_dir(i)
                .join("var/lib/hoist-test/rootfs/big.bin")
                .exists()
        );
    }
    assert!(
        !std::path::Path::new(dir).exists(),
        "the sync leaked onto this machine"
    );
    for st in sync_all(tree.clone()).await {
        assert_eq!(
            (st.files_sent, st.removed, st.unchanged),
            (0, 0, tree.len() as u64),
            "{st:?}"
        );
    }
    std::fs::write(src.join("etc/app.conf"), b"changed content\n").unwrap();
    for st in sync_all(tree.clone()).await {
        assert_eq!((st.files_sent, st.removed), (1, 0), "{st:?}");
    }
    tree.remove("empty");
    for st in sync_all(tree.clone()).await {
        assert_eq!((st.files_sent, st.removed), (0, 1), "{st:?}");
    }
    for i in 0..3 {
        check_equal(&tb, i, dir, &tree);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_cut_during_sync() {
    let tb = testbed!(1);
    let ip = tb.hosts()[0].clone();
    let stall = Duration::from_secs(3);
    let o = SshOptions {
        stall_timeout: stall,
        ..opts()
    };
    let h = Host::connect(&Target::new(ip.clone(), 22), &key_auth(&tb), &o)
        .await
        .unwrap();
    // ~400 MiB from memory: 400 files sharing one buffer.
    let buf: Arc<[u8]> = (0..1024 * 1024u32)
        .map(|i| (i % 253) as u8)
        .collect::<Vec<_>>()
        .into();
    let mut tree = Tree::new();
    for i in 0..400 {
        tree.insert(
            &format!("d{}/f{i}", i % 10),
            Node::File {
                source: Source::Bytes(buf.clone()),
                mode: 0o644,
            },
        )
        .unwrap();
    }
    let tb = Arc::new(tb);
    let cut = Arc::new(AtomicBool::new(false));
    let cut_at = Arc::new(Mutex::new(None));
    let sent = Arc::new(AtomicU64::new(0));
    let progress = {
        let (tb, cut, cut_at, sent) = (tb.clone(), cut.clone(), cut_at.clone(), sent.clone());
        Arc::new(move |n: u64| {
            let total = sent.fetch_add(n, Ordering::Relaxed) + n;
            if total > 40 << 20 && !cut.swap(true, Ordering::SeqCst) {
                tb.cut(0);
                *cut_at.lock().unwrap() = Some(Instant::now());
            }
        })
    };
    let dir = "/srv/big";
    let e = h
        .sync_tree(
            &tree,
            dir,
            &SyncOptions {
                progress: Some(progress),
            },
        )
        .await
        .unwrap_err();
    let after = cut_at
        .lock()
        .unwrap()
        .expect("the link was never cut")
        .elapsed();
    assert!(
        matches!(e, ExecError::Stalled { .. } | ExecError::Ssh { .. }),
        "{e}"
    );
    assert!(e.to_string().starts_with(&format!("{ip}:22: ")), "{e}");
    assert!(
        after < stall + Duration::from_secs(4),
        "error after {after:?}"
    );
    tb.restore(0);
    // The same Host reconnects; the interrupted sync converges.
    let st = h
        .sync_tree(&tree, dir, &SyncOptions::default())
        .await
        .unwrap();
    assert!(st.files_sent > 0, "{st:?}");
    check_equal(&tb, 0, dir, &tree);
    let st = h
        .sync_tree(&tree, dir, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(st.files_sent, 0, "{st:?}");
    // run() on a cut link fails too: keepalives notice within the stall timeout, then one
    // reconnect attempt (connect timeout 5 s, one retry) fails; the error names the host.
    tb.cut(0);
    let t0 = Instant::now();
    let e = h.run(&Command::new("sleep 30"), &|_| {}).await.unwrap_err();
    assert!(e.to_string().starts_with(&format!("{ip}:22: ")), "{e}");
    assert!(
        t0.elapsed() < stall + Duration::from_secs(5 * 2 + 3),
        "{:?}",
        t0.elapsed()
    );
    tb.restore(0);
}
