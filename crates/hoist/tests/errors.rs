//! Charts Helm refuses: hoist must print Helm's exact error on stderr and exit 1.
//!
//! `tests/data/errors.json` holds each chart and the stderr of real Helm v4.2.3, made by
//! `tests/gen/errors.py` with the oracle. Helm's own goldens add the CLI-only checks (missing
//! dependencies, an unparsable Chart.yaml in a dependency, invalid YAML output).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value as Json;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hoist-errors-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hoist(cwd: &Path, args: &[String]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hoist"))
        .current_dir(cwd)
        .args(["chart", "template"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn refused_charts_print_helms_error() {
    let cases: Vec<Json> = serde_json::from_str(include_str!("data/errors.json")).unwrap();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().unwrap();
        let dir = scratch(&i.to_string());
        let chart = dir.join("err");
        for (path, text) in case["files"].as_object().unwrap() {
            let p = chart.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text.as_str().unwrap()).unwrap();
        }
        let chart_str = chart.to_str().unwrap();
        let mut args = vec![chart_str.to_string()];
        for a in case["args"].as_array().unwrap() {
            args.push(a.as_str().unwrap().replace("{chart}", chart_str));
        }
        let (code, stdout, stderr) = hoist(&dir, &args);
        let want = case["stderr"]
            .as_str()
            .unwrap()
            .replace("{chart}", chart_str);
        if code != 1 || stderr != want || !stdout.is_empty() {
            failures.push(format!(
                "{name}: exit {code}\n--- want stderr\n{want}--- got stderr\n{stderr}--- stdout\n{stdout}"
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "{} of {} refused charts give Helm's error",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `helm template` checks Chart.yaml's kubeVersion before rendering; the oracle (Helm's SDK)
/// skips that check, so the text comes from Helm's source (`pkg/action/action.go`
/// renderResources), with the `--debug` hint `pkg/cmd/template.go` adds once a release exists.
#[test]
fn incompatible_kube_version_is_refused() {
    let dir = scratch("kubeversion");
    let chart = dir.join("kv");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: kv\nversion: 0.1.0\nkubeVersion: \"< 1.24.0-0\"\n",
    )
    .unwrap();
    std::fs::write(chart.join("templates/a.yaml"), "a: 1\n").unwrap();
    let (code, stdout, stderr) = hoist(&dir, &["kv".to_string()]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "Error: chart requires kubeVersion: < 1.24.0-0 which is incompatible with Kubernetes v1.36.0\n\nUse --debug flag to render out invalid YAML\n"
    );
    let (code, stdout, _) = hoist(
        &dir,
        &["kv".to_string(), "--kube-version".into(), "1.23.4".into()],
    );
    assert_eq!(code, 0);
    assert_eq!(stdout, "---\n# Source: kv/templates/a.yaml\na: 1\n");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A library chart cannot be templated (`pkg/cmd/install.go` checkIfInstallable; the SDK entry
/// point the oracle uses renders it instead).
#[test]
fn library_chart_is_refused() {
    let dir = scratch("library");
    let chart = dir.join("lib");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/_h.tpl"),
        "{{ define \"x\" }}x{{ end }}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = hoist(&dir, &["lib".to_string()]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(stderr, "Error: library charts are not installable\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_only_errors_match_helms_goldens() {
    let corpus = std::env::var_os("HOIST_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    let data = corpus.join("helm-testdata");
    if !data.is_dir() {
        println!(
            "skipped: no Helm corpus at {} (set HOIST_CORPUS)",
            corpus.display()
        );
        return;
    }
    // (chart, golden): the upgrade goldens print the same dependency errors as template.
    let cases = [
        (
            "testcharts/chart-missing-deps",
            "output/upgrade-with-missing-dependencies.txt",
        ),
        (
            "testcharts/chart-bad-requirements",
            "output/upgrade-with-bad-dependencies.txt",
        ),
    ];
    for (chart, golden) in cases {
        let want = std::fs::read_to_string(data.join(golden)).unwrap();
        let (code, stdout, stderr) = hoist(&data, &[chart.to_string()]);
        assert_eq!(code, 1, "{chart}");
        assert_eq!(stdout, "", "{chart}");
        assert_eq!(stderr, want, "{chart}");
    }
}
