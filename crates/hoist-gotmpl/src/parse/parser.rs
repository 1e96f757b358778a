//! The parser: a port of Go's `text/template/parse/parse.go`.
//!
//! Each tree (the top level, each `{{define}}` and each `{{block}}`) has its own token look-ahead
//! and variable scope, as Go's separate `Tree` values do, so error lines match Go's: an error
//! reports the line of the last token its tree read.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem;
use std::rc::Rc;

use super::ast::{
    ActionNode, Arg, BranchNode, CommandNode, ListNode, Node, PipeNode, Pos, TemplateNode, Tree,
    VariableNode,
};
use super::lexer::{Item, ItemType, Lexer};
use super::number::new_number;
use super::quote::{go_quote, go_quote_prefix, unquote};
use super::{ParseError, ParseOptions, is_empty_tree};

/// Go's `maxPipelineCmds`.
const MAX_PIPELINE_CMDS: usize = 100_000;

/// Stack left before a recursion point moves to a fresh stack segment, and that segment's size:
/// deep nesting then uses heap-allocated stack instead of overflowing the thread's stack.
const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

type PResult<T> = Result<T, Box<ParseError>>;

/// What `textOrAction` produced: a node, or an `{{end}}`/`{{else}}` that closes a list.
enum Parsed {
    Node(Node),
    End,
    Else { pos: Pos },
}

impl Parsed {
    /// Go's `String()` of the node, for messages.
    fn describe(&self) -> String {
        match self {
            Parsed::Node(n) => n.to_string(),
            Parsed::End => "{{end}}".to_owned(),
            Parsed::Else { .. } => "{{else}}".to_owned(),
        }
    }
}

/// The per-tree parsing state of Go's `Tree`.
struct TreeState<'a> {
    /// Three-token look-ahead.
    token: [Item<'a>; 3],
    peek_count: usize,
    /// Variables defined at the moment.
    vars: Vec<&'a str>,
    range_depth: usize,
    /// Line of the left delimiter starting the current action (0 when none).
    action_line: usize,
    /// Depth of nested parenthesised pipelines.
    stack_depth: usize,
}

impl TreeState<'_> {
    fn new() -> Self {
        TreeState {
            token: [Item::default(); 3],
            peek_count: 0,
            vars: vec!["$"],
            range_depth: 0,
            action_line: 0,
            stack_depth: 0,
        }
    }
}

/// Shares one `Rc<str>` among the repeated names of a template (`Values`, `Release`, `$x`...),
/// saving an allocation per occurrence.
#[derive(Default)]
struct Interner<'a> {
    names: HashMap<&'a str, Rc<str>, BuildHasherDefault<FnvHasher>>,
}

impl<'a> Interner<'a> {
    fn get(&mut self, s: &'a str) -> Rc<str> {
        self.names.entry(s).or_insert_with(|| Rc::from(s)).clone()
    }

    /// The dot-separated parts of `s`.
    fn idents(&mut self, s: &'a str) -> Vec<Rc<str>> {
        s.split('.').map(|part| self.get(part)).collect()
    }
}

/// FNV-1a: names are short, so a simple hash beats SipHash here.
struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

pub(crate) struct Parser<'a, 'o> {
    lex: Lexer<'a>,
    opts: &'o ParseOptions<'o>,
    parse_name: Rc<str>,
    text: Rc<str>,
    tree_set: Vec<Tree>,
    /// Where each name is in `tree_set`.
    tree_index: HashMap<Rc<str>, usize>,
    st: TreeState<'a>,
    /// Nesting of control structures (`if`, `range`, `with`, `block`), across trees.
    nesting: usize,
    names: Interner<'a>,
}

impl<'a, 'o> Parser<'a, 'o> {
    pub(crate) fn new(
        lex: Lexer<'a>,
        opts: &'o ParseOptions<'o>,
        parse_name: Rc<str>,
        text: Rc<str>,
    ) -> Self {
        Parser {
            lex,
            opts,
            parse_name,
            text,
            tree_set: Vec::new(),
            tree_index: HashMap::new(),
            st: TreeState::new(),
            nesting: 0,
            names: Interner::default(),
        }
    }

    /// Parses the whole input; returns Go's tree set.
    pub(crate) fn parse(mut self) -> Result<Vec<Tree>, ParseError> {
        match self.parse_top() {
            Ok(()) => Ok(self.tree_set),
            Err(e) => Err(*e),
        }
    }

    // ---- errors ----

