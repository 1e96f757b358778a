//! YAML text to `Value` with `sigs.k8s.io/yaml.Unmarshal` semantics: goyaml v2 builds Go values
//! (YAML 1.1 typing, `<<` merges, aliases), `convertToJSONableObject` turns keys into strings, and
//! a JSON round trip turns every number into float64.

use std::collections::HashMap;
use std::rc::Rc;

use hoist_gotmpl::{Dict, Map, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};

use crate::resolve::{self, Resolved, short_tag};
use crate::{Error, ErrorKind, gofloat};

/// Nesting deeper than this (collections and alias expansions) is refused. goyaml has no limit,
/// but dropping very deep values would overflow the stack; real values files are shallow.
const MAX_DEPTH: usize = 1000;

/// Decodes the first YAML document of `src`, as `sigs.k8s.io/yaml.Unmarshal` into an
/// `interface{}` does. Empty input gives `Value::Nil`.
pub fn from_str(src: &str) -> Result<Value, Error> {
    let doc = parse_first_document(src)?;
    match doc {
        None => Ok(Value::Nil),
        Some(doc) => Converter::new(&doc).convert_document(),
    }
}

/// Decodes every document of a values file the way Helm v4's `LoadValues` reads it: the stream is
/// split on lines starting with `---` (k8s `YAMLReader`), and each part is decoded with
/// [`from_str`]. Empty parts are skipped by the reader; parts holding only comments or whitespace
/// decode to `Value::Nil`.
pub fn from_str_multi(src: &str) -> Result<Vec<Value>, Error> {
    split_documents(src)?
        .into_iter()
        .map(from_str)
        .collect::<Result<Vec<_>, _>>()
}

/// k8s.io/apimachinery `YAMLReader.Read` applied until EOF.
fn split_documents(src: &str) -> Result<Vec<&str>, Error> {
    let mut docs = Vec::new();
    let mut start = 0usize;
    let mut pos = 0usize;
    let bytes = src.as_bytes();
    while pos < bytes.len() {
        let end = match src[pos..].find('\n') {
            Some(i) => pos + i + 1,
            None => bytes.len(),
        };
        let line = &src[pos..end];
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(Error::new(
                    ErrorKind::DocumentSeparator,
                    format!("invalid Yaml document separator: {trimmed}"),
                ));
            }
            if pos > start {
                docs.push(&src[start..pos]);
            }
            start = end;
        }
        pos = end;
    }
    if pos > start {
        docs.push(&src[start..pos]);
    }
    Ok(docs)
}

#[derive(Debug)]
enum NodeKind {
    Scalar {
        value: String,
        tag: Option<String>,
        /// libyaml's `plain_implicit`: plain and untagged, or tagged with `!`.
        implicit: bool,
    },
    Seq(Vec<usize>),
    /// Alternating keys and values.
    Map(Vec<usize>),
    Alias {
        target: usize,
        name: String,
    },
}

#[derive(Debug)]
struct Node {
    kind: NodeKind,
}

struct Document {
    nodes: Vec<Node>,
    root: usize,
}

/// Maps char indices (saphyr's marks) to byte offsets, lazily.
fn char_to_byte(src: &str, char_index: usize) -> usize {
    src.char_indices()
        .nth(char_index)
        .map(|(b, _)| b)
        .unwrap_or(src.len())
}

/// What the tab and escape checks need to know about the token stream (saphyr accepts some input
/// that libyaml refuses).
#[derive(Default)]
struct Regions {
    /// Char ranges where tabs are content: quoted and block scalars, flow collections.
    quoted: Vec<(usize, usize)>,
    /// Char ranges of plain scalars.
    plain: Vec<(usize, usize)>,
    /// Char ranges of double-quoted scalars.
    double: Vec<(usize, usize)>,
    /// Open collections: start char index for flow ones, `usize::MAX` for block ones.
    flow_stack: Vec<usize>,
    /// Whether scalar ranges are recorded (only needed when the text has tabs or `\/`).
    track_scalars: bool,
}

/// Characters libyaml's reader accepts (anything else is "control characters are not allowed").
fn reader_allows(c: char) -> bool {
    matches!(c as u32,
        0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..)
}

/// Stands in for U+FEFF inside the text while saphyr parses it (saphyr refuses a BOM inside a
/// document, libyaml keeps it as content). The reader refuses U+FFFE, so it cannot occur.
const BOM_STAND_IN: char = '\u{FFFE}';

