//! Plan cases in tests/data/plans (see SOURCE.txt there).

use std::path::{Path, PathBuf};

use hoist_build::{Plan, PlanOptions, Platform};

#[test]
fn plan_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/plans");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "SOURCE.txt")
        .collect();
    files.sort();
    let opts = PlanOptions {
        build_args: vec![
            ("NAME".into(), Some("fromcli".into())),
            ("UNDECLARED".into(), Some("x".into())),
        ],
        labels: vec![],
        platform: Platform::parse("linux/amd64").unwrap(),
    };
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let (src, want) = text.split_once("----\n").unwrap();
        let name = PathBuf::from(f.file_name().unwrap());
        let got = match Plan::from_files(&[(name, src.to_string())], &opts) {
            Ok(p) => p.to_string(),
            Err(e) => format!("error: {e}\n"),
        };
        if got != want {
            failures.push(format!("{}:\n--- want\n{want}--- got\n{got}", f.display()));
        }
    }
    assert!(files.len() >= 10);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn config_changes_follow_imagebuilder() {
    let src = "FROM scratch\nCMD [\"a\"]\nENTRYPOINT [\"e\"]\nENV A=1 B=2\nENV A=3\n";
    let p = Plan::from_files(&[("K".into(), src.into())], &PlanOptions::default()).unwrap();
    let c = p.config_changes();
    // CMD set explicitly in this file survives a later ENTRYPOINT (CmdSet).
    assert_eq!(c.cmd, Some(Some(vec!["a".to_string()])));
    assert_eq!(c.entrypoint, Some(Some(vec!["e".to_string()])));
    assert_eq!(c.env, vec!["A=3".to_string(), "B=2".to_string()]);
    let src = "FROM base\nENTRYPOINT e x\n";
    let p = Plan::from_files(&[("K".into(), src.into())], &PlanOptions::default()).unwrap();
    let c = p.config_changes();
    // ENTRYPOINT without CMD in this file clears the base's CMD.
    assert_eq!(c.cmd, Some(None));
    assert_eq!(
        c.entrypoint,
        Some(Some(vec!["/bin/sh".into(), "-c".into(), "e x".into()]))
    );
}
