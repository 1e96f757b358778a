//! Chart archives (`pkg/chart/loader/archive`): gzip sniffing and safe tar extraction into
//! memory.

use flate2::read::MultiGzDecoder;
use hoist_gotmpl::gofmt::quote;
use std::io::Read;

/// The largest total decompressed size of an archive.
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// The largest single file, in a directory or an archive.
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// A file read from an archive or a directory, before sorting into a chart.
#[derive(Debug, Clone)]
pub struct BufferedFile {
    /// Path relative to the chart root, `/`-separated.
    pub name: String,
    /// Contents (BOM stripped).
    pub data: Vec<u8>,
}

/// Why an archive could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveError {
    /// Not a gzip stream (Go's `gzip.ErrHeader`).
    GzipHeader,
    /// Anything else, with Go's/Helm's text.
    Other(String),
}

impl std::fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArchiveError::GzipHeader => f.write_str("gzip: invalid header"),
            ArchiveError::Other(m) => f.write_str(m),
        }
    }
}

fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(b"\xEF\xBB\xBF") {
        data.drain(..3);
    }
    data
}

/// Go's `path.Clean`.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "unexpected EOF".into(),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            let s = e.to_string();
            if s.contains("gzip") || s.contains("deflate") || s.contains("corrupt") {
                "flate: corrupt input before offset 0".into()
            } else {
                "archive/tar: invalid tar header".into()
            }
        }
        _ => crate::error::go_errno_text(e),
    }
}

