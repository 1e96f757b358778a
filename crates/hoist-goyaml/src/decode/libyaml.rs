//! What libyaml (goyaml's scanner and parser) accepts or refuses differently from saphyr, the
//! YAML 1.2 parser underneath: its reader's character set, tabs, directives, anchor names, error
//! texts and line numbers, and repairs that let saphyr read what libyaml reads.

use saphyr_parser::ScanError;

use crate::Error;

/// Maps char indices (saphyr's marks) to byte offsets, lazily.
pub(super) fn char_to_byte(src: &str, char_index: usize) -> usize {
    src.char_indices()
        .nth(char_index)
        .map(|(b, _)| b)
        .unwrap_or(src.len())
}

/// What the tab and escape checks need to know about the token stream (saphyr accepts some input
/// that libyaml refuses).
#[derive(Default)]
pub(super) struct Regions {
    /// Char ranges where tabs are content: quoted and block scalars, flow collections.
    pub(super) quoted: Vec<(usize, usize)>,
    /// Char ranges of plain scalars.
    pub(super) plain: Vec<(usize, usize)>,
    /// Char ranges of double-quoted scalars.
    pub(super) double: Vec<(usize, usize)>,
    /// For each block (literal or folded) scalar, the char index where the search for its
    /// `|`/`>` header starts (the end of the previous token).
    pub(super) blocks: Vec<usize>,
    /// The end of the last event's span (char index).
    pub(super) prev_end: usize,
    /// Open collections: start char index for flow ones, `usize::MAX` for block ones.
    pub(super) flow_stack: Vec<usize>,
    /// Whether scalar ranges are recorded (only needed when the text has tabs or `\/`).
    pub(super) track_scalars: bool,
}

/// Characters libyaml's reader accepts (anything else is "control characters are not allowed").
pub(super) fn reader_allows(c: char) -> bool {
    matches!(c as u32,
        0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..)
}

/// Stands in for U+FEFF inside the text while saphyr parses it (saphyr refuses a BOM inside a
/// document, libyaml keeps it as content). The reader refuses U+FFFE, so it cannot occur.
pub(super) const BOM_STAND_IN: char = '\u{FFFE}';

/// The char index just past the line after the one holding `at`.
pub(super) fn next_line_end(src: &str, at: usize) -> usize {
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
pub(super) struct ParseError {
    pub(super) error: Error,
    pub(super) repair: Repair,
}

/// How to make saphyr accept what libyaml accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Repair {
    None,
    TabToSpace,
    Indent,
    QuotedIndent,
}

/// The byte offset just past the character at byte `at` (a char boundary).
pub(super) fn past_char(s: &str, at: usize) -> usize {
    s.get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(s.len(), |c| at + c.len_utf8())
}