    fn errorf(&self, message: String) -> Box<ParseError> {
        Box::new(ParseError::new(
            self.parse_name.as_ref(),
            self.st.token[0].line,
            message,
        ))
    }

    /// Go's `item.String()`.
    fn item_string(&self, item: Item<'_>) -> String {
        match item.typ {
            ItemType::Eof => "EOF".to_owned(),
            ItemType::Error => self.lex.error_message().unwrap_or_default().to_owned(),
            t if t.is_keyword() => format!("<{}>", item.val),
            _ if item.val.len() > 10 => format!("{}...", go_quote_prefix(item.val, 10)),
            _ => go_quote(item.val),
        }
    }

    /// Go's `unexpected`.
    fn unexpected(&self, token: Item<'_>, context: &str) -> Box<ParseError> {
        if token.typ == ItemType::Error {
            let msg = self.lex.error_message().unwrap_or_default();
            let mut extra = String::new();
            if self.st.action_line != 0 && self.st.action_line != token.line {
                // Avoid "action in action".
                let lead = if msg.ends_with(" action") {
                    ""
                } else {
                    " in action"
                };
                extra = format!(
                    "{lead} started at {}:{}",
                    self.parse_name, self.st.action_line
                );
            }
            return self.errorf(format!("{msg}{extra}"));
        }
        self.errorf(format!(
            "unexpected {} in {}",
            self.item_string(token),
            context
        ))
    }

    // ---- token stream (Go's next/backup/peek) ----

