//! `save` / `load` of image archives: `oci-archive` (a tar of an OCI image layout) and
//! `docker-archive` (the `docker save` format as skopeo writes it: `manifest.json` with full
//! names in `RepoTags`, `repositories`, the config as `<hex>.json` and uncompressed layers as
//! `<diff-id hex>.tar`), plus plain OCI layout directories.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, HashingReader};
use crate::image;
use crate::progress::{NoProgress, ProgressReader, Reporter};
use crate::reference::Reference;
use crate::store::{self, REF_NAME_ANNOTATION, Store, StoreError};

/// Archive formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// A tar of an OCI image layout.
    OciArchive,
    /// The `docker save` format.
    DockerArchive,
}

impl std::str::FromStr for ArchiveFormat {
    type Err = ArchiveError;
    fn from_str(s: &str) -> Result<Self, ArchiveError> {
        match s {
            "oci-archive" => Ok(Self::OciArchive),
            "docker-archive" => Ok(Self::DockerArchive),
            _ => Err(ArchiveError::UnknownFormat(s.to_string())),
        }
    }
}

/// Errors of save and load. Each names the archive path, image or blob.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// A store operation failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An image document could not be decoded.
    #[error(transparent)]
    Image(#[from] image::ImageError),
    /// The format name is not `oci-archive` or `docker-archive`.
    #[error("unknown archive format {0:?} (want oci-archive or docker-archive)")]
    UnknownFormat(String),
    /// The archive is neither format.
    #[error("{path}: not an oci-archive, docker-archive or OCI layout directory")]
    NotAnArchive {
        /// The path given.
        path: PathBuf,
    },
    /// The archive is malformed.
    #[error("{path}: {reason}")]
    Invalid {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A layer's uncompressed digest does not match the config's `diff_ids`.
    #[error(
        "image {image}: layer {layer}: uncompressed digest {actual} does not match diff_id {expected}"
    )]
    DiffIdMismatch {
        /// The image.
        image: String,
        /// The layer blob.
        layer: String,
        /// From the config.
        expected: String,
        /// Computed.
        actual: String,
    },
    /// No images to save.
    #[error("no images given to save")]
    Empty,
}

type Result<T, E = ArchiveError> = std::result::Result<T, E>;

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A deterministic tar header for a regular file.
fn file_header(size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn dir_header() -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_size(0);
    h.set_mode(0o755);
    h.set_mtime(0);
    h
}

