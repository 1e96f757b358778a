//! Minimal OCI image layout directory access (the interchange format between hoist crates).

use crate::error::{Error, Result};
use crate::{digest_hex, sha256_digest};
use std::path::{Path, PathBuf};

/// Annotation naming a tag in `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`).
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// Opens `dir`, creating the layout files when missing.
    pub fn create(dir: &Path) -> Result<Self> {
        let blobs = dir.join("blobs/sha256");
        std::fs::create_dir_all(&blobs).map_err(|e| Error::io(&blobs, e))?;
        let l = Layout {
            root: dir.to_path_buf(),
        };
        let ol = dir.join("oci-layout");
        if !ol.exists() {
            write_atomic(&ol, br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        }
        if !dir.join("index.json").exists() {
            write_atomic(&dir.join("index.json"), br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#)?;
        }
        Ok(l)
    }

    /// Opens an existing layout.
    pub fn open(dir: &Path) -> Result<Self> {
        let ol = dir.join("oci-layout");
        if !ol.is_file() {
            return Err(Error::NotFound {
                what: format!("OCI layout {}", dir.display()),
            });
        }
        Ok(Layout {
            root: dir.to_path_buf(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of a blob (whether or not it exists).
    pub fn blob_path(&self, digest: &str) -> Result<PathBuf> {
        Ok(self.root.join("blobs/sha256").join(digest_hex(digest)?))
    }

    /// Whether a blob exists with the expected size (when given).
    pub fn has_blob(&self, digest: &str, size: Option<u64>) -> Result<bool> {
        let p = self.blob_path(digest)?;
        Ok(match std::fs::metadata(&p) {
            Ok(m) => m.is_file() && size.is_none_or(|s| s == m.len()),
            Err(_) => false,
        })
    }

    /// Reads a blob fully and verifies its digest.
    pub fn read_blob(&self, digest: &str) -> Result<Vec<u8>> {
        let p = self.blob_path(digest)?;
        let b = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
        let actual = sha256_digest(&b);
        if actual != digest {
            return Err(Error::DigestMismatch {
                what: p.display().to_string(),
                expected: digest.into(),
                actual,
            });
        }
        Ok(b)
    }

    /// Writes bytes as a blob (atomically) and returns their digest.
    pub fn write_blob(&self, data: &[u8]) -> Result<String> {
        let d = sha256_digest(data);
        if !self.has_blob(&d, Some(data.len() as u64))? {
            write_atomic(&self.blob_path(&d)?, data)?;
        }
        Ok(d)
    }

    /// The parsed `index.json`.
    pub fn index(&self) -> Result<serde_json::Value> {
        let p = self.root.join("index.json");
        let b = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
        serde_json::from_slice(&b).map_err(|source| Error::Json {
            path: p.display().to_string(),
            source,
        })
    }

    /// Adds a descriptor to `index.json` (tagged with `ref_name` if given), replacing any entry
    /// with the same ref name.
    pub fn add_to_index(
        &self,
        media_type: &str,
        digest: &str,
        size: u64,
        ref_name: Option<&str>,
    ) -> Result<()> {
        let mut idx = self.index()?;
        let mut desc =
            serde_json::json!({ "mediaType": media_type, "digest": digest, "size": size });
        if let Some(n) = ref_name {
            desc["annotations"] = serde_json::json!({ REF_NAME: n });
        }
        let manifests = idx
            .as_object_mut()
            .ok_or_else(|| Error::Manifest("index.json is not an object".into()))?
            .entry("manifests")
            .or_insert_with(|| serde_json::json!([]));
        let arr = manifests
            .as_array_mut()
            .ok_or_else(|| Error::Manifest("index.json manifests is not an array".into()))?;
        arr.retain(|d| match ref_name {
            Some(n) => {
                d.pointer("/annotations/org.opencontainers.image.ref.name")
                    .and_then(|v| v.as_str())
                    != Some(n)
            }
            None => {
                d.get("digest").and_then(|v| v.as_str()) != Some(digest)
                    || d.get("annotations").is_some()
            }
        });
        arr.push(desc);
        let bytes = serde_json::to_vec(&idx).map_err(|source| Error::Json {
            path: "index.json".into(),
            source,
        })?;
        write_atomic(&self.root.join("index.json"), &bytes)
    }

    /// Finds the descriptor in `index.json` whose ref name or digest is `name`; with `None`, the
    /// only entry. Returns (mediaType, digest, size).
    pub fn find(&self, name: Option<&str>) -> Result<(String, String, u64)> {
        let idx = self.index()?;
        let empty = Vec::new();
        let arr = idx
            .get("manifests")
            .and_then(|m| m.as_array())
            .unwrap_or(&empty);
        let found: Vec<&serde_json::Value> = arr
            .iter()
            .filter(|d| match name {
                None => true,
                Some(n) => {
                    d.get("digest").and_then(|v| v.as_str()) == Some(n)
                        || d.pointer("/annotations/org.opencontainers.image.ref.name")
                            .and_then(|v| v.as_str())
                            == Some(n)
                }
            })
            .collect();
        let what = format!("{}:{}", self.root.display(), name.unwrap_or(""));
        let d = match found.as_slice() {
            [d] => *d,
            [] => {
                return Err(Error::NotFound {
                    what: format!("image {what}"),
                });
            }
            _ => {
                return Err(Error::Manifest(format!(
                    "{what}: more than one image matches; name one"
                )));
            }
        };
        let digest = d
            .get("digest")
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Manifest(format!("{what}: descriptor without digest")))?
            .to_string();
        digest_hex(&digest)?;
        let mt = d
            .get("mediaType")
            .and_then(|v| v.as_str())
            .unwrap_or(crate::MEDIA_OCI_MANIFEST)
            .to_string();
        let size = d.get("size").and_then(|v| v.as_u64()).unwrap_or(0);
        Ok((mt, digest, size))
    }

    /// Removes stale temporary files left by an interrupted pull (of processes no longer running).
    pub fn clean_temp_files(&self) {
        if let Ok(rd) = std::fs::read_dir(self.root.join("blobs/sha256")) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !name.starts_with(".tmp-") {
                    continue;
                }
                // `.tmp-<x>-<pid>-<rand>`: keep files of live processes (a concurrent pull).
                let parts: Vec<&str> = name.split('-').collect();
                let live = parts.len() >= 2
                    && parts[parts.len() - 2]
                        .parse::<u32>()
                        .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
                if !live {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// Writes `data` to a temp file next to `path`, fsyncs and renames it into place.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".tmp-w-{}-{:x}",
        std::process::id(),
        crate::client::rand_u64()
    ));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}