    fn next(&mut self) -> Item<'a> {
        if self.st.peek_count > 0 {
            self.st.peek_count -= 1;
        } else {
            self.st.token[0] = self.lex.next_item();
        }
        self.st.token[self.st.peek_count]
    }

    fn backup(&mut self) {
        if self.st.peek_count < 3 {
            self.st.peek_count += 1;
        }
    }

    fn backup2(&mut self, t1: Item<'a>) {
        self.st.token[1] = t1;
        self.st.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item<'a>, t1: Item<'a>) {
        self.st.token[1] = t1;
        self.st.token[2] = t2;
        self.st.peek_count = 3;
    }

    fn peek(&mut self) -> Item<'a> {
        if self.st.peek_count > 0 {
            return self.st.token[self.st.peek_count - 1];
        }
        self.st.peek_count = 1;
        self.st.token[0] = self.lex.next_item();
        self.st.token[0]
    }

    fn next_non_space(&mut self) -> Item<'a> {
        loop {
            let token = self.next();
            if token.typ != ItemType::Space {
                return token;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'a> {
        let token = self.next_non_space();
        self.backup();
        token
    }

    fn expect(&mut self, expected: ItemType, context: &str) -> PResult<Item<'a>> {
        let token = self.next_non_space();
        if token.typ != expected {
            return Err(self.unexpected(token, context));
        }
        Ok(token)
    }

    fn expect_one_of(&mut self, e1: ItemType, e2: ItemType, context: &str) -> PResult<Item<'a>> {
        let token = self.next_non_space();
        if token.typ != e1 && token.typ != e2 {
            return Err(self.unexpected(token, context));
        }
        Ok(token)
    }

    fn has_function(&self, name: &str) -> bool {
        self.opts.funcs.is_some_and(|f| f(name))
    }

    // ---- trees ----

    /// Go's `Tree.add`: installs a tree in the set unless a non-empty one is there already.
    fn add(&mut self, tree: Tree) -> PResult<()> {
        if let Some(&i) = self.tree_index.get(&tree.name) {
            let old = &mut self.tree_set[i];
            if is_empty_tree(&old.root) {
                *old = tree;
                return Ok(());
            }
            if !is_empty_tree(&tree.root) {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    go_quote(&tree.name)
                )));
            }
            return Ok(());
        }
        self.tree_index
            .insert(tree.name.clone(), self.tree_set.len());
        self.tree_set.push(tree);
        Ok(())
    }

    fn new_tree(&self, name: Rc<str>, root: ListNode) -> Tree {
        Tree {
            name,
            parse_name: self.parse_name.clone(),
            root,
            text: self.text.clone(),
        }
    }

    /// Go's `parse`: the top level, which may also hold `{{define}}`s. Runs to EOF.
    fn parse_top(&mut self) -> PResult<()> {
        let mut root = ListNode {
            pos: self.peek().pos,
            nodes: Vec::new(),
        };
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == ItemType::Define {
                    let parent = mem::replace(&mut self.st, TreeState::new());
                    let result = self.parse_definition();
                    self.st = parent;
                    result?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.nodes.push(n),
                other => {
                    return Err(self.errorf(format!("unexpected {}", other.describe())));
                }
            }
        }
        let tree = self.new_tree(self.parse_name.clone(), root);
        self.add(tree)
    }

    /// Go's `parseDefinition`; the `define` keyword has been read. Runs in a fresh tree state.
    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let name = self.expect_one_of(ItemType::String, ItemType::RawString, CONTEXT)?;
        let name = unquote(name.val).map_err(|()| self.errorf("invalid syntax".to_owned()))?;
        self.expect(ItemType::RightDelim, CONTEXT)?;
        let (root, end) = self.item_list()?;
        if !matches!(end, Parsed::End) {
            return Err(self.errorf(format!("unexpected {} in {CONTEXT}", end.describe())));
        }
        let tree = self.new_tree(Rc::from(name), root);
        self.add(tree)
    }

    /// Go's `itemList`: `textOrAction*`, ended by `{{end}}` or `{{else}}` (returned separately).
    fn item_list(&mut self) -> PResult<(ListNode, Parsed)> {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.item_list_inner())
    }

    /// Enters one more nested control structure (`if`, `range`, `with`, `block`), failing past
    /// the configured bound. Go has no such bound; ours caps memory on hostile input.
    fn enter_nesting(&mut self) -> PResult<()> {
        if self.nesting >= self.opts.max_nesting_depth {
            return Err(self.errorf("max nesting depth exceeded".to_owned()));
        }
        self.nesting += 1;
        Ok(())
    }

    fn item_list_inner(&mut self) -> PResult<(ListNode, Parsed)> {
        let mut list = ListNode {
            pos: self.peek_non_space().pos,
            nodes: Vec::new(),
        };
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.nodes.push(n),
                end => return Ok((list, end)),
            }
        }
        Err(self.errorf("unexpected EOF".to_owned()))
    }

    /// Go's `textOrAction`.
    fn text_or_action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text {
                pos: token.pos,
                text: Rc::from(token.val),
            })),
            ItemType::LeftDelim => {
                self.st.action_line = token.line;
                let result = self.action();
                self.st.action_line = 0;
                result
            }
            ItemType::Comment => Ok(Parsed::Node(Node::Comment {
                pos: token.pos,
                text: Rc::from(token.val),
            })),
            _ => Err(self.unexpected(token, "input")),
        }
    }

    /// Go's `action`: a control structure or a pipeline. The left delimiter has been read.
    fn action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        let node = match token.typ {
            ItemType::Block => self.block_control()?,
            ItemType::Break => self.break_control(token, true)?,
            ItemType::Continue => self.break_control(token, false)?,
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => self.if_control()?,
            ItemType::Range => {
                let b = self.parse_control("range")?;
                Node::Range(b)
            }
            ItemType::Template => self.template_control()?,
            ItemType::With => self.with_control()?,
            _ => {
                self.backup();
                let token = self.peek();
                // Variables declared here persist until the enclosing "end".
                let pipe = self.pipeline("command", ItemType::RightDelim)?;
                Node::Action(ActionNode {
                    pos: token.pos,
                    line: token.line,
                    pipe,
                })
            }
        };
        Ok(Parsed::Node(node))
    }

    /// Go's `breakControl` and `continueControl`; the keyword has been read.
    fn break_control(&mut self, keyword: Item<'a>, is_break: bool) -> PResult<Node> {
        let context = if is_break {
            "{{break}}"
        } else {
            "{{continue}}"
        };
        let token = self.next_non_space();
        if token.typ != ItemType::RightDelim {
            return Err(self.unexpected(token, context));
        }
        if self.st.range_depth == 0 {
            return Err(self.errorf(format!("{context} outside {{{{range}}}}")));
        }
        let (pos, line) = (keyword.pos, keyword.line);
        Ok(if is_break {
            Node::Break { pos, line }
        } else {
            Node::Continue { pos, line }
        })
    }

    /// Go's `pipeline`: `declarations? command ('|' command)*`, up to `end`.
    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<PipeNode> {
        let token = self.peek_non_space();
        let mut pipe = PipeNode {
            pos: token.pos,
            line: token.line,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations or assignments?
        loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            self.next();
            // Space is a token, so "$x foo" needs three tokens of look-ahead to tell an argument
            // from a declaration: remember the token after the variable to push it back.
            let token_after_variable = self.peek();
            let next = self.peek_non_space();
            if next.typ == ItemType::Assign || next.typ == ItemType::Declare {
                pipe.is_assign = next.typ == ItemType::Assign;
                self.next_non_space();
                pipe.decl.push(VariableNode {
                    pos: v.pos,
                    idents: self.names.idents(v.val),
                });
                self.st.vars.push(v.val);
            } else if next.typ == ItemType::Char && next.val == "," {
                self.next_non_space();
                pipe.decl.push(VariableNode {
                    pos: v.pos,
                    idents: self.names.idents(v.val),
                });
                self.st.vars.push(v.val);
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().typ {
                        // A second variable initialised by range.
                        ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                            continue;
                        }
                        _ => {
                            return Err(
                                self.errorf("range can only initialize variables".to_owned())
                            );
                        }
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            } else if token_after_variable.typ == ItemType::Space {
                self.backup3(v, token_after_variable);
            } else {
                self.backup2(v);
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                    if pipe.cmds.len() > MAX_PIPELINE_CMDS {
                        return Err(self.errorf("pipeline too long".to_owned()));
                    }
                }
                _ => return Err(self.unexpected(token, context)),
            }
        }
    }

    /// Go's `checkPipeline`.
    fn check_pipeline(&self, pipe: &PipeNode, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        // Only the first command of a pipeline can start with a non-executable operand.
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool { .. }
                        | Arg::Dot { .. }
                        | Arg::Nil { .. }
                        | Arg::Number(_)
                        | Arg::String { .. }
                )
            ) {
                // With A|B|C, pipeline stage 2 is B.
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    /// Go's `parseControl` for `if`, `range` and `with`.
    fn parse_control(&mut self, context: &str) -> PResult<BranchNode> {
        self.enter_nesting()?;
        let vars = self.st.vars.len();
        // `else if` chains recurse here without passing through item_list.
        let result = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            self.parse_control_inner(context)
        });
        self.st.vars.truncate(vars);
        self.nesting -= 1;
        result
    }

    fn parse_control_inner(&mut self, context: &str) -> PResult<BranchNode> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        let is_range = context == "range";
        if is_range {
            self.st.range_depth += 1;
        }
        let listed = self.item_list();
        if is_range {
            self.st.range_depth -= 1;
        }
        let (list, next) = listed?;
        let mut else_list = None;
        if let Parsed::Else { pos } = next {
            // "{{else if}}" and "{{else with}}": elseControl left the keyword pending. Treat
            // {{if a}}_{{else if b}}_{{end}} as {{if a}}_{{else}}{{if b}}_{{end}}{{end}}; the
            // inner construct consumes the single {{end}}.
            if context == "if" && self.peek().typ == ItemType::If {
                self.next();
                let nested = self.if_control()?;
                else_list = Some(ListNode {
                    pos,
                    nodes: vec![nested],
                });
            } else if context == "with" && self.peek().typ == ItemType::With {
                self.next();
                let nested = self.with_control()?;
                else_list = Some(ListNode {
                    pos,
                    nodes: vec![nested],
                });
            } else {
                let (list, next) = self.item_list()?;
                if !matches!(next, Parsed::End) {
                    return Err(self.errorf(format!("expected end; found {}", next.describe())));
                }
                else_list = Some(list);
            }
        }
        Ok(BranchNode {
            pos: pipe.pos,
            line: pipe.line,
            pipe,
            list,
            else_list,
        })
    }

    fn if_control(&mut self) -> PResult<Node> {
        Ok(Node::If(self.parse_control("if")?))
    }

    fn with_control(&mut self) -> PResult<Node> {
        Ok(Node::With(self.parse_control("with")?))
    }

    /// Go's `elseControl`; the `else` keyword has been read.
    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        // "{{else if ..." and "{{else with ..." are treated as "{{else}}{{if ...", so leave the
        // keyword pending.
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            return Ok(Parsed::Else { pos: peek.pos });
        }
        let token = self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else { pos: token.pos })
    }

    /// Go's `blockControl`: `{{block "name" pipeline}} body {{end}}` defines `name` and calls it.
    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name: Rc<str> = Rc::from(self.parse_template_name(token, CONTEXT)?);
        let pipe = self.pipeline(CONTEXT, ItemType::RightDelim)?;

        self.enter_nesting()?;
        let parent = mem::replace(&mut self.st, TreeState::new());
        let listed = self.item_list();
        let block = mem::replace(&mut self.st, parent);
        self.nesting -= 1;
        let (root, end) = listed?;
        if !matches!(end, Parsed::End) {
            return Err(self.errorf(format!("unexpected {} in {CONTEXT}", end.describe())));
        }
        let tree = self.new_tree(name.clone(), root);
        // The block tree reports its own errors, with its own last token.
        let parent = mem::replace(&mut self.st, block);
        let added = self.add(tree);
        self.st = parent;
        added?;

        Ok(Node::Template(TemplateNode {
            pos: token.pos,
            line: token.line,
            name,
            pipe: Some(pipe),
        }))
    }

    /// Go's `templateControl`; the `template` keyword has been read.
    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            // Variables declared here persist until the enclosing "end".
            pipe = Some(self.pipeline(CONTEXT, ItemType::RightDelim)?);
        }
        Ok(Node::Template(TemplateNode {
            pos: token.pos,
            line: token.line,
            name: Rc::from(name),
            pipe,
        }))
    }

    fn parse_template_name(&self, token: Item<'_>, context: &str) -> PResult<String> {
        match token.typ {
            ItemType::String | ItemType::RawString => {
                unquote(token.val).map_err(|()| self.errorf("invalid syntax".to_owned()))
            }
            _ => Err(self.unexpected(token, context)),
        }
    }

    /// Go's `command`: space-separated operands up to a pipe, right delimiter or right paren.
    /// Consumes the pipe but leaves the delimiter or paren.
    fn command(&mut self) -> PResult<CommandNode> {
        let mut cmd = CommandNode {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space(); // Skip leading spaces.
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command".to_owned()));
        }
        Ok(cmd)
    }

    /// Go's `operand`: a term followed by field accesses. `None` when no operand follows.
    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != ItemType::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields: Vec<Rc<str>> = Vec::new();
        while self.peek().typ == ItemType::Field {
            let field = self.next();
            fields.push(self.names.get(field.val.get(1..).unwrap_or("")));
        }
        // Fields after a field or variable extend it; after anything else they make a chain.
        // Literal values cannot have fields.
        Ok(Some(match node {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Variable(mut v) => {
                v.idents.extend(fields);
                Arg::Variable(VariableNode {
                    pos: chain_pos,
                    idents: v.idents,
                })
            }
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number(_)
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                return Err(self.errorf(format!(
                    "unexpected . after term {}",
                    go_quote(&node.to_string())
                )));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    /// Go's `term`: a literal, function name, `.`, `.Field`, `$var` or `(pipeline)`. `None` when
    /// the next token is not a term.
    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let pos = token.pos;
        let arg = match token.typ {
            ItemType::Identifier => {
                if !self.opts.skip_func_check && !self.has_function(token.val) {
                    return Err(
                        self.errorf(format!("function {} not defined", go_quote(token.val)))
                    );
                }
                Arg::Identifier {
                    pos,
                    name: self.names.get(token.val),
                }
            }
            ItemType::Dot => Arg::Dot { pos },
            ItemType::Nil => Arg::Nil { pos },
            ItemType::Variable => Arg::Variable(self.use_var(pos, token.val)?),
            ItemType::Field => Arg::Field {
                pos,
                idents: self.names.idents(token.val.get(1..).unwrap_or("")),
            },
            ItemType::Bool => Arg::Bool {
                pos,
                val: token.val == "true",
            },
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                Arg::Number(new_number(pos, token.val, token.typ).map_err(|m| self.errorf(m))?)
            }
            ItemType::LeftParen => {
                if self.st.stack_depth >= self.opts.max_expression_depth {
                    return Err(self.errorf("max expression depth exceeded".to_owned()));
                }
                self.st.stack_depth += 1;
                let pipe = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
                    self.pipeline("parenthesized pipeline", ItemType::RightParen)
                });
                self.st.stack_depth -= 1;
                Arg::Pipe(Box::new(pipe?))
            }
            ItemType::String | ItemType::RawString => {
                let text = unquote(token.val).map_err(|()| self.errorf("invalid syntax".into()))?;
                Arg::String {
                    pos,
                    quoted: Rc::from(token.val),
                    text: Rc::from(text),
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }

    /// Go's `useVar`: a variable reference, which must be in scope.
    fn use_var(&mut self, pos: Pos, name: &'a str) -> PResult<VariableNode> {
        let v = VariableNode {
            pos,
            idents: self.names.idents(name),
        };
        let first = v.idents.first().map(|s| s.as_ref()).unwrap_or("");
        if !self.st.vars.contains(&first) {
            return Err(self.errorf(format!("undefined variable {}", go_quote(first))));
        }
        Ok(v)
    }
}
