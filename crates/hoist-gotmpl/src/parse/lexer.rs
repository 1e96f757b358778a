//! The lexer: a port of Go's `text/template/parse/lex.go`.
//!
//! It is a hand-written state machine driven by the parser: each [`Lexer::next_item`] call runs
//! state functions until one produces an item, exactly as Go's pull-based lexer does, so token
//! values, positions and line numbers match Go's. Items borrow their text from the input.
//!
//! Trim markers (`{{- ` and ` -}}`) are handled here: the whitespace they remove never reaches the
//! parser. Comments are dropped unless [`LexOptions::emit_comment`] is set.

use super::quote::{fmt_sharp_u, go_quote, is_digit, is_letter};

/// The kind of a lexical item (Go's `itemType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemType {
    /// A lexical error; [`Lexer::error_message`] holds the text.
    Error,
    /// `true` or `false`.
    Bool,
    /// A printable ASCII character that has no other meaning (a grab bag for `,` and friends).
    Char,
    /// A character constant such as `'a'`.
    CharConstant,
    /// A comment, `/* ... */` (emitted only when comments are kept).
    Comment,
    /// A complex constant such as `1+2i`.
    Complex,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    /// The end of the input.
    Eof,
    /// An identifier starting with `.`, such as `.Field`.
    Field,
    /// An identifier not starting with `.`, such as a function name.
    Identifier,
    /// The left delimiter.
    LeftDelim,
    /// `(` inside an action.
    LeftParen,
    /// A number.
    Number,
    /// `|`
    Pipe,
    /// A raw string in backquotes (quotes included).
    RawString,
    /// The right delimiter.
    RightDelim,
    /// `)` inside an action.
    RightParen,
    /// A run of spaces (space, tab, CR, LF) inside an action.
    Space,
    /// A double-quoted string (quotes included).
    String,
    /// Plain text outside actions.
    Text,
    /// A variable: `$`, `$x`, `$1`.
    Variable,
    /// Keyword `block`.
    Block,
    /// Keyword `break`.
    Break,
    /// Keyword `continue`.
    Continue,
    /// The cursor `.`.
    Dot,
    /// Keyword `define`.
    Define,
    /// Keyword `else`.
    Else,
    /// Keyword `end`.
    End,
    /// Keyword `if`.
    If,
    /// Keyword `nil`.
    Nil,
    /// Keyword `range`.
    Range,
    /// Keyword `template`.
    Template,
    /// Keyword `with`.
    With,
}

impl ItemType {
    /// True for the keyword items (Go's `typ > itemKeyword`), which print as `<word>`.
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// One lexical item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item<'a> {
    /// The kind.
    pub typ: ItemType,
    /// Byte offset of the item's start in the input.
    pub pos: usize,
    /// The item's text; empty for [`ItemType::Error`] (see [`Lexer::error_message`]).
    pub val: &'a str,
    /// The line (1-based) the item starts on.
    pub line: usize,
}

impl Default for Item<'_> {
    fn default() -> Self {
        Item {
            typ: ItemType::Eof,
            pos: 0,
            val: "",
            line: 0,
        }
    }
}

/// Lexer switches (Go's `lexOptions`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LexOptions {
    /// Emit [`ItemType::Comment`] items instead of dropping comments.
    pub emit_comment: bool,
    /// Treat `break` as a keyword (false when a function named `break` exists).
    pub break_ok: bool,
    /// Treat `continue` as a keyword (false when a function named `continue` exists).
    pub continue_ok: bool,
}

#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
}

enum Step<'a> {
    Emit(Item<'a>),
    Next(State),
}

/// The default left delimiter.
pub const LEFT_DELIM: &str = "{{";
/// The default right delimiter.
pub const RIGHT_DELIM: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";
/// A trim marker is the `-` plus one space character beside it.
const TRIM_MARKER_LEN: usize = 2;