fn parse_first_document(src: &str) -> Result<Option<Document>, Error> {
    if !src.chars().all(reader_allows) {
        return Err(Error::yaml("yaml: control characters are not allowed"));
    }
    check_directives(src)?;
    let track = src.contains('\t') || src.contains("\\/");
    let mut text = std::borrow::Cow::Borrowed(src);
    // NEL is a line break to libyaml (YAML 1.1) and reads as "\n"; not so to saphyr.
    if text.contains('\u{85}') {
        text = std::borrow::Cow::Owned(text.replace('\u{85}', "\n"));
    }
    // A BOM after the start is content to libyaml.
    let body_start = text
        .chars()
        .next()
        .map_or(0, |c| if c == '\u{FEFF}' { 3 } else { 0 });
    if text[body_start..].contains('\u{FEFF}') {
        let mut owned = String::with_capacity(text.len());
        owned.push_str(&text[..body_start]);
        owned.push_str(&text[body_start..].replace('\u{FEFF}', &BOM_STAND_IN.to_string()));
        text = std::borrow::Cow::Owned(owned);
    }
    let mut retries = 0;
    loop {
        let mut regions = Regions {
            track_scalars: track,
            ..Regions::default()
        };
        let result = parse_events(&text, &mut regions);
        let repairable = matches!(&result, Err((e, _)) if e.repair != Repair::None);
        if track && !repairable {
            let limit = match &result {
                Ok(_) => usize::MAX,
                Err((_, at)) => next_line_end(&text, *at),
            };
            let offsets = Offsets::new(&text);
            if let Some(e) = check_tabs_and_escapes(&text, &offsets, &regions, limit) {
                return Err(e);
            }
        }
        match result {
            Err((e, at)) if e.repair != Repair::None && retries < 100 => {
                let b = char_to_byte(&text, at);
                let mut owned = text.into_owned();
                if e.repair == Repair::TabToSpace {
                    // saphyr refuses a tab that libyaml takes as separation: make it a space.
                    let line_start = owned[..b].rfind('\n').map_or(0, |i| i + 1);
                    // Up to two characters back, on the same line.
                    let from = owned[line_start..b]
                        .char_indices()
                        .rev()
                        .nth(1)
                        .map_or(line_start, |(i, _)| line_start + i);
                    let Some(off) = owned[from..].find('\t') else {
                        return Err(e.error);
                    };
                    owned.replace_range(from + off..from + off + 1, " ");
                } else if e.repair == Repair::QuotedIndent {
                    // saphyr wants the lines of a quoted scalar indented; libyaml does not care,
                    // and the leading blanks of those lines are folded away anyway.
                    if !indent_quoted_lines(&mut owned, b) {
                        return Err(e.error);
                    }
                } else {
                    // saphyr wants flow content indented; libyaml does not care.
                    indent_flow_lines(&mut owned, b);
                }
                text = std::borrow::Cow::Owned(owned);
                retries += 1;
            }
            Err((e, _)) => return Err(e.error),
            Ok(doc) => return Ok(doc),
        }
    }
}

/// The char index just past the line after the one holding `at`.
fn next_line_end(src: &str, at: usize) -> usize {
    let mut newlines = 0;
    for (i, c) in src.chars().enumerate().skip(at) {
        if c == '\n' {
            newlines += 1;
            if newlines == 2 {
                return i + 1;
            }
        }
    }
    usize::MAX
}

/// A saphyr error translated to goyaml's text, and whether a tab at its position is only
/// separation that libyaml would accept.
struct ParseError {
    error: Error,
    repair: Repair,
}

/// How to make saphyr accept what libyaml accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repair {
    None,
    TabToSpace,
    Indent,
    QuotedIndent,
}

/// The byte offset just past the character at byte `at` (a char boundary).
fn past_char(s: &str, at: usize) -> usize {
    s.get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(s.len(), |c| at + c.len_utf8())
}

/// Indents every line from the one holding byte `at` to the end of the innermost flow
/// collection open there, past the column of the line that opened it.
fn indent_flow_lines(text: &mut String, at: usize) {
    // The innermost unclosed bracket before `at` (quotes are skipped roughly).
    let bytes = text.as_bytes();
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < at.min(bytes.len()) {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if q == b'"' && c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'[' | b'{' => stack.push(i),
                b']' | b'}' => {
                    stack.pop();
                }
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    let Some(&open) = stack.last() else {
        text.insert(at, ' ');
        return;
    };
    // Its matching close bracket.
    let mut depth = 0i32;
    let mut j = open;
    let mut quote: Option<u8> = None;
    let mut close = bytes.len();
    while j < bytes.len() {
        let c = bytes[j];
        match quote {
            Some(q) => {
                if q == b'"' && c == b'\\' {
                    j += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = j;
                        break;
                    }
                }
                _ => {}
            },
        }
        j += 1;
    }
    let open_line = text[..open].rfind('\n').map_or(0, |p| p + 1);
    let col = text[open_line..open].len() - text[open_line..open].trim_start().len();
    let pad = " ".repeat(col + 1);
    let from = text[..at].rfind('\n').map_or(0, |p| p + 1);
    if from <= open_line {
        text.insert(at, ' ');
        return;
    }
    let end = close.max(from);
    let mut region = String::with_capacity(end - from + 64);
    region.push_str(&pad);
    region.push_str(&text[from..end].replace('\n', &format!("\n{pad}")));
    text.replace_range(from..end, &region);
}

