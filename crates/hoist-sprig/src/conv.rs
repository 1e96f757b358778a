//! Conversions with Go semantics: spf13/cast's `ToInt`/`ToInt64`/`ToFloat64`, `strconv` parsing,
//! Sprig's `strval`, `empty` and `reflect.DeepEqual`.

use hoist_gotmpl::{MapKind, Value, format_value};

/// Go's `int64(f)` on amd64: truncation, and the "integer indefinite" value for NaN and for
/// values out of range.
pub fn f64_to_i64(f: f64) -> i64 {
    if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        i64::MIN
    } else {
        f.trunc() as i64
    }
}

/// Go's `strconv` `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let b = if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        &b[1..]
    } else {
        b
    };
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseInt(s, 0, 64)`; `None` on any error (syntax or range).
pub fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let bb = body.as_bytes();
    let (base, digits) = if bb[0] == b'0' && bb.len() > 1 {
        match bb[1].to_ascii_lowercase() {
            b'x' if bb.len() >= 3 => (16, &body[2..]),
            b'b' if bb.len() >= 3 => (2, &body[2..]),
            b'o' if bb.len() >= 3 => (8, &body[2..]),
            _ => (8, &body[1..]),
        }
    } else {
        (10, body)
    };
    let mut underscores = false;
    let mut n: u128 = 0;
    for c in digits.chars() {
        if c == '_' {
            underscores = true;
            continue;
        }
        let d = c.to_digit(base)?;
        n = n * u128::from(base) + u128::from(d);
        if n > 1u128 << 64 {
            return None;
        }
    }
    if underscores && !underscore_ok(s) {
        return None;
    }
    if neg {
        if n > 1u128 << 63 {
            return None;
        }
        Some((n as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(n).ok()
    }
}

/// Go's `strconv.Atoi` as Sprig uses it (error ignored): 0 on a syntax error, the clamped
/// value when out of range.
pub fn atoi_clamped(s: &str) -> i64 {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    match s.parse::<i64>() {
        Ok(v) => v,
        Err(_) if s.starts_with('-') => i64::MIN,
        Err(_) => i64::MAX,
    }
}

/// Go's `strconv.ParseFloat(s, 64)`; `None` on a syntax error or when out of range.
pub fn parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let neg = s.starts_with('-');
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if lower == "nan" {
        return if body.len() == s.len() {
            Some(f64::NAN)
        } else {
            None
        };
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        let v = parse_hex_float(hex)?;
        return Some(if neg { -v } else { v });
    }
    // Decimal: digits, optional '.', optional exponent; underscores per Go.
    let mut saw_digit = false;
    let mut underscores = false;
    let mut cleaned = String::with_capacity(s.len());
    let b = body.as_bytes();
    let mut i = 0;
    let mut saw_dot = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b'0'..=b'9' => {
                saw_digit = true;
                cleaned.push(c as char);
            }
            b'_' => underscores = true,
            b'.' if !saw_dot => {
                saw_dot = true;
                cleaned.push('.');
            }
            b'e' | b'E' => break,
            _ => return None,
        }
        i += 1;
    }
    if !saw_digit {
        return None;
    }
    if i < b.len() {
        // exponent
        cleaned.push('e');
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            cleaned.push(b[i] as char);
            i += 1;
        }
        let mut exp_digit = false;
        while i < b.len() {
            match b[i] {
                b'0'..=b'9' => {
                    exp_digit = true;
                    cleaned.push(b[i] as char);
                }
                b'_' => underscores = true,
                _ => return None,
            }
            i += 1;
        }
        if !exp_digit {
            return None;
        }
    }
    if underscores && !underscore_ok(s) {
        return None;
    }
    let v: f64 = cleaned.parse().ok()?;
    if v.is_infinite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// A hexadecimal float mantissa and binary exponent (after `0x`); Go requires the `p` exponent.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once('p')?;
    let mant = mant.replace('_', "");
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((&mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let exp: i64 = {
        let e = exp.replace('_', "");
        let body = e.strip_prefix(['+', '-']).unwrap_or(&e);
        if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        e.parse::<i64>().unwrap_or(if e.starts_with('-') {
            -100_000
        } else {
            100_000
        })
    };
    let mut m: u64 = 0;
    let mut e2: i64 = exp;
    let mut sticky = false;
    let mut digits = 0;
    for (k, c) in int_part.chars().chain(frac_part.chars()).enumerate() {
        let d = u64::from(c.to_digit(16)?);
        let is_frac = k >= int_part.len();
        if m >> 56 == 0 {
            m = m * 16 + d;
            if is_frac {
                e2 -= 4;
            }
            digits += 1;
        } else {
            sticky |= d != 0;
            if !is_frac {
                e2 += 4;
            }
        }
    }
    let _ = digits;
    if m == 0 {
        return Some(0.0);
    }
    // Normalise to 64 bits then round to 53 with round-half-even.
    let shift = m.leading_zeros();
    m <<= shift;
    e2 -= i64::from(shift);
    // value = m * 2^e2, m has its top bit set.
    let mut exp_bits = e2 + 63; // unbiased exponent of the leading bit
    let mut drop = 11u32;
    if exp_bits < -1022 {
        let extra = (-1022 - exp_bits) as u64;
        if extra > 64 {
            return Some(0.0);
        }
        drop += extra as u32;
        exp_bits = -1022;
    }
    let (kept, rem_bits) = if drop >= 64 {
        (0u64, m)
    } else {
        (m >> drop, m & ((1u64 << drop) - 1))
    };
    let half = if drop >= 64 {
        1u64 << 63
    } else {
        1u64 << (drop - 1)
    };
    let mut mant = kept;
    let above = rem_bits > half || (rem_bits == half && sticky);
    let tie = rem_bits == half && !sticky;
    if above || (tie && mant & 1 == 1) {
        mant += 1;
    }
    // Scale in two exact steps so that subnormal results do not underflow on the way.
    let e = (exp_bits - 52) as i32;
    let v = (mant as f64) * 2f64.powi(e / 2) * 2f64.powi(e - e / 2);
    if v.is_infinite() || exp_bits > 1023 {
        return None;
    }
    Some(v)
}

/// cast's `trimZeroDecimal`: "1.00" → "1".
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    let mut i = b.len();
    while i > 0 {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
        i -= 1;
    }
    s
}

/// spf13/cast `ToInt64` (errors give 0).
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => f64_to_i64(*f),
        Value::String(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// spf13/cast `ToInt` (errors give 0). `int` is 64 bits wide.
pub fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// spf13/cast `ToFloat64` (errors give 0).
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        Value::Bool(true) => 1.0,
        Value::Bool(false) => 0.0,
        _ => 0.0,
    }
}

/// Sprig's `strval`: strings as they are, `[]byte` as text, errors and Stringers by their
/// text, anything else by `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => crate::textutil::go_lossy(b),
        Value::Map(_) | Value::Object(_) => {
            // Charts that pass `$` where `dict` wants a key print the whole root context (files
            // included, megabytes) once per call: start at the size the last such text had.
            thread_local! {
                static LAST_BIG: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
            }
            let mut out = String::with_capacity(LAST_BIG.with(std::cell::Cell::get));
            hoist_gotmpl::gofmt::write_value(&mut out, v);
            if out.len() >= 1 << 16 {
                LAST_BIG.with(|c| c.set(out.len()));
            }
            if out.capacity() > 2 * out.len() {
                out.shrink_to_fit();
            }
            out
        }
        other => format_value(other),
    }
}

