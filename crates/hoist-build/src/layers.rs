//! Deterministic layers for COPY/ADD.
//!
//! A layer is a tar of the copied files: entries sorted by path, parents before children,
//! directories named `dir/`, mtime fixed (0 or `SOURCE_DATE_EPOCH`), uid/gid 0 (or `--chown`),
//! permission bits kept (or `--chmod`), no user/group names, no atime/ctime, PAX records only
//! for names that do not fit ustar. Symlinks stay links; hard links are stored as separate
//! regular files. The tar is gzip-compressed with an empty gzip header (no name, mtime 0), in
//! independently deflated 1 MiB chunks on several threads (one gzip member; the same bytes on
//! any number of threads), and both digests (compressed = blob digest, uncompressed = diff_id)
//! are computed while streaming: file contents are never held in memory beyond a few chunks.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::glob::{IgnoreRules, clean, go_match};

/// A written blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// `sha256:<hex>` of the compressed blob.
    pub digest: String,
    /// `sha256:<hex>` of the uncompressed tar.
    pub diff_id: String,
    /// Compressed size.
    pub size: u64,
}

/// How to copy: the expanded COPY/ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySpec {
    /// ADD: local tar archives (plain or gzip) are extracted.
    pub add: bool,
    /// Sources relative to the context (globs allowed).
    pub sources: Vec<String>,
    /// Absolute destination; a trailing `/` means a directory.
    pub dest: String,
    /// Owner of every entry.
    pub chown: Option<(u64, u64)>,
    /// Permission bits of every entry.
    pub chmod: Option<u32>,
}

impl CopySpec {
    /// `COPY . /`: the whole context at the root, owners and modes as they are.
    pub fn whole_context() -> CopySpec {
        CopySpec {
            add: false,
            sources: vec![".".into()],
            dest: "/".into(),
            chown: None,
            chmod: None,
        }
    }
}

/// Where an entry's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Dir,
    File { src: PathBuf, size: u64 },
    Symlink { target: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    kind: Kind,
    mode: u32,
}

/// The sorted entries of one layer (path without leading `/`, directories without trailing
/// `/`), collected from the context.
#[derive(Debug, Clone, Default)]
pub struct LayerContents {
    entries: BTreeMap<String, Entry>,
    owner: (u64, u64),
}

impl LayerContents {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the layer has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entry names as they appear in the tar (in order).
    pub fn names(&self) -> Vec<String> {
        self.sorted().into_iter().map(|(n, _)| n).collect()
    }

    fn sorted(&self) -> Vec<(String, &Entry)> {
        let mut v: Vec<(String, &Entry)> = self
            .entries
            .iter()
            .map(|(k, e)| {
                let name = if matches!(e.kind, Kind::Dir) {
                    format!("{k}/")
                } else {
                    k.clone()
                };
                (name, e)
            })
            .collect();
        v.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        v
    }
}

