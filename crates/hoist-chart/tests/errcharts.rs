//! Load/values/coalesce error texts against real Helm v4.2.3 (tests/data/errcharts, made by
//! tests/gen/errcharts.py). The oracle renders through Helm's SDK, which skips the CLI-level
//! checks (apiVersion dispatch, kubeVersion, library charts, missing dependencies); those cases
//! are checked against the texts in Helm's source instead.

mod common;

use hoist_chart::{ChartError, ValueOptions, load};
use serde_json::Value as J;
use std::path::Path;

fn dir(case: &str) -> String {
    format!("{}/tests/data/errcharts/{case}", env!("CARGO_MANIFEST_DIR"))
}

/// load → process dependencies → coalesce, as the SDK render does before templates run.
fn sdk_pipeline(case: &str, args: &[String]) -> Result<(), ChartError> {
    let mut opts = ValueOptions::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().unwrap().clone();
        match a.as_str() {
            "--set" => opts.values.push(v),
            "--set-json" => opts.json_values.push(v),
            other => panic!("unsupported {other}"),
        }
    }
    let user = hoist_chart::merge_values(&opts)?;
    let mut chart = load(dir(case))?;
    hoist_chart::process_dependencies(&mut chart, &user)?;
    hoist_chart::coalesce_values(&chart, &user)?;
    Ok(())
}

#[test]
fn errors_match_helm() {
    let data: J = serde_json::from_str(include_str!("data/errcharts/expected.json")).unwrap();
    let mut failures = Vec::new();
    // The SDK loads with the v2 loader directly; the CLI's loader first decodes apiVersion into
    // `loader.chartBase` (see cli_level_checks).
    let cli_only = [
        "bad-api-version",
        "kube-version",
        "library",
        "missing-dependency",
        "chart-yaml-list",
    ];
    for (case, exp) in data["cases"].as_object().unwrap() {
        if cli_only.contains(&case.as_str()) {
            continue;
        }
        let args = common::strings(&exp["args"]);
        let got = sdk_pipeline(case, &args)
            .err()
            .map(|e| format!("Error: {e}"));
        let want = exp["error"].as_str().map(String::from);
        if got != want {
            failures.push(format!("{case}: got {got:?}\n  want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cli_level_checks() {
    // pkg/chart/loader/load.go, pkg/action/action.go, pkg/cmd/install.go, pkg/action/install.go.
    assert_eq!(
        load(dir("bad-api-version")).unwrap_err().to_string(),
        "unsupported chart version"
    );
    let c = load(dir("kube-version")).unwrap();
    assert_eq!(
        hoist_chart::check_kube_version(&c, "v1.36.0", "v1.36.0")
            .unwrap_err()
            .to_string(),
        "chart requires kubeVersion: <1.20.0 which is incompatible with Kubernetes v1.36.0"
    );
    assert!(hoist_chart::check_kube_version(&c, "v1.19.0", "v1.19.0").is_ok());
    let c = load(dir("library")).unwrap();
    assert_eq!(
        hoist_chart::check_installable(&c).unwrap_err().to_string(),
        "library charts are not installable"
    );
    let c = load(dir("missing-dependency")).unwrap();
    assert_eq!(
        hoist_chart::check_dependencies(&c).unwrap_err().to_string(),
        "found in Chart.yaml, but missing in charts/ directory: sub"
    );
    // .helmignore applies to directories: values.yaml ignored, so no defaults.
    let c = load(dir("helmignore-ignores-values")).unwrap();
    assert!(c.values.is_empty());
    assert!(c.files.iter().any(|f| f.name == ".helmignore"));
    // charts/_x and charts/.y are skipped; charts/z.prov is a File.
    let c = load(dir("skipped-subchart-dirs")).unwrap();
    assert!(c.dependencies.is_empty());
    assert!(c.files.iter().any(|f| f.name == "charts/z.prov"));
    assert_eq!(
        load(dir("chart-yaml-list")).unwrap_err().to_string(),
        "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type loader.chartBase"
    );
    // version: 1.10 (a YAML float) becomes "1.1", as sigs.k8s.io/yaml formats it (oracle output).
    let data: J = serde_json::from_str(include_str!("data/errcharts/expected.json")).unwrap();
    let out = data["cases"]["version-float"]["output"]["c/templates/a.yaml"]
        .as_str()
        .unwrap();
    let c = load(dir("version-float")).unwrap();
    assert_eq!(out, format!("v: {}\n", c.metadata.version));
    assert!(Path::new(&dir("version-float")).exists());
}
