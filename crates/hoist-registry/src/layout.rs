//! The docker-distribution v2 filesystem layout (what `registry:2` / Debian's `docker-registry`
//! writes with the filesystem storage driver), read and written under a root directory:
//!
//! ```text
//! ROOT/docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data
//! ROOT/docker/registry/v2/repositories/<name>/_layers/sha256/<hex>/link
//! ROOT/docker/registry/v2/repositories/<name>/_manifests/revisions/sha256/<hex>/link
//! ROOT/docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/current/link
//! ROOT/docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/index/sha256/<hex>/link
//! ROOT/docker/registry/v2/repositories/<name>/_uploads/<id>/{data,startedat}
//! ```
//!
//! Link files hold `sha256:<hex>` with no newline. Every write is atomic (temporary file, fsync,
//! rename), and every blob is verified against its digest before it is moved into place.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::digest::{Digest, DigestWriter, is_valid_repo_name, is_valid_tag};

/// Media type of a Docker schema 2 manifest.
pub const MEDIA_TYPE_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Media type of a Docker manifest list.
pub const MEDIA_TYPE_DOCKER_MANIFEST_LIST: &str =
    "application/vnd.docker.distribution.manifest.list.v2+json";
/// Media type of a Docker schema 1 signed manifest.
pub const MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED: &str =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
/// Media type of an OCI image manifest.
pub const MEDIA_TYPE_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of an OCI image index.
pub const MEDIA_TYPE_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// Errors from the layout. Each names the repository, reference, digest or path concerned.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// A filesystem operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A digest string is malformed.
    #[error("invalid digest {0:?}")]
    InvalidDigest(String),
    /// Content does not hash to the digest it was announced with.
    #[error("digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The announced digest.
        expected: Digest,
        /// The digest of the bytes received.
        actual: Digest,
    },
    /// A repository name is not valid.
    #[error("invalid repository name {0:?}")]
    InvalidName(String),
    /// A tag is not valid.
    #[error("invalid tag {0:?}")]
    InvalidTag(String),
    /// A blob is not in the store (or not linked in the repository).
    #[error("blob unknown: {digest}{}", repo.as_ref().map(|r| format!(" in repository {r}")).unwrap_or_default())]
    BlobUnknown {
        /// The repository, when the lookup went through one.
        repo: Option<String>,
        /// The missing digest.
        digest: Digest,
    },
    /// A manifest is not known under that reference.
    #[error("manifest unknown: {repo}:{reference}")]
    ManifestUnknown {
        /// The repository.
        repo: String,
        /// The tag or digest.
        reference: String,
    },
    /// The repository does not exist.
    #[error("repository name not known to registry: {0}")]
    NameUnknown(String),
    /// A manifest is not valid JSON of a known kind, or references something missing.
    #[error("manifest invalid ({repo}): {reason}")]
    ManifestInvalid {
        /// The repository.
        repo: String,
        /// Why.
        reason: String,
    },
    /// A manifest references a blob that is not linked in the repository.
    #[error("manifest references unknown blob {digest} in repository {repo}")]
    ManifestBlobUnknown {
        /// The repository.
        repo: String,
        /// The missing blob.
        digest: Digest,
    },
    /// An upload id is unknown.
    #[error("blob upload unknown: {repo} upload {id}")]
    UploadUnknown {
        /// The repository.
        repo: String,
        /// The upload id.
        id: String,
    },
    /// A range is outside the blob.
    #[error("invalid range {start}-{end} for blob of {size} bytes")]
    RangeInvalid {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
        /// Blob size.
        size: u64,
    },
    /// The OCI image layout being copied from is not usable.
    #[error("OCI layout {path}: {reason}")]
    OciLayout {
        /// The layout directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

type Result<T> = std::result::Result<T, LayoutError>;

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> LayoutError + 'a {
    move |source| LayoutError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// Size and digest of a stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    /// Its digest.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
}

/// A manifest as stored: exact bytes, digest, and the media type detected from its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredManifest {
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// `sha256` of the bytes.
    pub digest: Digest,
    /// From the JSON's `mediaType`, or inferred from its shape.
    pub media_type: String,
}

/// A manifest reference: a tag or a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// A tag.
    Tag(String),
    /// A digest.
    Digest(Digest),
}

impl Reference {
    /// A digest if it has a `:` (and then it must parse), a tag otherwise (which must be valid).
    pub fn parse(s: &str) -> Result<Reference> {
        if s.contains(':') {
            Digest::parse(s)
                .map(Reference::Digest)
                .map_err(|_| LayoutError::InvalidDigest(s.to_string()))
        } else if is_valid_tag(s) {
            Ok(Reference::Tag(s.to_string()))
        } else {
            Err(LayoutError::InvalidTag(s.to_string()))
        }
    }
}

