//! The parse error, printed exactly as Go's parser prints it.

use std::fmt;

/// A template parse error. `Display` gives Go's text byte for byte:
/// `template: NAME:LINE: MESSAGE`, where NAME is the name of the top-level template being parsed
/// (Go's `ParseName`) and LINE the line of the token the parser stopped at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    name: String,
    line: usize,
    message: String,
}

impl ParseError {
    /// An error with the given parts.
    pub fn new(name: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        ParseError {
            name: name.into(),
            line,
            message: message.into(),
        }
    }

    /// The name of the top-level template being parsed (Go's `ParseName`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The line (1-based) of the token the parser stopped at.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The message after `template: NAME:LINE: `.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.message)
    }
}

impl std::error::Error for ParseError {}
