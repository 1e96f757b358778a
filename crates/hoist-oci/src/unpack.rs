//! Extracting image layers into a directory, safely.
//!
//! Entries with absolute paths or `..` components are refused, as are entries (and hard-link
//! targets) whose parent path passes through a symlink that leads outside the target directory
//! (absolute symlinks count as outside: on the host they point out of the tree). OCI whiteouts
//! are applied: `.wh.NAME` deletes `NAME` from lower layers, `.wh..wh..opq` empties its
//! directory of lower-layer content. Device nodes and FIFOs are skipped; ownership is not set.

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use crate::digest::Digest;
use crate::image;
use crate::reference::Reference;
use crate::store::{Store, StoreError};

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_WHITEOUT: &str = ".wh..wh..opq";
const MAX_LINK_HOPS: usize = 40;

/// Errors unpacking a layer. Each names the layer digest and, where there is one, the entry.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// The entry would write outside the target directory.
    #[error("layer {layer}: refusing entry {entry:?}: {reason}")]
    Unsafe {
        /// Layer digest.
        layer: String,
        /// Entry path as written in the tar.
        entry: String,
        /// Why.
        reason: String,
    },
    /// Reading the layer or writing a file failed.
    #[error("layer {layer}: entry {entry:?}: {source}")]
    Io {
        /// Layer digest.
        layer: String,
        /// Entry path (empty when reading the archive itself failed).
        entry: String,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The image could not be read from the store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The manifest could not be decoded.
    #[error(transparent)]
    Image(#[from] image::ImageError),
}

type Result<T, E = UnpackError> = std::result::Result<T, E>;

/// Extracts every layer of the image `reference` from `store` into `target` (created if
/// missing), in order. Layer digests are verified as they are read.
pub fn unpack_image(store: &Store, reference: &Reference, target: &Path) -> Result<()> {
    let info = store.resolve(reference)?;
    let m = image::parse_manifest(&info.image_manifest, &info.image_digest.to_string())?;
    for layer in m.layers() {
        let ds = layer.digest().to_string();
        let d: Digest = ds.parse().map_err(|e| UnpackError::Unsafe {
            layer: ds.clone(),
            entry: String::new(),
            reason: format!("{e}"),
        })?;
        let mut r = store.open_blob(&d)?;
        unpack_layer(&mut r, &ds, target)?;
        // Read to the end so the digest check runs.
        io::copy(&mut r, &mut io::sink()).map_err(|source| UnpackError::Io {
            layer: ds.clone(),
            entry: String::new(),
            source,
        })?;
    }
    Ok(())
}

/// Extracts one layer (plain tar, gzip or zstd, detected from the bytes) into `target`. `layer` names
/// the layer in errors.
pub fn unpack_layer(reader: impl Read, layer: &str, target: &Path) -> Result<()> {
    let io_err = |entry: &str| {
        let entry = entry.to_string();
        move |source| UnpackError::Io {
            layer: layer.to_string(),
            entry,
            source,
        }
    };
    fs::create_dir_all(target).map_err(io_err(""))?;
    let root = fs::canonicalize(target).map_err(io_err(""))?;
    let r = crate::compress::decompress(BufReader::new(reader)).map_err(io_err(""))?;
    unpack_tar(r, layer, &root)
}

fn unpack_tar(reader: impl Read, layer: &str, root: &Path) -> Result<()> {
    let mut archive = tar::Archive::new(reader);
    archive.set_overwrite(true);
    archive.set_preserve_permissions(true);
    archive.set_preserve_mtime(true);
    archive.set_unpack_xattrs(false);
    let mut created: HashSet<PathBuf> = HashSet::new();
    let entries = archive.entries().map_err(|source| UnpackError::Io {
        layer: layer.to_string(),
        entry: String::new(),
        source,
    })?;
    for entry in entries {
        let mut entry = entry.map_err(|source| UnpackError::Io {
            layer: layer.to_string(),
            entry: String::new(),
            source,
        })?;
        let raw = entry.path_bytes().into_owned();
        let name = String::from_utf8_lossy(&raw).into_owned();
        let unsafe_err = |reason: &str| UnpackError::Unsafe {
            layer: layer.to_string(),
            entry: name.clone(),
            reason: reason.to_string(),
        };
        let io_err = |source| UnpackError::Io {
            layer: layer.to_string(),
            entry: name.clone(),
            source,
        };
        let rel = clean_relative(&entry.path().map_err(io_err)?).map_err(|r| unsafe_err(&r))?;
        let Some(file_name) = rel.file_name().map(|f| f.to_string_lossy().into_owned()) else {
            continue; // the root itself
        };
        let parent_rel = rel.parent().unwrap_or(Path::new("")).to_path_buf();
        let parent = resolve_in_root(root, &parent_rel).map_err(|r| unsafe_err(&r))?;

        if file_name == OPAQUE_WHITEOUT {
            if parent.is_dir() {
                remove_lower(&parent, &created).map_err(io_err)?;
            }
            continue;
        }
        if let Some(hidden) = file_name.strip_prefix(WHITEOUT_PREFIX) {
            if hidden.is_empty() || hidden == "." || hidden == ".." || hidden.contains('/') {
                return Err(unsafe_err("bad whiteout name"));
            }
            remove_any(&parent.join(hidden)).map_err(io_err)?;
            continue;
        }

        fs::create_dir_all(&parent).map_err(io_err)?;
        let dest = parent.join(&file_name);
        let kind = entry.header().entry_type();
        let existing = fs::symlink_metadata(&dest).ok();
        match kind {
            tar::EntryType::Directory => {
                if let Some(m) = existing
                    && !m.is_dir()
                {
                    remove_any(&dest).map_err(io_err)?;
                }
                entry.unpack(&dest).map_err(io_err)?;
            }
            tar::EntryType::Regular
            | tar::EntryType::Continuous
            | tar::EntryType::GNUSparse
            | tar::EntryType::Symlink => {
                if existing.is_some() {
                    remove_any(&dest).map_err(io_err)?;
                }
                entry.unpack(&dest).map_err(io_err)?;
            }
            tar::EntryType::Link => {
                let link = entry
                    .link_name()
                    .map_err(io_err)?
                    .ok_or_else(|| unsafe_err("hard link without a target"))?;
                let link_rel = clean_relative(&link).map_err(|r| unsafe_err(&r))?;
                let lp = link_rel.parent().unwrap_or(Path::new(""));
                let src_parent = resolve_in_root(root, lp).map_err(|r| unsafe_err(&r))?;
                let src = match link_rel.file_name() {
                    Some(f) => src_parent.join(f),
                    None => return Err(unsafe_err("hard link to the root")),
                };
                let sm = fs::symlink_metadata(&src).map_err(io_err)?;
                if sm.is_dir() {
                    return Err(unsafe_err("hard link to a directory"));
                }
                if existing.is_some() {
                    remove_any(&dest).map_err(io_err)?;
                }
                fs::hard_link(&src, &dest).map_err(io_err)?;
            }
            _ => continue,
        }
        created.insert(dest);
    }
    Ok(())
}

/// Normalises an entry path: drops `.` and leading `/`-free components, refuses absolute paths
/// and `..`.
fn clean_relative(p: &Path) -> std::result::Result<PathBuf, String> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            Component::ParentDir => return Err("path contains '..'".to_string()),
            Component::RootDir | Component::Prefix(_) => {
                return Err("absolute path".to_string());
            }
        }
    }
    Ok(out)
}

