//! The SSH executor: one russh connection per host, a channel per command.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, Handle};
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Sig, cipher};

use crate::exec::{Activity, Outcome, Sink, Stdin, feed};
use crate::known_hosts::{self, Verdict};
use crate::shell::quote;
use crate::{
    ExecError, ExitStatus, HostKeyCheck, Line, Secret, SshAuth, SshOptions, Stream, Target,
};

/// How commands get root.
enum Sudo {
    /// Logged in as root.
    None,
    /// `sudo -n` works.
    NoPassword,
    /// `sudo -S` with this password on stdin.
    Password(Secret),
}

pub(crate) struct SshHost {
    name: String,
    target: Target,
    auth: SshAuth,
    opts: SshOptions,
    config: Arc<client::Config>,
    conn: tokio::sync::Mutex<Option<Arc<Handle<Client>>>>,
    sudo: Sudo,
}

struct Client {
    name: String,
    pattern: String,
    check: HostKeyCheck,
    verdict: Arc<Mutex<Option<ExecError>>>,
}

impl Client {
    fn refuse(&self, e: ExecError) -> Result<bool, russh::Error> {
        if let Ok(mut v) = self.verdict.lock() {
            *v = Some(e);
        }
        Ok(false)
    }
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let file = match &self.check {
            HostKeyCheck::Ignore => return Ok(true),
            HostKeyCheck::Tofu { known_hosts } => known_hosts.clone(),
        };
        let key = match server_key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key,
            PublicKeyOrCertificate::Certificate(_) => {
                return self.refuse(ExecError::KnownHosts {
                    host: self.name.clone(),
                    file,
                    reason: "the host presented a certificate, which is not supported".into(),
                });
            }
        };
        let verdict = known_hosts::check(&file, &self.pattern, key).and_then(|v| match v {
            Verdict::Unknown => known_hosts::learn(&file, &self.pattern, key),
            v => Ok(v),
        });
        match verdict {
            Ok(Verdict::Known | Verdict::Unknown) => Ok(true),
            Ok(Verdict::Changed {
                line,
                old_fingerprint,
            }) => self.refuse(ExecError::HostKeyChanged {
                host: self.name.clone(),
                known_hosts: file,
                line,
                old_fingerprint,
                new_fingerprint: known_hosts::fingerprint(key),
            }),
            Err(reason) => self.refuse(ExecError::KnownHosts {
                host: self.name.clone(),
                file,
                reason,
            }),
        }
    }
}

fn config(o: &SshOptions) -> client::Config {
    let keepalive = (o.stall_timeout / 3).max(Duration::from_millis(500));
    client::Config {
        // Large windows and packets: a sync is one long stream.
        window_size: 64 * 1024 * 1024,
        maximum_packet_size: 256 * 1024,
        channel_buffer_size: 1024,
        keepalive_interval: Some(keepalive),
        keepalive_max: 3,
        nodelay: true,
        preferred: russh::Preferred {
            cipher: Cow::Borrowed(&[
                cipher::AES_128_GCM,
                cipher::AES_256_GCM,
                cipher::CHACHA20_POLY1305,
                cipher::AES_128_CTR,
                cipher::AES_256_CTR,
                cipher::AES_192_CTR,
            ]),
            ..russh::Preferred::default()
        },
        ..client::Config::default()
    }
}

fn sig_name(s: &Sig) -> &'static str {
    match s {
        Sig::ABRT => "ABRT",
        Sig::ALRM => "ALRM",
        Sig::FPE => "FPE",
        Sig::HUP => "HUP",
        Sig::ILL => "ILL",
        Sig::INT => "INT",
        Sig::KILL => "KILL",
        Sig::PIPE => "PIPE",
        Sig::QUIT => "QUIT",
        Sig::SEGV => "SEGV",
        Sig::TERM => "TERM",
        Sig::USR1 => "USR1",
        _ => "UNKNOWN",
    }
}

