//! OCI image config, manifest and image-layout directory (`oci-layout`, `index.json`,
//! `blobs/sha256/<hex>`). Manifests and configs are written once, as bytes, and named by the
//! digest of exactly those bytes; blobs read from a base layout are verified against their
//! digests.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::layers::sha256_bytes;
use crate::{Error, Platform, Result};

/// OCI manifest media type.
pub const MEDIA_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI index media type.
pub const MEDIA_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI config media type.
pub const MEDIA_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI gzip layer media type.
pub const MEDIA_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// Annotation holding the tag in `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// Media type.
    pub media_type: String,
    /// `sha256:<hex>`
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
}

impl Descriptor {
    /// As JSON.
    pub fn to_json(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest, "size": self.size})
    }
}

/// `blobs/sha256/<hex>` of a layout.
pub fn blob_path(layout: &Path, digest: &str) -> Result<PathBuf> {
    let hex = digest.strip_prefix("sha256:").ok_or_else(|| Error::Base {
        path: layout.to_path_buf(),
        message: format!("unsupported digest {digest:?}"),
    })?;
    if hex.len() != 64
        || !hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(Error::Base {
            path: layout.to_path_buf(),
            message: format!("invalid digest {digest:?}"),
        });
    }
    Ok(layout.join("blobs").join("sha256").join(hex))
}

/// Writes bytes as a blob (atomically) and returns its digest.
pub fn write_blob(layout: &Path, bytes: &[u8]) -> Result<String> {
    let digest = sha256_bytes(bytes);
    let path = blob_path(layout, &digest)?;
    if !path.exists() {
        let dir = path.parent().unwrap_or(layout);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        write_atomic(&path, bytes)?;
    }
    Ok(digest)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", crate::unique_suffix()));
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Reads a blob and checks its digest.
pub fn read_blob(layout: &Path, digest: &str) -> Result<Vec<u8>> {
    let path = blob_path(layout, digest)?;
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let actual = sha256_bytes(&bytes);
    if actual != digest {
        return Err(Error::Digest {
            path,
            expected: digest.to_string(),
            actual,
        });
    }
    Ok(bytes)
}

/// Copies a blob between layouts, verifying its digest while streaming.
pub fn copy_blob(from: &Path, to: &Path, digest: &str) -> Result<()> {
    let src = blob_path(from, digest)?;
    let dst = blob_path(to, digest)?;
    if dst.exists() && src.canonicalize().ok() == dst.canonicalize().ok() {
        return Ok(());
    }
    let dir = dst.parent().unwrap_or(to);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = dst.with_extension(format!("tmp-{}", crate::unique_suffix()));
    let mut r = std::fs::File::open(&src).map_err(|e| Error::io(&src, e))?;
    let mut w = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf).map_err(|e| Error::io(&src, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        w.write_all(&buf[..n]).map_err(|e| Error::io(&tmp, e))?;
    }
    let actual = format!("sha256:{}", hex::encode(h.finalize()));
    if actual != digest {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Digest {
            path: src,
            expected: digest.to_string(),
            actual,
        });
    }
    w.sync_all().map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &dst).map_err(|e| Error::io(&dst, e))
}

/// A base image read from an OCI layout.
#[derive(Debug, Clone)]
pub struct BaseImage {
    /// The layout directory.
    pub layout: PathBuf,
    /// The parsed config.
    pub config: Value,
    /// Its layers (docker media types mapped to OCI ones).
    pub layers: Vec<Descriptor>,
}

fn base_err(layout: &Path, message: impl Into<String>) -> Error {
    Error::Base {
        path: layout.to_path_buf(),
        message: message.into(),
    }
}

fn parse_json(layout: &Path, what: &str, bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|e| base_err(layout, format!("{what}: {e}")))
}

