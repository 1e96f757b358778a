//! Registry client (distribution v2), credentials compatible with containers' `auth.json`,
//! and copying images between a registry and an OCI image layout directory.
//!
//! Libraries never print: progress is reported through [`Reporter`].

pub mod auth;
pub mod client;
pub mod copy;
pub mod error;
pub mod layout;
pub mod reference;

pub use auth::{Credentials, Secret};
pub use client::{Client, ClientOptions, Manifest, ManifestHead};
pub use copy::{
    NoopReporter, Platform, PullOptions, PullResult, PushOptions, PushResult, Reporter, pull, push,
};
pub use error::{Error, Result};
pub use reference::Reference;

/// OCI image manifest media type.
pub const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index media type.
pub const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker schema 2 manifest media type.
pub const MEDIA_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list media type.
pub const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(data)))
}

/// Checks that `digest` is `sha256:` followed by 64 lower-case hex digits and returns the hex.
pub fn digest_hex(digest: &str) -> Result<&str> {
    match digest.strip_prefix("sha256:") {
        Some(h)
            if h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Ok(h)
        }
        _ => Err(Error::InvalidDigest(digest.to_string())),
    }
}
