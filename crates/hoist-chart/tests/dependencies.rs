//! Dependency processing tables transcribed from helm/helm v4.2.3
//! pkg/chart/v2/util/dependencies_test.go (tests/data/dependencies.json), on Helm's test charts.

mod common;

use common::{dict_from_json, strings};
use hoist_chart::dependencies::{process_dependency_enabled, process_dependency_import_values};
use hoist_chart::{Chart, coalesce, load};
use hoist_gotmpl::Value;
use serde_json::Value as J;

fn td(p: &str) -> String {
    format!(
        "{}/tests/data/helm-testdata/{p}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn data() -> J {
    serde_json::from_str(include_str!("data/dependencies.json")).unwrap()
}

fn chart_paths(c: &Chart) -> Vec<String> {
    let mut out = Vec::new();
    c.walk(&mut |_, pos| out.push(pos.dot_path.clone()));
    out.sort();
    out
}

/// Go's FormatFloat(f, 'f', -1, 64) / FormatBool / the string, as the Go test compares.
fn show(v: &Value) -> String {
    match v {
        Value::Float(f) => {
            let s = format!("{f}");
            s
        }
        other => hoist_gotmpl::format_value(other),
    }
}

fn check_paths(c: &Chart, expect: &J) -> Vec<String> {
    let mut errs = Vec::new();
    for (k, want) in expect.as_object().unwrap() {
        match coalesce::path_value(&c.values, k) {
            Ok(Some(v)) => {
                if show(&v) != want.as_str().unwrap() {
                    errs.push(format!("{k}: got {}, want {want}", show(&v)));
                }
            }
            _ => errs.push(format!("{k}: missing")),
        }
    }
    errs
}

#[test]
fn dependency_enabled() {
    for case in data()["enabled"].as_array().unwrap() {
        let mut c = load(td("subpop")).unwrap();
        let v = dict_from_json(&case["values"]);
        process_dependency_enabled(&mut c, &v, "").unwrap();
        let want = strings(&case["expect"]);
        assert_eq!(chart_paths(&c), want, "{}", case["name"]);
    }
}

#[test]
fn import_values_coalesce_and_merge() {
    let d = data();
    let mut c = load(td("subpop")).unwrap();
    process_dependency_import_values(&mut c, false).unwrap();
    let errs = check_paths(&c, &d["import_values_subpop"]);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    assert!(matches!(
        coalesce::path_value(&c.values, "ensurenull"),
        Ok(None)
    ));

    let mut c = load(td("subpop")).unwrap();
    process_dependency_import_values(&mut c, true).unwrap();
    assert!(matches!(
        coalesce::path_value(&c.values, "ensurenull"),
        Ok(Some(Value::Nil))
    ));
}

#[test]
fn import_values_from_shared_dependency_to_aliases() {
    let mut c = load(td("chart-with-import-from-aliased-dependencies")).unwrap();
    let v = c.values.clone();
    process_dependency_enabled(&mut c, &v, "").unwrap();
    process_dependency_import_values(&mut c, true).unwrap();
    let errs = check_paths(&c, &data()["import_values_aliased"]);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

#[test]
fn import_values_multi_level_precedence() {
    let mut c = load(td("three-level-dependent-chart/umbrella")).unwrap();
    process_dependency_import_values(&mut c, true).unwrap();
    let errs = check_paths(&c, &data()["import_values_multilevel"]);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

#[test]
fn import_values_for_enabled_charts() {
    let mut c = load(td("import-values-from-enabled-subchart/parent-chart")).unwrap();
    process_dependency_import_values(&mut c, true).unwrap();
    assert_eq!(c.dependencies.len(), 2);
    let v = c.values.clone();
    process_dependency_enabled(&mut c, &v, "").unwrap();
    assert_eq!(c.dependencies.len(), 1);
    assert_eq!(c.metadata.deps().count(), 1);
    let name = c.dependencies[0].values.get("nameOverride");
    assert_eq!(
        name.and_then(|n| n.as_str().map(String::from)).as_deref(),
        Some("parent-chart-prod")
    );
}

#[test]
fn load_dependency_frobnitz() {
    let c = load(td("frobnitz")).unwrap();
    let want = [("alpine", "0.1.0"), ("mariner", "4.3.2")];
    let deps: Vec<_> = c
        .metadata
        .deps()
        .map(|d| (d.name.as_str(), d.version.as_str()))
        .collect();
    assert_eq!(deps, want);
    for d in c
        .metadata
        .deps()
        .chain(c.lock.as_ref().unwrap().dependencies.iter())
    {
        assert_eq!(d.repository, "https://example.com/charts");
    }
    let lock: Vec<_> = c
        .lock
        .as_ref()
        .unwrap()
        .dependencies
        .iter()
        .map(|d| (d.name.as_str(), d.version.as_str()))
        .collect();
    assert_eq!(lock, want);
}

#[test]
fn dependent_chart_counts() {
    // TestDependentChartAliases, TestDependentChartWithSubChartsAbsentInDependency,
    // TestDependentChartsWithSubchartsAllSpecifiedInDependency,
    // TestDependentChartsWithSomeSubchartsSpecifiedInDependency,
    // TestChartWithDependencyAliasedTwiceAndDoublyReferencedSubDependency.
    for (chart, before, after, meta) in [
        ("dependent-chart-alias", 2, 3, Some(3)),
        ("dependent-chart-no-requirements-yaml", 2, 2, None),
        (
            "dependent-chart-with-all-in-requirements-yaml",
            2,
            2,
            Some(2),
        ),
        (
            "dependent-chart-with-mixed-requirements-yaml",
            2,
            2,
            Some(1),
        ),
        ("chart-with-dependency-aliased-twice", 1, 2, None),
    ] {
        let mut c = load(td(chart)).unwrap();
        assert_eq!(c.dependencies.len(), before, "{chart}");
        let v = c.values.clone();
        process_dependency_enabled(&mut c, &v, "").unwrap();
        assert_eq!(c.dependencies.len(), after, "{chart}");
        if let Some(m) = meta {
            assert_eq!(c.metadata.deps().count(), m, "{chart}");
        }
    }
    load(td("dependent-chart-helmignore")).unwrap();
}

#[test]
fn archives_load() {
    for (tgz, name) in [
        ("frobnitz-1.2.3.tgz", "frobnitz"),
        ("frobnitz_backslash-1.2.3.tgz", "frobnitz_backslash"),
    ] {
        let c = load(td(tgz)).unwrap();
        assert_eq!(c.name(), name, "{tgz}");
        assert!(!c.templates.is_empty());
    }
}

#[test]
fn full_paths_follow_aliases() {
    // Helm's ChartFullPath uses the alias after processing (TestDependentChartAliases chart).
    let mut c = load(td("dependent-chart-alias")).unwrap();
    let v = hoist_gotmpl::Value::Map(c.values.clone());
    hoist_chart::process_dependencies(&mut c, &v).unwrap();
    let mut paths = Vec::new();
    c.walk(&mut |ch, pos| {
        assert_eq!(ch.full_path(), pos.full_path);
        paths.push(pos.full_path.clone());
    });
    let aliases: Vec<String> = c
        .metadata
        .deps()
        .filter(|d| !d.alias.is_empty())
        .map(|d| format!("{}/charts/{}", c.name(), d.alias))
        .collect();
    assert!(!aliases.is_empty());
    for a in aliases {
        assert!(paths.contains(&a), "{a} not in {paths:?}");
    }
}
