//! Go's `json.Decoder` reading one value from the front of a string, which hoist-goyaml's
//! [`hoist_goyaml::from_json`] (Go's `json.Unmarshal`) does not offer: `--set-json` values
//! (`a=[1,2],b=3`) and values.schema.json (santhosh-tekuri's `UnmarshalJSON`) need it.
//!
//! [`value_end`] finds where the first value ends the way the decoder's `readValue` does, with
//! its error texts (`unexpected EOF`, `EOF`, `invalid character 'x' …`); `from_json` then builds
//! the value from exactly those bytes, which are valid JSON by then.

use hoist_gotmpl::Value;

/// Go's scanner nesting limit (`maxNestingDepth`).
const MAX_NESTING_DEPTH: usize = 10_000;

/// Go's `json.NewDecoder(r).Decode(&v)` into `interface{}` followed by `InputOffset()`: the
/// first value and the byte offset just past it. The error is Go's text.
pub fn decode_prefix(s: &str) -> Result<(Value, usize), String> {
    let end = value_end(s.as_bytes())?;
    let v = hoist_goyaml::from_json(&s[..end]).map_err(|e| e.message().to_string())?;
    Ok((v, end))
}

/// santhosh-tekuri/jsonschema's `UnmarshalJSON`: one value, then only white space.
///
/// (It decodes numbers with `UseNumber`, so it accepts numbers beyond float64, such as `1e999`,
/// which this float64 decoder rejects.)
pub fn unmarshal_schema(s: &str) -> Result<Value, String> {
    let (v, end) = decode_prefix(s)?;
    if s.as_bytes()[end..].iter().all(|&b| is_space(b)) {
        Ok(v)
    } else {
        Err("invalid character after top-level value".into())
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: a byte as `string(rune(c))`, `%q`-quoted between single quotes.
fn invalid(c: u8, context: &str) -> String {
    let q = match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let q = hoist_gotmpl::gofmt::quote(char::from(c).encode_utf8(&mut [0; 4]));
            format!("'{}'", &q[1..q.len() - 1])
        }
    };
    format!("invalid character {q} {context}")
}

const UNEXPECTED_EOF: &str = "unexpected EOF";

/// A byte cursor; reading past the end is the decoder's `unexpected EOF`.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn skip_space(&mut self) {
        while self.b.get(self.i).is_some_and(|&c| is_space(c)) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Result<u8, String> {
        self.b
            .get(self.i)
            .copied()
            .ok_or_else(|| UNEXPECTED_EOF.into())
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek()?;
        self.i += 1;
        Ok(c)
    }

    fn digits(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }

    /// One digit, else `invalid character … <context>`.
    fn digit(&mut self, context: &str) -> Result<(), String> {
        match self.next()? {
            b'0'..=b'9' => Ok(()),
            c => Err(invalid(c, context)),
        }
    }

    /// After the opening quote.
    fn string(&mut self) -> Result<(), String> {
        loop {
            match self.next()? {
                b'"' => return Ok(()),
                b'\\' => match self.next()? {
                    b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {}
                    b'u' => {
                        for _ in 0..4 {
                            let c = self.next()?;
                            if !c.is_ascii_hexdigit() {
                                return Err(invalid(c, "in \\u hexadecimal character escape"));
                            }
                        }
                    }
                    c => return Err(invalid(c, "in string escape code")),
                },
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                _ => {}
            }
        }
    }

    /// After the first character (`-` or a digit).
    fn number(&mut self, first: u8) -> Result<(), String> {
        let first = if first == b'-' {
            match self.next()? {
                c @ b'0'..=b'9' => c,
                c => return Err(invalid(c, "in numeric literal")),
            }
        } else {
            first
        };
        if first != b'0' {
            self.digits();
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            self.digit("after decimal point in numeric literal")?;
            self.digits();
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            self.digit("in exponent of numeric literal")?;
            self.digits();
        }
        Ok(())
    }

    /// After the first letter of `true`, `false` or `null`.
    fn literal(&mut self, word: &str) -> Result<(), String> {
        for &want in &word.as_bytes()[1..] {
            let c = self.next()?;
            if c != want {
                let context = format!("in literal {word} (expecting '{}')", char::from(want));
                return Err(invalid(c, &context));
            }
        }
        Ok(())
    }

    /// An object key and its colon, at the key's opening quote (white space skipped).
    fn key(&mut self) -> Result<(), String> {
        match self.next()? {
            b'"' => self.string()?,
            c => return Err(invalid(c, "looking for beginning of object key string")),
        }
        self.skip_space();
        match self.next()? {
            b':' => Ok(()),
            c => Err(invalid(c, "after object key")),
        }
    }
}