/// Go's lexer `isSpace`: space, tab, CR, LF.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Go's `isAlphaNumeric`: `_`, a letter or a decimal digit.
fn is_alphanumeric(c: char) -> bool {
    c == '_' || is_letter(c) || is_digit(c)
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

const SPACE_CHARS: [char; 4] = [' ', '\t', '\r', '\n'];

fn right_trim_length(s: &str) -> usize {
    s.len() - s.trim_end_matches(SPACE_CHARS).len()
}

fn left_trim_length(s: &str) -> usize {
    s.len() - s.trim_start_matches(SPACE_CHARS).len()
}

/// The byte offset of the first `needle` in `hay`. Delimiters are short, so searching for the
/// first character (memchr) and then comparing beats a general substring search.
fn find_delim(hay: &str, needle: &str) -> Option<usize> {
    let first = needle.chars().next()?;
    let mut from = 0;
    while let Some(i) = hay[from..].find(first) {
        let at = from + i;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + first.len_utf8();
    }
    None
}

pub(crate) fn count_newlines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

const DEC_DIGITS: &str = "0123456789_";
const HEX_DIGITS: &str = "0123456789abcdefABCDEF_";
const OCT_DIGITS: &str = "01234567_";
const BIN_DIGITS: &str = "01_";

/// The lexer (Go's `lexer`).
#[derive(Debug)]
pub struct Lexer<'a> {
    input: &'a str,
    left_delim: &'a str,
    right_delim: &'a str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i64,
    line: usize,
    start_line: usize,
    inside_action: bool,
    options: LexOptions,
    error: Option<String>,
}

impl<'a> Lexer<'a> {
    /// A lexer over `input`. Empty delimiters mean the defaults `{{` and `}}`.
    pub fn new(input: &'a str, left_delim: &'a str, right_delim: &'a str) -> Self {
        Lexer {
            input,
            left_delim: if left_delim.is_empty() {
                LEFT_DELIM
            } else {
                left_delim
            },
            right_delim: if right_delim.is_empty() {
                RIGHT_DELIM
            } else {
                right_delim
            },
            pos: 0,
            start: 0,
            at_eof: false,
            paren_depth: 0,
            line: 1,
            start_line: 1,
            inside_action: false,
            options: LexOptions::default(),
            error: None,
        }
    }

    /// Sets the lexer switches.
    pub fn set_options(&mut self, options: LexOptions) {
        self.options = options;
    }