/// Reads `.containerignore` (or else `.dockerignore`) of the context.
pub fn ignore_rules(ctx: &Path) -> Result<IgnoreRules, String> {
    for name in [".containerignore", ".dockerignore"] {
        let p = ctx.join(name);
        if p.is_file() {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            return IgnoreRules::parse(&text);
        }
    }
    Ok(IgnoreRules::default())
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn rel_str(p: &Path) -> Result<String, String> {
    p.to_str()
        .map(|s| s.to_string())
        .ok_or_else(|| format!("{}: file name is not UTF-8", p.display()))
}

/// Matches a glob source against the context (each component with Go `path.Match`).
fn glob_sources(ctx: &Path, pattern: &str, ignore: &IgnoreRules) -> Result<Vec<String>, String> {
    let depth = pattern.split('/').count();
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(ctx)
        .min_depth(1)
        .max_depth(depth)
        .sort_by_file_name()
    {
        let e = e.map_err(|e| e.to_string())?;
        let rel = rel_str(e.path().strip_prefix(ctx).unwrap_or(e.path()))?;
        if e.depth() == depth
            && go_match(pattern, &rel).map_err(|_| format!("bad pattern {pattern:?}"))?
            && !ignore.is_ignored(&rel)
        {
            out.push(rel);
        }
    }
    Ok(out)
}

/// Collects what a COPY/ADD puts in its layer. `scratch` is a directory where ADD may extract
/// archives (it must exist and stay until the layer is written); it and its parent (the output
/// layout, when that lies inside the context) are never copied.
pub fn collect(
    ctx: &Path,
    spec: &CopySpec,
    ignore: &IgnoreRules,
    scratch: &Path,
) -> Result<LayerContents, String> {
    let kw = if spec.add { "ADD" } else { "COPY" };
    let mut sources: Vec<String> = Vec::new();
    let mut wildcard = false;
    for s in &spec.sources {
        let c = clean(s.trim_start_matches('/'));
        if c == ".." || c.starts_with("../") {
            return Err(format!(
                "{kw} {s}: forbidden path outside the build context"
            ));
        }
        if has_glob(&c) {
            wildcard = true;
            sources.extend(glob_sources(ctx, &c, ignore)?);
        } else {
            if c != "." && ignore.is_ignored(&c) {
                return Err(format!(
                    "{kw} {s}: file not found in build context or excluded by .dockerignore"
                ));
            }
            sources.push(c);
        }
    }
    if sources.is_empty() {
        return Err(format!("{kw}: no source files were specified"));
    }
    let dest_dir = spec.dest.ends_with('/') || sources.len() > 1 || wildcard;
    if spec.sources.len() > 1 && !spec.dest.ends_with('/') {
        return Err(format!(
            "When using {kw} with more than one source file, the destination must be a directory and end with a /"
        ));
    }
    let dest = spec.dest.trim_matches('/').to_string();
    let mut out = LayerContents {
        entries: BTreeMap::new(),
        owner: spec.chown.unwrap_or((0, 0)),
    };
    let canon_ctx = ctx
        .canonicalize()
        .map_err(|e| format!("{}: {e}", ctx.display()))?;
    for (n, src) in sources.iter().enumerate() {
        let path = if src == "." {
            ctx.to_path_buf()
        } else {
            ctx.join(src)
        };
        // Top-level sources are followed when they are links, but must stay in the context.
        let real = path.canonicalize().map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                format!("{kw} {src}: no such file or directory in the build context")
            } else {
                format!("{}: {e}", path.display())
            }
        })?;
        if !real.starts_with(&canon_ctx) {
            return Err(format!(
                "{kw} {src}: forbidden path outside the build context"
            ));
        }
        let meta = std::fs::metadata(&real).map_err(|e| format!("{}: {e}", real.display()))?;
        if meta.is_dir() {
            let base_rel = if src == "." {
                String::new()
            } else {
                src.clone()
            };
            add_dir(
                &mut out,
                &real,
                &base_rel,
                &dest,
                ignore,
                spec.chmod,
                meta.permissions().mode(),
                &Skip::new(scratch),
            )?;
            continue;
        }
        let target = if dest_dir {
            let base = Path::new(src)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            join(&dest, &base)
        } else {
            dest.clone()
        };
        if spec.add && is_archive(&real).map_err(|e| format!("{}: {e}", real.display()))? {
            let tmp = scratch.join(format!("add-{n}"));
            extract(&real, &tmp).map_err(|e| format!("{kw} {src}: {e}"))?;
            let m = std::fs::metadata(&tmp).map_err(|e| e.to_string())?;
            add_dir(
                &mut out,
                &tmp,
                "",
                &dest,
                &IgnoreRules::default(),
                spec.chmod,
                m.permissions().mode(),
                &Skip::default(),
            )?;
            continue;
        }
        out.entries.insert(
            target,
            Entry {
                kind: Kind::File {
                    src: real,
                    size: meta.len(),
                },
                mode: spec.chmod.unwrap_or(meta.permissions().mode() & 0o7777),
            },
        );
    }
    // Parents of every entry.
    let keys: Vec<String> = out.entries.keys().cloned().collect();
    for k in keys {
        let mut p = k.as_str();
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            out.entries.entry(p.to_string()).or_insert(Entry {
                kind: Kind::Dir,
                mode: 0o755,
            });
        }
    }
    out.entries.remove("");
    Ok(out)
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// Directories a walk must not enter.
#[derive(Default)]
struct Skip(Vec<PathBuf>);

