//! Trust-on-first-use host keys in an OpenSSH-format known_hosts file
//! (`host keytype base64` for port 22, `[host]:port keytype base64` otherwise).

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use russh::keys::{HashAlg, PublicKey};

static WRITE_LOCK: Mutex<()> = Mutex::new(());

pub(crate) enum Verdict {
    Known,
    Unknown,
    Changed {
        line: usize,
        old_fingerprint: String,
    },
}

/// The host field for a host and port, as OpenSSH writes it.
pub(crate) fn host_pattern(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

pub(crate) fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

fn key_fields(key: &PublicKey) -> Result<(String, String), String> {
    let s = key
        .to_openssh()
        .map_err(|e| format!("cannot encode host key: {e}"))?;
    let mut it = s.split_whitespace();
    match (it.next(), it.next()) {
        (Some(a), Some(b)) => Ok((a.to_string(), b.to_string())),
        _ => Err("cannot encode host key".to_string()),
    }
}

/// Look the host up. Any recorded key equal to `key` means known; recorded keys for the host
/// and none equal means changed (the first such line is reported).
pub(crate) fn check(file: &Path, pattern: &str, key: &PublicKey) -> Result<Verdict, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Verdict::Unknown),
        Err(e) => return Err(e.to_string()),
    };
    let (_, data) = key_fields(key)?;
    let mut changed = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
            continue;
        }
        let mut f = line.split_whitespace();
        let (Some(hosts), Some(kt), Some(b64)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if !hosts.split(',').any(|h| h == pattern) {
            continue;
        }
        if b64 == data {
            return Ok(Verdict::Known);
        }
        if changed.is_none() {
            let old = PublicKey::from_openssh(&format!("{kt} {b64}"))
                .map(|k| fingerprint(&k))
                .unwrap_or_else(|_| format!("an unreadable {kt} key"));
            changed = Some(Verdict::Changed {
                line: i + 1,
                old_fingerprint: old,
            });
        }
    }
    Ok(changed.unwrap_or(Verdict::Unknown))
}

/// Record the key (atomically rewriting the file). Returns the verdict seen under the lock, so
/// that two concurrent first connections do not both append.
pub(crate) fn learn(file: &Path, pattern: &str, key: &PublicKey) -> Result<Verdict, String> {
    let _g = WRITE_LOCK.lock().map_err(|_| "lock poisoned".to_string())?;
    match check(file, pattern, key)? {
        Verdict::Unknown => {}
        v => return Ok(v),
    }
    let mut text = match std::fs::read(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e.to_string()),
    };
    if !text.is_empty() && !text.ends_with(b"\n") {
        text.push(b'\n');
    }
    let (kt, data) = key_fields(key)?;
    text.extend_from_slice(format!("{pattern} {kt} {data}\n").as_bytes());
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        e.to_string()
    })?;
    Ok(Verdict::Unknown)
}
