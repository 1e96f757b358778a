//! Go `path.Match` table (tests/data/glob/go_path_match.tsv).

use hoist_build::glob::{BadPattern, go_match};

#[test]
fn go_path_match_table() {
    let text = include_str!("data/glob/go_path_match.tsv");
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let got = go_match(f[0], f[1]);
        let want = match f[2] {
            "ERR" => Err(BadPattern),
            "true" => Ok(true),
            _ => Ok(false),
        };
        assert_eq!(got, want, "Match({:?}, {:?})", f[0], f[1]);
        n += 1;
    }
    assert_eq!(n, 56);
}
