//! Manifests, indexes and configs in both the OCI and the Docker schema-2 media-type families.
//!
//! The exact bytes are always kept alongside the parsed value: digests are computed over the
//! bytes as stored, never over a re-serialisation.

use std::collections::HashMap;

pub use oci_spec::image::{Descriptor, ImageConfiguration, ImageIndex, ImageManifest, Platform};

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI layer, uncompressed tar.
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// OCI layer, gzip.
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// OCI layer, zstd.
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// Docker schema-2 manifest.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image config.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// Docker layer, gzip.
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Docker layer, uncompressed (docker-archive content).
pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";

/// Errors decoding image JSON.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The bytes are not valid JSON for the expected document.
    #[error("invalid {what} {digest}: {source}")]
    Json {
        /// "manifest", "index" or "config".
        what: &'static str,
        /// Digest (or other name) of the document.
        digest: String,
        /// Parser error.
        #[source]
        source: serde_json::Error,
    },
    /// A media type this crate cannot handle.
    #[error("unsupported media type {media_type:?} for {digest}")]
    UnsupportedMediaType {
        /// The media type found.
        media_type: String,
        /// Digest of the document.
        digest: String,
    },
    /// No index entry matches the wanted platform.
    #[error("no manifest for platform {platform} in index {digest}")]
    NoPlatform {
        /// The wanted platform, `os/arch[/variant]`.
        platform: String,
        /// Index digest.
        digest: String,
    },
}

/// What kind of manifest document some bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    /// A single-image manifest (OCI or Docker schema 2).
    Manifest,
    /// An index / manifest list.
    Index,
}

/// Classifies a media type string.
pub fn manifest_kind(media_type: &str) -> Option<ManifestKind> {
    match media_type {
        OCI_MANIFEST | DOCKER_MANIFEST => Some(ManifestKind::Manifest),
        OCI_INDEX | DOCKER_MANIFEST_LIST => Some(ManifestKind::Index),
        _ => None,
    }
}

/// The media type of manifest bytes: their `mediaType` field, or, when absent (allowed by OCI),
/// an OCI index if they have `manifests` and an OCI manifest otherwise.
pub fn detect_media_type(bytes: &[u8]) -> Result<String, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
    }
    let p: Probe = serde_json::from_slice(bytes)?;
    Ok(match p.media_type {
        Some(m) => m,
        None if p.manifests.is_some() => OCI_INDEX.to_string(),
        None => OCI_MANIFEST.to_string(),
    })
}

/// Parses a manifest (either family).
pub fn parse_manifest(bytes: &[u8], digest: &str) -> Result<ImageManifest, ImageError> {
    serde_json::from_slice(bytes).map_err(|source| ImageError::Json {
        what: "manifest",
        digest: digest.to_string(),
        source,
    })
}

/// Parses an index / manifest list.
pub fn parse_index(bytes: &[u8], digest: &str) -> Result<ImageIndex, ImageError> {
    serde_json::from_slice(bytes).map_err(|source| ImageError::Json {
        what: "index",
        digest: digest.to_string(),
        source,
    })
}

/// An image config, parsed, with the accessors `inspect` needs.
#[derive(Debug, Clone)]
pub struct Config {
    inner: ImageConfiguration,
}

impl Config {
    /// Parses config bytes (OCI or Docker).
    pub fn parse(bytes: &[u8], digest: &str) -> Result<Self, ImageError> {
        let inner = serde_json::from_slice(bytes).map_err(|source| ImageError::Json {
            what: "config",
            digest: digest.to_string(),
            source,
        })?;
        Ok(Self { inner })
    }

    /// The oci-spec value.
    pub fn inner(&self) -> &ImageConfiguration {
        &self.inner
    }

    /// Labels (empty when none).
    pub fn labels(&self) -> HashMap<String, String> {
        self.inner
            .config()
            .as_ref()
            .and_then(|c| c.labels().clone())
            .unwrap_or_default()
    }

    /// `KEY=VALUE` environment entries.
    pub fn env(&self) -> Vec<String> {
        self.inner
            .config()
            .as_ref()
            .and_then(|c| c.env().clone())
            .unwrap_or_default()
    }

    /// CMD.
    pub fn cmd(&self) -> Vec<String> {
        self.inner
            .config()
            .as_ref()
            .and_then(|c| c.cmd().clone())
            .unwrap_or_default()
    }

    /// ENTRYPOINT.
    pub fn entrypoint(&self) -> Vec<String> {
        self.inner
            .config()
            .as_ref()
            .and_then(|c| c.entrypoint().clone())
            .unwrap_or_default()
    }