/// Indents the continuation lines of the quoted scalar that holds byte `at` (or starts just
/// before it) past the column of its line's first character. Returns false when there is no
/// closed quoted scalar there.
fn indent_quoted_lines(text: &mut String, at: usize) -> bool {
    let upto = past_char(text, at);
    let Some(q) = text[..upto].rfind(['"', '\'']) else {
        return false;
    };
    let quote = text.as_bytes()[q];
    let bytes = text.as_bytes();
    let mut i = q + 1;
    let mut end = None;
    while i < bytes.len() {
        let c = bytes[i];
        if quote == b'"' && c == b'\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            end = Some(i);
            break;
        }
        i += 1;
    }
    let Some(end) = end else { return false };
    let line_start = text[..q].rfind('\n').map_or(0, |p| p + 1);
    let col = text[line_start..q].len() - text[line_start..q].trim_start().len();
    let pad = " ".repeat(col + 1);
    let inner = text[q + 1..end].replace('\n', &format!("\n{pad}"));
    if inner == text[q + 1..end] {
        return false;
    }
    text.replace_range(q + 1..end, &inner);
    true
}

/// Char index → byte offset.
struct Offsets {
    table: Option<Vec<usize>>,
}

impl Offsets {
    fn new(src: &str) -> Self {
        if src.is_ascii() {
            Offsets { table: None }
        } else {
            let mut t: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
            t.push(src.len());
            Offsets { table: Some(t) }
        }
    }

    fn byte(&self, src: &str, ci: usize) -> usize {
        match &self.table {
            None => ci.min(src.len()),
            Some(t) => t.get(ci).copied().unwrap_or(src.len()),
        }
    }
}

/// goyaml's line rule for scanner errors: 1-based, omitted on the first line.
fn scanner_error_at(line0: usize, problem: &str) -> Error {
    if line0 == 0 {
        Error::yaml(format!("yaml: {problem}"))
    } else {
        Error::yaml(format!("yaml: line {}: {problem}", line0 + 1))
    }
}

/// libyaml refuses unknown directives and `%YAML` other than 1.1.
fn check_directives(src: &str) -> Result<(), Error> {
    if !src.contains('%') {
        return Ok(());
    }
    for (line0, line) in src.lines().enumerate() {
        if line.starts_with("---") {
            break;
        }
        if let Some(rest) = line.strip_prefix('%') {
            let mut parts = rest.split_whitespace();
            match parts.next() {
                Some("YAML") => {
                    if parts.next() != Some("1.1") {
                        let e = if line0 == 0 {
                            "yaml: found incompatible YAML document".to_string()
                        } else {
                            format!("yaml: line {line0}: found incompatible YAML document")
                        };
                        return Err(Error::yaml(e));
                    }
                }
                Some("TAG") => {}
                _ => return Err(scanner_error_at(line0, "found unknown directive name")),
            }
        } else if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            break;
        }
    }
    Ok(())
}

fn in_ranges(ranges: &[(usize, usize)], ci: usize) -> Option<(usize, usize)> {
    ranges.iter().copied().find(|&(s, e)| s <= ci && ci < e)
}

