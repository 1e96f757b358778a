//! Oracle cases for the date, semver, URL and crypto functions.
//!
//! tests/data/extra/oracle.json holds what the real Helm v4.2.3 printed for each expression in
//! tests/data/extra/cases.txt (made by tests/gen/oracle_cases.py). The template engine is built
//! elsewhere, so these tests evaluate the expressions with a small evaluator of their own: function
//! calls with literal arguments, parenthesised sub-expressions, `|` pipelines and method calls on
//! the values functions return. Argument conversion follows each function's Go signature, as the
//! engine does.

use std::collections::HashMap;
use std::fmt::Write as _;

use hoist_gotmpl::{ArgType, Dict, Map, Signature, Value};
use hoist_sprig::{SprigFunc, functions};

#[derive(Debug, Clone)]
enum Tok {
    Str(String),
    Int(i64),
    Ident(String),
    Field(String),
    Open,
    Close,
    Pipe,
}

fn tokenize(s: &str) -> Vec<Tok> {
    let b: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '|' => {
                out.push(Tok::Pipe);
                i += 1;
            }
            '"' => {
                let mut v = String::new();
                i += 1;
                while b[i] != '"' {
                    if b[i] == '\\' {
                        i += 1;
                        v.push(match b[i] {
                            'n' => '\n',
                            't' => '\t',
                            'x' => {
                                let hex: String = b[i + 1..i + 3].iter().collect();
                                i += 2;
                                char::from(u8::from_str_radix(&hex, 16).expect("hex escape"))
                            }
                            other => other,
                        });
                    } else {
                        v.push(b[i]);
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Str(v));
            }
            '.' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Field(b[start..i].iter().collect()));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let text: String = b[start..i].iter().collect();
                out.push(Tok::Int(text.parse().expect("int literal")));
            }
            _ => {
                let start = i;
                while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                    i += 1;
                }
                assert!(i > start, "unexpected {c:?} in {s}");
                out.push(Tok::Ident(b[start..i].iter().collect()));
            }
        }
    }
    out
}

#[derive(Debug)]
enum Node {
    Lit(Value),
    Func(String),
    /// A parenthesised pipeline and the fields/methods chained after it.
    Chain(Box<Pipeline>, Vec<String>),
}

type Command = Vec<Node>;
type Pipeline = Vec<Command>;

fn parse_pipeline(toks: &[Tok], pos: &mut usize) -> Pipeline {
    let mut pipe = vec![Vec::new()];
    while *pos < toks.len() {
        match &toks[*pos] {
            Tok::Close => break,
            Tok::Pipe => {
                pipe.push(Vec::new());
                *pos += 1;
            }
            Tok::Str(s) => {
                pipe.last_mut().unwrap().push(Node::Lit(Value::string(s)));
                *pos += 1;
            }
            Tok::Int(n) => {
                pipe.last_mut().unwrap().push(Node::Lit(Value::Int(*n)));
                *pos += 1;
            }
            Tok::Ident(name) => {
                pipe.last_mut().unwrap().push(Node::Func(name.clone()));
                *pos += 1;
            }
            Tok::Open => {
                *pos += 1;
                let inner = parse_pipeline(toks, pos);
                assert!(matches!(toks[*pos], Tok::Close));
                *pos += 1;
                let mut fields = Vec::new();
                while let Some(Tok::Field(f)) = toks.get(*pos) {
                    fields.push(f.clone());
                    *pos += 1;
                }
                pipe.last_mut()
                    .unwrap()
                    .push(Node::Chain(Box::new(inner), fields));
            }
            Tok::Field(f) => panic!("field .{f} without a receiver"),
        }
    }
    pipe
}

struct Eval {
    funcs: HashMap<&'static str, SprigFunc>,
}

/// The engine's conversion of an argument to the Go parameter type.
fn convert(arg: Value, ty: ArgType) -> Result<Value, String> {
    match (ty, arg) {
        (ArgType::Any, v) => Ok(v),
        (ArgType::String, v @ Value::String(_)) => Ok(v),
        (ArgType::Int, v @ Value::Int(_)) => Ok(v),
        (ArgType::Int64, Value::Int(n) | Value::Int64(n)) => Ok(Value::Int64(n)),
        (ArgType::Float64, Value::Int(n)) => Ok(Value::Float(n as f64)),
        (ArgType::Map, v @ Value::Map(_)) => Ok(v),
        (ArgType::List, v @ (Value::List(_) | Value::Nil)) => Ok(v),
        (ty, v) => Err(format!(
            "wrong type for value; expected {}; got {}",
            ty.go_name(),
            v.type_name()
        )),
    }
}