/// The media type of manifest bytes: the JSON's `mediaType` when present; otherwise schema 1 for
/// `schemaVersion: 1`, an OCI index when it has `manifests`, an OCI manifest otherwise.
/// Returns `None` when the bytes are not a JSON object.
pub fn detect_manifest_media_type(bytes: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let obj = v.as_object()?;
    if let Some(mt) = obj.get("mediaType").and_then(|m| m.as_str())
        && !mt.is_empty()
    {
        return Some(mt.to_string());
    }
    if obj.get("schemaVersion").and_then(|s| s.as_i64()) == Some(1) {
        return Some(MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED.to_string());
    }
    if obj.contains_key("manifests") {
        return Some(MEDIA_TYPE_OCI_INDEX.to_string());
    }
    Some(MEDIA_TYPE_OCI_MANIFEST.to_string())
}

/// Checks manifest bytes against a PUT's Content-Type as distribution 2.8 does: the type is the
/// Content-Type, or the JSON's `mediaType` when the header is empty; a Docker schema 2 manifest
/// or manifest list must carry that same `mediaType`; an OCI manifest or index may omit it but
/// not contradict it; any other type (schema 1 included) is refused.
pub fn check_manifest_type(content_type: &str, bytes: &[u8]) -> std::result::Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let json_mt = v.get("mediaType").and_then(|m| m.as_str()).unwrap_or("");
    let ct = content_type.split(';').next().unwrap_or("").trim();
    let ty = if ct.is_empty() { json_mt } else { ct };
    match ty {
        MEDIA_TYPE_DOCKER_MANIFEST | MEDIA_TYPE_DOCKER_MANIFEST_LIST => {
            if json_mt != ty {
                return Err(format!(
                    "mediaType in manifest should be '{ty}' not '{json_mt}'"
                ));
            }
        }
        MEDIA_TYPE_OCI_MANIFEST | MEDIA_TYPE_OCI_INDEX => {
            if !json_mt.is_empty() && json_mt != ty {
                return Err(format!(
                    "if present, mediaType in manifest should be '{ty}' not '{json_mt}'"
                ));
            }
            let is_index = v.get("manifests").is_some();
            if is_index != (ty == MEDIA_TYPE_OCI_INDEX) {
                return Err(format!("manifest does not have the shape of {ty}"));
            }
        }
        other => {
            return Err(format!("unsupported manifest media type {other:?}"));
        }
    }
    Ok(())
}

/// The references a manifest makes: blobs (config and layers) and child manifests (index).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ManifestRefs {
    /// Config and layer digests that must be linked in the repository (foreign layers with
    /// `urls` are left out).
    pub blobs: Vec<Digest>,
    /// Child manifests of an index / manifest list.
    pub manifests: Vec<Digest>,
}

/// Parses the references of a manifest (schema 2, OCI manifest, OCI index or manifest list).
pub fn manifest_refs(bytes: &[u8]) -> std::result::Result<ManifestRefs, String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let digest_of = |d: &serde_json::Value| -> std::result::Result<Digest, String> {
        let s = d
            .get("digest")
            .and_then(|x| x.as_str())
            .ok_or("descriptor without digest")?;
        Digest::parse(s).map_err(|e| e.to_string())
    };
    let mut refs = ManifestRefs::default();
    if obj.get("schemaVersion").and_then(|s| s.as_i64()) == Some(1) {
        if let Some(fs) = obj.get("fsLayers").and_then(|l| l.as_array()) {
            for l in fs {
                let s = l
                    .get("blobSum")
                    .and_then(|x| x.as_str())
                    .ok_or("fsLayer without blobSum")?;
                refs.blobs
                    .push(Digest::parse(s).map_err(|e| e.to_string())?);
            }
        }
        return Ok(refs);
    }
    if let Some(ms) = obj.get("manifests") {
        for m in ms.as_array().ok_or("manifests is not a list")? {
            refs.manifests.push(digest_of(m)?);
        }
        return Ok(refs);
    }
    if let Some(c) = obj.get("config") {
        refs.blobs.push(digest_of(c)?);
    }
    if let Some(ls) = obj.get("layers") {
        for l in ls.as_array().ok_or("layers is not a list")? {
            let foreign = l
                .get("urls")
                .and_then(|u| u.as_array())
                .is_some_and(|u| !u.is_empty());
            if !foreign {
                refs.blobs.push(digest_of(l)?);
            }
        }
    }
    Ok(refs)
}

