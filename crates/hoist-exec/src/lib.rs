//! Run commands and sync file trees on hosts: over SSH (russh, one connection per host, many
//! channels) or on this machine (`bash -c`). Files travel as one tar stream per sync into
//! `tar -x`, and only what changed since the last sync (a manifest kept in the destination).
//!
//! Library code: it never prints. Every error names its host first and never holds a secret.

mod error;
mod exec;
mod known_hosts;
mod shell;
mod ssh;
mod sync;
mod tree;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use error::{ExecError, ExitStatus};
pub use shell::quote;
pub use sync::{MANIFEST_NAME, SyncOptions, SyncStats};
pub use tree::{Node, Source, Tree, TreeError};

/// A secret string (password, passphrase, key data). `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(s.to_string())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// An SSH server address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl Target {
    pub fn new(host: impl Into<String>, port: u16) -> Target {
        Target {
            host: host.into(),
            port,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// How to log in. With both a key and a password, the key is tried first, then the password.
/// A user other than root runs every command through sudo (`sudo -n` when it works without a
/// password, otherwise `sudo -S` fed with `password`).
#[derive(Clone, Debug, Default)]
pub struct SshAuth {
    /// Login user; "" means root.
    pub user: String,
    pub password: Option<Secret>,
    pub key_file: Option<PathBuf>,
    /// An inline private key (PEM / OpenSSH format).
    pub key_data: Option<Secret>,
    pub key_passphrase: Option<Secret>,
}

impl SshAuth {
    /// The effective user name.
    pub fn user(&self) -> &str {
        if self.user.is_empty() {
            "root"
        } else {
            &self.user
        }
    }
}

/// Host key checking.
#[derive(Clone, Debug)]
pub enum HostKeyCheck {
    /// Trust on first use: record unknown hosts in this OpenSSH-format known_hosts file; refuse a
    /// host whose key differs from the recorded one.
    Tofu { known_hosts: PathBuf },
    /// Accept any host key (`--insecure-ignore-host-keys`).
    Ignore,
}

/// Connection options.
#[derive(Clone, Debug)]
pub struct SshOptions {
    /// TCP connect plus SSH handshake, per attempt.
    pub connect_timeout: Duration,
    /// No bytes either way on a busy channel (or no answer to keepalives on an idle connection)
    /// for this long is an error.
    pub stall_timeout: Duration,
    /// Extra connect attempts after transient errors (refused, reset, timeout).
    pub retries: u32,
    pub host_key: HostKeyCheck,
}

impl Default for SshOptions {
    fn default() -> SshOptions {
        SshOptions {
            connect_timeout: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(60),
            retries: 3,
            host_key: HostKeyCheck::Ignore,
        }
    }
}

/// A command to run: a bash script with exported environment and a working directory.
#[derive(Clone, Debug, Default)]
pub struct Command {
    pub script: String,
    pub env: Vec<(String, String)>,
    pub cwd: Option<String>,
    pub timeout: Option<Duration>,
}

impl Command {
    pub fn new(script: impl Into<String>) -> Command {
        Command {
            script: script.into(),
            ..Command::default()
        }
    }
}

/// Which output stream a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of command output (without its newline).
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    pub host: &'a str,
    pub stream: Stream,
    pub text: &'a str,
}

/// A host to run commands on: this machine or an SSH server. Cheap to clone; clones share one
/// connection, on which several commands may run at once. A connection that died (link cut,
/// stall) is re-established on the next call.
#[derive(Clone)]
pub struct Host {
    inner: Arc<HostInner>,
}

enum HostInner {
    Local,
    Ssh(Box<ssh::SshHost>),
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Host({})", self.name())
    }
}

impl Host {
    /// This machine (no SSH); commands run as the current user.
    pub fn local() -> Host {
        Host {
            inner: Arc::new(HostInner::Local),
        }
    }

    /// Connect and log in (with retries for transient connect errors). A non-root user's sudo
    /// is checked here.
    pub async fn connect(t: &Target, a: &SshAuth, o: &SshOptions) -> Result<Host, ExecError> {
        let h = ssh::SshHost::connect(t, a, o).await?;
        Ok(Host {
            inner: Arc::new(HostInner::Ssh(Box::new(h))),
        })
    }

    /// `10.77.0.2:22` or `local`.
    pub fn name(&self) -> &str {
        match &*self.inner {
            HostInner::Local => "local",
            HostInner::Ssh(h) => h.name(),
        }
    }

