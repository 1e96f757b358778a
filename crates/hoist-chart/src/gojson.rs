//! A JSON decoder with Go `encoding/json` semantics for `interface{}` targets: numbers become
//! float64, objects `map[string]interface{}` (last duplicate wins), invalid UTF-8 becomes U+FFFD.
//! Error texts follow Go's scanner.

use crate::gofmt;
use hoist_gotmpl::{Map, Value};
use thiserror::Error;

/// A JSON syntax or range error, with Go's message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct JsonError(pub String);

fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let s = if c < 0x80 {
                gofmt::quote(&(c as char).to_string())
            } else {
                gofmt::quote("\u{FFFD}")
            };
            format!("'{}'", &s[1..s.len() - 1])
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
    /// True when the end of input means "unexpected EOF" (Decoder) rather than
    /// "unexpected end of JSON input" (Unmarshal).
    stream: bool,
}

impl Parser<'_> {
    fn eof(&self) -> JsonError {
        JsonError(if self.stream {
            "unexpected EOF".into()
        } else {
            "unexpected end of JSON input".into()
        })
    }

    fn invalid(&self, c: u8, ctx: &str) -> JsonError {
        JsonError(format!("invalid character {} {ctx}", quote_char(c)))
    }

    fn skip_ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn value(&mut self, ctx: &str, depth: usize) -> Result<Value, JsonError> {
        self.skip_ws();
        let Some(c) = self.peek() else {
            return Err(self.eof());
        };
        if depth > 10000 {
            return Err(JsonError("exceeded max depth".into()));
        }
        match c {
            b'{' => {
                self.pos += 1;
                let mut map = Map::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Value::map(map));
                }
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(self.eof()),
                        Some(b'"') => {}
                        Some(c) => {
                            return Err(
                                self.invalid(c, "looking for beginning of object key string")
                            );
                        }
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(self.eof()),
                        Some(b':') => self.pos += 1,
                        Some(c) => return Err(self.invalid(c, "after object key")),
                    }
                    let v = self.value("looking for beginning of value", depth + 1)?;
                    map.insert(key, v);
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(self.eof()),
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::map(map));
                        }
                        Some(c) => return Err(self.invalid(c, "after object key:value pair")),
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut list = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Value::list(list));
                }
                loop {
                    list.push(self.value("looking for beginning of value", depth + 1)?);
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(self.eof()),
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::list(list));
                        }
                        Some(c) => return Err(self.invalid(c, "after array element")),
                    }
                }
            }
            b'"' => Ok(Value::from(self.string()?)),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            c => Err(self.invalid(c, ctx)),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        let w = word.as_bytes();
        self.pos += 1;
        for &expect in &w[1..] {
            match self.peek() {
                None => return Err(self.eof()),
                Some(c) if c == expect => self.pos += 1,
                Some(c) => {
                    return Err(self.invalid(
                        c,
                        &format!("in literal {word} (expecting {})", quote_char(expect)),
                    ));
                }
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
            match self.peek() {
                None => return Err(self.eof()),
                Some(b'0'..=b'9') => {}
                Some(c) => return Err(self.invalid(c, "in numeric literal")),
            }
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            match self.peek() {
                None => return Err(self.eof()),
                Some(b'0'..=b'9') => {}
                Some(c) => return Err(self.invalid(c, "after decimal point in numeric literal")),
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            match self.peek() {
                None => return Err(self.eof()),
                Some(b'0'..=b'9') => {}
                Some(c) => return Err(self.invalid(c, "in exponent of numeric literal")),
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.pos]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(JsonError(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            ))),
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut r = 0u32;
        for _ in 0..4 {
            let Some(c) = self.peek() else {
                return Err(self.eof());
            };
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(self.invalid(c, "in \\u hexadecimal character escape")),
            };
            r = r * 16 + d as u32;
            self.pos += 1;
        }
        Ok(r)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.eof());
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.eof());
                    };
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\x08',
                        b'f' => '\x0c',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut r = self.hex4()?;
                            if (0xD800..0xDC00).contains(&r) {
                                // A surrogate pair, if the next escape completes it.
                                let save = self.pos;
                                if self.b.get(self.pos) == Some(&b'\\')
                                    && self.b.get(self.pos + 1) == Some(&b'u')
                                {
                                    self.pos += 2;
                                    match self.hex4() {
                                        Ok(r2) if (0xDC00..0xE000).contains(&r2) => {
                                            r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
                                        }
                                        _ => {
                                            self.pos = save;
                                            r = 0xFFFD;
                                        }
                                    }
                                } else {
                                    r = 0xFFFD;
                                }
                            }
                            char::from_u32(r).unwrap_or('\u{FFFD}')
                        }
                        c => return Err(self.invalid(c, "in string escape code")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(self.invalid(c, "in string literal")),
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

/// Go's `json.Unmarshal` into `interface{}`: the whole input must be one value.
pub fn unmarshal(s: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        b: s.as_bytes(),
        pos: 0,
        stream: false,
    };
    let v = p.value("looking for beginning of value", 0)?;
    p.skip_ws();
    if let Some(c) = p.peek() {
        return Err(p.invalid(c, "after top-level value"));
    }
    Ok(v)
}

/// Go's `json.NewDecoder(r).Decode(&v)` followed by `InputOffset()`: decodes the first value
/// and returns it with the byte offset just past it.
pub fn decode_prefix(s: &str) -> Result<(Value, usize), JsonError> {
    let mut p = Parser {
        b: s.as_bytes(),
        pos: 0,
        stream: true,
    };
    p.skip_ws();
    if p.peek().is_none() {
        return Err(JsonError("EOF".into()));
    }
    let v = p.value("looking for beginning of value", 0)?;
    Ok((v, p.pos))
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
            unmarshal("{\"a\" 1}").unwrap_err().0,
            "invalid character '1' after object key"
        );
        assert_eq!(decode_prefix("[1,").unwrap_err().0, "unexpected EOF");
    }
}
