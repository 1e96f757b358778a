//! Command composition, output handling and the local executor.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::shell::{LineSplitter, quote, valid_env_name};
use crate::{Command, ExecError, ExitStatus, Line, Stream};

const TAIL_LINES: usize = 20;

/// What a command reads on stdin.
pub(crate) enum Stdin {
    None,
    Bytes(Vec<u8>),
    /// Chunks from a producer; the counter gets the bytes accepted by the channel.
    Stream {
        rx: mpsc::Receiver<Vec<u8>>,
        progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
    },
}

/// How a command ended, with its last output lines.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub status: ExitStatus,
    pub tail: Vec<String>,
}

impl Outcome {
    pub fn check(self, host: &str, what: &str) -> Result<(), ExecError> {
        if self.status == ExitStatus::Code(0) {
            Ok(())
        } else {
            Err(ExecError::Failed {
                host: host.to_string(),
                what: what.to_string(),
                status: self.status,
                tail: self.tail,
            })
        }
    }
}

/// A short description of a script for errors: its first non-empty line, cut at 60 chars.
pub(crate) fn describe(script: &str) -> String {
    let first = script
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut s: String = first.chars().take(60).collect();
    if s.len() < first.len() || script.trim().lines().count() > 1 {
        s.push_str(" ...");
    }
    format!("`{s}`")
}

/// The bash script for a [`Command`]: exports, cd, then the user's script.
pub(crate) fn compose(host: &str, cmd: &Command) -> Result<String, ExecError> {
    let mut s = String::new();
    for (k, v) in &cmd.env {
        if !valid_env_name(k) {
            return Err(ExecError::Io {
                host: host.to_string(),
                what: describe(&cmd.script),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("invalid environment variable name {k:?}"),
                ),
            });
        }
        s.push_str(&format!("export {k}={}\n", quote(v)));
    }
    if let Some(cwd) = &cmd.cwd {
        s.push_str(&format!("cd -- {} || exit 1\n", quote(cwd)));
    }
    s.push_str(&cmd.script);
    Ok(s)
}

/// Atomic write: temp file next to the target, chmod, rename.
pub(crate) fn write_file_script(path: &str, mode: u32) -> String {
    let p = quote(path);
    format!(
        "set -e\nf={p}\nd=$(dirname -- \"$f\")\nmkdir -p -- \"$d\"\nt=\"$f.hoist-tmp.$$\"\n\
         trap 'rm -f -- \"$t\"' EXIT\ncat > \"$t\"\nchmod {mode:o} -- \"$t\"\nmv -f -- \"$t\" \"$f\"\ntrap - EXIT\n"
    )
}

/// Time of the last data movement, for stall detection.
#[derive(Clone)]
pub(crate) struct Activity {
    base: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    pub fn new() -> Activity {
        Activity {
            base: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }
    pub fn touch(&self) {
        let ms = self.base.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }
    pub fn idle(&self) -> Duration {
        let now = self.base.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }
    /// Resolves when idle for `limit`.
    pub async fn stalled(&self, limit: Duration) {
        loop {
            let idle = self.idle();
            if idle >= limit {
                return;
            }
            let wait = (limit - idle)
                .min(Duration::from_millis(250))
                .max(Duration::from_millis(20));
            tokio::time::sleep(wait).await;
        }
    }
}

/// Turns output bytes into lines for the caller, keeping a tail for errors.
pub(crate) struct Sink<'a> {
    host: &'a str,
    out: &'a (dyn Fn(Line<'_>) + Send + Sync),
    scrub: Option<&'a str>,
    stdout: LineSplitter,
    stderr: LineSplitter,
    tail: VecDeque<String>,
}

impl<'a> Sink<'a> {
    pub fn new(
        host: &'a str,
        out: &'a (dyn Fn(Line<'_>) + Send + Sync),
        scrub: Option<&'a str>,
    ) -> Sink<'a> {
        Sink {
            host,
            out,
            scrub,
            stdout: LineSplitter::default(),
            stderr: LineSplitter::default(),
            tail: VecDeque::new(),
        }
    }

    pub fn data(&mut self, stream: Stream, data: &[u8]) {
        let (host, out, scrub, tail) = (self.host, self.out, self.scrub, &mut self.tail);
        let splitter = match stream {
            Stream::Stdout => &mut self.stdout,
            Stream::Stderr => &mut self.stderr,
        };
        splitter.feed(data, &mut |text| emit(host, out, scrub, tail, stream, text));
    }

    pub fn finish(mut self) -> Vec<String> {
        let (host, out, scrub, tail) = (self.host, self.out, self.scrub, &mut self.tail);
        self.stdout
            .finish(&mut |t| emit(host, out, scrub, tail, Stream::Stdout, t));
        self.stderr
            .finish(&mut |t| emit(host, out, scrub, tail, Stream::Stderr, t));
        self.tail.into_iter().collect()
    }
}

