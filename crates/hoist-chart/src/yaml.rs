//! The YAML boundary: sigs.k8s.io/yaml decoding (via hoist-goyaml) with Helm's error texts.

use hoist_gotmpl::Value;

/// sigs.k8s.io/yaml `Unmarshal` of one document into `interface{}`: the error is the full text
/// sigs.k8s.io/yaml gives (`error converting YAML to JSON: yaml: line 1: …`).
pub fn unmarshal(text: &str) -> Result<Value, String> {
    hoist_goyaml::from_str(text).map_err(|e| format!("error converting YAML to JSON: {e}"))
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, which sigs.k8s.io/yaml uses for a YAML float read
/// into a string field.
///
/// hoist-gotmpl formats float64 only. The float32's shortest digits (at most nine) are the only
/// string of that length or shorter that reads back to the same float64, so formatting that
/// float64 gives the float32 digits, and the `%g` layout is the same for both sizes.
pub fn format_float32(f: f64) -> String {
    let digits: f64 = (f as f32).to_string().parse().unwrap_or(f);
    hoist_gotmpl::format_float(digits, 'g', -1)
}

#[cfg(test)]
mod tests {
    use super::format_float32;
    use hoist_gotmpl::format_float;

    #[test]
    fn floats() {
        assert_eq!(format_float32(1.0), "1");
        assert_eq!(format_float32(1.5), "1.5");
        assert_eq!(format_float32(1.1), "1.1");
        assert_eq!(format_float32(1e7), "1e+07");
        assert_eq!(format_float32(16777217.0), "1.6777216e+07");
        // float32(1e39) overflows to +Inf.
        assert_eq!(format_float32(1e39), "+Inf");
        assert_eq!(format_float32(-1e39), "-Inf");
        assert_eq!(format_float(1e21, 'g', -1), "1e+21");
        assert_eq!(format_float(123456.0, 'g', -1), "123456");
        assert_eq!(format_float(1234567.0, 'g', -1), "1.234567e+06");
        assert_eq!(format_float(0.0001, 'g', -1), "0.0001");
        assert_eq!(format_float(0.00001, 'g', -1), "1e-05");
        assert_eq!(format_float(-2.5, 'g', -1), "-2.5");
    }
}
