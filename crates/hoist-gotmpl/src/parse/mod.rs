//! Go's `text/template/parse`: lexer, parser and parse tree.
//!
//! [`parse`] turns template text into Go's tree set: the top-level tree plus one tree for every
//! `{{define}}` and `{{block}}`, with Go's rules and Go's exact error texts ([`ParseError`]).
//! `Display` on nodes prints Go's `Node.String()`.
//!
//! Deep nesting never overflows the stack: parsing, printing, cloning and dropping trees grow
//! the stack on the heap (`stacker`) or work iteratively. Nesting is bounded as in Go:
//! [`ParseOptions::max_expression_depth`] bounds nested parentheses (Go's `maxStackDepth`, 10 000,
//! "max expression depth exceeded").
//!
//! Differences from Go, all on inputs no real template has:
//! - [`ParseOptions::max_nesting_depth`] bounds nested control structures (`if`, `range`, `with`,
//!   `block`, each `else if`/`else with` counting as one more), where Go has no bound: past it
//!   the error is "max nesting depth exceeded".
//! - A string literal whose escapes produce bytes that are not UTF-8 (`"\xff"`) gets U+FFFD in
//!   their place, since Rust strings hold only UTF-8.

pub mod ast;
mod display;
mod error;
pub mod lexer;
mod number;
mod parser;
mod quote;

use std::fmt;
use std::rc::Rc;

pub use error::ParseError;
pub use quote::{go_quote, is_digit, is_letter, is_print};

use ast::{ListNode, Node, Pos, Tree};
use lexer::{LexOptions, Lexer};

/// Go's `maxStackDepth`: the default bound on nested parenthesised pipelines.
pub const DEFAULT_MAX_EXPRESSION_DEPTH: usize = 10_000;

/// The default bound on nested control structures (`if`, `range`, `with`, `block`; each
/// `else if` or `else with` counts as one level). Go has none; ours caps the memory deep input
/// can take.
pub const DEFAULT_MAX_NESTING_DEPTH: usize = 10_000;

/// A predicate telling whether a function name is defined.
pub type HasFunction<'a> = &'a dyn Fn(&str) -> bool;

/// How to parse (Go's delimiters, `Mode` flags and function maps).
#[derive(Clone, Copy)]
pub struct ParseOptions<'a> {
    /// The left action delimiter; empty means `{{`.
    pub left_delim: &'a str,
    /// The right action delimiter; empty means `}}`.
    pub right_delim: &'a str,
    /// Keep comments as [`Node::Comment`] (Go's `ParseComments` mode).
    pub parse_comments: bool,
    /// Do not check that called functions exist (Go's `SkipFuncCheck` mode).
    pub skip_func_check: bool,
    /// Tells whether a function exists (Go's function maps, builtins included). `None` means no
    /// function exists. A function named `break` or `continue` turns that keyword into a plain
    /// identifier, as in Go.
    pub funcs: Option<HasFunction<'a>>,
    /// The most nested parenthesised pipelines allowed.
    pub max_expression_depth: usize,
    /// The most nested control structures allowed.
    pub max_nesting_depth: usize,
}

impl Default for ParseOptions<'_> {
    fn default() -> Self {
        ParseOptions {
            left_delim: "",
            right_delim: "",
            parse_comments: false,
            skip_func_check: false,
            funcs: None,
            max_expression_depth: DEFAULT_MAX_EXPRESSION_DEPTH,
            max_nesting_depth: DEFAULT_MAX_NESTING_DEPTH,
        }
    }
}

impl fmt::Debug for ParseOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseOptions")
            .field("left_delim", &self.left_delim)
            .field("right_delim", &self.right_delim)
            .field("parse_comments", &self.parse_comments)
            .field("skip_func_check", &self.skip_func_check)
            .field("funcs", &self.funcs.map(|_| "<fn>"))
            .field("max_expression_depth", &self.max_expression_depth)
            .field("max_nesting_depth", &self.max_nesting_depth)
            .finish()
    }
}

/// What [`parse`] found: Go's tree set.
#[derive(Debug, Clone, Default)]
pub struct ParseResult {
    /// Every tree by distinct name, in the order first added: each `{{define}}`/`{{block}}` when
    /// its `{{end}}` is read, then the top-level tree (named after the template). As in Go, an
    /// empty tree never replaces a non-empty one of the same name, so the top-level tree is
    /// missing when it is empty and a definition has its name.
    pub trees: Vec<Tree>,
}

impl ParseResult {
    /// The tree with this name.
    pub fn get(&self, name: &str) -> Option<&Tree> {
        self.trees.iter().find(|t| &*t.name == name)
    }
}

/// Parses `text` as the template `name` (Go's `parse.Parse`). On error nothing is returned but
/// the error, as in Go.
pub fn parse(name: &str, text: &str, opts: &ParseOptions<'_>) -> Result<ParseResult, ParseError> {
    let mut lex = Lexer::new(text, opts.left_delim, opts.right_delim);
    let has = |n: &str| opts.funcs.is_some_and(|f| f(n));
    lex.set_options(LexOptions {
        emit_comment: opts.parse_comments,
        break_ok: !has("break"),
        continue_ok: !has("continue"),
    });
    let parser = parser::Parser::new(lex, opts, Rc::from(name), Rc::from(text));
    let trees = parser.parse()?;
    Ok(ParseResult { trees })
}

/// Go's `IsEmptyTree`: true when the list holds only whitespace text and comments.
pub fn is_empty_tree(list: &ListNode) -> bool {
    list.nodes.iter().all(is_empty_node)
}

fn is_empty_node(node: &Node) -> bool {
    match node {
        Node::Text { text, .. } => text.trim().is_empty(),
        Node::Comment { .. } => true,
        _ => false,
    }
}

/// The line (1-based) and column of byte offset `pos` in `text`, as Go's `Tree.ErrorContext`
/// computes them: the column is the byte offset from the start of the line (0-based). Offsets
/// past the end are clamped.
pub fn line_col(text: &str, pos: Pos) -> (usize, usize) {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &text[..pos];
    let col = match before.rfind('\n') {
        None => pos,
        Some(nl) => pos - (nl + 1),
    };
    (1 + lexer::count_newlines(before), col)
}
