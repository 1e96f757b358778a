//! Number literals: Go's `newNumber` (node.go) and the parts of `strconv` (`ParseInt`, `ParseUint`
//! and `ParseFloat` with base 0 and Go's literal syntax, underscores included) and `fmt.Sscan`
//! (complex numbers) it relies on.

use std::rc::Rc;

use super::ast::{NumberNode, Pos};
use super::lexer::ItemType;
use super::quote::{go_quote, unquote_char};

/// Why a `strconv` parse failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumError {
    /// `invalid syntax`
    Syntax,
    /// `value out of range`
    Range,
}

impl NumError {
    fn text(self) -> &'static str {
        match self {
            NumError::Syntax => "invalid syntax",
            NumError::Range => "value out of range",
        }
    }
}

/// Go's `underscoreOK`: underscores only between digits, or between a base prefix and a digit.
fn underscore_ok(s: &str) -> bool {
    let mut b = s.as_bytes();
    // saw: b'^' start, b'0' digit or prefix, b'_' underscore, b'!' other.
    let mut saw = b'^';
    if let Some(&(b'-' | b'+')) = b.first() {
        b = &b[1..];
    }
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = (b[1] | 0x20) == b'x';
    }
    while i < b.len() {
        let c = b[i];
        i += 1;
        if c.is_ascii_digit() || (hex && (b'a'..=b'f').contains(&(c | 0x20))) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
fn parse_uint_base0(s: &str) -> Result<u64, NumError> {
    let full = s;
    let mut b = s.as_bytes();
    if b.is_empty() {
        return Err(NumError::Syntax);
    }
    let mut base: u64 = 10;
    if b[0] == b'0' {
        if b.len() >= 3 && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
            base = match b[1] | 0x20 {
                b'b' => 2,
                b'o' => 8,
                _ => 16,
            };
            b = &b[2..];
        } else {
            base = 8;
            b = &b[1..];
        }
    }
    let mut n: u64 = 0;
    let mut underscores = false;
    let mut overflow = false;
    for &c in b {
        let d = match c {
            b'_' => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u64::from(c - b'0'),
            _ if (c | 0x20).is_ascii_lowercase() => u64::from((c | 0x20) - b'a') + 10,
            _ => return Err(NumError::Syntax),
        };
        if d >= base {
            return Err(NumError::Syntax);
        }
        if overflow {
            continue;
        }
        match n.checked_mul(base).and_then(|m| m.checked_add(d)) {
            Some(v) => n = v,
            None => overflow = true,
        }
    }
    if underscores && !underscore_ok(full) {
        return Err(NumError::Syntax);
    }
    if overflow {
        return Err(NumError::Range);
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn parse_int_base0(s: &str) -> Result<i64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let (neg, rest) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = parse_uint_base0(rest)?;
    const CUTOFF: u64 = 1 << 63;
    if !neg && un >= CUTOFF {
        return Err(NumError::Range);
    }
    if neg && un > CUTOFF {
        return Err(NumError::Range);
    }
    Ok(if neg {
        (un as i64).wrapping_neg()
    } else {
        un as i64
    })
}

/// `f` times two to the `e`, computed in exact steps.
fn ldexp(mut f: f64, mut e: i64) -> f64 {
    let pow2 = |k: i64| f64::from_bits(((k + 1023) as u64) << 52);
    while e > 1000 {
        f *= pow2(1000);
        e -= 1000;
        if f.is_infinite() {
            return f;
        }
    }
    while e < -1000 {
        f *= pow2(-1000);
        e += 1000;
        if f == 0.0 {
            return f;
        }
    }
    f * pow2(e)
}

/// Go's `strconv.ParseFloat(s, 64)`, for decimal and hexadecimal literals with Go's syntax.
fn parse_float(s: &str) -> Result<f64, NumError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if let Some(&c @ (b'+' | b'-')) = b.first() {
        neg = c == b'-';
        i = 1;
    }
    // Infinity and NaN, case-insensitively.
    let rest = &s[i..];
    for (word, value) in [
        ("infinity", f64::INFINITY),
        ("inf", f64::INFINITY),
        ("nan", f64::NAN),
    ] {
        if rest.eq_ignore_ascii_case(word) {
            if value.is_nan() && i > 0 {
                return Err(NumError::Syntax);
            }
            return Ok(if neg { -value } else { value });
        }
    }
    let mut base = 10u32;
    if i + 2 < b.len() && b[i] == b'0' && (b[i + 1] | 0x20) == b'x' {
        base = 16;
        i += 2;
    }
    let mant_start = i;
    let mut underscores = false;
    let mut saw_dot = false;
    let mut saw_digits = false;
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            underscores = true;
        } else if c == b'.' {
            if saw_dot {
                break;
            }
            saw_dot = true;
        } else if c.is_ascii_digit() || (base == 16 && (b'a'..=b'f').contains(&(c | 0x20))) {
            saw_digits = true;
        } else {
            break;
        }
        i += 1;
    }
    if !saw_digits {
        return Err(NumError::Syntax);
    }
    let mant_end = i;
    let exp_char = if base == 10 { b'e' } else { b'p' };
    let mut exp: i64 = 0;
    if i < b.len() && (b[i] | 0x20) == exp_char {
        i += 1;
        if i >= b.len() {
            return Err(NumError::Syntax);
        }
        let mut esign = 1;
        if b[i] == b'+' {
            i += 1;
        } else if b[i] == b'-' {
            i += 1;
            esign = -1;
        }
        if i >= b.len() || !b[i].is_ascii_digit() {
            return Err(NumError::Syntax);
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] == b'_' {
                underscores = true;
            } else if exp < 1_000_000 {
                exp = exp * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        exp *= esign;
    } else if base == 16 {
        // A hexadecimal mantissa needs a 'p' exponent.
        return Err(NumError::Syntax);
    }
    if i != b.len() {
        return Err(NumError::Syntax);
    }
    if underscores && !underscore_ok(s) {
        return Err(NumError::Syntax);
    }
    let value = if base == 10 {
        let cleaned: String = s.chars().filter(|&c| c != '_').collect();
        cleaned.parse::<f64>().map_err(|_| NumError::Syntax)?
    } else {
        let mut mant: u64 = 0;
        let mut e2: i64 = 0;
        let mut sticky = false;
        let mut after_dot = false;
        for &c in &b[mant_start..mant_end] {
            let d = match c {
                b'_' => continue,
                b'.' => {
                    after_dot = true;
                    continue;
                }
                _ => u64::from((c as char).to_digit(16).unwrap_or(0)),
            };
            if mant >> 60 == 0 {
                mant = mant * 16 + d;
                if after_dot {
                    e2 -= 4;
                }
            } else {
                sticky |= d != 0;
                if !after_dot {
                    e2 += 4;
                }
            }
        }
        if sticky {
            mant |= 1;
        }
        let v = ldexp(mant as f64, e2 + exp);
        if neg { -v } else { v }
    };
    if value.is_infinite() {
        return Err(NumError::Range);
    }
    Ok(value)
}

