//! The dynamic value model: Go's `interface{}` as templates see it.
//!
//! Go keeps the dynamic type of every value, and templates can observe it (`typeOf`, `kindOf`, the
//! comparison rules that refuse `int` against `float64`, `%v` printing). So `Value` keeps Go's kinds
//! apart: `Int` is Go `int` (template literals, `len`), `Int64` is `int64` (numbers from `--set`),
//! `Float` is `float64` (every number read from YAML or JSON).
//!
//! Maps have reference semantics as in Go: cloning a `Value::Map` shares the map, and `set` or `merge`
//! through one handle is seen through every other. Lists are immutable and shared.

use std::cell::{Ref, RefCell, RefMut};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// How deep [`Value::deep_copy`] copies before sharing (a guard against maps that contain
/// themselves).
pub const MAX_COPY_DEPTH: usize = 1000;

/// The key-sorted map behind `Value::Map`. Go's `range` and `%v` visit keys in sorted order.
pub type Map = BTreeMap<String, Value>;

/// The Go type a map value carries, which `typeOf` and some functions (`dig`) observe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]interface {}`
    Plain,
    /// A named map type such as Helm's `common.Values`; the name is what `typeOf` prints.
    Named(&'static str),
    /// `map[string]string`
    StringMap,
}

/// A shared, mutable map with its Go type.
#[derive(Clone)]
pub struct Dict {
    kind: MapKind,
    inner: Rc<RefCell<Map>>,
}

impl Dict {
    /// A new `map[string]interface {}`.
    pub fn new(map: Map) -> Self {
        Self::with_kind(map, MapKind::Plain)
    }

    /// A new map of the given Go type.
    pub fn with_kind(map: Map, kind: MapKind) -> Self {
        Dict {
            kind,
            inner: Rc::new(RefCell::new(map)),
        }
    }

    /// The Go type of this map.
    pub fn kind(&self) -> MapKind {
        self.kind
    }

    /// The same map seen as another Go type (shares the storage).
    pub fn retyped(&self, kind: MapKind) -> Self {
        Dict {
            kind,
            inner: Rc::clone(&self.inner),
        }
    }

    /// Borrows the map. Never hold the borrow across a call that may run template code.
    pub fn borrow(&self) -> Ref<'_, Map> {
        self.inner.borrow()
    }

    /// Borrows the map mutably. Never hold the borrow across a call that may run template code.
    pub fn borrow_mut(&self) -> RefMut<'_, Map> {
        self.inner.borrow_mut()
    }

    /// Looks up one key (cloning the value, which is cheap).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.inner.borrow().get(key).cloned()
    }

    /// Sets one key.
    pub fn insert(&self, key: impl Into<String>, value: Value) {
        self.inner.borrow_mut().insert(key.into(), value);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.inner.borrow().len()
    }

    /// True when the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.inner.borrow().is_empty()
    }

    /// True when both handles share one map (Go pointer equality).
    pub fn ptr_eq(&self, other: &Dict) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }

    /// A copy of the entries, safe to iterate while template code mutates the map.
    pub fn snapshot(&self) -> Vec<(String, Value)> {
        self.inner
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// A deep copy: nested maps are copied too, so the result shares nothing mutable.
    pub fn deep_copy(&self) -> Dict {
        self.deep_copy_at(0)
    }

    fn deep_copy_at(&self, depth: usize) -> Dict {
        let map = self
            .inner
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.deep_copy_at(depth + 1)))
            .collect();
        Dict::with_kind(map, self.kind)
    }
}

impl fmt::Debug for Dict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.inner.borrow().iter()).finish()
    }
}

/// An error returned by a function or method called from a template.
///
/// The engine wraps it as Go does: `error calling NAME: MESSAGE`. A function that failed because a
/// nested template execution failed (Helm's `include`, `tpl`) attaches that inner error with
/// [`FuncError::with_source`], so the whole chain stays reachable through
/// [`std::error::Error::source`].
#[derive(Debug, Clone)]
pub struct FuncError {
    message: String,
    source: Option<Rc<dyn std::error::Error + 'static>>,
}

impl FuncError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        FuncError {
            message: message.into(),
            source: None,
        }
    }

    /// An error with this message, caused by `source` (typically the engine's own `Error` from a
    /// nested execution).
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + 'static,
    ) -> Self {
        FuncError {
            message: message.into(),
            source: Some(Rc::new(source)),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The attached cause, if any.
    pub fn cause(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref()
    }
}

impl PartialEq for FuncError {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
    }
}

impl Eq for FuncError {}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FuncError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref()
    }
}

/// The methods of a named map type (Helm's `common.Values` has `YAML`, `Table`, `AsMap`, …).
/// In Go, a method wins over a map key of the same name: `.Values.Table "a"` calls the method.
/// Register one per type name with `Templates::register_map_methods`; maps whose
/// [`MapKind::Named`] name matches get these methods.
pub trait MapMethods {
    /// True when the type has this method.
    fn has_method(&self, name: &str) -> bool;

    /// Calls a method on `map`. Called only when `has_method(name)` is true.
    fn call_method(&self, map: &Dict, name: &str, args: &[Value]) -> Result<Value, FuncError>;

    /// The Go signature of a method, to check and convert its arguments (see
    /// [`Object::method_signature`]).
    fn method_signature(&self, _name: &str) -> Option<crate::func::Signature> {
        None
    }
}

