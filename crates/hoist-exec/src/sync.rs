//! `sync_tree`: one tar stream of what changed, a manifest on the host.
//!
//! The manifest `<dir>/.hoist-sync` lists every entry the last sync wrote: kind, mode, size,
//! source mtime, sha256 and path. A sync (1) reads it, (2) compares it with the tree (files
//! whose size and mtime match are trusted, others are hashed), (3) removes entries that left
//! the tree or changed kind, (4) writes the manifest with every entry about to be sent marked
//! dirty, (5) streams one tar archive into `tar -x`, hashing files as they are read, and (6)
//! writes the final manifest. An interrupted sync leaves dirty entries, which the next sync
//! sends again; a missing or unreadable manifest means everything is sent.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::exec::Stdin;
use crate::shell::quote;
use crate::tree::{Node, Source, Tree};
use crate::{ExecError, Host, Line};

/// The manifest's file name inside the destination directory (reserved: a tree may not hold it).
pub const MANIFEST_NAME: &str = ".hoist-sync";
const MANIFEST_HEADER: &str = "hoist-sync 1";
const DIRTY: &str = "-";
const CHUNK: usize = 256 * 1024;

/// Options of [`Host::sync_tree`].
#[derive(Clone, Default)]
pub struct SyncOptions {
    /// Called with the number of bytes just sent (tar stream bytes).
    pub progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
}

impl std::fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncOptions")
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What a sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// Regular files and symlinks sent.
    pub files_sent: u64,
    /// Bytes of the tar stream.
    pub bytes_sent: u64,
    /// Entries removed because they left the tree.
    pub removed: u64,
    /// Entries already up to date.
    pub unchanged: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    kind: char,
    mode: u32,
    size: u64,
    mtime: i64,
    sha: String,
}

