//! Go's `strconv` quoting (`Quote`, `QuoteToASCII`, `QuoteRune`, `CanBackquote`) as `fmt`'s `%q`
//! uses it.

use crate::parse::is_print;

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

fn push_hex(out: &mut String, v: u32, digits: u32) {
    for i in (0..digits).rev() {
        out.push(LOWER_HEX[((v >> (4 * i)) & 0xf) as usize] as char);
    }
}

fn push_escaped_rune(out: &mut String, r: char, quote: char, ascii_only: bool) {
    if r == quote || r == '\\' {
        out.push('\\');
        out.push(r);
        return;
    }
    if ascii_only {
        if r.is_ascii() && is_print(r) {
            out.push(r);
            return;
        }
    } else if is_print(r) {
        out.push(r);
        return;
    }
    match r {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ => {
            let u = r as u32;
            if u < 0x20 || u == 0x7f {
                out.push_str("\\x");
                push_hex(out, u, 2);
            } else if u < 0x10000 {
                out.push_str("\\u");
                push_hex(out, u, 4);
            } else {
                out.push_str("\\U");
                push_hex(out, u, 8);
            }
        }
    }
}

/// Appends Go's `strconv.Quote(s)` (or `QuoteToASCII` when `ascii_only`).
pub fn push_quoted(out: &mut String, s: &str, ascii_only: bool) {
    out.push('"');
    for c in s.chars() {
        push_escaped_rune(out, c, '"', ascii_only);
    }
    out.push('"');
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s, false);
    out
}

/// Appends Go's `strconv.QuoteRune(r)` (or `QuoteRuneToASCII` when `ascii_only`).
pub fn push_quoted_rune(out: &mut String, r: char, ascii_only: bool) {
    out.push('\'');
    push_escaped_rune(out, r, '\'', ascii_only);
    out.push('\'');
}

/// Go's `strconv.CanBackquote`.
pub fn can_backquote(s: &str) -> bool {
    s.chars().all(|r| {
        if r.len_utf8() > 1 {
            return r != '\u{feff}';
        }
        !((r < ' ' && r != '\t') || r == '`' || r == '\u{7f}')
    })
}
