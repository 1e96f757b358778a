//! The executor: Go's `text/template/exec.go` over the parse tree.
//!
//! The tree is walked directly; values are cloned by reference count only, and all output goes to
//! one `String`. Go's `reflect.Value` distinctions the templates can observe are kept in [`Val`]:
//! the invalid value (a missing map key, `missingkey=default`) versus a nil `interface{}` (an
//! element of a list or map that holds nil, or a missing key under `missingkey=zero`).

use std::rc::Rc;

use crate::builtins::{self, Builtin};
use crate::error::Error;
use crate::func::{ArgType, Func, FuncImpl, Signature};
use crate::gofmt;
use crate::parse::ast::{
    Arg, BranchNode, CommandNode, ListNode, Node, NumberNode, PipeNode, Pos, TemplateNode, Tree,
    VariableNode,
};
use crate::template::{MissingKey, Templates};
use crate::value::{MapKind, Object, Value};

/// The most nested `{{template}}` calls in one execution, and the most nested executions
/// (`{{template}}` plus re-entries from stateful functions such as Helm's `include`). Go allows
/// 100000 `{{template}}` levels; the same number is used here, with the stack grown on the heap
/// as needed, and the same message ("exceeded maximum template depth (100000)").
pub const MAX_EXEC_DEPTH: usize = 100_000;

/// Stack kept free before recursing; below it the executor continues on a new heap segment.
const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// A value as the executor sees it: Go's `reflect.Value` reduced to what templates can observe.
#[derive(Clone, Default, Debug)]
pub(crate) struct Val {
    pub(crate) v: Value,
    /// The value sits in an `interface{}` slot (a list element, a map value): Go reports its type
    /// as `interface {}` in some errors, and a nil there is a nil interface, not "no value".
    pub(crate) iface: bool,
}

impl Val {
    pub(crate) fn concrete(v: Value) -> Val {
        Val { v, iface: false }
    }

    pub(crate) fn iface(v: Value) -> Val {
        Val { v, iface: true }
    }

    pub(crate) fn invalid() -> Val {
        Val::default()
    }

    /// Go's `!v.IsValid()`.
    pub(crate) fn is_invalid(&self) -> bool {
        !self.iface && self.v.is_nil()
    }

    /// `reflect.Value.Type().String()` before any indirection.
    fn static_type(&self) -> String {
        if self.iface {
            "interface {}".to_string()
        } else {
            self.v.type_name()
        }
    }
}