fn escape(p: &str) -> String {
    p.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape(p: &str) -> Option<String> {
    let mut out = String::with_capacity(p.len());
    let mut it = p.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn render_manifest(entries: &BTreeMap<String, Entry>) -> String {
    let mut s = String::with_capacity(entries.len() * 100 + 16);
    s.push_str(MANIFEST_HEADER);
    s.push('\n');
    for (p, e) in entries {
        s.push_str(&format!(
            "{} {:o} {} {} {} {}\n",
            e.kind,
            e.mode,
            e.size,
            e.mtime,
            e.sha,
            escape(p)
        ));
    }
    s
}

fn parse_manifest(text: &str) -> Option<BTreeMap<String, Entry>> {
    let mut lines = text.lines();
    if lines.next()? != MANIFEST_HEADER {
        return None;
    }
    let mut m = BTreeMap::new();
    for line in lines {
        let mut f = line.splitn(6, ' ');
        let kind = f.next()?;
        let kind = match kind {
            "d" | "f" | "l" => kind.chars().next()?,
            _ => return None,
        };
        let mode = u32::from_str_radix(f.next()?, 8).ok()?;
        let size = f.next()?.parse().ok()?;
        let mtime = f.next()?.parse().ok()?;
        let sha = f.next()?.to_string();
        let path = unescape(f.next()?)?;
        crate::tree::check_path(&path).ok()?;
        m.insert(
            path,
            Entry {
                kind,
                mode,
                size,
                mtime,
                sha,
            },
        );
    }
    Some(m)
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// One entry to send.
struct Outgoing {
    path: String,
    node: Node,
    entry: Entry,
}

struct Plan {
    send: Vec<Outgoing>,
    delete: Vec<String>,
    removed: u64,
    /// The manifest after a successful sync (shas of sent files filled in while streaming).
    fin: BTreeMap<String, Entry>,
}

fn plan(tree: &Tree, remote: &BTreeMap<String, Entry>) -> Result<Plan, (String, std::io::Error)> {
    let mut send = Vec::new();
    let mut delete = Vec::new();
    let mut fin = BTreeMap::new();
    for (path, node) in tree.iter() {
        let old = remote.get(path).filter(|e| e.sha != DIRTY);
        let entry = match node {
            Node::Dir { mode } => Entry {
                kind: 'd',
                mode: *mode,
                size: 0,
                mtime: 0,
                sha: "0".into(),
            },
            Node::Symlink { target } => Entry {
                kind: 'l',
                mode: 0o777,
                size: target.len() as u64,
                mtime: 0,
                sha: sha_hex(target.as_bytes()),
            },
            Node::File {
                source: Source::Bytes(b),
                mode,
            } => Entry {
                kind: 'f',
                mode: *mode,
                size: b.len() as u64,
                mtime: 0,
                sha: sha_hex(b),
            },
            Node::File {
                source: Source::Path(p),
                mode,
            } => {
                let md = std::fs::metadata(p).map_err(|e| (p.display().to_string(), e))?;
                let mtime = md
                    .mtime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(md.mtime_nsec());
                let mut e = Entry {
                    kind: 'f',
                    mode: *mode,
                    size: md.len(),
                    mtime,
                    sha: DIRTY.into(),
                };
                if let Some(o) = old
                    && o.kind == 'f'
                    && o.size == e.size
                {
                    if o.mtime == e.mtime {
                        e.sha = o.sha.clone();
                    } else {
                        e.sha = hash_file(p).map_err(|err| (p.display().to_string(), err))?;
                    }
                }
                e
            }
        };
        if let Some(r) = remote.get(path)
            && r.kind != entry.kind
        {
            delete.push(path.to_string());
        }
        let same = old.is_some_and(|o| {
            o.kind == entry.kind
                && o.mode == entry.mode
                && o.size == entry.size
                && o.sha == entry.sha
        });
        if !same {
            send.push(Outgoing {
                path: path.to_string(),
                node: node.clone(),
                entry: entry.clone(),
            });
        }
        fin.insert(path.to_string(), entry);
    }
    let mut removed = 0;
    for path in remote.keys() {
        if tree.get(path).is_none() {
            delete.push(path.clone());
            removed += 1;
        }
    }
    Ok(Plan {
        send,
        delete,
        removed,
        fin,
    })
}

fn hash_file(p: &std::path::Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Sends the tar stream in chunks to the async side.
struct ChunkWriter {
    tx: mpsc::Sender<Vec<u8>>,
    buf: Vec<u8>,
    total: u64,
}

impl ChunkWriter {
    fn push(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let b = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(b)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "receiver closed"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        self.total += n as u64;
        if self.buf.len() >= CHUNK {
            self.push()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.push()
    }
}

/// Reads exactly `remaining` bytes, hashing them.
struct HashRead<R> {
    inner: R,
    remaining: u64,
    hasher: Sha256,
}

impl<R: Read> Read for HashRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(self.remaining.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "file shrank while being read",
            ));
        }
        self.hasher.update(&buf[..n]);
        self.remaining -= n as u64;
        Ok(n)
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Write the tar stream; returns the sha256 of every file read from disk, by index in `send`.
fn produce(send: &[Outgoing], w: ChunkWriter) -> Result<(HashMap<usize, String>, u64), String> {
    let mut b = tar::Builder::new(w);
    let mut shas = HashMap::new();
    let now = now_secs();
    for (i, s) in send.iter().enumerate() {
        let mut h = tar::Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        let _ = h.set_username("root");
        let _ = h.set_groupname("root");
        h.set_mtime(now);
        let werr = |e: std::io::Error| format!("writing the tar stream at {}: {e}", s.path);
        match &s.node {
            Node::Dir { mode } => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(*mode & 0o7777);
                h.set_size(0);
                b.append_data(&mut h, &s.path, std::io::empty())
                    .map_err(werr)?;
            }
            Node::Symlink { target } => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, &s.path, target).map_err(werr)?;
            }
            Node::File {
                source: Source::Bytes(bytes),
                mode,
            } => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(*mode & 0o7777);
                h.set_size(bytes.len() as u64);
                b.append_data(&mut h, &s.path, &bytes[..]).map_err(werr)?;
            }
            Node::File {
                source: Source::Path(p),
                mode,
            } => {
                let f =
                    std::fs::File::open(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(*mode & 0o7777);
                h.set_size(s.entry.size);
                h.set_mtime(u64::try_from(s.entry.mtime / 1_000_000_000).unwrap_or(now));
                let mut r = HashRead {
                    inner: f,
                    remaining: s.entry.size,
                    hasher: Sha256::new(),
                };
                b.append_data(&mut h, &s.path, &mut r).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::UnexpectedEof {
                        format!("reading {}: {e}", p.display())
                    } else {
                        werr(e)
                    }
                })?;
                shas.insert(i, hex::encode(r.hasher.finalize()));
            }
        }
    }
    let mut w = b
        .into_inner()
        .map_err(|e| format!("finishing the tar stream: {e}"))?;
    w.flush()
        .map_err(|e| format!("finishing the tar stream: {e}"))?;
    Ok((shas, w.total))
}

