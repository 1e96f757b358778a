//! A port of [Masterminds/semver] v3 (v3.5.0, the version Helm v4 and Sprig v3.3.0 build with).
//!
//! * [`Version::parse`] is Go's `NewVersion`: lenient (`v1.2` → `1.2.0`, leading zeros coerced) and it
//!   keeps the text it was given ([`Version::original`]).
//! * [`Version::parse_strict`] is `StrictNewVersion`: exactly `MAJOR.MINOR.PATCH[-PRE][+META]`.
//! * [`Constraints::parse`] is `NewConstraint`: `,` or whitespace for AND, `||` for OR, the operators
//!   `= != > < >= => <= =< ~ ~> ^`, `x`/`X`/`*` wildcards and `A - B` hyphen ranges. Pre-release
//!   versions only satisfy an AND group when one of its constraints names a pre-release (so
//!   `>=1.19.0-0` admits `1.20.0-gke.1`).
//!
//! Error texts are Go's, so they can be shown to users as Helm shows them.
//!
//! [Masterminds/semver]: https://github.com/Masterminds/semver

mod constraints;
mod version;

pub use constraints::{Constraints, ValidationError};
pub use version::Version;

/// An error from parsing a version or a constraint, with Go's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// `ErrInvalidSemVer`
    #[error("invalid semantic version")]
    InvalidSemVer,
    /// `ErrEmptyString`
    #[error("version string empty")]
    EmptyString,
    /// `ErrInvalidCharacters`
    #[error("invalid characters in version")]
    InvalidCharacters,
    /// `ErrSegmentStartsZero`
    #[error("version segment starts with 0")]
    SegmentStartsZero,
    /// `ErrInvalidMetadata`
    #[error("invalid metadata string")]
    InvalidMetadata,
    /// `ErrInvalidPrerelease`
    #[error("invalid prerelease string")]
    InvalidPrerelease,
    /// A numeric segment that `strconv.ParseUint` refuses (`value out of range`, `invalid syntax`).
    /// `wrapped` is true when Go wraps it as `error parsing version segment: …` (NewVersion).
    #[error("{}strconv.ParseUint: parsing {}: {reason}", if *.wrapped { "error parsing version segment: " } else { "" }, go_quote(.input))]
    ParseSegment {
        /// The segment text.
        input: String,
        /// `value out of range` or `invalid syntax`.
        reason: &'static str,
        /// Whether the message carries NewVersion's `error parsing version segment: ` prefix.
        wrapped: bool,
    },
    /// A constraint (or one `||` part of it) that does not parse.
    #[error("improper constraint: {}", go_quote(.0))]
    ImproperConstraint(String),
    /// Go's unreachable `constraint parser error`.
    #[error("constraint parser error")]
    ConstraintParser,
    /// An `Inc*` method on a segment already at `u64::MAX` (Go panics here).
    #[error("{0} version increment would overflow uint64")]
    Overflow(&'static str),
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub(crate) fn go_quote(s: &str) -> String {
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
            ' ' => out.push(' '),
            c if (c as u32) < 0x80 => {
                if c.is_ascii_graphic() {
                    out.push(c);
                } else {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                }
            }
            c if c.is_control() || c.is_whitespace() || is_format_char(c) => {
                let n = c as u32;
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A few Unicode format characters Go's `IsPrint` rejects (zero-width and direction marks, BOM).
fn is_format_char(c: char) -> bool {
    matches!(c as u32, 0xad | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2064 | 0xfeff)
}

#[cfg(test)]
mod tests {
    use super::go_quote;

    #[test]
    fn quote_escapes_like_go() {
        assert_eq!(go_quote("a\"b\\c\td\u{1}"), "\"a\\\"b\\\\c\\td\\x01\"");
        assert_eq!(go_quote("é\u{a0}"), "\"é\\u00a0\"");
    }
}
