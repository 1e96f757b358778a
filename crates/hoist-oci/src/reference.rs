//! Image references with docker's normalisation (`nginx` → `docker.io/library/nginx:latest`).
//!
//! Follows the grammar of `github.com/distribution/reference` (`regexp.go`, `normalize.go`):
//! a reference is `[domain/]path[:tag][@digest]`, the first path component is a domain when it
//! contains `.` or `:`, is `localhost`, or has an upper-case letter.

use std::fmt;
use std::str::FromStr;

/// The registry used for names without a domain.
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The namespace docker puts single-component names under.
pub const OFFICIAL_REPO_PREFIX: &str = "library/";
/// The tag added to references with neither tag nor digest.
pub const DEFAULT_TAG: &str = "latest";
const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// Why a reference did not parse. Every variant carries the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The input is empty.
    #[error("invalid reference format: repository name must have at least one component")]
    Empty,
    /// The input does not match the reference grammar.
    #[error("invalid reference format: {input:?}")]
    InvalidFormat {
        /// The text given.
        input: String,
    },
    /// The repository part has upper-case letters.
    #[error(
        "invalid reference format: repository name ({repository}) must be lowercase (in {input:?})"
    )]
    Uppercase {
        /// The text given.
        input: String,
        /// The offending repository path.
        repository: String,
    },
    /// The name is longer than 255 characters.
    #[error(
        "invalid reference format: repository name must not be more than 255 characters (in {input:?})"
    )]
    NameTooLong {
        /// The text given.
        input: String,
    },
    /// The name is a 64-hex-digit image id.
    #[error("invalid repository name ({input}), cannot specify 64-byte hexadecimal strings")]
    HexName {
        /// The text given.
        input: String,
    },
    /// The digest part is malformed.
    #[error("invalid digest {digest:?} in reference {input:?}")]
    InvalidDigest {
        /// The text given.
        input: String,
        /// The digest text.
        digest: String,
    },
}