impl Skip {
    fn new(scratch: &Path) -> Self {
        let mut v = Vec::new();
        if let Some(parent) = scratch.parent().and_then(|p| p.canonicalize().ok()) {
            v.push(parent);
        }
        if let Ok(s) = scratch.canonicalize() {
            v.push(s);
        }
        Skip(v)
    }

    fn hit(&self, p: &Path) -> bool {
        !self.0.is_empty() && p.canonicalize().is_ok_and(|c| self.0.contains(&c))
    }
}

#[allow(clippy::too_many_arguments)]
fn add_dir(
    out: &mut LayerContents,
    dir: &Path,
    ctx_rel: &str,
    dest: &str,
    ignore: &IgnoreRules,
    chmod: Option<u32>,
    dir_mode: u32,
    skip: &Skip,
) -> Result<(), String> {
    if !dest.is_empty() {
        out.entries.insert(
            dest.to_string(),
            Entry {
                kind: Kind::Dir,
                mode: chmod.unwrap_or(dir_mode & 0o7777),
            },
        );
    }
    let mut it = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(e) = it.next() {
        let e = e.map_err(|e| e.to_string())?;
        let rel = rel_str(e.path().strip_prefix(dir).unwrap_or(e.path()))?;
        let in_ctx = join(ctx_rel, &rel);
        if e.file_type().is_dir() && skip.hit(e.path()) {
            it.skip_current_dir();
            continue;
        }
        if !ignore.is_empty() && ignore.is_ignored(&in_ctx) {
            if e.file_type().is_dir() {
                // A `!` rule may re-include something below; only skip when none can.
                if !ignore.has_exclusions() {
                    it.skip_current_dir();
                }
            }
            continue;
        }
        let meta = e
            .path()
            .symlink_metadata()
            .map_err(|err| format!("{}: {err}", e.path().display()))?;
        let ft = meta.file_type();
        let mode = chmod.unwrap_or(meta.permissions().mode() & 0o7777);
        let kind = if ft.is_dir() {
            Kind::Dir
        } else if ft.is_symlink() {
            let t = std::fs::read_link(e.path())
                .map_err(|err| format!("{}: {err}", e.path().display()))?;
            Kind::Symlink {
                target: rel_str(&t)?,
            }
        } else if ft.is_file() {
            Kind::File {
                src: e.path().to_path_buf(),
                size: meta.len(),
            }
        } else {
            return Err(format!(
                "{}: unsupported file type (only files, directories and symlinks can be copied)",
                e.path().display()
            ));
        };
        let mode = if matches!(kind, Kind::Symlink { .. }) {
            0o777
        } else {
            mode
        };
        out.entries.insert(join(dest, &rel), Entry { kind, mode });
    }
    Ok(())
}

/// Whether the file is a tar (plain, or gzip-compressed) that ADD extracts.
fn is_archive(p: &Path) -> io::Result<bool> {
    let mut f = File::open(p)?;
    let mut head = [0u8; 512];
    let n = read_full(&mut f, &mut head)?;
    if n >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        let mut gz = flate2::read::GzDecoder::new(File::open(p)?);
        let mut h2 = [0u8; 512];
        let m = read_full(&mut gz, &mut h2).unwrap_or(0);
        return Ok(m == 512 && is_tar_header(&h2));
    }
    Ok(n == 512 && is_tar_header(&head))
}

fn is_tar_header(h: &[u8; 512]) -> bool {
    &h[257..262] == b"ustar" || {
        // v7 tar: a valid checksum.
        let stored = std::str::from_utf8(&h[148..156]).ok().and_then(|s| {
            u32::from_str_radix(s.trim_matches(|c: char| c == '\0' || c == ' '), 8).ok()
        });
        let sum: u32 = h
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(*b)
                }
            })
            .sum();
        stored == Some(sum) && h[0] != 0
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Extracts an archive safely (no `..`, no absolute paths, no writes through links).
fn extract(archive: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    let f = File::open(archive).map_err(|e| e.to_string())?;
    let mut magic = [0u8; 2];
    let gz = {
        let mut g = File::open(archive).map_err(|e| e.to_string())?;
        read_full(&mut g, &mut magic).map_err(|e| e.to_string())? == 2 && magic == [0x1f, 0x8b]
    };
    let reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::GzDecoder::new(f))
    } else {
        Box::new(f)
    };
    let mut ar = tar::Archive::new(reader);
    ar.set_preserve_permissions(true);
    ar.set_overwrite(true);
    ar.set_unpack_xattrs(false);
    for entry in ar.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        if path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(format!(
                "archive entry {} escapes the destination",
                path.display()
            ));
        }
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir() || kind.is_symlink() || kind.is_hard_link()) {
            continue;
        }
        // `unpack_in` refuses `..`, absolute paths and parents that leave `to` through links.
        let ok = entry.unpack_in(to).map_err(|e| e.to_string())?;
        if !ok {
            return Err(format!(
                "archive entry {} escapes the destination",
                path.display()
            ));
        }
    }
    Ok(())
}