/// Finds what libyaml would refuse but saphyr accepts: tabs used as indentation in block context,
/// and the `\/` escape in double-quoted scalars. Only positions before `limit` (chars) count.
fn check_tabs_and_escapes(
    src: &str,
    offsets: &Offsets,
    regions: &Regions,
    limit: usize,
) -> Option<Error> {
    let mut ci = 0usize; // char index of line start
    for (line0, line) in src.split_inclusive('\n').enumerate() {
        if ci >= limit {
            break;
        }
        let in_quoted = in_ranges(&regions.quoted, ci).is_some();
        if !in_quoted && line.contains('\t') {
            let bytes = line.as_bytes();
            let mut i = 0;
            while i < bytes.len() && bytes[i] == b' ' {
                i += 1;
            }
            let mut tab_at = None;
            if i < bytes.len() && bytes[i] == b'\t' {
                tab_at = Some(i);
            } else if i + 1 < bytes.len()
                && (bytes[i] == b'-' || bytes[i] == b'?')
                && bytes[i + 1] == b'\t'
            {
                // "-\t" and "?\t": the tab follows an indicator that allows a simple key.
                return Some(scanner_error_at(
                    line0,
                    "found character that cannot start any token",
                ));
            }
            if let Some(col) = tab_at {
                let pos = ci + col;
                if pos < limit && in_ranges(&regions.quoted, pos).is_none() {
                    // After a plain scalar the tab is met while scanning its continuation.
                    let before = &src[..offsets.byte(src, ci)];
                    let after_plain = before
                        .lines()
                        .rev()
                        .map(|l| match l.find(" #") {
                            Some(i) => &l[..i],
                            None => l,
                        })
                        .map(|l| l.trim_matches([' ', '\t', '\r']))
                        .find(|l| !l.is_empty() && !l.starts_with('#'))
                        .is_some_and(|l| {
                            !(l.ends_with(':')
                                || l.ends_with('-')
                                || l.ends_with('"')
                                || l.ends_with('\'')
                                || l.ends_with(']')
                                || l.ends_with('}')
                                || l.ends_with('|')
                                || l.ends_with('>'))
                        });
                    let problem = if after_plain {
                        "found a tab character that violates indentation"
                    } else {
                        "found character that cannot start any token"
                    };
                    return Some(scanner_error_at(line0, problem));
                }
            }
        }
        ci += line.chars().count();
    }
    // The `\/` escape (YAML 1.2) is unknown to libyaml.
    for &(s, e) in &regions.double {
        if s >= limit {
            break;
        }
        let text = src
            .get(offsets.byte(src, s)..offsets.byte(src, e))
            .unwrap_or("");
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\\' && i + 1 < b.len() {
                if b[i + 1] == b'/' {
                    let before = &src[..offsets.byte(src, s) + i];
                    let line0 = before.matches('\n').count();
                    return Some(scanner_error_at(line0, "found unknown escape character"));
                }
                i += 2;
            } else {
                i += 1;
            }
        }
    }
    None
}

type ParseFailure = (ParseError, usize);

fn parse_events(src: &str, regions: &mut Regions) -> Result<Option<Document>, ParseFailure> {
    let offsets = Offsets::new(src);
    let mut parser = Parser::new_from_str(src);
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut anchors: HashMap<usize, usize> = HashMap::new();
    let mut root: Option<usize> = None;
    let mut in_doc = false;
    while let Some(ev) = parser.next_event() {
        let (event, span) = ev.map_err(|e| {
            let repair = match e.info() {
                "':' must be followed by a valid YAML whitespace"
                | "tab cannot be used as indentation" => Repair::TabToSpace,
                "invalid indentation in quoted scalar" => Repair::QuotedIndent,
                "invalid indentation" | "invalid indentation in flow construct" => {
                    let in_flow = regions.flow_stack.iter().any(|&f| f != usize::MAX);
                    if in_flow {
                        Repair::Indent
                    } else {
                        Repair::None
                    }
                }
                _ => Repair::None,
            };
            (
                ParseError {
                    error: scan_error(src, &e),
                    repair,
                },
                e.marker().index(),
            )
        })?;
        {
            let r = &mut *regions;
            let (st, en) = (span.start.index(), span.end.index());
            match &event {
                Event::Scalar(_, style, _, _) if r.track_scalars => match style {
                    ScalarStyle::Plain => r.plain.push((st, en)),
                    ScalarStyle::DoubleQuoted => {
                        r.double.push((st, en));
                        r.quoted.push((st, en));
                    }
                    _ => r.quoted.push((st, en)),
                },
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    let c = src[offsets.byte(src, st)..].chars().next();
                    if matches!(c, Some('[' | '{')) {
                        r.flow_stack.push(st);
                    } else {
                        r.flow_stack.push(usize::MAX);
                    }
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some(fst) = r.flow_stack.pop()
                        && fst != usize::MAX
                    {
                        r.quoted.push((fst, en.max(fst + 1)));
                    }
                }
                _ => {}
            }
        }
        let new_node = match event {
            Event::StreamStart | Event::Nothing => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                in_doc = true;
                continue;
            }
            Event::DocumentEnd => {
                if in_doc {
                    break;
                }
                continue;
            }
            Event::Alias(id) => {
                let name = alias_name(src, &span);
                let Some(&target) = anchors.get(&id) else {
                    let error = Error::yaml(format!("yaml: unknown anchor '{name}' referenced"));
                    return Err((
                        ParseError {
                            error,
                            repair: Repair::None,
                        },
                        span.start.index(),
                    ));
                };
                Some(Node {
                    kind: NodeKind::Alias { target, name },
                })
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let implicit = match &tag {
                    None => style == ScalarStyle::Plain,
                    Some(t) => t == "!",
                };
                let idx = nodes.len();
                if anchor != 0 {
                    anchors.insert(anchor, idx);
                }
                Some(Node {
                    kind: NodeKind::Scalar {
                        value: value.into_owned(),
                        tag,
                        implicit,
                    },
                })
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_seq = matches!(event, Event::SequenceStart(..));
                let idx = nodes.len();
                if anchor != 0 {
                    anchors.insert(anchor, idx);
                }
                if stack.len() >= MAX_DEPTH {
                    let error = depth_error();
                    return Err((
                        ParseError {
                            error,
                            repair: Repair::None,
                        },
                        span.start.index(),
                    ));
                }
                nodes.push(Node {
                    kind: if is_seq {
                        NodeKind::Seq(Vec::new())
                    } else {
                        NodeKind::Map(Vec::new())
                    },
                });
                attach(&mut nodes, &stack, &mut root, idx);
                stack.push(idx);
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                None
            }
        };
        if let Some(node) = new_node {
            let idx = nodes.len();
            nodes.push(node);
            attach(&mut nodes, &stack, &mut root, idx);
        }
    }
    Ok(root.map(|root| Document { nodes, root }))
}

