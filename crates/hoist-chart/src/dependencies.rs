//! Dependency processing (`pkg/chart/v2/util/dependencies.go`): version matching, aliases,
//! tags and conditions, removal of disabled subcharts, and import-values; plus the CLI's
//! `CheckDependencies` and the kubeVersion check.

use crate::chart::Chart;
use crate::coalesce::{
    coalesce_tables, coalesce_values, merge_tables, merge_values, path_value, table,
};
use crate::error::ChartError;
use crate::metadata::Dependency;
use hoist_gotmpl::{Dict, Map, MapKind, Value, format_value};

/// Helm's `IsCompatibleRange`: true when `ver` parses and satisfies the constraint.
pub fn is_compatible_range(constraint: &str, ver: &str) -> bool {
    let Ok(v) = hoist_semver::Version::parse(ver) else {
        return false;
    };
    let Ok(c) = hoist_semver::Constraints::parse(constraint) else {
        return false;
    };
    c.check(&v)
}

/// Helm's `ProcessDependencies`: enables/disables subcharts from tags and conditions (against
/// the chart's values coalesced with `vals`), applies aliases, removes disabled subcharts, and
/// imports values bottom-up. `vals` are the user's values. The CLI wraps an error as
/// `chart dependencies processing failed: <err>`.
pub fn process_dependencies(chart: &mut Chart, vals: &Value) -> Result<(), ChartError> {
    let vals = as_dict(vals);
    let r = process_dependency_enabled(chart, &vals, "")
        .and_then(|()| process_dependency_import_values(chart, true));
    chart.refresh_paths();
    r
}

/// A values map from a [`Value`] (anything but a map is an empty map, like a nil Go map).
pub(crate) fn as_dict(v: &Value) -> Dict {
    match v {
        Value::Map(d) => d.clone(),
        _ => Dict::new(Map::new()),
    }
}

fn get_alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    for c in charts {
        if c.name() != dep.name {
            continue;
        }
        if !is_compatible_range(&dep.version, &c.metadata.version) {
            continue;
        }
        let mut out = c.clone();
        if !dep.alias.is_empty() {
            out.metadata.name = dep.alias.clone();
        }
        return Some(out);
    }
    None
}

