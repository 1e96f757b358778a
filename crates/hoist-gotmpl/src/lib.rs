//! A Go `text/template` engine with Go's semantics and Go's exact error texts.
//!
//! It knows nothing of Helm: Helm's functions and objects are registered from outside.

mod value;

pub use value::{Dict, FuncError, Map, MapKind, Object, Value};
