//! Small pieces of Go's `fmt` and `strconv` needed to reproduce Helm's messages byte for byte.

use hoist_gotmpl::Value;
use std::fmt::Write;

/// Go's `unicode.IsPrint` (close approximation: graphic characters plus ASCII space).
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0x00AD
        | 0x0600..=0x0605
        | 0x061C
        | 0x06DD
        | 0x070F
        | 0x180E
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x206F
        | 0xD800..=0xDFFF
        | 0xE000..=0xF8FF
        | 0xFEFF
        | 0xFFF0..=0xFFFB
        | 0xFFFE..=0xFFFF
        | 0xE0000..=0xE007F
        | 0xF0000..=0x10FFFF
    )
}

/// Go's `unicode.IsSpace`.
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `strconv.Quote` (the `%q` verb of a string).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.Quote` for bytes that may not be valid UTF-8 (invalid bytes become `\xNN`).
pub fn quote_bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => quote(s),
        Err(_) => {
            let mut out = String::from("\"");
            for chunk in b.utf8_chunks() {
                let q = quote(chunk.valid());
                out.push_str(&q[1..q.len() - 1]);
                for byte in chunk.invalid() {
                    let _ = write!(out, "\\x{byte:02x}");
                }
            }
            out.push('"');
            out
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, bits)` for `bits` 32 or 64.
pub fn format_float_g(f: f64, bits: u32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    // Shortest round-trip digits in scientific form, e.g. "1.25e3", "-1e-7".
    let sci = if bits == 32 {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (neg, sci) = match sci.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, sci.as_str()),
    };
    let (mant, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let digits = if digits.chars().all(|c| c == '0') {
        "0".to_string()
    } else {
        digits
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if digits == "0" {
        out.push('0');
        return out;
    }
    let nd = digits.len() as i32;
    if !(-4..6).contains(&exp) {
        // %e form with at least two exponent digits.
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.unsigned_abs()
        );
        return out;
    }
    // %f form.
    let dp = exp + 1; // position of the decimal point
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(&digits);
    } else if dp >= nd {
        out.push_str(&digits);
        for _ in 0..(dp - nd) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

/// Go's `%v` of a plain data value (nil, bool, numbers, strings, lists, maps).
pub fn fmt_v(v: &Value) -> String {
    let mut s = String::new();
    write_v(&mut s, v);
    s
}

fn write_v(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float_v(*f)),
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) => {
            out.push('[');
            for (i, x) in b.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{x}");
            }
            out.push(']');
        }
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, x);
            }
            out.push(']');
        }
        Value::Map(d) => {
            out.push_str("map[");
            for (i, (k, x)) in d.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, x);
            }
            out.push(']');
        }
        Value::Object(o) => {
            let _ = o.fmt_value(out);
        }
    }
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`).
pub fn format_float_v(f: f64) -> String {
    format_float_g(f, 64)
}

/// Go's output for a value printed with a verb that does not suit it, e.g. `%t` of a string:
/// `%!t(string=foo)`. Lists apply the verb to each element.
pub fn bad_verb(verb: char, v: &Value) -> String {
    match v {
        Value::Bool(b) if verb == 't' => b.to_string(),
        Value::Nil => format!("%!{verb}(<nil>)"),
        Value::List(l) => {
            let parts: Vec<String> = l.iter().map(|x| bad_verb(verb, x)).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Map(d) => {
            let parts: Vec<String> = d
                .borrow()
                .iter()
                .map(|(k, x)| {
                    format!(
                        "{}:{}",
                        bad_verb(verb, &Value::string(k)),
                        bad_verb(verb, x)
                    )
                })
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        other => format!("%!{verb}({}={})", other.type_name(), fmt_v(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats() {
        assert_eq!(format_float_g(1.0, 32), "1");
        assert_eq!(format_float_g(1.5, 32), "1.5");
        assert_eq!(format_float_g(1.1, 32), "1.1");
        assert_eq!(format_float_g(1e7, 32), "1e+07");
        assert_eq!(format_float_g(1e21, 64), "1e+21");
        assert_eq!(format_float_g(123456.0, 64), "123456");
        assert_eq!(format_float_g(1234567.0, 64), "1.234567e+06");
        assert_eq!(format_float_g(0.0001, 64), "0.0001");
        assert_eq!(format_float_g(0.00001, 64), "1e-05");
        assert_eq!(format_float_g(-2.5, 64), "-2.5");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\n\x01é"), "\"a\\\"b\\n\\x01é\"");
        assert_eq!(quote("\u{a0}"), "\"\\u00a0\"");
    }
}
