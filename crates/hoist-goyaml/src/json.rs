//! Go's `encoding/json` for `Value`: `json.Marshal`, `json.MarshalIndent`, an encoder without
//! HTML escaping, and `json.Unmarshal` into `interface{}`.

use std::rc::Rc;

use hoist_gotmpl::{Dict, Map, Value};

use crate::{Error, gofloat};

/// `json.Marshal(v)`: keys sorted bytewise, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub fn to_json(v: &Value) -> Result<String, Error> {
    let mut out = String::new();
    Writer {
        out: &mut out,
        html: true,
        indent: None,
        depth: 0,
    }
    .value(v)?;
    Ok(out)
}

/// `json.MarshalIndent(v, "", "  ")` (sprig's `toPrettyJson`).
pub fn to_json_pretty(v: &Value) -> Result<String, Error> {
    let mut out = String::new();
    Writer {
        out: &mut out,
        html: true,
        indent: Some("  "),
        depth: 0,
    }
    .value(v)?;
    Ok(out)
}

/// sprig's `toRawJson`: an encoder with `SetEscapeHTML(false)`, without the trailing newline
/// that `Encoder.Encode` adds.
pub fn to_raw_json(v: &Value) -> Result<String, Error> {
    let mut out = String::new();
    Writer {
        out: &mut out,
        html: false,
        indent: None,
        depth: 0,
    }
    .value(v)?;
    Ok(out)
}

const MAX_DEPTH: usize = 10_000;

struct Writer<'a> {
    out: &'a mut String,
    html: bool,
    indent: Option<&'static str>,
    depth: usize,
}

impl Writer<'_> {
    fn newline(&mut self) {
        if let Some(ind) = self.indent {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str(ind);
            }
        }
    }

    fn value(&mut self, v: &Value) -> Result<(), Error> {
        stacker::maybe_grow(crate::encode::RED_ZONE, crate::encode::STACK_CHUNK, || {
            self.value_inner(v)
        })
    }

    fn value_inner(&mut self, v: &Value) -> Result<(), Error> {
        match v {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => {
                use std::fmt::Write;
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) => {
                if !f.is_finite() {
                    return Err(Error::json(format!(
                        "json: unsupported value: {}",
                        gofloat::format_float(*f, b'g', false)
                    )));
                }
                gofloat::append_json_float(self.out, *f);
            }
            Value::String(s) => write_string(self.out, s, self.html),
            Value::Bytes(b) => {
                self.out.push('"');
                base64_into(self.out, b);
                self.out.push('"');
            }
            Value::List(items) => {
                if self.depth >= MAX_DEPTH {
                    return Err(depth_error());
                }
                self.out.push('[');
                if !items.is_empty() {
                    self.depth += 1;
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.newline();
                        self.value(item)?;
                    }
                    self.depth -= 1;
                    self.newline();
                }
                self.out.push(']');
            }
            Value::Map(d) => {
                if self.depth >= MAX_DEPTH {
                    return Err(depth_error());
                }
                let entries = d.snapshot();
                self.out.push('{');
                if !entries.is_empty() {
                    self.depth += 1;
                    // BTreeMap order is bytewise on UTF-8, as Go sorts map[string] keys.
                    for (i, (k, item)) in entries.iter().enumerate() {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.newline();
                        write_string(self.out, k, self.html);
                        self.out.push(':');
                        if self.indent.is_some() {
                            self.out.push(' ');
                        }
                        self.value(item)?;
                    }
                    self.depth -= 1;
                    self.newline();
                }
                self.out.push('}');
            }
            Value::Object(o) => match o.to_data() {
                Some(data) => self.value(&data)?,
                None => {
                    return Err(crate::encode::unsupported_object(o.as_ref()));
                }
            },
        }
        Ok(())
    }
}

fn depth_error() -> Error {
    Error::json(format!("json: exceeded max depth of {MAX_DEPTH}"))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Go's `appendString`: escapes `"`, `\\`, control characters (`\n`, `\r`, `\t`, `\b`, `\f` by
/// name, others as `\u00XX`), and with `html` also `<`, `>`, `&`; U+2028/U+2029 always.
pub(crate) fn write_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            _ => None,
        };
        let needs = esc.is_some()
            || (c as u32) < 0x20
            || (html && matches!(c, '<' | '>' | '&'))
            || c == '\u{2028}'
            || c == '\u{2029}';
        if !needs {
            continue;
        }
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let n = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((n >> shift) & 0xf) as usize] as char);
                }
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Standard base64 with padding (Go `[]byte` in JSON).
pub(crate) fn base64_into(out: &mut String, data: &[u8]) {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
}

/// `json.Unmarshal` into an `interface{}`: objects become maps, numbers float64. Error texts are
/// Go's (`invalid character 'x' looking for beginning of value`, `unexpected end of JSON input`).
pub fn from_json(src: &str) -> Result<Value, Error> {
    let mut p = JsonParser {
        b: src.as_bytes(),
        src,
        i: 0,
        depth: 0,
        deferred: None,
    };
    // Go validates the whole input first (checkValid), so syntax errors win.
    p.skip_ws();
    let v = p.value()?;
    p.skip_ws();
    if p.i < p.b.len() {
        return Err(p.invalid("after top-level value"));
    }
    match p.deferred {
        Some(e) => Err(e),
        None => Ok(v),
    }
}

