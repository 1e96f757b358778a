//! `Display` for parse-tree nodes: Go's `Node.String()` (node.go), byte for byte.
//!
//! Text nodes print raw, as Go's `%s` text format does. The alternate form (`{:#}`) prints them
//! quoted, as Go's own parser tests do by switching `textFormat` to `%q`.

use std::fmt::{self, Display, Formatter, Write};

use super::ast::{
    ActionNode, Arg, BranchNode, CommandNode, ListNode, Node, NumberNode, PipeNode, TemplateNode,
    Tree, VariableNode,
};
use super::quote::write_go_quote;

/// Stack left before printing moves to a fresh stack segment, and that segment's size.
const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

fn write_list(f: &mut Formatter<'_>, list: &ListNode, quoted: bool) -> fmt::Result {
    stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
        for node in &list.nodes {
            write_node(f, node, quoted)?;
        }
        Ok(())
    })
}

fn write_node(f: &mut Formatter<'_>, node: &Node, quoted: bool) -> fmt::Result {
    match node {
        Node::Text { text, .. } => {
            if quoted {
                write_go_quote(f, text)
            } else {
                f.write_str(text)
            }
        }
        Node::Action(a) => write_action(f, a),
        Node::Comment { text, .. } => {
            f.write_str("{{")?;
            f.write_str(text)?;
            f.write_str("}}")
        }
        Node::If(b) => write_branch(f, "if", b, quoted),
        Node::Range(b) => write_branch(f, "range", b, quoted),
        Node::With(b) => write_branch(f, "with", b, quoted),
        Node::Template(t) => write_template(f, t),
        Node::Break { .. } => f.write_str("{{break}}"),
        Node::Continue { .. } => f.write_str("{{continue}}"),
    }
}

fn write_action(f: &mut Formatter<'_>, a: &ActionNode) -> fmt::Result {
    f.write_str("{{")?;
    write_pipe(f, &a.pipe)?;
    f.write_str("}}")
}

fn write_branch(f: &mut Formatter<'_>, name: &str, b: &BranchNode, quoted: bool) -> fmt::Result {
    f.write_str("{{")?;
    f.write_str(name)?;
    f.write_char(' ')?;
    write_pipe(f, &b.pipe)?;
    f.write_str("}}")?;
    write_list(f, &b.list, quoted)?;
    if let Some(else_list) = &b.else_list {
        f.write_str("{{else}}")?;
        write_list(f, else_list, quoted)?;
    }
    f.write_str("{{end}}")
}

fn write_template(f: &mut Formatter<'_>, t: &TemplateNode) -> fmt::Result {
    f.write_str("{{template ")?;
    write_go_quote(f, &t.name)?;
    if let Some(pipe) = &t.pipe {
        f.write_char(' ')?;
        write_pipe(f, pipe)?;
    }
    f.write_str("}}")
}

fn write_pipe(f: &mut Formatter<'_>, p: &PipeNode) -> fmt::Result {
    stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || write_pipe_inner(f, p))
}

fn write_pipe_inner(f: &mut Formatter<'_>, p: &PipeNode) -> fmt::Result {
    if !p.decl.is_empty() {
        for (i, v) in p.decl.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write_variable(f, v)?;
        }
        f.write_str(if p.is_assign { " = " } else { " := " })?;
    }
    for (i, c) in p.cmds.iter().enumerate() {
        if i > 0 {
            f.write_str(" | ")?;
        }
        write_command(f, c)?;
    }
    Ok(())
}

fn write_command(f: &mut Formatter<'_>, c: &CommandNode) -> fmt::Result {
    for (i, arg) in c.args.iter().enumerate() {
        if i > 0 {
            f.write_char(' ')?;
        }
        if let Arg::Pipe(p) = arg {
            f.write_char('(')?;
            write_pipe(f, p)?;
            f.write_char(')')?;
        } else {
            write_arg(f, arg)?;
        }
    }
    Ok(())
}

fn write_variable(f: &mut Formatter<'_>, v: &VariableNode) -> fmt::Result {
    for (i, id) in v.idents.iter().enumerate() {
        if i > 0 {
            f.write_char('.')?;
        }
        f.write_str(id)?;
    }
    Ok(())
}

fn write_arg(f: &mut Formatter<'_>, arg: &Arg) -> fmt::Result {
    match arg {
        Arg::Field { idents, .. } => {
            for id in idents {
                f.write_char('.')?;
                f.write_str(id)?;
            }
            Ok(())
        }
        Arg::Variable(v) => write_variable(f, v),
        Arg::Identifier { name, .. } => f.write_str(name),
        Arg::Dot { .. } => f.write_char('.'),
        Arg::Nil { .. } => f.write_str("nil"),
        Arg::Bool { val, .. } => f.write_str(if *val { "true" } else { "false" }),
        Arg::Number(n) => f.write_str(&n.text),
        Arg::String { quoted, .. } => f.write_str(quoted),
        Arg::Pipe(p) => write_pipe(f, p),
        Arg::Chain { node, fields, .. } => {
            if let Arg::Pipe(p) = node.as_ref() {
                f.write_char('(')?;
                write_pipe(f, p)?;
                f.write_char(')')?;
            } else {
                write_arg(f, node)?;
            }
            for field in fields {
                f.write_char('.')?;
                f.write_str(field)?;
            }
            Ok(())
        }
    }
}

impl Display for ListNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_list(f, self, f.alternate())
    }
}

impl Display for Node {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_node(f, self, f.alternate())
    }
}

impl Display for Tree {
    /// The body, as Go's `tree.Root.String()`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_list(f, &self.root, f.alternate())
    }
}

impl Display for ActionNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_action(f, self)
    }
}

impl Display for TemplateNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_template(f, self)
    }
}

impl Display for PipeNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_pipe(f, self)
    }
}

impl Display for CommandNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_command(f, self)
    }
}

impl Display for VariableNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_variable(f, self)
    }
}

impl Display for NumberNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Display for Arg {
    /// Go's `String()` of the operand; a parenthesised pipeline prints without its parentheses,
    /// as Go's `PipeNode.String()` does.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_arg(f, self)
    }
}