fn convert_args(name: &str, sig: &Signature, args: Vec<Value>) -> Result<Vec<Value>, String> {
    let fixed = sig.params.len();
    if (sig.variadic.is_none() && args.len() != fixed) || args.len() < fixed {
        return Err(format!(
            "wrong number of args for {name}: want {fixed} got {}",
            args.len()
        ));
    }
    args.into_iter()
        .enumerate()
        .map(|(i, a)| convert(a, sig.params.get(i).copied().or(sig.variadic).unwrap()))
        .collect()
}

impl Eval {
    fn new() -> Eval {
        Eval {
            funcs: functions().into_iter().map(|f| (f.name, f)).collect(),
        }
    }

    fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        // Stand-ins for the few core functions the cases use (owned by another module).
        match name {
            "nil" => return Ok(Value::Nil),
            "list" => return Ok(Value::list(args)),
            "len" => {
                return Ok(Value::Int(match &args[0] {
                    Value::String(s) => s.len() as i64,
                    Value::List(l) => l.len() as i64,
                    Value::Map(m) => m.len() as i64,
                    other => panic!("len of {other:?}"),
                }));
            }
            "typeOf" => return Ok(Value::string(args[0].type_name())),
            "kindOf" => return Ok(Value::string(args[0].kind_name())),
            "dict" => {
                let mut m = Map::new();
                for pair in args.chunks(2) {
                    let key = pair[0].as_str().expect("string key").to_string();
                    m.insert(key, pair.get(1).cloned().unwrap_or(Value::string("")));
                }
                return Ok(Value::Map(Dict::new(m)));
            }
            _ => {}
        }
        let f = self
            .funcs
            .get(name)
            .unwrap_or_else(|| panic!("no function {name}"));
        let args = convert_args(name, &f.sig, args)?;
        (f.f)(&args).map_err(|e| format!("error calling {name}: {e}"))
    }

    fn method(&self, recv: Value, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let Value::Object(o) = &recv else {
            panic!("method {name} on {recv:?}");
        };
        if !o.has_method(name) {
            if let Some(v) = o.field(name) {
                return Ok(v);
            }
            return Err(format!(
                "can't evaluate field {name} in type {}",
                o.type_name()
            ));
        }
        o.call_method(name, &args)
            .map_err(|e| format!("error calling {name}: {e}"))
    }

    fn pipeline(&self, p: &Pipeline) -> Result<Value, String> {
        let mut piped: Option<Value> = None;
        for cmd in p {
            piped = Some(self.command(cmd, piped)?);
        }
        Ok(piped.unwrap_or_default())
    }

    fn operand(&self, n: &Node) -> Result<Value, String> {
        match n {
            Node::Lit(v) => Ok(v.clone()),
            Node::Func(name) => self.call(name, Vec::new()),
            Node::Chain(inner, fields) => {
                let mut v = self.pipeline(inner)?;
                for f in fields {
                    v = self.method(v, f, Vec::new())?;
                }
                Ok(v)
            }
        }
    }

    fn command(&self, cmd: &Command, piped: Option<Value>) -> Result<Value, String> {
        let mut rest = Vec::new();
        for n in &cmd[1..] {
            rest.push(self.operand(n)?);
        }
        rest.extend(piped);
        match &cmd[0] {
            Node::Func(name) => self.call(name, rest),
            Node::Chain(inner, fields) if !fields.is_empty() => {
                let mut v = self.pipeline(inner)?;
                for f in &fields[..fields.len() - 1] {
                    v = self.method(v, f, Vec::new())?;
                }
                self.method(v, fields.last().unwrap(), rest)
            }
            other => {
                assert!(rest.is_empty(), "arguments after a value");
                self.operand(other)
            }
        }
    }

    fn eval(&self, expr: &str) -> Result<Value, String> {
        let toks = tokenize(expr);
        let mut pos = 0;
        let p = parse_pipeline(&toks, &mut pos);
        assert_eq!(pos, toks.len(), "trailing tokens in {expr}");
        self.pipeline(&p)
    }
}

/// Go's `%v` for the values these functions return.
fn print(v: &Value, out: &mut String) {
    match v {
        Value::Nil => out.push_str("<no value>"),
        Value::Bool(b) => write!(out, "{b}").unwrap(),
        Value::Int(n) | Value::Int64(n) => write!(out, "{n}").unwrap(),
        Value::Float(f) => write!(out, "{f}").unwrap(),
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) => {
            let parts: Vec<String> = b.iter().map(u8::to_string).collect();
            write!(out, "[{}]", parts.join(" ")).unwrap();
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print(item, out);
            }
            out.push(']');
        }
        Value::Map(d) => {
            out.push_str("map[");
            for (i, (k, item)) in d.snapshot().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                print(item, out);
            }
            out.push(']');
        }
        Value::Object(o) => o.fmt_value(out).unwrap(),
    }
}