/// Where the first JSON value of `b` ends (leading white space skipped), checked as Go's
/// `Decoder.readValue` checks it: `EOF` when there is nothing but white space, `unexpected EOF`
/// when the value is cut short, else the scanner's `invalid character …` at the first bad byte.
/// Nesting is tracked on a stack, so depth costs no recursion.
pub fn value_end(b: &[u8]) -> Result<usize, String> {
    let mut sc = Scan { b, i: 0 };
    sc.skip_space();
    if sc.i == b.len() {
        return Err("EOF".into());
    }
    // The open arrays and objects, innermost last.
    let mut open: Vec<u8> = Vec::new();
    loop {
        // A value is expected.
        sc.skip_space();
        let c = sc.next()?;
        match c {
            b'{' | b'[' => {
                open.push(c);
                if open.len() > MAX_NESTING_DEPTH {
                    return Err(invalid(c, "exceeded max depth"));
                }
                sc.skip_space();
                let close = if c == b'{' { b'}' } else { b']' };
                if sc.peek()? == close {
                    sc.i += 1;
                    open.pop();
                } else {
                    if c == b'{' {
                        sc.key()?;
                    }
                    continue;
                }
            }
            b'"' => sc.string()?,
            b'-' | b'0'..=b'9' => sc.number(c)?,
            b't' => sc.literal("true")?,
            b'f' => sc.literal("false")?,
            b'n' => sc.literal("null")?,
            c => return Err(invalid(c, "looking for beginning of value")),
        }
        // A value has ended: close what it ends, up to the next element.
        loop {
            let Some(&container) = open.last() else {
                return Ok(sc.i);
            };
            sc.skip_space();
            match (container, sc.next()?) {
                (_, b',') => {
                    if container == b'{' {
                        sc.skip_space();
                        sc.key()?;
                    }
                    break;
                }
                (b'[', b']') | (b'{', b'}') => {
                    open.pop();
                }
                (b'[', c) => return Err(invalid(c, "after array element")),
                (_, c) => return Err(invalid(c, "after object key:value pair")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix() {
        let (v, n) = decode_prefix(" [1,2],b=3").unwrap();
        assert!(matches!(v, Value::List(_)));
        assert_eq!(n, 6);
        let (_, n) = decode_prefix("1x").unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            decode_prefix("{\"a\" 1}").unwrap_err(),
            "invalid character '1' after object key"
        );
        assert_eq!(decode_prefix("[1,").unwrap_err(), "unexpected EOF");
    }

    #[test]
    fn quoting() {
        use hoist_gotmpl::gofmt::quote;
        assert_eq!(quote("a\"b\n\x01é"), "\"a\\\"b\\n\\x01é\"");
        assert_eq!(quote("\u{a0}"), "\"\\u00a0\"");
        // golang/go src/encoding/json/scanner.go quoteChar: the byte quoted as a rune (0xC3, the
        // first byte of 'é', is 'Ã', as Helm prints for tests/data/schema/json-non-ascii), and
        // its two special cases.
        assert_eq!(invalid(0xc3, "x"), "invalid character 'Ã' x");
        assert_eq!(invalid(b'\'', "x"), "invalid character '\\'' x");
        assert_eq!(invalid(b'"', "x"), "invalid character '\"' x");
    }
}
