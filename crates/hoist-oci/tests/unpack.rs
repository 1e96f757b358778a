//! Layer extraction: whiteouts, and hand-made malicious tars.

mod common;

use std::path::Path;

use common::*;
use hoist_oci::Store;
use hoist_oci::unpack::{UnpackError, unpack_image, unpack_layer};

enum E<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Sym(&'a str, &'a str),
    Hard(&'a str, &'a str),
}

/// Writes raw names into headers so that `..` and absolute paths get through.
fn raw_tar(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_old();
        let (name, data, kind, link): (&str, &[u8], _, Option<&str>) = match e {
            E::File(n, d) => (n, d, tar::EntryType::Regular, None),
            E::Dir(n) => (n, &[], tar::EntryType::Directory, None),
            E::Sym(n, l) => (n, &[], tar::EntryType::Symlink, Some(l)),
            E::Hard(n, l) => (n, &[], tar::EntryType::Link, Some(l)),
        };
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(l) = link {
            old.linkname[..l.len()].copy_from_slice(l.as_bytes());
        }
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(if matches!(kind, tar::EntryType::Directory) {
            0o755
        } else {
            0o644
        });
        h.set_mtime(0);
        h.set_cksum();
        b.append(&h, data).unwrap();
    }
    b.into_inner().unwrap()
}

fn refused(tar: &[u8], entry: &str) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("root");
    let err = unpack_layer(tar, "sha256:feed", &target).unwrap_err();
    match &err {
        UnpackError::Unsafe {
            layer, entry: e, ..
        } => {
            assert_eq!(layer, "sha256:feed");
            assert_eq!(e, entry);
        }
        e => panic!("unexpected {e}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("sha256:feed") && msg.contains(entry), "{msg}");
    assert!(!dir.path().join("evil").exists(), "escaped");
}

#[test]
fn refuses_parent_dir() {
    refused(&raw_tar(&[E::File("../evil", b"x")]), "../evil");
    refused(&raw_tar(&[E::File("a/../../evil", b"x")]), "a/../../evil");
}

#[test]
fn refuses_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let abs = format!("{}/evil", dir.path().display());
    let tar = raw_tar(&[E::File(&abs, b"x")]);
    let err = unpack_layer(tar.as_slice(), "sha256:feed", &dir.path().join("root")).unwrap_err();
    assert!(matches!(err, UnpackError::Unsafe { .. }), "{err}");
    assert!(!dir.path().join("evil").exists());
}

#[test]
fn refuses_write_through_escaping_symlink() {
    // relative symlink out of the tree, then a file through it
    refused(
        &raw_tar(&[E::Sym("link", ".."), E::File("link/evil", b"x")]),
        "link/evil",
    );
    refused(
        &raw_tar(&[
            E::Dir("d"),
            E::Sym("d/up", "../.."),
            E::File("d/up/evil", b"x"),
        ]),
        "d/up/evil",
    );
    // absolute symlink
    refused(
        &raw_tar(&[E::Sym("abs", "/tmp"), E::File("abs/evil", b"x")]),
        "abs/evil",
    );
    // hard link to a file outside
    refused(&raw_tar(&[E::Hard("h", "../evil")]), "h");
    refused(&raw_tar(&[E::Sym("l", ".."), E::Hard("h", "l/evil")]), "h");
}

#[test]
fn symlink_file_is_replaced_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("evil");
    std::fs::write(&outside, b"keep").unwrap();
    let tar = raw_tar(&[E::Sym("f", outside.to_str().unwrap()), E::File("f", b"new")]);
    let target = dir.path().join("root");
    unpack_layer(tar.as_slice(), "sha256:feed", &target).unwrap();
    assert_eq!(std::fs::read(&outside).unwrap(), b"keep");
    assert_eq!(std::fs::read(target.join("f")).unwrap(), b"new");
}

#[test]
fn inner_symlinks_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let tar = raw_tar(&[
        E::Dir("usr/"),
        E::Dir("usr/lib/"),
        E::Sym("lib", "usr/lib"),
        E::File("lib/x.so", b"so"),
        E::Hard("lib/y.so", "usr/lib/x.so"),
    ]);
    let t = dir.path().join("r");
    unpack_layer(tar.as_slice(), "sha256:1", &t).unwrap();
    assert_eq!(std::fs::read(t.join("usr/lib/x.so")).unwrap(), b"so");
    assert_eq!(std::fs::read(t.join("usr/lib/y.so")).unwrap(), b"so");
}

fn ls(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = walk(p, p);
    v.sort();
    v
}

fn walk(root: &Path, p: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        let path = e.unwrap().path();
        out.push(path.strip_prefix(root).unwrap().display().to_string());
        if path.is_dir() && !path.is_symlink() {
            out.extend(walk(root, &path));
        }
    }
    out
}

#[test]
fn whiteouts_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("s")).unwrap();
    let l1 = raw_tar(&[
        E::Dir("etc/"),
        E::File("etc/a", b"a"),
        E::File("etc/b", b"b"),
        E::Dir("opt/"),
        E::File("opt/old", b"o"),
        E::Dir("opt/sub/"),
        E::File("opt/sub/deep", b"d"),
    ]);
    let l2 = raw_tar(&[
        E::File("etc/.wh.a", b""),
        E::Dir("opt/"),
        E::File("opt/new", b"n"),
        E::File("opt/.wh..wh..opq", b""),
    ]);
    let img = build_image(&[l1, l2], &[]);
    let r = store_image(&s, &img, "layers:1");
    let t = dir.path().join("root");
    unpack_image(&s, &r, &t).unwrap();
    assert_eq!(ls(&t), ["etc", "etc/b", "opt", "opt/new"]);
}

#[test]
fn corrupt_layer_in_store_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("s")).unwrap();
    let img = build_image(&[tar_of(&[("a", b"1")])], &[]);
    let r = store_image(&s, &img, "c:1");
    let (gz, d) = &img.layers[0];
    let mut bad = gz.clone();
    bad.extend_from_slice(b"trailing");
    std::fs::write(s.blob_path(d), bad).unwrap();
    let err = unpack_image(&s, &r, &dir.path().join("root")).unwrap_err();
    assert!(err.to_string().contains(&d.to_string()), "{err}");
}
