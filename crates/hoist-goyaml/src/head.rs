//! Helm's manifest head: `sigs.k8s.io/yaml.Unmarshal` of a rendered document into
//! `SimpleHead{apiVersion, kind, metadata{name, annotations map[string]string}}`
//! (`pkg/release/v1/util/manifest_sorter.go`). sigs.k8s.io/yaml coerces numbers and booleans
//! into strings where the target is a string (`helm.sh/hook-weight: 5` reads as `"5"`); other
//! mismatches fail in the JSON step with `encoding/json`'s `UnmarshalTypeError` text.

use std::collections::BTreeMap;

use hoist_gotmpl::Value;

use crate::{Error, ErrorKind, gofloat, json_type_name};

/// The parts of a manifest Helm looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestHead {
    /// `apiVersion` (empty when absent).
    pub api_version: String,
    /// `kind` (empty when absent).
    pub kind: String,
    /// `metadata`; `None` when absent or null (Go's nil pointer).
    pub metadata: Option<ManifestMetadata>,
}

/// `metadata` of a [`ManifestHead`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestMetadata {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.annotations`; `None` when absent or null (Go's nil map).
    pub annotations: Option<BTreeMap<String, String>>,
}

const METADATA_TYPE: &str = "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }";

fn type_error(v: &Value, field: &str, go_type: &str) -> Error {
    Error::new(
        ErrorKind::Json,
        format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {field} of type {go_type}",
            json_type_name(v)
        ),
    )
}

/// sigs.k8s.io/yaml's coercion of a scalar into a string target; `None` for a JSON null (the
/// string keeps its zero value); an error for maps and lists.
fn coerce(v: &Value, field: &str) -> Result<Option<String>, Error> {
    Ok(match v {
        Value::Nil => None,
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Some(i.to_string()),
        Value::Float(f) => Some(gofloat::format_float(*f, b'g', true)),
        other => return Err(type_error(other, field, "string")),
    })
}

/// The entries of a JSON object in `encoding/json`'s decoding order, matched to a struct
/// field case-insensitively (the last match wins, as later keys overwrite).
fn field<'a>(entries: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    entries
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .next_back()
}

/// Parses a rendered manifest's head as Helm does before sorting manifests and hooks. Error
/// texts are complete (`error converting YAML to JSON: yaml: line 3: ...`, `error unmarshaling
/// JSON: while decoding JSON: json: cannot unmarshal array into Go struct field
/// .metadata.annotations of type string`); Helm prefixes `YAML parse error on <path>: `.
///
/// Derived from the sigs.k8s.io/yaml v1.6 and encoding/json sources; the oracle cannot observe
/// this step.
pub fn manifest_head(src: &str) -> Result<ManifestHead, Error> {
    let v = crate::decode::from_str_typed(src).map_err(|e| {
        Error::new(
            e.kind(),
            format!("error converting YAML to JSON: {}", e.message()),
        )
    })?;
    let entries = match &v {
        Value::Nil => return Ok(ManifestHead::default()),
        Value::Map(d) => d.snapshot(),
        other => {
            return Err(Error::new(
                ErrorKind::Json,
                format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type util.SimpleHead",
                    json_type_name(other)
                ),
            ));
        }
    };
    let mut head = ManifestHead::default();
    let mut first_error: Option<Error> = None;
    let mut keep = |r: Result<(), Error>| {
        if let Err(e) = r
            && first_error.is_none()
        {
            first_error = Some(e);
        }
    };
    // Keys in bytewise order, as json.Marshal wrote them.
    for (key, value) in &entries {
        if key.eq_ignore_ascii_case("apiVersion") {
            keep(coerce(value, "SimpleHead.apiVersion").map(|s| {
                if let Some(s) = s {
                    head.api_version = s;
                }
            }));
        } else if key.eq_ignore_ascii_case("kind") {
            keep(coerce(value, "SimpleHead.kind").map(|s| {
                if let Some(s) = s {
                    head.kind = s;
                }
            }));
        } else if key.eq_ignore_ascii_case("metadata") {
            match value {
                Value::Nil => head.metadata = None,
                Value::Map(d) => {
                    let meta = head.metadata.get_or_insert_with(ManifestMetadata::default);
                    let m = d.snapshot();
                    if let Some(name) = field(&m, "name") {
                        keep(coerce(name, ".metadata.name").map(|s| {
                            if let Some(s) = s {
                                meta.name = s;
                            }
                        }));
                    }
                    if let Some(ann) = field(&m, "annotations") {
                        match ann {
                            Value::Nil => meta.annotations = None,
                            Value::Map(a) => {
                                let map = meta.annotations.get_or_insert_with(BTreeMap::new);
                                for (k, v) in a.snapshot() {
                                    match coerce(&v, ".metadata.annotations") {
                                        Ok(s) => {
                                            map.insert(k, s.unwrap_or_default());
                                        }
                                        Err(e) => keep(Err(e)),
                                    }
                                }
                            }
                            other => keep(Err(type_error(
                                other,
                                ".metadata.annotations",
                                "map[string]string",
                            ))),
                        }
                    }
                }
                other => keep(Err(type_error(other, "SimpleHead.metadata", METADATA_TYPE))),
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(head),
    }
}

/// Expectations derived from reading sigs.k8s.io/yaml v1.6 (`convertToJSONableObject`) and
/// encoding/json; the oracle cannot observe this step.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coerces_scalars_into_strings() {
        let h = manifest_head(
            "apiVersion: v1\nkind: Job\nmetadata:\n  name: 5\n  annotations:\n    helm.sh/hook-weight: 5\n    f: 1.5\n    e: 1e7\n    b: true\n    z: ~\n",
        )
        .unwrap();
        assert_eq!(h.api_version, "v1");
        let m = h.metadata.unwrap();
        assert_eq!(m.name, "5");
        let a = m.annotations.unwrap();
        assert_eq!(a["helm.sh/hook-weight"], "5");
        assert_eq!(a["f"], "1.5");
        assert_eq!(a["e"], "1e+07");
        assert_eq!(a["b"], "true");
        assert_eq!(a["z"], "");
    }

    #[test]
    fn refuses_structures_where_strings_go() {
        let e = manifest_head("metadata:\n  annotations:\n    a: [1]\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .metadata.annotations of type string"
        );
        assert!(manifest_head("- a\n").is_err());
        assert_eq!(manifest_head("").unwrap(), ManifestHead::default());
    }
}
