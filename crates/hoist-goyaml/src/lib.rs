//! Go-compatible YAML and JSON for Helm: what Helm gets from `sigs.k8s.io/yaml`, goyaml v2/v3 and
//! `encoding/json`.
//!
//! * Decoding ([`from_str`], [`from_str_multi`]) follows `sigs.k8s.io/yaml.Unmarshal`: YAML 1.1
//!   typing by goyaml v2, then a trip through JSON, so every number becomes `Value::Float`, keys
//!   become strings, and `.inf`/`.nan` are errors.
//! * [`to_yaml`] is Helm's `toYaml` (JSON, then the goyaml v2 emitter); [`to_yaml_pretty`] is
//!   `toYamlPretty` (the goyaml v3 encoder with indent 2).
//! * [`to_json`], [`to_json_pretty`], [`to_raw_json`] and [`from_json`] are Go's `encoding/json`.
//! * [`to_toml`] is Helm's `toToml` (BurntSushi/toml v1.6's encoder); [`from_toml`] parses TOML
//!   for `fromToml`.
//! * [`manifest_head`] reads a rendered manifest's head as Helm's manifest sorter does.
//! * [`yaml_unmarshal_map`] and friends give Go's complete error texts for the common targets.
//!
//! Error texts are Go's. `Display` gives the bare library text (`yaml: line 3: did not find
//! expected key`); callers add Helm's prefixes (`error converting YAML to JSON: `).

mod decode;
mod emit;
mod encode;
mod gofloat;
mod head;
mod json;
mod resolve;
mod tomlfmt;

pub use decode::{from_str, from_str_multi};
pub use encode::{to_yaml, to_yaml_pretty};
pub use head::{ManifestHead, ManifestMetadata, manifest_head};
pub use json::{from_json, to_json, to_json_pretty, to_raw_json};
pub use tomlfmt::{from_toml, to_toml};

use hoist_gotmpl::{Map, Value};

/// A decoding or encoding error, carrying Go's error text (its `Display`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

/// Which Go layer produced an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A goyaml scanner, parser or decoder error (`yaml: line 2: ...`).
    Yaml,
    /// An `encoding/json` error (`json: unsupported value: +Inf`, `invalid character ...`).
    Json,
    /// A multi-document stream could not be split (k8s `YAMLReader`:
    /// `invalid Yaml document separator: ...`).
    DocumentSeparator,
    /// The value has no data form (an object without `to_data`).
    Unsupported,
    /// A TOML encoding or parsing error.
    Toml,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn yaml(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Yaml, message)
    }

    pub(crate) fn json(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Json, message)
    }

    /// Which layer failed.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The Go error text.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The JSON kind `encoding/json` names in an `UnmarshalTypeError` (`cannot unmarshal array into
/// Go value of type map[string]interface {}`): `object`, `array`, `string`, `number`, `bool` or
/// `null`.
pub fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Object(o) => match o.to_data() {
            Some(Value::List(_)) => "array",
            Some(Value::Map(_)) => "object",
            _ => "object",
        },
    }
}

fn type_error(v: &Value, target: &str, sigs: bool) -> Error {
    let prefix = if sigs {
        "error unmarshaling JSON: while decoding JSON: "
    } else {
        ""
    };
    Error::json(format!(
        "{prefix}json: cannot unmarshal {} into Go value of type {target}",
        json_type_name(v)
    ))
}

fn sigs_error(e: Error) -> Error {
    Error::new(
        e.kind(),
        format!("error converting YAML to JSON: {}", e.message()),
    )
}

/// `sigs.k8s.io/yaml.Unmarshal` into a `map[string]interface{}` (Helm's `fromYaml`, values
/// files): an empty document gives an empty map. Error texts are complete
/// (`error converting YAML to JSON: yaml: ...`, `error unmarshaling JSON: while decoding JSON:
/// json: cannot unmarshal array into Go value of type map[string]interface {}`).
pub fn yaml_unmarshal_map(src: &str) -> Result<Map, Error> {
    match from_str(src).map_err(sigs_error)? {
        Value::Nil => Ok(Map::new()),
        Value::Map(d) => Ok(d.borrow().clone()),
        other => Err(type_error(&other, "map[string]interface {}", true)),
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` into a `[]interface{}` (Helm's `fromYamlArray`): an empty
/// document gives an empty list.
pub fn yaml_unmarshal_list(src: &str) -> Result<Vec<Value>, Error> {
    match from_str(src).map_err(sigs_error)? {
        Value::Nil => Ok(Vec::new()),
        Value::List(items) => Ok(items.as_ref().clone()),
        other => Err(type_error(&other, "[]interface {}", true)),
    }
}

/// `json.Unmarshal` into a `map[string]interface{}` (Helm's `fromJson`): `None` for JSON `null`
/// (Go's nil map, which `toJson` prints as `null`).
pub fn json_unmarshal_map(src: &str) -> Result<Option<Map>, Error> {
    match from_json(src)? {
        Value::Nil => Ok(None),
        Value::Map(d) => Ok(Some(d.borrow().clone())),
        other => Err(type_error(&other, "map[string]interface {}", false)),
    }
}

/// `json.Unmarshal` into a `[]interface{}` (Helm's `fromJsonArray`): `None` for JSON `null`.
pub fn json_unmarshal_list(src: &str) -> Result<Option<Vec<Value>>, Error> {
    match from_json(src)? {
        Value::Nil => Ok(None),
        Value::List(items) => Ok(Some(items.as_ref().clone())),
        other => Err(type_error(&other, "[]interface {}", false)),
    }
}
