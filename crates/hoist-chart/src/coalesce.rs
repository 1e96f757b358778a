//! Values coalescing (`pkg/chart/common/util/coalesce.go`) with Helm v4.2's null rules and
//! globals. Maps are shared handles as in Go, so the same aliasing effects happen.

use crate::chart::Chart;
use crate::error::ChartError;
use hoist_gotmpl::{Dict, Map, MapKind, Value};

/// The values key holding globals.
pub const GLOBAL_KEY: &str = "global";

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// Go's `istable`: a plain `map[string]interface{}`.
fn as_table(v: &Value) -> Option<&Dict> {
    match v {
        Value::Map(d) if d.kind() == MapKind::Plain => Some(d),
        _ => None,
    }
}

fn new_map() -> Dict {
    Dict::new(Map::new())
}

/// Helm's `CoalesceValues`: the chart's defaults (and its subcharts', recursively) under the
/// user's values (deep-copied first). User nulls delete defaults; chart-default nulls are dropped.
pub fn coalesce_values(chart: &Chart, vals: &Dict) -> Result<Dict, ChartError> {
    let copy = vals.deep_copy();
    coalesce(chart, copy, "", false)
}

/// Helm's `MergeValues` (used for import-values): like [`coalesce_values`] but nulls are kept.
pub fn merge_values(chart: &Chart, vals: &Dict) -> Result<Dict, ChartError> {
    let copy = vals.deep_copy();
    coalesce(chart, copy, "", true)
}

fn coalesce(chart: &Chart, dest: Dict, prefix: &str, merge: bool) -> Result<Dict, ChartError> {
    coalesce_chart_values(chart, &dest, prefix, merge);
    coalesce_deps(chart, dest, prefix, merge)
}