#[derive(serde::Deserialize)]
struct Case {
    expr: String,
    out: Option<String>,
    err: Option<String>,
}

/// The part of Helm's error that the function (or the engine's method lookup) produced.
fn error_tail(helm: &str) -> &str {
    if let Some(i) = helm.find("error calling ") {
        return &helm[i..];
    }
    helm.rsplit(":\n    ").next().unwrap_or(helm)
}

#[test]
fn oracle_cases() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/extra/oracle.json");
    let cases: Vec<Case> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("oracle.json")).expect("json");
    assert!(cases.len() > 100);
    let eval = Eval::new();
    let mut failures = Vec::new();
    for c in &cases {
        let got = eval.eval(&c.expr);
        match (&c.out, &c.err, got) {
            (Some(want), _, Ok(v)) => {
                let mut s = String::new();
                print(&v, &mut s);
                let s = s.replace("<no value>", "");
                if &s != want {
                    failures.push(format!("{}\n   want {want:?}\n    got {s:?}", c.expr));
                }
            }
            (_, Some(want), Err(e)) => {
                let want = error_tail(want);
                if !e.ends_with(want) && !want.starts_with(&e) {
                    failures.push(format!("{}\n   want error {want:?}\n    got {e:?}", c.expr));
                }
            }
            (want, want_err, got) => failures.push(format!(
                "{}\n   want {want:?} / error {want_err:?}\n    got {got:?}",
                c.expr
            )),
        }
    }
    assert_no_failures(&failures, cases.len());
}

/// The same cases through the real template engine (hoist-gotmpl): argument conversion, method
/// calls on the returned objects, `%v` printing. Core Sprig functions the cases use (`dict`,
/// `list`, `typeOf`, `kindOf`) get stand-ins unless the crate already provides them.
#[test]
fn oracle_cases_through_the_engine() {
    use hoist_gotmpl::{FuncMap, MissingKey, Templates};

    fn type_of(a: &[Value]) -> Result<Value, hoist_gotmpl::FuncError> {
        Ok(Value::string(a[0].type_name()))
    }
    fn kind_of(a: &[Value]) -> Result<Value, hoist_gotmpl::FuncError> {
        Ok(Value::string(a[0].kind_name()))
    }
    fn list(a: &[Value]) -> Result<Value, hoist_gotmpl::FuncError> {
        Ok(Value::list(a.to_vec()))
    }
    fn dict(a: &[Value]) -> Result<Value, hoist_gotmpl::FuncError> {
        let mut m = Map::new();
        for pair in a.chunks(2) {
            let key = pair[0].as_str().unwrap_or_default().to_string();
            m.insert(key, pair.get(1).cloned().unwrap_or(Value::string("")));
        }
        Ok(Value::Map(Dict::new(m)))
    }

    let mut funcs = FuncMap::new();
    let any1 = Signature::fixed(&[ArgType::Any]);
    let anys = Signature::variadic(&[], ArgType::Any);
    funcs.insert_plain("typeOf", any1, type_of);
    funcs.insert_plain("kindOf", any1, kind_of);
    funcs.insert_plain("list", anys, list);
    funcs.insert_plain("dict", anys, dict);
    for f in functions() {
        funcs.insert_plain(f.name, f.sig, f.f);
    }
    let mut set = Templates::new(funcs).with_name("t");
    set.set_missing_key(MissingKey::Zero);

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/extra/oracle.json");
    let cases: Vec<Case> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("oracle.json")).expect("json");
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let name = format!("t/templates/c{i:03}.yaml");
        let got = set
            .parse(&name, &format!("{{{{ {} }}}}", c.expr))
            .map_err(|e| e.to_string())
            .and_then(|()| set.execute(&name, &Value::Nil).map_err(|e| e.to_string()));
        match (&c.out, &c.err, got) {
            (Some(want), _, Ok(s)) => {
                let s = s.replace("<no value>", "");
                if &s != want {
                    failures.push(format!("{}\n   want {want:?}\n    got {s:?}", c.expr));
                }
            }
            (_, Some(want), Err(e)) => {
                let tail = error_tail(want);
                if !e.contains(tail) {
                    failures.push(format!("{}\n   want error {want:?}\n    got {e:?}", c.expr));
                }
            }
            (want, want_err, got) => failures.push(format!(
                "{}\n   want {want:?} / error {want_err:?}\n    got {got:?}",
                c.expr
            )),
        }
    }
    assert_no_failures(&failures, cases.len());
}

/// Fails listing every case that differs.
fn assert_no_failures(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        total,
        failures.join("\n")
    );
}