fn attach(nodes: &mut [Node], stack: &[usize], root: &mut Option<usize>, idx: usize) {
    match stack.last() {
        Some(&parent) => match &mut nodes[parent].kind {
            NodeKind::Seq(items) | NodeKind::Map(items) => items.push(idx),
            _ => {}
        },
        None => {
            if root.is_none() {
                *root = Some(idx);
            }
        }
    }
}

fn alias_name(src: &str, span: &Span) -> String {
    let start = char_to_byte(src, span.start.index());
    let end = char_to_byte(src, span.end.index());
    let text = src.get(start..end).unwrap_or("");
    text.trim_start_matches('*').trim().to_string()
}

fn depth_error() -> Error {
    Error::yaml(format!("yaml: exceeded max depth of {MAX_DEPTH}"))
}

/// Translates a saphyr scanner/parser error into goyaml's text: only the libyaml "problem", with
/// goyaml's line rule (scanner errors report the 1-based line, parser errors the 0-based one, and
/// nothing when that is 0).
fn scan_error(src: &str, e: &ScanError) -> Error {
    let info = e.info();
    let mark = e.marker();
    let line0 = mark.line().saturating_sub(1);
    let (problem, parser_err): (String, bool) = match info {
        i if i.starts_with("unexpected character: ") => {
            ("found character that cannot start any token".into(), false)
        }
        "simple key expect ':'" => ("could not find expected ':'".into(), false),
        "while parsing a block mapping, did not find expected key" => {
            ("did not find expected key".into(), true)
        }
        "while parsing a block collection, did not find expected '-' indicator" => {
            ("did not find expected '-' indicator".into(), true)
        }
        "while parsing a node, did not find expected node content" => {
            ("did not find expected node content".into(), true)
        }
        "while parsing a flow mapping, did not find expected ',' or '}'"
        | "illegal placement of ':' indicator" => {
            // saphyr reads `[a: b: c]` as an implicit mapping; libyaml blames the sequence.
            let at = char_to_byte(src, mark.index());
            let mut depth = 0i32;
            let mut innermost = '{';
            for c in src[..at].chars().rev() {
                match c {
                    ']' | '}' => depth += 1,
                    '[' | '{' => {
                        if depth == 0 {
                            innermost = c;
                            break;
                        }
                        depth -= 1;
                    }
                    _ => {}
                }
            }
            if innermost == '[' {
                ("did not find expected ',' or ']'".into(), true)
            } else {
                ("did not find expected ',' or '}'".into(), true)
            }
        }
        "while parsing a flow sequence, expected ',' or ']'" => {
            ("did not find expected ',' or ']'".into(), true)
        }
        "did not find expected <document start>" | "did not find expected <document-start>" => {
            ("did not find expected <document start>".into(), true)
        }
        "while scanning a quoted scalar, found unexpected end of stream" => {
            let line0 = src.matches('\n').count();
            return scanner_error_at(line0, "found unexpected end of stream");
        }
        "invalid indentation in quoted scalar" => {
            let at = char_to_byte(src, mark.index());
            let quote_at = src[..past_char(src, at)].rfind(['"', '\'']).unwrap_or(0);
            if !src[quote_at + 1..].contains(['"', '\'']) {
                let line0 = src.matches('\n').count();
                return scanner_error_at(line0, "found unexpected end of stream");
            }
            (info.to_string(), false)
        }
        "misplaced bracket" => {
            let at = char_to_byte(src, mark.index());
            let before = src[..at].trim_end_matches([' ', '\t']);
            let problem = if before.ends_with(':') || before.ends_with('-') || before.ends_with('?')
            {
                "did not find expected node content"
            } else {
                "did not find expected key"
            };
            (problem.into(), true)
        }
        "while scanning a quoted scalar, found unexpected document indicator" => {
            ("found unexpected document indicator".into(), false)
        }
        "while parsing a quoted scalar, found unknown escape character" => {
            ("found unknown escape character".into(), false)
        }
        "while scanning a plain scalar, found a tab"
        | "tabs disallowed within this context (block indentation)"
        | "tabs disallowed in this context" => {
            ("found character that cannot start any token".into(), false)
        }
        "while parsing node, found unknown anchor" => {
            let name = {
                let start = char_to_byte(src, mark.index());
                let rest = src.get(start..).unwrap_or("");
                let rest = rest.trim_start_matches('*');
                rest.split(|c: char| c.is_whitespace() || ",[]{}".contains(c))
                    .next()
                    .unwrap_or("")
                    .to_string()
            };
            return Error::yaml(format!("yaml: unknown anchor '{name}' referenced"));
        }
        other => {
            let p = match other.strip_prefix("while ") {
                Some(rest) => rest.split_once(", ").map(|(_, p)| p).unwrap_or(other),
                None => other,
            };
            (p.to_string(), other.starts_with("while parsing"))
        }
    };
    let line = if parser_err { line0 } else { line0 + 1 };
    let line = if line0 == 0 { 0 } else { line };
    if line == 0 {
        Error::yaml(format!("yaml: {problem}"))
    } else {
        Error::yaml(format!("yaml: line {line}: {problem}"))
    }
}

