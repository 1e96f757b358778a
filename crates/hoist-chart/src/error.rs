//! The crate's error type. Every message is Helm's text; the CLI prints `Error: <message>`.

use thiserror::Error;

/// An error from loading a chart, merging or coalescing values, processing dependencies or
/// validating values against a schema.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChartError {
    /// Loading a chart directory or archive failed.
    #[error("{0}")]
    Load(String),
    /// Reading or merging values failed (`-f`, `--set…`, values.yaml).
    #[error("{0}")]
    Values(String),
    /// Coalescing values or processing dependencies failed.
    #[error("{0}")]
    Dependencies(String),
    /// The values do not meet a chart's values.schema.json (the whole multi-line report).
    #[error("{0}")]
    Schema(String),
}

impl ChartError {
    /// The message, as Helm prints it after `Error: `.
    pub fn message(&self) -> &str {
        match self {
            ChartError::Load(m)
            | ChartError::Values(m)
            | ChartError::Dependencies(m)
            | ChartError::Schema(m) => m,
        }
    }
}

/// Go's text for an OS error (`syscall.Errno.Error()`), e.g. `no such file or directory`.
pub fn go_errno_text(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(1) => "operation not permitted".into(),
        Some(2) => "no such file or directory".into(),
        Some(5) => "input/output error".into(),
        Some(13) => "permission denied".into(),
        Some(20) => "not a directory".into(),
        Some(21) => "is a directory".into(),
        Some(24) => "too many open files".into(),
        Some(36) => "file name too long".into(),
        Some(40) => "too many levels of symbolic links".into(),
        _ => {
            let s = e.to_string();
            let s = match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            };
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
    }
}

/// Go's `*PathError` text: `<op> <path>: <errno text>`.
pub fn path_error(op: &str, path: &str, e: &std::io::Error) -> String {
    format!("{op} {path}: {}", go_errno_text(e))
}
