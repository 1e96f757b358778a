//! The local image store: an OCI image layout directory that is safe for concurrent and
//! interrupted use.
//!
//! Layout at the root: `oci-layout`, `index.json` (one descriptor per tag, the tag in the
//! `org.opencontainers.image.ref.name` annotation as the full reference), `blobs/sha256/<hex>`,
//! plus a private `.hoist/` directory holding lock files and in-progress temp files.
//!
//! Crash safety: a blob is written to `.hoist/tmp/`, hashed while streaming, fsynced, checked
//! against its digest and only then renamed into `blobs/`; `index.json` is replaced by rename
//! under an exclusive lock. A process killed at any point leaves only temp files, which the next
//! [`Store::open`] removes (a temp file is flock-ed by its writer while in use, so only those of
//! dead writers are removed). Readers never lock: they see either the old or the new index.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{FlockOperation, flock};
use serde::{Deserialize, Serialize};

use crate::digest::{Digest, HashingReader, VerifyingReader};
use crate::image::{self, ImageError, ManifestKind};
use crate::reference::{Reference, ReferenceError};

/// The annotation holding a tag's name in `index.json`.
pub const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";
const OCI_LAYOUT_CONTENT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

/// Errors of the store. Each names the path, digest or reference involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A filesystem operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Content did not hash to the digest it was announced with; nothing was stored.
    #[error("digest mismatch for {what}: expected {expected}, actual {actual}")]
    DigestMismatch {
        /// What was being stored or read (a path or description).
        what: String,
        /// The digest announced.
        expected: Digest,
        /// The digest of the content.
        actual: Digest,
    },
    /// The blob is not in the store.
    #[error("blob {digest} not found in {root}")]
    BlobNotFound {
        /// Wanted digest.
        digest: Digest,
        /// Store or layout root.
        root: PathBuf,
    },
    /// No image has this name.
    #[error("image not known: {reference}")]
    ImageNotFound {
        /// The reference asked for.
        reference: String,
    },
    /// A manifest points at blobs that are not stored yet.
    #[error("manifest {digest} references blob {missing} which is not in the store")]
    MissingBlob {
        /// The manifest.
        digest: Digest,
        /// The absent blob.
        missing: String,
    },
    /// The declared media type disagrees with the document.
    #[error("manifest {digest}: media type given as {given:?} but the document says {found:?}")]
    MediaTypeMismatch {
        /// The manifest.
        digest: Digest,
        /// Type passed by the caller.
        given: String,
        /// Type found in the bytes.
        found: String,
    },
    /// `index.json` or a manifest is malformed.
    #[error("{path}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Parser error.
        #[source]
        source: serde_json::Error,
    },
    /// A digest string inside a document is malformed.
    #[error("{context}: {source}")]
    BadDigest {
        /// Where it was found.
        context: String,
        /// The parse error.
        #[source]
        source: crate::digest::DigestParseError,
    },
    /// A name in an index is not a valid reference.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// A manifest, index or config could not be decoded.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// A directory is not an OCI image layout.
    #[error("{path}: not an OCI image layout: {reason}")]
    NotLayout {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A short image ID matches several images.
    #[error("image ID {id} is ambiguous: it matches {count} images")]
    AmbiguousId {
        /// The prefix given.
        id: String,
        /// How many images match.
        count: usize,
    },
    /// An OCI layout has several images and none matches the name asked for.
    #[error("{path}: cannot choose an image for {wanted}: the layout holds {count} images")]
    AmbiguousLayout {
        /// The directory.
        path: PathBuf,
        /// The reference asked for.
        wanted: String,
        /// How many images the layout holds.
        count: usize,
    },
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One descriptor in `index.json`; unknown fields (e.g. `platform`) are kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IndexEntry {
    #[serde(rename = "mediaType")]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl IndexEntry {
    pub(crate) fn ref_name(&self) -> Option<&str> {
        self.annotations
            .get(REF_NAME_ANNOTATION)
            .map(String::as_str)
    }
}

/// `index.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IndexFile {
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    #[serde(rename = "mediaType", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<IndexEntry>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl IndexFile {
    pub(crate) fn empty() -> Self {
        Self {
            schema_version: 2,
            media_type: Some(image::OCI_INDEX.to_string()),
            manifests: Vec::new(),
            other: serde_json::Map::new(),
        }
    }

    pub(crate) fn read(path: &Path) -> Result<Self> {
        let bytes = fs::read(path).map_err(io_err(path))?;
        serde_json::from_slice(&bytes).map_err(|source| StoreError::Json {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// What [`Store::resolve`] and [`Store::list`] return about an image.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// The name it is stored under.
    pub reference: Reference,
    /// Digest of the manifest (or index) the name points at.
    pub digest: Digest,
    /// Media type of that manifest (or index).
    pub media_type: String,
    /// Its exact bytes.
    pub manifest: Vec<u8>,
    /// Digest of the single-platform manifest (equals `digest` unless that is an index).
    pub image_digest: Digest,
    /// Bytes of the single-platform manifest.
    pub image_manifest: Vec<u8>,
    /// Digest of the config blob.
    pub config_digest: Digest,
    /// Exact config bytes.
    pub config: Vec<u8>,
    /// Manifest + config + layer sizes, in bytes.
    pub size: u64,
    /// The config's `created` timestamp (RFC 3339), if any.
    pub created: Option<String>,
}

/// What [`Store::gc`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcStats {
    /// Blobs deleted.
    pub removed: Vec<Digest>,
    /// Bytes freed.
    pub freed_bytes: u64,
}

/// Holds off garbage collection while alive; take one around multi-step writes
/// (blobs, then manifest, then tag) so that [`Store::gc`] cannot delete the new blobs between
/// the steps. Do not call [`Store::gc`] on the same thread while holding one.
pub struct WriteGuard {
    _lock: FileLock,
}

struct FileLock {
    _file: File,
}

fn lock_file(path: &Path, op: FlockOperation) -> Result<FileLock> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .read(true)
        .open(path)
        .map_err(io_err(path))?;
    flock(&file, op).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    Ok(FileLock { _file: file })
}

fn fsync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(io_err(path))
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temp file removed on drop unless persisted. Its writer holds an flock on it.
struct TempFile {
    path: PathBuf,
    file: File,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// A scratch directory from [`Store::scratch_dir`]; deleted on drop.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
    _lock: File,
}

impl ScratchDir {
    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// An OCI image layout used as the local image store.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// The default store root: `$HOIST_ROOT` when set and non-empty, else `/var/lib/hoist` for
/// root, else `$XDG_DATA_HOME/hoist` or `~/.local/share/hoist`.
pub fn default_root() -> PathBuf {
    default_root_from(
        std::env::var_os("HOIST_ROOT"),
        rustix::process::geteuid().is_root(),
        std::env::var_os("XDG_DATA_HOME"),
        std::env::var_os("HOME"),
    )
}

fn default_root_from(
    hoist_root: Option<std::ffi::OsString>,
    is_root: bool,
    xdg_data_home: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> PathBuf {
    if let Some(r) = hoist_root.filter(|r| !r.is_empty()) {
        return PathBuf::from(r);
    }
    if is_root {
        return PathBuf::from("/var/lib/hoist");
    }
    if let Some(x) = xdg_data_home.filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("hoist");
    }
    PathBuf::from(home.unwrap_or_default()).join(".local/share/hoist")
}

impl Store {
    /// Opens (creating if needed) the store at `root` and removes temp files left by writers
    /// that died.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let store = Self { root: root.into() };
        let blobs = store.blobs_dir();
        fs::create_dir_all(&blobs).map_err(io_err(&blobs))?;
        let tmp = store.tmp_dir();
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        let layout = store.root.join("oci-layout");
        if !layout.exists() {
            store.write_atomic(&layout, OCI_LAYOUT_CONTENT)?;
        }
        let index = store.index_path();
        if !index.exists() {
            let _lock = store.index_lock()?;
            if !index.exists() {
                store.write_index(&IndexFile::empty())?;
            }
        }
        store.clean_temp()?;
        Ok(store)
    }

    /// Opens the store at [`default_root`].
    pub fn open_default() -> Result<Self> {
        Self::open(default_root())
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn blobs_dir(&self) -> PathBuf {
        self.root.join("blobs").join("sha256")
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join(".hoist").join("tmp")
    }

    fn index_path(&self) -> PathBuf {
        self.root.join("index.json")
    }

    fn index_lock(&self) -> Result<FileLock> {
        lock_file(
            &self.root.join(".hoist").join("index.lock"),
            FlockOperation::LockExclusive,
        )
    }

    fn tmp_lock(&self, op: FlockOperation) -> Result<FileLock> {
        lock_file(&self.root.join(".hoist").join("tmp.lock"), op)
    }

    /// Blocks garbage collection (in any process) until dropped.
    pub fn write_guard(&self) -> Result<WriteGuard> {
        Ok(WriteGuard {
            _lock: lock_file(
                &self.root.join(".hoist").join("gc.lock"),
                FlockOperation::LockShared,
            )?,
        })
    }

    /// Path where a blob lives (it may not exist).
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.blobs_dir().join(digest.hex())
    }

    fn clean_temp(&self) -> Result<()> {
        let _l = self.tmp_lock(FlockOperation::LockExclusive)?;
        let dir = self.tmp_dir();
        for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let entry = entry.map_err(io_err(&dir))?;
            let path = entry.path();
            let Ok(f) = OpenOptions::new().read(true).open(&path) else {
                continue;
            };
            // A live writer holds an exclusive lock; only files of dead writers are removed.
            if flock(&f, FlockOperation::NonBlockingLockExclusive).is_ok() {
                if path.is_dir() {
                    let _ = fs::remove_dir_all(&path);
                } else {
                    let _ = fs::remove_file(&path);
                }
            }
        }
        Ok(())
    }

    fn temp_file(&self) -> Result<TempFile> {
        let _l = self.tmp_lock(FlockOperation::LockShared)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!(
            "{}-{nanos}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = self.tmp_dir().join(name);
        let file = OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)
            .map_err(io_err(&path))?;
        flock(&file, FlockOperation::LockExclusive).map_err(|e| StoreError::Io {
            path: path.clone(),
            source: e.into(),
        })?;
        Ok(TempFile {
            path,
            file,
            keep: false,
        })
    }

    /// A private scratch directory inside the store, removed on drop (or by the next
    /// [`Store::open`] after a crash).
    pub fn scratch_dir(&self) -> Result<ScratchDir> {
        let _l = self.tmp_lock(FlockOperation::LockShared)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path = self.tmp_dir().join(format!(
            "scratch-{}-{nanos}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir(&path).map_err(io_err(&path))?;
        let dir = File::open(&path).map_err(io_err(&path))?;
        flock(&dir, FlockOperation::LockExclusive).map_err(|e| StoreError::Io {
            path: path.clone(),
            source: e.into(),
        })?;
        Ok(ScratchDir { path, _lock: dir })
    }

    /// Writes `bytes` to `dest` via a temp file, fsync and rename.
    fn write_atomic(&self, dest: &Path, bytes: &[u8]) -> Result<()> {
        let mut t = self.temp_file()?;
        t.file.write_all(bytes).map_err(io_err(&t.path))?;
        t.file.sync_all().map_err(io_err(&t.path))?;
        fs::rename(&t.path, dest).map_err(io_err(dest))?;
        t.keep = true;
        if let Some(parent) = dest.parent() {
            fsync_dir(parent)?;
        }
        Ok(())
    }

    /// Stores a blob read from `reader`. With `expected`, the content must hash to it,
    /// otherwise nothing is stored and [`StoreError::DigestMismatch`] is returned. When the
    /// expected blob is already present, `reader` is not read. Returns digest and size.
    pub fn put_blob(&self, reader: impl Read, expected: Option<&Digest>) -> Result<(Digest, u64)> {
        let _g = self.write_guard()?;
        if let Some(d) = expected
            && let Ok(meta) = fs::metadata(self.blob_path(d))
        {
            return Ok((d.clone(), meta.len()));
        }
        let mut t = self.temp_file()?;
        let mut hr = HashingReader::new(reader);
        {
            let mut w = io::BufWriter::with_capacity(256 * 1024, &t.file);
            io::copy(&mut hr, &mut w).map_err(io_err(&t.path))?;
            w.flush().map_err(io_err(&t.path))?;
        }
        t.file.sync_all().map_err(io_err(&t.path))?;
        let (actual, size) = hr.finish();
        if let Some(e) = expected
            && *e != actual
        {
            return Err(StoreError::DigestMismatch {
                what: format!("blob {e}"),
                expected: e.clone(),
                actual,
            });
        }
        let dest = self.blob_path(&actual);
        fs::rename(&t.path, &dest).map_err(io_err(&dest))?;
        t.keep = true;
        fsync_dir(&self.blobs_dir())?;
        Ok((actual, size))
    }

    /// Stores a blob given as bytes.
    pub fn put_blob_bytes(&self, bytes: &[u8], expected: Option<&Digest>) -> Result<Digest> {
        self.put_blob(bytes, expected).map(|(d, _)| d)
    }

    /// Whether the blob is stored.
    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_path(digest).is_file()
    }

    /// Size of a stored blob.
    pub fn blob_size(&self, digest: &Digest) -> Result<u64> {
        let p = self.blob_path(digest);
        match fs::metadata(&p) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::BlobNotFound {
                digest: digest.clone(),
                root: self.root.clone(),
            }),
            Err(e) => Err(io_err(&p)(e)),
        }
    }

    /// Opens a blob for reading; the reader fails with `InvalidData` at the end if the content
    /// no longer matches its digest.
    pub fn open_blob(&self, digest: &Digest) -> Result<VerifyingReader<File>> {
        let p = self.blob_path(digest);
        match File::open(&p) {
            Ok(f) => Ok(VerifyingReader::new(f, digest.clone())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::BlobNotFound {
                digest: digest.clone(),
                root: self.root.clone(),
            }),
            Err(e) => Err(io_err(&p)(e)),
        }
    }

    /// Reads a whole blob, verifying its digest.
    pub fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>> {
        let p = self.blob_path(digest);
        let bytes = match fs::read(&p) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::BlobNotFound {
                    digest: digest.clone(),
                    root: self.root.clone(),
                });
            }
            Err(e) => return Err(io_err(&p)(e)),
        };
        let actual = Digest::of(&bytes);
        if actual != *digest {
            return Err(StoreError::DigestMismatch {
                what: p.display().to_string(),
                expected: digest.clone(),
                actual,
            });
        }
        Ok(bytes)
    }

    /// Stores manifest or index bytes exactly as given. A single-image manifest's config and
    /// layers must be stored first. Returns the manifest digest.
    pub fn put_manifest(&self, bytes: &[u8], media_type: &str) -> Result<Digest> {
        let digest = Digest::of(bytes);
        let found = image::detect_media_type(bytes).map_err(|source| {
            StoreError::Image(ImageError::Json {
                what: "manifest",
                digest: digest.to_string(),
                source,
            })
        })?;
        if found != media_type {
            return Err(StoreError::MediaTypeMismatch {
                digest,
                given: media_type.to_string(),
                found,
            });
        }
        match image::manifest_kind(media_type) {
            Some(ManifestKind::Manifest) => {
                let m = image::parse_manifest(bytes, &digest.to_string())?;
                let refs = std::iter::once(m.config()).chain(m.layers().iter());
                for d in refs {
                    let ds = d.digest().to_string();
                    let present = ds.parse::<Digest>().is_ok_and(|dd| self.has_blob(&dd));
                    if !present {
                        return Err(StoreError::MissingBlob {
                            digest,
                            missing: ds,
                        });
                    }
                }
            }
            Some(ManifestKind::Index) => {
                image::parse_index(bytes, &digest.to_string())?;
            }
            None => {
                return Err(ImageError::UnsupportedMediaType {
                    media_type: media_type.to_string(),
                    digest: digest.to_string(),
                }
                .into());
            }
        }
        self.put_blob(bytes, Some(&digest))?;
        Ok(digest)
    }

    fn write_index(&self, index: &IndexFile) -> Result<()> {
        let mut bytes = serde_json::to_vec(index).map_err(|source| StoreError::Json {
            path: self.index_path(),
            source,
        })?;
        bytes.push(b'\n');
        self.write_atomic(&self.index_path(), &bytes)
    }

    /// Reads `index.json` (no lock: it is only ever replaced by rename).
    fn read_index(&self) -> Result<IndexFile> {
        IndexFile::read(&self.index_path())
    }

    fn update_index<T>(&self, f: impl FnOnce(&mut IndexFile) -> Result<T>) -> Result<T> {
        let _l = self.index_lock()?;
        let mut index = self.read_index()?;
        let out = f(&mut index)?;
        self.write_index(&index)?;
        Ok(out)
    }

    /// Points `reference` at a stored manifest, replacing any previous target.
    pub fn tag(&self, reference: &Reference, manifest: &Digest) -> Result<()> {
        // Keep gc away between reading the manifest and naming it.
        let _g = self.write_guard()?;
        let bytes = self.read_blob(manifest)?;
        let media_type = image::detect_media_type(&bytes).map_err(|source| {
            StoreError::Image(ImageError::Json {
                what: "manifest",
                digest: manifest.to_string(),
                source,
            })
        })?;
        if image::manifest_kind(&media_type).is_none() {
            return Err(ImageError::UnsupportedMediaType {
                media_type,
                digest: manifest.to_string(),
            }
            .into());
        }
        let name = reference.to_string();
        let size = bytes.len() as u64;
        self.update_index(|index| {
            index.manifests.retain(|e| e.ref_name() != Some(&name));
            let mut annotations = BTreeMap::new();
            annotations.insert(REF_NAME_ANNOTATION.to_string(), name.clone());
            index.manifests.push(IndexEntry {
                media_type,
                digest: manifest.to_string(),
                size,
                annotations,
                other: serde_json::Map::new(),
            });
            Ok(())
        })
    }

    /// Removes the name `reference`; the blobs stay until [`Store::gc`].
    pub fn untag(&self, reference: &Reference) -> Result<()> {
        let name = reference.to_string();
        self.update_index(|index| {
            let before = index.manifests.len();
            index.manifests.retain(|e| e.ref_name() != Some(&name));
            if index.manifests.len() == before {
                return Err(StoreError::ImageNotFound { reference: name });
            }
            Ok(())
        })
    }

    /// Untags `reference` and garbage-collects.
    pub fn remove(&self, reference: &Reference) -> Result<GcStats> {
        self.untag(reference)?;
        self.gc()
    }

    /// Names in the store, in index order.
    pub fn names(&self) -> Result<Vec<Reference>> {
        Ok(self
            .read_index()?
            .manifests
            .iter()
            .filter_map(|e| e.ref_name().and_then(|n| Reference::parse(n).ok()))
            .collect())
    }

    /// Looks an image up by name (or, for a reference with a digest, by that digest).
    pub fn resolve(&self, reference: &Reference) -> Result<ImageInfo> {
        self.resolve_platform(reference, None)
    }

    /// [`Store::resolve`] choosing `platform` (`os/arch[/variant]`) when the name points at an
    /// index; `None` means the host platform.
    pub fn resolve_platform(
        &self,
        reference: &Reference,
        platform: Option<&str>,
    ) -> Result<ImageInfo> {
        let name = reference.to_string();
        let index = self.read_index()?;
        let entry = index.manifests.iter().find(|e| e.ref_name() == Some(&name));
        let digest = match (entry, reference.digest()) {
            (Some(e), _) => parse_digest(&e.digest, &name)?,
            (None, Some(d)) => {
                let d = parse_digest(d, &name)?;
                if !self.has_blob(&d) {
                    return Err(StoreError::ImageNotFound { reference: name });
                }
                d
            }
            (None, None) => return Err(StoreError::ImageNotFound { reference: name }),
        };
        self.image_info(reference.clone(), digest, platform)
    }

    fn image_info(
        &self,
        reference: Reference,
        digest: Digest,
        platform: Option<&str>,
    ) -> Result<ImageInfo> {
        let manifest = self.read_blob(&digest)?;
        let ds = digest.to_string();
        let media_type = image::detect_media_type(&manifest).map_err(|source| {
            StoreError::Image(ImageError::Json {
                what: "manifest",
                digest: ds.clone(),
                source,
            })
        })?;
        let (image_digest, image_manifest) = match image::manifest_kind(&media_type) {
            Some(ManifestKind::Index) => {
                let idx = image::parse_index(&manifest, &ds)?;
                let d = image::select_platform(&idx, &ds, platform)?;
                let cd = parse_digest(d.digest().as_ref(), &ds)?;
                let bytes = self.read_blob(&cd)?;
                (cd, bytes)
            }
            Some(ManifestKind::Manifest) => (digest.clone(), manifest.clone()),
            None => {
                return Err(ImageError::UnsupportedMediaType {
                    media_type,
                    digest: ds,
                }
                .into());
            }
        };
        let m = image::parse_manifest(&image_manifest, &image_digest.to_string())?;
        let config_digest = parse_digest(m.config().digest().as_ref(), &ds)?;
        let config = self.read_blob(&config_digest)?;
        let created = image::Config::parse(&config, &config_digest.to_string())
            .ok()
            .and_then(|c| c.created().map(str::to_string));
        let size = image_manifest.len() as u64
            + config.len() as u64
            + m.layers().iter().map(|l| l.size()).sum::<u64>();
        Ok(ImageInfo {
            reference,
            digest,
            media_type,
            manifest,
            image_digest,
            image_manifest,
            config_digest,
            config,
            size,
            created,
        })
    }

    /// Finds an image as podman does: by reference text (short names normalised), or by a
    /// prefix of at least 3 hex digits (optionally `sha256:`) of its image ID (the config
    /// digest) or of its manifest digest.
    pub fn lookup(&self, name: &str) -> Result<ImageInfo> {
        if let Ok(r) = Reference::parse(name) {
            match self.resolve(&r) {
                Err(StoreError::ImageNotFound { .. }) => {}
                other => return other,
            }
        }
        let id = name.strip_prefix("sha256:").unwrap_or(name);
        let is_hex = id.len() >= 3 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if is_hex {
            let hits: Vec<ImageInfo> = self
                .list()?
                .into_iter()
                .filter(|i| i.config_digest.hex().starts_with(id) || i.digest.hex().starts_with(id))
                .collect();
            let count = hits
                .iter()
                .map(|i| &i.digest)
                .collect::<BTreeSet<_>>()
                .len();
            if count > 1 {
                return Err(StoreError::AmbiguousId {
                    id: name.to_string(),
                    count,
                });
            }
            if let Some(hit) = hits.into_iter().next() {
                return Ok(hit);
            }
        }
        Err(StoreError::ImageNotFound {
            reference: name.to_string(),
        })
    }

    /// Every named image. Names whose content cannot be read are skipped.
    pub fn list(&self) -> Result<Vec<ImageInfo>> {
        let index = self.read_index()?;
        let mut out = Vec::new();
        for e in &index.manifests {
            let Some(r) = e.ref_name().and_then(|n| Reference::parse(n).ok()) else {
                continue;
            };
            let Ok(d) = e.digest.parse::<Digest>() else {
                continue;
            };
            if let Ok(info) = self.image_info(r, d, None) {
                out.push(info);
            }
        }
        Ok(out)
    }

    /// Deletes every blob no named manifest reaches. Waits for in-progress writes.
    pub fn gc(&self) -> Result<GcStats> {
        let _l = lock_file(
            &self.root.join(".hoist").join("gc.lock"),
            FlockOperation::LockExclusive,
        )?;
        let index = self.read_index()?;
        let mut live = BTreeSet::new();
        for e in &index.manifests {
            if let Ok(d) = e.digest.parse::<Digest>() {
                mark(&self.blobs_dir(), &d, &mut live);
            }
        }
        let mut stats = GcStats::default();
        let dir = self.blobs_dir();
        for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let entry = entry.map_err(io_err(&dir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(d) = format!("sha256:{name}").parse::<Digest>() else {
                continue;
            };
            if live.contains(&d) {
                continue;
            }
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            let p = entry.path();
            fs::remove_file(&p).map_err(io_err(&p))?;
            stats.freed_bytes += len;
            stats.removed.push(d);
        }
        fsync_dir(&dir)?;
        Ok(stats)
    }

    /// Copies one image from an OCI layout directory into the store and names it `reference`.
    /// The layout's image is the `index.json` entry whose ref name is the full reference, its
    /// tag or its familiar form, or the only entry. Every blob is verified. Returns the digest.
    pub fn import_layout(&self, dir: &Path, reference: &Reference) -> Result<Digest> {
        self.import_layout_with(dir, reference, &crate::progress::NoProgress)
    }

    /// [`Store::import_layout`], reporting each blob copied to `reporter`.
    pub fn import_layout_with(
        &self,
        dir: &Path,
        reference: &Reference,
        reporter: &dyn crate::progress::Reporter,
    ) -> Result<Digest> {
        self.import_layout_inner(dir, reference, reporter, false)
    }

    /// Like [`Store::import_layout`], but blobs are moved out of `dir` (still verified against
    /// their digests) instead of copied, when `dir` is on the store's filesystem. For a scratch
    /// layout the caller discards afterwards, such as the one `hoist build` writes.
    pub fn take_layout(&self, dir: &Path, reference: &Reference) -> Result<Digest> {
        self.import_layout_inner(dir, reference, &crate::progress::NoProgress, true)
    }

    fn import_layout_inner(
        &self,
        dir: &Path,
        reference: &Reference,
        reporter: &dyn crate::progress::Reporter,
        take: bool,
    ) -> Result<Digest> {
        let _g = self.write_guard()?;
        let entry = choose_layout_entry(dir, reference)?;
        let digest = parse_digest(&entry.digest, &dir.display().to_string())?;
        self.copy_from_layout(dir, &digest, reporter, take)?;
        self.tag(reference, &digest)?;
        Ok(digest)
    }

    /// Moves a blob file into the store after checking its digest; falls back to copying when
    /// the rename fails (another filesystem).
    fn adopt_blob(
        &self,
        src: &Path,
        expected: &Digest,
        reporter: &dyn crate::progress::Reporter,
    ) -> Result<()> {
        let f = File::open(src).map_err(io_err(src))?;
        let total = f.metadata().map(|m| m.len()).ok();
        let id = expected.to_string();
        let r = crate::progress::ProgressReader::new(&f, &id, total, reporter);
        let mut hr = HashingReader::new(io::BufReader::with_capacity(256 * 1024, r));
        io::copy(&mut hr, &mut io::sink()).map_err(io_err(src))?;
        let (actual, _) = hr.finish();
        if actual != *expected {
            return Err(StoreError::DigestMismatch {
                what: src.display().to_string(),
                expected: expected.clone(),
                actual,
            });
        }
        f.sync_all().map_err(io_err(src))?;
        let dest = self.blob_path(expected);
        if fs::rename(src, &dest).is_ok() {
            return fsync_dir(&self.blobs_dir());
        }
        let f = File::open(src).map_err(io_err(src))?;
        self.put_blob(f, Some(expected)).map(|_| ())
    }

    /// Copies a manifest and everything it reaches from a layout, children first.
    pub(crate) fn copy_from_layout(
        &self,
        dir: &Path,
        digest: &Digest,
        reporter: &dyn crate::progress::Reporter,
        take: bool,
    ) -> Result<()> {
        let src = dir.join("blobs/sha256").join(digest.hex());
        let bytes = fs::read(&src).map_err(io_err(&src))?;
        let actual = Digest::of(&bytes);
        if actual != *digest {
            return Err(StoreError::DigestMismatch {
                what: src.display().to_string(),
                expected: digest.clone(),
                actual,
            });
        }
        let media_type = image::detect_media_type(&bytes).map_err(|source| StoreError::Json {
            path: src.clone(),
            source,
        })?;
        for child in children(&bytes) {
            let cd = parse_digest(&child.digest, &src.display().to_string())?;
            if child.is_manifest {
                let p = dir.join("blobs/sha256").join(cd.hex());
                if p.exists() {
                    self.copy_from_layout(dir, &cd, reporter, take)?;
                }
            } else if take && !self.has_blob(&cd) {
                self.adopt_blob(&dir.join("blobs/sha256").join(cd.hex()), &cd, reporter)?;
            } else if !self.has_blob(&cd) {
                let p = dir.join("blobs/sha256").join(cd.hex());
                let f = File::open(&p).map_err(io_err(&p))?;
                let total = f.metadata().map(|m| m.len()).ok();
                let id = cd.to_string();
                let r = crate::progress::ProgressReader::new(f, &id, total, reporter);
                self.put_blob(r, Some(&cd)).map_err(|e| match e {
                    StoreError::DigestMismatch {
                        expected, actual, ..
                    } => StoreError::DigestMismatch {
                        what: p.display().to_string(),
                        expected,
                        actual,
                    },
                    e => e,
                })?;
            }
        }
        self.put_manifest(&bytes, &media_type)?;
        Ok(())
    }

    /// Writes the image named `reference` into an OCI layout directory (created, or added to
    /// when it already is one), with the full reference as its ref name. Returns the digest.
    pub fn export_layout(&self, reference: &Reference, dir: &Path) -> Result<Digest> {
        self.export_layout_as(reference, dir, &reference.to_string())
    }

    /// Like [`Store::export_layout`] with an explicit `org.opencontainers.image.ref.name`.
    pub fn export_layout_as(
        &self,
        reference: &Reference,
        dir: &Path,
        ref_name: &str,
    ) -> Result<Digest> {
        let info = self.resolve(reference)?;
        let blobs = dir.join("blobs/sha256");
        fs::create_dir_all(&blobs).map_err(io_err(&blobs))?;
        let mut reached = BTreeSet::new();
        mark(&self.blobs_dir(), &info.digest, &mut reached);
        for d in &reached {
            let dest = blobs.join(d.hex());
            if dest.exists() {
                continue;
            }
            let mut r = self.open_blob(d)?;
            let tmp = blobs.join(format!(".{}.partial", d.hex()));
            let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
            io::copy(&mut r, &mut f).map_err(io_err(&tmp))?;
            f.sync_all().map_err(io_err(&tmp))?;
            fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        }
        fs::write(dir.join("oci-layout"), OCI_LAYOUT_CONTENT).map_err(io_err(dir))?;
        let index_path = dir.join("index.json");
        let mut index = if index_path.exists() {
            IndexFile::read(&index_path)?
        } else {
            IndexFile::empty()
        };
        index.manifests.retain(|e| e.ref_name() != Some(ref_name));
        let mut annotations = BTreeMap::new();
        annotations.insert(REF_NAME_ANNOTATION.to_string(), ref_name.to_string());
        index.manifests.push(IndexEntry {
            media_type: info.media_type.clone(),
            digest: info.digest.to_string(),
            size: info.manifest.len() as u64,
            annotations,
            other: serde_json::Map::new(),
        });
        let bytes = serde_json::to_vec(&index).map_err(|source| StoreError::Json {
            path: index_path.clone(),
            source,
        })?;
        fs::write(&index_path, bytes).map_err(io_err(&index_path))?;
        Ok(info.digest)
    }
}