/// goyaml's alias-ratio limit (decode.go `allowedAliasRatio`).
fn allowed_alias_ratio(decode_count: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

/// A decoded scalar before the JSON step.
enum Scalar {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

struct Converter<'d> {
    doc: &'d Document,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
    active_aliases: Vec<usize>,
    depth: usize,
    /// The first value json.Marshal would refuse (`+Inf`, `-Inf`, `NaN`).
    json_error: Option<String>,
}

impl<'d> Converter<'d> {
    fn new(doc: &'d Document) -> Self {
        Converter {
            doc,
            decode_count: 0,
            alias_count: 0,
            alias_depth: 0,
            active_aliases: Vec::new(),
            depth: 0,
            json_error: None,
        }
    }

    fn convert_document(mut self) -> Result<Value, Error> {
        self.count()?; // the document node
        let v = self.convert(self.doc.root)?;
        if let Some(e) = self.json_error {
            return Err(Error::json(e));
        }
        Ok(v)
    }

    fn count(&mut self) -> Result<(), Error> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(Error::yaml("yaml: document contains excessive aliasing"));
        }
        Ok(())
    }

    fn convert(&mut self, n: usize) -> Result<Value, Error> {
        stacker::maybe_grow(crate::encode::RED_ZONE, crate::encode::STACK_CHUNK, || {
            self.convert_inner(n)
        })
    }

    fn convert_inner(&mut self, n: usize) -> Result<Value, Error> {
        self.count()?;
        let node = &self.doc.nodes[n];
        match &node.kind {
            NodeKind::Alias { target, name } => {
                let target = *target;
                if self.active_aliases.contains(&n) {
                    return Err(Error::yaml(format!(
                        "yaml: anchor '{name}' value contains itself"
                    )));
                }
                self.enter()?;
                self.active_aliases.push(n);
                self.alias_depth += 1;
                let r = self.convert(target);
                self.alias_depth -= 1;
                self.active_aliases.pop();
                self.depth -= 1;
                r
            }
            NodeKind::Scalar { .. } => {
                let s = self.scalar(n)?;
                Ok(self.scalar_value(s))
            }
            NodeKind::Seq(items) => {
                self.enter()?;
                let mut out = Vec::with_capacity(items.len());
                for &item in items {
                    out.push(self.convert(item)?);
                }
                self.depth -= 1;
                Ok(Value::List(Rc::new(out)))
            }
            NodeKind::Map(_) => {
                self.enter()?;
                let mut map = Map::new();
                self.mapping_into(n, &mut map)?;
                self.depth -= 1;
                Ok(Value::Map(Dict::new(map)))
            }
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(depth_error());
        }
        Ok(())
    }

    /// Decodes a mapping node into `map` (goyaml `d.mapping` with an existing map: merges write
    /// into the same map, in document order).
    fn mapping_into(&mut self, n: usize, map: &mut Map) -> Result<(), Error> {
        let NodeKind::Map(items) = &self.doc.nodes[n].kind else {
            return Ok(());
        };
        for pair in items.chunks(2) {
            let (k, v) = (pair[0], pair.get(1).copied());
            let Some(v) = v else { break };
            if self.is_merge(k) {
                self.merge(v, map)?;
                continue;
            }
            let key = self.key(k)?;
            let value = self.convert(v)?;
            map.insert(key, value);
        }
        Ok(())
    }

    fn is_merge(&self, n: usize) -> bool {
        match &self.doc.nodes[n].kind {
            NodeKind::Scalar {
                value,
                tag,
                implicit,
            } => value == "<<" && (*implicit || tag.as_deref() == Some(resolve::MERGE_TAG)),
            _ => false,
        }
    }

    fn want_map() -> Error {
        Error::yaml("yaml: map merge requires map or sequence of maps as the value")
    }

    fn is_map_or_alias_to_map(&self, n: usize) -> bool {
        match &self.doc.nodes[n].kind {
            NodeKind::Map(_) => true,
            NodeKind::Alias { target, .. } => {
                matches!(self.doc.nodes[*target].kind, NodeKind::Map(_))
            }
            _ => false,
        }
    }

    fn merge(&mut self, n: usize, map: &mut Map) -> Result<(), Error> {
        match &self.doc.nodes[n].kind {
            NodeKind::Map(_) | NodeKind::Alias { .. } => {
                if !self.is_map_or_alias_to_map(n) {
                    return Err(Self::want_map());
                }
                self.merge_one(n, map)
            }
            NodeKind::Seq(items) => {
                for &item in items.iter().rev() {
                    if !self.is_map_or_alias_to_map(item) {
                        return Err(Self::want_map());
                    }
                    self.merge_one(item, map)?;
                }
                Ok(())
            }
            NodeKind::Scalar { .. } => Err(Self::want_map()),
        }
    }

    /// `d.unmarshal(n, out)` where out is the existing map and n is a mapping or an alias to one.
    fn merge_one(&mut self, n: usize, map: &mut Map) -> Result<(), Error> {
        stacker::maybe_grow(crate::encode::RED_ZONE, crate::encode::STACK_CHUNK, || {
            self.merge_one_inner(n, map)
        })
    }

    fn merge_one_inner(&mut self, n: usize, map: &mut Map) -> Result<(), Error> {
        self.count()?;
        match &self.doc.nodes[n].kind {
            NodeKind::Alias { target, name } => {
                let target = *target;
                if self.active_aliases.contains(&n) {
                    return Err(Error::yaml(format!(
                        "yaml: anchor '{name}' value contains itself"
                    )));
                }
                self.enter()?;
                self.active_aliases.push(n);
                self.alias_depth += 1;
                let r = self.merge_one(target, map);
                self.alias_depth -= 1;
                self.active_aliases.pop();
                self.depth -= 1;
                r
            }
            NodeKind::Map(_) => {
                self.enter()?;
                let r = self.mapping_into(n, map);
                self.depth -= 1;
                r
            }
            _ => Err(Self::want_map()),
        }
    }

    /// The string form of a map key (`convertToJSONableObject`).
    fn key(&mut self, n: usize) -> Result<String, Error> {
        // Resolve through aliases.
        let mut target = n;
        let mut hops = 0;
        while let NodeKind::Alias { target: t, .. } = &self.doc.nodes[target].kind {
            target = *t;
            hops += 1;
            if hops > MAX_DEPTH {
                return Err(depth_error());
            }
        }
        match &self.doc.nodes[target].kind {
            NodeKind::Scalar { .. } => {}
            _ => {
                // Decode it anyway to report goyaml's error text.
                let v = self.convert(n)?;
                return Err(Error::yaml(format!(
                    "yaml: invalid map key: {}",
                    go_sharp_v(&v)
                )));
            }
        }
        self.count()?;
        let s = self.scalar(target)?;
        Ok(match s {
            Scalar::Str(s) => s,
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => {
                let s = gofloat::format_float(f, b'g', true);
                match s.as_str() {
                    "+Inf" => ".inf".into(),
                    "-Inf" => "-.inf".into(),
                    "NaN" => ".nan".into(),
                    _ => s,
                }
            }
            Scalar::Bool(b) => if b { "true" } else { "false" }.into(),
            Scalar::Nil => {
                let v = self.convert(self.value_after_key(n))?;
                return Err(Error::yaml(format!(
                    "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                    go_sharp_v(&v)
                )));
            }
            Scalar::Uint(u) => {
                let v = self.convert(self.value_after_key(n))?;
                return Err(Error::yaml(format!(
                    "unsupported map key of type: uint64, key: {u:#x}, value: {}",
                    go_sharp_v(&v)
                )));
            }
        })
    }

    /// The value node that follows key node `k` in its mapping.
    fn value_after_key(&self, k: usize) -> usize {
        for node in &self.doc.nodes {
            if let NodeKind::Map(items) = &node.kind {
                for pair in items.chunks(2) {
                    if pair[0] == k
                        && let Some(&v) = pair.get(1)
                    {
                        return v;
                    }
                }
            }
        }
        k
    }

    /// goyaml `d.scalar` into an `interface{}`.
    fn scalar(&mut self, n: usize) -> Result<Scalar, Error> {
        let node = &self.doc.nodes[n];
        let NodeKind::Scalar {
            value,
            tag,
            implicit,
        } = &node.kind
        else {
            return Ok(Scalar::Nil);
        };
        let tag_s = tag.as_deref().unwrap_or("");
        if tag_s == resolve::NULL_TAG {
            // prepare(): an explicit !!null is nil whatever the text... but resolve still
            // checks the text below, as goyaml's d.scalar does.
        }
        if tag_s.is_empty() && !*implicit {
            return Ok(Scalar::Str(restore_bom(value)));
        }
        // resolve(tag, value)
        let resolvable = matches!(
            tag_s,
            "" | resolve::STR_TAG
                | resolve::BOOL_TAG
                | resolve::INT_TAG
                | resolve::FLOAT_TAG
                | resolve::NULL_TAG
                | resolve::TIMESTAMP_TAG
        );
        if !resolvable {
            if tag_s == resolve::BINARY_TAG {
                return match decode_base64(value) {
                    Some(bytes) => Ok(Scalar::Str(go_lossy_utf8(&bytes))),
                    None => Err(Error::yaml(
                        "yaml: !!binary value contains invalid base64 data",
                    )),
                };
            }
            return Ok(Scalar::Str(restore_bom(value)));
        }
        let r = if tag_s == resolve::STR_TAG {
            Resolved::Str
        } else {
            resolve::resolve_hinted(value, tag_s.is_empty() || tag_s == resolve::TIMESTAMP_TAG)
        };
        let r = if !tag_s.is_empty() && tag_s != resolve::STR_TAG && r.tag() != tag_s {
            match (&r, tag_s) {
                (Resolved::Int(i), resolve::FLOAT_TAG) => Resolved::Float(*i as f64),
                _ => {
                    let shown = if r == Resolved::Merge {
                        // "<<" resolves to the merge tag
                        short_tag(resolve::MERGE_TAG)
                    } else {
                        short_tag(r.tag())
                    };
                    return Err(Error::yaml(format!(
                        "yaml: cannot decode {shown} `{value}` as a {}",
                        short_tag(tag_s)
                    )));
                }
            }
        } else {
            r
        };
        Ok(match r {
            Resolved::Null => Scalar::Nil,
            Resolved::Bool(b) => Scalar::Bool(b),
            Resolved::Int(i) => Scalar::Int(i),
            Resolved::Uint(u) => Scalar::Uint(u),
            Resolved::Float(f) => Scalar::Float(f),
            Resolved::Merge | Resolved::Timestamp | Resolved::Str => {
                Scalar::Str(restore_bom(value))
            }
        })
    }

    fn scalar_value(&mut self, s: Scalar) -> Value {
        match s {
            Scalar::Nil => Value::Nil,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Float(i as f64),
            Scalar::Uint(u) => Value::Float(u as f64),
            Scalar::Float(f) => {
                if !f.is_finite() && self.json_error.is_none() {
                    let text = gofloat::format_float(f, b'g', false);
                    self.json_error = Some(format!("json: unsupported value: {text}"));
                }
                Value::Float(f)
            }
            Scalar::Str(s) => Value::String(Rc::from(s)),
        }
    }
}

