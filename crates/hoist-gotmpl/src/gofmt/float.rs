//! Go's `strconv.FormatFloat` for float64: the formats `e E f F g G b x X`, with `prec = -1`
//! meaning the shortest digits that read back to the same value.
//!
//! The decimal digits come from Rust's own float formatting, which is exact: the shortest
//! round-trip digits without a precision, and correctly rounded digits (ties to even, as Go's
//! `strconv` rounds) with one. The layout around the digits follows Go's `ftoa.go`.

/// Decimal digits of a float: `digits` (ASCII, no trailing zeros, empty for zero) and the position
/// of the decimal point relative to the first digit (`0.d1d2… × 10^dp`).
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

/// Splits Rust's `{:e}` output (`d.ddddde-x`) into digits and decimal-point position.
fn parse_exp_form(s: &str) -> Digits {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    if d.is_empty() {
        return Digits { d, dp: 0 };
    }
    Digits { d, dp: exp + 1 }
}

/// The shortest digits that read back to `v`, as a float32 when `bits32` (`v` then holds a
/// float32 value exactly).
fn shortest_digits(v: f64, bits32: bool) -> Digits {
    if v == 0.0 {
        return Digits {
            d: Vec::new(),
            dp: 0,
        };
    }
    if bits32 {
        parse_exp_form(&format!("{:e}", (v as f32).abs()))
    } else {
        parse_exp_form(&format!("{:e}", v.abs()))
    }
}

/// Digits rounded to `n` significant digits (n >= 1).
fn sig_digits(v: f64, n: usize) -> Digits {
    if v == 0.0 {
        return Digits {
            d: Vec::new(),
            dp: 0,
        };
    }
    parse_exp_form(&format!("{:.*e}", n - 1, v.abs()))
}

/// Go's `strconv.FormatFloat(v, fmt, prec, 64)`.
///
/// `fmt` is one of `e E f F g G b x X` (anything else gives Go's `%` + fmt); `prec` is the number
/// of digits (after the point for `e f`, significant for `g`), or -1 for the shortest exact form.
pub fn format_float(v: f64, fmt: char, prec: i32) -> String {
    let mut out = String::new();
    append_float(&mut out, v, fmt, prec);
    out
}

/// Appends `format_float(v, fmt, prec)` to `out`.
pub fn append_float(out: &mut String, v: f64, fmt: char, prec: i32) {
    append_float_bits(out, v, fmt, prec, false);
}

/// Go's `strconv.FormatFloat(float64(v), fmt, prec, 32)` for the decimal formats
/// `e E f F g G`: with `prec = -1` the digits are the shortest that read back to the float32.
/// (`b x X` are laid out as for a float64.)
pub fn format_float32(v: f32, fmt: char, prec: i32) -> String {
    let mut out = String::new();
    append_float_bits(&mut out, f64::from(v), fmt, prec, true);
    out
}

fn append_float_bits(out: &mut String, v: f64, fmt: char, prec: i32, bits32: bool) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    let neg = v.is_sign_negative();
    match fmt {
        'b' => return fmt_b(out, v),
        'x' | 'X' => return fmt_x(out, v, prec, fmt),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {}
        _ => {
            out.push('%');
            out.push(fmt);
            return;
        }
    }
    let shortest = prec < 0;
    let mut prec = prec;
    let digs = if shortest {
        let d = shortest_digits(v, bits32);
        let nd = d.d.len() as i32;
        prec = match fmt {
            'e' | 'E' => (nd - 1).max(0),
            'f' | 'F' => (nd - d.dp).max(0),
            _ => nd,
        };
        d
    } else {
        match fmt {
            'e' | 'E' => sig_digits(v, prec as usize + 1),
            'g' | 'G' => {
                if prec == 0 {
                    prec = 1;
                }
                sig_digits(v, prec as usize)
            }
            _ => {
                // 'f': Rust's fixed formatting rounds exactly as Go does.
                let s = format!("{:.*}", prec as usize, v.abs());
                if neg {
                    out.push('-');
                }
                out.push_str(&s);
                return;
            }
        }
    };
    match fmt {
        'e' | 'E' => fmt_e(out, neg, &digs, prec, fmt),
        'f' | 'F' => fmt_f(out, neg, &digs, prec),
        _ => {
            let nd = digs.d.len() as i32;
            let mut eprec = prec;
            if eprec > nd && nd >= digs.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            if exp < -4 || exp >= eprec {
                if prec > nd {
                    prec = nd;
                }
                let e = if fmt == 'G' { 'E' } else { 'e' };
                fmt_e(out, neg, &digs, prec - 1, e);
            } else {
                if prec > digs.dp {
                    prec = nd;
                }
                fmt_f(out, neg, &digs, (prec - digs.dp).max(0));
            }
        }
    }
}

