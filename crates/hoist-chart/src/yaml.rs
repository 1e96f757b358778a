//! The YAML boundary: sigs.k8s.io/yaml decoding (via hoist-goyaml) with Helm's error texts.

use hoist_gotmpl::Value;

/// sigs.k8s.io/yaml `Unmarshal` of one document into `interface{}`: the error is the full text
/// sigs.k8s.io/yaml gives (`error converting YAML to JSON: yaml: line 1: …`).
pub fn unmarshal(text: &str) -> Result<Value, String> {
    hoist_goyaml::from_str(text).map_err(|e| format!("error converting YAML to JSON: {e}"))
}
