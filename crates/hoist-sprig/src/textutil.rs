//! Ports of the helpers Sprig takes from Masterminds/goutils v1.1.1 (abbreviate, wrap, initials,
//! swap case, …), huandu/xstrings v1.5.0 (snake, kebab and pascal case) and Go's `strings.Title`.
//!
//! Several goutils helpers walk a string byte by byte and turn each byte into a rune; that
//! quirk is kept (a multi-byte character comes out as Latin-1 characters), as are byte offsets
//! that can cut a character in two (the pieces are then made valid UTF-8 lossily, since a Rust
//! string cannot hold broken UTF-8).

use crate::gounicode::{
    is_letter, is_lower, is_number, is_punct, is_space, is_title, is_upper, latin1_char, to_lower,
    to_title, to_upper,
};

/// Bytes `s[a..b]` as a string. When the cut splits a character, each stray byte becomes
/// U+FFFD, which is what Go yields when it decodes such bytes as runes (a Rust string cannot
/// keep the raw bytes as Go's string does).
pub fn byte_slice(s: &str, a: usize, b: usize) -> String {
    go_lossy(&s.as_bytes()[a..b])
}

/// Bytes as text, one U+FFFD per invalid byte (Go's decoding convention).
pub use hoist_gotmpl::gofmt::go_lossy;

/// goutils `AbbreviateFull`; `Err` carries goutils' error (which Sprig ignores, giving "").
pub fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> Result<String, ()> {
    if s.is_empty() {
        return Ok(String::new());
    }
    if max_width < 4 {
        return Err(());
    }
    let len = s.len() as i64;
    if len <= max_width {
        return Ok(s.to_string());
    }
    // Go's int arithmetic wraps; so does this.
    let mut offset = offset.min(len);
    if len.wrapping_sub(offset) < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return Ok(byte_slice(s, 0, (max_width - 3) as usize) + "...");
    }
    if max_width < 7 {
        return Err(());
    }
    if offset.wrapping_add(max_width).wrapping_sub(3) < len {
        let rest = &s.as_bytes()[offset as usize..];
        let rest = go_lossy(rest);
        let ab = abbreviate_full(&rest, 0, max_width - 3).unwrap_or_default();
        return Ok(format!("...{ab}"));
    }
    Ok(format!(
        "...{}",
        byte_slice(s, (len - (max_width - 3)) as usize, len as usize)
    ))
}

/// goutils `DeleteWhiteSpace` (byte-wise).
pub fn delete_white_space(s: &str) -> String {
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| is_space(latin1_char(b))) {
        return s.to_string();
    }
    bytes
        .iter()
        .map(|&b| latin1_char(b))
        .filter(|&c| !is_space(c))
        .collect()
}

/// goutils `Initials` with whitespace delimiters (byte-wise).
pub fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut last_was_gap = true;
    for &b in s.as_bytes() {
        let c = latin1_char(b);
        if is_space(c) {
            last_was_gap = true;
        } else if last_was_gap {
            out.push(c);
            last_was_gap = false;
        }
    }
    out
}