pub(crate) async fn sync_tree(
    host: &Host,
    tree: &Tree,
    dir: &str,
    o: &crate::SyncOptions,
) -> Result<SyncStats, ExecError> {
    let name = host.name().to_string();
    let sync_err = |reason: String| ExecError::Sync {
        host: name.clone(),
        dir: dir.to_string(),
        reason,
    };
    if !dir.starts_with('/') || dir.contains('\0') || dir.contains('\n') {
        return Err(sync_err("the destination must be an absolute path".into()));
    }
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() {
        return Err(sync_err("refusing to sync onto /".into()));
    }
    if tree.get(MANIFEST_NAME).is_some() {
        return Err(sync_err(format!(
            "the tree holds {MANIFEST_NAME}, a name reserved for the sync manifest"
        )));
    }
    let qdir = quote(dir);
    let manifest_path = format!("{dir}/{MANIFEST_NAME}");

    // 1. The host's manifest (missing or unreadable: send everything).
    let text = host
        .output(&format!(
            "cat -- {} 2>/dev/null || true",
            quote(&manifest_path)
        ))
        .await?;
    let had_manifest = !text.is_empty();
    let remote = parse_manifest(&text).unwrap_or_default();

    // 2. Plan (stats and hashes: blocking work).
    let tree2 = tree.clone();
    let remote2 = remote.clone();
    let plan = tokio::task::spawn_blocking(move || plan(&tree2, &remote2))
        .await
        .map_err(|e| sync_err(format!("planning: {e}")))?
        .map_err(|(p, e)| sync_err(format!("reading {p}: {e}")))?;
    let Plan {
        send,
        delete,
        removed,
        mut fin,
    } = plan;
    let mut stats = SyncStats {
        removed,
        unchanged: (tree.len() - send.len()) as u64,
        ..SyncStats::default()
    };

    if send.is_empty() && delete.is_empty() {
        let rendered = render_manifest(&fin);
        if !had_manifest || rendered != text {
            host.write_file(&manifest_path, rendered.as_bytes(), 0o600)
                .await?;
        }
        return Ok(stats);
    }

    // 3. Remove what left the tree or changed kind.
    if !delete.is_empty() {
        let mut list = Vec::new();
        for p in &delete {
            list.extend_from_slice(b"./");
            list.extend_from_slice(p.as_bytes());
            list.push(0);
        }
        let script = format!("cd -- {qdir} 2>/dev/null || exit 0\nxargs -0 -r rm -rf --");
        let what = format!("remove {} old entries in {dir}", delete.len());
        host.exec(
            &script,
            Stdin::Bytes(list),
            &|_: Line<'_>| {},
            None,
            host.stall_timeout(),
            &what,
        )
        .await?
        .check(&name, &what)?;
    }

    // 4. Mark what is about to be sent as dirty.
    let mut dirty: BTreeMap<String, Entry> = remote
        .into_iter()
        .filter(|(p, _)| !delete.contains(p))
        .collect();
    for s in &send {
        let mut e = s.entry.clone();
        e.sha = DIRTY.into();
        dirty.insert(s.path.clone(), e);
    }
    host.write_file(&manifest_path, render_manifest(&dirty).as_bytes(), 0o600)
        .await?;

    // 5. One tar stream into tar -x.
    let (tx, rx) = mpsc::channel::<Vec<u8>>(16);
    let send = Arc::new(send);
    let send2 = send.clone();
    let producer = tokio::task::spawn_blocking(move || {
        produce(
            &send2,
            ChunkWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
                total: 0,
            },
        )
    });
    let script = format!("mkdir -p -- {qdir} && cd -- {qdir} && tar --numeric-owner -xpf -");
    let what = format!("extract into {dir}");
    let res = host
        .exec(
            &script,
            Stdin::Stream {
                rx,
                progress: o.progress.clone(),
            },
            &|_: Line<'_>| {},
            None,
            host.stall_timeout(),
            &what,
        )
        .await;
    let produced = producer
        .await
        .map_err(|e| sync_err(format!("tar stream: {e}")))?;
    let outcome = res?;
    let (shas, total) = produced.map_err(sync_err)?;
    outcome.check(&name, &what)?;

    // 6. The final manifest.
    for (i, sha) in shas {
        if let Some(e) = fin.get_mut(&send[i].path) {
            e.sha = sha;
        }
    }
    host.write_file(&manifest_path, render_manifest(&fin).as_bytes(), 0o600)
        .await?;
    stats.files_sent = send
        .iter()
        .filter(|s| !matches!(s.node, Node::Dir { .. }))
        .count() as u64;
    stats.bytes_sent = total;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trip() {
        let mut m = BTreeMap::new();
        m.insert(
            "a b\nc\\d".to_string(),
            Entry {
                kind: 'f',
                mode: 0o644,
                size: 3,
                mtime: 5,
                sha: "ab".into(),
            },
        );
        m.insert(
            "x".to_string(),
            Entry {
                kind: 'd',
                mode: 0o755,
                size: 0,
                mtime: 0,
                sha: "0".into(),
            },
        );
        let t = render_manifest(&m);
        assert_eq!(parse_manifest(&t), Some(m));
        assert_eq!(parse_manifest("garbage"), None);
        assert_eq!(parse_manifest("hoist-sync 1\nf 644 x 0 a p\n"), None);
        assert_eq!(parse_manifest("hoist-sync 1\nf 644 1 0 a ../p\n"), None);
    }
}