fn fmt_e(out: &mut String, neg: bool, digs: &Digits, prec: i32, fmt: char) {
    if neg {
        out.push('-');
    }
    let nd = digs.d.len();
    out.push(if nd == 0 { '0' } else { digs.d[0] as char });
    if prec > 0 {
        out.push('.');
        let mut i = 1usize;
        let m = nd.min(prec as usize + 1);
        if i < m {
            for &c in &digs.d[i..m] {
                out.push(c as char);
            }
            i = m;
        }
        while i <= prec as usize {
            out.push('0');
            i += 1;
        }
    }
    out.push(fmt);
    let mut exp = digs.dp - 1;
    if nd == 0 {
        exp = 0;
    }
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    if exp < 10 {
        out.push('0');
        out.push((b'0' + exp as u8) as char);
    } else if exp < 100 {
        out.push((b'0' + (exp / 10) as u8) as char);
        out.push((b'0' + (exp % 10) as u8) as char);
    } else {
        out.push((b'0' + (exp / 100) as u8) as char);
        out.push((b'0' + ((exp / 10) % 10) as u8) as char);
        out.push((b'0' + (exp % 10) as u8) as char);
    }
}

fn fmt_f(out: &mut String, neg: bool, digs: &Digits, prec: i32) {
    if neg {
        out.push('-');
    }
    let nd = digs.d.len() as i32;
    if digs.dp > 0 {
        let m = nd.min(digs.dp);
        for &c in &digs.d[..m as usize] {
            out.push(c as char);
        }
        for _ in m..digs.dp {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = digs.dp + i - 1;
            let c = if 0 <= j && j < nd {
                digs.d[j as usize] as char
            } else {
                '0'
            };
            out.push(c);
        }
    }
}

const MANT_BITS: u32 = 52;
const EXP_BITS: u32 = 11;
const BIAS: i32 = -1023;

/// The mantissa (with the implicit bit) and binary exponent of a finite float, as Go's `ftoa`
/// computes them before formatting.
fn decompose(v: f64) -> (u64, i32) {
    let bits = v.to_bits();
    let mut exp = ((bits >> MANT_BITS) & ((1 << EXP_BITS) - 1)) as i32;
    let mut mant = bits & ((1u64 << MANT_BITS) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << MANT_BITS;
    }
    (mant, exp + BIAS)
}

/// `%b`: decimal mantissa and binary exponent, `-ddddp±ddd`.
fn fmt_b(out: &mut String, v: f64) {
    let (mant, exp) = decompose(v);
    if v.is_sign_negative() {
        out.push('-');
    }
    out.push_str(&mant.to_string());
    out.push('p');
    let exp = exp - MANT_BITS as i32;
    if exp >= 0 {
        out.push('+');
    }
    out.push_str(&exp.to_string());
}