/// A docker-distribution v2 storage root.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// Opens (creating if needed) the layout under `root` (the directory that contains `docker/`,
    /// i.e. distribution's `storage.filesystem.rootdirectory`).
    pub fn open(root: impl Into<PathBuf>) -> Result<Layout> {
        let root = root.into();
        let l = Layout { root };
        let v2 = l.v2_dir();
        fs::create_dir_all(&v2).map_err(io_err("create directory", &v2))?;
        Ok(l)
    }

    /// The storage root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `ROOT/docker/registry/v2`.
    pub fn v2_dir(&self) -> PathBuf {
        self.root.join("docker").join("registry").join("v2")
    }

    /// `.../v2/blobs/sha256/<2 hex>/<hex>/data`.
    pub fn blob_data_path(&self, d: &Digest) -> PathBuf {
        self.v2_dir()
            .join("blobs")
            .join(d.algorithm())
            .join(&d.hex()[..2])
            .join(d.hex())
            .join("data")
    }

    fn repo_dir(&self, repo: &str) -> Result<PathBuf> {
        if !is_valid_repo_name(repo) {
            return Err(LayoutError::InvalidName(repo.to_string()));
        }
        let mut p = self.v2_dir().join("repositories");
        for c in repo.split('/') {
            p.push(c);
        }
        Ok(p)
    }

    /// `.../repositories/<repo>/_layers/sha256/<hex>/link`.
    pub fn layer_link_path(&self, repo: &str, d: &Digest) -> Result<PathBuf> {
        Ok(self
            .repo_dir(repo)?
            .join("_layers")
            .join(d.algorithm())
            .join(d.hex())
            .join("link"))
    }

    /// `.../repositories/<repo>/_manifests/revisions/sha256/<hex>/link`.
    pub fn manifest_revision_link_path(&self, repo: &str, d: &Digest) -> Result<PathBuf> {
        Ok(self
            .repo_dir(repo)?
            .join("_manifests")
            .join("revisions")
            .join(d.algorithm())
            .join(d.hex())
            .join("link"))
    }

    fn tags_dir(&self, repo: &str) -> Result<PathBuf> {
        Ok(self.repo_dir(repo)?.join("_manifests").join("tags"))
    }

    fn tag_dir(&self, repo: &str, tag: &str) -> Result<PathBuf> {
        if !is_valid_tag(tag) {
            return Err(LayoutError::InvalidTag(tag.to_string()));
        }
        Ok(self.tags_dir(repo)?.join(tag))
    }

    /// `.../_manifests/tags/<tag>/current/link`.
    pub fn tag_current_link_path(&self, repo: &str, tag: &str) -> Result<PathBuf> {
        Ok(self.tag_dir(repo, tag)?.join("current").join("link"))
    }

    /// `.../_manifests/tags/<tag>/index/sha256/<hex>/link`.
    pub fn tag_index_link_path(&self, repo: &str, tag: &str, d: &Digest) -> Result<PathBuf> {
        Ok(self
            .tag_dir(repo, tag)?
            .join("index")
            .join(d.algorithm())
            .join(d.hex())
            .join("link"))
    }

    fn upload_dir(&self, repo: &str, id: &str) -> Result<PathBuf> {
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        {
            return Err(LayoutError::UploadUnknown {
                repo: repo.to_string(),
                id: id.to_string(),
            });
        }
        Ok(self.repo_dir(repo)?.join("_uploads").join(id))
    }

    /// `.../_uploads/<id>/data`: the file an upload's bytes are appended to.
    pub fn upload_data_path(&self, repo: &str, id: &str) -> Result<PathBuf> {
        Ok(self.upload_dir(repo, id)?.join("data"))
    }

    fn tmp_path(&self) -> Result<PathBuf> {
        let dir = self.v2_dir().join("_hoist_tmp");
        fs::create_dir_all(&dir).map_err(io_err("create directory", &dir))?;
        Ok(dir.join(uuid::Uuid::new_v4().to_string()))
    }

    // ---- blobs ----

    /// Size of a blob in the store, `None` when absent.
    pub fn blob_stat(&self, d: &Digest) -> Result<Option<u64>> {
        let p = self.blob_data_path(d);
        match fs::metadata(&p) {
            Ok(m) if m.is_file() => Ok(Some(m.len())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("stat", &p)(e)),
        }
    }

    /// Streams `reader` into the blob store. The bytes go to a temporary file, are hashed on the
    /// way, fsynced, checked against `expected` (when given) and only then renamed into place.
    /// When `expected` is given and the blob is already stored, the reader is not read.
    pub fn put_blob(&self, mut reader: impl Read, expected: Option<&Digest>) -> Result<BlobInfo> {
        if let Some(d) = expected
            && let Some(size) = self.blob_stat(d)?
        {
            return Ok(BlobInfo {
                digest: d.clone(),
                size,
            });
        }
        let tmp = self.tmp_path()?;
        let res = (|| {
            let mut f = File::create(&tmp).map_err(io_err("create", &tmp))?;
            let mut h = DigestWriter::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(io_err("read blob for", &tmp)(e)),
                };
                h.update(&buf[..n]);
                f.write_all(&buf[..n]).map_err(io_err("write", &tmp))?;
            }
            f.sync_all().map_err(io_err("fsync", &tmp))?;
            let (digest, size) = h.finish();
            if let Some(e) = expected
                && *e != digest
            {
                return Err(LayoutError::DigestMismatch {
                    expected: e.clone(),
                    actual: digest,
                });
            }
            self.commit_blob_file(&tmp, &digest)?;
            Ok(BlobInfo { digest, size })
        })();
        if res.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        res
    }

    /// Stores bytes as a blob (verified against `expected` when given).
    pub fn put_blob_bytes(&self, bytes: &[u8], expected: Option<&Digest>) -> Result<BlobInfo> {
        self.put_blob(bytes, expected)
    }

    /// Moves a verified file (already fsynced) to the blob path of `digest`.
    fn commit_blob_file(&self, file: &Path, digest: &Digest) -> Result<()> {
        let dest = self.blob_data_path(digest);
        let dir = dest.parent().unwrap_or(&dest).to_path_buf();
        fs::create_dir_all(&dir).map_err(io_err("create directory", &dir))?;
        fs::rename(file, &dest).map_err(io_err("rename into", &dest))?;
        sync_dir(&dir);
        Ok(())
    }

    /// Opens a blob for reading, positioned at `range.0`, with the number of bytes to read.
    /// `range` is inclusive `(start, end)`; `None` reads all.
    pub fn open_blob(&self, d: &Digest, range: Option<(u64, u64)>) -> Result<(File, u64)> {
        let p = self.blob_data_path(d);
        let mut f = match File::open(&p) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(LayoutError::BlobUnknown {
                    repo: None,
                    digest: d.clone(),
                });
            }
            Err(e) => return Err(io_err("open", &p)(e)),
        };
        let size = f.metadata().map_err(io_err("stat", &p))?.len();
        match range {
            None => Ok((f, size)),
            Some((start, end)) => {
                if start > end || end >= size {
                    return Err(LayoutError::RangeInvalid { start, end, size });
                }
                f.seek(SeekFrom::Start(start)).map_err(io_err("seek", &p))?;
                Ok((f, end - start + 1))
            }
        }
    }

    /// Reads a whole blob into memory and verifies it (for manifests and configs).
    pub fn read_blob(&self, d: &Digest) -> Result<Vec<u8>> {
        let (mut f, _) = self.open_blob(d, None)?;
        let mut v = Vec::new();
        let p = self.blob_data_path(d);
        f.read_to_end(&mut v).map_err(io_err("read", &p))?;
        let actual = Digest::of_bytes(&v);
        if actual != *d {
            return Err(LayoutError::DigestMismatch {
                expected: d.clone(),
                actual,
            });
        }
        Ok(v)
    }

    // ---- links ----

    fn write_link(&self, path: &Path, d: &Digest) -> Result<()> {
        if let Ok(cur) = fs::read(path)
            && cur == d.to_string().as_bytes()
        {
            return Ok(());
        }
        let dir = path.parent().unwrap_or(path).to_path_buf();
        fs::create_dir_all(&dir).map_err(io_err("create directory", &dir))?;
        let tmp = dir.join(format!(".link-{}", uuid::Uuid::new_v4()));
        let res = (|| {
            let mut f = File::create(&tmp).map_err(io_err("create", &tmp))?;
            f.write_all(d.to_string().as_bytes())
                .map_err(io_err("write", &tmp))?;
            f.sync_all().map_err(io_err("fsync", &tmp))?;
            fs::rename(&tmp, path).map_err(io_err("rename into", path))?;
            sync_dir(&dir);
            Ok(())
        })();
        if res.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        res
    }

    fn read_link(&self, path: &Path) -> Result<Option<Digest>> {
        match fs::read_to_string(path) {
            Ok(s) => Digest::parse(s.trim())
                .map(Some)
                .map_err(|_| LayoutError::InvalidDigest(format!("{s} (in {})", path.display()))),
            Err(e)
                if e.kind() == io::ErrorKind::NotFound
                    || e.kind() == io::ErrorKind::NotADirectory =>
            {
                Ok(None)
            }
            Err(e) => Err(io_err("read", path)(e)),
        }
    }

    /// Links a stored blob into a repository (`_layers`). The blob must be in the store.
    pub fn link_blob(&self, repo: &str, d: &Digest) -> Result<()> {
        let p = self.layer_link_path(repo, d)?;
        if self.blob_stat(d)?.is_none() {
            return Err(LayoutError::BlobUnknown {
                repo: Some(repo.to_string()),
                digest: d.clone(),
            });
        }
        self.write_link(&p, d)
    }

    /// Whether a blob is linked into the repository and present in the store; its size if so.
    pub fn repo_blob_stat(&self, repo: &str, d: &Digest) -> Result<Option<u64>> {
        let p = self.layer_link_path(repo, d)?;
        match self.read_link(&p)? {
            Some(l) if l == *d => self.blob_stat(d),
            _ => Ok(None),
        }
    }

    /// Removes a blob's `_layers` link from a repository (the blob data stays for GC).
    pub fn unlink_blob(&self, repo: &str, d: &Digest) -> Result<bool> {
        let p = self.layer_link_path(repo, d)?;
        let dir = p.parent().unwrap_or(&p).to_path_buf();
        remove_dir_if_exists(&dir)
    }

    /// Links a stored manifest blob into a repository's revisions.
    pub fn link_manifest(&self, repo: &str, d: &Digest) -> Result<()> {
        let p = self.manifest_revision_link_path(repo, d)?;
        if self.blob_stat(d)?.is_none() {
            return Err(LayoutError::BlobUnknown {
                repo: Some(repo.to_string()),
                digest: d.clone(),
            });
        }
        self.write_link(&p, d)
    }

    /// Whether the repository has the manifest revision (link present and blob stored).
    pub fn has_manifest(&self, repo: &str, d: &Digest) -> Result<bool> {
        let p = self.manifest_revision_link_path(repo, d)?;
        Ok(matches!(self.read_link(&p)?, Some(l) if l == *d) && self.blob_stat(d)?.is_some())
    }

    /// Points `tag` at a manifest revision of the repository (`current/link` and `index` entry,
    /// as distribution's tag store does).
    pub fn tag(&self, repo: &str, tag: &str, d: &Digest) -> Result<()> {
        if !self.has_manifest(repo, d)? {
            return Err(LayoutError::ManifestUnknown {
                repo: repo.to_string(),
                reference: d.to_string(),
            });
        }
        let cur = self.tag_current_link_path(repo, tag)?;
        let idx = self.tag_index_link_path(repo, tag, d)?;
        self.write_link(&cur, d)?;
        self.write_link(&idx, d)
    }

    /// The digest a tag points to, `None` when the tag does not exist.
    pub fn resolve_tag(&self, repo: &str, tag: &str) -> Result<Option<Digest>> {
        let p = self.tag_current_link_path(repo, tag)?;
        self.read_link(&p)
    }

    /// Removes a tag. Returns whether it existed.
    pub fn untag(&self, repo: &str, tag: &str) -> Result<bool> {
        let dir = self.tag_dir(repo, tag)?;
        remove_dir_if_exists(&dir)
    }

    // ---- manifests ----

    /// Stores a manifest under a tag or digest reference: the exact bytes go to the blob store,
    /// a revision link is written and, for a tag, the tag is pointed at it. A digest reference
    /// must match the bytes. Every config/layer blob must already be linked in the repository
    /// and every child manifest of an index must be a revision of it, as distribution checks.
    /// With `media_type` `Some` (a PUT's Content-Type, possibly empty), the bytes are checked as
    /// distribution 2.8 checks them (see [`check_manifest_type`]); with `None` any JSON object
    /// of a known shape is accepted. What is stored is always the exact bytes.
    pub fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        bytes: &[u8],
        media_type: Option<&str>,
    ) -> Result<Digest> {
        let reference = Reference::parse(reference)?;
        self.repo_dir(repo)?;
        let digest = Digest::of_bytes(bytes);
        if let Reference::Digest(d) = &reference
            && *d != digest
        {
            return Err(LayoutError::DigestMismatch {
                expected: d.clone(),
                actual: digest,
            });
        }
        let invalid = |reason: String| LayoutError::ManifestInvalid {
            repo: repo.to_string(),
            reason,
        };
        detect_manifest_media_type(bytes)
            .ok_or_else(|| invalid("manifest is not a JSON object".to_string()))?;
        if let Some(ct) = media_type {
            check_manifest_type(ct, bytes).map_err(invalid)?;
        }
        let refs = manifest_refs(bytes).map_err(invalid)?;
        for b in &refs.blobs {
            if self.repo_blob_stat(repo, b)?.is_none() {
                return Err(LayoutError::ManifestBlobUnknown {
                    repo: repo.to_string(),
                    digest: b.clone(),
                });
            }
        }
        for m in &refs.manifests {
            if !self.has_manifest(repo, m)? {
                return Err(LayoutError::ManifestBlobUnknown {
                    repo: repo.to_string(),
                    digest: m.clone(),
                });
            }
        }
        self.put_blob_bytes(bytes, Some(&digest))?;
        self.link_manifest(repo, &digest)?;
        if let Reference::Tag(t) = &reference {
            self.tag(repo, t, &digest)?;
        }
        Ok(digest)
    }

    /// Resolves a tag or digest reference in a repository to a manifest digest.
    pub fn resolve(&self, repo: &str, reference: &str) -> Result<Digest> {
        let unknown = || LayoutError::ManifestUnknown {
            repo: repo.to_string(),
            reference: reference.to_string(),
        };
        match Reference::parse(reference)? {
            Reference::Tag(t) => {
                let d = self.resolve_tag(repo, &t)?.ok_or_else(unknown)?;
                Ok(d)
            }
            Reference::Digest(d) => {
                if self.has_manifest(repo, &d)? {
                    Ok(d)
                } else {
                    Err(unknown())
                }
            }
        }
    }

    /// Reads a manifest by tag or digest: exact bytes (verified), digest and media type.
    pub fn get_manifest(&self, repo: &str, reference: &str) -> Result<StoredManifest> {
        let digest = self.resolve(repo, reference)?;
        let bytes = match self.read_blob(&digest) {
            Ok(b) => b,
            Err(LayoutError::BlobUnknown { .. }) => {
                return Err(LayoutError::ManifestUnknown {
                    repo: repo.to_string(),
                    reference: reference.to_string(),
                });
            }
            Err(e) => return Err(e),
        };
        let media_type =
            detect_manifest_media_type(&bytes).ok_or_else(|| LayoutError::ManifestInvalid {
                repo: repo.to_string(),
                reason: format!("stored manifest {digest} is not a JSON object"),
            })?;
        Ok(StoredManifest {
            bytes,
            digest,
            media_type,
        })
    }

    /// Deletes a manifest revision and every tag of the repository that points to it (as
    /// distribution's DELETE by digest does). Returns whether the revision existed.
    pub fn delete_manifest(&self, repo: &str, d: &Digest) -> Result<bool> {
        if !self.has_manifest(repo, d)? {
            return Ok(false);
        }
        for t in self.tags(repo)?.unwrap_or_default() {
            if self.resolve_tag(repo, &t)?.as_ref() == Some(d) {
                self.untag(repo, &t)?;
            }
        }
        let p = self.manifest_revision_link_path(repo, d)?;
        remove_dir_if_exists(p.parent().unwrap_or(&p))
    }

    // ---- listing ----

    /// Repository names in distribution's catalog order: a depth-first walk of `repositories/`
    /// visiting each directory's entries in sorted order; a directory that has `_layers` is a
    /// repository, and `_`-prefixed entries are not descended into.
    pub fn repositories(&self) -> Result<Vec<String>> {
        let root = self.v2_dir().join("repositories");
        let mut out = Vec::new();
        walk_repos(&root, "", &mut out)?;
        Ok(out)
    }

    /// Tags of a repository, sorted; `None` when the repository has no tags directory.
    pub fn tags(&self, repo: &str) -> Result<Option<Vec<String>>> {
        let dir = self.tags_dir(repo)?;
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("read directory", &dir)(e)),
        };
        let mut tags = Vec::new();
        for e in rd {
            let e = e.map_err(io_err("read directory", &dir))?;
            if let Some(n) = e.file_name().to_str()
                && e.path().is_dir()
            {
                tags.push(n.to_string());
            }
        }
        tags.sort();
        Ok(Some(tags))
    }

    // ---- uploads ----

    /// Starts an upload: creates `_uploads/<id>/data` (empty) and `startedat`; returns the id.
    pub fn start_upload(&self, repo: &str) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let dir = self.upload_dir(repo, &id)?;
        fs::create_dir_all(&dir).map_err(io_err("create directory", &dir))?;
        let data = dir.join("data");
        File::create(&data).map_err(io_err("create", &data))?;
        let started = dir.join("startedat");
        fs::write(&started, rfc3339_now()).map_err(io_err("write", &started))?;
        Ok(id)
    }

    /// Current size of an upload, or `UploadUnknown`.
    pub fn upload_size(&self, repo: &str, id: &str) -> Result<u64> {
        let p = self.upload_data_path(repo, id)?;
        match fs::metadata(&p) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(LayoutError::UploadUnknown {
                repo: repo.to_string(),
                id: id.to_string(),
            }),
            Err(e) => Err(io_err("stat", &p)(e)),
        }
    }

    /// Finishes an upload: hashes the data (streaming), and when it matches `expected` moves it
    /// into the blob store and links it into the repository. On a mismatch the upload is
    /// discarded and nothing is stored.
    pub fn finish_upload(&self, repo: &str, id: &str, expected: &Digest) -> Result<BlobInfo> {
        let data = self.upload_data_path(repo, id)?;
        let dir = self.upload_dir(repo, id)?;
        let f = match File::open(&data) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(LayoutError::UploadUnknown {
                    repo: repo.to_string(),
                    id: id.to_string(),
                });
            }
            Err(e) => return Err(io_err("open", &data)(e)),
        };
        let (digest, size) = Digest::of_reader(io::BufReader::with_capacity(1 << 20, &f))
            .map_err(io_err("read", &data))?;
        if digest != *expected {
            drop(f);
            let _ = fs::remove_dir_all(&dir);
            return Err(LayoutError::DigestMismatch {
                expected: expected.clone(),
                actual: digest,
            });
        }
        if self.blob_stat(&digest)?.is_none() {
            f.sync_all().map_err(io_err("fsync", &data))?;
            self.commit_blob_file(&data, &digest)?;
        }
        drop(f);
        let _ = fs::remove_dir_all(&dir);
        self.link_blob(repo, &digest)?;
        Ok(BlobInfo { digest, size })
    }

    /// Cancels an upload, removing its directory. Returns whether it existed.
    pub fn cancel_upload(&self, repo: &str, id: &str) -> Result<bool> {
        let dir = self.upload_dir(repo, id)?;
        remove_dir_if_exists(&dir)
    }

    /// Removes leftovers older than `max_age`: uploads under every repository's `_uploads`
    /// (judged by the upload directory's modification time) and hoist's own temporary files
    /// (left by a process killed mid-write). Like distribution's upload purging; blobs, links
    /// and uploads in progress are untouched. Returns how many entries were removed.
    pub fn purge_stale(&self, max_age: std::time::Duration) -> Result<usize> {
        let now = std::time::SystemTime::now();
        let old = |p: &Path| {
            fs::symlink_metadata(p)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > max_age)
        };
        let mut removed = 0;
        let tmp = self.v2_dir().join("_hoist_tmp");
        if let Ok(rd) = fs::read_dir(&tmp) {
            for e in rd.flatten() {
                let p = e.path();
                if old(&p) && fs::remove_file(&p).is_ok() {
                    removed += 1;
                }
            }
        }
        let mut upload_dirs = Vec::new();
        collect_upload_dirs(&self.v2_dir().join("repositories"), &mut upload_dirs, 0)?;
        for dir in upload_dirs {
            let Ok(rd) = fs::read_dir(&dir) else { continue };
            for e in rd.flatten() {
                let p = e.path();
                let stale = [p.join("data"), p.clone()]
                    .iter()
                    .all(|q| old(q) || !q.exists());
                if stale && fs::remove_dir_all(&p).is_ok() {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    // ---- OCI image layout import ----

    /// Copies an image from an OCI image layout directory into repository `repo` under `tag`.
    /// `reference` selects the image in the layout's `index.json`: a digest (`sha256:...`), an
    /// `org.opencontainers.image.ref.name` annotation value, or empty when the layout holds
    /// exactly one image. An image index is copied with every child manifest. Manifests, configs
    /// and layers keep their exact bytes; every blob read from the layout is verified.
    /// Returns the digest of the top manifest.
    pub fn copy_from_oci_layout(
        &self,
        layout_dir: &Path,
        reference: &str,
        repo: &str,
        tag: &str,
    ) -> Result<Digest> {
        self.copy_from_oci_layout_with(layout_dir, reference, repo, tag, &NoReport)
    }

    /// [`Layout::copy_from_oci_layout`] reporting progress to `report`.
    pub fn copy_from_oci_layout_with(
        &self,
        layout_dir: &Path,
        reference: &str,
        repo: &str,
        tag: &str,
        report: &dyn CopyReporter,
    ) -> Result<Digest> {
        self.repo_dir(repo)?;
        if !is_valid_tag(tag) {
            return Err(LayoutError::InvalidTag(tag.to_string()));
        }
        let bad = |reason: String| LayoutError::OciLayout {
            path: layout_dir.to_path_buf(),
            reason,
        };
        let index_path = layout_dir.join("index.json");
        let index_bytes = fs::read(&index_path).map_err(io_err("read", &index_path))?;
        let index: serde_json::Value =
            serde_json::from_slice(&index_bytes).map_err(|e| bad(format!("index.json: {e}")))?;
        let entries = index
            .get("manifests")
            .and_then(|m| m.as_array())
            .ok_or_else(|| bad("index.json has no manifests list".to_string()))?;
        let entry_digest = |e: &serde_json::Value| -> Result<Digest> {
            let s = e
                .get("digest")
                .and_then(|d| d.as_str())
                .ok_or_else(|| bad("index.json entry without digest".to_string()))?;
            Digest::parse(s).map_err(|_| bad(format!("index.json entry has invalid digest {s:?}")))
        };
        let top = if reference.is_empty() {
            if entries.len() != 1 {
                return Err(bad(format!(
                    "holds {} images; name one by digest or ref name",
                    entries.len()
                )));
            }
            entry_digest(&entries[0])?
        } else if reference.starts_with("sha256:") {
            Digest::parse(reference)
                .map_err(|_| LayoutError::InvalidDigest(reference.to_string()))?
        } else {
            let mut found = None;
            for e in entries {
                let name = e
                    .get("annotations")
                    .and_then(|a| a.get("org.opencontainers.image.ref.name"))
                    .and_then(|n| n.as_str());
                if name == Some(reference) {
                    found = Some(entry_digest(e)?);
                    break;
                }
            }
            found.ok_or_else(|| bad(format!("no image named {reference:?} in index.json")))?
        };
        self.copy_oci_manifest(layout_dir, &top, repo, 0, report)?;
        self.tag(repo, tag, &top)?;
        Ok(top)
    }

    fn copy_oci_manifest(
        &self,
        layout_dir: &Path,
        d: &Digest,
        repo: &str,
        depth: u32,
        report: &dyn CopyReporter,
    ) -> Result<()> {
        let bad = |reason: String| LayoutError::OciLayout {
            path: layout_dir.to_path_buf(),
            reason,
        };
        if depth > 4 {
            return Err(bad("image index nesting is too deep".to_string()));
        }
        let blob_path = |d: &Digest| layout_dir.join("blobs").join(d.algorithm()).join(d.hex());
        let mp = blob_path(d);
        let bytes = fs::read(&mp).map_err(io_err("read", &mp))?;
        let actual = Digest::of_bytes(&bytes);
        if actual != *d {
            return Err(LayoutError::DigestMismatch {
                expected: d.clone(),
                actual,
            });
        }
        let refs = manifest_refs(&bytes).map_err(|e| bad(format!("manifest {d}: {e}")))?;
        for child in &refs.manifests {
            self.copy_oci_manifest(layout_dir, child, repo, depth + 1, report)?;
        }
        for b in &refs.blobs {
            if let Some(size) = self.blob_stat(b)? {
                report.blob(b, size, true);
            } else {
                let p = blob_path(b);
                let f = File::open(&p).map_err(io_err("open", &p))?;
                let size = f.metadata().map_err(io_err("stat", &p))?.len();
                report.blob(b, size, false);
                let reader = ReportingReader {
                    inner: io::BufReader::with_capacity(1 << 20, f),
                    report,
                };
                self.put_blob(reader, Some(b))?;
            }
            self.link_blob(repo, b)?;
        }
        self.put_manifest(repo, &d.to_string(), &bytes, None)?;
        report.manifest(d);
        Ok(())
    }
}

/// Progress of [`Layout::copy_from_oci_layout_with`]. Every method defaults to nothing.
pub trait CopyReporter {
    /// A config or layer blob is next, `size` bytes; `present` when the store already has it
    /// (then no bytes follow).
    fn blob(&self, _digest: &Digest, _size: u64, _present: bool) {}
    /// `n` more bytes of the current blob were read and written.
    fn bytes(&self, _n: u64) {}
    /// A manifest (or index) was stored.
    fn manifest(&self, _digest: &Digest) {}
}

/// A [`CopyReporter`] that reports nothing.
pub struct NoReport;

impl CopyReporter for NoReport {}

struct ReportingReader<'a, R> {
    inner: R,
    report: &'a dyn CopyReporter,
}

impl<R: Read> Read for ReportingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.report.bytes(n as u64);
        Ok(n)
    }
}