/// Undoes the BOM stand-in used while parsing.
fn restore_bom(s: &str) -> String {
    if s.contains(BOM_STAND_IN) {
        s.replace(BOM_STAND_IN, "\u{FEFF}")
    } else {
        s.to_string()
    }
}

/// Go's `string(bytes)` seen through encoding/json: each invalid byte becomes U+FFFD.
pub(crate) fn go_lossy_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match std::str::from_utf8(&bytes[i..]) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&bytes[i..i + good]).unwrap_or(""));
                out.push('\u{FFFD}');
                i += good + 1;
            }
        }
    }
    out
}

/// Go `base64.StdEncoding.DecodeString` (padding required; `\r` and `\n` ignored).
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'\n' && c != b'\r').collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for (ci, chunk) in clean.chunks(4).enumerate() {
        let last = ci == clean.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | val(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Go's `%#v` of a decoded value (used only in rare error texts). Inside containers a nil is
/// `interface {}(nil)`.
fn go_sharp_v(v: &Value) -> String {
    go_sharp_v_in(v, false)
}

fn go_sharp_v_in(v: &Value, nested: bool) -> String {
    match v {
        Value::Nil if nested => "interface {}(nil)".into(),
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => gofloat::format_float(*f, b'g', false),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::String(s) => format!("{:?}", &**s),
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(|x| go_sharp_v_in(x, true)).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        Value::Map(d) => {
            let inner: Vec<String> = d
                .borrow()
                .iter()
                .map(|(k, v)| format!("{k:?}:{}", go_sharp_v_in(v, true)))
                .collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents() {
        assert_eq!(
            split_documents("a: 1\n---\nb: 2\n").unwrap(),
            vec!["a: 1\n", "b: 2\n"]
        );
        assert_eq!(split_documents("---\na: 1\n").unwrap(), vec!["a: 1\n"]);
        assert!(split_documents("--- a: 1\n").is_err());
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert!(decode_base64("aGVsbG8").is_none());
    }
}
