//! buildkit's parser conformance files (tests/data/buildkit-parser/SOURCE.txt): our line
//! splitting, continuations, directives, flags and argument parsers must give buildkit's dump.

use std::path::Path;

use hoist_build::kubefile::{dump, parse_text};

#[test]
fn buildkit_parser_testfiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/buildkit-parser");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for d in &dirs {
        let text = std::fs::read_to_string(d.join("Dockerfile")).unwrap();
        let want = std::fs::read_to_string(d.join("result")).unwrap();
        let got = match parse_text(&d.join("Dockerfile"), &text) {
            Ok(raws) => raws
                .iter()
                .map(|r| dump(r).map(|s| format!("({s})\n")))
                .collect::<Result<String, String>>()
                .unwrap_or_else(|e| format!("error: {e}")),
            Err(e) => format!("error: {e}"),
        };
        if got != want {
            failures.push(format!("{}:\n--- want\n{want}--- got\n{got}", d.display()));
        }
    }
    assert!(dirs.len() >= 25);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
