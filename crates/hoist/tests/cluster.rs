//! Clusters on real hosts: `hoist run/reset/add/delete/exec` against the testbed (network
//! namespaces with their own overlay roots and a real sshd each, see hoist-testkit), images built
//! by `hoist build` with a registry/ baked from Debian's real `docker-registry`, and skopeo on the
//! hosts pulling from `sealos.hub:5000`. Needs root (CI runs as root); skips with a reason
//! otherwise.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use hoist_testkit::{DockerRegistry, Testbed, have};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("hoist-cluster-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One test's world: a store, a state dir, and how to call hoist with them.
struct World {
    tmp: TempDir,
    _registry: Option<DockerRegistry>,
}

impl World {
    fn new(tag: &str) -> World {
        World {
            tmp: TempDir::new(tag),
            _registry: None,
        }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.tmp.0.join(p)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hoist"));
        c.args(args)
            .env("HOIST_ROOT", self.path("store"))
            .env("HOIST_STATE_DIR", self.path("state"))
            .stdin(Stdio::null());
        c
    }

    fn hoist(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.hoist(args);
        assert!(
            out.status.success(),
            "hoist {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Builds the test rootfs (with one image baked into registry/ from a real docker-registry)
    /// and the test application image; returns their names.
    fn build_images(&mut self) -> (String, String) {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cluster");
        // A tiny image in a real registry, for the rootfs to bake.
        let registry = DockerRegistry::start(&self.path("dist"));
        let host = registry.host();
        self._registry = Some(registry);
        let tiny = self.path("tiny");
        std::fs::create_dir_all(&tiny).unwrap();
        std::fs::write(tiny.join("Kubefile"), "FROM scratch\nCOPY . .\n").unwrap();
        std::fs::write(tiny.join("hello.txt"), "baked\n").unwrap();
        self.ok(&[
            "build",
            "--save-image=false",
            "-t",
            "tiny:v1",
            tiny.to_str().unwrap(),
        ]);
        self.ok(&["push", "tiny:v1", &format!("{host}/test/tiny:v1")]);

        let rootfs = self.path("rootfs");
        copy_dir(&data.join("rootfs"), &rootfs);
        std::fs::create_dir_all(rootfs.join("images/shim")).unwrap();
        std::fs::write(
            rootfs.join("images/shim/images"),
            format!("{host}/test/tiny:v1\n"),
        )
        .unwrap();
        self.ok(&["build", "-t", "test/rootfs:v1", rootfs.to_str().unwrap()]);
        assert!(
            rootfs
                .join("registry/docker/registry/v2/repositories/test/tiny")
                .is_dir()
        );
        let app = self.path("app");
        copy_dir(&data.join("app"), &app);
        self.ok(&["build", "-t", "test/app:v1", app.to_str().unwrap()]);
        ("test/rootfs:v1".into(), "test/app:v1".into())
    }

    fn clusterfile(&self, cluster: &str) -> String {
        std::fs::read_to_string(self.path("state").join(cluster).join("Clusterfile")).unwrap()
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    let st = Command::new("cp")
        .arg("-a")
        .arg(src)
        .arg(dst)
        .status()
        .unwrap();
    assert!(st.success());
}

fn testbed(n: usize) -> Option<Testbed> {
    if !have("docker-registry") || !have("skopeo") {
        println!(
            "skipped: needs the Debian packages docker-registry and skopeo (CI installs them)"
        );
        return None;
    }
    match Testbed::up(n) {
        Ok(tb) => Some(tb),
        Err(reason) => {
            println!("skipped: {reason}");
            None
        }
    }
}

/// Runs `cmd` inside host `i` (no SSH) and returns its stdout; panics with its stderr on failure.
fn on(tb: &Testbed, i: usize, cmd: &str) -> String {
    let out = tb.exec_on(i, cmd);
    assert!(
        out.status.success(),
        "`{cmd}` on host {i} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Limits the rate of traffic towards host `i` (a token bucket on this side of its link), or lifts
/// it. (This kernel has tbf but no netem.)
fn slow(tb: &Testbed, i: usize, rate: Option<&str>) {
    // The testbed names host i's link `hb<index>v<i+1>`; its subnet is 10.77.<10+index>.0/24.
    let ip = &tb.hosts()[i];
    let index: u32 = ip.split('.').nth(2).unwrap().parse::<u32>().unwrap() - 10;
    let dev = format!("hb{index}v{}", i + 1);
    let args: Vec<String> = match rate {
        Some(r) => [
            "qdisc", "replace", "dev", &dev, "root", "tbf", "rate", r, "burst", "64kb", "latency",
            "1s",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        None => ["qdisc", "del", "dev", &dev, "root"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let st = Command::new("tc").args(&args).status().unwrap();
    assert!(st.success() || rate.is_none(), "tc {args:?}");
}

fn exists_on(tb: &Testbed, i: usize, path: &str) -> bool {
    tb.exec_on(i, &format!("test -e {path}")).status.success()
}

/// What differs on a host from this machine's root (its overlay's lower layer), minus what sshd,
/// sudo and the kernel churn on their own: files and dirs the host has that `/` has not, files
/// whose content differs, and deletions (overlay whiteouts).
fn host_changes(tb: &Testbed, i: usize) -> Vec<String> {
    use std::os::unix::fs::FileTypeExt;
    let upper = tb.upper_dir(i);
    let out = Command::new("find")
        .arg(&upper)
        .arg("-mindepth")
        .arg("1")
        .output()
        .unwrap();
    let mut changes = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let rel = line
            .strip_prefix(upper.to_str().unwrap())
            .unwrap_or(line)
            .to_string();
        if [
            "/run",
            "/var/log",
            "/tmp",
            "/var/tmp",
            "/proc",
            "/dev",
            "/root/.cache",
            "/var/lib/sudo",
            "/etc/ssh",
        ]
        .iter()
        .any(|x| rel == *x || rel.starts_with(&format!("{x}/")))
        {
            continue;
        }
        let meta = std::fs::symlink_metadata(line).unwrap();
        let lower = Path::new(&rel);
        if meta.file_type().is_char_device() {
            changes.push(format!("deleted {rel}"));
        } else if !lower.exists() && std::fs::symlink_metadata(lower).is_err() {
            changes.push(format!("added {rel}"));
        } else if meta.is_file() && std::fs::read(line).ok() != std::fs::read(lower).ok() {
            changes.push(format!("changed {rel}"));
        }
    }
    changes.sort();
    changes
}

fn marker_up(ip: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect_timeout(
        &format!("{ip}:8089").parse().ok()?,
        Duration::from_secs(2),
    )
    .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET /index.html HTTP/1.0\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    body.split("\r\n\r\n").nth(1).map(|b| b.trim().to_string())
}

#[test]
fn run_one_master_two_nodes_then_reset() {
    let Some(tb) = testbed(3) else { return };
    let mut w = World::new("three");
    let (rootfs, app) = w.build_images();
    let ips = tb.hosts();
    let before: Vec<Vec<String>> = (0..3).map(|i| host_changes(&tb, i)).collect();

    let nodes = format!("{},{}", ips[1], ips[2]);
    let run = [
        "run",
        &rootfs,
        &app,
        "--cluster",
        "three",
        "--masters",
        &ips[0],
        "--nodes",
        &nodes,
        "-p",
        "hoist-test",
    ];
    let out = w.ok(&run);
    assert!(
        !out.contains("hoist-test"),
        "the password was printed:\n{out}"
    );
    // The marker service runs on every host, the rootfs CMD ran everywhere, the app on master0 only.
    for (i, ip) in ips.iter().enumerate() {
        let hostname = on(&tb, i, "cat /etc/hostname").trim().to_string();
        assert_eq!(
            marker_up(ip).as_deref(),
            Some(hostname.as_str()),
            "marker on {ip}"
        );
        assert!(
            exists_on(&tb, i, "/var/lib/hoist-marker/cmd.txt"),
            "rootfs cmd on {ip}"
        );
        let conf = on(&tb, i, "cat /var/lib/hoist-marker/marker.conf");
        let role = if i == 0 { "master" } else { "node" };
        assert!(
            conf.contains("port=8089") && conf.contains(&format!("mode={role},")),
            "{conf}"
        );
        assert_eq!(
            exists_on(&tb, i, "/var/lib/hoist-marker/app-ran"),
            i == 0,
            "app ran on {ip}?"
        );
        // Every host pulls the baked image from sealos.hub:5000.
        let inspect = on(
            &tb,
            i,
            "skopeo inspect --tls-verify=false --creds admin:passw0rd docker://sealos.hub:5000/test/tiny:v1",
        );
        assert!(inspect.contains("\"Digest\""), "{inspect}");
    }
    let app_ran = on(&tb, 0, "cat /var/lib/hoist-marker/app-ran");
    assert!(app_ran.starts_with("hello-app on "), "{app_ran}");
    let cf = w.clusterfile("three");
    assert!(cf.contains("phase: ClusterSuccess"), "{cf}");
    assert!(
        cf.contains("imageName: test/rootfs:v1") && cf.contains("imageName: test/app:v1"),
        "{cf}"
    );
    assert!(
        cf.contains("type: rootfs") && cf.contains("type: application"),
        "{cf}"
    );

    // The same command again changes nothing: no script or command runs, no file is sent.
    let again = w.ok(&run);
    for step in ["bootstrap: init", "run test/rootfs:v1", "run test/app:v1"] {
        assert!(!again.contains(step), "second run ran `{step}`:\n{again}");
    }

    // exec reaches every host with host-prefixed output.
    let exec = w.hoist(&["exec", "-c", "three", "cat /etc/hostname"]);
    assert!(exec.status.success());
    let stdout = String::from_utf8_lossy(&exec.stdout);
    for ip in &ips {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("{ip}:22\t"))),
            "{stdout}"
        );
    }

    w.ok(&["reset", "-c", "three", "--force"]);
    for (i, ip) in ips.iter().enumerate() {
        assert_eq!(marker_up(ip), None, "marker still up on {ip}");
        assert_eq!(
            host_changes(&tb, i),
            before[i],
            "reset left changes on {ip}"
        );
    }
    assert!(!w.path("state/three/Clusterfile").exists());
}

#[test]
fn logins_password_key_sudo_and_a_wrong_password() {
    let Some(tb) = testbed(3) else { return };
    let mut w = World::new("logins");
    let (rootfs, _) = w.build_images();
    let ips = tb.hosts();
    let key = tb.key_file();

    // A wrong password on one host: the run fails naming that host; nothing changes anywhere.
    let before: Vec<Vec<String>> = (0..3).map(|i| host_changes(&tb, i)).collect();
    let bad = w.hoist(&[
        "run",
        &rootfs,
        "--cluster",
        "bad",
        "--masters",
        &ips[0],
        "--nodes",
        &ips[1],
        "-p",
        "not-the-password",
    ]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(err.contains(&ips[0]) && err.contains(&ips[1]), "{err}");
    assert!(!err.contains("not-the-password"), "{err}");
    for (i, before) in before.iter().enumerate().take(2) {
        assert_eq!(
            &host_changes(&tb, i),
            before,
            "a failed login changed host {i}"
        );
    }

    // Password for root on host 0, a key for root on host 1, user `deploy` with sudo on host 2.
    w.ok(&[
        "run",
        &rootfs,
        "--cluster",
        "pw",
        "--masters",
        &ips[0],
        "-p",
        "hoist-test",
    ]);
    assert!(marker_up(&ips[0]).is_some());
    w.ok(&[
        "run",
        &rootfs,
        "--cluster",
        "key",
        "--masters",
        &ips[1],
        "-i",
        key.to_str().unwrap(),
    ]);
    assert!(marker_up(&ips[1]).is_some());
    w.ok(&[
        "run",
        &rootfs,
        "--cluster",
        "sudo",
        "--masters",
        &ips[2],
        "-u",
        "deploy",
        "-p",
        "deploy-pass",
    ]);
    assert!(marker_up(&ips[2]).is_some());
    let owner = on(&tb, 2, "stat -c %U /var/lib/hoist-marker/cmd.txt");
    assert_eq!(owner.trim(), "root");
    for c in ["pw", "key", "sudo"] {
        w.ok(&["reset", "-c", c, "--force"]);
    }
    for ip in &ips {
        assert_eq!(marker_up(ip), None);
    }
}

/// A child's stderr, read line by line on a thread.
struct Stderr(std::sync::mpsc::Receiver<String>, String);

impl Stderr {
    fn of(child: &mut Child) -> Stderr {
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Stderr(rx, String::new())
    }

    /// Waits until a line contains `needle`.
    fn wait_for(&mut self, needle: &str, limit: Duration) {
        let start = Instant::now();
        while start.elapsed() < limit {
            match self.0.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    self.1.push_str(&line);
                    self.1.push('\n');
                    if line.contains(needle) {
                        return;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => break,
            }
        }
        panic!("`{needle}` did not show within {limit:?}:\n{}", self.1);
    }

    /// Everything the child printed (call after it exited).
    fn all(mut self) -> String {
        while let Ok(line) = self.0.recv_timeout(Duration::from_secs(5)) {
            self.1.push_str(&line);
            self.1.push('\n');
        }
        self.1
    }
}

#[test]
fn faults_link_cut_kill_and_changed_host_key() {
    let Some(tb) = testbed(3) else { return };
    let mut w = World::new("faults");
    let (_, app) = w.build_images();
    // Make the rootfs big enough that distribution takes a while on a slowed link.
    let big = w.path("big");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cluster/rootfs"),
        &big,
    );
    let blob = std::fs::File::create(big.join("payload.bin")).unwrap();
    let st = Command::new("head")
        .args(["-c", "64000000", "/dev/urandom"])
        .stdout(blob)
        .status()
        .unwrap();
    assert!(st.success());
    w.ok(&[
        "build",
        "--save-image=false",
        "-t",
        "test/big:v1",
        big.to_str().unwrap(),
    ]);
    let ips = tb.hosts();
    let nodes = format!("{},{}", ips[1], ips[2]);
    let args = [
        "run",
        "test/big:v1",
        "--cluster",
        "f",
        "--masters",
        &ips[0],
        "--nodes",
        &nodes,
        "-p",
        "hoist-test",
        "--ssh-timeout",
        "5s",
    ];

    // Cut node 2's link while the rootfs is being sent: the run fails naming host and step.
    slow(&tb, 2, Some("40mbit"));
    let mut child = w
        .cmd(&args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = Stderr::of(&mut child);
    stderr.wait_for("distribute rootfs", Duration::from_secs(120));
    std::thread::sleep(Duration::from_secs(2));
    tb.cut(2);
    let status = child.wait().unwrap();
    let err = stderr.all();
    assert!(!status.success(), "the run went on with a cut link:\n{err}");
    assert!(
        err.contains("step `distribute rootfs` failed") && err.contains(&format!("{}:22", ips[2])),
        "the failure does not name the step and host:\n{err}"
    );
    assert!(w.clusterfile("f").contains("phase: ClusterFailed"));
    tb.restore(2);
    slow(&tb, 2, None);
    // The same command completes, without reset.
    let out = w.ok(&args);
    assert!(out.contains("ClusterSuccess") || w.clusterfile("f").contains("phase: ClusterSuccess"));
    for ip in &ips {
        assert!(marker_up(ip).is_some(), "marker on {ip}");
    }

    // kill -9 in the middle of a run (adding the app), then the same command converges.
    let app_args = [
        "run",
        app.as_str(),
        "--cluster",
        "f",
        "-p",
        "hoist-test",
        "--ssh-timeout",
        "5s",
    ];
    let mut child = w
        .cmd(&app_args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    Stderr::of(&mut child).wait_for("==> distribute", Duration::from_secs(60));
    child.kill().unwrap();
    child.wait().unwrap();
    w.ok(&app_args);
    assert!(exists_on(&tb, 0, "/var/lib/hoist-marker/app-ran"));

    // A host whose key changed is refused, unless the user opts out.
    tb.rekey(1);
    let refused = w.hoist(&["exec", "-c", "f", "true"]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        err.contains(&ips[1]) && err.to_lowercase().contains("host key"),
        "{err}"
    );
    w.ok(&["exec", "-c", "f", "--insecure-ignore-host-keys", "true"]);
    w.ok(&["reset", "-c", "f", "--force", "--insecure-ignore-host-keys"]);
}

#[test]
fn add_a_node_then_delete_it_and_master0_stays() {
    let Some(tb) = testbed(3) else { return };
    let mut w = World::new("scale");
    let (rootfs, _) = w.build_images();
    let ips = tb.hosts();
    w.ok(&[
        "run",
        &rootfs,
        "--cluster",
        "s",
        "--masters",
        &ips[0],
        "--nodes",
        &ips[1],
        "-p",
        "hoist-test",
    ]);
    assert_eq!(marker_up(&ips[2]), None);
    w.ok(&["add", "-c", "s", "--nodes", &ips[2], "-p", "hoist-test"]);
    assert!(marker_up(&ips[2]).is_some());
    assert!(w.clusterfile("s").contains(&format!("{}:22", ips[2])));
    assert!(exists_on(&tb, 2, "/var/lib/hoist-marker/cmd.txt"));

    let refused = w.hoist(&["delete", "-c", "s", "--masters", &ips[0], "--force"]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("master0"), "{err}");

    w.ok(&["delete", "-c", "s", "--nodes", &ips[2], "--force"]);
    assert_eq!(marker_up(&ips[2]), None);
    assert!(!exists_on(&tb, 2, "/var/lib/hoist/data/s"));
    assert!(!w.clusterfile("s").contains(&format!("{}:22", ips[2])));
    assert!(marker_up(&ips[0]).is_some() && marker_up(&ips[1]).is_some());
    w.ok(&["reset", "-c", "s", "--force"]);
}