/// A Go value with fields and methods that templates can reach (`.Files.Get "x"`,
/// `.Capabilities.APIVersions.Has "v1"`, `(semver "1.2.3").Major`).
pub trait Object: fmt::Debug {
    /// The Go type name, as `typeOf` prints it (`*chartutil.Capabilities`, `engine.files`).
    fn type_name(&self) -> &str;

    /// The Go kind, as `kindOf` prints it (`struct`, `ptr`, `map`).
    fn kind_name(&self) -> &str {
        "struct"
    }

    /// A field (or a map key, for map-like objects) by name; `None` when there is no such field.
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    /// True when the object has a method of this name (methods win over fields in Go).
    fn has_method(&self, _name: &str) -> bool {
        false
    }

    /// Calls a method. Called only when `has_method(name)` is true.
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, FuncError> {
        Err(FuncError::new(format!("can't call method {name}")))
    }

    /// What `index OBJ KEY` gives for map-like objects; `None` when the object cannot be indexed.
    fn index(&self, _key: &Value) -> Option<Value> {
        None
    }

    /// For map-like objects (Go map types with methods, such as Helm's `files`): the entries in
    /// key order, which `range` and `len` use. `None` for objects that are not maps.
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        None
    }

    /// For map-like objects: the zero value of the element type, which a missing key gives under
    /// `missingkey=zero` (Helm's `files` is `map[string][]byte`, so `.Files.nosuch` is an empty
    /// `[]byte`). `None` means a nil `interface{}`.
    fn map_zero_value(&self) -> Option<Value> {
        None
    }

    /// Go's `%v` form of the object.
    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str("{}")
    }

    /// True when the Go type has a `String() string` (or `Error() string`) method, so that `fmt`
    /// prints [`Object::fmt_value`] as a string for the verbs `%v %s %q %x %X`.
    fn is_stringer(&self) -> bool {
        false
    }

    /// The Go signature of a method, when the engine should check and convert its arguments as
    /// Go does for functions (`wrong number of args for Has: want 1 got 0`). `None` passes the
    /// arguments unchecked, as `interface{}` values.
    fn method_signature(&self, _name: &str) -> Option<crate::func::Signature> {
        None
    }

    /// True when templates treat the object as empty/false (Go: a nil pointer). Structs are never empty.
    fn is_truthy(&self) -> bool {
        true
    }

    /// The object converted to plain data (maps, lists, scalars) for encoders such as `toYaml` and
    /// `toJson`; `None` when it has no data form.
    fn to_data(&self) -> Option<Value> {
        None
    }
}

/// A Go value as a template sees it.
#[derive(Clone, Default)]
pub enum Value {
    /// An untyped nil (`interface{}(nil)`): prints `<no value>` from a field or `<nil>` elsewhere.
    #[default]
    Nil,
    /// `bool`
    Bool(bool),
    /// `int`
    Int(i64),
    /// `int64`
    Int64(i64),
    /// `float64`
    Float(f64),
    /// `string`
    String(Rc<str>),
    /// `[]byte`
    Bytes(Rc<[u8]>),
    /// `[]interface {}`
    List(Rc<Vec<Value>>),
    /// A map with string keys (shared and mutable, as in Go).
    Map(Dict),
    /// A value with Go fields and methods.
    Object(Rc<dyn Object>),
}

impl Value {
    /// A string value.
    pub fn string(s: impl AsRef<str>) -> Value {
        Value::String(Rc::from(s.as_ref()))
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    /// A new `map[string]interface {}` value.
    pub fn map(map: Map) -> Value {
        Value::Map(Dict::new(map))
    }

    /// Go's `reflect.Type.String()` of the value, as sprig's `typeOf` prints it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(d) => match d.kind() {
                MapKind::Plain => "map[string]interface {}".into(),
                MapKind::Named(name) => name.into(),
                MapKind::StringMap => "map[string]string".into(),
            },
            Value::Object(o) => o.type_name().into(),
        }
    }

    /// Go's `reflect.Kind.String()` of the value, as sprig's `kindOf` prints it.
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// Go template truthiness: false, 0, nil, and empty strings, lists and maps are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.is_truthy(),
        }
    }

    /// The string, when the value is a Go string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// True for `Value::Nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// A deep copy: maps are copied, so the result shares nothing mutable with `self`.
    ///
    /// A map that contains itself (possible through `set`) is copied down to a depth of
    /// [`MAX_COPY_DEPTH`] levels and shared below that, instead of recursing forever.
    pub fn deep_copy(&self) -> Value {
        self.deep_copy_at(0)
    }

    fn deep_copy_at(&self, depth: usize) -> Value {
        if depth >= MAX_COPY_DEPTH {
            return self.clone();
        }
        match self {
            Value::Map(d) => Value::Map(d.deep_copy_at(depth)),
            Value::List(l) => Value::List(Rc::new(
                l.iter().map(|v| v.deep_copy_at(depth + 1)).collect(),
            )),
            other => other.clone(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Int64(i) => write!(f, "Int64({i})"),
            Value::Float(x) => write!(f, "Float({x:?})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(d) => d.fmt(f),
            Value::Object(o) => o.fmt(f),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Rc::from(s))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::list(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::map(map)
    }
}
