//! Error type of the crate. Messages never contain passwords or tokens.

use std::path::PathBuf;

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors of the registry client, credentials and copy operations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid reference {reference:?}: {reason}")]
    InvalidReference { reference: String, reason: String },
    #[error(transparent)]
    Reference(#[from] hoist_oci::ReferenceError),
    #[error("invalid digest {0:?}")]
    InvalidDigest(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: invalid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("{method} {url}: {source}")]
    Http {
        method: String,
        url: String,
        source: reqwest::Error,
    },
    #[error("{method} {url}: {status}{}", if .detail.is_empty() { String::new() } else { format!(": {}", .detail) })]
    Status {
        method: String,
        url: String,
        status: u16,
        detail: String,
    },
    #[error("authentication to {registry} failed: {reason}")]
    Unauthorized { registry: String, reason: String },
    #[error("{what}: not found")]
    NotFound { what: String },
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("size mismatch for {digest}: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        digest: String,
        expected: u64,
        actual: u64,
    },
    #[error("{0}")]
    Manifest(String),
    #[error("not logged into {0}")]
    NotLoggedIn(String),
    #[error("no image for platform {platform} in {reference}")]
    NoPlatform { platform: String, reference: String },
    #[error("task failed: {0}")]
    Task(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
