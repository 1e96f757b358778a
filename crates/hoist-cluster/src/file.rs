//! Reading, rendering and writing Clusterfiles.

use std::path::Path;

use hoist_gotmpl::{FuncMap, Templates, Value};

use crate::Error;
use crate::types::{API_VERSION, Cluster, Config};

/// A Clusterfile: one `Cluster`, any number of `Config`s, and other documents (kubeadm
/// configuration and the like) kept as they were for the runtime that will read them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Clusterfile {
    /// The cluster.
    pub cluster: Cluster,
    /// Files to write into images before they are sent.
    pub configs: Vec<Config>,
    /// Other documents, as JSON text (not written back, as sealos does with kubeadm documents).
    pub other: Vec<String>,
}

impl Clusterfile {
    /// A Clusterfile holding only `cluster`.
    pub fn new(cluster: Cluster) -> Clusterfile {
        Clusterfile {
            cluster,
            ..Clusterfile::default()
        }
    }

    /// The text sealos writes to `~/.sealos/<cluster>/Clusterfile`: the Cluster, then each
    /// Config, as `sigs.k8s.io/yaml` marshals them (JSON field names, sorted keys, goyaml v2
    /// style), separated by `---`.
    pub fn to_yaml(&self) -> String {
        let mut docs = vec![marshal(&self.cluster)];
        docs.extend(self.configs.iter().map(marshal));
        docs.join("---\n")
    }
}

fn marshal<T: serde::Serialize>(v: &T) -> String {
    // serde_json cannot fail on these types; goyaml's JSON reader reads what serde_json writes.
    let json = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    match hoist_goyaml::from_json(&json).map(|v| hoist_goyaml::to_yaml(&v)) {
        Ok(Ok(s)) => s,
        _ => String::new(),
    }
}

