//! Expansion tables transcribed from upstream (see the data files' headers).

use hoist_build::shell::process_word;

#[test]
fn imagebuilder_process_word_table() {
    let text = include_str!("data/shell/imagebuilder_process_word.tsv");
    let env: Vec<String> = ["EDITOR=vim", "FOUREYES=iiii", "XMODIFIERS=@im=ibus"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad line {line:?}");
        let got = process_word(f[0], &env);
        if f[2] == "true" {
            assert!(got.is_err(), "{}: expected an error, got {got:?}", f[0]);
        } else {
            assert_eq!(got.as_deref(), Ok(f[1]), "{}", f[0]);
        }
        n += 1;
    }
    assert_eq!(n, 33);
}
