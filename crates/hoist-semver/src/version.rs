//! `version.go`: parsing, printing, comparing and incrementing versions.

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::Error;

/// The loose version pattern (`looseSemVerRegex`): groups 1–3 are the numbers (2 and 3 with their
/// dot), 5 the pre-release and 8 the metadata.
static LOOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
    )
    .expect("static regex")
});

/// A semantic version, as Masterminds' `*semver.Version`.
///
/// Equality and ordering follow Go's `Compare`: metadata is ignored, so `1.2.3+a == 1.2.3+b`.
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

fn parse_u64(s: &str, wrapped: bool) -> Result<u64, Error> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::ParseSegment {
            input: s.to_string(),
            reason: "invalid syntax",
            wrapped,
        });
    }
    s.parse::<u64>().map_err(|_| Error::ParseSegment {
        input: s.to_string(),
        reason: "value out of range",
        wrapped,
    })
}

fn only_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn only_allowed(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `validatePrerelease`: dot-separated, non-empty `[0-9A-Za-z-]` identifiers, numbers without
/// leading zeros.
fn validate_prerelease(p: &str) -> Result<(), Error> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err(Error::InvalidPrerelease);
        } else if only_digits(part) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(Error::SegmentStartsZero);
            }
        } else if !only_allowed(part) {
            return Err(Error::InvalidPrerelease);
        }
    }
    Ok(())
}

/// `validateMetadata`: dot-separated, non-empty `[0-9A-Za-z-]` identifiers.
fn validate_metadata(m: &str) -> Result<(), Error> {
    for part in m.split('.') {
        if part.is_empty() || !only_allowed(part) {
            return Err(Error::InvalidMetadata);
        }
    }
    Ok(())
}

