//! A port of the goyaml emitter (`emitterc.go`, itself a port of libyaml) for the events the
//! encoders produce: block mappings and sequences, empty flow collections, and plain, quoted and
//! literal scalars. One emitter serves goyaml v2 (`toYaml`) and v3 (`toYamlPretty`); `v3` switches
//! the few places where they differ (sequence indentation, indent regularisation, tabs, line
//! width).

/// A scalar style, as requested by the encoder or chosen by the emitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// The emitter state pushed by the caller of a node (what v3's indentation rule looks at).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parent {
    Document,
    BlockSequenceItem,
    BlockMappingKey,
    BlockMappingSimpleValue,
    BlockMappingValue,
}

/// Where a node sits (libyaml's root/sequence/mapping/simple-key context flags).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ctx {
    pub root: bool,
    pub mapping: bool,
    pub simple_key: bool,
}

/// The result of `yaml_emitter_analyze_scalar`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Analysis {
    pub multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

pub(crate) struct Emitter<'o> {
    out: &'o mut String,
    v3: bool,
    best_indent: i32,
    best_width: i64,
    indent: i32,
    indents: Vec<i32>,
    column: i64,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    /// libyaml's flow level: always 0 here, as only empty collections are written in flow style.
    flow_level: i32,
    ctx: Ctx,
}

/// The UTF-8 width of a character from its first byte (goyaml `width`).
fn width(b: u8) -> usize {
    if b & 0x80 == 0 {
        1
    } else if b & 0xE0 == 0xC0 {
        2
    } else if b & 0xF0 == 0xE0 {
        3
    } else if b & 0xF8 == 0xF0 {
        4
    } else {
        1
    }
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn is_space(b: &[u8], i: usize) -> bool {
    at(b, i) == b' '
}

fn is_blank(b: &[u8], i: usize) -> bool {
    matches!(at(b, i), b' ' | b'\t')
}

fn is_break(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    c == b'\r'
        || c == b'\n'
        || (c == 0xC2 && at(b, i + 1) == 0x85)
        || (c == 0xE2 && at(b, i + 1) == 0x80 && (at(b, i + 2) == 0xA8 || at(b, i + 2) == 0xA9))
}

fn is_blankz(b: &[u8], i: usize) -> bool {
    is_blank(b, i) || is_break(b, i) || at(b, i) == 0
}

/// goyaml's `is_printable` (4-byte characters are not printable in its table).
fn is_printable(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    let c1 = at(b, i + 1);
    let c2 = at(b, i + 2);
    c == 0x0A
        || (0x20..=0x7E).contains(&c)
        || (c == 0xC2 && c1 >= 0xA0)
        || (c > 0xC2 && c < 0xED)
        || (c == 0xED && c1 < 0xA0)
        || c == 0xEE
        || (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)))
}

/// goyaml's `is_bom`, which looks at the start of the buffer whatever the index.
fn is_bom(b: &[u8]) -> bool {
    b.len() >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
}

impl<'o> Emitter<'o> {
    /// A new emitter writing into `out`. `v3` selects goyaml v3 behaviour with indentation
    /// `indent` and no line folding; otherwise goyaml v2 with indent 2 and width 80.
    pub fn new(out: &'o mut String, v3: bool, indent: i32) -> Self {
        let best_indent = if (2..=9).contains(&indent) { indent } else { 2 };
        Emitter {
            out,
            v3,
            best_indent,
            best_width: if v3 { i64::from(i32::MAX) } else { 80 },
            indent: -1,
            indents: Vec::new(),
            column: 0,
            whitespace: true,
            indention: true,
            open_ended: false,
            flow_level: 0,
            ctx: Ctx::default(),
        }
    }

    fn put(&mut self, c: u8) {
        self.out.push(c as char);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        if self.v3 {
            self.indention = true;
        }
    }

    /// Copies one character of `value` at byte `*i`.
    fn write(&mut self, value: &str, i: &mut usize) {
        let w = width(value.as_bytes()[*i]);
        let end = (*i + w).min(value.len());
        self.out.push_str(&value[*i..end]);
        self.column += 1;
        *i = end;
    }

    fn write_all(&mut self, s: &str) {
        let mut i = 0;
        while i < s.len() {
            self.write(s, &mut i);
        }
    }

