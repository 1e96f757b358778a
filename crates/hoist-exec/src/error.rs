//! Errors of the executors. Every `Display` starts with the host name and never contains a secret.

use std::path::PathBuf;
use std::time::Duration;

/// An error of a host operation. `Display` starts with the host (`10.77.0.2:22` or `local`).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// TCP connect or SSH handshake failed (after the configured retries for transient errors).
    #[error("{host}: connect: {reason}")]
    Connect { host: String, reason: String },
    /// The server refused every authentication method tried.
    #[error("{host}: authentication failed for user {user} (tried: {tried})")]
    Auth {
        host: String,
        user: String,
        tried: String,
    },
    /// A private key could not be read or decrypted.
    #[error("{host}: private key {key}: {reason}")]
    Key {
        host: String,
        key: String,
        reason: String,
    },
    /// The host presented a key different from the one recorded in the known_hosts file.
    #[error(
        "{host}: host key changed: {known_hosts} line {line} records {old_fingerprint}, the host \
         now presents {new_fingerprint}; if the host was reinstalled, remove that line, or pass \
         --insecure-ignore-host-keys to skip host key checking"
    )]
    HostKeyChanged {
        host: String,
        known_hosts: PathBuf,
        line: usize,
        old_fingerprint: String,
        new_fingerprint: String,
    },
    /// The known_hosts file could not be read or written.
    #[error("{host}: known hosts file {file}: {reason}")]
    KnownHosts {
        host: String,
        file: PathBuf,
        reason: String,
    },
    /// An SSH protocol or channel error while running `what`.
    #[error("{host}: {what}: ssh: {reason}")]
    Ssh {
        host: String,
        what: String,
        reason: String,
    },
    /// The command ran and exited with a non-zero status (or was killed by a signal).
    #[error("{host}: {what}: {status}{}", tail_text(.tail))]
    Failed {
        host: String,
        what: String,
        status: ExitStatus,
        tail: Vec<String>,
    },
    /// The command did not finish within its timeout; it was killed.
    #[error("{host}: {what}: timed out after {}", secs(.after))]
    Timeout {
        host: String,
        what: String,
        after: Duration,
    },
    /// No bytes moved either way on a busy channel for the stall timeout.
    #[error("{host}: {what}: stalled: no data moved for {}", secs(.after))]
    Stalled {
        host: String,
        what: String,
        after: Duration,
    },
    /// sudo is needed (non-root user) but does not work.
    #[error("{host}: sudo: {reason}")]
    Sudo { host: String, reason: String },
    /// A local I/O error (reading a source file, spawning bash, ...).
    #[error("{host}: {what}: {source}")]
    Io {
        host: String,
        what: String,
        source: std::io::Error,
    },
    /// sync_tree refused its input (bad destination directory, a file that changed while read).
    #[error("{host}: sync to {dir}: {reason}")]
    Sync {
        host: String,
        dir: String,
        reason: String,
    },
}

impl ExecError {
    /// The host this error is about.
    pub fn host(&self) -> &str {
        match self {
            ExecError::Connect { host, .. }
            | ExecError::Auth { host, .. }
            | ExecError::Key { host, .. }
            | ExecError::HostKeyChanged { host, .. }
            | ExecError::KnownHosts { host, .. }
            | ExecError::Ssh { host, .. }
            | ExecError::Failed { host, .. }
            | ExecError::Timeout { host, .. }
            | ExecError::Stalled { host, .. }
            | ExecError::Sudo { host, .. }
            | ExecError::Io { host, .. }
            | ExecError::Sync { host, .. } => host,
        }
    }
}

/// How a remote or local command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Exit code.
    Code(u32),
    /// Killed by this signal (name as SSH reports it, e.g. `KILL`).
    Signal(&'static str),
    /// The channel closed without an exit status.
    Unknown,
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExitStatus::Code(c) => write!(f, "exit status {c}"),
            ExitStatus::Signal(s) => write!(f, "killed by signal {s}"),
            ExitStatus::Unknown => f.write_str("ended without an exit status"),
        }
    }
}

fn tail_text(tail: &[String]) -> String {
    if tail.is_empty() {
        String::new()
    } else {
        let mut s = String::from(", last output:");
        for l in tail {
            s.push_str("\n  ");
            s.push_str(l);
        }
        s
    }
}

fn secs(d: &Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
