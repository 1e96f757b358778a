//! Values files and the CLI's value flags: `LoadValues` (multi-document values.yaml / `-f`),
//! `MergeMaps`, and `values.Options.MergeValues` (`-f`, `--set-json`, `--set`, `--set-string`,
//! `--set-file`, `--set-literal`).

use crate::error::{ChartError, path_error};
use crate::{strvals, yaml};
use hoist_gotmpl::{Dict, Map, Value};
use std::io::Read;

/// bufio.Reader's default buffer size, which shapes how k8s' YAMLReader sees long lines.
const BUFIO_SIZE: usize = 4096;

/// Splits values text the way k8s.io/apimachinery's `YAMLReader` does (over a 4096-byte
/// `bufio.Reader`): lines lose `\n`/`\r\n` and get `\n` back; a line starting with `---` ends a
/// document (only blanks or a comment may follow it); a final unterminated line whose chunking
/// ends exactly at a buffer boundary is dropped (Helm v4.2.3 behaviour, fixed after it).
fn split_documents(data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut docs = Vec::new();
    let mut buffer: Vec<u8> = Vec::new();
    let mut rest = data;
    loop {
        // LineReader.Read: one logical line (ReadLine chunks joined) plus '\n', and whether EOF
        // came with it.
        let (line, eof): (Vec<u8>, bool) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let mut l = &rest[..i];
                if l.last() == Some(&b'\r') {
                    l = &l[..l.len() - 1];
                }
                let mut v = l.to_vec();
                v.push(b'\n');
                rest = &rest[i + 1..];
                (v, false)
            }
            None if rest.is_empty() => (b"\n".to_vec(), true),
            None => {
                // Final unterminated line: ReadLine hands it out in buffer-sized chunks (a '\r'
                // at a chunk end is held back); when the last chunk fills the buffer exactly,
                // the EOF arrives together with the line and YAMLReader drops it.
                let mut pos = 0;
                let mut eof_with_line = false;
                loop {
                    let remaining = rest.len() - pos;
                    if remaining >= BUFIO_SIZE {
                        let mut n = BUFIO_SIZE;
                        if rest[pos + n - 1] == b'\r' {
                            n -= 1;
                        }
                        pos += n;
                        if pos == rest.len() {
                            eof_with_line = true;
                            break;
                        }
                    } else {
                        break;
                    }
                }
                let mut v = rest.to_vec();
                v.push(b'\n');
                rest = &[];
                if eof_with_line {
                    (v, true)
                } else {
                    // Returned with err == nil; the next Read gives EOF.
                    (v, false)
                }
            }
        };
        if line.starts_with(b"---") {
            let trimmed = String::from_utf8_lossy(&line[3..]);
            let trimmed = trimmed.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(format!("invalid Yaml document separator: {trimmed}"));
            }
            if !buffer.is_empty() {
                docs.push(std::mem::take(&mut buffer));
                if eof {
                    return Ok(docs);
                }
                continue;
            }
            if eof {
                return Ok(docs);
            }
        }
        if eof {
            if !buffer.is_empty() {
                docs.push(std::mem::take(&mut buffer));
            }
            return Ok(docs);
        }
        buffer.extend_from_slice(&line);
    }
}

/// The text sigs.k8s.io/yaml gives when a document is not a map.
fn not_a_map_error(v: &Value) -> String {
    let kind = match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        _ => "object",
    };
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    )
}

/// Helm's `loader.LoadValues`: every YAML document of `data` (a map or empty) deep-merged in
/// order. The error text is Helm's, without the caller's prefix (`cannot load values.yaml: `).
pub fn load_values(data: &[u8]) -> Result<Dict, String> {
    let docs = split_documents(data).map_err(|e| format!("error reading yaml document: {e}"))?;
    let mut values = Dict::new(Map::new());
    for raw in docs {
        let text = String::from_utf8_lossy(&raw);
        let v =
            yaml::unmarshal(&text).map_err(|e| format!("cannot unmarshal yaml document: {e}"))?;
        match v {
            Value::Nil => {}
            Value::Map(d) => {
                values = merge_maps(&values, &d);
            }
            other => {
                return Err(format!(
                    "cannot unmarshal yaml document: {}",
                    not_a_map_error(&other)
                ));
            }
        }
    }
    Ok(values)
}

/// Helm's `loader.MergeMaps`: a new map with `b` deep-merged over `a` (maps merge, everything
/// else from `b` replaces). Unmerged nested maps are shared, as in Go.
pub fn merge_maps(a: &Dict, b: &Dict) -> Dict {
    let mut out: Map = a.borrow().clone();
    for (k, v) in b.borrow().iter() {
        if let Value::Map(vm) = v
            && let Some(Value::Map(bv)) = out.get(k)
            && bv.kind() == hoist_gotmpl::MapKind::Plain
            && vm.kind() == hoist_gotmpl::MapKind::Plain
        {
            let merged = merge_maps(bv, vm);
            out.insert(k.clone(), Value::Map(merged));
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    Dict::new(out)
}

/// Reads `-f` / `--set-file` sources: `-` is stdin, URLs with a getter scheme go to
/// [`ValueReader::fetch_url`], everything else is a local file.
pub trait ValueReader {
    /// The bytes of stdin.
    fn stdin(&mut self) -> Result<Vec<u8>, String> {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("read /dev/stdin: {}", crate::error::go_errno_text(&e)))?;
        Ok(buf)
    }

    /// A local file; the error is Go's `open <path>: <reason>`.
    fn file(&mut self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(path).map_err(|e| path_error("open", path, &e))
    }

    /// An `http://`, `https://` or `oci://` URL. Hoist has no getters here.
    fn fetch_url(&mut self, url: &str) -> Result<Vec<u8>, String> {
        Err(format!("fetching {url} is not supported"))
    }
}

/// The default [`ValueReader`]: stdin and the local filesystem.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsReader;

impl ValueReader for FsReader {}

/// The errors Go's `url.Parse` gives for a values path (`parse "<p>": …`).
fn url_parse_error(path: &str) -> Option<String> {
    let q = hoist_gotmpl::gofmt::quote(path);
    if path.starts_with(':') {
        return Some(format!("parse {q}: missing protocol scheme"));
    }
    let b = path.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                let end = (i + 3).min(b.len());
                let esc = String::from_utf8_lossy(&b[i..end]);
                return Some(format!(
                    "parse {q}: invalid URL escape {}",
                    hoist_gotmpl::gofmt::quote(&esc)
                ));
            }
            i += 3;
            continue;
        }
        i += 1;
    }
    None
}