/// Where the executor is, for error messages (Go's `state.node`).
#[derive(Clone, Copy)]
enum At<'a> {
    None,
    Node(&'a Node),
    Pipe(&'a PipeNode),
    Cmd(&'a CommandNode),
    Arg(&'a Arg),
    Var(&'a VariableNode),
}

impl At<'_> {
    fn pos(&self) -> Option<Pos> {
        Some(match self {
            At::None => return None,
            At::Node(n) => n.pos(),
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => a.pos(),
            At::Var(v) => v.pos,
        })
    }

    fn text(&self) -> String {
        match self {
            At::None => String::new(),
            At::Node(n) => n.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Arg(a) => a.to_string(),
            At::Var(v) => v.to_string(),
        }
    }
}

/// Non-local exits: `{{break}}`, `{{continue}}` and errors.
pub(crate) enum Ctl {
    Break,
    Continue,
    Err(Box<Error>),
}

type R<T> = Result<T, Ctl>;

/// What a called name resolves to.
#[derive(Clone)]
pub(crate) enum Callee<'a> {
    User(&'a Func),
    Builtin(Builtin),
}

/// The execution state a stateful function receives.
pub struct State<'s> {
    set: &'s Templates,
    tree: &'s Tree,
    name: &'s str,
    pos: Pos,
    at: At<'s>,
    depth: usize,
}

impl<'s> State<'s> {
    /// The template set being executed.
    pub fn templates(&self) -> &'s Templates {
        self.set
    }

    /// The name of the executing template (Go's `Template.Name()`).
    pub fn template_name(&self) -> &str {
        self.name
    }

    /// The name of the file the executing tree was parsed from (Go's `ParseName`).
    pub fn file_name(&self) -> &str {
        &self.tree.parse_name
    }

    /// The line (1-based) and byte column (0-based) of the calling command.
    pub fn line_col(&self) -> (usize, usize) {
        crate::parse::line_col(&self.tree.text, self.pos)
    }

    /// `FILE:LINE:COL` of the calling command, as Go's error messages print it.
    pub fn location(&self) -> String {
        let (l, c) = self.line_col();
        format!("{}:{}:{}", self.tree.parse_name, l, c)
    }

    /// Executes the template `name` of the same set with `data` and returns its output (Go's
    /// `ExecuteTemplate`, as Helm's `include` uses it).
    pub fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, Error> {
        let set = self.set;
        self.execute_in(set, name, data)
    }

    /// Executes the template `name` of another set (typically a clone of this one with more
    /// templates parsed into it, as Helm's `tpl` does). Stateful functions called from that run
    /// see `set` as their set.
    pub fn execute_in(
        &mut self,
        set: &Templates,
        name: &str,
        data: &Value,
    ) -> Result<String, Error> {
        let max = set.max_depth();
        if self.depth + 1 >= max {
            let (line, col) = self.line_col();
            return Err(Error::exec(
                self.name,
                &self.tree.parse_name,
                line,
                col,
                &self.at.text(),
                format!("exceeded maximum template depth ({max})"),
                None,
            ));
        }
        execute(set, name, data, self.depth + 1)
    }
}

/// Runs template `name` of `set` on `data`.
pub(crate) fn execute(
    set: &Templates,
    name: &str,
    data: &Value,
    depth: usize,
) -> Result<String, Error> {
    let Some(tree) = set.lookup(name) else {
        return Err(Error::no_template(name, set.name()));
    };
    let mut ex = Exec {
        set,
        out: String::with_capacity(256),
        vars: Vec::with_capacity(16),
        base: 0,
        tree,
        name: &tree.name,
        at: At::None,
        depth: 0,
        total: depth,
        missing_key: set.missing_key(),
    };
    let dot = Val::concrete(data.clone());
    ex.vars.push(("$", dot.clone()));
    match ex.walk_list(&dot, &tree.root) {
        Ok(()) => Ok(ex.out),
        Err(Ctl::Err(e)) => Err(*e),
        // The parser allows break/continue only inside range.
        Err(Ctl::Break | Ctl::Continue) => Ok(ex.out),
    }
}

struct Exec<'a> {
    set: &'a Templates,
    out: String,
    vars: Vec<(&'a str, Val)>,
    base: usize,
    tree: &'a Tree,
    name: &'a str,
    at: At<'a>,
    depth: usize,
    total: usize,
    missing_key: MissingKey,
}

fn val_value(v: Val) -> Value {
    v.v
}

fn is_hex_int(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') && !s.contains(['p', 'P'])
}

impl<'a> Exec<'a> {
    fn error_source(
        &self,
        msg: String,
        source: Option<Rc<dyn std::error::Error + 'static>>,
    ) -> Ctl {
        let err = match self.at.pos() {
            None => Error::exec_no_node(self.name, msg),
            Some(pos) => {
                let (line, col) = crate::parse::line_col(&self.tree.text, pos);
                Error::exec(
                    self.name,
                    &self.tree.parse_name,
                    line,
                    col,
                    &self.at.text(),
                    msg,
                    source,
                )
            }
        };
        Ctl::Err(Box::new(err))
    }

    fn error(&self, msg: String) -> Ctl {
        self.error_source(msg, None)
    }

    fn err<T>(&self, msg: String) -> R<T> {
        Err(self.error(msg))
    }

    // ---- variables ----

    fn var_value(&self, name: &str) -> R<Val> {
        for (n, v) in self.vars[self.base..].iter().rev() {
            if *n == name {
                return Ok(v.clone());
            }
        }
        self.err(format!("undefined variable: {name}"))
    }

    fn set_var(&mut self, name: &str, value: Val) -> R<()> {
        let base = self.base;
        for (n, v) in self.vars[base..].iter_mut().rev() {
            if *n == name {
                *v = value;
                return Ok(());
            }
        }
        self.err(format!("undefined variable: {name}"))
    }

    // ---- walking ----

    fn walk_list(&mut self, dot: &Val, list: &'a ListNode) -> R<()> {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            for node in &list.nodes {
                self.walk(dot, node)?;
            }
            Ok(())
        })
    }

    fn walk(&mut self, dot: &Val, node: &'a Node) -> R<()> {
        self.at = At::Node(node);
        match node {
            Node::Text { text, .. } => {
                self.out.push_str(text);
                Ok(())
            }
            Node::Action(a) => {
                let val = self.eval_pipeline(dot, &a.pipe)?;
                if a.pipe.decl.is_empty() {
                    self.at = At::Node(node);
                    self.print_value(&val);
                }
                Ok(())
            }
            Node::Comment { .. } => Ok(()),
            Node::If(b) => self.walk_if_or_with(false, dot, b),
            Node::With(b) => self.walk_if_or_with(true, dot, b),
            Node::Range(b) => self.walk_range(dot, b, node),
            Node::Template(t) => self.walk_template(dot, t, node),
            Node::Break { .. } => Err(Ctl::Break),
            Node::Continue { .. } => Err(Ctl::Continue),
        }
    }

    fn print_value(&mut self, v: &Val) {
        if v.v.is_nil() {
            self.out.push_str("<no value>");
        } else {
            gofmt::write_value(&mut self.out, &v.v);
        }
    }

    fn walk_if_or_with(&mut self, with: bool, dot: &Val, b: &'a BranchNode) -> R<()> {
        let mark = self.vars.len();
        let r = (|| {
            let val = self.eval_pipeline(dot, &b.pipe)?;
            if val.v.is_truthy() {
                if with {
                    self.walk_list(&val, &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(())
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn one_iteration(&mut self, b: &'a BranchNode, mark: usize, index: Val, elem: Val) -> R<()> {
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0].idents[0], index.clone())?;
                } else {
                    self.set_var(&decl[0].idents[0], elem.clone())?;
                }
            } else if let Some(top) = self.vars.last_mut() {
                top.1 = elem.clone();
            }
        }
        if decl.len() > 1 {
            if b.pipe.is_assign {
                self.set_var(&decl[1].idents[0], elem.clone())?;
            } else {
                let n = self.vars.len();
                if n >= 2 {
                    self.vars[n - 2].1 = index;
                }
            }
        }
        let r = self.walk_list(&elem, &b.list);
        self.vars.truncate(mark);
        match r {
            Err(Ctl::Continue) => Ok(()),
            other => other,
        }
    }

    fn walk_range(&mut self, dot: &Val, b: &'a BranchNode, node: &'a Node) -> R<()> {
        self.at = At::Node(node);
        let outer = self.vars.len();
        let r = self.walk_range_inner(dot, b);
        self.vars.truncate(outer);
        match r {
            Err(Ctl::Break) => Ok(()),
            other => other,
        }
    }

    fn walk_range_inner(&mut self, dot: &Val, b: &'a BranchNode) -> R<()> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let mark = self.vars.len();
        let ndecl = b.pipe.decl.len();
        match &val.v {
            Value::Int(n) | Value::Int64(n) => {
                if ndecl > 1 {
                    return self.err(format!(
                        "can't use {} to iterate over more than one variable",
                        gofmt::format_value(&val.v)
                    ));
                }
                if *n > 0 {
                    let is64 = matches!(val.v, Value::Int64(_));
                    for i in 0..*n {
                        let e = if is64 { Value::Int64(i) } else { Value::Int(i) };
                        self.one_iteration(b, mark, Val::invalid(), Val::concrete(e))?;
                    }
                    return Ok(());
                }
            }
            Value::List(items) => {
                if !items.is_empty() {
                    let items = Rc::clone(items);
                    for (i, e) in items.iter().enumerate() {
                        self.one_iteration(
                            b,
                            mark,
                            Val::concrete(Value::Int(i as i64)),
                            Val::iface(e.clone()),
                        )?;
                    }
                    return Ok(());
                }
            }
            Value::Bytes(bytes) => {
                if !bytes.is_empty() {
                    let bytes = Rc::clone(bytes);
                    for (i, e) in bytes.iter().enumerate() {
                        self.one_iteration(
                            b,
                            mark,
                            Val::concrete(Value::Int(i as i64)),
                            Val::concrete(Value::Int(i64::from(*e))),
                        )?;
                    }
                    return Ok(());
                }
            }
            Value::Map(d) => {
                if !d.is_empty() {
                    let iface = d.kind() != MapKind::StringMap;
                    // Go sorts a copy of the entries before iterating, so changes made by the body
                    // are not seen; the keys are copied only when a key variable needs them.
                    if ndecl > 1 {
                        let entries: Vec<(Value, Value)> = d
                            .borrow()
                            .iter()
                            .map(|(k, v)| (Value::string(k), v.clone()))
                            .collect();
                        for (k, v) in entries {
                            self.one_iteration(b, mark, Val::concrete(k), Val { v, iface })?;
                        }
                    } else {
                        let vals: Vec<Value> = d.borrow().values().cloned().collect();
                        for v in vals {
                            self.one_iteration(b, mark, Val::invalid(), Val { v, iface })?;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Object(o) => match o.entries() {
                Some(entries) => {
                    if !entries.is_empty() {
                        for (k, v) in entries {
                            self.one_iteration(
                                b,
                                mark,
                                Val::concrete(Value::from(k)),
                                Val::iface(v),
                            )?;
                        }
                        return Ok(());
                    }
                }
                None => {
                    return self.err(format!(
                        "range can't iterate over {}",
                        gofmt::format_value(&val.v)
                    ));
                }
            },
            Value::Nil => {}
            other => {
                return self.err(format!(
                    "range can't iterate over {}",
                    gofmt::format_value(other)
                ));
            }
        }
        if let Some(e) = &b.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Val, t: &'a TemplateNode, node: &'a Node) -> R<()> {
        self.at = At::Node(node);
        let Some(tree) = self.set.lookup(&t.name) else {
            return self.err(format!("template {} not defined", gofmt::quote(&t.name)));
        };
        let max = self.set.max_depth();
        if self.depth >= max || self.total + self.depth >= max {
            return self.err(format!("exceeded maximum template depth ({max})"));
        }
        let dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Val::invalid(),
        };
        let saved = (self.base, self.tree, self.name);
        self.base = self.vars.len();
        self.vars.push(("$", dot.clone()));
        self.tree = tree;
        self.name = &tree.name;
        self.depth += 1;
        let r = self.walk_list(&dot, &tree.root);
        self.depth -= 1;
        self.vars.truncate(self.base);
        (self.base, self.tree, self.name) = saved;
        r
    }

    // ---- evaluation ----

    fn eval_pipeline(&mut self, dot: &Val, pipe: &'a PipeNode) -> R<Val> {
        self.at = At::Pipe(pipe);
        let mut value: Option<Val> = None;
        for cmd in &pipe.cmds {
            let mut v = self.eval_command(dot, cmd, value.take())?;
            // Go digs a value of type interface{} out of its interface.
            v.iface = false;
            value = Some(v);
        }
        let value = value.unwrap_or_default();
        for var in &pipe.decl {
            let name: &'a str = &var.idents[0];
            if pipe.is_assign {
                self.at = At::Var(var);
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name, value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &'a [Arg], fin: &Option<Val>) -> R<()> {
        if args.len() > 1 || fin.is_some() {
            let first = args.first().map(|a| a.to_string()).unwrap_or_default();
            return self.err(format!("can't give argument to non-function {first}"));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, cmd: &'a CommandNode, fin: Option<Val>) -> R<Val> {
        let Some(first) = cmd.args.first() else {
            self.at = At::Cmd(cmd);
            return self.err("empty command".to_string());
        };
        match first {
            Arg::Field { idents, .. } => {
                return self.eval_field_chain_node(dot, first, idents, &cmd.args, fin);
            }
            Arg::Chain { .. } => return self.eval_chain_node(dot, first, &cmd.args, fin),
            Arg::Identifier { name, .. } => {
                return self.eval_function(dot, first, name, At::Cmd(cmd), &cmd.args[1..], fin);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.eval_pipeline(dot, p));
            }
            Arg::Variable(v) => return self.eval_variable_node(dot, v, &cmd.args, fin),
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool { val, .. } => Ok(Val::concrete(Value::Bool(*val))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => self.err("nil is not a command".to_string()),
            Arg::Number(n) => self.ideal_constant(first, n),
            Arg::String { text, .. } => Ok(Val::concrete(Value::String(Rc::clone(text)))),
            _ => self.err(format!(
                "can't evaluate command {}",
                gofmt::quote(&first.to_string())
            )),
        }
    }

    fn ideal_constant(&mut self, node: &'a Arg, n: &NumberNode) -> R<Val> {
        self.at = At::Arg(node);
        if n.is_complex {
            return self.err(format!("complex constant {} is not supported", n.text));
        }
        if let Some(f) = n.float
            && !is_hex_int(&n.text)
            && !n.text.starts_with('\'')
            && n.text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Val::concrete(Value::Float(f)));
        }
        if let Some(i) = n.int {
            return Ok(Val::concrete(Value::Int(i)));
        }
        if n.uint.is_some() {
            return self.err(format!("{} overflows int", n.text));
        }
        Ok(Val::invalid())
    }

    fn eval_field_chain_node(
        &mut self,
        dot: &Val,
        node: &'a Arg,
        idents: &'a [Rc<str>],
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.at = At::Arg(node);
        self.eval_field_chain(dot, dot.clone(), At::Arg(node), idents, args, fin)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Val,
        chain: &'a Arg,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.at = At::Arg(chain);
        let Arg::Chain { node, fields, .. } = chain else {
            return self.err("internal error: not a chain".to_string());
        };
        if fields.is_empty() {
            return self.err("internal error: no fields in evalChainNode".to_string());
        }
        if let Arg::Nil { .. } = **node {
            return self.err(format!("indirection through explicit nil in {chain}"));
        }
        let pipe = self.eval_arg_untyped(dot, node)?;
        self.eval_field_chain(dot, pipe, At::Arg(chain), fields, args, fin)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Val,
        var: &'a VariableNode,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.at = At::Var(var);
        let value = self.var_value(&var.idents[0])?;
        if var.idents.len() == 1 {
            self.not_a_function(args, &fin)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, At::Var(var), &var.idents[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Val,
        mut receiver: Val,
        node: At<'a>,
        idents: &'a [Rc<str>],
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let n = idents.len();
        if n == 0 {
            return Ok(receiver);
        }
        for ident in &idents[..n - 1] {
            receiver = self.eval_field(dot, ident, node, &[], None, receiver)?;
        }
        self.eval_field(dot, &idents[n - 1], node, args, fin, receiver)
    }

    fn missing(&self, name: &str, string_map: bool) -> R<Val> {
        match self.missing_key {
            MissingKey::Default => Ok(Val::invalid()),
            MissingKey::Zero => Ok(if string_map {
                Val::concrete(Value::string(""))
            } else {
                Val::iface(Value::Nil)
            }),
            MissingKey::Error => {
                self.err(format!("map has no entry for key {}", gofmt::quote(name)))
            }
        }
    }

    fn eval_field(
        &mut self,
        dot: &Val,
        name: &'a str,
        node: At<'a>,
        args: &'a [Arg],
        fin: Option<Val>,
        receiver: Val,
    ) -> R<Val> {
        if receiver.is_invalid() {
            if self.missing_key == MissingKey::Error {
                return self.err(format!("nil data; no entry for key {}", gofmt::quote(name)));
            }
            return Ok(Val::invalid());
        }
        let has_args = args.len() > 1 || fin.is_some();
        match &receiver.v {
            Value::Nil => self.err(format!(
                "nil pointer evaluating {}.{}",
                receiver.static_type(),
                name
            )),
            Value::Map(d) => {
                if let MapKind::Named(type_name) = d.kind()
                    && let Some(m) = self.set.map_methods(type_name)
                    && m.has_method(name)
                {
                    let m = Rc::clone(m);
                    let d = d.clone();
                    let sig = m.method_signature(name);
                    return self.eval_method_call(dot, sig, name, node, args, fin, |a| {
                        m.call_method(&d, name, a)
                    });
                }
                if has_args {
                    return self.err(format!("{name} is not a method but has arguments"));
                }
                match d.get(name) {
                    Some(v) => Ok(Val {
                        v,
                        iface: d.kind() != MapKind::StringMap,
                    }),
                    None => self.missing(name, d.kind() == MapKind::StringMap),
                }
            }
            Value::Object(o) => {
                let o = Rc::clone(o);
                if o.has_method(name) {
                    return self.eval_method(dot, &o, name, node, args, fin);
                }
                if let Some(v) = o.field(name) {
                    if has_args {
                        return self.err(format!(
                            "{name} has arguments but cannot be invoked as function"
                        ));
                    }
                    let iface = v.is_nil();
                    return Ok(Val { v, iface });
                }
                if o.kind_name() == "map" {
                    if has_args {
                        return self.err(format!("{name} is not a method but has arguments"));
                    }
                    if self.missing_key == MissingKey::Zero
                        && let Some(z) = o.map_zero_value()
                    {
                        return Ok(Val::concrete(z));
                    }
                    return self.missing(name, false);
                }
                if !o.is_truthy() {
                    return self.err(format!(
                        "nil pointer evaluating {}.{}",
                        receiver.static_type(),
                        name
                    ));
                }
                self.err(format!(
                    "can't evaluate field {} in type {}",
                    name,
                    receiver.static_type()
                ))
            }
            _ => self.err(format!(
                "can't evaluate field {} in type {}",
                name,
                receiver.static_type()
            )),
        }
    }

    fn eval_method(
        &mut self,
        dot: &Val,
        o: &Rc<dyn Object>,
        name: &'a str,
        node: At<'a>,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let sig = o.method_signature(name);
        self.eval_method_call(dot, sig, name, node, args, fin, |a| o.call_method(name, a))
    }

    /// Go's `evalCall` for a method: `args` includes the method's own node first.
    #[allow(clippy::too_many_arguments)]
    fn eval_method_call(
        &mut self,
        dot: &Val,
        sig: Option<Signature>,
        name: &'a str,
        node: At<'a>,
        args: &'a [Arg],
        fin: Option<Val>,
        call: impl FnOnce(&[Value]) -> Result<Value, crate::value::FuncError>,
    ) -> R<Val> {
        const ANY_VARIADIC: Signature = Signature::variadic(&[], ArgType::Any);
        let sig = sig.unwrap_or(ANY_VARIADIC);
        let call_args = if args.is_empty() { args } else { &args[1..] };
        let values = self.eval_args(dot, &sig, name, call_args, fin, false, val_value)?;
        self.call_result(call(&values), node, name)
    }

    /// A function's or method's result as a value, or Go's `error calling NAME: ERR` at `node`.
    fn call_result(
        &mut self,
        result: Result<Value, crate::value::FuncError>,
        node: At<'a>,
        name: &str,
    ) -> R<Val> {
        match result {
            Ok(v) => {
                let iface = v.is_nil();
                Ok(Val { v, iface })
            }
            Err(e) => {
                self.at = node;
                let source: Rc<dyn std::error::Error> = Rc::new(e.clone());
                Err(self.error_source(format!("error calling {name}: {e}"), Some(source)))
            }
        }
    }

    fn eval_function(
        &mut self,
        dot: &Val,
        ident: &'a Arg,
        name: &'a str,
        cmd: At<'a>,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.at = At::Arg(ident);
        let Some(callee) = self.set.find_function(name) else {
            return self.err(format!("{} is not a defined function", gofmt::quote(name)));
        };
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            self.eval_call(dot, callee, cmd, name, args, fin)
        })
    }

    /// Checks the argument count and evaluates the arguments against the signature, as Go's
    /// `evalCall` does. `args` excludes the function name.
    #[allow(clippy::too_many_arguments)]
    fn eval_args<T>(
        &mut self,
        dot: &Val,
        sig: &Signature,
        name: &str,
        args: &'a [Arg],
        fin: Option<Val>,
        reflect: bool,
        conv: fn(Val) -> T,
    ) -> R<Vec<T>> {
        let num_in = args.len() + usize::from(fin.is_some());
        let mut num_fixed = args.len();
        let np = sig.params.len();
        if sig.variadic.is_some() {
            num_fixed = np;
            if num_in < num_fixed {
                return self.err(format!(
                    "wrong number of args for {name}: want at least {np} got {}",
                    args.len()
                ));
            }
        } else if num_in != np {
            return self.err(format!(
                "wrong number of args for {name}: want {np} got {num_in}"
            ));
        }
        let mut argv = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            argv.push(conv(self.eval_arg(
                dot,
                sig.params[i],
                &args[i],
                reflect,
            )?));
            i += 1;
        }
        if let Some(rest) = sig.variadic {
            while i < args.len() {
                argv.push(conv(self.eval_arg(dot, rest, &args[i], reflect)?));
                i += 1;
            }
        }
        if let Some(f) = fin {
            let t = match sig.variadic {
                Some(rest) => {
                    if num_in - 1 < num_fixed {
                        sig.params[num_in - 1]
                    } else {
                        rest
                    }
                }
                None => sig.params[np - 1],
            };
            argv.push(conv(self.validate_type(f, t, reflect)?));
        }
        Ok(argv)
    }

    fn eval_call(
        &mut self,
        dot: &Val,
        callee: Callee<'a>,
        node: At<'a>,
        name: &'a str,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        match callee {
            Callee::Builtin(b) => {
                let sig = b.signature();
                if matches!(b, Builtin::And | Builtin::Or) {
                    return self.eval_and_or(dot, b, &sig, name, args, fin);
                }
                let argv =
                    self.eval_args(dot, &sig, name, args, fin, true, std::convert::identity)?;
                let callee_name = match args.first() {
                    Some(a) => a.to_string(),
                    None => String::new(),
                };
                match builtins::call(b, &argv, &callee_name) {
                    Ok(v) => Ok(v),
                    Err(msg) => {
                        self.at = node;
                        self.err(format!("error calling {name}: {msg}"))
                    }
                }
            }
            Callee::User(f) => {
                let values = self.eval_args(dot, &f.sig, name, args, fin, false, val_value)?;
                let result = match &f.imp {
                    FuncImpl::Plain(p) => p(&values),
                    FuncImpl::Closure(c) => c(&values),
                    FuncImpl::Stateful(s) => {
                        let pos = node.pos().unwrap_or(0);
                        let mut st = State {
                            set: self.set,
                            tree: self.tree,
                            name: self.name,
                            pos,
                            at: node,
                            depth: self.total + self.depth,
                        };
                        s(&mut st, &values)
                    }
                };
                self.call_result(result, node, name)
            }
        }
    }

    fn eval_and_or(
        &mut self,
        dot: &Val,
        b: Builtin,
        sig: &Signature,
        name: &str,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let num_in = args.len() + usize::from(fin.is_some());
        if num_in < sig.params.len() {
            return self.err(format!(
                "wrong number of args for {name}: want at least {} got {}",
                sig.params.len(),
                args.len()
            ));
        }
        let is_or = b == Builtin::Or;
        let mut v = Val::invalid();
        for a in args {
            v = self.eval_arg(dot, ArgType::Any, a, true)?;
            if builtins::truth(&v) == is_or {
                return Ok(v);
            }
        }
        if let Some(f) = fin {
            v = f;
        }
        Ok(v)
    }

    /// Go's `evalArg` with `typ == nil` (the operand of a chain).
    fn eval_arg_untyped(&mut self, dot: &Val, n: &'a Arg) -> R<Val> {
        self.at = At::Arg(n);
        match n {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Field { idents, .. } => {
                self.eval_field_chain_node(dot, n, idents, std::slice::from_ref(n), None)
            }
            Arg::Variable(v) => self.eval_variable_node(dot, v, &[], None),
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Identifier { name, .. } => self.eval_function(dot, n, name, At::Arg(n), &[], None),
            Arg::Chain { .. } => self.eval_chain_node(dot, n, &[], None),
            _ => self.eval_empty_interface(dot, n),
        }
    }

    fn nillable(t: ArgType) -> bool {
        matches!(
            t,
            ArgType::Any | ArgType::List | ArgType::Map | ArgType::Strings
        )
    }

    fn zero_of(t: ArgType) -> Val {
        match t {
            ArgType::List | ArgType::Strings => Val::concrete(Value::list(Vec::new())),
            ArgType::Map => Val::concrete(Value::map(Default::default())),
            _ => Val::invalid(),
        }
    }

    fn validate_type(&mut self, value: Val, t: ArgType, reflect: bool) -> R<Val> {
        if value.is_invalid() {
            if reflect || t == ArgType::Any {
                return Ok(Val::invalid());
            }
            if Self::nillable(t) {
                return Ok(Self::zero_of(t));
            }
            return self.err(format!("invalid value; expected {}", t.go_name()));
        }
        let ok = match (t, &value.v) {
            (ArgType::Any, _) => return Ok(value),
            (ArgType::String, Value::String(_))
            | (ArgType::Int, Value::Int(_))
            | (ArgType::Int64, Value::Int64(_))
            | (ArgType::Float64, Value::Float(_))
            | (ArgType::Bool, Value::Bool(_))
            | (ArgType::List, Value::List(_)) => true,
            (ArgType::Map, Value::Map(d)) => d.kind() != MapKind::StringMap,
            (ArgType::Strings, Value::List(l)) => l.iter().all(|e| matches!(e, Value::String(_))),
            _ => false,
        };
        if ok {
            return Ok(Val::concrete(value.v));
        }
        let got = if value.v.is_nil() {
            value.static_type()
        } else {
            value.v.type_name()
        };
        self.err(format!(
            "wrong type for value; expected {}; got {}",
            t.go_name(),
            got
        ))
    }

    fn eval_arg(&mut self, dot: &Val, t: ArgType, n: &'a Arg, reflect: bool) -> R<Val> {
        self.at = At::Arg(n);
        let v = match n {
            Arg::Dot { .. } => dot.clone(),
            Arg::Nil { .. } => {
                if reflect {
                    return Ok(Val::invalid());
                }
                if Self::nillable(t) {
                    return Ok(match t {
                        ArgType::Any => Val::iface(Value::Nil),
                        _ => Self::zero_of(t),
                    });
                }
                return self.err(format!("cannot assign nil to {}", t.go_name()));
            }
            Arg::Field { idents, .. } => {
                self.eval_field_chain_node(dot, n, idents, std::slice::from_ref(n), None)?
            }
            Arg::Variable(v) => self.eval_variable_node(dot, v, &[], None)?,
            Arg::Pipe(p) => {
                stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.eval_pipeline(dot, p))?
            }
            Arg::Identifier { name, .. } => {
                self.eval_function(dot, n, name, At::Arg(n), &[], None)?
            }
            Arg::Chain { .. } => self.eval_chain_node(dot, n, &[], None)?,
            _ => {
                return match t {
                    ArgType::Bool => match n {
                        Arg::Bool { val, .. } => Ok(Val::concrete(Value::Bool(*val))),
                        _ => self.err(format!("expected bool; found {n}")),
                    },
                    ArgType::Float64 => match n {
                        Arg::Number(NumberNode { float: Some(f), .. }) => {
                            Ok(Val::concrete(Value::Float(*f)))
                        }
                        _ => self.err(format!("expected float; found {n}")),
                    },
                    ArgType::Int | ArgType::Int64 => match n {
                        Arg::Number(NumberNode { int: Some(i), .. }) => {
                            Ok(Val::concrete(if t == ArgType::Int {
                                Value::Int(*i)
                            } else {
                                Value::Int64(*i)
                            }))
                        }
                        _ => self.err(format!("expected integer; found {n}")),
                    },
                    ArgType::String => match n {
                        Arg::String { text, .. } => {
                            Ok(Val::concrete(Value::String(Rc::clone(text))))
                        }
                        _ => self.err(format!("expected string; found {n}")),
                    },
                    ArgType::Any => self.eval_empty_interface(dot, n),
                    ArgType::List | ArgType::Map | ArgType::Strings => {
                        self.err(format!("can't handle {n} for arg of type {}", t.go_name()))
                    }
                };
            }
        };
        self.validate_type(v, t, reflect)
    }

    fn eval_empty_interface(&mut self, dot: &Val, n: &'a Arg) -> R<Val> {
        self.at = At::Arg(n);
        match n {
            Arg::Bool { val, .. } => Ok(Val::concrete(Value::Bool(*val))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Field { idents, .. } => self.eval_field_chain_node(dot, n, idents, &[], None),
            Arg::Identifier { name, .. } => self.eval_function(dot, n, name, At::Arg(n), &[], None),
            Arg::Nil { .. } => self.err("evalEmptyInterface: nil (can't happen)".to_string()),
            Arg::Number(num) => self.ideal_constant(n, num),
            Arg::String { text, .. } => Ok(Val::concrete(Value::String(Rc::clone(text)))),
            Arg::Variable(v) => self.eval_variable_node(dot, v, &[], None),
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Chain { .. } => self.err(format!(
                "can't handle assignment of {n} to empty interface argument"
            )),
        }
    }
}
