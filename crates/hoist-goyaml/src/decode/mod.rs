//! YAML text to `Value` with `sigs.k8s.io/yaml.Unmarshal` semantics: goyaml v2 builds Go values
//! (YAML 1.1 typing, `<<` merges, aliases), `convertToJSONableObject` turns keys into strings, and
//! a JSON round trip turns every number into float64.

mod convert;
mod libyaml;

use std::collections::HashMap;

use hoist_gotmpl::Value;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use self::convert::Converter;
use self::libyaml::{
    BOM_STAND_IN, Offsets, ParseError, Regions, Repair, char_to_byte, check_anchor_name,
    check_directives, check_tabs_and_escapes, indent_flow_lines, indent_quoted_lines,
    next_line_end, reader_allows, scan_error,
};
use crate::{Error, ErrorKind};

/// Nesting deeper than this (collections and alias expansions) is refused. goyaml has no limit,
/// but dropping very deep values would overflow the stack; real values files are shallow.
pub(super) const MAX_DEPTH: usize = 1000;

/// Decodes the first YAML document of `src`, as `sigs.k8s.io/yaml.Unmarshal` into an
/// `interface{}` does. Empty input gives `Value::Nil`.
pub fn from_str(src: &str) -> Result<Value, Error> {
    let doc = parse_first_document(src)?;
    match doc {
        None => Ok(Value::Nil),
        Some(doc) => Converter::new(&doc).convert_document(),
    }
}

/// [`from_str`] keeping goyaml's number types: ints as `Int64`, uints beyond `i64` as their
/// decimal text, floats as `Float` (what `sigs.k8s.io/yaml` sees before its JSON step).
pub(crate) fn from_str_typed(src: &str) -> Result<Value, Error> {
    let doc = parse_first_document(src)?;
    match doc {
        None => Ok(Value::Nil),
        Some(doc) => {
            let mut c = Converter::new(&doc);
            c.typed_numbers = true;
            c.convert_document()
        }
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
pub(super) enum NodeKind {
    Scalar {
        value: String,
        tag: Option<String>,
        /// libyaml's `plain_implicit`: plain and untagged, or tagged with `!`.
        implicit: bool,
        /// For an empty plain scalar that saphyr made up in front of a `:` (`: v`), which libyaml
        /// refuses as a key: the error it gives.
        missing_key: Option<Box<Error>>,
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
pub(super) struct Node {
    pub(super) kind: NodeKind,
}

pub(super) struct Document {
    pub(super) nodes: Vec<Node>,
    pub(super) root: usize,
}

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

type ParseFailure = (ParseError, usize);

/// A parse failure at byte `at` that no repair of the input can avoid.
fn plain_failure(error: Error, at: usize) -> ParseFailure {
    (
        ParseError {
            error,
            repair: Repair::None,
        },
        at,
    )
}

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
            let prev_end = r.prev_end;
            r.prev_end = en.max(prev_end);
            match &event {
                Event::Scalar(_, style, _, _) if r.track_scalars => match style {
                    ScalarStyle::Plain => r.plain.push((st, en)),
                    ScalarStyle::DoubleQuoted => {
                        r.double.push((st, en));
                        r.quoted.push((st, en));
                    }
                    ScalarStyle::Literal | ScalarStyle::Folded => {
                        // saphyr's span covers only the end of a block scalar; its header
                        // follows the previous token.
                        r.blocks.push(prev_end);
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
                let name = alias_name(src, &offsets, &span);
                if let Some(error) = check_anchor_name(src, &name) {
                    return Err(plain_failure(error, span.start.index()));
                }
                let Some(&target) = anchors.get(&id) else {
                    let error = Error::yaml(format!("yaml: unknown anchor '{name}' referenced"));
                    return Err(plain_failure(error, span.start.index()));
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
                let missing_key = if value.is_empty() && tag.is_none() && anchor == 0 && implicit {
                    let at = offsets.byte(src, span.start.index());
                    if src.as_bytes().get(at) == Some(&b':') {
                        let in_flow = regions.flow_stack.iter().any(|&f| f != usize::MAX);
                        let problem = if in_flow {
                            "did not find expected node content"
                        } else {
                            "did not find expected key"
                        };
                        let line0 = span.start.line().saturating_sub(1);
                        Some(Box::new(if line0 == 0 {
                            Error::yaml(format!("yaml: {problem}"))
                        } else {
                            Error::yaml(format!("yaml: line {line0}: {problem}"))
                        }))
                    } else {
                        None
                    }
                } else {
                    None
                };
                Some(Node {
                    kind: NodeKind::Scalar {
                        value: value.into_owned(),
                        tag,
                        implicit,
                        missing_key,
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
                    return Err(plain_failure(error, span.start.index()));
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

fn alias_name(src: &str, offsets: &Offsets, span: &Span) -> String {
    let start = offsets.byte(src, span.start.index());
    let end = offsets.byte(src, span.end.index());
    let text = src.get(start..end).unwrap_or("");
    text.trim_start_matches('*').trim().to_string()
}

pub(super) fn depth_error() -> Error {
    Error::yaml(format!("yaml: exceeded max depth of {MAX_DEPTH}"))
}

#[cfg(test)]
mod tests {
    use super::convert::decode_base64;
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
