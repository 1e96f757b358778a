//! Go's `strconv` quoting rules (`Quote`, `Unquote`, `UnquoteChar`, `IsPrint`) and the `fmt` verbs
//! the parser's messages use (`%q`, `%.10q`, `%#U`).
//!
//! Go strings may hold bytes that are not UTF-8 (`"\xff"`); Rust strings cannot. [`unquote`]
//! therefore replaces invalid sequences the escapes produce with U+FFFD.

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
pub fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x100 {
        return (0x20..0x7f).contains(&u) || ((0xa1..=0xff).contains(&u) && u != 0xad);
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Mark
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
    )
}

/// Go's `unicode.IsLetter`.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    c.general_category_group() == GeneralCategoryGroup::Letter
}

/// Go's `unicode.IsDigit` (decimal digits of any script).
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    c.general_category() == unicode_properties::GeneralCategory::DecimalNumber
}

/// Go's `strconv.Quote` (also `fmt`'s `%q` for strings).
pub fn go_quote(s: &str) -> String {
    crate::gofmt::quote(s)
}

/// Writes Go's `strconv.Quote(s)` to a formatter.
pub fn write_go_quote(f: &mut std::fmt::Formatter<'_>, s: &str) -> std::fmt::Result {
    f.write_str(&crate::gofmt::quote(s))
}

/// Go's `fmt.Sprintf("%.Nq", s)`: the first `max_runes` characters, quoted.
pub fn go_quote_prefix(s: &str, max_runes: usize) -> String {
    match s.char_indices().nth(max_runes) {
        Some((i, _)) => go_quote(&s[..i]),
        None => go_quote(s),
    }
}

/// Go's `fmt.Sprintf("%#U", c)`: `U+0023 '#'`, or `U+0001` when the character is not printable.
pub fn fmt_sharp_u(c: char) -> String {
    let mut s = format!("U+{:04X}", c as u32);
    if is_print(c) {
        s.push_str(" '");
        s.push(c);
        s.push('\'');
    }
    s
}

/// The result of [`unquote_char`]: the decoded value, whether it must be written as UTF-8 (as
/// opposed to one raw byte), and the rest of the input.
pub struct UnquotedChar<'a> {
    /// The character's value (up to 0x10FFFF; `\xNN` and octal escapes give byte values).
    pub value: u32,
    /// True when `value` is a Unicode code point to encode as UTF-8; false for a single byte.
    pub multibyte: bool,
    /// What follows the decoded character.
    pub tail: &'a str,
}

/// Go's `strconv.UnquoteChar`. The error is Go's `strconv.ErrSyntax` ("invalid syntax").
pub fn unquote_char(s: &str, quote: u8) -> Result<UnquotedChar<'_>, ()> {
    let bytes = s.as_bytes();
    let Some(&c) = bytes.first() else {
        return Err(());
    };
    if c == quote && (quote == b'\'' || quote == b'"') {
        return Err(());
    }
    if c >= 0x80 {
        let ch = s.chars().next().ok_or(())?;
        return Ok(UnquotedChar {
            value: ch as u32,
            multibyte: true,
            tail: &s[ch.len_utf8()..],
        });
    }
    if c != b'\\' {
        return Ok(UnquotedChar {
            value: u32::from(c),
            multibyte: false,
            tail: &s[1..],
        });
    }
    if bytes.len() <= 1 {
        return Err(());
    }
    let esc = bytes[1];
    let mut rest = &s[2..];
    let mut multibyte = false;
    let value = match esc {
        b'a' => 7,
        b'b' => 8,
        b'f' => 12,
        b'n' => 10,
        b'r' => 13,
        b't' => 9,
        b'v' => 11,
        b'x' | b'u' | b'U' => {
            let n = match esc {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let rb = rest.as_bytes();
            if rb.len() < n {
                return Err(());
            }
            let mut v: u32 = 0;
            for &b in &rb[..n] {
                let d = (b as char).to_digit(16).ok_or(())?;
                v = (v << 4) | d;
            }
            rest = &rest[n..];
            if esc != b'x' {
                if v > 0x10ffff || (0xd800..0xe000).contains(&v) {
                    return Err(());
                }
                multibyte = true;
            }
            v
        }
        b'0'..=b'7' => {
            let mut v = u32::from(esc - b'0');
            let rb = rest.as_bytes();
            if rb.len() < 2 {
                return Err(());
            }
            for &b in &rb[..2] {
                if !(b'0'..=b'7').contains(&b) {
                    return Err(());
                }
                v = (v << 3) | u32::from(b - b'0');
            }
            rest = &rest[2..];
            if v > 255 {
                return Err(());
            }
            v
        }
        b'\\' => u32::from(b'\\'),
        b'\'' | b'"' => {
            if esc != quote {
                return Err(());
            }
            u32::from(esc)
        }
        _ => return Err(()),
    };
    Ok(UnquotedChar {
        value,
        multibyte,
        tail: rest,
    })
}