/// Helm's `LoadArchiveFiles`: reads a gzipped tar into memory, stripping the first path
/// component and refusing unsafe paths and oversized content.
pub fn load_archive_files(data: &[u8]) -> Result<Vec<BufferedFile>, ArchiveError> {
    if data.len() < 10 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err(ArchiveError::GzipHeader);
    }
    let gz = MultiGzDecoder::new(data);
    let mut tr = tar::Archive::new(gz);
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE as i64;
    let entries = tr.entries().map_err(|e| ArchiveError::Other(io_text(&e)))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| ArchiveError::Other(io_text(&e)))?;
        let header = entry.header();
        let etype = header.entry_type();
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mode = header.mode().unwrap_or(0);
        let is_dir = etype.is_dir()
            || mode & 0o040000 != 0
            || (matches!(etype, tar::EntryType::Regular | tar::EntryType::Continuous)
                && raw_name.ends_with('/'));
        if is_dir {
            continue;
        }
        if etype.is_pax_global_extensions() || etype.is_pax_local_extensions() {
            continue;
        }
        let delimiter = if raw_name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw_name.split(delimiter).collect();
        let n = parts[1..].join(&delimiter.to_string());
        let n = if delimiter == '\\' {
            n.replace('\\', "/")
        } else {
            n
        };
        if n.starts_with('/') {
            return Err(ArchiveError::Other(
                "chart illegally contains absolute paths".into(),
            ));
        }
        let n = clean_path(&n);
        if n == "." {
            return Err(ArchiveError::Other(format!(
                "chart illegally contains content outside the base directory: {}",
                quote(&raw_name)
            )));
        }
        if n.starts_with("..") {
            return Err(ArchiveError::Other(
                "chart illegally references parent directory".into(),
            ));
        }
        let nb = n.as_bytes();
        if nb.len() >= 3 && nb[0].is_ascii_alphabetic() && nb[1] == b':' && nb[2] == b'/' {
            return Err(ArchiveError::Other(
                "chart contains illegally named files".into(),
            ));
        }
        if parts[0] == "Chart.yaml" {
            return Err(ArchiveError::Other(
                "chart yaml not in base directory".into(),
            ));
        }
        let size = entry.header().size().unwrap_or(0) as i64;
        if size > remaining {
            return Err(ArchiveError::Other(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if size > MAX_DECOMPRESSED_FILE_SIZE as i64 {
            return Err(ArchiveError::Other(format!(
                "decompressed chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                quote(&raw_name)
            )));
        }
        let mut buf = Vec::with_capacity(size as usize);
        let written = (&mut entry)
            .take(remaining as u64)
            .read_to_end(&mut buf)
            .map_err(|e| ArchiveError::Other(io_text(&e)))? as i64;
        remaining -= written;
        if written < size || remaining <= 0 {
            return Err(ArchiveError::Other(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        files.push(BufferedFile {
            name: n,
            data: strip_bom(buf),
        });
    }
    if files.is_empty() {
        return Err(ArchiveError::Other("no files in chart archive".into()));
    }
    Ok(files)
}

/// Go's `http.DetectContentType`, for the common cases Helm's message can show.
pub fn detect_content_type(data: &[u8]) -> &'static str {
    let data = &data[..data.len().min(512)];
    let sigs: &[(&[u8], &str)] = &[
        (b"%PDF-", "application/pdf"),
        (b"%!PS-Adobe-", "application/postscript"),
        (b"\xFE\xFF", "text/plain; charset=utf-16be"),
        (b"\xFF\xFE", "text/plain; charset=utf-16le"),
        (b"\xEF\xBB\xBF", "text/plain; charset=utf-8"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"\x89PNG\x0D\x0A\x1A\x0A", "image/png"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"BM", "image/bmp"),
        (b"\x1F\x8B\x08", "application/x-gzip"),
        (b"PK\x03\x04", "application/zip"),
        (b"Rar!\x1A\x07\x00", "application/x-rar-compressed"),
        (b"Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"),
        (b"\x00\x61\x73\x6D", "application/wasm"),
        (b"OggS\x00", "application/ogg"),
        (b"ID3", "audio/mpeg"),
        (b"wOFF", "font/woff"),
        (b"wOF2", "font/woff2"),
        (b"OTTO", "font/otf"),
        (b"\x00\x01\x00\x00", "font/ttf"),
    ];
    // HTML and XML sniffing skips leading whitespace.
    let ws = data
        .iter()
        .position(|b| !matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' '))
        .unwrap_or(data.len());
    let trimmed = &data[ws..];
    if trimmed.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }
    for tag in [
        "<!DOCTYPE HTML",
        "<HTML",
        "<HEAD",
        "<SCRIPT",
        "<IFRAME",
        "<H1",
        "<DIV",
        "<FONT",
        "<TABLE",
        "<A",
        "<STYLE",
        "<TITLE",
        "<B",
        "<BODY",
        "<BR",
        "<P",
        "<!--",
    ] {
        let t = tag.as_bytes();
        if trimmed.len() > t.len()
            && trimmed[..t.len()].eq_ignore_ascii_case(t)
            && matches!(trimmed[t.len()], b' ' | b'>')
        {
            return "text/html; charset=utf-8";
        }
    }
    for (sig, ct) in sigs {
        if data.starts_with(sig) {
            return ct;
        }
    }
    if data.len() >= 262 && &data[257..262] == b"ustar" {
        return "application/x-tar";
    }
    if data.iter().any(|&b| {
        b <= 0x08 || b == 0x0B || (0x0E..=0x1A).contains(&b) || (0x1C..=0x1F).contains(&b)
    }) {
        return "application/octet-stream";
    }
    "text/plain; charset=utf-8"
}

/// Helm's `EnsureArchive`: a friendly error when `name` is not a gzip file.
pub fn ensure_archive(name: &str, head: &[u8]) -> Result<(), String> {
    if head.starts_with(b"\x1F\x8B\x08") {
        return Ok(());
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return Err(format!(
            "file '{name}' seems to be a YAML file, but expected a gzipped archive"
        ));
    }
    Err(format!(
        "file '{name}' does not appear to be a gzipped archive; got '{}'",
        detect_content_type(head)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean() {
        assert_eq!(clean_path("a/../../b"), "../b");
        assert_eq!(clean_path("./a//b/"), "a/b");
        assert_eq!(clean_path(""), ".");
        assert_eq!(clean_path("a/.."), ".");
    }
}
