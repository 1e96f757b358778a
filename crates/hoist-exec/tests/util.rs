//! Shared helpers of the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use hoist_exec::{Node, Source, Tree};

/// Lists a directory: `f MODE SHA PATH`, `d MODE PATH`, `l TARGET PATH`, sorted; skips the
/// sync manifest. Takes the directory as $1.
pub const LIST_SCRIPT: &str = r#"cd "$1" && find . -mindepth 1 ! -path ./.hoist-sync | while IFS= read -r p; do
  q=${p#./}
  if [ -L "$p" ]; then echo "l $(readlink "$p") $q"
  elif [ -d "$p" ]; then echo "d $(stat -c %a "$p") $q"
  else echo "f $(stat -c %a "$p") $(sha256sum < "$p" | cut -d' ' -f1) $q"; fi
done"#;

pub fn sorted_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

fn sha(b: &[u8]) -> String {
    use std::fmt::Write;
    // sha256 via the system tool keeps the test independent of the crate's hashing.
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut i = child.stdin.take().unwrap();
        i.write_all(b).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let mut s = String::new();
    write!(
        s,
        "{}",
        String::from_utf8_lossy(&out.stdout)
            .split(' ')
            .next()
            .unwrap()
    )
    .unwrap();
    s
}

/// The listing a tree should produce.
pub fn expected_listing(tree: &Tree) -> Vec<String> {
    let mut v = Vec::new();
    for (p, n) in tree.iter() {
        v.push(match n {
            Node::Dir { mode } => format!("d {mode:o} {p}"),
            Node::Symlink { target } => format!("l {target} {p}"),
            Node::File { source, mode } => {
                let bytes = match source {
                    Source::Bytes(b) => b.to_vec(),
                    Source::Path(path) => std::fs::read(path).unwrap(),
                };
                format!("f {mode:o} {} {p}", sha(&bytes))
            }
        });
    }
    v.sort();
    v
}

/// A tree with files (from disk and from memory), directories, symlinks and several modes.
pub fn sample_tree(src: &Path) -> Tree {
    std::fs::create_dir_all(src.join("bin")).unwrap();
    std::fs::create_dir_all(src.join("etc/conf.d")).unwrap();
    std::fs::create_dir_all(src.join("registry/docker")).unwrap();
    std::fs::write(src.join("bin/tool"), b"#!/bin/sh\necho tool\n").unwrap();
    std::fs::write(src.join("etc/app.conf"), b"key = 'value'\n").unwrap();
    std::fs::write(src.join("etc/conf.d/a b.conf"), b"spaces in the name\n").unwrap();
    std::fs::write(src.join("registry/docker/blob"), vec![7u8; 100_000]).unwrap();
    std::fs::write(
        src.join("big.bin"),
        (0..3_000_000u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    std::fs::write(src.join("empty"), b"").unwrap();
    let long = "d".repeat(120);
    std::fs::create_dir_all(src.join(&long)).unwrap();
    std::fs::write(src.join(&long).join("f".repeat(120)), b"long path\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    let set = |p: &str, m: u32| {
        std::fs::set_permissions(src.join(p), std::fs::Permissions::from_mode(m)).unwrap()
    };
    set("bin/tool", 0o755);
    set("etc/app.conf", 0o600);
    set("etc/conf.d", 0o750);
    set("big.bin", 0o4755);
    std::os::unix::fs::symlink("../bin/tool", src.join("etc/tool-link")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", src.join("dangling")).unwrap();
    let mut t = Tree::from_dir(src, |p| p == "registry").unwrap();
    assert!(t.get("registry").is_none());
    t.insert(
        "etc/rendered/host.yaml",
        Node::File {
            source: Source::Bytes(Arc::from(&b"rendered: 'yes' $HOME\n"[..])),
            mode: 0o640,
        },
    )
    .unwrap();
    t.insert(
        "etc/rendered/link",
        Node::Symlink {
            target: "host.yaml".into(),
        },
    )
    .unwrap();
    t
}