/// `%x`: `-0x1.yyyyp±dd`.
fn fmt_x(out: &mut String, v: f64, prec: i32, fmt: char) {
    let (mut mant, mut exp) = decompose(v);
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - MANT_BITS;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if fmt == 'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    if v.is_sign_negative() {
        out.push('-');
    }
    out.push('0');
    out.push(fmt);
    out.push((b'0' + ((mant >> 60) & 1) as u8) as char);
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    }
    out.push(if fmt == 'X' { 'P' } else { 'p' });
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    if exp < 100 {
        out.push((b'0' + (exp / 10) as u8) as char);
        out.push((b'0' + (exp % 10) as u8) as char);
    } else if exp < 1000 {
        out.push((b'0' + (exp / 100) as u8) as char);
        out.push((b'0' + ((exp / 10) % 10) as u8) as char);
        out.push((b'0' + (exp % 10) as u8) as char);
    } else {
        out.push((b'0' + (exp / 1000) as u8) as char);
        out.push((b'0' + ((exp / 100) % 10) as u8) as char);
        out.push((b'0' + ((exp / 10) % 10) as u8) as char);
        out.push((b'0' + (exp % 10) as u8) as char);
    }
}

#[cfg(test)]
mod tests {
    use super::format_float;

    // Rows from Go's strconv/ftoa_test.go (ftoatests).
    #[test]
    fn ftoa_rows() {
        let rows: &[(f64, char, i32, &str)] = &[
            (1.0, 'e', 5, "1.00000e+00"),
            (1.0, 'f', 5, "1.00000"),
            (1.0, 'g', 5, "1"),
            (1.0, 'g', -1, "1"),
            (20.0, 'g', -1, "20"),
            (1234567.8, 'g', -1, "1.2345678e+06"),
            (200000.0, 'g', -1, "200000"),
            (2000000.0, 'g', -1, "2e+06"),
            (1e10, 'g', -1, "1e+10"),
            (400.0, 'g', 2, "4e+02"),
            (40.0, 'g', 2, "40"),
            (4.0, 'g', 2, "4"),
            (0.004, 'g', 2, "0.004"),
            (0.0004, 'g', 2, "0.0004"),
            (100.0, 'x', -1, "0x1.9p+06"),
            (100.0, 'y', -1, "%y"),
            (0.0, 'e', 5, "0.00000e+00"),
            (0.0, 'f', 5, "0.00000"),
            (0.0, 'g', 5, "0"),
            (0.0, 'g', -1, "0"),
            (-1.0, 'e', 5, "-1.00000e+00"),
            (-1.0, 'g', -1, "-1"),
            (12.0, 'g', -1, "12"),
            (123456700.0, 'e', 5, "1.23457e+08"),
            (123456700.0, 'f', 5, "123456700.00000"),
            (123456700.0, 'g', 5, "1.2346e+08"),
            (123456700.0, 'g', -1, "1.234567e+08"),
            (1.2345e6, 'e', 5, "1.23450e+06"),
            (1.2345e6, 'f', 5, "1234500.00000"),
            (1.2345e6, 'g', 5, "1.2345e+06"),
            (1e23, 'e', 17, "9.99999999999999916e+22"),
            (1e23, 'f', 17, "99999999999999991611392.00000000000000000"),
            (1e23, 'g', 17, "9.9999999999999992e+22"),
            (1e23, 'e', -1, "1e+23"),
            (1e23, 'f', -1, "100000000000000000000000"),
            (1e23, 'g', -1, "1e+23"),
            (100.0, 'b', -1, "7036874417766400p-46"),
            (f64::INFINITY, 'g', -1, "+Inf"),
            (f64::NEG_INFINITY, 'g', -1, "-Inf"),
            (f64::NAN, 'g', -1, "NaN"),
            (-0.0, 'g', -1, "-0"),
            (0.5, 'f', 0, "0"),
            (1.5, 'f', 0, "2"),
            (2.5, 'f', 0, "2"),
            (1.0, 'x', -1, "0x1p+00"),
            (1.0, 'x', 0, "0x1p+00"),
            (1.0, 'x', 1, "0x1.0p+00"),
            (3.999, 'x', 0, "0x1p+02"),
            (-1e-10, 'X', -1, "-0X1.B7CDFD9D7BDBBP-34"),
            (5e-324, 'g', -1, "5e-324"),
            (1.7976931348623157e308, 'g', -1, "1.7976931348623157e+308"),
        ];
        for (v, f, p, want) in rows {
            assert_eq!(format_float(*v, *f, *p), *want, "{v} {f} {p}");
        }
    }
}
