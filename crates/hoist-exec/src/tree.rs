//! A virtual file tree to sync onto hosts.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a file's bytes come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A local file, read while streaming.
    Path(PathBuf),
    /// Bytes in memory (e.g. a rendered per-host file).
    Bytes(Arc<[u8]>),
}

/// One entry of a [`Tree`].
#[derive(Clone, Debug)]
pub enum Node {
    Dir { mode: u32 },
    File { source: Source, mode: u32 },
    Symlink { target: String },
}

/// An error building a tree.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("local: {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("local: tree path {path:?}: {reason}")]
    BadPath { path: String, reason: &'static str },
}

/// A virtual tree: relative path (`a/b/c`, no `.`/`..`, no leading `/`) to [`Node`], sorted so
/// that parents come before their children.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    entries: BTreeMap<String, Node>,
}

/// Check a relative tree path.
pub(crate) fn check_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("empty path");
    }
    if path.starts_with('/') {
        return Err("absolute path");
    }
    if path.contains('\0') {
        return Err("contains NUL");
    }
    for c in path.split('/') {
        match c {
            "" => return Err("empty component"),
            "." | ".." => return Err("`.` or `..` component"),
            _ => {}
        }
    }
    Ok(())
}

fn parent(path: &str) -> Option<&str> {
    path.rfind('/').map(|i| &path[..i])
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Tree {
        Tree::default()
    }

    /// Read a local directory (not following symlinks). `exclude(rel)` returning true skips an
    /// entry and everything under it. Sockets, FIFOs and devices are skipped.
    pub fn from_dir(root: &Path, exclude: impl Fn(&str) -> bool) -> Result<Tree, TreeError> {
        let mut tree = Tree::new();
        let mut stack = vec![(root.to_path_buf(), String::new())];
        while let Some((dir, rel)) = stack.pop() {
            let rd = std::fs::read_dir(&dir).map_err(|e| TreeError::Io {
                path: dir.clone(),
                source: e,
            })?;
            for ent in rd {
                let ent = ent.map_err(|e| TreeError::Io {
                    path: dir.clone(),
                    source: e,
                })?;
                let name = ent.file_name();
                let Some(name) = name.to_str() else {
                    return Err(TreeError::BadPath {
                        path: ent.path().to_string_lossy().into_owned(),
                        reason: "not UTF-8",
                    });
                };
                let child_rel = if rel.is_empty() {
                    name.to_string()
                } else {
                    format!("{rel}/{name}")
                };
                if exclude(&child_rel) {
                    continue;
                }
                let path = ent.path();
                let md = std::fs::symlink_metadata(&path).map_err(|e| TreeError::Io {
                    path: path.clone(),
                    source: e,
                })?;
                let ft = md.file_type();
                let mode = md.permissions().mode() & 0o7777;
                if ft.is_dir() {
                    tree.entries.insert(child_rel.clone(), Node::Dir { mode });
                    stack.push((path, child_rel));
                } else if ft.is_file() {
                    tree.entries.insert(
                        child_rel,
                        Node::File {
                            source: Source::Path(path),
                            mode,
                        },
                    );
                } else if ft.is_symlink() {
                    let target = std::fs::read_link(&path).map_err(|e| TreeError::Io {
                        path: path.clone(),
                        source: e,
                    })?;
                    let Some(target) = target.to_str() else {
                        return Err(TreeError::BadPath {
                            path: path.to_string_lossy().into_owned(),
                            reason: "symlink target not UTF-8",
                        });
                    };
                    tree.entries.insert(
                        child_rel,
                        Node::Symlink {
                            target: target.to_string(),
                        },
                    );
                }
            }
        }
        Ok(tree)
    }

    /// Insert (or replace) an entry. Missing parent directories are added with mode 0755; a
    /// parent that is not a directory, or replacing a directory that has children by a
    /// non-directory, is an error.
    pub fn insert(&mut self, path: &str, node: Node) -> Result<(), TreeError> {
        check_path(path).map_err(|reason| TreeError::BadPath {
            path: path.to_string(),
            reason,
        })?;
        if let Node::Symlink { target } = &node
            && (target.is_empty() || target.contains('\0'))
        {
            return Err(TreeError::BadPath {
                path: path.to_string(),
                reason: "bad symlink target",
            });
        }
        let mut p = parent(path);
        while let Some(dir) = p {
            match self.entries.get(dir) {
                Some(Node::Dir { .. }) => break,
                Some(_) => {
                    return Err(TreeError::BadPath {
                        path: path.to_string(),
                        reason: "a parent is not a directory",
                    });
                }
                None => {}
            }
            p = parent(dir);
        }
        if !matches!(node, Node::Dir { .. }) && self.has_children(path) {
            return Err(TreeError::BadPath {
                path: path.to_string(),
                reason: "replaces a non-empty directory",
            });
        }
        let mut p = parent(path);
        while let Some(dir) = p {
            if self.entries.contains_key(dir) {
                break;
            }
            self.entries
                .insert(dir.to_string(), Node::Dir { mode: 0o755 });
            p = parent(dir);
        }
        self.entries.insert(path.to_string(), node);
        Ok(())
    }

    fn has_children(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        self.entries
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    /// Remove an entry and everything under it. Returns how many entries were removed.
    pub fn remove(&mut self, path: &str) -> usize {
        let prefix = format!("{path}/");
        let under: Vec<String> = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        let mut n = under.len();
        for k in under {
            self.entries.remove(&k);
        }
        if self.entries.remove(path).is_some() {
            n += 1;
        }
        n
    }

    /// Put every entry of `other` over this tree (other wins; a non-directory of `other`
    /// replaces a directory of this tree together with its contents).
    pub fn overlay(&mut self, other: &Tree) -> Result<(), TreeError> {
        for (path, node) in &other.entries {
            if !matches!(node, Node::Dir { .. }) && self.has_children(path) {
                self.remove(path);
            }
            self.insert(path, node.clone())?;
        }
        Ok(())
    }

    /// The entry at `path`.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.entries.get(path)
    }

    /// All entries, parents before children.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_overlay() {
        let mut t = Tree::new();
        t.insert(
            "a/b/c",
            Node::File {
                source: Source::Bytes(Arc::from(&b"x"[..])),
                mode: 0o644,
            },
        )
        .unwrap();
        assert!(matches!(t.get("a"), Some(Node::Dir { mode: 0o755 })));
        assert!(matches!(t.get("a/b"), Some(Node::Dir { .. })));
        assert!(t.insert("a/b/c/d", Node::Dir { mode: 0o755 }).is_err());
        assert!(t.insert("a", Node::Symlink { target: "x".into() }).is_err());
        assert!(t.insert("../x", Node::Dir { mode: 0o755 }).is_err());
        assert!(t.insert("/x", Node::Dir { mode: 0o755 }).is_err());
        assert_eq!(t.remove("a/b"), 2);
        assert_eq!(t.len(), 1);
        let mut o = Tree::new();
        o.insert(
            "a",
            Node::Symlink {
                target: "/etc".into(),
            },
        )
        .unwrap();
        t.overlay(&o).unwrap();
        assert!(matches!(t.get("a"), Some(Node::Symlink { .. })));
    }
}
