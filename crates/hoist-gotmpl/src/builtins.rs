//! Go's builtin template functions (`text/template/funcs.go`): `and or not len index slice print
//! printf println html js urlquery call eq ne lt le gt ge`, with Go's comparison rules and error
//! texts, plus the HTML, JavaScript and URL-query escapers.

use std::rc::Rc;

use crate::exec::Val;
use crate::func::{ArgType, Signature};
use crate::gofmt;
use crate::parse::is_print;
use crate::value::{MapKind, Value};

/// A builtin function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Html,
    Js,
    Urlquery,
    Call,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

const ANY1: &[ArgType] = &[ArgType::Any];
const ANY2: &[ArgType] = &[ArgType::Any, ArgType::Any];
const STR1: &[ArgType] = &[ArgType::String];

impl Builtin {
    pub(crate) fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "and" => Builtin::And,
            "or" => Builtin::Or,
            "not" => Builtin::Not,
            "len" => Builtin::Len,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "html" => Builtin::Html,
            "js" => Builtin::Js,
            "urlquery" => Builtin::Urlquery,
            "call" => Builtin::Call,
            "eq" => Builtin::Eq,
            "ne" => Builtin::Ne,
            "lt" => Builtin::Lt,
            "le" => Builtin::Le,
            "gt" => Builtin::Gt,
            "ge" => Builtin::Ge,
            _ => return None,
        })
    }

    /// The Go signature (`reflect.Value` parameters are `Any` here).
    pub(crate) fn signature(self) -> Signature {
        match self {
            Builtin::And | Builtin::Or | Builtin::Call | Builtin::Index | Builtin::Slice => {
                Signature::variadic(ANY1, ArgType::Any)
            }
            Builtin::Eq => Signature::variadic(ANY1, ArgType::Any),
            Builtin::Not | Builtin::Len => Signature::fixed(ANY1),
            Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => {
                Signature::fixed(ANY2)
            }
            Builtin::Print | Builtin::Println | Builtin::Html | Builtin::Js | Builtin::Urlquery => {
                Signature::variadic(&[], ArgType::Any)
            }
            Builtin::Printf => Signature::variadic(STR1, ArgType::Any),
        }
    }
}

/// True when `name` is a builtin.
pub fn is_builtin(name: &str) -> bool {
    Builtin::from_name(name).is_some()
}

fn values(args: &[Val]) -> Vec<Value> {
    args.iter().map(|a| a.v.clone()).collect()
}

/// Calls a builtin other than `and`/`or` (which the executor short-circuits). `callee` is the
/// text of `call`'s first argument node.
pub(crate) fn call(b: Builtin, args: &[Val], callee: &str) -> Result<Val, String> {
    match b {
        Builtin::And | Builtin::Or => Ok(args.last().cloned().unwrap_or_default()),
        Builtin::Not => Ok(Val::concrete(Value::Bool(!truth(&args[0])))),
        Builtin::Len => length(&args[0]).map(|n| Val::concrete(Value::Int(n))),
        Builtin::Index => index(&args[0], &args[1..]),
        Builtin::Slice => slice(&args[0], &args[1..]),
        Builtin::Print => Ok(Val::concrete(Value::from(gofmt::sprint(&values(args))))),
        Builtin::Println => Ok(Val::concrete(Value::from(gofmt::sprintln(&values(args))))),
        Builtin::Printf => {
            let format = args[0].v.as_str().unwrap_or_default();
            let rest = values(&args[1..]);
            Ok(Val::concrete(Value::from(gofmt::sprintf(format, &rest))))
        }
        Builtin::Html => Ok(Val::concrete(Value::from(html_escape_string(&eval_args(
            args,
        ))))),
        Builtin::Js => Ok(Val::concrete(Value::from(js_escape_string(&eval_args(
            args,
        ))))),
        Builtin::Urlquery => Ok(Val::concrete(Value::from(url_query_escape(&eval_args(
            args,
        ))))),
        Builtin::Call => {
            let f = indirect_interface(&args[0]);
            if f.is_invalid() {
                return Err("call of nil".into());
            }
            Err(format!(
                "non-function {} of type {}",
                callee,
                f.v.type_name()
            ))
        }
        Builtin::Eq => eq(&args[0], &args[1..]).map(|b| Val::concrete(Value::Bool(b))),
        Builtin::Ne => eq(&args[0], &args[1..2]).map(|b| Val::concrete(Value::Bool(!b))),
        Builtin::Lt => lt(&args[0], &args[1]).map(|b| Val::concrete(Value::Bool(b))),
        Builtin::Le => le(&args[0], &args[1]).map(|b| Val::concrete(Value::Bool(b))),
        Builtin::Gt => le(&args[0], &args[1]).map(|b| Val::concrete(Value::Bool(!b))),
        Builtin::Ge => lt(&args[0], &args[1]).map(|b| Val::concrete(Value::Bool(!b))),
    }
}