fn parse_digest(s: &str, context: &str) -> Result<Digest> {
    s.parse().map_err(|source| StoreError::BadDigest {
        context: context.to_string(),
        source,
    })
}

pub(crate) struct Child {
    pub digest: String,
    pub is_manifest: bool,
}

/// The descriptors a manifest or index document points at.
pub(crate) fn children(bytes: &[u8]) -> Vec<Child> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let digest_of =
        |d: &serde_json::Value| d.get("digest").and_then(|x| x.as_str()).map(str::to_string);
    if let Some(c) = v.get("config").and_then(&digest_of) {
        out.push(Child {
            digest: c,
            is_manifest: false,
        });
    }
    for l in v
        .get("layers")
        .and_then(|l| l.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(d) = digest_of(l) {
            out.push(Child {
                digest: d,
                is_manifest: false,
            });
        }
    }
    for m in v
        .get("manifests")
        .and_then(|l| l.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(d) = digest_of(m) {
            out.push(Child {
                digest: d,
                is_manifest: true,
            });
        }
    }
    out
}

/// Marks `digest` and everything reachable from it that is present under `blobs`.
fn mark(blobs: &Path, digest: &Digest, live: &mut BTreeSet<Digest>) {
    if !live.insert(digest.clone()) {
        return;
    }
    let p = blobs.join(digest.hex());
    let Ok(bytes) = fs::read(&p) else { return };
    for c in children(&bytes) {
        let Ok(d) = c.digest.parse::<Digest>() else {
            continue;
        };
        if c.is_manifest {
            mark(blobs, &d, live);
        } else {
            live.insert(d);
        }
    }
}