    fn write_break(&mut self, value: &str, i: &mut usize) {
        if value.as_bytes()[*i] == b'\n' {
            self.put_break();
            *i += 1;
        } else {
            self.write(value, i);
            self.column = 0;
            if self.v3 {
                self.indention = true;
            }
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool, parent: Parent) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            if !self.v3 {
                self.indent += self.best_indent;
            } else if parent == Parent::BlockSequenceItem {
                self.indent += 2;
            } else {
                self.indent =
                    self.best_indent * ((self.indent + self.best_indent) / self.best_indent);
            }
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = i64::from(self.indent.max(0));
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(b' ');
        }
        self.whitespace = true;
        if !self.v3 {
            self.indention = true;
        }
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(b' ');
        }
        self.write_all(ind);
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    // ---- document and collections

    /// Ends the (implicit) document: the final line break.
    pub fn end_document(&mut self) {
        self.write_indent();
    }

    /// An empty collection in flow style: `[]` or `{}`.
    pub fn empty_flow(&mut self, ctx: Ctx, seq: bool) {
        self.ctx = ctx;
        self.write_indicator(if seq { "[" } else { "{" }, true, true, false);
        self.write_indicator(if seq { "]" } else { "}" }, false, false, false);
    }

    /// Starts a block sequence (before the first item).
    pub fn begin_block_sequence(&mut self, ctx: Ctx, parent: Parent) {
        self.ctx = ctx;
        let indentless = !self.v3 && self.ctx.mapping && !self.indention;
        self.increase_indent(false, indentless, parent);
    }

    /// Writes the `- ` of the next sequence item.
    pub fn block_sequence_item(&mut self) {
        self.write_indent();
        self.write_indicator("-", true, false, true);
    }

    /// Ends a block sequence or mapping.
    pub fn end_block(&mut self) {
        self.pop_indent();
    }

    /// Starts a block mapping (before the first key).
    pub fn begin_block_mapping(&mut self, ctx: Ctx, parent: Parent) {
        self.ctx = ctx;
        self.increase_indent(false, false, parent);
    }

    /// Before a key: the indent, and for keys that cannot be simple, the `? ` indicator.
    pub fn block_mapping_key(&mut self, simple: bool) {
        self.write_indent();
        if !simple {
            self.write_indicator("?", true, false, true);
        }
    }

    /// Between key and value.
    pub fn block_mapping_value(&mut self, simple: bool) {
        if simple {
            self.write_indicator(":", false, false, false);
        } else {
            self.write_indent();
            self.write_indicator(":", true, false, true);
        }
    }

    /// Whether a scalar key can be written as a simple key.
    pub fn check_simple_key(&self, value: &str, analysis: &Analysis) -> bool {
        !analysis.multiline && value.len() <= 128
    }

    // ---- scalars

    /// `yaml_emitter_analyze_scalar`.
    pub fn analyze(&self, value: &str) -> Analysis {
        let b = value.as_bytes();
        if b.is_empty() {
            return Analysis {
                multiline: false,
                flow_plain_allowed: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let mut block_indicators = false;
        let mut flow_indicators = false;
        let mut line_breaks = false;
        let mut special_characters = false;
        let mut tab_characters = false;
        let mut leading_space = false;
        let mut leading_break = false;
        let mut trailing_space = false;
        let mut trailing_break = false;
        let mut break_space = false;
        let mut space_break = false;
        let mut previous_space = false;
        let mut previous_break = false;

        if b.len() >= 3 && (b.starts_with(b"---") || b.starts_with(b"...")) {
            block_indicators = true;
            flow_indicators = true;
        }
        let mut preceded_by_whitespace = true;
        let mut i = 0;
        while i < b.len() {
            let w = width(b[i]);
            let followed_by_whitespace = i + w >= b.len() || is_blank(b, i + w);
            if i == 0 {
                match b[i] {
                    b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>'
                    | b'\'' | b'"' | b'%' | b'@' | b'`' => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    b'?' | b':' => {
                        flow_indicators = true;
                        if followed_by_whitespace {
                            block_indicators = true;
                        }
                    }
                    b'-' if followed_by_whitespace => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    _ => {}
                }
            } else {
                match b[i] {
                    b',' | b'?' | b'[' | b']' | b'{' | b'}' => flow_indicators = true,
                    b':' => {
                        flow_indicators = true;
                        if followed_by_whitespace {
                            block_indicators = true;
                        }
                    }
                    b'#' if preceded_by_whitespace => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    _ => {}
                }
            }
            if self.v3 && b[i] == b'\t' {
                tab_characters = true;
            } else if !is_printable(b, i) {
                special_characters = true;
            }
            if is_space(b, i) {
                if i == 0 {
                    leading_space = true;
                }
                if i + w == b.len() {
                    trailing_space = true;
                }
                if previous_break {
                    break_space = true;
                }
                previous_space = true;
                previous_break = false;
            } else if is_break(b, i) {
                line_breaks = true;
                if i == 0 {
                    leading_break = true;
                }
                if i + w == b.len() {
                    trailing_break = true;
                }
                if previous_space {
                    space_break = true;
                }
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = is_blankz(b, i);
            i += w;
        }

        let mut a = Analysis {
            multiline: line_breaks,
            flow_plain_allowed: true,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
        }
        if trailing_space {
            a.block_allowed = false;
        }
        if break_space {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || tab_characters || special_characters {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || special_characters {
            a.block_allowed = false;
        }
        if line_breaks {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
        }
        if flow_indicators {
            a.flow_plain_allowed = false;
        }
        if block_indicators {
            a.block_plain_allowed = false;
        }
        a
    }

    fn select_style(&self, requested: Style, value: &str, a: &Analysis) -> Style {
        let mut style = requested;
        if self.ctx.simple_key && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed)
                || (self.flow_level == 0 && !a.block_plain_allowed)
            {
                style = Style::SingleQuoted;
            }
            if value.is_empty() && (self.flow_level > 0 || self.ctx.simple_key) {
                style = Style::SingleQuoted;
            }
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal
            && (!a.block_allowed || self.flow_level > 0 || self.ctx.simple_key)
        {
            style = Style::DoubleQuoted;
        }
        style
    }

    /// Emits a scalar node (`yaml_emitter_emit_scalar`).
    pub fn scalar(&mut self, value: &str, requested: Style, ctx: Ctx, parent: Parent) {
        let a = self.analyze(value);
        self.scalar_analyzed(value, requested, &a, ctx, parent);
    }

    /// Emits a scalar whose analysis is already known.
    pub fn scalar_analyzed(
        &mut self,
        value: &str,
        requested: Style,
        a: &Analysis,
        ctx: Ctx,
        parent: Parent,
    ) {
        self.ctx = ctx;
        let style = self.select_style(requested, value, a);
        self.increase_indent(true, false, parent);
        let allow_breaks = !self.ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(value, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        let b = value.as_bytes();
        if (!self.v3 || !b.is_empty()) && !self.whitespace {
            self.put(b' ');
        }
        // Fast path: no line break inside (plain never has one) and no fold possible.
        let nchars = value.chars().count() as i64;
        if (!allow_breaks || self.column + nchars <= self.best_width)
            && !b
                .iter()
                .any(|&c| c == b'\r' || c == b'\n' || c == 0xC2 || c == 0xE2)
        {
            self.out.push_str(value);
            self.column += nchars;
            if !self.v3 || !b.is_empty() {
                self.whitespace = false;
            }
            self.indention = false;
            if self.ctx.root {
                self.open_ended = true;
            }
            return;
        }
        self.write_flow_text(value, allow_breaks, false);
        if !self.v3 || !b.is_empty() {
            self.whitespace = false;
        }
        self.indention = false;
        if self.ctx.root {
            self.open_ended = true;
        }
    }

    /// The body of a plain or single-quoted scalar (libyaml's write_plain_scalar and
    /// write_single_quoted_scalar loops): folds at a lone space past the best width, keeps line
    /// breaks, and in single quotes doubles each `'` and never folds at the first or last byte.
    fn write_flow_text(&mut self, value: &str, allow_breaks: bool, single_quoted: bool) {
        let b = value.as_bytes();
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < b.len() {
            if is_space(b, i) {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && (!single_quoted || (i > 0 && i < b.len() - 1))
                    && !is_space(b, i + 1)
                {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(b, i) {
                if !breaks && b[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if single_quoted && b[i] == b'\'' {
                    self.put(b'\'');
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        self.write_flow_text(value, allow_breaks, true);
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let b = value.as_bytes();
        let bom = is_bom(b);
        let mut spaces = false;
        self.write_indicator("\"", true, false, false);
        let mut i = 0;
        while i < b.len() {
            if !is_printable(b, i) || bom || is_break(b, i) || b[i] == b'"' || b[i] == b'\\' {
                let w = width(b[i]);
                let ch = value[i..].chars().next().map_or(0, |c| c as u32);
                i += w;
                self.put(b'\\');
                let named = match ch {
                    0x00 => Some(b'0'),
                    0x07 => Some(b'a'),
                    0x08 => Some(b'b'),
                    0x09 => Some(b't'),
                    0x0A => Some(b'n'),
                    0x0B => Some(b'v'),
                    0x0C => Some(b'f'),
                    0x0D => Some(b'r'),
                    0x1B => Some(b'e'),
                    0x22 => Some(b'"'),
                    0x5C => Some(b'\\'),
                    0x85 => Some(b'N'),
                    0xA0 => Some(b'_'),
                    0x2028 => Some(b'L'),
                    0x2029 => Some(b'P'),
                    _ => None,
                };
                match named {
                    Some(c) => self.put(c),
                    None => {
                        let (ind, digits) = if ch <= 0xFF {
                            (b'x', 2)
                        } else if ch <= 0xFFFF {
                            (b'u', 4)
                        } else {
                            (b'U', 8)
                        };
                        self.put(ind);
                        for k in (0..digits).rev() {
                            self.put(HEX[((ch >> (k * 4)) & 0xF) as usize]);
                        }
                    }
                }
                spaces = false;
            } else if is_space(b, i) {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && i < b.len() - 1
                {
                    self.write_indent();
                    if is_space(b, i + 1) {
                        self.put(b'\\');
                    }
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else {
                // A run of characters that need no escape and are not spaces, at once.
                let mut j = i;
                let mut n = 0i64;
                while j < b.len()
                    && b[j] != b' '
                    && b[j] != b'"'
                    && b[j] != b'\\'
                    && is_printable(b, j)
                    && !is_break(b, j)
                {
                    j += width(b[j]);
                    n += 1;
                }
                let j = j.min(b.len());
                if j == i {
                    self.write(value, &mut i);
                } else {
                    self.out.push_str(&value[i..j]);
                    self.column += n;
                    i = j;
                }
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_block_scalar_hints(&mut self, value: &str) {
        let b = value.as_bytes();
        if is_space(b, 0) || is_break(b, 0) {
            let hint = [b'0' + self.best_indent as u8];
            let s = std::str::from_utf8(&hint).unwrap_or("2");
            self.write_indicator(s, false, false, false);
        }
        self.open_ended = false;
        let mut chomp: Option<&str> = None;
        if b.is_empty() {
            chomp = Some("-");
        } else {
            let mut i = b.len() - 1;
            while i > 0 && b[i] & 0xC0 == 0x80 {
                i -= 1;
            }
            if !is_break(b, i) {
                chomp = Some("-");
            } else if i == 0 {
                chomp = Some("+");
                self.open_ended = true;
            } else {
                i -= 1;
                while i > 0 && b[i] & 0xC0 == 0x80 {
                    i -= 1;
                }
                if is_break(b, i) {
                    chomp = Some("+");
                    self.open_ended = true;
                }
            }
        }
        if let Some(c) = chomp {
            self.write_indicator(c, false, false, false);
        }
    }

    fn write_literal(&mut self, value: &str) {
        let b = value.as_bytes();
        self.write_indicator("|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        let mut i = 0;
        while i < b.len() {
            if is_break(b, i) {
                self.write_break(value, &mut i);
                if !self.v3 {
                    self.indention = true;
                }
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                // The run of characters up to the next break, at once.
                let mut j = i;
                while j < b.len() && !is_break(b, j) {
                    j += width(b[j]);
                }
                let j = j.min(b.len());
                let run = &value[i..j];
                self.out.push_str(run);
                self.column += run.chars().count() as i64;
                i = j;
                self.indention = false;
                breaks = false;
            }
        }
    }
}
