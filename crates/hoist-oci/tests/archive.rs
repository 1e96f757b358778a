//! save/load round trips, and interoperability with skopeo (skipped with a reason when absent).

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use hoist_oci::archive::{ArchiveFormat, load, save};
use hoist_oci::image::Config;
use hoist_oci::{Digest, Reference, Store};

fn skopeo() -> bool {
    let ok = Command::new("skopeo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("skipping: skopeo is not installed");
    }
    ok
}

fn run(args: &[&str]) -> Vec<u8> {
    let out = Command::new("skopeo")
        .args(["--insecure-policy"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

fn sample() -> Built {
    build_image(
        &[
            tar_of(&[("etc/hello", b"hello\n")]),
            tar_of(&[("bin/tool", b"#!/bin/sh\n")]),
        ],
        &[("io.sealos.test", "yes"), ("version", "v1")],
    )
}

#[test]
fn roundtrip_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("s")).unwrap();
    let img = sample();
    let r = store_image(&s, &img, "example.com/team/app:v1");
    let r2 = Reference::parse("app:2").unwrap();
    s.tag(&r2, &img.manifest_digest).unwrap();
    for (fmt, name) in [
        (ArchiveFormat::OciArchive, "o.tar"),
        (ArchiveFormat::DockerArchive, "d.tar"),
    ] {
        let path = dir.path().join(name);
        save(&s, &[r.clone(), r2.clone()], &path, fmt).unwrap();
        let t = Store::open(dir.path().join(format!("t-{name}"))).unwrap();
        let loaded = load(&t, &path).unwrap();
        let names: Vec<String> = loaded.iter().map(|l| l.reference.to_string()).collect();
        assert_eq!(
            names,
            ["example.com/team/app:v1", "docker.io/library/app:2"],
            "{name}"
        );
        let info = t.resolve(&r).unwrap();
        assert_eq!(info.config, img.config, "{name}");
        if fmt == ArchiveFormat::OciArchive {
            assert_eq!(info.digest, img.manifest_digest);
        }
        // the layers unpack to the same files
        let root = dir.path().join(format!("root-{name}"));
        hoist_oci::unpack::unpack_image(&t, &r, &root).unwrap();
        assert_eq!(std::fs::read(root.join("etc/hello")).unwrap(), b"hello\n");
    }
    // saving the same input twice gives the same bytes
    let a = dir.path().join("a.tar");
    let b = dir.path().join("b.tar");
    save(
        &s,
        std::slice::from_ref(&r),
        &a,
        ArchiveFormat::DockerArchive,
    )
    .unwrap();
    save(
        &s,
        std::slice::from_ref(&r),
        &b,
        ArchiveFormat::DockerArchive,
    )
    .unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn refuses_bad_archives() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("s")).unwrap();
    let junk = dir.path().join("junk.tar");
    std::fs::write(&junk, tar_of(&[("hello", b"x")])).unwrap();
    assert!(load(&s, &junk).is_err());
    // docker-archive whose layer does not match its diff_id
    let img = sample();
    let r = store_image(&s, &img, "x:1");
    let good = dir.path().join("good.tar");
    save(&s, &[r], &good, ArchiveFormat::DockerArchive).unwrap();
    let mut a = tar::Archive::new(std::fs::File::open(&good).unwrap());
    let mut files = Vec::new();
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().display().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        if name.ends_with(".tar") {
            data = tar_of(&[("other", b"y")]);
        }
        files.push((name, data));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let bad = dir.path().join("bad.tar");
    std::fs::write(&bad, tar_of(&refs)).unwrap();
    let t = Store::open(dir.path().join("t")).unwrap();
    let e = load(&t, &bad).unwrap_err().to_string();
    assert!(e.contains("diff_id"), "{e}");
    assert!(t.list().unwrap().is_empty());
}

