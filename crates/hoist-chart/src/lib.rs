//! Helm v4.2 charts: loading (directories and archives), Chart.yaml metadata, `.helmignore`,
//! values (`--set` parsing, `-f` merging, coalescing), dependency processing and values schema
//! validation, with Helm's semantics and error texts.
//!
//! The usual `helm template` flow:
//! 1. [`merge_values`] → the user's values (a map `Value`);
//! 2. [`load`] the chart; [`check_installable`]; [`check_dependencies`] when
//!    [`Metadata::has_dependencies`];
//! 3. [`process_dependencies`] with the user's values;
//! 4. [`check_kube_version`]; [`coalesce_values`] → `.Values` of the root chart;
//!    [`validate_against_schema`] unless skipped (prefix its error with
//!    [`SCHEMA_ERROR_PREFIX`]);
//! 5. render: each (sub)chart knows its [`Chart::full_path`] and [`Chart::is_root`]; a
//!    subchart's `.Values` is its parent's `.Values.<name>`; `.Chart` is
//!    [`Chart::metadata_as_map`] plus `IsRoot` ([`Chart::chart_object`]).

pub mod archive;
mod chart;
pub mod coalesce;
pub mod dependencies;
pub mod error;
mod gojson;
pub mod ignore;
pub mod loader;
pub mod metadata;
pub mod schema;
pub mod strvals;
pub mod values;
mod yaml;

pub use chart::{Chart, ChartPos, File};
pub use coalesce::{coalesce_tables, merge_tables};
pub use dependencies::{
    check_dependencies, check_installable, check_kube_version, is_compatible_range,
    process_dependencies,
};
pub use error::ChartError;
pub use loader::{load, load_archive, load_dir, load_file};
pub use metadata::{Dependency, Lock, Maintainer, Metadata};
pub use values::{FsReader, ValueOptions, ValueReader, ValuesOptions, load_values, merge_maps};

use hoist_gotmpl::Value;

/// The CLI's `values.Options.MergeValues` with the local filesystem and stdin: the user's
/// values (a map) from `-f`, `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`.
pub fn merge_values(opts: &ValueOptions) -> Result<Value, ChartError> {
    opts.merge_values(&mut FsReader).map(Value::Map)
}

/// Helm's `CoalesceValues`: the `.Values` of the root chart (a map) from the chart's defaults
/// (and its subcharts') and the user's values. Call after [`process_dependencies`].
pub fn coalesce_values(chart: &Chart, vals: &Value) -> Result<Value, ChartError> {
    coalesce::coalesce_values(chart, &dependencies::as_dict(vals)).map(Value::Map)
}

/// Helm's `ValidateAgainstSchema` on the coalesced values. The error is the report
/// (`<chart>:\n- at '/age': minimum: got -5, want 0\n`); Helm's render step prefixes it with
/// `values don't meet the specifications of the schema(s) in the following chart(s):\n`
/// ([`SCHEMA_ERROR_PREFIX`]).
pub fn validate_against_schema(chart: &Chart, values: &Value) -> Result<(), ChartError> {
    schema::validate_against_schema(chart, &dependencies::as_dict(values))
}

/// What Helm puts before a schema report.
pub const SCHEMA_ERROR_PREFIX: &str =
    "values don't meet the specifications of the schema(s) in the following chart(s):\n";

/// Go's `filepath.Match` (Unix), `false` on a malformed pattern (as `--show-only` uses it).
pub fn go_filepath_match(pattern: &str, name: &str) -> bool {
    ignore::glob_match(pattern, name).unwrap_or(false)
}
