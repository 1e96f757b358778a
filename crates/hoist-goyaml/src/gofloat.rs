//! Go's `strconv.FormatFloat` with precision -1 (shortest round-trip digits) for the formats the
//! encoders need: `'e'`, `'f'` and `'g'`, for 32- and 64-bit floats, on top of
//! [`hoist_gotmpl::gofmt::format_float`].

/// Appends `strconv.FormatFloat(f, fmt, -1, bits)` to `out`. `fmt` is `b'e'`, `b'f'` or `b'g'`.
pub fn append_float(out: &mut String, f: f64, fmt: u8, bits32: bool) {
    if bits32 {
        out.push_str(&hoist_gotmpl::gofmt::format_float32(
            f as f32,
            char::from(fmt),
            -1,
        ));
    } else {
        hoist_gotmpl::gofmt::append_float(out, f, char::from(fmt), -1);
    }
}

/// `strconv.FormatFloat(f, fmt, -1, bits)` as a new string.
pub fn format_float(f: f64, fmt: u8, bits32: bool) -> String {
    let mut s = String::new();
    append_float(&mut s, f, fmt, bits32);
    s
}

/// Appends a float64 as Go's `encoding/json` writes it: `'f'` format unless the magnitude is below
/// 1e-6 or at least 1e21, then `'e'` with a one-digit negative exponent (`1e-7`, `1e+21`).
pub fn append_json_float(out: &mut String, f: f64) {
    let abs = f.abs();
    let fmt = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        b'e'
    } else {
        b'f'
    };
    let start = out.len();
    append_float(out, f, fmt, false);
    if fmt == b'e' {
        let b = &out.as_bytes()[start..];
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            let last = out.pop().unwrap_or('0');
            out.pop();
            out.push(last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_float(1e6, b'g', false), "1e+06");
        assert_eq!(format_float(123456.0, b'g', false), "123456");
        assert_eq!(format_float(0.0001, b'g', false), "0.0001");
        assert_eq!(format_float(0.00001, b'g', false), "1e-05");
        assert_eq!(format_float(-0.0, b'g', false), "-0");
        assert_eq!(format_float(1.5, b'g', true), "1.5");
        assert_eq!(format_float(0.1, b'g', true), "0.1");
        assert_eq!(format_float(1e21, b'f', false), "1000000000000000000000");
        assert_eq!(format_float(1.25e-7, b'e', false), "1.25e-07");
        let mut s = String::new();
        append_json_float(&mut s, 1e-7);
        assert_eq!(s, "1e-7");
        s.clear();
        append_json_float(&mut s, 1e21);
        assert_eq!(s, "1e+21");
        s.clear();
        append_json_float(&mut s, 0.000001);
        assert_eq!(s, "0.000001");
    }
}
