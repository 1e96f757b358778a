//! goyaml v2's implicit typing of plain scalars (`resolve.go`), and the pieces of Go's `strconv`
//! number parsing it relies on.

/// What a scalar resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// A string that looks like a timestamp (kept as the original text).
    Timestamp,
    Merge,
    Str,
}

pub const STR_TAG: &str = "tag:yaml.org,2002:str";
pub const BOOL_TAG: &str = "tag:yaml.org,2002:bool";
pub const INT_TAG: &str = "tag:yaml.org,2002:int";
pub const FLOAT_TAG: &str = "tag:yaml.org,2002:float";
pub const NULL_TAG: &str = "tag:yaml.org,2002:null";
pub const TIMESTAMP_TAG: &str = "tag:yaml.org,2002:timestamp";
pub const BINARY_TAG: &str = "tag:yaml.org,2002:binary";
pub const MERGE_TAG: &str = "tag:yaml.org,2002:merge";

impl Resolved {
    /// The long tag goyaml reports for this resolution.
    pub fn tag(&self) -> &'static str {
        match self {
            Resolved::Null => NULL_TAG,
            Resolved::Bool(_) => BOOL_TAG,
            Resolved::Int(_) | Resolved::Uint(_) => INT_TAG,
            Resolved::Float(_) => FLOAT_TAG,
            Resolved::Timestamp => TIMESTAMP_TAG,
            Resolved::Merge => MERGE_TAG,
            Resolved::Str => STR_TAG,
        }
    }
}

/// `!!int` for `tag:yaml.org,2002:int`; other tags unchanged.
pub fn short_tag(tag: &str) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_string(),
    }
}

fn lookup(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        "<<" => Resolved::Merge,
        _ => return None,
    })
}

/// goyaml v2 `resolve("", s)`: the implicit type of a plain scalar.
pub fn resolve_plain(s: &str) -> Resolved {
    resolve_hinted(s, true)
}