/// A fully-qualified image reference: domain, repository path, optional tag and digest.
///
/// Parsing adds `docker.io`, `library/` and `:latest` as docker does; a reference with a digest
/// and no tag gets no tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl Reference {
    /// Parses and normalises `s`.
    pub fn parse(s: &str) -> Result<Self, ReferenceError> {
        let mut r = Self::parse_normalized_named(s)?;
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some(DEFAULT_TAG.to_string());
        }
        Ok(r)
    }

    /// Parses and normalises `s` without adding the default tag.
    pub fn parse_name_only(s: &str) -> Result<Self, ReferenceError> {
        Self::parse_normalized_named(s)
    }

    fn parse_normalized_named(s: &str) -> Result<Self, ReferenceError> {
        if is_anchored_hex64(s) {
            return Err(ReferenceError::HexName {
                input: s.to_string(),
            });
        }
        if s.is_empty() {
            return Err(ReferenceError::Empty);
        }
        // Split off the digest, then the tag (a ':' after the last '/').
        let (rest, digest) = match s.split_once('@') {
            Some((a, d)) => (a, Some(d)),
            None => (s, None),
        };
        let (name, tag) = match rest.rfind(':') {
            Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
            _ => (rest, None),
        };
        let invalid = || ReferenceError::InvalidFormat {
            input: s.to_string(),
        };
        if let Some(t) = tag
            && !is_tag(t)
        {
            return Err(invalid());
        }
        if let Some(d) = digest {
            check_digest(d).map_err(|_| ReferenceError::InvalidDigest {
                input: s.to_string(),
                digest: d.to_string(),
            })?;
        }
        let (domain, remainder) = split_docker_domain(name);
        if name.is_empty() {
            return Err(ReferenceError::Empty);
        }
        // Validate the domain as given and the path grammar (before lower-case check, docker
        // reports the lowercase error for an otherwise valid path).
        if let Some(d) = explicit_domain(name)
            && !is_domain(d)
        {
            return Err(invalid());
        }
        if remainder.to_ascii_lowercase() != remainder {
            let lowered = remainder.to_ascii_lowercase();
            if is_path(&lowered) {
                return Err(ReferenceError::Uppercase {
                    input: s.to_string(),
                    repository: remainder.to_string(),
                });
            }
            return Err(invalid());
        }
        if !is_path(&remainder) {
            return Err(invalid());
        }
        if domain.len() + 1 + remainder.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(ReferenceError::NameTooLong {
                input: s.to_string(),
            });
        }
        Ok(Self {
            domain,
            path: remainder,
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    /// Builds a reference from parts, validating each.
    pub fn from_parts(
        domain: &str,
        repository: &str,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> Result<Self, ReferenceError> {
        let mut s = format!("{domain}/{repository}");
        if let Some(t) = tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = digest {
            s.push('@');
            s.push_str(d);
        }
        let r = Self::parse_normalized_named(&s)?;
        if r.domain != domain {
            return Err(ReferenceError::InvalidFormat { input: s });
        }
        Ok(r)
    }

    /// The registry domain, e.g. `docker.io` or `host:5000`.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The repository path without domain, e.g. `library/nginx`.
    pub fn repository_without_domain(&self) -> &str {
        &self.path
    }

    /// The repository with its domain, e.g. `docker.io/library/nginx`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest (`sha256:<hex>`), if any.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// A copy with `tag` as its tag and no digest.
    pub fn with_tag(&self, tag: &str) -> Result<Self, ReferenceError> {
        if !is_tag(tag) {
            return Err(ReferenceError::InvalidFormat {
                input: format!("{}:{tag}", self.repository()),
            });
        }
        Ok(Self {
            domain: self.domain.clone(),
            path: self.path.clone(),
            tag: Some(tag.to_string()),
            digest: None,
        })
    }

    /// A copy with `digest` as its digest and no tag.
    pub fn with_digest(&self, digest: &str) -> Result<Self, ReferenceError> {
        let input = format!("{}@{digest}", self.repository());
        check_digest(digest).map_err(|_| ReferenceError::InvalidDigest {
            input: input.clone(),
            digest: digest.to_string(),
        })?;
        Ok(Self {
            domain: self.domain.clone(),
            path: self.path.clone(),
            tag: None,
            digest: Some(digest.to_string()),
        })
    }

    /// The short form users type: `nginx:latest`, `user/app:1`, `host:5000/a/b:t`.
    pub fn familiar(&self) -> String {
        let mut s = self.familiar_name();
        self.push_suffix(&mut s);
        s
    }

    /// The short repository name: `nginx` for `docker.io/library/nginx`.
    pub fn familiar_name(&self) -> String {
        if self.domain == DEFAULT_DOMAIN {
            match self.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
                Some(rest) if !rest.contains('/') => rest.to_string(),
                _ => self.path.clone(),
            }
        } else {
            self.repository()
        }
    }

    fn push_suffix(&self, s: &mut String) {
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.repository();
        self.push_suffix(&mut s);
        f.write_str(&s)
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// docker's `splitDockerDomain`.
fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut remainder) = match explicit_domain(name) {
        Some(d) => (d.to_string(), name[d.len() + 1..].to_string()),
        None => (DEFAULT_DOMAIN.to_string(), name.to_string()),
    };
    if domain == LEGACY_DEFAULT_DOMAIN {
        domain = DEFAULT_DOMAIN.to_string();
    }
    if domain == DEFAULT_DOMAIN && !remainder.contains('/') {
        remainder = format!("{OFFICIAL_REPO_PREFIX}{remainder}");
    }
    (domain, remainder)
}

/// The first component when docker treats it as a domain.
fn explicit_domain(name: &str) -> Option<&str> {
    let i = name.find('/')?;
    let first = &name[..i];
    if first.contains(['.', ':']) || first == "localhost" || first.to_ascii_lowercase() != first {
        Some(first)
    } else {
        None
    }
}

fn is_anchored_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `path-component ::= [a-z0-9]+ (separator [a-z0-9]+)*`, separator `[_.]|__|[-]+`.
fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum_lower(b[0]) || !is_alnum_lower(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum_lower(b[i]) {
            i += 1;
            continue;
        }
        // a separator run
        let start = i;
        while i < b.len() && !is_alnum_lower(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_path(p: &str) -> bool {
    !p.is_empty() && p.split('/').all(is_path_component)
}

fn is_domain_component(c: &str) -> bool {
    let b = c.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
}

/// `domain ::= host (":" port)?`, host a dotted name or a bracketed IPv6 address.
fn is_domain(d: &str) -> bool {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return false;
        };
        let addr = &rest[..end];
        if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        let after = &rest[end + 1..];
        match after.strip_prefix(':') {
            Some(p) => (None, Some(p)),
            None if after.is_empty() => (None, None),
            None => return false,
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(h) = host
        && !h.split('.').all(is_domain_component)
    {
        return false;
    }
    match port {
        Some(p) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()),
        None => true,
    }
}

/// `tag ::= [\w][\w.-]{0,127}`.
fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

/// `digest ::= algorithm ":" hex`, accepting the algorithms go-digest registers (sha256,
/// sha384, sha512) with their exact lower-case hex lengths, as `digest.Parse` does.
pub(crate) fn check_digest(d: &str) -> Result<(), ()> {
    let (alg, hex) = d.split_once(':').ok_or(())?;
    let want = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(()),
    };
    if hex.len() == want && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_path_component() {
        assert!(is_path_component("a__b"));
        assert!(!is_path_component("a___b"));
        assert!(is_path_component("a---b"));
        assert!(!is_path_component("a.-b"));
    }
}
