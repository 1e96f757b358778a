//! Variable expansion of one Dockerfile word, as buildah does it (openshift/imagebuilder
//! `shell_parser.go`, itself the older moby `shell_parser`): quotes are removed, `$VAR`,
//! `${VAR}`, `${VAR:-word}`, `${VAR:+word}`, `${VAR:?word}`, `${VAR#pat}`, `${VAR%pat}`,
//! `${VAR/pat/repl}` are replaced, `\` escapes the next character.

/// An expansion error (texts as imagebuilder prints them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExpandError(pub String);

/// Expands one word with the given `KEY=VALUE` environment (the first entry for a key wins).
pub fn process_word(word: &str, env: &[String]) -> Result<String, ExpandError> {
    let mut sw = Words {
        word,
        chars: word.chars().collect(),
        pos: 0,
        env,
    };
    let (_, s) = sw.stop_on_any(&[None])?;
    Ok(s)
}

struct Words<'a> {
    word: &'a str,
    chars: Vec<char>,
    pos: usize,
    env: &'a [String],
}

impl Words<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Processes until one of `stops` (`None` = end of input); returns the stop met.
    fn stop_on_any(
        &mut self,
        stops: &[Option<char>],
    ) -> Result<(Option<char>, String), ExpandError> {
        let mut out = String::new();
        while let Some(ch) = self.peek() {
            if stops.contains(&Some(ch)) {
                self.pos += 1;
                return Ok((Some(ch), out));
            }
            match ch {
                '\'' => out.push_str(&self.single_quote()?),
                '"' => out.push_str(&self.double_quote()?),
                '$' => out.push_str(&self.dollar()?),
                _ => {
                    self.pos += 1;
                    if ch == '\\' {
                        match self.next() {
                            Some(c) => out.push(c),
                            None => break,
                        }
                    } else {
                        out.push(ch);
                    }
                }
            }
        }
        if !stops.contains(&None) {
            let s: String = stops.iter().flatten().collect();
            return Err(ExpandError(format!(
                "unexpected end of statement while looking for matching {s}"
            )));
        }
        Ok((None, out))
    }

    fn single_quote(&mut self) -> Result<String, ExpandError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.next() {
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
                None => {
                    return Err(ExpandError(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    ));
                }
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, ExpandError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                None => {
                    return Err(ExpandError(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    ));
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(mut c) => {
                    self.pos += 1;
                    if c == '\\' {
                        match self.peek() {
                            None => continue,
                            Some(n @ ('"' | '$' | '\\')) => {
                                self.pos += 1;
                                c = n;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn getenv(&self, name: &str) -> String {
        for e in self.env {
            match e.split_once('=') {
                None if e == name => return String::new(),
                Some((k, v)) if k == name => return v.to_string(),
                _ => {}
            }
        }
        String::new()
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_numeric() {
                self.pos += 1;
                return ch.to_string();
            }
            if !ch.is_alphabetic() && !ch.is_numeric() && ch != '_' {
                break;
            }
            self.pos += 1;
            name.push(ch);
        }
        name
    }

    fn dollar(&mut self) -> Result<String, ExpandError> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(self.getenv(&name));
        }
        self.pos += 1;
        let name = self.name();
        match self.peek() {
            Some('}') => {
                self.pos += 1;
                Ok(self.getenv(&name))
            }
            Some(':') => {
                self.pos += 1;
                let modifier = self.next();
                let (_, word) = self.stop_on_any(&[Some('}')])?;
                let value = self.getenv(&name);
                match modifier {
                    Some('+') => Ok(if value.is_empty() { value } else { word }),
                    Some('-') => Ok(if value.is_empty() { word } else { value }),
                    Some('?') => {
                        let v = if value.is_empty() { word } else { value };
                        if v.is_empty() {
                            return Err(ExpandError(format!(
                                "Failed to process `{}`: {name} is not allowed to be unset",
                                self.word
                            )));
                        }
                        Ok(v)
                    }
                    m => Err(ExpandError(format!(
                        "Unsupported modifier ({}) in substitution: {}",
                        m.map(String::from).unwrap_or_default(),
                        self.word
                    ))),
                }
            }
            Some(ch @ ('#' | '%')) => {
                self.pos += 1;
                let greedy = self.peek() == Some(ch);
                if greedy {
                    self.pos += 1;
                }
                let (_, pat) = self.stop_on_any(&[Some('}')])?;
                let value = self.getenv(&name);
                if pat.is_empty() {
                    let what = if ch == '#' { "prefix" } else { "suffix" };
                    return Err(ExpandError(format!("{name}{ch}: no {what} to remove")));
                }
                let b = value.as_bytes();
                let cut = |i: usize| value.is_char_boundary(i);
                if ch == '#' {
                    let idx: Vec<usize> = if greedy {
                        (0..b.len()).rev().collect()
                    } else {
                        (0..b.len().saturating_sub(1)).collect()
                    };
                    for i in idx {
                        if cut(i) && path_match(&pat, &value[..i]) {
                            return Ok(value[i..].to_string());
                        }
                    }
                } else {
                    let idx: Vec<usize> = if greedy {
                        (0..b.len().saturating_sub(1)).collect()
                    } else {
                        (0..b.len()).rev().collect()
                    };
                    for i in idx {
                        if cut(i) && path_match(&pat, &value[i..]) {
                            return Ok(value[..i].to_string());
                        }
                    }
                }
                Ok(value)
            }
            Some('/') => {
                self.pos += 1;
                let (mut all, mut begin, mut end) = (false, false, false);
                match self.peek() {
                    Some('/') => all = true,
                    Some('#') => begin = true,
                    Some('%') => end = true,
                    _ => {}
                }
                if all || begin || end {
                    self.pos += 1;
                }
                let (stop, pat) = self.stop_on_any(&[Some('/'), Some('}')])?;
                if pat.is_empty() {
                    return Err(ExpandError(format!("{name}/: no pattern to replace")));
                }
                let repl = if stop == Some('/') {
                    self.stop_on_any(&[Some('}')])?.1
                } else {
                    String::new()
                };
                let mut value = self.getenv(&name);
                let mut i = 0usize;
                while i < value.len() {
                    let mut j = value.len();
                    while j > i {
                        let ok = !(begin && i != 0 || end && j != value.len())
                            && value.is_char_boundary(i)
                            && value.is_char_boundary(j);
                        if ok && path_match(&pat, &value[i..j]) {
                            value = format!("{}{}{}", &value[..i], repl, &value[j..]);
                            if !all {
                                return Ok(value);
                            }
                            i = (i + repl.len()).saturating_sub(1);
                            break;
                        }
                        j -= 1;
                    }
                    i += 1;
                }
                Ok(value)
            }
            _ => Err(ExpandError(format!(
                "Missing ':' or '#' or '%' or '/' in substitution: {}",
                self.word
            ))),
        }
    }
}

/// Go's `path.Match` (errors count as no match).
pub(crate) fn path_match(pattern: &str, name: &str) -> bool {
    crate::glob::go_match(pattern, name).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn basics() {
        let e = env(&["A=a", "EMPTY="]);
        assert_eq!(process_word("${NAME:-\"calico\"}", &e).unwrap(), "calico");
        assert_eq!(process_word("$A-${A}", &e).unwrap(), "a-a");
        assert_eq!(process_word("'$A'", &e).unwrap(), "$A");
        assert_eq!(process_word("\"init.sh \\$x\"", &e).unwrap(), "init.sh $x");
        assert_eq!(process_word("${A:+b}${EMPTY:+c}", &e).unwrap(), "b");
        assert_eq!(process_word("\\$A", &e).unwrap(), "$A");
        assert!(process_word("${A", &e).is_err());
        assert!(process_word("\"x", &e).is_err());
    }
}
