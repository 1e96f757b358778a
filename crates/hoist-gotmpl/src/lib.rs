//! A Go `text/template` engine with Go's semantics and Go's exact error texts.
//!
//! It knows nothing of Helm: Helm's functions and objects are registered from outside.
//!
//! - [`Templates`]: a set of named templates with functions and options; parse, execute, clone.
//! - [`FuncMap`] / [`Func`]: functions with Go signatures; plain, closures, or stateful
//!   ([`State`]) for functions that re-enter the engine (Helm's `include`, `tpl`).
//! - [`Value`]: Go's `interface{}` as templates see it.
//! - [`gofmt`]: Go's `fmt` printing (`%v`, `Sprintf`) and `strconv.FormatFloat`.
//! - [`Error`]: parse and execution errors, printed as Go prints them.
//!
//! ```
//! use hoist_gotmpl::{ArgType, Func, FuncError, FuncMap, MissingKey, Signature, Templates, Value};
//!
//! let mut funcs = FuncMap::new();
//! // Helm's `include`: run another template of the set, keeping the inner error as the source.
//! funcs.insert(
//!     "include",
//!     Func::stateful(Signature::fixed(&[ArgType::String, ArgType::Any]), |st, args| {
//!         let name = args[0].as_str().unwrap_or_default().to_string();
//!         st.execute_template(&name, &args[1])
//!             .map(Value::from)
//!             .map_err(|e| FuncError::with_source(e.to_string(), e))
//!     }),
//! );
//! let mut set = Templates::new(funcs).with_name("gotpl");
//! set.set_missing_key(MissingKey::Zero);
//! set.parse("a.yaml", r#"{{define "x"}}[{{.}}]{{end}}{{include "x" 1.5}}"#).unwrap();
//! assert_eq!(set.execute("a.yaml", &Value::Nil).unwrap(), "[1.5]");
//! ```

mod builtins;
mod error;
pub mod exec;
mod func;
pub mod gofmt;
pub mod parse;
mod template;
mod value;

pub use builtins::{html_escape_string, is_builtin, js_escape_string, url_query_escape};
pub use error::{Error, ErrorKind};
pub use exec::{MAX_EXEC_DEPTH, State};
pub use func::{
    ArgType, ClosureFn, Func, FuncImpl, FuncMap, FuncResult, PlainFn, Signature, StatefulFn,
};
pub use gofmt::{format_float, format_value, sprint, sprintf, sprintln};
pub use template::{MissingKey, Templates};
pub use value::{Dict, FuncError, Map, MapKind, MapMethods, Object, Value};