/// Reads a layout's `index.json` and picks the entry for `reference`.
pub(crate) fn choose_layout_entry(dir: &Path, reference: &Reference) -> Result<IndexEntry> {
    let layout = dir.join("oci-layout");
    if !layout.is_file() {
        return Err(StoreError::NotLayout {
            path: dir.to_path_buf(),
            reason: "no oci-layout file".to_string(),
        });
    }
    let index = IndexFile::read(&dir.join("index.json"))?;
    let full = reference.to_string();
    let familiar = reference.familiar();
    let tag = reference.tag().unwrap_or_default();
    let hit = index.manifests.iter().find(|e| {
        e.ref_name()
            .is_some_and(|n| n == full || n == familiar || (!tag.is_empty() && n == tag))
    });
    match (hit, index.manifests.as_slice()) {
        (Some(e), _) => Ok(e.clone()),
        (None, [only]) => Ok(only.clone()),
        (None, all) => Err(StoreError::AmbiguousLayout {
            path: dir.to_path_buf(),
            wanted: full,
            count: all.len(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_root_rules() {
        let s = |x: &str| Some(std::ffi::OsString::from(x));
        assert_eq!(
            default_root_from(s("/r"), true, None, None),
            Path::new("/r")
        );
        assert_eq!(
            default_root_from(s(""), true, s("/x"), s("/h")),
            Path::new("/var/lib/hoist")
        );
        assert_eq!(
            default_root_from(None, false, s("/x"), s("/h")),
            Path::new("/x/hoist")
        );
        assert_eq!(
            default_root_from(None, false, None, s("/h")),
            Path::new("/h/.local/share/hoist")
        );
    }
}