/// The documents of a YAML stream with the line each starts on (1-based).
fn documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let t = line.trim_end();
        if t == "---" || t.starts_with("--- ") || t.starts_with("---\t") {
            docs.push((start, std::mem::take(&mut cur)));
            start = i + 2;
        } else {
            cur.push_str(line);
        }
    }
    docs.push((start, cur));
    docs.into_iter()
        .filter(|(_, d)| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

/// Adds `offset` to the `line N` goyaml puts in its messages.
fn shift_line(message: &str, offset: usize) -> String {
    if let Some(i) = message.find("line ") {
        let rest = &message[i + 5..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if let Ok(n) = digits.parse::<usize>() {
            return format!(
                "{}line {}{}",
                &message[..i],
                n + offset,
                &rest[digits.len()..]
            );
        }
    }
    message.to_string()
}

/// The line (1-based in the file) of the `nth` line of a document (starting at line `start`)
/// that holds `needle` (comment lines aside); `start` when none does.
fn line_of(doc: &str, start: usize, needle: &str, nth: usize) -> usize {
    doc.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with('#') && l.contains(needle))
        .nth(nth)
        .map_or(start, |(i, _)| start + i)
}

/// Parses a (rendered) Clusterfile. Errors name the file and the line.
pub fn parse(text: &str, file: &Path) -> Result<Clusterfile, Error> {
    let (cluster, mut out) = parse_documents(text, file)?;
    match cluster {
        Some(c) => out.cluster = c,
        None => {
            return Err(Error::File {
                file: file.display().to_string(),
                message: "no `kind: Cluster` document".into(),
            });
        }
    }
    Ok(out)
}

/// Parses a `--config-file` of `run`: `Config` documents and others to keep (kubeadm's, say),
/// but no `Cluster`, which `run` makes from its flags. Returns them in a Clusterfile whose
/// `cluster` is empty.
pub fn parse_extra_documents(text: &str, file: &Path) -> Result<Clusterfile, Error> {
    let (cluster, out) = parse_documents(text, file)?;
    if cluster.is_some() {
        return Err(Error::File {
            file: file.display().to_string(),
            message: "a Cluster document here: `run --config-file` takes Config (and other) \
                      documents; to describe the cluster itself use `hoist apply -f`"
                .into(),
        });
    }
    Ok(out)
}

fn parse_documents(text: &str, file: &Path) -> Result<(Option<Cluster>, Clusterfile), Error> {
    let fname = file.display().to_string();
    let err = |line: usize, message: String| Error::File {
        file: fname.clone(),
        message: format!("line {line}: {message}"),
    };
    let mut cluster: Option<(usize, Cluster)> = None;
    let mut out = Clusterfile::default();
    for (start, doc) in documents(text) {
        let value = hoist_goyaml::from_str(&doc).map_err(|e| Error::File {
            file: fname.clone(),
            message: shift_line(&e.to_string(), start - 1),
        })?;
        let Value::Map(map) = &value else {
            return Err(err(
                start,
                "a document must be a mapping with apiVersion and kind".into(),
            ));
        };
        let get = |k: &str| {
            map.get(k)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let (api, kind) = (get("apiVersion"), get("kind"));
        let json = hoist_goyaml::to_json(&value).map_err(|e| err(start, e.to_string()))?;
        match kind.as_str() {
            "Cluster" | "Config" if api != API_VERSION => {
                return Err(err(
                    line_of(&doc, start, "apiVersion", 0),
                    format!("{kind} has apiVersion `{api}`; hoist reads `{API_VERSION}`"),
                ));
            }
            "Cluster" => {
                if let Some((first, _)) = &cluster {
                    return Err(err(
                        start,
                        format!(
                            "a second Cluster document (the first is at line {first}); a Clusterfile holds one"
                        ),
                    ));
                }
                let c: Cluster = serde_json::from_str(&json)
                    .map_err(|e| err(start, format!("invalid Cluster: {}", strip_serde_pos(&e))))?;
                let mut seen = std::collections::BTreeSet::new();
                let mut listed: Vec<&str> = Vec::new();
                for h in &c.spec.hosts {
                    for ip in &h.ips {
                        let nth = listed.iter().filter(|x| **x == ip.as_str()).count();
                        listed.push(ip);
                        let line = line_of(&doc, start, ip, nth);
                        crate::iplist::parse_ip_list(ip)
                            .map_err(|e| err(line, format!("spec.hosts: {e}")))?;
                        let bare = ip.split(':').next().unwrap_or(ip);
                        if !seen.insert(bare.to_string()) {
                            return Err(err(
                                line,
                                format!("spec.hosts: ip {bare} is listed twice"),
                            ));
                        }
                    }
                }
                for e in c
                    .spec
                    .env
                    .iter()
                    .chain(c.spec.hosts.iter().flat_map(|h| &h.env))
                {
                    if !e.contains('=') {
                        return Err(err(
                            line_of(&doc, start, e, 0),
                            format!("env entry {e:?} is not KEY=VALUE"),
                        ));
                    }
                }
                cluster = Some((start, c));
            }
            "Config" => {
                let c: Config = serde_json::from_str(&json)
                    .map_err(|e| err(start, format!("invalid Config: {}", strip_serde_pos(&e))))?;
                crate::contract::check_config_path(&c.spec.path).map_err(|e| err(start, e))?;
                out.configs.push(c);
            }
            "" => return Err(err(start, "a document without `kind`".into())),
            _ if api == API_VERSION => {
                return Err(err(
                    line_of(&doc, start, "kind", 0),
                    format!("unknown kind {kind:?} for apiVersion {API_VERSION}"),
                ));
            }
            _ => out.other.push(json),
        }
    }
    Ok((cluster.map(|(_, c)| c), out))
}

/// serde's message without its JSON position (meaningless to the user) and without the
/// offending value, which could be a password (`passwd: 123`).
fn strip_serde_pos(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    if !(s.starts_with("invalid type: ") || s.starts_with("invalid value: ")) {
        return s;
    }
    let Some((head, expected)) = s.split_once(", expected") else {
        return s;
    };
    // "invalid type: integer `123`" / "invalid type: string \"x\"": keep only the kind.
    let kind = head
        .split_once(['`', '"'])
        .map(|(k, _)| k.trim_end().to_string())
        .unwrap_or_else(|| head.to_string());
    format!("{kind}, expected{expected}")
}

/// The functions sealos's Clusterfile and template rendering offer.
pub(crate) fn funcs() -> FuncMap {
    crate::funcs::func_map()
}

/// Renders text as a Go template (`missingkey=default`) with `data`.
pub(crate) fn render_text(name: &str, text: &str, data: &Value) -> Result<String, String> {
    let mut t = Templates::new(funcs()).with_name(name);
    t.parse(name, text).map_err(|e| e.to_string())?;
    t.execute(name, data).map_err(|e| e.to_string())
}

/// Renders a Clusterfile template with `.Values` from `--values` files and `--set` (Helm's
/// rules). A file without template actions comes back unchanged.
pub fn render(
    text: &str,
    file: &Path,
    values: &hoist_chart::ValueOptions,
) -> Result<String, Error> {
    let fname = file.display().to_string();
    let vals = hoist_chart::merge_values(values).map_err(|e| Error::File {
        file: fname.clone(),
        message: format!("values: {e}"),
    })?;
    let mut data = hoist_gotmpl::Map::new();
    data.insert("Values".into(), vals);
    render_text(&fname, text, &Value::map(data)).map_err(|message| Error::File {
        file: fname,
        message,
    })
}

/// The `Config` documents of a file (an image's `config.yml`); other documents are ignored.
pub(crate) fn parse_configs(text: &str, file: &Path) -> Result<Vec<Config>, Error> {
    let fname = file.display().to_string();
    let mut out = Vec::new();
    for (start, doc) in documents(text) {
        let value = hoist_goyaml::from_str(&doc).map_err(|e| Error::File {
            file: fname.clone(),
            message: shift_line(&e.to_string(), start - 1),
        })?;
        let is_config = matches!(&value, Value::Map(m) if m.get("kind").and_then(|k| k.as_str().map(|s| s == "Config")).unwrap_or(false));
        if !is_config {
            continue;
        }
        let json = hoist_goyaml::to_json(&value).map_err(|e| Error::File {
            file: fname.clone(),
            message: e.to_string(),
        })?;
        let c: Config = serde_json::from_str(&json).map_err(|e| Error::File {
            file: fname.clone(),
            message: format!("line {start}: invalid Config: {}", strip_serde_pos(&e)),
        })?;
        out.push(c);
    }
    Ok(out)
}