fn emit(
    host: &str,
    out: &(dyn Fn(Line<'_>) + Send + Sync),
    scrub: Option<&str>,
    tail: &mut VecDeque<String>,
    stream: Stream,
    text: &str,
) {
    let cleaned;
    let text = match scrub {
        Some(s) if !s.is_empty() && text.contains(s) => {
            cleaned = text.replace(s, "***");
            cleaned.as_str()
        }
        _ => text,
    };
    out(Line { host, stream, text });
    if tail.len() == TAIL_LINES {
        tail.pop_front();
    }
    tail.push_back(text.to_string());
}

/// Write `prefix` then the stdin source to `w`, touching `activity` per chunk.
pub(crate) async fn feed<W: AsyncWrite + Unpin>(
    w: &mut W,
    prefix: Option<&[u8]>,
    stdin: Stdin,
    activity: &Activity,
) -> std::io::Result<()> {
    if let Some(p) = prefix {
        w.write_all(p).await?;
    }
    match stdin {
        Stdin::None => {}
        Stdin::Bytes(b) => {
            for chunk in b.chunks(256 * 1024) {
                w.write_all(chunk).await?;
                activity.touch();
            }
        }
        Stdin::Stream { mut rx, progress } => {
            while let Some(chunk) = rx.recv().await {
                // Write in pieces so that stall detection sees progress on slow links.
                for piece in chunk.chunks(64 * 1024) {
                    w.write_all(piece).await?;
                    activity.touch();
                    if let Some(p) = &progress {
                        p(piece.len() as u64);
                    }
                }
            }
        }
    }
    w.flush().await?;
    Ok(())
}

pub(crate) fn signal_name(sig: i32) -> &'static str {
    match sig {
        1 => "HUP",
        2 => "INT",
        3 => "QUIT",
        4 => "ILL",
        6 => "ABRT",
        8 => "FPE",
        9 => "KILL",
        11 => "SEGV",
        13 => "PIPE",
        14 => "ALRM",
        15 => "TERM",
        _ => "UNKNOWN",
    }
}

/// Run `bash -c script` on this machine in its own process group.
pub(crate) async fn local_exec(
    script: &str,
    stdin: Stdin,
    out: &(dyn Fn(Line<'_>) + Send + Sync),
    timeout: Option<Duration>,
    what: &str,
) -> Result<Outcome, ExecError> {
    const HOST: &str = "local";
    let io_err = |e: std::io::Error| ExecError::Io {
        host: HOST.to_string(),
        what: what.to_string(),
        source: e,
    };
    let mut cmd = tokio::process::Command::new("bash");
    cmd.arg("-c").arg(script);
    cmd.stdin(if matches!(stdin, Stdin::None) {
        std::process::Stdio::null()
    } else {
        std::process::Stdio::piped()
    });
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.process_group(0).kill_on_drop(true);
    let mut child = cmd.spawn().map_err(io_err)?;
    let pid = child.id();
    let mut child_in = child.stdin.take();
    let mut child_out = child.stdout.take();
    let mut child_err = child.stderr.take();
    let activity = Activity::new();
    let mut sink = Sink::new(HOST, out, None);

    let writer = async {
        if let Some(w) = child_in.as_mut() {
            let r = feed(w, None, stdin, &activity).await;
            let _ = w.shutdown().await;
            drop(child_in.take());
            r
        } else {
            Ok(())
        }
    };
    let reader = async {
        let mut ob = vec![0u8; 64 * 1024];
        let mut eb = vec![0u8; 64 * 1024];
        let (mut o_done, mut e_done) = (child_out.is_none(), child_err.is_none());
        while !(o_done && e_done) {
            tokio::select! {
                r = read_opt(&mut child_out, &mut ob), if !o_done => {
                    match r { Ok(0) | Err(_) => o_done = true, Ok(n) => sink.data(Stream::Stdout, &ob[..n]) }
                }
                r = read_opt(&mut child_err, &mut eb), if !e_done => {
                    match r { Ok(0) | Err(_) => e_done = true, Ok(n) => sink.data(Stream::Stderr, &eb[..n]) }
                }
            }
        }
        child.wait().await
    };
    let both = async { tokio::join!(writer, reader) };
    let result = match timeout {
        Some(t) => tokio::time::timeout(t, both).await.ok(),
        None => Some(both.await),
    };
    let Some((_w, status)) = result else {
        if let Some(pid) = pid {
            let _ = std::process::Command::new("kill")
                .arg("-KILL")
                .arg("--")
                .arg(format!("-{pid}"))
                .status();
        }
        return Err(ExecError::Timeout {
            host: HOST.to_string(),
            what: what.to_string(),
            after: timeout.unwrap_or_default(),
        });
    };
    let status = status.map_err(io_err)?;
    let tail = sink.finish();
    use std::os::unix::process::ExitStatusExt;
    let status = match (status.code(), status.signal()) {
        (Some(c), _) => ExitStatus::Code(c as u32),
        (None, Some(s)) => ExitStatus::Signal(signal_name(s)),
        _ => ExitStatus::Unknown,
    };
    Ok(Outcome { status, tail })
}

async fn read_opt<R: tokio::io::AsyncRead + Unpin>(
    r: &mut Option<R>,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    match r {
        Some(r) => r.read(buf).await,
        None => Ok(0),
    }
}