fn read_source(path: &str, r: &mut dyn ValueReader) -> Result<Vec<u8>, String> {
    if path.trim() == "-" {
        return r.stdin();
    }
    if let Some(e) = url_parse_error(path) {
        return Err(e);
    }
    let scheme = match path.find(':') {
        Some(i)
            if i > 0
                && path[..i]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && path[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            path[..i].to_ascii_lowercase()
        }
        _ => String::new(),
    };
    if matches!(scheme.as_str(), "http" | "https" | "oci") {
        return r.fetch_url(path);
    }
    r.file(path)
}

/// The old name of [`ValueOptions`].
pub type ValuesOptions = ValueOptions;

/// The CLI's value flags (`pkg/cli/values.Options`).
#[derive(Debug, Clone, Default)]
pub struct ValueOptions {
    /// `-f/--values`, in order.
    pub value_files: Vec<String>,
    /// `--set-string`
    pub string_values: Vec<String>,
    /// `--set`
    pub values: Vec<String>,
    /// `--set-file`
    pub file_values: Vec<String>,
    /// `--set-json`
    pub json_values: Vec<String>,
    /// `--set-literal`
    pub literal_values: Vec<String>,
}

impl ValueOptions {
    /// `MergeValues`: the user-supplied values (the release's config). Kinds are applied in a
    /// fixed order: files, `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`.
    pub fn merge_values(&self, reader: &mut dyn ValueReader) -> Result<Dict, ChartError> {
        let mut base = Dict::new(Map::new());
        for path in &self.value_files {
            let raw = read_source(path, reader).map_err(ChartError::Values)?;
            let cur = load_values(&raw)
                .map_err(|e| ChartError::Values(format!("failed to parse {path}: {e}")))?;
            base = merge_maps(&base, &cur);
        }
        for value in &self.json_values {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                match hoist_goyaml::from_json(trimmed) {
                    Ok(Value::Map(m)) => base = merge_maps(&base, &m),
                    Ok(Value::Nil) => {}
                    _ => {
                        return Err(ChartError::Values(format!(
                            "failed parsing --set-json data JSON: {value}"
                        )));
                    }
                }
            } else if strvals::parse_json(value, &base).is_err() {
                return Err(ChartError::Values(format!(
                    "failed parsing --set-json data {value}"
                )));
            }
        }
        for value in &self.values {
            strvals::parse_into(value, &base)
                .map_err(|e| ChartError::Values(format!("failed parsing --set data: {e}")))?;
        }
        for value in &self.string_values {
            strvals::parse_into_string(value, &base).map_err(|e| {
                ChartError::Values(format!("failed parsing --set-string data: {e}"))
            })?;
        }
        for value in &self.file_values {
            let mut read = |p: &str| -> Result<Value, String> {
                let b = read_source(p, reader)?;
                Ok(Value::from(String::from_utf8_lossy(&b).into_owned()))
            };
            strvals::parse_into_file(value, &base, &mut read)
                .map_err(|e| ChartError::Values(format!("failed parsing --set-file data: {e}")))?;
        }
        for value in &self.literal_values {
            strvals::parse_literal_into(value, &base).map_err(|e| {
                ChartError::Values(format!("failed parsing --set-literal data: {e}"))
            })?;
        }
        Ok(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(s: &str) -> Vec<String> {
        split_documents(s.as_bytes())
            .unwrap()
            .into_iter()
            .map(|d| String::from_utf8(d).unwrap())
            .collect()
    }

    #[test]
    fn splitting() {
        assert_eq!(docs("a: 1\n---\nb: 2\n"), ["a: 1\n", "b: 2\n"]);
        assert_eq!(docs("---\na: 1\n--- # c\n"), ["---\na: 1\n"]);
        assert_eq!(docs("a: 1\r\nb: 2"), ["a: 1\nb: 2\n"]);
        assert_eq!(docs(""), Vec::<String>::new());
        assert!(split_documents(b"a: 1\n--- x\n").is_err());
        // The v4.2.3 drop of a final unterminated line of exactly 4096 bytes.
        let long = format!("a: 1\n{}", "b".repeat(4096));
        assert_eq!(docs(&long), ["a: 1\n"]);
        let ok = format!("a: 1\n{}", "b".repeat(4095));
        assert_eq!(docs(&ok).len(), 1);
        assert_eq!(docs(&ok)[0].len(), 5 + 4096);
    }
}