fn hex_digest(h: Sha256) -> String {
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// Compression threads used when none are asked for: one per CPU.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Writes the contents as a gzip layer blob into `blobs_dir` (`blobs/sha256`), named by digest,
/// compressing on one thread per CPU.
pub fn write_layer(contents: &LayerContents, blobs_dir: &Path, mtime: u64) -> io::Result<Layer> {
    write_layer_threads(contents, blobs_dir, mtime, default_threads())
}

/// [`write_layer`] with `threads` compression threads (at least one). The blob does not depend
/// on the number of threads.
pub fn write_layer_threads(
    contents: &LayerContents,
    blobs_dir: &Path,
    mtime: u64,
    threads: usize,
) -> io::Result<Layer> {
    std::fs::create_dir_all(blobs_dir)?;
    let tmp = blobs_dir.join(format!(".layer-{}.tmp", crate::unique_suffix()));
    let file = File::create(&tmp)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", tmp.display())))?;
    let result = crate::pgzip::run(file, threads, |w| {
        write_tar_to(contents, Chunked(w), mtime).map(|_| ())
    })
    .and_then(|out| {
        out.file.sync_all()?;
        Ok(Layer {
            digest: hex_digest(out.gzip_sha256),
            diff_id: hex_digest(out.plain_sha256),
            size: out.gzip_size,
        })
    });
    match result {
        Ok(layer) => {
            let hex = layer.digest.trim_start_matches("sha256:");
            std::fs::rename(&tmp, blobs_dir.join(hex))?;
            Ok(layer)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Where a tar goes: a writer that can also take a file's data.
trait TarOut: Write {
    /// Appends exactly `size` bytes read from `f`.
    fn copy_file(&mut self, f: &mut File, size: u64) -> io::Result<()>;
}

/// Any writer (file data through a large buffer).
struct Plain<W>(W);

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> TarOut for Plain<W> {
    fn copy_file(&mut self, f: &mut File, size: u64) -> io::Result<()> {
        let mut buf = vec![
            0u8;
            (1 << 20)
                .min(usize::try_from(size).unwrap_or(1 << 20))
                .max(1)
        ];
        let mut left = size;
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = f.read(&mut buf[..want])?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "file changed size during the build",
                ));
            }
            self.0.write_all(&buf[..n])?;
            left -= n as u64;
        }
        Ok(())
    }
}

/// The parallel gzip pipeline's input (file data read straight into its chunks).
struct Chunked<'a>(&'a mut crate::pgzip::ChunkWriter);

impl Write for Chunked<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TarOut for Chunked<'_> {
    fn copy_file(&mut self, f: &mut File, size: u64) -> io::Result<()> {
        self.0.copy_file(f, size)
    }
}

/// Streams the tar of `contents` into `w` and returns `w`.
pub fn write_tar<W: Write>(contents: &LayerContents, w: W, mtime: u64) -> io::Result<W> {
    write_tar_to(contents, Plain(w), mtime).map(|p| p.0)
}