/// `fmt`'s `floatToken`: the longest prefix of `b` that looks like a float, as `fmt.Sscan` reads it.
fn float_token(b: &[u8], mut i: usize) -> usize {
    let accept = |i: &mut usize, set: &[u8]| -> bool {
        if *i < b.len() && set.contains(&b[*i]) {
            *i += 1;
            true
        } else {
            false
        }
    };
    // fmt's accept consumes one rune at a time and backs up only on a miss, so a partly
    // matched "nan" or "inf" keeps what matched.
    if accept(&mut i, b"nN") && accept(&mut i, b"aA") && accept(&mut i, b"nN") {
        return i;
    }
    accept(&mut i, b"+-");
    if accept(&mut i, b"iI") && accept(&mut i, b"nN") && accept(&mut i, b"fF") {
        return i;
    }
    let mut digits: &[u8] = b"0123456789_";
    let mut exp: &[u8] = b"eEpP";
    if accept(&mut i, b"0") && accept(&mut i, b"xX") {
        digits = b"0123456789aAbBcCdDeEfF_";
        exp = b"pP";
    }
    while accept(&mut i, digits) {}
    if accept(&mut i, b".") {
        while accept(&mut i, digits) {}
    }
    if accept(&mut i, exp) {
        accept(&mut i, b"+-");
        while accept(&mut i, b"0123456789_") {}
    }
    i
}

/// `fmt`'s `convertFloat`: `ParseFloat`, plus its own decimal-mantissa `p` exponent form.
fn convert_float(s: &str) -> Result<f64, String> {
    let err = |e: NumError| format!("strconv.ParseFloat: parsing {}: {}", go_quote(s), e.text());
    let has_x = s.bytes().any(|c| c == b'x' || c == b'X');
    if let Some(p) = s.find('p')
        && !has_x
    {
        let f = parse_float(&s[..p]).map_err(err)?;
        let m = parse_int_base10(&s[p + 1..])
            .map_err(|e| format!("strconv.Atoi: parsing {}: {}", go_quote(s), e.text()))?;
        return Ok(ldexp(f, m));
    }
    parse_float(s).map_err(err)
}

/// Go's `strconv.Atoi` (base 10, no underscores).
fn parse_int_base10(s: &str) -> Result<i64, NumError> {
    let b = s.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() {
        return Err(NumError::Syntax);
    }
    let mut n: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return Err(NumError::Syntax);
        }
        n = n
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
            .ok_or(NumError::Range)?;
    }
    Ok(if neg { -n } else { n })
}

