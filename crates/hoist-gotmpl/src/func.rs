//! Functions callable from templates, with the Go signature the engine checks arguments against.
//!
//! Go's `text/template` checks each argument against the parameter type of the Go function before the
//! call (`wrong number of args for NAME: want N got M`, `wrong type for value; expected string; got
//! int`) and converts untyped constants (`5`, `1.5`) to the parameter type. A `Signature` carries
//! those parameter types so the engine can do the same; the function body then sees arguments that
//! already have the declared types (an `Int` parameter always receives `Value::Int`).

use std::rc::Rc;

use crate::value::{FuncError, Value};

/// The result of a template function.
pub type FuncResult = Result<Value, FuncError>;

/// A Go parameter type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    /// `interface{}`: any value, nil included.
    Any,
    /// `string`
    String,
    /// `int`
    Int,
    /// `int64`
    Int64,
    /// `float64`
    Float64,
    /// `bool`
    Bool,
    /// `[]interface{}`
    List,
    /// `map[string]interface{}` (a named map type with that underlying type is assignable)
    Map,
    /// `[]string`
    Strings,
}

impl ArgType {
    /// The Go spelling of the type, for error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            ArgType::Any => "interface {}",
            ArgType::String => "string",
            ArgType::Int => "int",
            ArgType::Int64 => "int64",
            ArgType::Float64 => "float64",
            ArgType::Bool => "bool",
            ArgType::List => "[]interface {}",
            ArgType::Map => "map[string]interface {}",
            ArgType::Strings => "[]string",
        }
    }
}

/// The Go signature of a template function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// The fixed parameters.
    pub params: &'static [ArgType],
    /// The element type of a final variadic parameter (`...interface{}`), if any.
    pub variadic: Option<ArgType>,
}

impl Signature {
    /// A signature with fixed parameters only.
    pub const fn fixed(params: &'static [ArgType]) -> Self {
        Signature {
            params,
            variadic: None,
        }
    }

    /// A signature whose last parameter is variadic with element type `rest`.
    pub const fn variadic(params: &'static [ArgType], rest: ArgType) -> Self {
        Signature {
            params,
            variadic: Some(rest),
        }
    }
}

/// A plain function: it needs nothing but its arguments.
pub type PlainFn = fn(&[Value]) -> FuncResult;

/// A function that captured its own state (a closure).
pub type ClosureFn = Rc<dyn Fn(&[Value]) -> FuncResult>;
