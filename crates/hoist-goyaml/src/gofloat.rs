//! Go's `strconv.FormatFloat` with precision -1 (shortest round-trip digits) for the formats the
//! encoders need: `'e'`, `'f'` and `'g'`, for 32- and 64-bit floats.

use std::fmt::Write as _;

/// The shortest decimal digits of `f` (no sign, no leading zeros; `"0"` for zero) and the
/// decimal-point position `dp` as Go's `decimalSlice` has it: value = 0.DIGITS × 10^dp.
fn shortest_digits(f: f64, bits32: bool) -> (String, i32) {
    let s = if bits32 {
        format!("{:e}", (f as f32).abs())
    } else {
        format!("{:e}", f.abs())
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    if digits == "0" {
        return (digits, 1);
    }
    (digits, exp + 1)
}

fn push_exp(out: &mut String, exp: i32) {
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    let _ = write!(out, "{e}");
}

fn push_e(out: &mut String, digits: &str, dp: i32) {
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    let exp = if digits == "0" { 0 } else { dp - 1 };
    push_exp(out, exp);
}

fn push_f(out: &mut String, digits: &str, dp: i32) {
    let nd = digits.len() as i32;
    if dp > 0 {
        if dp >= nd {
            out.push_str(digits);
            for _ in nd..dp {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..dp as usize]);
            out.push('.');
            out.push_str(&digits[dp as usize..]);
        }
    } else {
        out.push_str("0.");
        for _ in dp..0 {
            out.push('0');
        }
        out.push_str(digits);
    }
}

/// Appends `strconv.FormatFloat(f, fmt, -1, bits)` to `out`. `fmt` is `b'e'`, `b'f'` or `b'g'`.
pub fn append_float(out: &mut String, f: f64, fmt: u8, bits32: bool) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    let (digits, dp) = shortest_digits(f, bits32);
    if f.is_sign_negative() {
        out.push('-');
    }
    match fmt {
        b'e' => push_e(out, &digits, dp),
        b'f' => {
            if digits == "0" {
                out.push('0');
            } else {
                push_f(out, &digits, dp)
            }
        }
        _ => {
            if digits == "0" {
                out.push('0');
                return;
            }
            let exp = dp - 1;
            if !(-4..6).contains(&exp) {
                push_e(out, &digits, dp);
            } else {
                push_f(out, &digits, dp);
            }
        }
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
