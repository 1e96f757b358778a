//! Real parts for hoist's tests on this machine: test hosts as network namespaces on a private
//! bridge, each with an overlay of `/` as its root and a real sshd (`scripts/testbed.sh`); and
//! Debian's `docker-registry` and skopeo ([`registry`]).
//!
//! ```no_run
//! let tb = match hoist_testkit::Testbed::up(2) {
//!     Ok(tb) => tb,
//!     Err(why) => { eprintln!("skipping: {why}"); return; }
//! };
//! let ips = tb.hosts();
//! ```

pub mod registry;

pub use registry::{
    DockerRegistry, free_port, have, htpasswd_file, skip_without, skopeo, skopeo_ok, wait_for,
};

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Root password on every host.
pub const ROOT_PASSWORD: &str = "hoist-test";
/// The non-root sudo user (sudo asks for the password).
pub const DEPLOY_USER: &str = "deploy";
/// Its password.
pub const DEPLOY_PASSWORD: &str = "deploy-pass";

const LOCK_DIR: &str = "/run/hoist-testbed";
const MAX_INDEX: u32 = 200;

/// A set of running test hosts. Dropping it tears everything down.
pub struct Testbed {
    index: u32,
    n: usize,
    dir: tempfile::TempDir,
    script: PathBuf,
    _lock: File,
}

fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/testbed.sh")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

impl Testbed {
    /// Start `n` hosts. `Err` carries the reason to skip (not root, sshd missing, setup failed).
    pub fn up(n: usize) -> Result<Testbed, String> {
        if !is_root() {
            return Err("the testbed needs root".into());
        }
        for tool in [
            "/usr/sbin/sshd",
            "/usr/bin/ssh-keygen",
            "/usr/bin/nsenter",
            "/usr/bin/unshare",
        ] {
            if !Path::new(tool).exists() {
                return Err(format!("the testbed needs {tool}"));
            }
        }
        if Command::new("ip").arg("-V").output().is_err() {
            return Err("the testbed needs iproute2 (ip)".into());
        }
        if n == 0 || n > 250 {
            return Err(format!("cannot start {n} hosts (1..=250)"));
        }
        let script = script_path();
        if !script.exists() {
            return Err(format!("missing {}", script.display()));
        }
        std::fs::create_dir_all(LOCK_DIR).map_err(|e| format!("{LOCK_DIR}: {e}"))?;
        // An index whose lock we hold is ours: nextest runs test binaries in parallel.
        let mut found = None;
        for index in 0..MAX_INDEX {
            let path = Path::new(LOCK_DIR).join(format!("{index}.lock"));
            let Ok(f) = File::options()
                .create(true)
                .write(true)
                .truncate(false)
                .open(&path)
            else {
                continue;
            };
            if f.try_lock().is_ok() {
                found = Some((index, f));
                break;
            }
        }
        let Some((index, lock)) = found else {
            return Err("no free testbed index".into());
        };
        // Leftovers of a test process that was killed before its Drop ran.
        let _ = Command::new("bash")
            .arg(&script)
            .args(["down", &index.to_string(), "250", "/nonexistent"])
            .output();
        let dir = tempfile::Builder::new()
            .prefix("hoist-testbed-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let tb = Testbed {
            index,
            n,
            dir,
            script,
            _lock: lock,
        };
        let out = tb
            .script_cmd("up", n, &[])
            .map_err(|e| format!("testbed.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "testbed.sh up failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(tb)
    }

    fn script_cmd(&self, cmd: &str, i: usize, extra: &[&str]) -> std::io::Result<Output> {
        Command::new("bash")
            .arg(&self.script)
            .arg(cmd)
            .arg(self.index.to_string())
            .arg(i.to_string())
            .arg(self.dir.path())
            .args(extra)
            .output()
    }

    fn checked(&self, cmd: &str, i: usize) {
        assert!(i < self.n, "testbed has {} hosts, no host {i}", self.n);
        match self.script_cmd(cmd, i + 1, &[]) {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!("testbed {cmd} {i}: {}", String::from_utf8_lossy(&o.stderr)),
            Err(e) => panic!("testbed {cmd} {i}: {e}"),
        }
    }

    /// The hosts' IP addresses (host `i` is `hosts()[i]`, 0-based).
    pub fn hosts(&self) -> Vec<String> {
        (1..=self.n)
            .map(|i| format!("10.77.{}.{}", 10 + self.index, i + 1))
            .collect()
    }

    /// The address of the bridge (this machine as the hosts see it).
    pub fn gateway(&self) -> String {
        format!("10.77.{}.1", 10 + self.index)
    }

    /// Private key (ed25519, no passphrase) authorized for root and `deploy` on every host.
    pub fn key_file(&self) -> PathBuf {
        self.dir.path().join("client_key")
    }

    /// A scratch directory that lives as long as the testbed.
    pub fn work_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Cut host `i` off the network (its link goes down).
    pub fn cut(&self, i: usize) {
        self.checked("cut", i);
    }

    /// Bring host `i`'s link back.
    pub fn restore(&self, i: usize) {
        self.checked("restore", i);
    }

    /// New SSH host keys for host `i`; its sshd restarts (open connections die).
    pub fn rekey(&self, i: usize) {
        self.checked("rekey", i);
    }

    /// Run a bash command inside host `i`'s root, without SSH (as root).
    pub fn exec_on(&self, i: usize, cmd: &str) -> Output {
        assert!(i < self.n, "testbed has {} hosts, no host {i}", self.n);
        match self.script_cmd("exec", i + 1, &[cmd]) {
            Ok(o) => o,
            Err(e) => panic!("testbed exec on {i}: {e}"),
        }
    }

    /// Like [`Testbed::exec_on`], returning stdout and panicking on failure.
    pub fn sh(&self, i: usize, cmd: &str) -> String {
        let o = self.exec_on(i, cmd);
        assert!(
            o.status.success(),
            "on host {i}: `{cmd}` failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The overlay upper directory of host `i`: everything written on the host lands here.
    pub fn upper_dir(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("h{}", i + 1)).join("upper")
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        let _ = self.script_cmd("down", self.n, &[]);
    }
}