fn push_utf8(out: &mut Vec<u8>, v: u32) {
    let c = char::from_u32(v).unwrap_or('\u{fffd}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Go's `strconv.Unquote` for the string literals the lexer produces (`"..."`, `` `...` ``,
/// `'.'`). The error is Go's `strconv.ErrSyntax` ("invalid syntax").
pub fn unquote(s: &str) -> Result<String, ()> {
    let b = s.as_bytes();
    let n = b.len();
    if n < 2 {
        return Err(());
    }
    let quote = b[0];
    if quote != b[n - 1] {
        return Err(());
    }
    let inner = &s[1..n - 1];
    match quote {
        b'`' => {
            if inner.contains('`') {
                return Err(());
            }
            if inner.contains('\r') {
                Ok(inner.chars().filter(|&c| c != '\r').collect())
            } else {
                Ok(inner.to_owned())
            }
        }
        b'"' | b'\'' => {
            if !inner.contains('\\') && !inner.contains('\n') {
                let valid = if quote == b'"' {
                    !inner.contains('"')
                } else {
                    inner.chars().count() == 1 && inner != "'"
                };
                if valid {
                    return Ok(inner.to_owned());
                }
            }
            let mut out: Vec<u8> = Vec::with_capacity(inner.len());
            let mut rest = inner;
            while !rest.is_empty() {
                if rest.as_bytes()[0] == b'\n' {
                    return Err(());
                }
                let u = unquote_char(rest, quote)?;
                rest = u.tail;
                if u.value < 0x80 || !u.multibyte {
                    // A single byte: either ASCII or a `\xNN`/octal escape.
                    out.push(u.value as u8);
                } else {
                    push_utf8(&mut out, u.value);
                }
                if quote == b'\'' {
                    break;
                }
            }
            if !rest.is_empty() {
                return Err(());
            }
            Ok(match String::from_utf8(out) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })
        }
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_basics() {
        assert_eq!(
            go_quote("a\"b\\c\n\t\u{1}\u{7f}é\u{ad}"),
            r#""a\"b\\c\n\t\x01\x7fé\u00ad""#
        );
        assert_eq!(go_quote_prefix("abcdefghijkl", 10), r#""abcdefghij""#);
        assert_eq!(fmt_sharp_u('#'), "U+0023 '#'");
        assert_eq!(fmt_sharp_u('\u{1}'), "U+0001");
    }

    #[test]
    fn unquote_basics() {
        assert_eq!(unquote(r#""a\n\x41\u00e9\101""#).unwrap(), "a\nAéA");
        assert_eq!(unquote("`a\\n`").unwrap(), "a\\n");
        assert!(unquote(r#""\q""#).is_err());
        assert!(unquote(r#""\'""#).is_err());
        assert_eq!(unquote(r#""\xc3\xa9""#).unwrap(), "é");
        assert_eq!(unquote(r#""\xff""#).unwrap(), "\u{fffd}");
    }
}
