//! .helmignore and filepath.Match tables transcribed from upstream (see the data files' headers).

use hoist_chart::ignore::{IgnoreError, Rules, glob_match};

fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
        .collect()
}

#[test]
fn filepath_match_table() {
    let mut n = 0;
    for r in rows(include_str!("data/filepath_match.tsv")) {
        let got = match glob_match(r[0], r[1]) {
            Ok(true) => "true",
            Ok(false) => "false",
            Err(_) => "err",
        };
        assert_eq!(got, r[2], "Match({:?}, {:?})", r[0], r[1]);
        n += 1;
    }
    assert_eq!(n, 56);
}

#[test]
fn helmignore_table() {
    for r in rows(include_str!("data/helmignore_rules.tsv")) {
        let rules = Rules::parse(r[0].as_bytes()).unwrap();
        let is_dir = r[2] == "true";
        assert_eq!(
            rules.ignore(r[1], is_dir),
            r[3] == "true",
            "pattern {:?} name {:?}",
            r[0],
            r[1]
        );
    }
}

// pkg/ignore/rules_test.go TestParse / TestParseFail / TestAddDefaults.
#[test]
fn helmignore_parse() {
    let rules =
        Rules::parse(b"#ignore\n\n\t#ignore\nfoo\nbar/*\nbaz/bar/foo.txt\n\none/more\n").unwrap();
    let raw: Vec<&str> = rules.raw_patterns().collect();
    assert_eq!(raw, ["foo", "bar/*", "baz/bar/foo.txt", "one/more"]);
    assert_eq!(
        Rules::parse(b"foo/**/bar").unwrap_err(),
        IgnoreError::DoubleStar
    );
    assert_eq!(Rules::parse(b"[z-").unwrap_err(), IgnoreError::BadPattern);
    let mut r = Rules::empty();
    r.add_defaults();
    assert_eq!(r.raw_patterns().count(), 1);
}