/// Compares repository paths as distribution's catalog does: bytewise with `/` sorting first.
pub fn catalog_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let m = |c: u8| if c == b'/' { 0u8 } else { c };
    a.bytes().map(m).cmp(b.bytes().map(m))
}

fn walk_repos(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err("read directory", dir)(e)),
    };
    let mut names = Vec::new();
    for e in rd {
        let e = e.map_err(io_err("read directory", dir))?;
        if e.file_type().map(|t| t.is_dir()).unwrap_or(false)
            && let Some(n) = e.file_name().to_str()
        {
            names.push(n.to_string());
        }
    }
    names.sort();
    for n in names {
        if n == "_layers" && !prefix.is_empty() {
            out.push(prefix.to_string());
            continue;
        }
        if n.starts_with('_') {
            continue;
        }
        let p = if prefix.is_empty() {
            n.clone()
        } else {
            format!("{prefix}/{n}")
        };
        walk_repos(&dir.join(&n), &p, out)?;
    }
    Ok(())
}

fn collect_upload_dirs(dir: &Path, out: &mut Vec<PathBuf>, depth: u32) -> Result<()> {
    if depth > 64 {
        return Ok(());
    }
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err("read directory", dir)(e)),
    };
    for e in rd.flatten() {
        if !e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            continue;
        }
        let name = e.file_name();
        let p = e.path();
        if name == "_uploads" {
            out.push(p);
        } else if !name.to_string_lossy().starts_with('_') {
            collect_upload_dirs(&p, out, depth + 1)?;
        }
    }
    Ok(())
}

fn remove_dir_if_exists(dir: &Path) -> Result<bool> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_err("remove", dir)(e)),
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = OpenOptions::new().read(true).open(dir) {
        let _ = d.sync_all();
    }
}

/// The current time as RFC 3339 UTC (what distribution writes into `startedat`).
fn rfc3339_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    let (y, mo, d) = civil_from_days(days);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }

    #[test]
    fn catalog_order() {
        let mut v = vec!["a-c", "a/b", "a", "b", "a.b/c"];
        v.sort_by(|a, b| catalog_cmp(a, b));
        assert_eq!(v, ["a", "a/b", "a-c", "a.b/c", "b"]);
    }
}
