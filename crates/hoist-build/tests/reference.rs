//! Reference normalisation against containers/image's test tables
//! (tests/data/reference/normalize.tsv).

use hoist_build::reference::parse_normalized_named;

#[test]
fn containers_image_normalize_table() {
    let text = include_str!("data/reference/normalize.tsv");
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let got = parse_normalized_named(f[0]);
        if f[1] == "ERR" {
            assert!(got.is_err(), "{}: expected an error, got {got:?}", f[0]);
        } else {
            let r = got.unwrap_or_else(|e| panic!("{}: {e}", f[0]));
            assert_eq!(
                (r.domain.as_str(), r.path.as_str(), r.full()),
                (f[1], f[2], f[3].to_string()),
                "{}",
                f[0]
            );
        }
        n += 1;
    }
    assert!(n > 50);
}

#[test]
fn sealos_form_drops_digest_when_tagged() {
    let d = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    let r = parse_normalized_named(&format!("busybox:1@{d}")).unwrap();
    assert_eq!(r.sealos_form(), "docker.io/library/busybox:1");
    let r = parse_normalized_named(&format!("busybox@{d}")).unwrap();
    assert_eq!(r.sealos_form(), format!("docker.io/library/busybox@{d}"));
}