/// Indents every line from the one holding byte `at` to the end of the innermost flow
/// collection open there, past the column of the line that opened it.
pub(super) fn indent_flow_lines(text: &mut String, at: usize) {
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
pub(super) fn indent_quoted_lines(text: &mut String, at: usize) -> bool {
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
pub(super) struct Offsets {
    table: Option<Vec<usize>>,
}

impl Offsets {
    pub(super) fn new(src: &str) -> Self {
        if src.is_ascii() {
            Offsets { table: None }
        } else {
            let mut t: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
            t.push(src.len());
            Offsets { table: Some(t) }
        }
    }

    pub(super) fn byte(&self, src: &str, ci: usize) -> usize {
        match &self.table {
            None => ci.min(src.len()),
            Some(t) => t.get(ci).copied().unwrap_or(src.len()),
        }
    }
}

/// goyaml's line rule for scanner errors: 1-based, omitted on the first line.
pub(super) fn scanner_error_at(line0: usize, problem: &str) -> Error {
    if line0 == 0 {
        Error::yaml(format!("yaml: {problem}"))
    } else {
        Error::yaml(format!("yaml: line {}: {problem}", line0 + 1))
    }
}

/// libyaml refuses unknown directives and `%YAML` other than 1.1.
pub(super) fn check_directives(src: &str) -> Result<(), Error> {
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

pub(super) fn in_ranges(ranges: &[(usize, usize)], ci: usize) -> Option<(usize, usize)> {
    ranges.iter().copied().find(|&(s, e)| s <= ci && ci < e)
}

/// Finds what libyaml would refuse but saphyr accepts: tabs used as indentation in block context,
/// and the `\/` escape in double-quoted scalars. Only positions before `limit` (chars) count.
pub(super) fn check_tabs_and_escapes(
    src: &str,
    offsets: &Offsets,
    regions: &Regions,
    limit: usize,
) -> Option<Error> {
    // Block scalars: their content lines (byte ranges) are exempt from the line check, and a tab
    // where they expect indentation is an error of its own.
    let mut block_ranges = Vec::new();
    let mut block_err = None;
    for &st in regions.blocks.iter().filter(|&&st| st < limit) {
        let Some(header) = find_block_header(src, offsets.byte(src, st)) else {
            continue;
        };
        let (err, range) = block_scalar_tab(src, header);
        if let Some(range) = range {
            block_ranges.push(range);
        }
        if block_err.is_none() {
            block_err = err;
        }
    }
    let line_err = line_tabs_and_escapes(src, offsets, regions, &block_ranges, limit);
    match (block_err, line_err) {
        (Some((bl, be)), Some((ll, le))) => Some(if bl <= ll { be } else { le }),
        (Some((_, e)), None) | (None, Some((_, e))) => Some(e),
        (None, None) => None,
    }
}

/// The byte offset of a block scalar's `|` or `>` at or after byte `from` (comments skipped).
pub(super) fn find_block_header(src: &str, from: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'|' | b'>' => return Some(i),
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// libyaml's `yaml_parser_scan_block_scalar_breaks` check: before the content indentation is
/// known, or left of it, a tab is refused. `header` is the byte offset of the `|`/`>`. Returns
/// the error (with its 0-based line) and the byte range of the content lines.
#[allow(clippy::type_complexity)]
pub(super) fn block_scalar_tab(
    src: &str,
    header: usize,
) -> (Option<(usize, Error)>, Option<(usize, usize)>) {
    let Some(line_end) = src[header..].find('\n').map(|i| header + i + 1) else {
        return (None, None);
    };
    let head = &src[header..line_end];
    let explicit = head
        .bytes()
        .skip(1)
        .take_while(|c| !c.is_ascii_whitespace())
        .any(|c| c.is_ascii_digit());
    let first_line = src[..line_end].matches('\n').count();
    let mut indent: Option<usize> = None;
    let mut pos = line_end;
    let mut end = line_end;
    for (line0, line) in (first_line..).zip(src[line_end..].split_inclusive('\n')) {
        let col = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[col..];
        let blank = rest.trim_end_matches(['\r', '\n']).is_empty();
        match indent {
            None => {
                if rest.starts_with('\t') && !explicit {
                    return (Some((line0, tab_indent_error(line0))), None);
                }
                if !blank {
                    indent = Some(col);
                }
            }
            Some(ind) => {
                if col < ind {
                    if rest.starts_with('\t') && !explicit {
                        return (Some((line0, tab_indent_error(line0))), None);
                    }
                    if !blank {
                        break;
                    }
                }
            }
        }
        pos += line.len();
        if !blank {
            end = pos;
        }
    }
    (None, Some((line_end, end)))
}

pub(super) fn tab_indent_error(line0: usize) -> Error {
    scanner_error_at(
        line0,
        "found a tab character where an indentation space is expected",
    )
}

pub(super) fn line_tabs_and_escapes(
    src: &str,
    offsets: &Offsets,
    regions: &Regions,
    block_ranges: &[(usize, usize)],
    limit: usize,
) -> Option<(usize, Error)> {
    let mut ci = 0usize; // char index of line start
    let mut bi = 0usize; // byte offset of line start
    for (line0, line) in src.split_inclusive('\n').enumerate() {
        if ci >= limit {
            break;
        }
        let in_block = in_ranges(block_ranges, bi).is_some();
        bi += line.len();
        let in_quoted = in_block || in_ranges(&regions.quoted, ci).is_some();
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
                return Some((
                    line0,
                    scanner_error_at(line0, "found character that cannot start any token"),
                ));
            }
            if let Some(col) = tab_at {
                let pos = ci + col;
                if pos < limit && in_ranges(&regions.quoted, pos).is_none() {
                    // After a plain scalar the tab is met while scanning its continuation; after
                    // a block scalar header, while looking for its indentation.
                    let before = &src[..offsets.byte(src, ci)];
                    let prev = before
                        .lines()
                        .rev()
                        .map(|l| match l.find(" #") {
                            Some(i) => &l[..i],
                            None => l,
                        })
                        .map(|l| l.trim_matches([' ', '\t', '\r']))
                        .find(|l| !l.is_empty() && !l.starts_with('#'));
                    let after_header = prev.is_some_and(|l| {
                        let l = l
                            .trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
                        l.ends_with('|') || l.ends_with('>')
                    });
                    if after_header {
                        return Some((line0, tab_indent_error(line0)));
                    }
                    let after_plain = prev.is_some_and(|l| {
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
                    return Some((line0, scanner_error_at(line0, problem)));
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
                    return Some((
                        line0,
                        scanner_error_at(line0, "found unknown escape character"),
                    ));
                }
                i += 2;
            } else {
                i += 1;
            }
        }
    }
    None
}

/// libyaml's anchor names are `[0-9A-Za-z_-]+`, followed by a blank or one of `?:,]}%@\``.
/// saphyr accepts more (`&x.y`); for a name it took, the error libyaml gives, if any.
pub(super) fn check_anchor_name(src: &str, name: &str) -> Option<Error> {
    let valid = name
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .count();
    let rest = &name[valid..];
    let next = rest.chars().next()?;
    if valid > 0 && "?:,]}%@`".contains(next) {
        return None;
    }
    // Report it where the anchor is defined, if it can be found.
    let def = format!("&{name}");
    let line0 = src
        .match_indices(&def)
        .next()
        .map_or(0, |(i, _)| src[..i].matches('\n').count());
    Some(scanner_error_at(
        line0,
        "did not find expected alphabetic or numeric character",
    ))
}

/// Translates a saphyr scanner/parser error into goyaml's text: only the libyaml "problem", with
/// goyaml's line rule (scanner errors report the 1-based line, parser errors the 0-based one, and
/// nothing when that is 0).
pub(super) fn scan_error(src: &str, e: &ScanError) -> Error {
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
        "the handle wasn't declared" => ("found undefined tag handle".into(), true),
        "a block scalar content cannot start with a tab" => {
            return tab_indent_error(line0);
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

/// Undoes the BOM stand-in used while parsing.
pub(super) fn restore_bom(s: &str) -> String {
    if s.contains(BOM_STAND_IN) {
        s.replace(BOM_STAND_IN, "\u{FEFF}")
    } else {
        s.to_string()
    }
}
