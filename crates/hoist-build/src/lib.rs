//! Cluster-image builds, as `sealos build` (buildah) does them, without containers:
//!
//! - [`kubefile`]: the Kubefile/Sealfile/Dockerfile subset (FROM, COPY, ADD, LABEL, ENV, ARG,
//!   CMD, ENTRYPOINT, WORKDIR, MAINTAINER) with buildah's variable expansion, and the [`Plan`];
//! - [`layers`]: deterministic layer tars (gzip), digests computed while streaming;
//! - [`oci`]: image config, manifest and the OCI image layout directory written as output;
//! - [`mod@discover`]: the images a build context needs (charts/, manifests/, images/shim/,
//!   `.sealignore`, images/skopeo/tar.txt), as sealos lists them;
//! - [`build()`]: all of it in one call.
//!
//! Synchronous; it never prints and never touches the network.

mod build;
pub mod discover;
pub mod glob;
pub mod kubefile;
pub mod layers;
pub mod oci;
mod pgzip;
pub mod shell;

use std::path::PathBuf;

pub use build::{
    BuildOptions, BuiltImage, DEFAULT_BUILD_FILES, Reporter, build, build_with, find_build_files,
    plan,
};
pub use discover::{Discovered, TarImage, discover};
pub use kubefile::{Plan, PlanOptions, SyntaxError};

/// A target platform (`--platform os/arch[/variant]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// `linux`
    pub os: String,
    /// GOARCH spelling: `amd64`, `arm64`, ...
    pub architecture: String,
    /// `v7`, `v8`, ...
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform::host()
    }
}

impl Platform {
    /// The machine's platform in Go's spelling.
    pub fn host() -> Self {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64",
            "powerpc64le" => "ppc64le",
            "loongarch64" => "loong64",
            other => other,
        };
        Platform {
            os: "linux".into(),
            architecture: arch.into(),
            variant: None,
        }
    }

    /// Parses `os/arch[/variant]` (also `arch` alone, meaning linux).
    pub fn parse(s: &str) -> Result<Self, Error> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || Error::Platform(s.to_string());
        let (os, arch, variant) = match parts.as_slice() {
            [a] if !a.is_empty() => ("linux", *a, None),
            [o, a] if !o.is_empty() && !a.is_empty() => (*o, *a, None),
            [o, a, v] if !o.is_empty() && !a.is_empty() && !v.is_empty() => (*o, *a, Some(*v)),
            _ => return Err(bad()),
        };
        let arch = match arch {
            "x86_64" | "x86-64" => "amd64",
            "aarch64" => "arm64",
            a => a,
        };
        Ok(Platform {
            os: os.to_ascii_lowercase(),
            architecture: arch.to_string(),
            variant: variant.map(String::from),
        })
    }

    /// `os/arch[/variant]`
    pub fn as_string(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{v}", self.os, self.architecture),
            None => format!("{}/{}", self.os, self.architecture),
        }
    }

    /// buildah's predefined ARG values for this platform (target = build platform here).
    pub fn builtin_args(&self) -> Vec<(String, String)> {
        let host = Platform::host();
        let v = |p: &Platform| p.variant.clone().unwrap_or_default();
        vec![
            ("TARGETPLATFORM".into(), self.as_string()),
            ("TARGETOS".into(), self.os.clone()),
            ("TARGETARCH".into(), self.architecture.clone()),
            ("TARGETVARIANT".into(), v(self)),
            ("BUILDPLATFORM".into(), host.as_string()),
            ("BUILDOS".into(), host.os.clone()),
            ("BUILDARCH".into(), host.architecture.clone()),
            ("BUILDVARIANT".into(), v(&host)),
        ]
    }
}

/// Everything that can go wrong in a build or a discovery.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A build-file error at FILE:LINE.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// An I/O error on a path.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A COPY/ADD problem (missing source, escape, ...), at FILE:LINE.
    #[error("{}:{line}: {message}", file.display())]
    Copy {
        /// Build file.
        file: PathBuf,
        /// Line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A chart under charts/ failed to render.
    #[error("failed to get images in {}: {message}", path.display())]
    Chart {
        /// The chart.
        path: PathBuf,
        /// Helm's error.
        message: String,
    },
    /// A malformed line in an image list (e.g. images/skopeo/tar.txt).
    #[error("{}:{line}: {message}", path.display())]
    ListLine {
        /// The list file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The base image layout is unusable.
    #[error("base image {}: {message}", path.display())]
    Base {
        /// The layout dir.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A blob's content does not match its digest.
    #[error("{}: digest mismatch: expected {expected}, got {actual}", path.display())]
    Digest {
        /// The blob.
        path: PathBuf,
        /// Wanted.
        expected: String,
        /// Found.
        actual: String,
    },
    /// `--platform` is malformed.
    #[error("invalid platform {0:?}: want os/arch[/variant]")]
    Platform(String),
    /// Bad build options (e.g. no build file, `FROM image` without a base layout).
    #[error("{0}")]
    Options(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// A process-unique suffix for temporary names.
pub(crate) fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
