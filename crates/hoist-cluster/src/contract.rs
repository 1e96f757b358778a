//! The cluster-image contract (sealos.md §3): image types and labels, env, CMD expansion,
//! `.tmpl` rendering, and Config documents applied into image files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path};

use hoist_gotmpl::Value;

use crate::Error;
use crate::types::{Config, ImageType, MountImage};

/// Builds the `status.mounts` entry of an image from its OCI config JSON.
pub fn mount_from_config(
    name: &str,
    image_name: &str,
    mount_point: &str,
    config_json: &[u8],
) -> Result<MountImage, Error> {
    let v: serde_json::Value = serde_json::from_slice(config_json).map_err(|e| {
        Error::Invalid(format!("image `{image_name}`: its config is not JSON: {e}"))
    })?;
    let c = v.get("config").cloned().unwrap_or(serde_json::Value::Null);
    let strings = |key: &str| -> Vec<String> {
        c.get(key)
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let labels: BTreeMap<String, String> = c
        .get("Labels")
        .and_then(|l| l.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let type_label = labels
        .get("sealos.io.type")
        .or_else(|| labels.get("apps.sealos.io/type"))
        .cloned()
        .unwrap_or_default();
    let r#type = match type_label.as_str() {
        "rootfs" => ImageType::Rootfs,
        "patch" => ImageType::Patch,
        "application" | "" => ImageType::Application,
        other => {
            return Err(Error::Invalid(format!(
                "image `{image_name}`: unknown sealos.io.type `{other}` (rootfs, patch or application)"
            )));
        }
    };
    let mut env = BTreeMap::new();
    for kv in strings("Env") {
        let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
        if k != "PATH" {
            env.insert(k.to_string(), v.to_string());
        }
    }
    let strip = |list: Vec<String>| -> Vec<String> {
        list.into_iter()
            .filter(|s| s != "/bin/sh" && s != "-c")
            .collect()
    };
    Ok(MountImage {
        name: name.to_string(),
        r#type,
        image_name: image_name.to_string(),
        mount_point: mount_point.to_string(),
        env,
        labels,
        cmd: strip(strings("Cmd")),
        entrypoint: strip(strings("Entrypoint")),
    })
}

/// The script for a label (`check`, `init`, `clean`, `init-registry`, `clean-registry`,
/// `init-cri`, `clean-cri`, …) from the merge of all mounts' labels (later images win, as in
/// sealos). `check`, `init`, `clean`, `init-registry` and `clean-registry` default to
/// `<label>.sh`; other labels are `None` when absent or empty.
pub fn label_script(mounts: &[MountImage], label: &str) -> Option<String> {
    let mut merged: BTreeMap<&str, &str> = BTreeMap::new();
    for m in mounts {
        for (k, v) in &m.labels {
            merged.insert(k, v);
        }
    }
    match merged.get(label) {
        Some(v) if !v.is_empty() => Some((*v).to_string()),
        _ => match label {
            "check" | "init" | "clean" | "init-registry" | "clean-registry" => {
                Some(format!("{label}.sh"))
            }
            _ => None,
        },
    }
}

/// sealos's variable expansion for CMD and ENTRYPOINT (Kubernetes' `$(VAR)` extended with
/// `${VAR}` and `$VAR`): `$$` is `$`; a known variable is replaced; an unknown one becomes
/// `$(VAR)`, which the remote shell then runs as a command substitution (kept for
/// compatibility: images use `$(hostname)` that way).
pub fn expand(input: &str, env: &BTreeMap<String, String>) -> String {
    let b = input.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut i = 0;
    let lookup = |name: &str| {
        env.get(name)
            .cloned()
            .unwrap_or_else(|| format!("$({name})"))
    };
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            out.push_str(&input[checkpoint..i]);
            let rest = &input[i + 1..];
            let rb = rest.as_bytes();
            let advance;
            match rb[0] {
                b'$' => {
                    out.push('$');
                    advance = 1;
                }
                open @ (b'(' | b'{') => {
                    let close = if open == b'(' { b')' } else { b'}' };
                    match rb[1..].iter().position(|&c| c == close) {
                        Some(p) => {
                            out.push_str(&lookup(&rest[1..1 + p]));
                            advance = p + 2;
                        }
                        None => {
                            out.push('$');
                            out.push(open as char);
                            advance = 1;
                        }
                    }
                }
                _ => {
                    let n = rb
                        .iter()
                        .take_while(|&&c| (c as char).is_alphanumeric() || c == b'_')
                        .count();
                    if n > 0 {
                        out.push_str(&lookup(&rest[..n]));
                        advance = n;
                    } else {
                        out.push('$');
                        let ch = rest.chars().next().unwrap_or_default();
                        out.push(ch);
                        advance = ch.len_utf8();
                    }
                }
            }
            i += advance + 1;
            checkpoint = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&input[checkpoint.min(input.len())..]);
    out
}

/// The commands an image runs: ENTRYPOINT items, then CMD items (or `spec.command` for the
/// cluster's first image), each expanded with `env`.
pub fn guest_commands(
    mount: &MountImage,
    is_first_image: bool,
    spec_command: &[String],
    env: &BTreeMap<String, String>,
) -> Vec<String> {
    let cmd = if is_first_image && !spec_command.is_empty() {
        spec_command
    } else {
        &mount.cmd
    };
    mount
        .entrypoint
        .iter()
        .chain(cmd.iter())
        .filter(|c| !c.trim().is_empty())
        .map(|c| expand(c, env))
        .collect()
}