/// Go's `indirectInterface`: a nil interface becomes the invalid value.
fn indirect_interface(v: &Val) -> Val {
    if v.iface {
        Val::concrete(v.v.clone())
    } else {
        v.clone()
    }
}

/// Go's `truth` (`isTrue` after `indirectInterface`).
pub(crate) fn truth(v: &Val) -> bool {
    v.v.is_truthy()
}

fn length(item: &Val) -> Result<i64, String> {
    if item.is_invalid() {
        return Err("reflect: call of reflect.Value.Type on zero Value".into());
    }
    Ok(match &item.v {
        Value::Nil => return Err("len of nil pointer".into()),
        Value::String(s) => s.len() as i64,
        Value::Bytes(b) => b.len() as i64,
        Value::List(l) => l.len() as i64,
        Value::Map(d) => d.len() as i64,
        Value::Object(o) => match o.entries() {
            Some(e) => e.len() as i64,
            None if !o.is_truthy() && o.kind_name() == "ptr" => {
                return Err("len of nil pointer".into());
            }
            None => return Err(format!("len of type {}", o.type_name())),
        },
        other => return Err(format!("len of type {}", other.type_name())),
    })
}

/// Go's `indexArg`.
fn index_arg(index: &Val, cap: usize) -> Result<usize, String> {
    let x = match &index.v {
        Value::Int(i) | Value::Int64(i) if !index.iface || !index.v.is_nil() => *i,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Val, indexes: &[Val]) -> Result<Val, String> {
    let mut item = indirect_interface(item);
    if item.is_invalid() {
        return Err("index of untyped nil".into());
    }
    for index in indexes {
        let index = indirect_interface(index);
        if item.v.is_nil() {
            return Err("index of nil pointer".into());
        }
        item = match &item.v {
            Value::List(l) => {
                let x = index_arg(&index, l.len())?;
                match l.get(x) {
                    Some(e) => Val::iface(e.clone()),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::Bytes(b) => {
                let x = index_arg(&index, b.len())?;
                match b.get(x) {
                    Some(e) => Val::concrete(Value::Int(i64::from(*e))),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::String(s) => {
                let x = index_arg(&index, s.len())?;
                match s.as_bytes().get(x) {
                    Some(e) => Val::concrete(Value::Int(i64::from(*e))),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Value::Map(d) => {
                let key = match &index.v {
                    Value::String(k) => k.clone(),
                    Value::Nil => return Err("value is nil; should be of type string".into()),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                let string_map = d.kind() == MapKind::StringMap;
                match d.get(&key) {
                    Some(v) => Val {
                        v,
                        iface: !string_map,
                    },
                    None if string_map => Val::concrete(Value::string("")),
                    None => Val::iface(Value::Nil),
                }
            }
            Value::Object(o) => match o.index(&index.v) {
                Some(v) => Val::iface(v),
                None => return Err(format!("can't index item of type {}", o.type_name())),
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice(item: &Val, indexes: &[Val]) -> Result<Val, String> {
    let item = indirect_interface(item);
    if item.is_invalid() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let (len, cap) = match &item.v {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            (s.len(), s.len())
        }
        Value::List(l) => (l.len(), l.len()),
        Value::Bytes(b) => (b.len(), b.len()),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, len, 0];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(&indirect_interface(index), cap)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (i, j) = (idx[0], idx[1]);
    Ok(Val::concrete(match &item.v {
        Value::String(s) => Value::from(String::from_utf8_lossy(&s.as_bytes()[i..j]).into_owned()),
        Value::List(l) => Value::List(Rc::new(l[i..j].to_vec())),
        Value::Bytes(b) => Value::Bytes(Rc::from(&b[i..j])),
        _ => Value::Nil,
    }))
}

/// Go's `evalArgs`: `fmt.Sprint` of the arguments, with nil arguments printed as `<no value>`.
fn eval_args(args: &[Val]) -> String {
    if args.len() == 1
        && let Value::String(s) = &args[0].v
    {
        return s.to_string();
    }
    let vals: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.v.is_nil() {
                Value::string("<no value>")
            } else {
                a.v.clone()
            }
        })
        .collect();
    gofmt::sprint(&vals)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: &Val) -> Kind {
    match &v.v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn reflect_kind(v: &Val) -> &'static str {
    match &v.v {
        Value::Nil => "invalid",
        Value::List(_) | Value::Bytes(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(o) => {
            if o.kind_name() == "ptr" {
                "ptr"
            } else {
                "struct"
            }
        }
        _ => "basic",
    }
}

fn type_of(v: &Val) -> String {
    v.v.type_name()
}

/// Go's `eq`: arg1 == arg2 || arg1 == arg3 ...
pub(crate) fn eq(arg1: &Val, rest: &[Val]) -> Result<bool, String> {
    let arg1 = indirect_interface(arg1);
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(&arg1);
    for arg in rest {
        let arg = indirect_interface(arg);
        let k2 = basic_kind(&arg);
        let truth = if k1 != k2 {
            if !arg1.v.is_nil() && !arg.v.is_nil() {
                return Err(format!(
                    "incompatible types for comparison: {} and {}",
                    type_of(&arg1),
                    type_of(&arg)
                ));
            }
            false
        } else {
            match (&arg1.v, &arg.v) {
                (Value::Bool(a), Value::Bool(b)) => a == b,
                (Value::Int(a) | Value::Int64(a), Value::Int(b) | Value::Int64(b)) => a == b,
                (Value::Float(a), Value::Float(b)) => a == b,
                (Value::String(a), Value::String(b)) => a == b,
                _ => {
                    let (r1, r2) = (reflect_kind(&arg1), reflect_kind(&arg));
                    if r1 != r2 && r1 != "invalid" && r2 != "invalid" {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            gofmt::sprint_verb(&arg1.v, 's'),
                            type_of(&arg1),
                            type_of(&arg),
                            gofmt::format_value(&arg.v)
                        ));
                    }
                    if arg1.v.is_nil() || arg.v.is_nil() {
                        arg1.v.is_nil() == arg.v.is_nil()
                    } else {
                        match (&arg1.v, &arg.v) {
                            (Value::Object(a), Value::Object(b)) => Rc::ptr_eq(a, b),
                            _ => {
                                return Err(format!(
                                    "non-comparable type {}: {}",
                                    gofmt::sprint_verb(&arg.v, 's'),
                                    type_of(&arg)
                                ));
                            }
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go's `lt`.
pub(crate) fn lt(arg1: &Val, arg2: &Val) -> Result<bool, String> {
    let arg1 = indirect_interface(arg1);
    let k1 = basic_kind(&arg1);
    if k1 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    let arg2 = indirect_interface(arg2);
    let k2 = basic_kind(&arg2);
    if k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return Err(format!(
            "incompatible types for comparison: {} and {}",
            type_of(&arg1),
            type_of(&arg2)
        ));
    }
    Ok(match (&arg1.v, &arg2.v) {
        (Value::Int(a) | Value::Int64(a), Value::Int(b) | Value::Int64(b)) => a < b,
        (Value::Float(a), Value::Float(b)) => a < b,
        (Value::String(a), Value::String(b)) => a < b,
        _ => return Err("invalid type for comparison".into()),
    })
}

fn le(arg1: &Val, arg2: &Val) -> Result<bool, String> {
    let less = lt(arg1, arg2)?;
    if less {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

/// Go's `template.HTMLEscapeString`.
pub fn html_escape_string(s: &str) -> String {
    if !s.contains(['\'', '"', '&', '<', '>', '\0']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn js_is_special(c: char) -> bool {
    matches!(c, '\\' | '\'' | '"' | '<' | '>' | '&' | '=') || c < ' ' || !c.is_ascii()
}

/// Go's `template.JSEscapeString`.
pub fn js_escape_string(s: &str) -> String {
    if !s.chars().any(js_is_special) {
        return s.to_string();
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !js_is_special(c) {
            out.push(c);
            continue;
        }
        if c.is_ascii() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                '"' => out.push_str("\\\""),
                '<' => out.push_str("\\u003C"),
                '>' => out.push_str("\\u003E"),
                '&' => out.push_str("\\u0026"),
                '=' => out.push_str("\\u003D"),
                _ => {
                    let b = c as u8;
                    out.push_str("\\u00");
                    out.push(HEX[(b >> 4) as usize] as char);
                    out.push(HEX[(b & 0xf) as usize] as char);
                }
            }
        } else if is_print(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{:04X}", c as u32));
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn url_query_escape(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() + 8);
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
        }
    }
    out
}