    /// The text of the last [`ItemType::Error`] item returned.
    pub fn error_message(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Returns the next item. After an error or EOF it keeps returning error or EOF items.
    pub fn next_item(&mut self) -> Item<'a> {
        let mut state = if self.inside_action {
            State::InsideAction
        } else {
            State::Text
        };
        loop {
            let step = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim => self.lex_right_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Space => self.lex_space(),
                State::Identifier => self.lex_identifier(),
                State::Field => self.lex_field_or_variable(ItemType::Field),
                State::Variable => self.lex_variable(),
                State::Char => self.lex_char(),
                State::Number => self.lex_number(),
                State::Quote => self.lex_quote(),
                State::RawQuote => self.lex_raw_quote(),
            };
            match step {
                Step::Emit(item) => return item,
                Step::Next(s) => state = s,
            }
        }
    }

    // ---- rune-level helpers (Go's next/peek/backup/accept) ----

    fn next(&mut self) -> Option<char> {
        let bytes = self.input.as_bytes();
        if self.pos >= bytes.len() {
            self.at_eof = true;
            return None;
        }
        let b = bytes[self.pos];
        let c = if b < 0x80 {
            self.pos += 1;
            b as char
        } else {
            let c = self.input[self.pos..].chars().next()?;
            self.pos += c.len_utf8();
            c
        };
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn backup(&mut self) {
        if self.at_eof || self.pos == 0 {
            return;
        }
        let b = self.input.as_bytes()[self.pos - 1];
        if b < 0x80 {
            self.pos -= 1;
            if b == b'\n' {
                self.line -= 1;
            }
            return;
        }
        if let Some(c) = self.input[..self.pos].chars().next_back() {
            self.pos -= c.len_utf8();
        }
    }

    fn peek(&mut self) -> Option<char> {
        let c = self.next();
        self.backup();
        c
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while let Some(c) = self.next() {
            if !valid.contains(c) {
                break;
            }
        }
        self.backup();
    }

    // ---- item helpers ----

    fn this_item(&mut self, typ: ItemType) -> Item<'a> {
        let item = Item {
            typ,
            pos: self.start,
            val: &self.input[self.start..self.pos],
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        item
    }

    fn emit(&mut self, typ: ItemType) -> Step<'a> {
        Step::Emit(self.this_item(typ))
    }

    fn ignore(&mut self) {
        self.line += count_newlines(&self.input[self.start..self.pos]);
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn errorf(&mut self, msg: String) -> Step<'a> {
        let item = Item {
            typ: ItemType::Error,
            pos: self.start,
            val: "",
            line: self.start_line,
        };
        self.error = Some(msg);
        self.start = 0;
        self.pos = 0;
        self.input = &self.input[..0];
        Step::Emit(item)
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.input[self.pos..];
        // Fast path: most positions start neither a delimiter nor a trim marker.
        let first = rest.as_bytes().first().copied();
        if first != self.right_delim.as_bytes().first().copied()
            && !first.is_some_and(|b| is_space(b as char))
        {
            return (false, false);
        }
        if has_right_trim_marker(rest) && rest[TRIM_MARKER_LEN..].starts_with(self.right_delim) {
            return (true, true);
        }
        (rest.starts_with(self.right_delim), false)
    }

    fn at_terminator(&mut self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.input[self.pos..].starts_with(self.right_delim),
        }
    }

    // ---- state functions ----

    fn lex_text(&mut self) -> Step<'a> {
        if let Some(x) = find_delim(&self.input[self.pos..], self.left_delim) {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + self.left_delim.len();
                let trim = if has_left_trim_marker(&self.input[delim_end..]) {
                    right_trim_length(&self.input[self.start..self.pos])
                } else {
                    0
                };
                self.pos -= trim;
                self.line += count_newlines(&self.input[self.start..self.pos]);
                let item = self.this_item(ItemType::Text);
                self.pos += trim;
                self.ignore();
                if !item.val.is_empty() {
                    return Step::Emit(item);
                }
            }
            return Step::Next(State::LeftDelim);
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += count_newlines(&self.input[self.start..self.pos]);
            return self.emit(ItemType::Text);
        }
        self.emit(ItemType::Eof)
    }

    fn lex_left_delim(&mut self) -> Step<'a> {
        self.pos += self.left_delim.len();
        let trim_space = has_left_trim_marker(&self.input[self.pos..]);
        let after_marker = if trim_space { TRIM_MARKER_LEN } else { 0 };
        if self.input[self.pos + after_marker..].starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.ignore();
            return Step::Next(State::Comment);
        }
        let item = self.this_item(ItemType::LeftDelim);
        self.inside_action = true;
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        Step::Emit(item)
    }

    fn lex_comment(&mut self) -> Step<'a> {
        self.pos += LEFT_COMMENT.len();
        match find_delim(&self.input[self.pos..], RIGHT_COMMENT) {
            None => return self.errorf("unclosed comment".to_owned()),
            Some(x) => self.pos += x + RIGHT_COMMENT.len(),
        }
        let (delim, trim_space) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".to_owned());
        }
        self.line += count_newlines(&self.input[self.start..self.pos]);
        let item = self.this_item(ItemType::Comment);
        if trim_space {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += self.right_delim.len();
        if trim_space {
            self.pos += left_trim_length(&self.input[self.pos..]);
        }
        self.ignore();
        if self.options.emit_comment {
            return Step::Emit(item);
        }
        Step::Next(State::Text)
    }

    fn lex_right_delim(&mut self) -> Step<'a> {
        let (_, trim_space) = self.at_right_delim();
        if trim_space {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += self.right_delim.len();
        let item = self.this_item(ItemType::RightDelim);
        if trim_space {
            self.pos += left_trim_length(&self.input[self.pos..]);
            self.ignore();
        }
        self.inside_action = false;
        Step::Emit(item)
    }

    fn lex_inside_action(&mut self) -> Step<'a> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return Step::Next(State::RightDelim);
            }
            return self.errorf("unclosed left paren".to_owned());
        }
        let Some(r) = self.next() else {
            return self.errorf("unclosed action".to_owned());
        };
        match r {
            _ if is_space(r) => {
                // Put the space back in case it starts " -}}".
                self.backup();
                Step::Next(State::Space)
            }
            '=' => self.emit(ItemType::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.errorf("expected :=".to_owned());
                }
                self.emit(ItemType::Declare)
            }
            '|' => self.emit(ItemType::Pipe),
            '"' => Step::Next(State::Quote),
            '`' => Step::Next(State::RawQuote),
            '$' => Step::Next(State::Variable),
            '\'' => Step::Next(State::Char),
            '.' => {
                // ".field" unless a digit follows, in which case '.' starts a number.
                if let Some(&b) = self.input.as_bytes().get(self.pos)
                    && !b.is_ascii_digit()
                {
                    return Step::Next(State::Field);
                }
                self.backup();
                Step::Next(State::Number)
            }
            '+' | '-' | '0'..='9' => {
                self.backup();
                Step::Next(State::Number)
            }
            _ if is_alphanumeric(r) => {
                self.backup();
                Step::Next(State::Identifier)
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(ItemType::LeftParen)
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.errorf("unexpected right paren".to_owned());
                }
                self.emit(ItemType::RightParen)
            }
            ' '..='~' => self.emit(ItemType::Char),
            _ => self.errorf(format!(
                "unrecognized character in action: {}",
                fmt_sharp_u(r)
            )),
        }
    }

    fn lex_space(&mut self) -> Step<'a> {
        let mut num_spaces = 0usize;
        while self.peek().is_some_and(is_space) {
            self.next();
            num_spaces += 1;
        }
        // A trim-marked right delimiter starts with a space; leave it for lex_right_delim.
        if self.pos > 0 {
            let rest = &self.input[self.pos - 1..];
            if has_right_trim_marker(rest) && rest[TRIM_MARKER_LEN..].starts_with(self.right_delim)
            {
                self.backup();
                if num_spaces == 1 {
                    return Step::Next(State::RightDelim);
                }
            }
        }
        self.emit(ItemType::Space)
    }

    fn lex_identifier(&mut self) -> Step<'a> {
        loop {
            let r = self.next();
            if r.is_some_and(is_alphanumeric) {
                continue;
            }
            self.backup();
            let word = &self.input[self.start..self.pos];
            if !self.at_terminator() {
                return self.bad_character(r);
            }
            let typ = match word {
                "block" => ItemType::Block,
                "break" if self.options.break_ok => ItemType::Break,
                "continue" if self.options.continue_ok => ItemType::Continue,
                "define" => ItemType::Define,
                "else" => ItemType::Else,
                "end" => ItemType::End,
                "if" => ItemType::If,
                "range" => ItemType::Range,
                "nil" => ItemType::Nil,
                "template" => ItemType::Template,
                "with" => ItemType::With,
                "true" | "false" => ItemType::Bool,
                _ => ItemType::Identifier,
            };
            return self.emit(typ);
        }
    }

    fn bad_character(&mut self, r: Option<char>) -> Step<'a> {
        let shown = r
            .map(fmt_sharp_u)
            .unwrap_or_else(|| "U+FFFFFFFFFFFFFFFF".to_owned());
        self.errorf(format!("bad character {shown}"))
    }

    fn lex_variable(&mut self) -> Step<'a> {
        if self.at_terminator() {
            return self.emit(ItemType::Variable);
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> Step<'a> {
        if self.at_terminator() {
            return self.emit(if typ == ItemType::Variable {
                ItemType::Variable
            } else {
                ItemType::Dot
            });
        }
        let r = loop {
            let r = self.next();
            if !r.is_some_and(is_alphanumeric) {
                self.backup();
                break r;
            }
        };
        if !self.at_terminator() {
            return self.bad_character(r);
        }
        self.emit(typ)
    }

    fn lex_char(&mut self) -> Step<'a> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.errorf("unterminated character constant".to_owned()),
                },
                None | Some('\n') => {
                    return self.errorf("unterminated character constant".to_owned());
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::CharConstant)
    }

    fn lex_number(&mut self) -> Step<'a> {
        if !self.scan_number() {
            return self.bad_number();
        }
        if let Some('+' | '-') = self.peek() {
            // Complex: 1+2i. No spaces, must end in 'i'.
            let ends_in_i = |l: &Self| {
                l.pos.checked_sub(1).and_then(|i| l.input.as_bytes().get(i)) == Some(&b'i')
            };
            if !self.scan_number() || !ends_in_i(self) {
                return self.bad_number();
            }
            return self.emit(ItemType::Complex);
        }
        self.emit(ItemType::Number)
    }

    fn bad_number(&mut self) -> Step<'a> {
        let text = go_quote(&self.input[self.start..self.pos]);
        self.errorf(format!("bad number syntax: {text}"))
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = DEC_DIGITS;
        if self.accept("0") {
            // A leading 0 does not mean octal in floats.
            if self.accept("xX") {
                digits = HEX_DIGITS;
            } else if self.accept("oO") {
                digits = OCT_DIGITS;
            } else if self.accept("bB") {
                digits = BIN_DIGITS;
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits == DEC_DIGITS && self.accept("eE") {
            self.accept("+-");
            self.accept_run(DEC_DIGITS);
        }
        if digits == HEX_DIGITS && self.accept("pP") {
            self.accept("+-");
            self.accept_run(DEC_DIGITS);
        }
        // Is it imaginary?
        self.accept("i");
        // The next thing must not be alphanumeric.
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> Step<'a> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.errorf("unterminated quoted string".to_owned()),
                },
                None | Some('\n') => {
                    return self.errorf("unterminated quoted string".to_owned());
                }
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::String)
    }

    fn lex_raw_quote(&mut self) -> Step<'a> {
        loop {
            match self.next() {
                None => return self.errorf("unterminated raw quoted string".to_owned()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::RawString)
    }
}
