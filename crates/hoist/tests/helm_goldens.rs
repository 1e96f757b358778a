//! Helm's own `helm template` goldens (helm/helm v4.2.3 `pkg/cmd/testdata`), run against hoist.
//!
//! The corpus lives outside the repository (`../shared/corpus`, or `HOIST_CORPUS`); without it the
//! test prints why and passes. Helm's harness renders with test capabilities (Kubernetes v1.20.0,
//! Helm v4.2) and one buffer for stdout and stderr; hoist gets the same through its compatibility
//! environment variables.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("HOIST_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    dir.join("helm-testdata").is_dir().then_some(dir)
}

/// Splits a command line into words: spaces separate, single quotes group.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            ' ' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            _ => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

#[test]
fn helm_template_goldens() {
    let Some(corpus) = corpus() else {
        println!("skipped: no Helm corpus at ../shared/corpus (set HOIST_CORPUS)");
        return;
    };
    let work = std::env::temp_dir().join(format!("hoist-goldens-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    std::os::unix::fs::symlink(corpus.join("helm-testdata"), work.join("testdata")).unwrap();

    let cases = include_str!("data/helm-template-cases.tsv");
    let mut failures = Vec::new();
    let mut total = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.splitn(3, '\t').collect();
        let (want_error, golden, args) = (
            cols[0] == "true",
            cols[1],
            cols.get(2).copied().unwrap_or(""),
        );
        total += 1;
        let out_path = work.join("out.txt");
        let out = File::create(&out_path).unwrap();
        let status = Command::new(env!("CARGO_BIN_EXE_hoist"))
            .current_dir(&work)
            .args(["chart", "template"])
            .args(shell_words(args))
            .env("HOIST_DEFAULT_KUBE_VERSION", "v1.20.0")
            .env("HOIST_HELM_VERSION", "v4.2")
            .env("HOIST_HELM_GO_VERSION", "")
            .env("HOIST_HELM_KUBE_CLIENT_VERSION", "v1.20")
            .env("HOIST_NOW", "1977-09-02T22:04:05Z")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .status()
            .unwrap();
        let got = std::fs::read_to_string(&out_path).unwrap();
        let want = std::fs::read_to_string(corpus.join("helm-testdata").join(golden)).unwrap();
        if status.success() == want_error || got != want {
            failures.push(format!(
                "template {args}\n  golden {golden}, exit {status}\n--- want\n{want}\n--- got\n{got}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    println!(
        "{} of {total} Helm template goldens identical",
        total - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
