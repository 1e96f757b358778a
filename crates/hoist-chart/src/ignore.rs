//! `.helmignore` rules (Helm's `pkg/ignore`) on top of a port of Go's `path/filepath.Match`.

use thiserror::Error;

/// The name of the ignore file in a chart directory.
pub const HELM_IGNORE: &str = ".helmignore";

/// A `.helmignore` parse error (Helm's texts).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IgnoreError {
    /// A rule contains `**`.
    #[error("double-star (**) syntax is not supported")]
    DoubleStar,
    /// A rule is not a valid `filepath.Match` pattern.
    #[error("syntax error in pattern")]
    BadPattern,
    /// A line longer than bufio.Scanner's 64 KiB limit.
    #[error("bufio.Scanner: token too long")]
    TokenTooLong,
}

/// Go's `filepath.ErrBadPattern`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `path/filepath.Match` on a Unix system (`/` separator, `\` escapes).
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        let (t, ok, err) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if err {
            return Err(BadPattern);
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                if err {
                    return Err(BadPattern);
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            if match_chunk(chunk, b"").2 {
                return Err(BadPattern);
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let [b'*', rest @ ..] = pattern {
        pattern = rest;
        star = true;
    }
    let mut inrange = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Decodes one rune like Go's `utf8.DecodeRune`: (rune, width); invalid input gives (U+FFFD, 1).
fn decode_rune(s: &[u8]) -> (u32, usize) {
    if s.is_empty() {
        return (0xFFFD, 0);
    }
    let n = match s[0] {
        0x00..=0x7F => return (s[0] as u32, 1),
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (0xFFFD, 1),
    };
    if s.len() >= n
        && let Ok(st) = std::str::from_utf8(&s[..n])
        && let Some(c) = st.chars().next()
    {
        return (c as u32, n);
    }
    (0xFFFD, 1)
}

/// Returns (rest, ok, bad_pattern).
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> (&'a [u8], bool, bool) {
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            b'[' => {
                let mut r = 0u32;
                if !failed {
                    let (rr, n) = decode_rune(s);
                    r = rr;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if let [b'^', rest @ ..] = chunk {
                    negated = true;
                    chunk = rest;
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if let [b']', rest @ ..] = chunk
                        && nrange > 0
                    {
                        chunk = rest;
                        break;
                    }
                    let Some((lo, rest)) = get_esc(chunk) else {
                        return (b"", false, true);
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        let Some((h, rest)) = get_esc(&chunk[1..]) else {
                            return (b"", false, true);
                        };
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let mut c = c;
                if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return (b"", false, true);
                    }
                    c = chunk[0];
                }
                if !failed {
                    if c != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        return (b"", false, false);
    }
    (s, true, false)
}

fn get_esc(mut chunk: &[u8]) -> Option<(u32, &[u8])> {
    if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
        return None;
    }
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return None;
        }
    }
    let (r, n) = decode_rune(chunk);
    if r == 0xFFFD && n == 1 {
        return None;
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return None;
    }
    Some((r, rest))
}

/// Go's `filepath.Base` with `/` separators.
pub fn base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchKind {
    /// Leading `/`: the whole relative path must match.
    Anchored,
    /// Contains `/`: the whole relative path must match.
    Path,
    /// No `/`: only the base name is matched.
    Base,
}

#[derive(Debug, Clone)]
struct Pattern {
    raw: String,
    rule: String,
    kind: MatchKind,
    negate: bool,
    must_dir: bool,
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        let target = match self.kind {
            MatchKind::Anchored | MatchKind::Path => path,
            MatchKind::Base => base(path),
        };
        glob_match(&self.rule, target).unwrap_or(false)
    }
}

/// A parsed set of `.helmignore` rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

impl Rules {
    /// No rules.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses the contents of a `.helmignore` file.
    pub fn parse(data: &[u8]) -> Result<Self, IgnoreError> {
        let mut rules = Rules::empty();
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let mut rest = data;
        while !rest.is_empty() {
            let (line, next) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &b""[..]),
            };
            if line.len() >= 64 * 1024 {
                return Err(IgnoreError::TokenTooLong);
            }
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            rules.parse_rule(&String::from_utf8_lossy(line))?;
            rest = next;
        }
        Ok(rules)
    }

    /// Adds Helm's default rule: dot-files in `templates/` are ignored.
    pub fn add_defaults(&mut self) {
        let _ = self.parse_rule("templates/.?*");
    }

    /// The rules as written (after trimming), in order.
    pub fn raw_patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|p| p.raw.as_str())
    }

    fn parse_rule(&mut self, rule: &str) -> Result<(), IgnoreError> {
        let rule = rule.trim_matches(is_go_space);
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(IgnoreError::DoubleStar);
        }
        if glob_match(rule, "abc").is_err() {
            return Err(IgnoreError::BadPattern);
        }
        let raw = rule.to_string();
        let mut rule = rule;
        let negate = if let Some(r) = rule.strip_prefix('!') {
            rule = r;
            true
        } else {
            false
        };
        let must_dir = if let Some(r) = rule.strip_suffix('/') {
            rule = r;
            true
        } else {
            false
        };
        let (kind, rule) = if let Some(r) = rule.strip_prefix('/') {
            (MatchKind::Anchored, r)
        } else if rule.contains('/') {
            (MatchKind::Path, rule)
        } else {
            (MatchKind::Base, rule)
        };
        self.patterns.push(Pattern {
            raw,
            rule: rule.to_string(),
            kind,
            negate,
            must_dir,
        });
        Ok(())
    }

    /// True when the path (relative, `/`-separated) should be ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !p.matches(path) {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if p.matches(path) {
                return true;
            }
        }
        false
    }
}

/// `strings.TrimSpace`'s notion of space.
fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names() {
        assert_eq!(base("a/b"), "b");
        assert_eq!(base("cargo/"), "cargo");
        assert_eq!(base(""), ".");
        assert_eq!(base("///"), "/");
    }
}