#[test]
fn skopeo_reads_hoist_archives() {
    if !skopeo() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("s")).unwrap();
    let img = sample();
    let r = store_image(&s, &img, "example.com/team/app:v1");

    let oa = dir.path().join("o.tar");
    save(&s, std::slice::from_ref(&r), &oa, ArchiveFormat::OciArchive).unwrap();
    let out = dir.path().join("out-oci");
    run(&[
        "copy",
        &format!("oci-archive:{}", p(&oa)),
        &format!("oci:{}:x", p(&out)),
    ]);
    let raw = run(&["inspect", "--raw", &format!("oci:{}:x", p(&out))]);
    assert_eq!(Digest::of(&raw), img.manifest_digest);
    let cfg = run(&[
        "inspect",
        "--config",
        "--raw",
        &format!("oci:{}:x", p(&out)),
    ]);
    assert_eq!(cfg, img.config);

    let da = dir.path().join("d.tar");
    save(
        &s,
        std::slice::from_ref(&r),
        &da,
        ArchiveFormat::DockerArchive,
    )
    .unwrap();
    let out = dir.path().join("out-docker");
    run(&[
        "copy",
        &format!("docker-archive:{}", p(&da)),
        &format!("oci:{}:y", p(&out)),
    ]);
    let cfg = run(&[
        "inspect",
        "--config",
        "--raw",
        &format!("oci:{}:y", p(&out)),
    ]);
    // Converting to OCI makes skopeo re-serialise the config: compare its content.
    let c = Config::parse(&cfg, "skopeo").unwrap();
    let ours = Config::parse(&img.config, "ours").unwrap();
    assert_eq!(c.labels()["io.sealos.test"], "yes");
    assert_eq!(c.diff_ids(), ours.diff_ids());
    // Read directly, the archive's config bytes are ours exactly.
    let da_ref = format!("docker-archive:{}", p(&da));
    let cfg = run(&["inspect", "--config", "--raw", &da_ref]);
    assert_eq!(cfg, img.config);
    let raw = run(&["inspect", "--raw", &da_ref]);
    let m: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(m["config"]["digest"], Digest::of(&img.config).to_string());
    let raw = run(&["inspect", "--raw", &format!("oci:{}:y", p(&out))]);
    let m: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(m["layers"].as_array().unwrap().len(), 2);
    // skopeo sees the name we wrote
    let info = run(&["inspect", &format!("docker-archive:{}", p(&da))]);
    let v: serde_json::Value = serde_json::from_slice(&info).unwrap();
    assert_eq!(v["Labels"]["version"], "v1");
}

#[test]
fn hoist_loads_skopeo_archives() {
    if !skopeo() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sample();
    let lay = dir.path().join("layout");
    write_layout(&lay, &img, "v1");
    let src = format!("oci:{}:v1", p(&lay));

    let oa = dir.path().join("sk-oci.tar");
    run(&[
        "copy",
        &src,
        &format!("oci-archive:{}:example.com/a/b:v2", p(&oa)),
    ]);
    let s = Store::open(dir.path().join("s")).unwrap();
    let loaded = load(&s, &oa).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].reference.to_string(), "example.com/a/b:v2");
    assert_eq!(loaded[0].digest, img.manifest_digest);

    let da = dir.path().join("sk-docker.tar");
    run(&[
        "copy",
        &src,
        &format!("docker-archive:{}:example.com/c/d:v3", p(&da)),
    ]);
    let loaded = load(&s, &da).unwrap();
    assert_eq!(loaded.len(), 1);
    let r = Reference::parse("example.com/c/d:v3").unwrap();
    assert_eq!(loaded[0].reference, r);
    let info = s.resolve(&r).unwrap();
    let c = Config::parse(&info.config, "x").unwrap();
    assert_eq!(c.labels()["io.sealos.test"], "yes");
    let root = dir.path().join("root");
    hoist_oci::unpack::unpack_image(&s, &r, &root).unwrap();
    assert_eq!(
        std::fs::read(root.join("bin/tool")).unwrap(),
        b"#!/bin/sh\n"
    );

    // a plain layout directory loads too; its bare ref name gets a localhost/ repository
    let loaded = load(&s, &lay).unwrap();
    assert_eq!(loaded[0].reference.to_string(), "localhost/layout:v1");
}

#[test]
fn zstd_layers_from_skopeo_unpack() {
    if !skopeo() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sample();
    let lay = dir.path().join("layout");
    write_layout(&lay, &img, "v1");
    let z = dir.path().join("zlay");
    run(&[
        "copy",
        "--dest-compress-format",
        "zstd",
        &format!("oci:{}:v1", p(&lay)),
        &format!("oci:{}:example.com/z/img:v1", p(&z)),
    ]);
    let raw = run(&[
        "inspect",
        "--raw",
        &format!("oci:{}:example.com/z/img:v1", p(&z)),
    ]);
    assert!(String::from_utf8_lossy(&raw).contains("tar+zstd"));
    let s = Store::open(dir.path().join("s")).unwrap();
    let loaded = load(&s, &z).unwrap();
    assert_eq!(loaded[0].reference.to_string(), "example.com/z/img:v1");
    let root = dir.path().join("root");
    hoist_oci::unpack::unpack_image(&s, &loaded[0].reference, &root).unwrap();
    assert_eq!(std::fs::read(root.join("etc/hello")).unwrap(), b"hello\n");
    // and docker-archive output decompresses zstd layers back to diff_ids
    let da = dir.path().join("d.tar");
    save(
        &s,
        std::slice::from_ref(&loaded[0].reference),
        &da,
        ArchiveFormat::DockerArchive,
    )
    .unwrap();
    let cfg = run(&[
        "inspect",
        "--config",
        "--raw",
        &format!("docker-archive:{}", p(&da)),
    ]);
    assert_eq!(
        Config::parse(&cfg, "x").unwrap().diff_ids(),
        Config::parse(&img.config, "y").unwrap().diff_ids()
    );
}
