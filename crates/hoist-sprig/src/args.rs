//! Argument access for functions whose arguments the engine already checked and converted.
//! The accessors still never panic: a missing or mistyped argument reads as Go's zero value.

use hoist_gotmpl::{ArgType, FuncError, PlainFn, Signature, Value};

use crate::SprigFunc;

pub use ArgType::{Any, Int, Map, String as Str};

/// The result type of every function here.
pub type R = Result<Value, FuncError>;

/// A table entry.
pub const fn func(name: &'static str, sig: Signature, f: PlainFn) -> SprigFunc {
    SprigFunc { name, sig, f }
}

/// A fixed signature.
pub const fn fixed(params: &'static [ArgType]) -> Signature {
    Signature::fixed(params)
}

/// A variadic signature.
pub const fn var(params: &'static [ArgType], rest: ArgType) -> Signature {
    Signature::variadic(params, rest)
}

/// The string argument `i` (`""` when absent).
pub fn s(args: &[Value], i: usize) -> &str {
    match args.get(i) {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

/// The int argument `i` (0 when absent).
pub fn n(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(v) | Value::Int64(v)) => *v,
        _ => 0,
    }
}

/// Argument `i` (nil when absent).
pub fn a(args: &[Value], i: usize) -> &Value {
    const NIL: &Value = &Value::Nil;
    args.get(i).unwrap_or(NIL)
}

/// A string result.
pub fn ok_str(s: impl Into<String>) -> R {
    Ok(Value::from(s.into()))
}

/// A `[]string` result (as a list of strings).
pub fn ok_strings(v: Vec<String>) -> R {
    Ok(Value::list(v.into_iter().map(Value::from).collect()))
}

/// An error with Go's text.
pub fn fail<T>(msg: impl Into<String>) -> Result<T, FuncError> {
    Err(FuncError::new(msg))
}

/// Largest string or list a function will build, to fail instead of exhausting memory.
pub const MAX_OUTPUT: usize = 1 << 28;