fn token() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}-{}-{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn sleep_opt(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

async fn stall_opt(a: &Activity, d: Option<Duration>) {
    match d {
        Some(d) => a.stalled(d).await,
        None => std::future::pending().await,
    }
}

enum DialError {
    Transient(String),
    Fatal(ExecError),
}

impl SshHost {
    pub(crate) async fn connect(
        t: &Target,
        a: &SshAuth,
        o: &SshOptions,
    ) -> Result<SshHost, ExecError> {
        let mut h = SshHost {
            name: t.to_string(),
            target: t.clone(),
            auth: a.clone(),
            opts: o.clone(),
            config: Arc::new(config(o)),
            conn: tokio::sync::Mutex::new(None),
            sudo: Sudo::None,
        };
        let handle = h.dial().await?;
        *h.conn.get_mut() = Some(Arc::new(handle));
        if a.user() != "root" {
            h.sudo = h.probe_sudo().await?;
        }
        Ok(h)
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn stall_timeout(&self) -> Duration {
        self.opts.stall_timeout
    }

    async fn probe_sudo(&self) -> Result<Sudo, ExecError> {
        let quiet = |_: Line<'_>| {};
        let r = self
            .exec_as(
                &Sudo::None,
                "sudo -n true",
                Stdin::None,
                &quiet,
                Some(self.opts.connect_timeout),
                None,
                "sudo -n true",
            )
            .await?;
        if r.status == ExitStatus::Code(0) {
            return Ok(Sudo::NoPassword);
        }
        let Some(pw) = &self.auth.password else {
            return Err(ExecError::Sudo {
                host: self.name.clone(),
                reason: format!(
                    "user {} needs a password for sudo and no password is configured",
                    self.auth.user()
                ),
            });
        };
        let mode = Sudo::Password(pw.clone());
        let r = self
            .exec_as(
                &mode,
                "true",
                Stdin::None,
                &quiet,
                Some(self.opts.connect_timeout),
                None,
                "sudo true",
            )
            .await?;
        if r.status == ExitStatus::Code(0) {
            Ok(mode)
        } else {
            Err(ExecError::Sudo {
                host: self.name.clone(),
                reason: format!(
                    "user {} cannot run commands as root with sudo and the configured password",
                    self.auth.user()
                ),
            })
        }
    }

    /// Connect and authenticate, retrying transient connect errors.
    async fn dial(&self) -> Result<Handle<Client>, ExecError> {
        let mut delay = Duration::from_millis(200);
        let mut attempt = 0;
        loop {
            match self.dial_once().await {
                Ok(h) => return Ok(h),
                Err(DialError::Fatal(e)) => return Err(e),
                Err(DialError::Transient(reason)) => {
                    if attempt >= self.opts.retries {
                        let tries = if attempt == 0 {
                            String::new()
                        } else {
                            format!(" (after {} attempts)", attempt + 1)
                        };
                        return Err(ExecError::Connect {
                            host: self.name.clone(),
                            reason: format!("{reason}{tries}"),
                        });
                    }
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    async fn dial_once(&self) -> Result<Handle<Client>, DialError> {
        let verdict = Arc::new(Mutex::new(None));
        let handler = Client {
            name: self.name.clone(),
            pattern: known_hosts::host_pattern(&self.target.host, self.target.port),
            check: self.opts.host_key.clone(),
            verdict: verdict.clone(),
        };
        let addr = (self.target.host.clone(), self.target.port);
        let config = self.config.clone();
        let fut = async move {
            let tcp = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(russh::Error::IO)?;
            let _ = tcp.set_nodelay(true);
            client::connect_stream(config, tcp, handler).await
        };
        let res = tokio::time::timeout(self.opts.connect_timeout, fut).await;
        let mut handle = match res {
            Err(_) => {
                return Err(DialError::Transient(format!(
                    "timed out after {}s",
                    self.opts.connect_timeout.as_secs_f64()
                )));
            }
            Ok(Err(e)) => {
                if let Some(v) = verdict.lock().ok().and_then(|mut v| v.take()) {
                    return Err(DialError::Fatal(v));
                }
                return Err(classify(&self.name, e));
            }
            Ok(Ok(h)) => h,
        };
        self.authenticate(&mut handle)
            .await
            .map_err(DialError::Fatal)?;
        Ok(handle)
    }

    async fn authenticate(&self, handle: &mut Handle<Client>) -> Result<(), ExecError> {
        let user = self.auth.user().to_string();
        let ssh_err = |e: russh::Error| ExecError::Ssh {
            host: self.name.clone(),
            what: "authentication".into(),
            reason: e.to_string(),
        };
        let mut tried = Vec::new();
        let passphrase = self.auth.key_passphrase.as_ref().map(Secret::expose);
        let mut keys = Vec::new();
        if let Some(path) = &self.auth.key_file {
            let k = russh::keys::load_secret_key(path, passphrase).map_err(|e| ExecError::Key {
                host: self.name.clone(),
                key: path.display().to_string(),
                reason: key_error(&e),
            })?;
            keys.push(k);
        }
        if let Some(data) = &self.auth.key_data {
            let k = russh::keys::decode_secret_key(data.expose(), passphrase).map_err(|e| {
                ExecError::Key {
                    host: self.name.clone(),
                    key: "(inline key data)".into(),
                    reason: key_error(&e),
                }
            })?;
            keys.push(k);
        }
        for k in keys {
            let hash = handle
                .best_supported_rsa_hash()
                .await
                .map_err(ssh_err)?
                .flatten();
            let r = handle
                .authenticate_publickey(user.clone(), PrivateKeyWithHashAlg::new(Arc::new(k), hash))
                .await
                .map_err(ssh_err)?;
            if r.success() {
                return Ok(());
            }
            tried.push("publickey");
        }
        if let Some(pw) = &self.auth.password {
            let r = handle
                .authenticate_password(user.clone(), pw.expose())
                .await
                .map_err(ssh_err)?;
            if r.success() {
                return Ok(());
            }
            tried.push("password");
        }
        Err(ExecError::Auth {
            host: self.name.clone(),
            user,
            tried: if tried.is_empty() {
                "no key or password configured".into()
            } else {
                tried.join(", ")
            },
        })
    }

    /// The live connection, re-dialled if it died.
    async fn handle(&self) -> Result<Arc<Handle<Client>>, ExecError> {
        let mut g = self.conn.lock().await;
        if let Some(h) = g.as_ref()
            && !h.is_closed()
        {
            return Ok(h.clone());
        }
        *g = None;
        let h = Arc::new(self.dial().await?);
        *g = Some(h.clone());
        Ok(h)
    }

    async fn invalidate(&self, h: &Arc<Handle<Client>>) {
        let mut g = self.conn.lock().await;
        if g.as_ref().is_some_and(|c| Arc::ptr_eq(c, h)) {
            *g = None;
        }
    }

    pub(crate) async fn exec(
        &self,
        script: &str,
        stdin: Stdin,
        out: &(dyn Fn(Line<'_>) + Send + Sync),
        timeout: Option<Duration>,
        stall: Option<Duration>,
        what: &str,
    ) -> Result<Outcome, ExecError> {
        self.exec_as(&self.sudo, script, stdin, out, timeout, stall, what)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn exec_as(
        &self,
        sudo: &Sudo,
        script: &str,
        stdin: Stdin,
        out: &(dyn Fn(Line<'_>) + Send + Sync),
        timeout: Option<Duration>,
        stall: Option<Duration>,
        what: &str,
    ) -> Result<Outcome, ExecError> {
        let ssh_err = |e: russh::Error| ExecError::Ssh {
            host: self.name.clone(),
            what: what.to_string(),
            reason: e.to_string(),
        };
        let mut handle = self.handle().await?;
        let channel = match handle.channel_open_session().await {
            Ok(c) => c,
            Err(_) => {
                // The connection may have died since its last use: dial again once.
                self.invalidate(&handle).await;
                handle = self.handle().await?;
                handle.channel_open_session().await.map_err(ssh_err)?
            }
        };
        let tok = token();
        let (command, prefix) = wrap(sudo, script, &tok);
        channel.exec(true, command).await.map_err(ssh_err)?;
        let (mut rd, wr) = channel.split();
        let activity = Activity::new();
        let scrub = match sudo {
            Sudo::Password(p) => Some(p.expose()),
            _ => None,
        };
        let mut sink = Sink::new(&self.name, out, scrub);
        let mut writer = wr.make_writer();
        let write_fut = async {
            let r = feed(&mut writer, prefix.as_deref(), stdin, &activity).await;
            let _ = wr.eof().await;
            r
        };
        let read_fut = async {
            let mut status = ExitStatus::Unknown;
            while let Some(msg) = rd.wait().await {
                match msg {
                    ChannelMsg::Data { data } => {
                        activity.touch();
                        sink.data(Stream::Stdout, &data);
                    }
                    ChannelMsg::ExtendedData { data, .. } => {
                        activity.touch();
                        sink.data(Stream::Stderr, &data);
                    }
                    ChannelMsg::ExitStatus { exit_status } => {
                        status = ExitStatus::Code(exit_status)
                    }
                    ChannelMsg::ExitSignal { signal_name, .. } => {
                        status = ExitStatus::Signal(sig_name(&signal_name))
                    }
                    ChannelMsg::WindowAdjusted { .. } => activity.touch(),
                    ChannelMsg::Close => break,
                    _ => {}
                }
            }
            status
        };
        enum End {
            Done(std::io::Result<()>, ExitStatus),
            Timeout,
            Stalled,
        }
        let end = tokio::select! {
            (w, s) = async { tokio::join!(write_fut, read_fut) } => End::Done(w, s),
            _ = sleep_opt(timeout) => End::Timeout,
            _ = stall_opt(&activity, stall) => End::Stalled,
        };
        match end {
            End::Done(w, status) => {
                let tail = sink.finish();
                if status == ExitStatus::Unknown && handle.is_closed() {
                    self.invalidate(&handle).await;
                    return Err(ExecError::Ssh {
                        host: self.name.clone(),
                        what: what.to_string(),
                        reason: "connection lost".into(),
                    });
                }
                if let Err(e) = w
                    && status == ExitStatus::Code(0)
                {
                    return Err(ExecError::Ssh {
                        host: self.name.clone(),
                        what: what.to_string(),
                        reason: format!("sending input: {e}"),
                    });
                }
                Ok(Outcome { status, tail })
            }
            End::Timeout => {
                let _ = wr.signal(Sig::KILL).await;
                let _ = wr.close().await;
                drop(sink);
                self.kill_remote(&tok).await;
                Err(ExecError::Timeout {
                    host: self.name.clone(),
                    what: what.to_string(),
                    after: timeout.unwrap_or_default(),
                })
            }
            End::Stalled => {
                drop(sink);
                self.invalidate(&handle).await;
                let _ = tokio::time::timeout(
                    Duration::from_millis(200),
                    handle.disconnect(russh::Disconnect::ByApplication, "stalled", ""),
                )
                .await;
                Err(ExecError::Stalled {
                    host: self.name.clone(),
                    what: what.to_string(),
                    after: stall.unwrap_or_default(),
                })
            }
        }
    }

    /// Kill the session of a timed-out command (best effort, bounded in time).
    async fn kill_remote(&self, tok: &str) {
        let pf = quote(&format!("/tmp/.hoist-exec-{tok}"));
        let script = format!(
            "s=$(cat {pf} 2>/dev/null) && [ -n \"$s\" ] && kill -KILL -- -\"$s\"; rm -f {pf}; true"
        );
        let quiet = |_: Line<'_>| {};
        let _ = Box::pin(self.exec_as(
            &self.sudo,
            &script,
            Stdin::None,
            &quiet,
            Some(Duration::from_secs(10)),
            None,
            "kill timed-out command",
        ))
        .await;
    }
}

/// The exec request's command line (run by the login shell) and stdin prefix (sudo password).
/// The login shell records its pid (= session id) so that a timed-out command can be killed
/// with everything it started.
fn wrap(sudo: &Sudo, script: &str, tok: &str) -> (String, Option<Vec<u8>>) {
    let pf = quote(&format!("/tmp/.hoist-exec-{tok}"));
    let q = quote(script);
    let (run, prefix) = match sudo {
        Sudo::None => (format!("bash -c {q}"), None),
        Sudo::NoPassword => (format!("sudo -n bash -c {q}"), None),
        Sudo::Password(p) => (
            format!("sudo -k -S -p '' bash -c {q}"),
            Some(format!("{}\n", p.expose()).into_bytes()),
        ),
    };
    (
        format!("echo $$ > {pf} 2>/dev/null; {run}\nrc=$?; rm -f {pf}; exit $rc"),
        prefix,
    )
}

fn key_error(e: &russh::keys::Error) -> String {
    match e {
        russh::keys::Error::KeyIsEncrypted => {
            "the key is encrypted and no passphrase is configured".into()
        }
        _ => {
            let s = e.to_string();
            if s.to_lowercase().contains("decrypt") || s.to_lowercase().contains("passphrase") {
                format!("cannot decrypt the key (wrong passphrase?): {s}")
            } else {
                s
            }
        }
    }
}

fn classify(name: &str, e: russh::Error) -> DialError {
    match &e {
        russh::Error::IO(io) => {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused | ConnectionReset | ConnectionAborted | TimedOut
                | UnexpectedEof | BrokenPipe | HostUnreachable | NetworkUnreachable => {
                    DialError::Transient(io.to_string())
                }
                _ => DialError::Fatal(ExecError::Connect {
                    host: name.to_string(),
                    reason: io.to_string(),
                }),
            }
        }
        russh::Error::Disconnect | russh::Error::HUP | russh::Error::ConnectionTimeout => {
            DialError::Transient(e.to_string())
        }
        _ => DialError::Fatal(ExecError::Connect {
            host: name.to_string(),
            reason: e.to_string(),
        }),
    }
}
