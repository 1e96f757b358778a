//! Debian's real `docker-registry` as a child process, skopeo, and the small helpers the registry
//! tests of several crates share.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Whether an executable is on PATH.
pub fn have(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
}

/// Prints why a test is skipped and returns true when one of `tools` is not installed.
pub fn skip_without(tools: &[&str]) -> bool {
    for t in tools {
        if !have(t) {
            eprintln!("skipping: `{t}` is not installed (CI installs it)");
            return true;
        }
    }
    false
}

/// A port on 127.0.0.1 that was free a moment ago.
///
/// # Panics
/// When no port can be bound.
#[must_use]
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Waits until something accepts connections on `addr`.
///
/// # Panics
/// After 20 seconds without.
pub fn wait_for(addr: &str) {
    let start = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{addr} did not come up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Writes an htpasswd file (bcrypt, as `docker-registry` wants) with one user into `dir`.
///
/// # Panics
/// When the file cannot be written.
#[must_use]
pub fn htpasswd_file(dir: &Path, user: &str, password: &str) -> PathBuf {
    let hash = bcrypt::hash(password, 5).expect("bcrypt");
    let p = dir.join("htpasswd");
    std::fs::write(&p, format!("{user}:{hash}\n")).expect("write htpasswd");
    p
}

/// Debian's `docker-registry` serving the storage directory `root` on 127.0.0.1; killed on drop.
#[derive(Debug)]
pub struct DockerRegistry {
    /// Where it listens.
    pub addr: SocketAddr,
    child: Child,
    _config_dir: tempfile::TempDir,
}

impl DockerRegistry {
    /// Starts it without authentication.
    #[must_use]
    pub fn start(root: &Path) -> DockerRegistry {
        Self::start_with(root, None)
    }

    /// Starts it, with htpasswd auth (realm `hoist-registry`) when a file is given. Retries on
    /// another port if the chosen one was taken in the meantime.
    ///
    /// # Panics
    /// When it cannot be started.
    #[must_use]
    pub fn start_with(root: &Path, htpasswd: Option<&Path>) -> DockerRegistry {
        for _ in 0..5 {
            if let Some(r) = Self::try_start(root, htpasswd) {
                return r;
            }
        }
        panic!("docker-registry did not start");
    }

    /// `127.0.0.1:PORT`, as image references want it.
    #[must_use]
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    fn try_start(root: &Path, htpasswd: Option<&Path>) -> Option<DockerRegistry> {
        let config_dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let cfg = config_dir.path().join("config.yml");
        let auth = htpasswd
            .map(|p| {
                format!(
                    "auth:\n  htpasswd:\n    realm: hoist-registry\n    path: {}\n",
                    p.display()
                )
            })
            .unwrap_or_default();
        std::fs::write(
            &cfg,
            format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
                root.display()
            ),
        )
        .expect("write docker-registry config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&cfg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut reg = DockerRegistry {
            addr,
            child,
            _config_dir: config_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = reg.child.try_wait() {
                // Exited: most likely the port was taken; the caller tries another.
                return None;
            }
            if TcpStream::connect(addr).is_ok() {
                return Some(reg);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("docker-registry did not start on {addr}");
    }
}

impl Drop for DockerRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs skopeo with the insecure policy and a private auth file; returns its output.
///
/// # Panics
/// When skopeo cannot be started.
pub fn skopeo(args: &[&str]) -> Output {
    let auth = std::env::temp_dir().join(format!("hoist-test-auth-{}.json", std::process::id()));
    Command::new("skopeo")
        .arg("--insecure-policy")
        .args(args)
        .env("REGISTRY_AUTH_FILE", &auth)
        .stdin(Stdio::null())
        .output()
        .expect("run skopeo")
}

/// Runs skopeo and panics with its stderr when it fails; returns its stdout.
///
/// # Panics
/// When skopeo fails.
pub fn skopeo_ok(args: &[&str]) -> String {
    let out = skopeo(args);
    assert!(
        out.status.success(),
        "skopeo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
