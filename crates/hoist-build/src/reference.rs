//! Docker image references as containers/image `docker/reference` parses them
//! (`ParseNormalizedNamed`), enough for sealos's image discovery.

use std::sync::OnceLock;

use regex::Regex;

/// A parsed, normalised reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `docker.io`, `quay.io`, `localhost:5000`...
    pub domain: String,
    /// `library/nginx`
    pub path: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// The digest, if any.
    pub digest: Option<String>,
}

impl Reference {
    /// `domain/path`
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// `String()` of the reference: `name[:tag][@digest]`.
    pub fn full(&self) -> String {
        let mut s = self.name();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// What sealos's manifest scan keeps: `name:tag` when tagged (a digest is dropped), else the
    /// whole reference (`pkg/sreg/buildimage/manifests/utils.go`).
    pub fn sealos_form(&self) -> String {
        match &self.tag {
            Some(t) => format!("{}:{t}", self.name()),
            None => self.full(),
        }
    }
}

fn reference_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let alnum = "[a-z0-9]+";
        let sep = "(?:[._]|__|[-]*)";
        let comp = format!("{alnum}(?:{sep}{alnum})*");
        let dcomp = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        let domain = format!(r"{dcomp}(?:\.{dcomp})*(?::[0-9]+)?");
        let name = format!("(?:{domain}/)?{comp}(?:/{comp})*");
        let tag = r"[\w][\w.-]{0,127}";
        let digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}";
        Regex::new(&format!("^({name})(?::({tag}))?(?:@({digest}))?$")).expect("valid regex")
    })
}

fn name_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let alnum = "[a-z0-9]+";
        let sep = "(?:[._]|__|[-]*)";
        let comp = format!("{alnum}(?:{sep}{alnum})*");
        let dcomp = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        let domain = format!(r"{dcomp}(?:\.{dcomp})*(?::[0-9]+)?");
        Regex::new(&format!("^(?:({domain})/)?({comp}(?:/{comp})*)$")).expect("valid regex")
    })
}

/// Splits off the registry domain as `SplitDockerDomain` does.
pub fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut rest) = match name.find('/') {
        Some(i) if name[..i].contains(['.', ':']) || &name[..i] == "localhost" => {
            (name[..i].to_string(), name[i + 1..].to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    if domain == "index.docker.io" {
        domain = "docker.io".into();
    }
    if domain == "docker.io" && !rest.contains('/') {
        rest = format!("library/{rest}");
    }
    (domain, rest)
}

fn valid_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let len = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `ParseNormalizedNamed`, with its error texts.
pub fn parse_normalized_named(s: &str) -> Result<Reference, String> {
    if s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!(
            "invalid repository name ({s}), cannot specify 64-byte hexadecimal strings"
        ));
    }
    let (domain, rest) = split_docker_domain(s);
    let remote = rest.split(':').next().unwrap_or("");
    if remote.to_lowercase() != remote {
        return Err("invalid reference format: repository name must be lowercase".into());
    }
    let full = format!("{domain}/{rest}");
    let Some(c) = reference_re().captures(&full) else {
        if reference_re().is_match(&full.to_lowercase()) {
            return Err("invalid reference format: repository name must be lowercase".into());
        }
        return Err("invalid reference format".into());
    };
    let name = c.get(1).map_or("", |m| m.as_str());
    if name.len() > 255 {
        return Err("repository name must not be more than 255 characters".into());
    }
    let digest = c.get(3).map(|m| m.as_str().to_string());
    if let Some(d) = &digest
        && !valid_digest(d)
    {
        return Err("invalid digest format".into());
    }
    let n = name_re().captures(name).ok_or("invalid reference format")?;
    Ok(Reference {
        domain: n.get(1).map_or("", |m| m.as_str()).to_string(),
        path: n.get(2).map_or("", |m| m.as_str()).to_string(),
        tag: c.get(2).map(|m| m.as_str().to_string()),
        digest,
    })
}