/// A scratch directory next to `near`, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(near: &Path) -> Result<Self> {
        let parent = near
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let p = parent.join(format!(".hoist-scratch-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&p).map_err(io_at(&p))?;
        Ok(Self(p))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes the images `refs` from `store` to the archive `path` (replaced atomically).
pub fn save(store: &Store, refs: &[Reference], path: &Path, format: ArchiveFormat) -> Result<()> {
    save_with(store, refs, path, format, &NoProgress)
}

/// [`save`], reporting each blob written to `reporter`.
pub fn save_with(
    store: &Store,
    refs: &[Reference],
    path: &Path,
    format: ArchiveFormat,
    reporter: &dyn Reporter,
) -> Result<()> {
    if refs.is_empty() {
        return Err(ArchiveError::Empty);
    }
    let scratch = Scratch::new(path)?;
    let tmp = scratch.0.join("archive.tar");
    {
        let f = File::create(&tmp).map_err(io_at(&tmp))?;
        let mut b = tar::Builder::new(BufWriter::new(f));
        match format {
            ArchiveFormat::OciArchive => write_oci(store, refs, &mut b, &tmp, reporter)?,
            ArchiveFormat::DockerArchive => {
                write_docker(store, refs, &mut b, &tmp, &scratch.0, reporter)?
            }
        }
        let w = b.into_inner().map_err(io_at(&tmp))?;
        let f = w.into_inner().map_err(|e| ArchiveError::Io {
            path: tmp.clone(),
            source: e.into_error(),
        })?;
        f.sync_all().map_err(io_at(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_at(path))?;
    Ok(())
}

fn append_blob<W: Write>(
    store: &Store,
    b: &mut tar::Builder<W>,
    digest: &Digest,
    name: &str,
    at: &Path,
    reporter: &dyn Reporter,
) -> Result<()> {
    let size = store.blob_size(digest)?;
    let id = digest.to_string();
    let r = ProgressReader::new(store.open_blob(digest)?, &id, Some(size), reporter);
    let mut h = file_header(size);
    b.append_data(&mut h, name, r).map_err(io_at(at))?;
    Ok(())
}

fn append_bytes<W: Write>(
    b: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
    at: &Path,
) -> Result<()> {
    let mut h = file_header(bytes.len() as u64);
    b.append_data(&mut h, name, bytes).map_err(io_at(at))
}

fn write_oci<W: Write>(
    store: &Store,
    refs: &[Reference],
    b: &mut tar::Builder<W>,
    at: &Path,
    reporter: &dyn Reporter,
) -> Result<()> {
    let mut index = store::IndexFile::empty();
    let mut blobs = std::collections::BTreeSet::new();
    for r in refs {
        let info = store.resolve(r)?;
        let mut annotations = BTreeMap::new();
        annotations.insert(REF_NAME_ANNOTATION.to_string(), r.to_string());
        index.manifests.push(store::IndexEntry {
            media_type: info.media_type.clone(),
            digest: info.digest.to_string(),
            size: info.manifest.len() as u64,
            annotations,
            other: serde_json::Map::new(),
        });
        reach(store, &info.digest, &mut blobs);
    }
    let index_bytes = serde_json::to_vec(&index).map_err(|e| ArchiveError::Invalid {
        path: at.to_path_buf(),
        reason: e.to_string(),
    })?;
    for d in ["blobs/", "blobs/sha256/"] {
        b.append_data(&mut dir_header(), d, io::empty())
            .map_err(io_at(at))?;
    }
    append_bytes(b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#, at)?;
    append_bytes(b, "index.json", &index_bytes, at)?;
    for d in &blobs {
        append_blob(
            store,
            b,
            d,
            &format!("blobs/sha256/{}", d.hex()),
            at,
            reporter,
        )?;
    }
    Ok(())
}

/// Everything present in the store reachable from `digest`.
fn reach(store: &Store, digest: &Digest, out: &mut std::collections::BTreeSet<Digest>) {
    if !store.has_blob(digest) || !out.insert(digest.clone()) {
        return;
    }
    let Ok(bytes) = store.read_blob(digest) else {
        return;
    };
    for c in store::children(&bytes) {
        if let Ok(d) = c.digest.parse::<Digest>() {
            if c.is_manifest {
                reach(store, &d, out);
            } else if store.has_blob(&d) {
                out.insert(d);
            }
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct DockerManifestItem {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

fn write_docker<W: Write>(
    store: &Store,
    refs: &[Reference],
    b: &mut tar::Builder<W>,
    at: &Path,
    scratch: &Path,
    reporter: &dyn Reporter,
) -> Result<()> {
    let mut items: Vec<DockerManifestItem> = Vec::new();
    let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut written = std::collections::BTreeSet::new();
    for r in refs {
        let info = store.resolve(r)?;
        let image_name = r.to_string();
        let m = image::parse_manifest(&info.image_manifest, &info.image_digest.to_string())?;
        let cfg = image::Config::parse(&info.config, &info.config_digest.to_string())?;
        let diff_ids = cfg.diff_ids();
        if diff_ids.len() != m.layers().len() {
            return Err(ArchiveError::Invalid {
                path: at.to_path_buf(),
                reason: format!(
                    "image {image_name}: config has {} diff_ids but the manifest {} layers",
                    diff_ids.len(),
                    m.layers().len()
                ),
            });
        }
        let config_name = format!("{}.json", info.config_digest.hex());
        if written.insert(config_name.clone()) {
            append_bytes(b, &config_name, &info.config, at)?;
        }
        let mut layer_names = Vec::new();
        for (layer, diff_id) in m.layers().iter().zip(diff_ids) {
            let ld: Digest =
                layer
                    .digest()
                    .to_string()
                    .parse()
                    .map_err(|e| ArchiveError::Invalid {
                        path: at.to_path_buf(),
                        reason: format!("image {image_name}: {e}"),
                    })?;
            let diff: Digest = diff_id.parse().map_err(|e| ArchiveError::Invalid {
                path: at.to_path_buf(),
                reason: format!("image {image_name}: {e}"),
            })?;
            let name = format!("{}.tar", diff.hex());
            if written.insert(name.clone()) {
                // Decompress to a scratch file, checking the diff_id, then add it.
                let tmp = scratch.join(diff.hex());
                let mut f = File::options()
                    .create(true)
                    .truncate(true)
                    .read(true)
                    .write(true)
                    .open(&tmp)
                    .map_err(io_at(&tmp))?;
                let id = ld.to_string();
                let blob =
                    ProgressReader::new(store.open_blob(&ld)?, &id, Some(layer.size()), reporter);
                let mut hr = HashingReader::new(decompressor(BufReader::new(blob), &tmp)?);
                io::copy(&mut hr, &mut f).map_err(io_at(&tmp))?;
                let (actual, size) = hr.finish();
                if actual != diff {
                    return Err(ArchiveError::DiffIdMismatch {
                        image: image_name,
                        layer: ld.to_string(),
                        expected: diff.to_string(),
                        actual: actual.to_string(),
                    });
                }
                f.rewind().map_err(io_at(&tmp))?;
                let mut h = file_header(size);
                b.append_data(&mut h, &name, &mut f).map_err(io_at(at))?;
                drop(f);
                let _ = fs::remove_file(&tmp);
            }
            layer_names.push(name);
        }
        // Full names, as skopeo writes them (docker itself writes the familiar form).
        let tag = r.tag().map(|t| format!("{}:{t}", r.repository()));
        if let (Some(t), Some(last)) = (r.tag(), m.layers().last().and(diff_ids.last())) {
            let hex = last.strip_prefix("sha256:").unwrap_or(last).to_string();
            repositories
                .entry(r.repository())
                .or_default()
                .insert(t.to_string(), hex);
        }
        match items.iter_mut().find(|i| i.config == config_name) {
            Some(item) => {
                if let Some(t) = tag {
                    item.repo_tags.get_or_insert_with(Vec::new).push(t);
                }
            }
            None => items.push(DockerManifestItem {
                config: config_name,
                repo_tags: tag.map(|t| vec![t]),
                layers: layer_names,
            }),
        }
    }
    let manifest = serde_json::to_vec(&items).map_err(|e| ArchiveError::Invalid {
        path: at.to_path_buf(),
        reason: e.to_string(),
    })?;
    append_bytes(b, "manifest.json", &manifest, at)?;
    if !repositories.is_empty() {
        let repos = serde_json::to_vec(&repositories).map_err(|e| ArchiveError::Invalid {
            path: at.to_path_buf(),
            reason: e.to_string(),
        })?;
        append_bytes(b, "repositories", &repos, at)?;
    }
    Ok(())
}

/// A reader that undoes gzip or zstd compression, detected from the first bytes.
fn decompressor<'a, R: io::BufRead + 'a>(r: R, at: &Path) -> Result<Box<dyn Read + 'a>> {
    crate::compress::decompress(r).map_err(io_at(at))
}

/// One image loaded by [`load`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The name it was stored under.
    pub reference: Reference,
    /// Its manifest digest.
    pub digest: Digest,
}

/// Loads every image of an `oci-archive`, `docker-archive` (either possibly gzip-compressed)
/// or OCI layout directory at `path` into `store`, detecting the format.
///
/// Names: an OCI `org.opencontainers.image.ref.name` that is a full reference is used as is; a
/// bare name such as `v1` becomes `localhost/<file stem>:v1`; an image without a name becomes
/// `localhost/<file stem>@<digest>`. docker-archive images are named by their `RepoTags`.
pub fn load(store: &Store, path: &Path) -> Result<Vec<Loaded>> {
    load_with(store, path, &NoProgress)
}

/// [`load`], reporting the archive read and each layer stored to `reporter`.
pub fn load_with(store: &Store, path: &Path, reporter: &dyn Reporter) -> Result<Vec<Loaded>> {
    let meta = fs::metadata(path).map_err(io_at(path))?;
    if meta.is_dir() {
        if path.join("manifest.json").is_file() && !path.join("oci-layout").is_file() {
            return load_docker_dir(store, path, path, reporter);
        }
        return load_layout(store, path, path, reporter);
    }
    let scratch = store.scratch_dir()?;
    let dir = scratch.path().join("x");
    extract(path, &dir, reporter)?;
    if dir.join("manifest.json").is_file() {
        load_docker_dir(store, &dir, path, reporter)
    } else if dir.join("oci-layout").is_file() {
        load_layout(store, &dir, path, reporter)
    } else {
        Err(ArchiveError::NotAnArchive {
            path: path.to_path_buf(),
        })
    }
}

/// Extracts an archive's regular files (no links, no escapes) into `dir`.
fn extract(path: &Path, dir: &Path, reporter: &dyn Reporter) -> Result<()> {
    let size = fs::metadata(path).map(|m| m.len()).ok();
    let id = path.display().to_string();
    let f = ProgressReader::new(File::open(path).map_err(io_at(path))?, &id, size, reporter);
    let r = decompressor(BufReader::new(f), path)?;
    let mut a = tar::Archive::new(r);
    let entries = a.entries().map_err(io_at(path))?;
    for e in entries {
        let mut e = e.map_err(io_at(path))?;
        let kind = e.header().entry_type();
        let p = e.path().map_err(io_at(path))?.into_owned();
        let mut rel = PathBuf::new();
        for c in p.components() {
            match c {
                std::path::Component::Normal(n) => rel.push(n),
                std::path::Component::CurDir => {}
                _ => {
                    return Err(ArchiveError::Invalid {
                        path: path.to_path_buf(),
                        reason: format!("refusing entry {:?}: path escapes the archive", p),
                    });
                }
            }
        }
        if rel.as_os_str().is_empty() {
            continue;
        }
        let dest = dir.join(&rel);
        match kind {
            tar::EntryType::Directory => fs::create_dir_all(&dest).map_err(io_at(&dest))?,
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent).map_err(io_at(parent))?;
                }
                let mut out = File::create(&dest).map_err(io_at(&dest))?;
                io::copy(&mut e, &mut out).map_err(io_at(&dest))?;
            }
            tar::EntryType::Symlink | tar::EntryType::Link => {
                // docker-archive writers link `<id>/layer.tar` to `<diff-id>.tar`: copy the
                // target when it stays inside the archive, refuse otherwise.
                let link = e
                    .link_name()
                    .map_err(io_at(path))?
                    .map(|l| l.into_owned())
                    .unwrap_or_default();
                let base = if kind == tar::EntryType::Symlink {
                    rel.parent().map(Path::to_path_buf).unwrap_or_default()
                } else {
                    PathBuf::new()
                };
                let mut parts: Vec<std::ffi::OsString> = base
                    .components()
                    .map(|c| c.as_os_str().to_os_string())
                    .collect();
                for c in link.components() {
                    match c {
                        std::path::Component::Normal(n) => parts.push(n.to_os_string()),
                        std::path::Component::CurDir => {}
                        std::path::Component::ParentDir if parts.pop().is_some() => {}
                        _ => {
                            return Err(ArchiveError::Invalid {
                                path: path.to_path_buf(),
                                reason: format!(
                                    "refusing link entry {p:?} -> {link:?}: leaves the archive"
                                ),
                            });
                        }
                    }
                }
                let src: PathBuf = parts.iter().collect();
                let src = dir.join(src);
                if src.is_file() {
                    if let Some(parent) = dest.parent() {
                        fs::create_dir_all(parent).map_err(io_at(parent))?;
                    }
                    if fs::hard_link(&src, &dest).is_err() {
                        fs::copy(&src, &dest).map_err(io_at(&dest))?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn stem(origin: &Path) -> String {
    let s = origin
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let cleaned = cleaned.trim_matches('-').to_string();
    if cleaned.is_empty() {
        "image".to_string()
    } else {
        cleaned
    }
}

fn load_layout(
    store: &Store,
    dir: &Path,
    origin: &Path,
    reporter: &dyn Reporter,
) -> Result<Vec<Loaded>> {
    let _g = store.write_guard()?;
    let index = store::IndexFile::read(&dir.join("index.json"))?;
    let mut out = Vec::new();
    for e in &index.manifests {
        let digest: Digest = e.digest.parse().map_err(|err| ArchiveError::Invalid {
            path: origin.to_path_buf(),
            reason: format!("{err}"),
        })?;
        let reference = match e.ref_name() {
            Some(n) if n.contains('/') || n.contains(':') => Reference::parse(n).ok(),
            Some(n) => Reference::parse(&format!("localhost/{}:{n}", stem(origin))).ok(),
            None => None,
        };
        let reference = match reference {
            Some(r) => r,
            None => Reference::parse(&format!("localhost/{}@{digest}", stem(origin))).map_err(
                |err| ArchiveError::Invalid {
                    path: origin.to_path_buf(),
                    reason: err.to_string(),
                },
            )?,
        };
        // An extracted archive is scratch: its blobs are moved, not copied.
        store.copy_from_layout(dir, &digest, reporter, dir != origin)?;
        store.tag(&reference, &digest)?;
        out.push(Loaded { reference, digest });
    }
    Ok(out)
}

fn load_docker_dir(
    store: &Store,
    dir: &Path,
    origin: &Path,
    reporter: &dyn Reporter,
) -> Result<Vec<Loaded>> {
    let _g = store.write_guard()?;
    let mpath = dir.join("manifest.json");
    let bytes = fs::read(&mpath).map_err(io_at(&mpath))?;
    let items: Vec<DockerManifestItem> =
        serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Invalid {
            path: origin.to_path_buf(),
            reason: format!("manifest.json: {e}"),
        })?;
    let invalid = |reason: String| ArchiveError::Invalid {
        path: origin.to_path_buf(),
        reason,
    };
    let safe_join = |name: &str| -> Result<PathBuf> {
        let p = Path::new(name);
        if p.components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(invalid(format!("bad path {name:?} in manifest.json")));
        }
        Ok(dir.join(p))
    };
    let mut out = Vec::new();
    for item in items {
        let cpath = safe_join(&item.config)?;
        let config = fs::read(&cpath).map_err(io_at(&cpath))?;
        let config_digest = store.put_blob_bytes(&config, None)?;
        let cfg = image::Config::parse(&config, &config_digest.to_string())?;
        let diff_ids = cfg.diff_ids().to_vec();
        if diff_ids.len() != item.layers.len() {
            return Err(invalid(format!(
                "config {} has {} diff_ids but manifest.json lists {} layers",
                item.config,
                diff_ids.len(),
                item.layers.len()
            )));
        }
        let mut layers = Vec::new();
        for (lname, diff) in item.layers.iter().zip(&diff_ids) {
            let lp = safe_join(lname)?;
            // Layers are normally plain tars (digest = diff_id); some writers gzip them.
            let f = File::open(&lp).map_err(io_at(&lp))?;
            let mut hr = HashingReader::new(decompressor(BufReader::new(f), &lp)?);
            io::copy(&mut hr, &mut io::sink()).map_err(io_at(&lp))?;
            let (uncompressed, _) = hr.finish();
            if uncompressed.to_string() != *diff {
                return Err(ArchiveError::DiffIdMismatch {
                    image: item
                        .repo_tags
                        .as_ref()
                        .and_then(|t| t.first().cloned())
                        .unwrap_or_else(|| item.config.clone()),
                    layer: lname.clone(),
                    expected: diff.clone(),
                    actual: uncompressed.to_string(),
                });
            }
            let f = File::open(&lp).map_err(io_at(&lp))?;
            let total = f.metadata().map(|m| m.len()).ok();
            let (d, size) = store.put_blob(ProgressReader::new(f, lname, total, reporter), None)?;
            let media_type = if d == uncompressed {
                image::DOCKER_LAYER_TAR
            } else {
                image::DOCKER_LAYER_GZIP
            };
            layers.push(serde_json::json!({
                "mediaType": media_type,
                "size": size,
                "digest": d.to_string(),
            }));
        }
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": image::DOCKER_MANIFEST,
            "config": {
                "mediaType": image::DOCKER_CONFIG,
                "size": config.len(),
                "digest": config_digest.to_string(),
            },
            "layers": layers,
        });
        let mbytes = serde_json::to_vec_pretty(&manifest).map_err(|e| invalid(e.to_string()))?;
        let digest = store.put_manifest(&mbytes, image::DOCKER_MANIFEST)?;
        let tags = item.repo_tags.clone().unwrap_or_default();
        let mut refs: Vec<Reference> = tags
            .iter()
            .map(|t| Reference::parse(t).map_err(|e| invalid(e.to_string())))
            .collect::<Result<_>>()?;
        if refs.is_empty() {
            refs.push(
                Reference::parse(&format!("localhost/{}@{digest}", stem(origin)))
                    .map_err(|e| invalid(e.to_string()))?,
            );
        }
        for r in refs {
            store.tag(&r, &digest)?;
            out.push(Loaded {
                reference: r,
                digest: digest.clone(),
            });
        }
    }
    Ok(out)
}
