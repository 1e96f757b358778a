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

/// A function that needs the engine: it can run other templates of the set (Helm's `include`),
/// run a modified copy of the set (`tpl`), and tell where it was called from (`required`).
pub type StatefulFn = Rc<dyn Fn(&mut crate::exec::State<'_>, &[Value]) -> FuncResult>;

/// How a template function is implemented.
#[derive(Clone)]
pub enum FuncImpl {
    /// A plain function.
    Plain(PlainFn),
    /// A closure.
    Closure(ClosureFn),
    /// A function that receives the execution state.
    Stateful(StatefulFn),
}

/// A template function: its Go signature and implementation.
#[derive(Clone)]
pub struct Func {
    /// The Go signature the engine checks and converts arguments against.
    pub sig: Signature,
    /// The implementation.
    pub imp: FuncImpl,
}

impl Func {
    /// A plain function.
    pub fn plain(sig: Signature, f: PlainFn) -> Func {
        Func {
            sig,
            imp: FuncImpl::Plain(f),
        }
    }

    /// A closure.
    pub fn closure(sig: Signature, f: impl Fn(&[Value]) -> FuncResult + 'static) -> Func {
        Func {
            sig,
            imp: FuncImpl::Closure(Rc::new(f)),
        }
    }

    /// A function that receives the execution state.
    pub fn stateful(
        sig: Signature,
        f: impl Fn(&mut crate::exec::State<'_>, &[Value]) -> FuncResult + 'static,
    ) -> Func {
        Func {
            sig,
            imp: FuncImpl::Stateful(Rc::new(f)),
        }
    }
}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.imp {
            FuncImpl::Plain(_) => "plain",
            FuncImpl::Closure(_) => "closure",
            FuncImpl::Stateful(_) => "stateful",
        };
        f.debug_struct("Func")
            .field("sig", &self.sig)
            .field("kind", &kind)
            .finish()
    }
}

/// FNV-1a: a fast hash for the short names of functions and templates.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Go's `template.FuncMap`: functions by name. User functions hide builtins of the same name.
#[derive(Clone, Default, Debug)]
pub struct FuncMap {
    map: FastMap<String, Func>,
}

impl FuncMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a function.
    pub fn insert(&mut self, name: impl Into<String>, func: Func) {
        self.map.insert(name.into(), func);
    }

    /// Adds or replaces a plain function.
    pub fn insert_plain(&mut self, name: impl Into<String>, sig: Signature, f: PlainFn) {
        self.insert(name, Func::plain(sig, f));
    }

    /// Removes a function.
    pub fn remove(&mut self, name: &str) -> Option<Func> {
        self.map.remove(name)
    }

    /// The function of this name.
    pub fn get(&self, name: &str) -> Option<&Func> {
        self.map.get(name)
    }

    /// True when the map has the function.
    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Number of functions.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The functions, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Func)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Adds every function of `other`, replacing same-named ones.
    pub fn extend(&mut self, other: FuncMap) {
        self.map.extend(other.map);
    }
}