/// A template rendered for one host.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// Its path relative to the image root, without `.tmpl`.
    pub rel_path: String,
    /// The rendered content.
    pub bytes: Vec<u8>,
    /// The template's permission bits.
    pub mode: u32,
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, std::path::PathBuf)>) -> Result<(), Error> {
    let Ok(rd) = fs::read_dir(dir) else {
        return Ok(());
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let ft = e.file_type().map_err(|source| Error::Io {
            path: e.path().display().to_string(),
            source,
        })?;
        let r = format!("{rel}/{name}");
        if ft.is_dir() {
            walk(&e.path(), &r, out)?;
        } else if ft.is_file() && name.ends_with(".tmpl") {
            out.push((r, e.path()));
        }
    }
    Ok(())
}

/// Renders every `*.tmpl` under `etc/`, `scripts/` and `manifests/` of an image root with `env`
/// as data (keys at the top level and under `.Env`), as `sealctl render` does. Writes nothing.
pub fn render_templates(
    dir: &Path,
    env: &BTreeMap<String, String>,
) -> Result<Vec<Rendered>, Error> {
    let mut files = Vec::new();
    for top in ["etc", "scripts", "manifests"] {
        walk(&dir.join(top), top, &mut files)?;
    }
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let mut data = hoist_gotmpl::Map::new();
    let mut envmap = hoist_gotmpl::Map::new();
    for (k, v) in env {
        data.insert(k.clone(), Value::string(v));
        envmap.insert(k.clone(), Value::string(v));
    }
    data.insert("Env".into(), Value::map(envmap));
    let data = Value::map(data);
    let mut out = Vec::new();
    for (rel, path) in files {
        let text = fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        let rendered =
            crate::file::render_text(&rel, &text, &data).map_err(|message| Error::File {
                file: path.display().to_string(),
                message,
            })?;
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o7777)
                .unwrap_or(0o644)
        };
        out.push(Rendered {
            rel_path: rel.trim_end_matches(".tmpl").to_string(),
            bytes: rendered.into_bytes(),
            mode,
        });
    }
    Ok(out)
}

/// A Config's `spec.path` must stay inside the image.
pub(crate) fn check_config_path(path: &str) -> Result<(), String> {
    let p = Path::new(path);
    if path.is_empty() {
        return Err("Config spec.path is empty".into());
    }
    if p.is_absolute()
        || p.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        })
    {
        return Err(format!(
            "Config spec.path `{path}` must be relative to the image root, without `..`"
        ));
    }
    Ok(())
}

fn merge_into(dst: &hoist_gotmpl::Dict, src: &hoist_gotmpl::Dict) {
    for (k, v) in src.snapshot() {
        match (dst.get(&k), &v) {
            (Some(Value::Map(d)), Value::Map(s)) => merge_into(&d, s),
            _ => {
                dst.insert(k, v);
            }
        }
    }
}

fn merged(existing: &str, data: &str, file: &str) -> Result<String, Error> {
    let invalid = |e: String| Error::File {
        file: file.to_string(),
        message: e,
    };
    let over =
        match hoist_goyaml::from_str(data).map_err(|e| invalid(format!("Config data: {e}")))? {
            Value::Map(m) => m,
            Value::Nil => hoist_gotmpl::Dict::new(hoist_gotmpl::Map::new()),
            _ => {
                return Err(invalid(
                    "Config data for the merge strategy must be a mapping".into(),
                ));
            }
        };
    let mut docs = Vec::new();
    for doc in existing.split("---\n") {
        let base = match hoist_goyaml::from_str(doc).map_err(|e| invalid(e.to_string()))? {
            Value::Map(m) => m,
            Value::Nil => hoist_gotmpl::Dict::new(hoist_gotmpl::Map::new()),
            _ => {
                return Err(invalid(
                    "the file's documents must be mappings to merge into".into(),
                ));
            }
        };
        merge_into(&base, &over);
        docs.push(hoist_goyaml::to_yaml(&Value::Map(base)).map_err(|e| invalid(e.to_string()))?);
    }
    Ok(docs.join("\n---\n"))
}

/// Applies Config documents to an unpacked image at `dir`: first the image's own `config.yml`,
/// then `configs` whose `match` is empty or `image_name`. Strategies: `merge` (deep-merge into
/// every document of the file), `insert` (before), `append` (after), `override`/empty (replace).
pub fn apply_configs(configs: &[Config], image_name: &str, dir: &Path) -> Result<(), Error> {
    let mut all = Vec::new();
    let own = dir.join("config.yml");
    if own.is_file() {
        let text = fs::read_to_string(&own).map_err(|source| Error::Io {
            path: own.display().to_string(),
            source,
        })?;
        let cf = crate::file::parse_configs(&text, &own)?;
        all.extend(cf);
    }
    all.extend(configs.iter().cloned());
    for c in &all {
        if !c.spec.match_.is_empty() && c.spec.match_ != image_name {
            continue;
        }
        check_config_path(&c.spec.path).map_err(Error::Invalid)?;
        let path = dir.join(&c.spec.path);
        let fname = path.display().to_string();
        let existing = match fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(Error::Io {
                    path: fname,
                    source,
                });
            }
        };
        let content = match c.spec.strategy.as_str() {
            "merge" => merged(&existing, &c.spec.data, &fname)?,
            "insert" => format!("{}\n{existing}", c.spec.data),
            "append" => format!("{existing}\n{}", c.spec.data),
            "override" | "" => c.spec.data.clone(),
            other => {
                return Err(Error::Invalid(format!(
                    "Config `{}`: unknown strategy `{other}` (merge, insert, append, override)",
                    c.metadata.name
                )));
            }
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        fs::write(&path, content).map_err(|source| Error::Io {
            path: fname,
            source,
        })?;
    }
    Ok(())
}