/// Helm's `processDependencyEnabled` (first step of [`process_dependencies`]): aliases, tags,
/// conditions and removal of disabled subcharts; `path` is the dotted prefix of conditions.
pub fn process_dependency_enabled(c: &mut Chart, v: &Dict, path: &str) -> Result<(), ChartError> {
    if c.metadata.dependencies.is_none() {
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let mut chart_deps: Vec<Chart> = Vec::new();
    for e in &existing {
        let matched = c.metadata.deps().any(|req| {
            e.name() == req.name && is_compatible_range(&req.version, &e.metadata.version)
        });
        if !matched {
            chart_deps.push(e.clone());
        }
    }
    for req in c.metadata.deps_mut() {
        if let Some(cd) = get_alias_dependency(&existing, req) {
            chart_deps.push(cd);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    drop(existing);
    c.dependencies = chart_deps;
    for req in c.metadata.deps_mut() {
        req.enabled = true;
    }
    let cvals = coalesce_values(c, v)?;
    process_dependency_tags(c, &cvals);
    process_dependency_conditions(c, &cvals, path);
    let removed: std::collections::HashSet<String> = c
        .metadata
        .deps()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies.retain(|d| !removed.contains(d.name()));
    let kept: Vec<Option<Dependency>> = c
        .metadata
        .deps()
        .filter(|r| !removed.contains(&r.name))
        .cloned()
        .map(Some)
        .collect();
    for t in c.dependencies.iter_mut() {
        let subpath = format!("{path}{}.", t.name());
        process_dependency_enabled(t, &cvals, &subpath)?;
    }
    c.metadata.dependencies = if kept.is_empty() { None } else { Some(kept) };
    Ok(())
}

fn process_dependency_tags(c: &mut Chart, cvals: &Dict) {
    let Some(vt) = table(cvals, "tags") else {
        return;
    };
    for r in c.metadata.deps_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for k in r.tags.iter().flatten() {
            if let Some(Value::Bool(b)) = vt.get(k) {
                if b {
                    has_true = true;
                } else {
                    has_false = true;
                }
            }
            // a non-bool tag value only warns
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

fn process_dependency_conditions(c: &mut Chart, cvals: &Dict, cpath: &str) {
    for r in c.metadata.deps_mut() {
        let cond = r.condition.trim().to_string();
        for part in cond.split(',') {
            if part.is_empty() {
                continue;
            }
            if let Ok(Some(Value::Bool(b))) = path_value(cvals, &format!("{cpath}{part}")) {
                r.enabled = b;
                break;
            }
            // non-bool values and missing paths only warn
        }
    }
}

/// Go's `pathToMap`: `a.b` + data → `{a: {b: data}}`; `.` → data.
fn path_to_map(path: &str, data: Dict) -> Dict {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for p in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(p.to_string(), Value::Map(cur));
        cur = Dict::new(m);
    }
    cur
}

fn string_pair(child: &str, parent: &str) -> Value {
    let mut m = Map::new();
    m.insert("child".into(), Value::from(child));
    m.insert("parent".into(), Value::from(parent));
    Value::Map(Dict::with_kind(m, MapKind::StringMap))
}

fn process_import_values(c: &mut Chart, merge: bool) -> Result<(), ChartError> {
    if c.metadata.dependencies.is_none() {
        return Ok(());
    }
    let cvals = if merge {
        merge_values(c, &Dict::new(Map::new()))?
    } else {
        coalesce_values(c, &Dict::new(Map::new()))?
    };
    let mut b = Dict::new(Map::new());
    let names: Vec<String> = c.metadata.deps().map(|r| r.name.clone()).collect();
    for (r, name) in c.metadata.deps_mut().zip(names) {
        let mut outiv: Vec<Value> = Vec::new();
        for riv in r.import_values.iter().flatten() {
            match riv {
                Value::Map(iv) if iv.kind() == MapKind::Plain => {
                    let child = format_value(&iv.get("child").unwrap_or_default());
                    let parent = format_value(&iv.get("parent").unwrap_or_default());
                    outiv.push(string_pair(&child, &parent));
                    let Some(vv) = table(&cvals, &format!("{name}.{child}")) else {
                        continue; // warning: ImportValues missing table from chart
                    };
                    let vv = if vv.is_empty() {
                        Dict::new(Map::new())
                    } else {
                        vv
                    };
                    b = tables(&b, &path_to_map(&parent, vv), merge);
                }
                Value::String(iv) => {
                    let child = format!("exports.{iv}");
                    outiv.push(string_pair(&child, "."));
                    let Some(vm) = table(&cvals, &format!("{name}.{child}")) else {
                        continue; // warning: ImportValues missing table
                    };
                    let vm = if vm.is_empty() {
                        Dict::new(Map::new())
                    } else {
                        vm
                    };
                    b = tables(&b, &vm, merge);
                }
                _ => {}
            }
        }
        r.import_values = if outiv.is_empty() { None } else { Some(outiv) };
    }
    if merge {
        let cvals = cvals.deep_copy();
        c.values = merge_tables(&cvals, &b);
    } else {
        let cvals = trim_nil_values(&cvals);
        c.values = coalesce_tables(&cvals, &b);
    }
    Ok(())
}

fn tables(dst: &Dict, src: &Dict, merge: bool) -> Dict {
    if merge {
        merge_tables(dst, src)
    } else {
        coalesce_tables(dst, src)
    }
}

/// A deep copy without nil entries (recursively).
fn trim_nil_values(vals: &Dict) -> Dict {
    let out = vals.deep_copy();
    fn trim(m: &Dict) {
        for (k, v) in m.snapshot() {
            match &v {
                Value::Nil => {
                    m.borrow_mut().remove(&k);
                }
                Value::Map(d) if d.kind() == MapKind::Plain => trim(d),
                _ => {}
            }
        }
    }
    trim(&out);
    out
}

/// Helm's `processDependencyImportValues` (second step of [`process_dependencies`], with
/// `merge` true): imports values bottom-up into each chart's values.
pub fn process_dependency_import_values(c: &mut Chart, merge: bool) -> Result<(), ChartError> {
    for d in c.dependencies.iter_mut() {
        process_dependency_import_values(d, merge)?;
    }
    process_import_values(c, merge)
}

/// The CLI's `CheckDependencies`: every dependency declared in Chart.yaml must be present in
/// `charts/` (matched by name). The CLI wraps the error as `an error occurred while checking for
/// chart dependencies. You may need to run 'helm dependency build' to fetch missing
/// dependencies: <err>`.
pub fn check_dependencies(chart: &Chart) -> Result<(), ChartError> {
    let missing: Vec<&str> = chart
        .metadata
        .deps()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ChartError::Dependencies(format!(
        "found in Chart.yaml, but missing in charts/ directory: {}",
        missing.join(", ")
    )))
}

/// The kubeVersion check done before rendering: `kube_version` is
/// `Capabilities.KubeVersion.String()` (e.g. `v1.36.0`), `display` is `KubeVersion.Version`.
pub fn check_kube_version(
    chart: &Chart,
    kube_version: &str,
    display: &str,
) -> Result<(), ChartError> {
    let kv = &chart.metadata.kube_version;
    if !kv.is_empty() && !is_compatible_range(kv, kube_version) {
        return Err(ChartError::Load(format!(
            "chart requires kubeVersion: {kv} which is incompatible with Kubernetes {display}"
        )));
    }
    Ok(())
}

/// The CLI's `checkIfInstallable`: only application charts can be installed or templated.
pub fn check_installable(chart: &Chart) -> Result<(), ChartError> {
    match chart.metadata.chart_type.as_str() {
        "" | "application" => Ok(()),
        t => Err(ChartError::Load(format!("{t} charts are not installable"))),
    }
}
