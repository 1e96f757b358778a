//! A Go `text/template` engine with Go's semantics and Go's exact error texts.
//!
//! It knows nothing of Helm: Helm's functions and objects are registered from outside.

mod func;
pub mod parse;
mod value;

pub use func::{ArgType, ClosureFn, FuncResult, PlainFn, Signature};
pub use value::{Dict, FuncError, Map, MapKind, Object, Value};