impl Version {
    /// Go's `NewVersion` (with the default `CoerceNewVersion = true`): accepts a leading `v`,
    /// missing minor/patch (`1.2` is `1.2.0`) and leading zeros (`01.02.03`).
    pub fn parse(v: &str) -> Result<Version, Error> {
        let m = LOOSE.captures(v).ok_or(Error::InvalidSemVer)?;
        let group = |i: usize| m.get(i).map_or("", |g| g.as_str());
        let major = parse_u64(group(1), true)?;
        let minor = match group(2) {
            "" => 0,
            s => parse_u64(&s[1..], true)?,
        };
        let patch = match group(3) {
            "" => 0,
            s => parse_u64(&s[1..], true)?,
        };
        let pre = group(5).to_string();
        let metadata = group(8).to_string();
        if !pre.is_empty() {
            validate_prerelease(&pre)?;
        }
        if !metadata.is_empty() {
            validate_metadata(&metadata)?;
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
            metadata,
            original: v.to_string(),
        })
    }

    /// Go's `StrictNewVersion`: only `MAJOR.MINOR.PATCH[-PRE][+META]` as SemVer 2 defines it.
    pub fn parse_strict(v: &str) -> Result<Version, Error> {
        if v.is_empty() {
            return Err(Error::EmptyString);
        }
        let mut parts: Vec<&str> = v.splitn(3, '.').collect();
        if parts.len() != 3 {
            return Err(Error::InvalidSemVer);
        }
        let mut metadata = String::new();
        let mut pre = String::new();
        if let Some((rest, meta)) = parts[2].split_once('+') {
            metadata = meta.to_string();
            parts[2] = rest;
            validate_metadata(&metadata)?;
        }
        if let Some((rest, p)) = parts[2].split_once('-') {
            pre = p.to_string();
            parts[2] = rest;
            validate_prerelease(&pre)?;
        }
        for p in &parts {
            if !only_digits(p) {
                return Err(Error::InvalidCharacters);
            }
            if p.len() > 1 && p.starts_with('0') {
                return Err(Error::SegmentStartsZero);
            }
        }
        Ok(Version {
            major: parse_u64(parts[0], false)?,
            minor: parse_u64(parts[1], false)?,
            patch: parse_u64(parts[2], false)?,
            pre,
            metadata,
            original: v.to_string(),
        })
    }

    /// Go's `New`: a version from its parts (not validated); `original` is its string form.
    pub fn new(major: u64, minor: u64, patch: u64, pre: &str, metadata: &str) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: String::new(),
        };
        v.original = v.to_string();
        v
    }

    /// The major number.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor number.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch number.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The pre-release, without its `-`.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// The build metadata, without its `+`.
    pub fn metadata(&self) -> &str {
        &self.metadata
    }

    /// The text this version was parsed from (for derived versions: see the `inc_*` methods).
    pub fn original(&self) -> &str {
        &self.original
    }

    fn original_v_prefix(&self) -> &'static str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }

    fn with_original(mut self, prefix: &str) -> Version {
        self.original = format!("{prefix}{self}");
        self
    }

    /// A copy without pre-release or metadata, which every increment starts from.
    fn release_copy(&self) -> Version {
        let mut next = self.clone();
        next.metadata.clear();
        next.pre.clear();
        next
    }

    /// Go's `IncPatch`: a pre-release (or metadata-free release) steps to its release; otherwise
    /// the patch number goes up by one. Pre-release and metadata are dropped; `original` keeps a `v`.
    pub fn inc_patch(&self) -> Result<Version, Error> {
        let mut next = self.release_copy();
        if self.pre.is_empty() {
            next.patch = self.patch.checked_add(1).ok_or(Error::Overflow("patch"))?;
        }
        Ok(next.with_original(self.original_v_prefix()))
    }

    /// Go's `IncMinor`: minor + 1, patch 0, no pre-release or metadata.
    pub fn inc_minor(&self) -> Result<Version, Error> {
        let mut next = self.release_copy();
        next.patch = 0;
        next.minor = self.minor.checked_add(1).ok_or(Error::Overflow("minor"))?;
        Ok(next.with_original(self.original_v_prefix()))
    }

    /// Go's `IncMajor`: major + 1, minor and patch 0, no pre-release or metadata.
    pub fn inc_major(&self) -> Result<Version, Error> {
        let mut next = self.release_copy();
        next.patch = 0;
        next.minor = 0;
        next.major = self.major.checked_add(1).ok_or(Error::Overflow("major"))?;
        Ok(next.with_original(self.original_v_prefix()))
    }

    /// Go's `SetPrerelease` (without the leading `-`; empty clears it).
    pub fn set_prerelease(&self, prerelease: &str) -> Result<Version, Error> {
        if !prerelease.is_empty() {
            validate_prerelease(prerelease)?;
        }
        let mut next = self.clone();
        next.pre = prerelease.to_string();
        Ok(next.with_original(self.original_v_prefix()))
    }

    /// Go's `SetMetadata` (without the leading `+`; empty clears it).
    pub fn set_metadata(&self, metadata: &str) -> Result<Version, Error> {
        if !metadata.is_empty() {
            validate_metadata(metadata)?;
        }
        let mut next = self.clone();
        next.metadata = metadata.to_string();
        Ok(next.with_original(self.original_v_prefix()))
    }

    /// Go's `Compare`: numbers first, then a pre-release sorts before its release, then
    /// pre-release identifiers (numeric ones numerically and before alphanumeric ones).
    /// Metadata is ignored.
    pub fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }

    /// Go's `LessThan`.
    pub fn less_than(&self, o: &Version) -> bool {
        self.compare(o) == Ordering::Less
    }

    /// Go's `LessThanEqual`.
    pub fn less_than_equal(&self, o: &Version) -> bool {
        self.compare(o) != Ordering::Greater
    }

    /// Go's `GreaterThan`.
    pub fn greater_than(&self, o: &Version) -> bool {
        self.compare(o) == Ordering::Greater
    }

    /// Go's `GreaterThanEqual`.
    pub fn greater_than_equal(&self, o: &Version) -> bool {
        self.compare(o) != Ordering::Less
    }

    /// Go's `Equal` (metadata ignored).
    pub fn equal(&self, o: &Version) -> bool {
        self.compare(o) == Ordering::Equal
    }
}

/// `comparePrerelease`: identifier by identifier; a missing identifier sorts first.
pub(crate) fn compare_prerelease(v: &str, o: &str) -> Ordering {
    let sparts: Vec<&str> = v.split('.').collect();
    let oparts: Vec<&str> = o.split('.').collect();
    for i in 0..sparts.len().max(oparts.len()) {
        let s = sparts.get(i).copied().unwrap_or("");
        let t = oparts.get(i).copied().unwrap_or("");
        let d = compare_pre_part(s, t);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (parse_u64(s, false), parse_u64(o, false)) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(a), Ok(b)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// Go's `String()`: `MAJOR.MINOR.PATCH[-PRE][+META]`, without any `v`.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Version {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.equal(other)
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.compare(other)
    }
}
