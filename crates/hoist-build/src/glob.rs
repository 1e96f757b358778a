//! Go's `path.Match`, and `.dockerignore` matching (moby `patternmatcher`).

use regex::Regex;

/// Go's `path.ErrBadPattern`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

/// Go `path.Match`.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    match_pattern(pattern, name).map_err(|()| BadPattern)
}

fn match_pattern(pattern: &str, name: &str) -> Result<bool, ()> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let r = match_from(&p, &n)?;
    if !r {
        // Go validates the rest of the pattern even when it fails early.
        validate(&p)?;
    }
    Ok(r)
}

fn validate(p: &[char]) -> Result<(), ()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(());
                }
                i += 2;
            }
            '[' => {
                let (_, end) = class(p, i, None)?;
                i = end;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Parses a class at `p[i] == '['`; when `c` is given, whether it matches. Returns the index
/// after `]`.
fn class(p: &[char], i: usize, c: Option<char>) -> Result<(bool, usize), ()> {
    let mut j = i + 1;
    let negated = p.get(j) == Some(&'^');
    if negated {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(j).ok_or(())?;
        if ch == ']' && !first {
            j += 1;
            break;
        }
        first = false;
        let (lo, nj) = class_char(p, j)?;
        j = nj;
        let mut hi = lo;
        if p.get(j) == Some(&'-') {
            let (h, nj) = class_char(p, j + 1)?;
            hi = h;
            j = nj;
        }
        if let Some(c) = c
            && lo <= c
            && c <= hi
        {
            matched = true;
        }
    }
    Ok((matched != negated, j))
}

fn class_char(p: &[char], j: usize) -> Result<(char, usize), ()> {
    match p.get(j) {
        None | Some('-') | Some(']') => Err(()),
        Some('\\') => p.get(j + 1).map(|c| (*c, j + 2)).ok_or(()),
        Some(c) => Ok((*c, j + 1)),
    }
}

fn match_from(p: &[char], n: &[char]) -> Result<bool, ()> {
    if p.is_empty() {
        return Ok(n.is_empty());
    }
    match p[0] {
        '*' => {
            let mut k = 0;
            loop {
                if match_from(&p[1..], &n[k..])? {
                    return Ok(true);
                }
                if k >= n.len() || n[k] == '/' {
                    return Ok(false);
                }
                k += 1;
            }
        }
        '?' => {
            if n.is_empty() || n[0] == '/' {
                return Ok(false);
            }
            match_from(&p[1..], &n[1..])
        }
        '[' => {
            let Some(&c) = n.first() else {
                class(p, 0, None)?;
                return Ok(false);
            };
            let (ok, end) = class(p, 0, Some(c))?;
            if !ok || c == '/' {
                return Ok(false);
            }
            match_from(&p[end..], &n[1..])
        }
        '\\' => {
            let Some(&e) = p.get(1) else { return Err(()) };
            if n.first() != Some(&e) {
                return Ok(false);
            }
            match_from(&p[2..], &n[1..])
        }
        c => {
            if n.first() != Some(&c) {
                return Ok(false);
            }
            match_from(&p[1..], &n[1..])
        }
    }
}

/// One `.dockerignore` rule.
#[derive(Debug, Clone)]
struct Rule {
    re: Regex,
    exclusion: bool,
}

/// The rules of a `.dockerignore` file: a path is ignored when the last rule matching it, or
/// one of its parent directories, is not a `!` rule.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
}

impl IgnoreRules {
    /// Parses `.dockerignore` text (blank lines and `#` comments skipped, patterns cleaned).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exclusion, pat) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let pat = clean(pat);
            let pat = pat.trim_start_matches('/');
            if pat.is_empty() {
                continue;
            }
            let re = Regex::new(&to_regex(pat))
                .map_err(|e| format!("invalid .dockerignore pattern {line:?}: {e}"))?;
            rules.push(Rule { re, exclusion });
        }
        Ok(IgnoreRules { rules })
    }

    /// Whether the context-relative path (`/`-separated, no leading `./`) is excluded.
    pub fn is_ignored(&self, rel: &str) -> bool {
        let mut ignored = false;
        let parents: Vec<&str> = {
            let mut v = Vec::new();
            for (i, c) in rel.char_indices() {
                if c == '/' {
                    v.push(&rel[..i]);
                }
            }
            v
        };
        for r in &self.rules {
            let hit = r.re.is_match(rel) || parents.iter().any(|p| r.re.is_match(p));
            if hit {
                ignored = !r.exclusion;
            }
        }
        ignored
    }

    /// Whether some rule is a `!` exception.
    pub fn has_exclusions(&self) -> bool {
        self.rules.iter().any(|r| r.exclusion)
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Go `path.Clean` on a `/` path.
pub(crate) fn clean(p: &str) -> String {
    hoist_chart::archive::clean_path(p)
}

fn to_regex(pat: &str) -> String {
    let chars: Vec<char> = pat.chars().collect();
    let mut re = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    i += 1;
                    if chars.get(i + 1) == Some(&'/') {
                        i += 1;
                        re.push_str("(.*/)?");
                    } else {
                        re.push_str(".*");
                    }
                } else {
                    re.push_str("[^/]*");
                }
            }
            '?' => re.push_str("[^/]"),
            '[' => {
                // Copy a character class through; fall back to a literal when unterminated.
                match chars[i..].iter().position(|&x| x == ']') {
                    Some(end) if end > 1 => {
                        let body: String = chars[i + 1..i + end].iter().collect();
                        let body = body.replace('\\', "\\\\");
                        re.push('[');
                        re.push_str(&body);
                        re.push(']');
                        i += end;
                    }
                    _ => re.push_str("\\["),
                }
            }
            '\\' => {
                if let Some(n) = chars.get(i + 1) {
                    re.push_str(&regex::escape(&n.to_string()));
                    i += 1;
                }
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore() {
        let r = IgnoreRules::parse("# c\n*.md\n!README.md\nregistry/**\nbuild\n").unwrap();
        assert!(r.is_ignored("a.md"));
        assert!(!r.is_ignored("README.md"));
        assert!(r.is_ignored("build/x/y"));
        assert!(r.is_ignored("registry/docker/x"));
        assert!(!r.is_ignored("charts/a.md.txt"));
    }

    #[test]
    fn clean_paths() {
        assert_eq!(clean("./a/../b/"), "b");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean(""), ".");
    }
}
