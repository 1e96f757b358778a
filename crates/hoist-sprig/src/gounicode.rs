//! Go's `unicode` predicates and simple case mappings (`IsUpper`, `ToTitle`, …), which differ
//! from Rust's `char` methods: Go classifies by general category and maps one rune to one rune.

use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Go `unicode.IsLetter` (category L) and `unicode.IsDigit` (category Nd).
pub use hoist_gotmpl::parse::{is_digit, is_letter};

/// Go `unicode.IsUpper`: category Lu.
pub fn is_upper(c: char) -> bool {
    c.general_category() == GeneralCategory::UppercaseLetter
}

/// Go `unicode.IsLower`: category Ll.
pub fn is_lower(c: char) -> bool {
    c.general_category() == GeneralCategory::LowercaseLetter
}

/// Go `unicode.IsTitle`: category Lt.
pub fn is_title(c: char) -> bool {
    c.general_category() == GeneralCategory::TitlecaseLetter
}

/// Go `unicode.IsNumber`: category N.
pub fn is_number(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Number
}

/// Go `unicode.IsPunct`: category P.
pub fn is_punct(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Punctuation
}

/// Go `unicode.IsSpace`: Latin-1 spaces plus the White_Space property.
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

fn single<I: Iterator<Item = char>>(mut it: I) -> Option<char> {
    let first = it.next()?;
    if it.next().is_some() {
        None
    } else {
        Some(first)
    }
}

/// Greek letters with a combining iota whose simple upper (and title) mapping is the
/// titlecase form, while the full mapping Rust gives has two characters.
fn greek_iota_upper(c: char) -> Option<char> {
    let u = c as u32;
    let mapped = match u {
        0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => u + 8,
        0x1FB3 | 0x1FC3 | 0x1FF3 => u + 9,
        _ => return None,
    };
    char::from_u32(mapped)
}

/// Go `unicode.ToUpper` (simple, one rune to one rune).
pub fn to_upper(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    if let Some(m) = greek_iota_upper(c) {
        return m;
    }
    single(c.to_uppercase()).unwrap_or(c)
}

/// Go `unicode.ToLower` (simple, one rune to one rune).
pub fn to_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if c == '\u{130}' {
        return 'i';
    }
    single(c.to_lowercase()).unwrap_or(c)
}

/// Go `unicode.ToTitle` (simple, one rune to one rune).
pub fn to_title(c: char) -> char {
    match c as u32 {
        0x1C4..=0x1C6 => '\u{1C5}',
        0x1C7..=0x1C9 => '\u{1C8}',
        0x1CA..=0x1CC => '\u{1CB}',
        0x1F1..=0x1F3 => '\u{1F2}',
        // Georgian Mkhedruli letters are their own titlecase.
        0x10D0..=0x10FA | 0x10FD..=0x10FF => c,
        _ => to_upper(c),
    }
}

/// Maps each byte of `s` to the rune of the same value, as Go code that does `rune(s[i])` does.
pub fn latin1_char(b: u8) -> char {
    char::from(b)
}
