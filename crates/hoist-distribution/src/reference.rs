//! Image references as the client uses them: registry host and repository path apart. The
//! grammar and docker's normalisation are `hoist_oci::Reference`'s; this adds the `docker://`
//! transport prefix and the field layout the client's URLs want.

use crate::error::Result;
use std::fmt;

/// `registry/repository[:tag][@digest]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Registry host[:port]; `docker.io` for Docker Hub.
    pub registry: String,
    /// Repository path, e.g. `library/alpine`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// Parses a reference (an optional `docker://` prefix is dropped); short names resolve to
    /// `docker.io` (`library/` for one component), a missing tag and digest means `latest`.
    pub fn parse(s: &str) -> Result<Self> {
        let r = hoist_oci::Reference::parse(s.strip_prefix("docker://").unwrap_or(s))?;
        Ok(Reference::from(&r))
    }

    /// The digest if present, else the tag.
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

/// Maps Docker Hub aliases to `docker.io` and strips a scheme and path.
pub fn normalize_registry(r: &str) -> String {
    let r = r
        .strip_prefix("https://")
        .or_else(|| r.strip_prefix("http://"))
        .unwrap_or(r);
    let host = r.split('/').next().unwrap_or(r);
    match host {
        "index.docker.io" | "registry-1.docker.io" | "docker.io" => "docker.io".to_string(),
        h => h.to_string(),
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl From<&hoist_oci::Reference> for Reference {
    fn from(r: &hoist_oci::Reference) -> Self {
        Reference {
            registry: r.domain().to_string(),
            repository: r.repository_without_domain().to_string(),
            tag: r.tag().map(str::to_string),
            digest: r.digest().map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parse() {
        let r = Reference::parse("alpine").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/alpine:latest");
        let r = Reference::parse("127.0.0.1:5000/a/b:v1").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("127.0.0.1:5000", "a/b", Some("v1"))
        );
        assert!(Reference::parse("bad/Name").is_err());
        assert!(Reference::parse("a:b:c").is_err());
        let r = Reference::parse("docker://quay.io/x/y@sha256:0123456789012345678901234567890123456789012345678901234567890123").unwrap();
        assert_eq!((r.registry.as_str(), r.tag.as_deref()), ("quay.io", None));
    }
}