fn write_tar_to<T: TarOut>(contents: &LayerContents, w: T, mtime: u64) -> io::Result<T> {
    let mut b = tar::Builder::new(w);
    b.mode(tar::HeaderMode::Deterministic);
    let (uid, gid) = contents.owner;
    for (name, e) in contents.sorted() {
        let mut h = tar::Header::new_ustar();
        h.set_uid(uid);
        h.set_gid(gid);
        h.set_mtime(mtime);
        h.set_mode(e.mode);
        let mut pax: Vec<(&str, Vec<u8>)> = Vec::new();
        if !set_name(&mut h, name.as_bytes()) {
            pax.push(("path", name.as_bytes().to_vec()));
        }
        match &e.kind {
            Kind::Dir => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
            }
            Kind::Symlink { target } => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                let field = &mut h.as_old_mut().linkname;
                if target.len() <= field.len() {
                    field.fill(0);
                    field[..target.len()].copy_from_slice(target.as_bytes());
                } else {
                    field.fill(0);
                    field.copy_from_slice(&target.as_bytes()[..100]);
                    pax.push(("linkpath", target.as_bytes().to_vec()));
                }
            }
            Kind::File { size, .. } => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(*size);
            }
        }
        if !pax.is_empty() {
            b.append_pax_extensions(pax.iter().map(|(k, v)| (*k, v.as_slice())))?;
        }
        h.set_cksum();
        match &e.kind {
            Kind::File { src, size } => {
                let with_path = |err: io::Error| {
                    io::Error::new(err.kind(), format!("{}: {err}", src.display()))
                };
                let mut f = File::open(src).map_err(with_path)?;
                let meta = f.metadata().map_err(with_path)?;
                if meta.len() != *size {
                    return Err(io::Error::other(format!(
                        "{}: file changed size during the build",
                        src.display()
                    )));
                }
                // Header, data read straight into the output, zero padding to 512 bytes.
                let out = b.get_mut();
                out.write_all(h.as_bytes())?;
                out.copy_file(&mut f, *size).map_err(with_path)?;
                let pad = (512 - (*size % 512) as usize) % 512;
                out.write_all(&[0u8; 512][..pad])?;
            }
            _ => b.append(&h, io::empty())?,
        }
    }
    b.into_inner()
}

/// Sets the ustar name (and prefix); false when it does not fit (PAX needed).
fn set_name(h: &mut tar::Header, name: &[u8]) -> bool {
    let ustar = match h.as_ustar_mut() {
        Some(u) => u,
        None => return false,
    };
    ustar.name.fill(0);
    ustar.prefix.fill(0);
    if name.len() <= 100 {
        ustar.name[..name.len()].copy_from_slice(name);
        return true;
    }
    // Split at a `/` so that prefix <= 155 and name <= 100 (and name non-empty).
    let limit = name.len().min(156);
    for i in (0..limit).rev() {
        if name[i] == b'/' && i <= 155 && name.len() - i - 1 <= 100 && name.len() - i - 1 > 0 {
            ustar.prefix[..i].copy_from_slice(&name[..i]);
            let rest = &name[i + 1..];
            ustar.name[..rest.len()].copy_from_slice(rest);
            return true;
        }
    }
    ustar.name.copy_from_slice(&name[..100]);
    false
}

/// Hashes a file as a stream; returns `sha256:<hex>` and the size.
pub fn sha256_file(p: &Path) -> io::Result<(String, u64)> {
    let mut f = File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex_digest(h), n))
}

/// `sha256:<hex>` of bytes.
pub fn sha256_bytes(b: &[u8]) -> String {
    hex_digest(Sha256::new_with_prefix(b))
}

/// Everything under `dir` as one layer rooted at `/` (the `COPY . /` of a context without
/// ignore rules): the streaming path used by builds, handy for benchmarks against
/// `tar | gzip | sha256sum`.
pub fn layer_of_dir(dir: &Path, blobs_dir: &Path, mtime: u64) -> Result<Layer, String> {
    let contents = collect(
        dir,
        &CopySpec::whole_context(),
        &IgnoreRules::default(),
        blobs_dir,
    )?;
    write_layer(&contents, blobs_dir, mtime).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_use_pax_and_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let ctx = tmp.path().join("ctx");
        let long = "a".repeat(120);
        let deep = format!("{}/{}", "d".repeat(160), "f".repeat(90));
        std::fs::create_dir_all(ctx.join("d".repeat(160))).unwrap();
        std::fs::write(ctx.join(&long), "x").unwrap();
        std::fs::write(ctx.join(&deep), "y").unwrap();
        let blobs = tmp.path().join("blobs");
        let l = layer_of_dir(&ctx, &blobs, 0).unwrap();
        let f = File::open(blobs.join(l.digest.trim_start_matches("sha256:"))).unwrap();
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(f));
        let names: Vec<String> = ar
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![long, format!("{}/", "d".repeat(160)), deep]);
    }
}