/// The implicit type, given whether timestamps are tried (untagged or `!!timestamp`).
pub fn resolve_hinted(s: &str, try_timestamp: bool) -> Resolved {
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => 0,
    };
    if hint == 0 {
        return Resolved::Str;
    }
    if let Some(r) = lookup(s) {
        return r;
    }
    match hint {
        b'.' => {
            if let Ok(f) = parse_float(s) {
                return Resolved::Float(f);
            }
        }
        b'D' | b'S' => {
            if try_timestamp && is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain: String = s.chars().filter(|c| *c != '_').collect();
            if let Ok(i) = parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Ok(u) = parse_uint(&plain) {
                return Resolved::Uint(u);
            }
            if is_yaml_style_float(&plain)
                && let Ok(f) = parse_float(&plain)
            {
                return Resolved::Float(f);
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Ok(i) = parse_digits_i64(rest, 2, false) {
                    return Resolved::Int(i);
                }
                if let Ok(u) = parse_digits_u64(rest, 2) {
                    return Resolved::Uint(u);
                }
            } else if let Some(rest) = plain.strip_prefix("-0b")
                && let Ok(i) = parse_digits_i64(rest, 2, true)
            {
                return Resolved::Int(i);
            }
        }
        _ => {}
    }
    Resolved::Str
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
pub fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// goyaml v2's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !(b[0] == b'+' || b[0] == b'-' || b[0].is_ascii_digit()) || !s.contains(':')
    {
        return false;
    }
    let mut i = 0;
    if b[i] == b'+' || b[i] == b'-' {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        // [0-5]?[0-9]
        if i + 1 < b.len()
            && (b'0'..=b'5').contains(&b[i])
            && b[i + 1].is_ascii_digit()
            && !(i + 2 < b.len() && b[i + 2].is_ascii_digit())
        {
            i += 2;
        } else if i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        } else {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// goyaml's `parseTimestamp`: `YYYY-` then one of the layouts `2006-1-2T15:4:5.999999999Z07:00`,
/// the same with a lower-case `t`, `2006-1-2 15:4:5.999999999`, or `2006-1-2` (Go `time.Parse`).
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    let mut p = TsParser { b, i: 5 };
    // month and day: 1 or 2 digits, with range checks done by time.Parse.
    let Some(month) = p.num(1, 2) else {
        return false;
    };
    if !(1..=12).contains(&month) || !p.lit(b'-') {
        return false;
    }
    let Some(day) = p.num(1, 2) else {
        return false;
    };
    let year: i64 = s[..4].parse().unwrap_or(0);
    if day < 1 || day > days_in(year, month) {
        return false;
    }
    if p.i == b.len() {
        return true;
    }
    let sep = b[p.i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    p.i += 1;
    let Some(h) = p.num(1, 2) else { return false };
    if h > 23 || !p.lit(b':') {
        return false;
    }
    let Some(m) = p.num(1, 2) else { return false };
    if m > 59 || !p.lit(b':') {
        return false;
    }
    let Some(sec) = p.num(1, 2) else {
        return false;
    };
    if sec > 59 {
        return false;
    }
    // Optional fractional seconds (Go accepts a fraction after seconds even when the layout
    // has .999999999).
    if p.i < b.len() && (b[p.i] == b'.' || b[p.i] == b',') {
        let st = p.i + 1;
        let mut j = st;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j == st {
            return false;
        }
        p.i = j;
    }
    if sep == b' ' {
        return p.i == b.len();
    }
    // Z07:00
    if p.i < b.len() && b[p.i] == b'Z' {
        return p.i + 1 == b.len();
    }
    if p.i < b.len() && (b[p.i] == b'+' || b[p.i] == b'-') {
        p.i += 1;
        let Some(zh) = p.fixed(2) else { return false };
        if !p.lit(b':') {
            return false;
        }
        let Some(zm) = p.fixed(2) else { return false };
        return zh <= 24 && zm <= 60 && p.i == b.len();
    }
    false
}

fn days_in(year: i64, month: i64) -> i64 {
    match month {
        2 => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct TsParser<'a> {
    b: &'a [u8],
    i: usize,
}

impl TsParser<'_> {
    fn num(&mut self, min: usize, max: usize) -> Option<i64> {
        let st = self.i;
        while self.i < self.b.len() && self.i - st < max && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i - st < min {
            return None;
        }
        std::str::from_utf8(&self.b[st..self.i]).ok()?.parse().ok()
    }
    fn fixed(&mut self, n: usize) -> Option<i64> {
        let st = self.i;
        let v = self.num(n, n)?;
        (self.i - st == n).then_some(v)
    }
    fn lit(&mut self, c: u8) -> bool {
        if self.i < self.b.len() && self.b[self.i] == c {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumErr {
    Syntax,
    Range,
}

/// Splits Go base-0 syntax: returns (base, digits).
fn base_prefix(s: &str) -> (u32, &str) {
    let b = s.as_bytes();
    if !b.is_empty() && b[0] == b'0' {
        if b.len() >= 3 {
            match b[1] {
                b'x' | b'X' => return (16, &s[2..]),
                b'o' | b'O' => return (8, &s[2..]),
                b'b' | b'B' => return (2, &s[2..]),
                _ => {}
            }
        }
        return (8, &s[1..]);
    }
    (10, s)
}

/// Go `strconv.ParseUint(s, 0, 64)` (no underscores: callers strip them).
pub fn parse_uint(s: &str) -> Result<u64, NumErr> {
    if s.is_empty() {
        return Err(NumErr::Syntax);
    }
    let (base, digits) = base_prefix(s);
    if digits.is_empty() {
        // "0" alone
        return Ok(0);
    }
    parse_digits_u64(digits, base)
}

fn parse_digits_u64(digits: &str, base: u32) -> Result<u64, NumErr> {
    if digits.is_empty() {
        return Err(NumErr::Syntax);
    }
    let mut v: u64 = 0;
    let mut overflow = false;
    for c in digits.chars() {
        let d = c.to_digit(base).ok_or(NumErr::Syntax)?;
        match v
            .checked_mul(base as u64)
            .and_then(|x| x.checked_add(d as u64))
        {
            Some(n) => v = n,
            None => overflow = true,
        }
    }
    if overflow { Err(NumErr::Range) } else { Ok(v) }
}

/// The int64 `u` or `-u`, or a range error when it does not fit.
fn signed(u: u64, neg: bool) -> Result<i64, NumErr> {
    if neg {
        if u > 1u64 << 63 {
            return Err(NumErr::Range);
        }
        Ok((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).map_err(|_| NumErr::Range)
    }
}

fn parse_digits_i64(digits: &str, base: u32, neg: bool) -> Result<i64, NumErr> {
    let u = parse_digits_u64(digits, base)?;
    signed(u, neg)
}

/// Go `strconv.ParseInt(s, 0, 64)` (no underscores: callers strip them).
pub fn parse_int(s: &str) -> Result<i64, NumErr> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint(rest)?;
    signed(u, neg)
}

/// Go `strconv.ParseFloat(s, 64)` for decimal input: errors on syntax and on overflow.
pub fn parse_float(s: &str) -> Result<f64, NumErr> {
    let b = s.as_bytes();
    // Go accepts inf/infinity/nan (any case, signed) here too.
    let body = s.trim_start_matches(['+', '-']);
    if s.len() - body.len() > 1 {
        return Err(NumErr::Syntax);
    }
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(if b.first() == Some(&b'-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if lower == "nan" {
        return Ok(f64::NAN);
    }
    let mut clean = String::with_capacity(s.len());
    let mut saw_digit = false;
    for c in body.chars() {
        match c {
            '0'..='9' => {
                saw_digit = true;
                clean.push(c)
            }
            '.' | 'e' | 'E' | '+' | '-' => clean.push(c),
            '_' => {}
            _ => return Err(NumErr::Syntax),
        }
    }
    if !saw_digit {
        return Err(NumErr::Syntax);
    }
    if body.contains('_') && !underscore_ok(body) {
        return Err(NumErr::Syntax);
    }
    let v: f64 = clean.parse().map_err(|_| NumErr::Syntax)?;
    if v.is_infinite() {
        return Err(NumErr::Range);
    }
    Ok(if b.first() == Some(&b'-') { -v } else { v })
}

/// Go's `underscoreOK` for a decimal number: underscores only between digits.
fn underscore_ok(s: &str) -> bool {
    let mut prev = b'^';
    for &c in s.as_bytes() {
        if c == b'_' {
            if prev != b'0' {
                return false;
            }
            prev = b'_';
        } else if c.is_ascii_digit() {
            prev = b'0';
        } else {
            if prev == b'_' {
                return false;
            }
            prev = b'!';
        }
    }
    prev != b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(resolve_plain("017"), Resolved::Int(15));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("0x10"), Resolved::Int(16));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("+5"), Resolved::Int(5));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Resolved::Uint(u64::MAX)
        );
        assert_eq!(resolve_plain("2024-01-01"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2024-13-01"), Resolved::Str);
        assert_eq!(resolve_plain("yEs"), Resolved::Str);
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:2a"));
    }
}
