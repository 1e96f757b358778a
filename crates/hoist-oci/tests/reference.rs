//! Reference parsing against tables transcribed from distribution/reference and from its fork in
//! containers/image (which sealos vendors for image discovery).

use hoist_oci::reference::Reference;

#[test]
fn upstream_tables() {
    let data = include_str!("data/reference_upstream.txt");
    let mut n = 0;
    for line in data
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (kind, rest) = line.split_once(' ').unwrap();
        let f: Vec<&str> = rest.split(" | ").collect();
        match kind {
            "valid" => {
                Reference::parse_name_only(f[0]).unwrap_or_else(|e| panic!("{}: {e}", f[0]));
            }
            "invalid" => {
                assert!(Reference::parse_name_only(f[0]).is_err(), "{} parsed", f[0]);
            }
            "info" => {
                let r = Reference::parse_name_only(f[0]).unwrap();
                assert_eq!(r.to_string(), f[1], "{}", f[0]);
                assert_eq!(r.familiar(), f[2], "{}", f[0]);
                assert_eq!(r.domain(), f[3], "{}", f[0]);
                assert_eq!(r.repository_without_domain(), f[4], "{}", f[0]);
            }
            "string" => {
                let r = Reference::parse_name_only(f[0]).unwrap();
                assert_eq!(r.to_string(), f[1], "{}", f[0]);
                assert_eq!(r.familiar(), f[2], "{}", f[0]);
            }
            _ => panic!("bad line {line}"),
        }
        n += 1;
    }
    assert!(n > 80);
}

#[test]
fn containers_image_normalize_table() {
    let text = include_str!("data/reference_containers_image.tsv");
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let got = Reference::parse_name_only(f[0]);
        if f[1] == "ERR" {
            assert!(got.is_err(), "{}: expected an error, got {got:?}", f[0]);
        } else {
            let r = got.unwrap_or_else(|e| panic!("{}: {e}", f[0]));
            assert_eq!(
                (r.domain(), r.repository_without_domain(), r.to_string()),
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
fn default_tag_and_accessors() {
    let r = Reference::parse("nginx").unwrap();
    assert_eq!(r.to_string(), "docker.io/library/nginx:latest");
    assert_eq!(r.familiar(), "nginx:latest");
    assert_eq!(r.tag(), Some("latest"));
    assert_eq!(r.digest(), None);
    let r = Reference::parse("user/app:1").unwrap();
    assert_eq!(r.to_string(), "docker.io/user/app:1");
    let r = Reference::parse("host:5000/a/b:t").unwrap();
    assert_eq!(r.domain(), "host:5000");
    assert_eq!(r.repository_without_domain(), "a/b");
    assert_eq!(r.repository(), "host:5000/a/b");
    assert_eq!(r.tag(), Some("t"));
    let r = Reference::parse("localhost/x").unwrap();
    assert_eq!(r.to_string(), "localhost/x:latest");
    let d = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    let r = Reference::parse(&format!("name@{d}")).unwrap();
    assert_eq!(r.tag(), None);
    assert_eq!(r.digest(), Some(d));
    assert_eq!(r.to_string(), format!("docker.io/library/name@{d}"));
    let r = Reference::parse(&format!("name:v1@{d}")).unwrap();
    assert_eq!(r.tag(), Some("v1"));
    assert_eq!(r.digest(), Some(d));
}

#[test]
fn errors_name_the_input() {
    for bad in ["Foo/Bar:x", "a b", "x:-t", "nginx@sha256:abc", ""] {
        let e = Reference::parse(bad).unwrap_err().to_string();
        assert!(e.contains("invalid"), "{e}");
        if !bad.is_empty() {
            assert!(e.contains(bad) || e.contains("Bar"), "{bad}: {e}");
        }
    }
}

/// From distribution/reference normalize_test.go TestInvalidReferenceComponents.
#[test]
fn invalid_components() {
    assert!(Reference::parse_name_only("-foo").is_err());
    let r = Reference::parse_name_only("busybox").unwrap();
    assert!(r.with_tag("-foo").is_err());
    assert!(r.with_digest("foo").is_err());
    let t = r.with_tag("1.36").unwrap();
    assert_eq!(t.to_string(), "docker.io/library/busybox:1.36");
    let d = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    assert_eq!(
        t.with_digest(d).unwrap().to_string(),
        format!("docker.io/library/busybox@{d}")
    );
    let p = Reference::from_parts("registry.local:5000", "a/b", Some("t"), None).unwrap();
    assert_eq!(p.to_string(), "registry.local:5000/a/b:t");
    assert_eq!(p.familiar(), "registry.local:5000/a/b:t");
    assert!(Reference::from_parts("docker.io", "Bad", None, None).is_err());
}