struct JsonParser<'a> {
    b: &'a [u8],
    src: &'a str,
    i: usize,
    depth: usize,
    /// A type error reported only when the whole input is valid JSON (as Go checks syntax first).
    deferred: Option<Error>,
}

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eof() -> Error {
        Error::json("unexpected end of JSON input")
    }

    /// `invalid character 'x' CONTEXT`, quoting the character as Go's `quoteChar` does.
    fn invalid(&self, context: &str) -> Error {
        let c = self.src[self.i..].chars().next().unwrap_or('\u{FFFD}');
        let q = match c {
            '\'' => "'\\''".to_string(),
            '"' => "'\"'".to_string(),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let mut s = String::from("'");
                let esc = match c {
                    '\n' => "\\n".to_string(),
                    '\r' => "\\r".to_string(),
                    '\t' => "\\t".to_string(),
                    '\u{7}' => "\\a".to_string(),
                    '\u{8}' => "\\b".to_string(),
                    '\u{c}' => "\\f".to_string(),
                    '\u{b}' => "\\v".to_string(),
                    c => format!("\\x{:02x}", c as u32),
                };
                s.push_str(&esc);
                s.push('\'');
                s
            }
            c => format!("'{c}'"),
        };
        Error::json(format!("invalid character {q} {context}"))
    }

    fn value(&mut self) -> Result<Value, Error> {
        stacker::maybe_grow(crate::encode::RED_ZONE, crate::encode::STACK_CHUNK, || {
            self.value_inner()
        })
    }

    fn value_inner(&mut self) -> Result<Value, Error> {
        if self.i >= self.b.len() {
            return Err(Self::eof());
        }
        match self.b[self.i] {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => Ok(Value::String(Rc::from(self.string()?))),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.invalid("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, Error> {
        let wb = word.as_bytes();
        for (k, &expected) in wb.iter().enumerate() {
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            if self.b[self.i] != expected {
                let ctx = format!("in literal {word} (expecting '{}')", expected as char);
                let _ = k;
                return Err(self.invalid(&ctx));
            }
            self.i += 1;
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, Error> {
        let st = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            if !self.b[self.i].is_ascii_digit() {
                return Err(self.invalid("in numeric literal"));
            }
        }
        if self.b[self.i] == b'0' {
            self.i += 1;
        } else {
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
        }
        if self.i < self.b.len() && self.b[self.i] == b'.' {
            self.i += 1;
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            if !self.b[self.i].is_ascii_digit() {
                return Err(self.invalid("after decimal point in numeric literal"));
            }
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
        }
        if self.i < self.b.len() && (self.b[self.i] == b'e' || self.b[self.i] == b'E') {
            self.i += 1;
            if self.i < self.b.len() && (self.b[self.i] == b'+' || self.b[self.i] == b'-') {
                self.i += 1;
            }
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            if !self.b[self.i].is_ascii_digit() {
                return Err(self.invalid("in exponent of numeric literal"));
            }
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
        }
        let text = &self.src[st..self.i];
        let f: f64 = text.parse().unwrap_or(f64::INFINITY);
        if !f.is_finite() && self.deferred.is_none() {
            self.deferred = Some(Error::json(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            )));
        }
        Ok(Value::Float(f))
    }

    fn string(&mut self) -> Result<String, Error> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let st = self.i;
            while self.i < self.b.len()
                && self.b[self.i] != b'"'
                && self.b[self.i] != b'\\'
                && self.b[self.i] >= 0x20
            {
                self.i += 1;
            }
            out.push_str(&self.src[st..self.i]);
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            match self.b[self.i] {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    if self.i >= self.b.len() {
                        return Err(Self::eof());
                    }
                    let c = self.b[self.i];
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            if (0xD800..0xDC00).contains(&first) {
                                // A surrogate pair, if the next escape completes it.
                                if self.b[self.i..].starts_with(b"\\u") {
                                    let save = self.i;
                                    self.i += 2;
                                    let second = self.hex4()?;
                                    if (0xDC00..0xE000).contains(&second) {
                                        let c =
                                            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                                        out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                                        continue;
                                    }
                                    self.i = save;
                                }
                                out.push('\u{FFFD}');
                            } else {
                                out.push(char::from_u32(first).unwrap_or('\u{FFFD}'));
                            }
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.invalid("in string escape code"));
                        }
                    }
                }
                _ => return Err(self.invalid("in string literal")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut n = 0u32;
        for _ in 0..4 {
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            let c = self.b[self.i];
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.invalid("in \\u hexadecimal character escape"))?;
            n = n * 16 + d;
            self.i += 1;
        }
        Ok(n)
    }

    /// Steps into an array or object at its opening byte. True when `close` follows at once: the
    /// container is empty and has been left again.
    fn open_container(&mut self, close: u8) -> Result<bool, Error> {
        self.i += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::json("exceeded max depth"));
        }
        self.skip_ws();
        if self.i < self.b.len() && self.b[self.i] == close {
            self.i += 1;
            self.depth -= 1;
            return Ok(true);
        }
        Ok(false)
    }

    fn array(&mut self) -> Result<Value, Error> {
        let mut items = Vec::new();
        if self.open_container(b']')? {
            return Ok(Value::list(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            match self.b[self.i] {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::list(items));
                }
                _ => return Err(self.invalid("after array element")),
            }
        }
    }

    fn object(&mut self) -> Result<Value, Error> {
        let mut map = Map::new();
        if self.open_container(b'}')? {
            return Ok(Value::Map(Dict::new(map)));
        }
        loop {
            self.skip_ws();
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            if self.b[self.i] != b'"' {
                return Err(self.invalid("looking for beginning of object key string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            if self.b[self.i] != b':' {
                return Err(self.invalid("after object key"));
            }
            self.i += 1;
            self.skip_ws();
            let v = self.value()?;
            map.insert(key, v);
            self.skip_ws();
            if self.i >= self.b.len() {
                return Err(Self::eof());
            }
            match self.b[self.i] {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::Map(Dict::new(map)));
                }
                _ => return Err(self.invalid("after object key:value pair")),
            }
        }
    }
}