/// Resolves `rel` (already clean) under `root`, following symlinks found on the way as long
/// as they stay inside `root`. Missing components are fine (they will be created as dirs).
fn resolve_in_root(root: &Path, rel: &Path) -> std::result::Result<PathBuf, String> {
    let mut stack: Vec<std::ffi::OsString> = Vec::new();
    let mut pending: Vec<std::ffi::OsString> = rel
        .components()
        .rev()
        .map(|c| c.as_os_str().to_os_string())
        .collect();
    let mut hops = 0;
    while let Some(comp) = pending.pop() {
        if comp == ".." {
            if stack.pop().is_none() {
                return Err("symlink leads outside the target directory".to_string());
            }
            continue;
        }
        if comp == "." || comp.is_empty() {
            continue;
        }
        let mut here = root.to_path_buf();
        here.extend(stack.iter());
        here.push(&comp);
        match fs::symlink_metadata(&here) {
            Ok(m) if m.file_type().is_symlink() => {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    return Err("too many levels of symbolic links".to_string());
                }
                let target = fs::read_link(&here).map_err(|e| e.to_string())?;
                if target.is_absolute() {
                    return Err(format!(
                        "parent {} is an absolute symlink to {}, outside the target directory",
                        here.strip_prefix(root).unwrap_or(&here).display(),
                        target.display()
                    ));
                }
                for c in target.components().rev() {
                    pending.push(c.as_os_str().to_os_string());
                }
            }
            Ok(m) if !m.is_dir() => {
                return Err(format!(
                    "parent {} is not a directory",
                    here.strip_prefix(root).unwrap_or(&here).display()
                ));
            }
            _ => stack.push(comp),
        }
    }
    let mut out = root.to_path_buf();
    out.extend(stack.iter());
    Ok(out)
}

fn remove_any(p: &Path) -> io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes from `dir` everything not created by the current layer.
fn remove_lower(dir: &Path, created: &HashSet<PathBuf>) -> io::Result<()> {
    for e in fs::read_dir(dir)? {
        let p = e?.path();
        if created.contains(&p) {
            if fs::symlink_metadata(&p)?.is_dir() {
                remove_lower(&p, created)?;
            }
        } else {
            remove_any(&p)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean() {
        assert_eq!(
            clean_relative(Path::new("./a/./b")).unwrap(),
            Path::new("a/b")
        );
        assert!(clean_relative(Path::new("/etc/x")).is_err());
        assert!(clean_relative(Path::new("a/../../x")).is_err());
    }
}
