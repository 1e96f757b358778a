//! The parse tree, shaped like Go's `text/template/parse` nodes.
//!
//! Every node keeps `pos`, its byte offset in the template text, from which error messages compute
//! `line:col` as Go's `Tree.ErrorContext` does. `Display` on nodes prints Go's `Node.String()` form,
//! which exec errors quote as `at <...>`.

use std::rc::Rc;

/// A byte offset into the template text.
pub type Pos = usize;

/// A parsed template: one `{{define}}` body or the top-level text of a file.
#[derive(Debug, Clone)]
pub struct Tree {
    /// The template's name (`{{define "x"}}` gives `x`; a file gives its own name).
    pub name: Rc<str>,
    /// The name of the top-level template being parsed when this tree was found (Go's `ParseName`);
    /// errors print this name.
    pub parse_name: Rc<str>,
    /// The body.
    pub root: ListNode,
    /// The full text the tree was parsed from, for line and column computation.
    pub text: Rc<str>,
}

/// A sequence of nodes.
///
/// `Clone` and `Drop` are written out so that deeply nested trees are copied on a growing stack
/// and torn down iteratively, never overflowing the thread's stack.
#[derive(Debug, Default)]
pub struct ListNode {
    /// Byte offset.
    pub pos: Pos,
    /// The nodes in order.
    pub nodes: Vec<Node>,
}

/// A statement-level node.
#[derive(Debug, Clone)]
pub enum Node {
    /// Literal text.
    Text {
        /// Byte offset.
        pos: Pos,
        /// The text, after trim markers were applied.
        text: Rc<str>,
    },
    /// `{{pipeline}}`
    Action(ActionNode),
    /// `{{/* comment */}}` (kept only when the parser is asked to keep comments).
    Comment {
        /// Byte offset.
        pos: Pos,
        /// The comment text including delimiters.
        text: Rc<str>,
    },
    /// `{{if}}`
    If(BranchNode),
    /// `{{range}}`
    Range(BranchNode),
    /// `{{with}}`
    With(BranchNode),
    /// `{{template "name" pipeline}}`
    Template(TemplateNode),
    /// `{{break}}`
    Break {
        /// Byte offset.
        pos: Pos,
        /// Line number (1-based).
        line: usize,
    },
    /// `{{continue}}`
    Continue {
        /// Byte offset.
        pos: Pos,
        /// Line number (1-based).
        line: usize,
    },
}

/// `{{pipeline}}`
#[derive(Debug, Clone)]
pub struct ActionNode {
    /// Byte offset.
    pub pos: Pos,
    /// Line number (1-based).
    pub line: usize,
    /// The pipeline.
    pub pipe: PipeNode,
}

/// The shared shape of `if`, `range` and `with`.
#[derive(Debug, Clone)]
pub struct BranchNode {
    /// Byte offset.
    pub pos: Pos,
    /// Line number (1-based).
    pub line: usize,
    /// The condition pipeline (for `range`, what is ranged over, with its declarations).
    pub pipe: PipeNode,
    /// The body.
    pub list: ListNode,
    /// The `{{else}}` body; `else if`/`else with` become an else list holding one nested node.
    pub else_list: Option<ListNode>,
}

/// `{{template "name" pipeline}}`
#[derive(Debug, Clone)]
pub struct TemplateNode {
    /// Byte offset.
    pub pos: Pos,
    /// Line number (1-based).
    pub line: usize,
    /// The template name (unquoted).
    pub name: Rc<str>,
    /// The argument pipeline, if any.
    pub pipe: Option<PipeNode>,
}

/// A pipeline: optional variable declarations, then commands joined by `|`.
///
/// `Clone` and `Drop` are written out so that deeply nested parenthesised pipelines are copied on
/// a growing stack and torn down iteratively, never overflowing the thread's stack.
#[derive(Debug)]
pub struct PipeNode {
    /// Byte offset.
    pub pos: Pos,
    /// Line number (1-based).
    pub line: usize,
    /// True for `$x = ...` (assignment), false for `$x := ...` (declaration).
    pub is_assign: bool,
    /// The variables declared or assigned (`$i, $e := ...` in range has two).
    pub decl: Vec<VariableNode>,
    /// The commands, in order.
    pub cmds: Vec<CommandNode>,
}

/// One command of a pipeline: an operand followed by arguments.
#[derive(Debug, Clone)]
pub struct CommandNode {
    /// Byte offset.
    pub pos: Pos,
    /// The operand and its arguments.
    pub args: Vec<Arg>,
}

/// A variable reference: `$`, `$x`, or `$x.Field.Chain`.
#[derive(Debug, Clone)]
pub struct VariableNode {
    /// Byte offset.
    pub pos: Pos,
    /// The variable name (with `$`) followed by field names.
    pub idents: Vec<Rc<str>>,
}

