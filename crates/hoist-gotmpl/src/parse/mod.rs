//! Go's `text/template/parse`: lexer, parser and parse tree.

pub mod ast;