/// Go's `fmt.Sscan(text, &complex128)` as `newNumber` uses it for `1+2i` literals.
fn scan_complex(text: &str) -> Result<(f64, f64), String> {
    const ERR_COMPLEX: &str = "syntax error scanning complex number";
    let b = text.as_bytes();
    let mut i = 0;
    let parens = b.first() == Some(&b'(');
    if parens {
        i += 1;
    }
    let real_end = float_token(b, i);
    let real = &text[i..real_end];
    i = real_end;
    if i >= b.len() || !matches!(b[i], b'+' | b'-') {
        return Err(ERR_COMPLEX.to_owned());
    }
    let imag_start = i;
    i += 1;
    let imag_end = float_token(b, i);
    let imag = &text[imag_start..imag_end];
    i = imag_end;
    if i >= b.len() || b[i] != b'i' {
        return Err(ERR_COMPLEX.to_owned());
    }
    i += 1;
    if parens && (i >= b.len() || b[i] != b')') {
        return Err(ERR_COMPLEX.to_owned());
    }
    Ok((convert_float(real)?, convert_float(imag)?))
}

/// `float64(int64(f)) == f` as Go evaluates it on amd64: `f` is integral and in int64 range.
fn as_exact_i64(f: f64) -> Option<i64> {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    (f.is_finite() && f.trunc() == f && (-TWO63..TWO63).contains(&f)).then_some(f as i64)
}

/// `float64(uint64(f)) == f`: `f` is integral, not negative and below 2^64.
fn as_exact_u64(f: f64) -> Option<u64> {
    const TWO64: f64 = 18_446_744_073_709_551_616.0;
    (f.is_finite() && f.trunc() == f && (0.0..TWO64).contains(&f)).then_some(f as u64)
}

/// Go's `simplifyComplex`: a complex number with a zero imaginary part is also a float, and
/// maybe an integer.
fn simplify_complex(n: &mut NumberNode, re: f64, im: f64) {
    n.is_complex = true;
    n.complex = Some((re, im));
    if im == 0.0 {
        n.float = Some(re);
        n.int = as_exact_i64(re);
        n.uint = as_exact_u64(re);
    }
}

/// Go's `newNumber`: parses a number, character or complex literal into every representation
/// it has. The error is the message Go's parser reports.
pub(crate) fn new_number(pos: Pos, text: &str, typ: ItemType) -> Result<NumberNode, String> {
    let mut n = NumberNode {
        pos,
        int: None,
        uint: None,
        float: None,
        is_complex: false,
        complex: None,
        text: Rc::from(text),
    };
    match typ {
        ItemType::CharConstant => {
            let c = unquote_char(text.get(1..).unwrap_or(""), b'\'')
                .map_err(|()| "invalid syntax".to_owned())?;
            if c.tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            n.int = Some(i64::from(c.value));
            n.uint = Some(u64::from(c.value));
            n.float = Some(f64::from(c.value));
            return Ok(n);
        }
        ItemType::Complex => {
            let (re, im) = scan_complex(text)?;
            simplify_complex(&mut n, re, im);
            return Ok(n);
        }
        _ => {}
    }
    // Imaginary constants can only be complex unless they are zero.
    if let Some(head) = text.strip_suffix('i')
        && let Ok(f) = parse_float(head)
    {
        simplify_complex(&mut n, 0.0, f);
        return Ok(n);
    }
    // Integers first, so 0x123 and friends work.
    let u = parse_uint_base0(text);
    if let Ok(u) = u {
        n.uint = Some(u);
    }
    if let Ok(i) = parse_int_base0(text) {
        n.int = Some(i);
        if i == 0 {
            // -0 is an unsigned integer too.
            n.uint = Some(u.unwrap_or(0));
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Ok(f) = parse_float(text) {
        // Parsed as a float but looks like an integer: a huge integer. Reject it.
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", go_quote(text)));
        }
        n.float = Some(f);
        n.int = as_exact_i64(f);
        n.uint = as_exact_u64(f);
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!("illegal number syntax: {}", go_quote(text)));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strconv_parsers() {
        assert_eq!(parse_uint_base0("0x_1F"), Ok(31));
        assert_eq!(parse_uint_base0("0b101"), Ok(5));
        assert_eq!(parse_uint_base0("017"), Ok(15));
        assert_eq!(parse_uint_base0("0o17"), Ok(15));
        assert_eq!(parse_uint_base0("1__0"), Err(NumError::Syntax));
        assert_eq!(
            parse_uint_base0("18446744073709551616"),
            Err(NumError::Range)
        );
        assert_eq!(parse_int_base0("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_int_base0("9223372036854775808"), Err(NumError::Range));
        assert_eq!(parse_float("0x1.e_fp4"), Ok(30.9375));
        assert_eq!(parse_float("0x_1p-4"), Ok(1.0 / 16.0));
        assert_eq!(parse_float("1e1_9"), Ok(1e19));
        assert_eq!(parse_float("1e999"), Err(NumError::Range));
        assert_eq!(parse_float("0x1"), Err(NumError::Syntax));
        assert_eq!(parse_float("1."), Ok(1.0));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("."), Err(NumError::Syntax));
        assert_eq!(parse_float("1e"), Err(NumError::Syntax));
    }
}
