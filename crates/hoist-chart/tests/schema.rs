//! values.schema.json validation against Helm's CLI goldens (helm/helm v4.2.3
//! pkg/cmd/install_test.go cases; /work/shared/corpus/helm-testdata/output/schema*.txt,
//! subchart-schema*.txt). Skipped when the shared corpus is absent.

use hoist_chart::{ValueOptions, load};
use std::path::Path;

const TD: &str = "/work/shared/corpus/helm-testdata";

/// install's value pipeline: merge flags, load, process dependencies, coalesce, validate.
fn install(chart: &str, files: &[&str], sets: &[&str]) -> Result<(), String> {
    let opts = ValueOptions {
        value_files: files.iter().map(|f| format!("{TD}/{f}")).collect(),
        values: sets.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let user = hoist_chart::merge_values(&opts).map_err(|e| e.to_string())?;
    let mut c = load(format!("{TD}/testcharts/{chart}")).map_err(|e| e.to_string())?;
    hoist_chart::process_dependencies(&mut c, &user).map_err(|e| e.to_string())?;
    let vals = hoist_chart::coalesce_values(&c, &user).map_err(|e| e.to_string())?;
    hoist_chart::validate_against_schema(&c, &vals)
        .map_err(|e| format!("{}{e}", hoist_chart::SCHEMA_ERROR_PREFIX))
}

fn golden(name: &str) -> String {
    let g = std::fs::read_to_string(format!("{TD}/output/{name}")).unwrap();
    let g = g.strip_prefix("Error: INSTALLATION FAILED: ").unwrap();
    g.strip_suffix('\n').unwrap().to_string()
}

#[test]
fn schema_goldens() {
    if !Path::new(TD).is_dir() {
        eprintln!("skipped: {TD} is absent");
        return;
    }
    install("chart-with-schema", &[], &[]).unwrap();
    assert_eq!(
        install("chart-with-schema-negative", &[], &[]).unwrap_err(),
        golden("schema-negative.txt")
    );
    assert_eq!(
        install(
            "chart-with-schema",
            &["testcharts/chart-with-schema/extra-values.yaml"],
            &[]
        )
        .unwrap_err(),
        golden("schema-negative.txt")
    );
    assert_eq!(
        install("chart-with-schema", &[], &["age=-5"]).unwrap_err(),
        golden("schema-negative-cli.txt")
    );
    assert_eq!(
        install("chart-with-schema-and-subchart", &[], &[]).unwrap_err(),
        golden("subchart-schema-negative.txt")
    );
    install(
        "chart-with-schema-and-subchart",
        &[],
        &["lastname=doe", "subchart-with-schema.age=25"],
    )
    .unwrap();
    assert_eq!(
        install(
            "chart-with-schema-and-subchart",
            &[],
            &["lastname=doe", "subchart-with-schema.age=-25"],
        )
        .unwrap_err(),
        golden("subchart-schema-cli-negative.txt")
    );
}

/// Keyword messages against real Helm (tests/data/schema, made by tests/gen/schema_oracle.py).
#[test]
fn schema_keyword_messages() {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("data/schema/expected.json")).unwrap();
    let mut failures = Vec::new();
    for (case, want) in data["cases"].as_object().unwrap() {
        let dir = format!("{}/tests/data/schema/{case}", env!("CARGO_MANIFEST_DIR"));
        let c = load(&dir).unwrap();
        let user = hoist_gotmpl::Value::Nil;
        let vals = hoist_chart::coalesce_values(&c, &user).unwrap();
        let got = hoist_chart::validate_against_schema(&c, &vals)
            .err()
            .map(|e| format!("{}{e}\n", hoist_chart::SCHEMA_ERROR_PREFIX));
        let want = want.as_str().map(String::from);
        if got != want {
            failures.push(format!("{case}:\n got {got:?}\nwant {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