    /// WORKDIR.
    pub fn working_dir(&self) -> Option<String> {
        self.inner
            .config()
            .as_ref()
            .and_then(|c| c.working_dir().clone())
    }

    /// The `created` timestamp as written (RFC 3339).
    pub fn created(&self) -> Option<&str> {
        self.inner.created().as_deref()
    }

    /// `rootfs.diff_ids`.
    pub fn diff_ids(&self) -> &[String] {
        self.inner.rootfs().diff_ids()
    }

    /// `os/arch[/variant]`.
    pub fn platform(&self) -> String {
        let mut s = format!("{}/{}", self.inner.os(), self.inner.architecture());
        if let Some(v) = self.inner.variant() {
            s.push('/');
            s.push_str(v);
        }
        s
    }
}

/// The host platform in Go's names: (`linux`, `amd64`).
pub fn host_platform() -> (String, String) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        o => o,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        "loongarch64" => "loong64",
        a => a,
    };
    (os.to_string(), arch.to_string())
}

/// Picks the manifest for `os/arch[/variant]` from an index; `None` uses the host platform.
/// Entries without a platform are ignored; the first match wins.
pub fn select_platform<'a>(
    index: &'a ImageIndex,
    digest: &str,
    wanted: Option<&str>,
) -> Result<&'a Descriptor, ImageError> {
    let (os, arch, variant) = match wanted {
        Some(w) => {
            let mut it = w.split('/');
            (
                it.next().unwrap_or_default().to_string(),
                it.next().unwrap_or_default().to_string(),
                it.next().map(str::to_string),
            )
        }
        None => {
            let (o, a) = host_platform();
            (o, a, None)
        }
    };
    index
        .manifests()
        .iter()
        .find(|d| {
            d.platform().as_ref().is_some_and(|p| {
                p.os().to_string() == os
                    && p.architecture().to_string() == arch
                    && variant
                        .as_ref()
                        .is_none_or(|v| p.variant().as_deref() == Some(v.as_str()))
            })
        })
        .ok_or_else(|| ImageError::NoPlatform {
            platform: wanted.map_or_else(|| format!("{os}/{arch}"), str::to_string),
            digest: digest.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_with_nulls() {
        let cfg = br#"{"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Cmd":null,"Labels":{"a":"b"},"ExposedPorts":{"80/tcp":{}}},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"created":"2024-01-01T00:00:00Z"}"#;
        let c = Config::parse(cfg, "x").unwrap();
        assert_eq!(c.labels()["a"], "b");
        assert_eq!(c.env(), vec!["A=1"]);
        assert!(c.cmd().is_empty());
        assert_eq!(c.created(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(c.platform(), "linux/amd64");
    }

    #[test]
    fn docker_manifest_list_platforms() {
        let list = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
 {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":1,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"arm","os":"linux","variant":"v7"}},
 {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":2,"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
 {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":3,"digest":"sha256:3333333333333333333333333333333333333333333333333333333333333333","platform":{"architecture":"amd64","os":"linux"}},
 {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":4,"digest":"sha256:4444444444444444444444444444444444444444444444444444444444444444","platform":{"architecture":"ppc64le","os":"linux"}}]}"#;
        let idx = parse_index(list, "l").unwrap();
        let pick = |w: &str| select_platform(&idx, "l", Some(w)).map(|d| d.size());
        assert_eq!(pick("linux/arm64").unwrap(), 2);
        assert_eq!(pick("linux/arm64/v8").unwrap(), 2);
        assert_eq!(pick("linux/arm/v7").unwrap(), 1);
        assert_eq!(pick("linux/amd64").unwrap(), 3);
        assert_eq!(pick("linux/ppc64le").unwrap(), 4);
        let e = pick("linux/riscv64").unwrap_err().to_string();
        assert!(e.contains("linux/riscv64") && e.contains(" l"), "{e}");
        let m = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"sha256:5555555555555555555555555555555555555555555555555555555555555555"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":9,"digest":"sha256:6666666666666666666666666666666666666666666666666666666666666666"}]}"#;
        let m = parse_manifest(m, "m").unwrap();
        assert_eq!(m.layers()[0].size(), 9);
        assert_eq!(m.config().media_type().to_string(), DOCKER_CONFIG);
    }

    #[test]
    fn detect() {
        assert_eq!(
            detect_media_type(br#"{"schemaVersion":2,"manifests":[]}"#).unwrap(),
            OCI_INDEX
        );
        assert_eq!(
            detect_media_type(br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}"#).unwrap(),
            DOCKER_MANIFEST
        );
    }
}