/// A number literal, with every interpretation Go's parser found valid.
#[derive(Debug, Clone)]
pub struct NumberNode {
    /// Byte offset.
    pub pos: Pos,
    /// The value as int64, when it is an integer.
    pub int: Option<i64>,
    /// The value as uint64, when it is a non-negative integer.
    pub uint: Option<u64>,
    /// The value as float64, when it has one.
    pub float: Option<f64>,
    /// True when the literal is a complex number (`1i`).
    pub is_complex: bool,
    /// The value as complex128 `(real, imaginary)`, when `is_complex` (added by the parser port;
    /// Go's `Complex128`).
    pub complex: Option<(f64, f64)>,
    /// The original text.
    pub text: Rc<str>,
}

/// An operand or argument of a command.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `.Field.Chain`
    Field {
        /// Byte offset.
        pos: Pos,
        /// Field names without dots.
        idents: Vec<Rc<str>>,
    },
    /// `$x.Field`
    Variable(VariableNode),
    /// A function name.
    Identifier {
        /// Byte offset.
        pos: Pos,
        /// The name.
        name: Rc<str>,
    },
    /// `.`
    Dot {
        /// Byte offset.
        pos: Pos,
    },
    /// `nil`
    Nil {
        /// Byte offset.
        pos: Pos,
    },
    /// `true` / `false`
    Bool {
        /// Byte offset.
        pos: Pos,
        /// The value.
        val: bool,
    },
    /// A number.
    Number(NumberNode),
    /// A string literal.
    String {
        /// Byte offset.
        pos: Pos,
        /// The literal as written, quotes included.
        quoted: Rc<str>,
        /// The unquoted value.
        text: Rc<str>,
    },
    /// A parenthesised pipeline.
    Pipe(Box<PipeNode>),
    /// `(pipeline).Field.Chain` or `$x.y` after a non-field operand.
    Chain {
        /// Byte offset.
        pos: Pos,
        /// The operand the fields apply to.
        node: Box<Arg>,
        /// Field names without dots.
        fields: Vec<Rc<str>>,
    },
}

impl Node {
    /// The node's byte offset in the template text (Go's `Position()`).
    pub fn pos(&self) -> Pos {
        match self {
            Node::Text { pos, .. }
            | Node::Comment { pos, .. }
            | Node::Break { pos, .. }
            | Node::Continue { pos, .. } => *pos,
            Node::Action(a) => a.pos,
            Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
            Node::Template(t) => t.pos,
        }
    }
}

impl Arg {
    /// The argument's byte offset in the template text (Go's `Position()`).
    pub fn pos(&self) -> Pos {
        match self {
            Arg::Field { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::String { pos, .. }
            | Arg::Chain { pos, .. } => *pos,
            Arg::Variable(v) => v.pos,
            Arg::Number(n) => n.pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl Tree {
    /// Go's `Tree.ErrorContext` location for a byte offset: `PARSENAME:LINE:COL`.
    pub fn location(&self, pos: Pos) -> String {
        let (line, col) = super::line_col(&self.text, pos);
        format!("{}:{}:{}", self.parse_name, line, col)
    }
}

/// Stack left before cloning moves to a fresh stack segment, and that segment's size.
const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

impl Clone for ListNode {
    fn clone(&self) -> Self {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || ListNode {
            pos: self.pos,
            nodes: self.nodes.clone(),
        })
    }
}

impl Clone for PipeNode {
    fn clone(&self) -> Self {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || PipeNode {
            pos: self.pos,
            line: self.line,
            is_assign: self.is_assign,
            decl: self.decl.clone(),
            cmds: self.cmds.clone(),
        })
    }
}

impl Drop for ListNode {
    fn drop(&mut self) {
        let nested = |n: &Node| matches!(n, Node::If(_) | Node::Range(_) | Node::With(_));
        if !self.nodes.iter().any(nested) {
            return;
        }
        // Flatten nested bodies onto a heap stack instead of recursing through them.
        let mut pending = std::mem::take(&mut self.nodes);
        while let Some(node) = pending.pop() {
            if let Node::If(mut b) | Node::Range(mut b) | Node::With(mut b) = node {
                pending.append(&mut b.list.nodes);
                if let Some(else_list) = b.else_list.as_mut() {
                    pending.append(&mut else_list.nodes);
                }
            }
        }
    }
}

impl Drop for PipeNode {
    fn drop(&mut self) {
        let nested = |a: &Arg| matches!(a, Arg::Pipe(_) | Arg::Chain { .. });
        if !self.cmds.iter().any(|c| c.args.iter().any(nested)) {
            return;
        }
        // Flatten nested pipelines onto a heap stack instead of recursing through them.
        let mut pending = std::mem::take(&mut self.cmds);
        while let Some(mut cmd) = pending.pop() {
            for mut arg in cmd.args.drain(..) {
                loop {
                    match arg {
                        Arg::Pipe(mut p) => {
                            pending.append(&mut p.cmds);
                            break;
                        }
                        Arg::Chain { node, .. } => arg = *node,
                        _ => break,
                    }
                }
            }
        }
    }
}