/// Sprig's `empty`: nil, false, 0, and empty strings, lists and maps. Structs are never empty;
/// pointers are empty when nil.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(o) => !o.is_truthy(),
    }
}

/// Go's `reflect.DeepEqual` on two `interface{}` values.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_depth(a, b, 0)
}

fn deep_equal_depth(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > 1_000 {
        return false;
    }
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| deep_equal_depth(p, q, depth + 1))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.kind() != y.kind() {
                return false;
            }
            if x.ptr_eq(y) {
                return true;
            }
            let xs = x.snapshot();
            let ys = y.snapshot();
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal_depth(v1, v2, depth + 1))
        }
        (Value::Object(x), Value::Object(y)) => {
            std::rc::Rc::ptr_eq(x, y)
                || (x.type_name() == y.type_name() && {
                    let mut s1 = String::new();
                    let mut s2 = String::new();
                    let _ = x.fmt_value(&mut s1);
                    let _ = y.fmt_value(&mut s2);
                    s1 == s2
                })
        }
        _ => false,
    }
}

/// The value as a plain `map[string]interface {}` (what a Go function with that parameter
/// type returns when it returns its argument).
pub fn plain_map(v: &Value) -> Value {
    match v {
        Value::Map(d) if d.kind() != MapKind::Plain => Value::Map(d.retyped(MapKind::Plain)),
        other => other.clone(),
    }
}
