//! Shell quoting and line splitting.

/// Quote `s` for POSIX shells: a single-quoted word (`'` becomes `'\''`).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Whether `name` is a valid shell variable name.
pub fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Splits a byte stream into lines (without the `\n`; a trailing `\r` is dropped too).
#[derive(Default)]
pub struct LineSplitter {
    buf: Vec<u8>,
}

impl LineSplitter {
    /// Feed bytes; `emit` receives every complete line.
    pub fn feed(&mut self, data: &[u8], emit: &mut dyn FnMut(&str)) {
        let mut rest = data;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            self.buf.extend_from_slice(&rest[..i]);
            rest = &rest[i + 1..];
            self.flush_line(emit);
        }
        self.buf.extend_from_slice(rest);
        // Guard memory against endless lines: emit in 64 KiB pieces.
        if self.buf.len() > 64 * 1024 {
            self.flush_line(emit);
        }
    }

    /// Emit what is left (a last line without a newline).
    pub fn finish(&mut self, emit: &mut dyn FnMut(&str)) {
        if !self.buf.is_empty() {
            self.flush_line(emit);
        }
    }

    fn flush_line(&mut self, emit: &mut dyn FnMut(&str)) {
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        let text = String::from_utf8_lossy(&self.buf);
        emit(&text);
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
        assert!(valid_env_name("A_1"));
        assert!(!valid_env_name("1A"));
        assert!(!valid_env_name("A-B"));
    }

    #[test]
    fn lines() {
        let mut s = LineSplitter::default();
        let mut got = Vec::new();
        s.feed(b"ab\ncd", &mut |l| got.push(l.to_string()));
        s.feed(b"e\r\n\nf", &mut |l| got.push(l.to_string()));
        s.finish(&mut |l| got.push(l.to_string()));
        assert_eq!(got, ["ab", "cde", "", "f"]);
    }
}