fn coalesce_deps(chart: &Chart, dest: Dict, prefix: &str, merge: bool) -> Result<Dict, ChartError> {
    for sub in &chart.dependencies {
        let name = sub.name();
        let dvmap = match dest.get(name) {
            None => {
                let m = new_map();
                dest.insert(name, Value::Map(m.clone()));
                m
            }
            Some(c) => match as_table(&c) {
                Some(d) => d.clone(),
                None => {
                    return Err(ChartError::Dependencies(format!(
                        "type mismatch on {name}: {}",
                        hoist_gotmpl::sprintf("%t", std::slice::from_ref(&c))
                    )));
                }
            },
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(&dvmap, &dest, &sub_prefix);
        let result = coalesce(sub, dvmap, &sub_prefix, merge)?;
        dest.insert(name, Value::Map(result));
    }
    Ok(dest)
}

/// Copies the globals of `src` into `dest`'s globals (the parent's win; maps merge).
fn coalesce_globals(dest: &Dict, src: &Dict, prefix: &str) {
    let dg = match dest.get(GLOBAL_KEY) {
        None => new_map(),
        Some(v) => match as_table(&v) {
            Some(d) => d.clone(),
            None => return, // warning: destination global is not a table
        },
    };
    let sg = match src.get(GLOBAL_KEY) {
        None => new_map(),
        Some(v) => match as_table(&v) {
            Some(d) => d.clone(),
            None => return, // warning: source global is not a table
        },
    };
    for (key, val) in sg.snapshot() {
        if let Some(vt) = as_table(&val) {
            let vv = Dict::new(vt.borrow().clone());
            match dg.get(&key) {
                None => dg.insert(key, Value::Map(vv)),
                Some(destv) => match as_table(&destv) {
                    None => {} // conflict: cannot merge map onto non-map
                    Some(destvmap) => {
                        let sub_prefix = concat_prefix(prefix, &key);
                        coalesce_tables_full_key(
                            Some(vv.clone()),
                            Some(destvmap.clone()),
                            &sub_prefix,
                            true,
                        );
                        dg.insert(key, Value::Map(vv));
                    }
                },
            }
        } else if dg.get(&key).is_some_and(|dv| as_table(&dv).is_some()) {
            // key is a table: skipping
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert(GLOBAL_KEY, Value::Map(dg));
}

fn coalesce_chart_values(chart: &Chart, v: &Dict, prefix: &str, merge: bool) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    let vc = chart.values.deep_copy();
    for (key, val) in vc.snapshot() {
        match v.get(&key) {
            Some(value) => {
                if value.is_nil() && !merge {
                    v.borrow_mut().remove(&key);
                } else if let Some(dest) = as_table(&value)
                    && let Some(src) = as_table(&val)
                {
                    let merge = child_chart_merge_true(chart, &key, merge);
                    if !merge {
                        clean_nil_values(src);
                    }
                    coalesce_tables_full_key(
                        Some(dest.clone()),
                        Some(src.clone()),
                        &concat_prefix(&sub_prefix, &key),
                        merge,
                    );
                }
                // A table over a non-table default only warns ("skipped value for …").
            }
            None => {
                if !merge {
                    if val.is_nil() {
                        continue;
                    }
                    if let Some(sub) = as_table(&val) {
                        clean_nil_values(sub);
                    }
                }
                v.insert(key, val);
            }
        }
    }
}

fn child_chart_merge_true(chart: &Chart, key: &str, merge: bool) -> bool {
    if chart.dependencies.iter().any(|s| s.name() == key) {
        return true;
    }
    merge
}

/// Helm's `CoalesceTables`: merges `src` into `dst` (dst wins); nulls in dst delete src keys.
pub fn coalesce_tables(dst: &Dict, src: &Dict) -> Dict {
    coalesce_tables_full_key(Some(dst.clone()), Some(src.clone()), "", false)
        .unwrap_or_else(new_map)
}

/// Helm's `MergeTables`: like [`coalesce_tables`] but nulls are kept.
pub fn merge_tables(dst: &Dict, src: &Dict) -> Dict {
    coalesce_tables_full_key(Some(dst.clone()), Some(src.clone()), "", true).unwrap_or_else(new_map)
}

fn coalesce_tables_full_key(
    dst: Option<Dict>,
    src: Option<Dict>,
    prefix: &str,
    merge: bool,
) -> Option<Dict> {
    let Some(src) = src else {
        return dst;
    };
    let Some(dst) = dst else {
        return Some(src);
    };
    let src_original_non_nil: std::collections::HashSet<String> = src
        .borrow()
        .iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    for (key, val) in dst.snapshot() {
        if val.is_nil() {
            src.insert(key, Value::Nil);
        }
    }
    for (key, val) in src.snapshot() {
        let full_key = concat_prefix(prefix, &key);
        let dv = dst.get(&key);
        match dv {
            Some(dv) if !merge && dv.is_nil() && src_original_non_nil.contains(&key) => {
                dst.borrow_mut().remove(&key);
            }
            None => dst.insert(key, val),
            Some(dv) => {
                if let Some(vt) = as_table(&val)
                    && let Some(dt) = as_table(&dv)
                {
                    coalesce_tables_full_key(Some(dt.clone()), Some(vt.clone()), &full_key, merge);
                }
                // Table/non-table clashes only warn; dst is kept.
            }
        }
    }
    Some(dst)
}

/// Removes nil entries recursively, in place.
fn clean_nil_values(m: &Dict) {
    for (key, val) in m.snapshot() {
        if val.is_nil() {
            m.borrow_mut().remove(&key);
        } else if let Some(sub) = as_table(&val) {
            clean_nil_values(sub);
        }
    }
}

/// Helm's `Values.Table`: the map at a dotted path (`a.b`), `None` when absent or not a map.
pub fn table(v: &Dict, name: &str) -> Option<Dict> {
    let mut t = v.clone();
    for n in name.split('.') {
        let next = t.get(n)?;
        match next {
            Value::Map(d) if matches!(d.kind(), MapKind::Plain | MapKind::Named(_)) => t = d,
            _ => return None,
        }
    }
    Some(t)
}

/// Helm's `Values.PathValue`: the non-map value at a dotted path. `Ok(None)` is "no value".
pub fn path_value(v: &Dict, path: &str) -> Result<Option<Value>, String> {
    if path.is_empty() {
        return Err("YAML path cannot be empty".into());
    }
    let parts: Vec<&str> = path.split('.').collect();
    let (key, head) = parts.split_last().unwrap_or((&"", &[]));
    let t = if head.is_empty() {
        v.clone()
    } else {
        match table(v, &head.join(".")) {
            Some(t) => t,
            None => return Ok(None),
        }
    };
    match t.get(key) {
        Some(x) if as_table(&x).is_none() => Ok(Some(x)),
        _ => Ok(None),
    }
}