/// goutils `Uncapitalize` with whitespace delimiters.
pub fn uncapitalize(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                to_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`.
pub fn swap_case(s: &str) -> String {
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if is_upper(c) || is_title(c) {
                whitespace = false;
                to_lower(c)
            } else if is_lower(c) {
                if whitespace {
                    whitespace = false;
                    to_title(c)
                } else {
                    to_upper(c)
                }
            } else {
                whitespace = is_space(c);
                c
            }
        })
        .collect()
}

/// goutils `WrapCustom` (byte offsets, as goutils does).
pub fn wrap_custom(s: &str, wrap_length: i64, new_line: &str, wrap_long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let new_line = if new_line.is_empty() { "\n" } else { new_line };
    let wrap_length = wrap_length.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + 8);
    while len - offset > wrap_length {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = wrap_length + offset + 1;
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(sp) = space {
            let at = sp + offset;
            out.extend_from_slice(&b[offset..at]);
            out.extend_from_slice(new_line.as_bytes());
            offset = at + 1;
        } else if wrap_long_words {
            let end = wrap_length + offset;
            out.extend_from_slice(&b[offset..end]);
            out.extend_from_slice(new_line.as_bytes());
            offset += wrap_length;
        } else {
            let end = wrap_length + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(i) => {
                    let at = i + end;
                    out.extend_from_slice(&b[offset..at]);
                    out.extend_from_slice(new_line.as_bytes());
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    go_lossy(&out)
}

/// Go's `strings.Title` (deprecated but what Sprig's `title` calls).
pub fn title(s: &str) -> String {
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if is_letter(c) || crate::gounicode::is_digit(c) {
            return false;
        }
        is_space(c)
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { to_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_space(c)
}

/// xstrings `ToPascalCase` (Sprig's `camelcase`).
pub fn to_pascal_case(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut is_first_upper = false;
    let mut r0 = '\0';
    let mut consumed_any = false;
    while i < chars.len() {
        r0 = chars[i];
        i += 1;
        consumed_any = true;
        if !is_connector(r0) {
            is_first_upper = is_upper(r0);
            r0 = to_upper(r0);
            break;
        }
        out.push(r0);
    }
    if i >= chars.len() {
        // xstrings writes the last rune read again here, even when it was a connector
        // (so "__" becomes "___").
        if consumed_any {
            out.push(r0);
        }
        return out;
    }
    while i < chars.len() {
        let r1 = r0;
        r0 = chars[i];
        i += 1;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            is_first_upper = is_upper(r0);
            r0 = to_upper(r0);
        } else {
            if is_first_upper {
                if is_upper(r0) {
                    r0 = to_lower(r0);
                } else {
                    is_first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum WordType {
    Invalid,
    Number,
    UpperCase,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings' `isAlphabet`: a letter that is not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    if !is_letter(c) {
        return false;
    }
    let u = c as u32;
    if u < 0x3400 {
        return true;
    }
    !((0x4E00..=0x9FCC).contains(&u)
        || (0x3400..=0x4D85).contains(&u)
        || (0x20000..=0x2B81D).contains(&u))
}

/// xstrings `nextWord` over a char slice: the word type and the word's length in chars.
fn next_word(s: &[char]) -> (WordType, usize) {
    if s.is_empty() {
        return (WordType::Invalid, 0);
    }
    let r = s[0];
    let mut n = 1;
    let wt;
    if is_connector(r) {
        wt = WordType::Connector;
        while n < s.len() && is_connector(s[n]) {
            n += 1;
        }
    } else if is_punct(r) {
        wt = WordType::Punct;
        while n < s.len() && is_punct(s[n]) {
            n += 1;
        }
    } else if is_upper(r) {
        wt = WordType::UpperCase;
        if n < s.len() {
            let r2 = s[n];
            if is_upper(r2) {
                n += 1;
                let mut last = r2;
                while n < s.len() {
                    last = s[n];
                    if !is_upper(last) {
                        break;
                    }
                    n += 1;
                }
                // "HTTPStatus": the S starts the next word.
                if n < s.len() && is_alphabet(last) {
                    n -= 1;
                }
            } else if is_alphabet(r2) {
                n += 1;
                while n < s.len() && is_alphabet(s[n]) && !is_upper(s[n]) {
                    n += 1;
                }
            }
        }
    } else if is_alphabet(r) {
        wt = WordType::Alphabet;
        while n < s.len() && is_alphabet(s[n]) && !is_upper(s[n]) {
            n += 1;
        }
    } else if is_number(r) {
        wt = WordType::Number;
        while n < s.len() && is_number(s[n]) {
            n += 1;
        }
    } else {
        wt = WordType::Other;
        while n < s.len() {
            let c = s[n];
            if is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c) {
                break;
            }
            n += 1;
        }
    }
    (wt, n)
}

fn push_lower(out: &mut String, wt: WordType, word: &[char], connector: char) {
    if wt != WordType::UpperCase && wt != WordType::Connector {
        out.extend(word.iter());
        return;
    }
    for &c in word {
        if is_connector(c) {
            out.push(connector);
        } else if is_upper(c) {
            out.push(to_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `camelCaseToLowerCase` (Sprig's `snakecase` and `kebabcase`).
pub fn camel_to_lower(s: &str, connector: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    let mut pos = 0usize;
    let take = |pos: &mut usize| -> (WordType, std::ops::Range<usize>) {
        let (wt, n) = next_word(&chars[*pos..]);
        let r = *pos..*pos + n;
        *pos += n;
        (wt, r)
    };
    let (mut wt, mut word) = take(&mut pos);
    while pos < chars.len() {
        if wt != WordType::Connector {
            push_lower(&mut out, wt, &chars[word.clone()], connector);
        }
        let prev = wt;
        let last = word.clone();
        (wt, word) = take(&mut pos);
        match prev {
            WordType::Number => {
                while wt == WordType::Alphabet || wt == WordType::Number {
                    push_lower(&mut out, wt, &chars[word.clone()], connector);
                    (wt, word) = take(&mut pos);
                }
                if wt != WordType::Invalid && wt != WordType::Punct && wt != WordType::Connector {
                    out.push(connector);
                }
            }
            WordType::Connector => {
                push_lower(&mut out, prev, &chars[last], connector);
            }
            WordType::Punct => {}
            _ => {
                if wt != WordType::Number {
                    if wt != WordType::Connector && wt != WordType::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if pos >= chars.len() {
                    continue;
                }
                let last = word.clone();
                (wt, word) = take(&mut pos);
                if wt != WordType::Alphabet {
                    push_lower(&mut out, WordType::Number, &chars[last], connector);
                    if wt != WordType::Connector && wt != WordType::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, WordType::Number, &chars[last], connector);
                while wt == WordType::Alphabet || wt == WordType::Number {
                    push_lower(&mut out, wt, &chars[word.clone()], connector);
                    (wt, word) = take(&mut pos);
                }
                if wt != WordType::Invalid && wt != WordType::Connector && wt != WordType::Punct {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, &chars[word], connector);
    out
}