fn descriptors(v: &Value) -> Vec<&Value> {
    v.get("manifests")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn desc_str<'a>(d: &'a Value, k: &str) -> &'a str {
    d.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Reads the base image from an OCI layout: the manifest named `ref_name` in `index.json` (or
/// the only one), an index resolved for `platform`.
pub fn read_base(layout: &Path, ref_name: Option<&str>, platform: &Platform) -> Result<BaseImage> {
    let index_path = layout.join("index.json");
    let bytes = std::fs::read(&index_path).map_err(|e| Error::io(&index_path, e))?;
    let index = parse_json(layout, "index.json", &bytes)?;
    let all = descriptors(&index);
    let chosen: Vec<&Value> = match ref_name {
        Some(r) => all
            .iter()
            .copied()
            .filter(|d| {
                d.pointer("/annotations/org.opencontainers.image.ref.name")
                    .and_then(Value::as_str)
                    == Some(r)
            })
            .collect(),
        None => all.clone(),
    };
    let mut desc = match chosen.as_slice() {
        [d] => (*d).clone(),
        [] => return Err(base_err(layout, "no matching image in index.json")),
        _ => return Err(base_err(layout, "several images in index.json; name one")),
    };
    for _ in 0..4 {
        let mt = desc_str(&desc, "mediaType").to_string();
        let digest = desc_str(&desc, "digest").to_string();
        let bytes = read_blob(layout, &digest)?;
        let doc = parse_json(layout, &digest, &bytes)?;
        let is_index = mt == MEDIA_INDEX
            || mt == "application/vnd.docker.distribution.manifest.list.v2+json"
            || (mt.is_empty() && doc.get("manifests").is_some());
        if is_index {
            let pick = descriptors(&doc).into_iter().find(|d| {
                let p = d.get("platform");
                let get = |k: &str| p.and_then(|p| p.get(k)).and_then(Value::as_str);
                get("os") == Some(platform.os.as_str())
                    && get("architecture") == Some(platform.architecture.as_str())
                    && (platform.variant.is_none() || get("variant") == platform.variant.as_deref())
            });
            desc = pick.cloned().ok_or_else(|| {
                base_err(layout, format!("no image for {}", platform.as_string()))
            })?;
            continue;
        }
        let config_digest = doc
            .pointer("/config/digest")
            .and_then(Value::as_str)
            .ok_or_else(|| base_err(layout, "manifest has no config"))?;
        let config = parse_json(layout, "config", &read_blob(layout, config_digest)?)?;
        let mut layers = Vec::new();
        for l in doc
            .get("layers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mt = match desc_str(l, "mediaType") {
                "application/vnd.docker.image.rootfs.diff.tar.gzip" => MEDIA_LAYER_GZIP,
                "application/vnd.docker.image.rootfs.diff.tar" => {
                    "application/vnd.oci.image.layer.v1.tar"
                }
                m => m,
            };
            layers.push(Descriptor {
                media_type: mt.to_string(),
                digest: desc_str(l, "digest").to_string(),
                size: l.get("size").and_then(Value::as_u64).unwrap_or(0),
            });
        }
        return Ok(BaseImage {
            layout: layout.to_path_buf(),
            config,
            layers,
        });
    }
    Err(base_err(layout, "index nesting too deep"))
}

/// RFC 3339 UTC for seconds since the epoch.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Writes the manifest for `config_bytes` + layers and records it in `index.json` under
/// `ref_name` (replacing an entry of the same name). Returns the manifest descriptor.
pub fn write_image(
    layout: &Path,
    config_bytes: &[u8],
    layers: &[Descriptor],
    ref_name: Option<&str>,
) -> Result<(Descriptor, Vec<u8>)> {
    std::fs::create_dir_all(layout).map_err(|e| Error::io(layout, e))?;
    let config_digest = write_blob(layout, config_bytes)?;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": config_digest, "size": config_bytes.len()},
        "layers": layers.iter().map(Descriptor::to_json).collect::<Vec<_>>(),
    });
    let manifest_bytes =
        serde_json::to_vec(&manifest).map_err(|e| Error::Options(e.to_string()))?;
    let digest = write_blob(layout, &manifest_bytes)?;
    let desc = Descriptor {
        media_type: MEDIA_MANIFEST.into(),
        digest,
        size: manifest_bytes.len() as u64,
    };
    let oci_layout = layout.join("oci-layout");
    if !oci_layout.exists() {
        write_atomic(&oci_layout, br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    }
    let index_path = layout.join("index.json");
    let mut entries: Vec<Value> = if index_path.exists() {
        let bytes = std::fs::read(&index_path).map_err(|e| Error::io(&index_path, e))?;
        let v = parse_json(layout, "index.json", &bytes)?;
        descriptors(&v).into_iter().cloned().collect()
    } else {
        Vec::new()
    };
    let mut entry = desc.to_json();
    if let Some(r) = ref_name {
        entries.retain(|d| {
            d.pointer("/annotations/org.opencontainers.image.ref.name")
                .and_then(Value::as_str)
                != Some(r)
        });
        let mut ann = Map::new();
        ann.insert(REF_NAME.into(), Value::String(r.into()));
        entry["annotations"] = Value::Object(ann);
    }
    entries.push(entry);
    let index = json!({"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": entries});
    let bytes = serde_json::to_vec(&index).map_err(|e| Error::Options(e.to_string()))?;
    write_atomic(&index_path, &bytes)?;
    Ok((desc, manifest_bytes))
}