    /// Run a command, streaming its output line by line to `out`. A non-zero exit is
    /// [`ExecError::Failed`] with the last output lines.
    pub async fn run(
        &self,
        cmd: &Command,
        out: &(dyn Fn(Line<'_>) + Send + Sync),
    ) -> Result<(), ExecError> {
        let script = exec::compose(self.name(), cmd)?;
        let what = exec::describe(&cmd.script);
        let r = self
            .exec(&script, exec::Stdin::None, out, cmd.timeout, None, &what)
            .await?;
        r.check(self.name(), &what)
    }

    /// Run a script and return its stdout; a non-zero exit is an error (with stderr's tail).
    pub async fn output(&self, script: &str) -> Result<String, ExecError> {
        let what = exec::describe(script);
        let buf = std::sync::Mutex::new(String::new());
        let collect = |l: Line<'_>| {
            if l.stream == Stream::Stdout
                && let Ok(mut b) = buf.lock()
            {
                b.push_str(l.text);
                b.push('\n');
            }
        };
        let r = self
            .exec(script, exec::Stdin::None, &collect, None, None, &what)
            .await?;
        r.check(self.name(), &what)?;
        Ok(buf.into_inner().unwrap_or_default())
    }

    /// Write a file atomically (temp file in the same directory, then rename); parent
    /// directories are created.
    pub async fn write_file(&self, path: &str, bytes: &[u8], mode: u32) -> Result<(), ExecError> {
        let script = exec::write_file_script(path, mode);
        let what = format!("write {path}");
        let r = self
            .exec(
                &script,
                exec::Stdin::Bytes(bytes.to_vec()),
                &|_| {},
                None,
                None,
                &what,
            )
            .await?;
        r.check(self.name(), &what)
    }

    /// Make directory `dir` on the host equal to `tree`, sending only what changed since the
    /// last sync: one tar stream into `tar -x`, a manifest in `dir/.hoist-sync`.
    ///
    /// `dir` belongs to one tree: entries an earlier sync into `dir` wrote and `tree` lacks are
    /// removed. Files that no sync wrote (or written while the manifest was missing) are left
    /// alone. An interrupted sync converges on the next call.
    pub async fn sync_tree(
        &self,
        tree: &Tree,
        dir: &str,
        o: &SyncOptions,
    ) -> Result<SyncStats, ExecError> {
        sync::sync_tree(self, tree, dir, o).await
    }

    /// The stall timeout for busy channels (none for the local host).
    pub(crate) fn stall_timeout(&self) -> Option<Duration> {
        match &*self.inner {
            HostInner::Local => None,
            HostInner::Ssh(h) => Some(h.stall_timeout()),
        }
    }

    /// Run a raw bash script with optional stdin.
    pub(crate) async fn exec(
        &self,
        script: &str,
        stdin: exec::Stdin,
        out: &(dyn Fn(Line<'_>) + Send + Sync),
        timeout: Option<Duration>,
        stall: Option<Duration>,
        what: &str,
    ) -> Result<exec::Outcome, ExecError> {
        match &*self.inner {
            HostInner::Local => exec::local_exec(script, stdin, out, timeout, what).await,
            HostInner::Ssh(h) => h.exec(script, stdin, out, timeout, stall, what).await,
        }
    }
}

/// Connect to many hosts, at most `parallel` at a time. Results are in the order of `targets`.
pub async fn connect_all(
    targets: &[(Target, SshAuth)],
    o: &SshOptions,
    parallel: usize,
) -> Vec<Result<Host, ExecError>> {
    let sem = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, (t, a)) in targets.iter().enumerate() {
        let (t, a, o, sem) = (t.clone(), a.clone(), o.clone(), sem.clone());
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            (i, Host::connect(&t, &a, &o).await)
        });
    }
    let mut out: Vec<Option<Result<Host, ExecError>>> = (0..targets.len()).map(|_| None).collect();
    while let Some(r) = set.join_next().await {
        if let Ok((i, r)) = r
            && let Some(slot) = out.get_mut(i)
        {
            *slot = Some(r);
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                Err(ExecError::Connect {
                    host: targets[i].0.to_string(),
                    reason: "connect task failed".into(),
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hidden() {
        let a = SshAuth {
            user: "deploy".into(),
            password: Some("pw-123".into()),
            key_data: Some("-----BEGIN".into()),
            key_passphrase: Some("pp-456".into()),
            key_file: None,
        };
        let d = format!("{a:?}");
        assert!(
            !d.contains("pw-123") && !d.contains("pp-456") && !d.contains("BEGIN"),
            "{d}"
        );
        assert_eq!(Target::new("10.77.0.2", 22).to_string(), "10.77.0.2:22");
    }
}
