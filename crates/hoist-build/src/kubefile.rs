//! The Dockerfile subset cluster images use (Kubefile, Sealfile, Dockerfile, Containerfile).
//!
//! Lines are split as moby buildkit's `frontend/dockerfile/parser` does (directives, comments,
//! continuations, flags, JSON forms, `name=value` words); variables are expanded as buildah
//! (openshift/imagebuilder `evaluator.go`, `dispatchers.go`) does: ENV, LABEL, ARG, COPY, ADD,
//! WORKDIR and FROM expand, CMD and ENTRYPOINT never do.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::shell::process_word;

/// `PATH` that buildah gives an image whose base has none.
pub const DEFAULT_PATH_ENV: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A build-file error at `FILE:LINE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct SyntaxError {
    /// The build file.
    pub file: PathBuf,
    /// 1-based line of the instruction.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One instruction as written: keyword, `--flags`, and the rest of the (joined) line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawInstruction {
    /// The build file.
    pub file: PathBuf,
    /// 1-based first line.
    pub line: usize,
    /// The keyword as written.
    pub keyword: String,
    /// `--flag[=value]` words before the arguments.
    pub flags: Vec<String>,
    /// The arguments, unparsed.
    pub rest: String,
    /// The escape character in effect (`\\` or a backtick from `# escape=`).
    pub escape: char,
}

/// Splits build-file text into instructions (buildkit's line rules).
pub fn parse_text(file: &Path, text: &str) -> Result<Vec<RawInstruction>, SyntaxError> {
    let err = |line: usize, message: String| SyntaxError {
        file: file.to_path_buf(),
        line,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<&str> = text.split('\n').collect();
    if text.ends_with('\n') {
        lines.pop();
    }
    let mut escape = '\\';
    let mut directives_done = false;
    let mut seen_directives: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut i = 0;
    let is_comment = |l: &str| l.trim_start().starts_with('#');
    while i < lines.len() {
        let raw = lines[i].trim_end_matches(['\r', '\n']);
        let line_no = i + 1;
        i += 1;
        let token = raw.trim_start();
        if !directives_done {
            match directive(token) {
                Some((k, v)) => {
                    if seen_directives.contains(&k) {
                        return Err(err(
                            line_no,
                            format!("only one {k} parser directive can be used"),
                        ));
                    }
                    seen_directives.push(k.clone());
                    if k == "escape" {
                        if v != "`" && v != "\\" {
                            return Err(err(
                                line_no,
                                format!("invalid escape token '{v}' does not match ` or \\"),
                            ));
                        }
                        escape = v.chars().next().unwrap_or('\\');
                    }
                    continue;
                }
                None => directives_done = true,
            }
        }
        if is_comment(token) {
            continue;
        }
        let (first, mut done) = trim_continuation(token, escape);
        if done && first.is_empty() {
            continue;
        }
        let mut joined = first.to_string();
        while !done && i < lines.len() {
            let next = lines[i].trim_end_matches(['\r', '\n']);
            i += 1;
            if is_comment(next) || next.trim_start().is_empty() {
                continue;
            }
            let (part, d) = trim_continuation(next, escape);
            joined.push_str(part);
            done = d;
        }
        let (keyword, flags, rest) = split_command(&joined, escape);
        out.push(RawInstruction {
            file: file.to_path_buf(),
            line: line_no,
            keyword,
            flags,
            rest,
            escape,
        });
    }
    if out.is_empty() {
        return Err(err(lines.len(), "file with no instructions".into()));
    }
    Ok(out)
}

fn directive(token: &str) -> Option<(String, String)> {
    let body = token.strip_prefix('#')?.trim_start();
    let (k, v) = body.split_once('=')?;
    let k = k.trim_end();
    let mut chars = k.chars();
    if !chars.next()?.is_ascii_alphabetic() || !chars.all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let k = k.to_ascii_lowercase();
    let v = v.trim();
    if v.is_empty() || !matches!(k.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some((k, v.to_string()))
}

/// buildkit's continuation regex `([^E])E[ \t]*$|^E[ \t]*$`: returns the line without the
/// escape, and whether the instruction ends here.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    if let Some(body) = t.strip_suffix(escape) {
        if body.is_empty() {
            return ("", false);
        }
        if !body.ends_with(escape) {
            return (body, false);
        }
    }
    (line, true)
}

fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

fn split_command(line: &str, escape: char) -> (String, Vec<String>, String) {
    let line = line.trim();
    match line.find(is_ws) {
        None => (line.to_string(), Vec::new(), String::new()),
        Some(p) => {
            let cmd = &line[..p];
            let rest = line[p..].trim_start_matches(is_ws);
            let (args, flags) = extract_flags(rest, escape);
            (cmd.to_string(), flags, args.trim().to_string())
        }
    }
}

/// buildkit's `extractBuilderFlags`.
fn extract_flags(line: &str, escape: char) -> (String, Vec<String>) {
    let b: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut pos = 0;
    loop {
        while pos < b.len() && b[pos].is_whitespace() {
            pos += 1;
        }
        if pos >= b.len() {
            return (String::new(), words);
        }
        if !(b[pos] == '-' && b.get(pos + 1) == Some(&'-')) {
            return (b[pos..].iter().collect(), words);
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut blank_ok = false;
        while pos < b.len() {
            let ch = b[pos];
            if let Some(q) = quote {
                if ch == q {
                    quote = None;
                } else if ch == escape && pos + 1 < b.len() {
                    pos += 1;
                    word.push(b[pos]);
                } else if ch != escape {
                    word.push(ch);
                }
                pos += 1;
                continue;
            }
            if ch.is_whitespace() {
                break;
            }
            if ch == '\'' || ch == '"' {
                quote = Some(ch);
                blank_ok = true;
            } else if ch == escape {
                if pos + 1 < b.len() {
                    pos += 1;
                    word.push(b[pos]);
                }
            } else {
                word.push(ch);
            }
            pos += 1;
        }
        if word == "--" {
            return (b[pos..].iter().collect(), words);
        }
        if blank_ok || !word.is_empty() {
            words.push(word);
        }
    }
}

/// buildkit's `parseWords`: whitespace-separated words, quotes and escapes kept.
fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let b: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        while i < b.len() {
            let ch = b[i];
            match quote {
                None => {
                    if ch.is_whitespace() {
                        break;
                    }
                    if ch == '\'' || ch == '"' {
                        quote = Some(ch);
                    }
                    if ch == escape {
                        if i + 1 == b.len() {
                            i += 1;
                            continue;
                        }
                        word.push(ch);
                        i += 1;
                    }
                    word.push(b[i]);
                }
                Some(q) => {
                    if ch == q {
                        quote = None;
                    }
                    if ch == escape && q != '\'' {
                        if i + 1 == b.len() {
                            quote = None;
                            i += 1;
                            continue;
                        }
                        word.push(ch);
                        i += 1;
                    }
                    word.push(b[i]);
                }
            }
            i += 1;
        }
        words.push(word);
    }
    words
}

/// `name=value` pairs of ENV/LABEL (buildkit `parseNameVal`), unexpanded.
fn name_vals(rest: &str, escape: char, key: &str) -> Result<Vec<(String, String)>, String> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Err(format!("{key} must have two arguments"));
    };
    if !first.contains('=') {
        // Legacy `KEY name value`.
        let rest = rest.trim_start_matches(is_ws);
        return match rest.find(is_ws) {
            Some(p) => Ok(vec![(
                rest[..p].to_string(),
                rest[p..].trim_start_matches(is_ws).to_string(),
            )]),
            None => Err(format!("{key} must have two arguments")),
        };
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(format!(
                "Syntax error - can't find = in {w:?}. Must be of the form: name=value"
            )),
        })
        .collect()
}

/// A JSON array of strings, or `None` when the text is not JSON (buildkit `parseJSON`).
fn parse_json(rest: &str) -> Result<Option<Vec<String>>, String> {
    let t = rest.trim_start();
    if !t.starts_with('[') {
        return Ok(None);
    }
    match serde_json::from_str::<Vec<serde_json::Value>>(t) {
        Err(_) => Ok(None),
        Ok(items) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(s),
                _ => Err("only string arrays are allowed in JSON arrays".to_string()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

/// CMD/ENTRYPOINT forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandForm {
    /// `CMD command line` (run as `/bin/sh -c LINE`).
    Shell(String),
    /// `CMD ["a", "b"]`
    Exec(Vec<String>),
}

impl CommandForm {
    /// The config value: `["/bin/sh", "-c", line]` for the shell form.
    pub fn to_config(&self) -> Vec<String> {
        match self {
            CommandForm::Shell(s) => vec!["/bin/sh".into(), "-c".into(), s.clone()],
            CommandForm::Exec(v) => v.clone(),
        }
    }
}

/// The base of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `FROM scratch`
    Scratch,
    /// `FROM IMAGE`: the reference after expansion.
    Image(String),
}

/// One instruction after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    /// `ARG name[=value]`: the names declared and the values in effect.
    Arg(Vec<(String, Option<String>)>),
    /// `ENV k=v ...`
    Env(Vec<(String, String)>),
    /// `LABEL k=v ...`
    Label(Vec<(String, String)>),
    /// `COPY` (or `ADD` when `add`).
    Copy {
        /// ADD rather than COPY (local archives are extracted).
        add: bool,
        /// `--chown=uid[:gid]` (numeric).
        chown: Option<(u64, u64)>,
        /// `--chmod=OCTAL`
        chmod: Option<u32>,
        /// Sources relative to the context.
        sources: Vec<String>,
        /// Absolute destination (a trailing `/` kept).
        dest: String,
    },
    /// `CMD`
    Cmd(CommandForm),
    /// `ENTRYPOINT`
    Entrypoint(CommandForm),
    /// `WORKDIR`: the absolute result.
    Workdir(String),
    /// `MAINTAINER`: sets the config's `author`.
    Maintainer(String),
}

/// An instruction with its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Build file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// The expanded instruction.
    pub instruction: Instruction,
}

/// The build plan: the instruction list after expansion, and the image metadata it yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The base image.
    pub base: Base,
    /// `FROM ... AS name`
    pub stage_name: Option<String>,
    /// Instructions after FROM, in order.
    pub steps: Vec<Step>,
    /// `--label` values (applied after the build file's LABELs).
    pub extra_labels: Vec<(String, String)>,
}

/// What the plan does to the image config (on top of the base config).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigChanges {
    /// Final `config.Env` entries set by ENV (merged over the base's).
    pub env: Vec<String>,
    /// Labels, sorted.
    pub labels: BTreeMap<String, String>,
    /// `Some` when CMD is set (or cleared by ENTRYPOINT).
    pub cmd: Option<Option<Vec<String>>>,
    /// `Some` when ENTRYPOINT is set.
    pub entrypoint: Option<Option<Vec<String>>>,
    /// `WORKDIR`
    pub workdir: Option<String>,
    /// `MAINTAINER`
    pub author: Option<String>,
}

/// Inputs of planning besides the build files.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// `--build-arg K=V`; `None` is an empty value (buildah fills a bare `K` from its own
    /// environment: the CLI should do that before calling).
    pub build_args: Vec<(String, Option<String>)>,
    /// `--label K=V`
    pub labels: Vec<(String, String)>,
    /// Values for the predefined platform args (TARGETOS, TARGETARCH, ...).
    pub platform: crate::Platform,
}

fn mk_env(vars: &[(String, String)]) -> Vec<String> {
    vars.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// imagebuilder's `mergeEnv`: overrides replace same-named entries in place, others append.
pub fn merge_env(defaults: &[String], overrides: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in defaults.iter().chain(overrides) {
        let k = e.split_once('=').map_or(e.as_str(), |(k, _)| k);
        match out
            .iter()
            .position(|x| x.split_once('=').map_or(x.as_str(), |(k, _)| k) == k)
        {
            Some(i) => out[i] = e.clone(),
            None => out.push(e.clone()),
        }
    }
    out
}

const REFUSED_WHY: &[(&str, &str)] = &[
    (
        "run",
        "cluster images are built without running containers; put scripts in the image and run them from CMD or a label",
    ),
    (
        "expose",
        "cluster images are not run as containers, so ports have no effect",
    ),
    (
        "user",
        "cluster images are copied to hosts as files; users have no effect",
    ),
    (
        "volume",
        "cluster images are copied to hosts as files; volumes have no effect",
    ),
    ("healthcheck", "cluster images are not run as containers"),
    (
        "shell",
        "CMD runs through the host's shell on the cluster nodes",
    ),
    (
        "onbuild",
        "triggers need a container build of a child image",
    ),
    ("stopsignal", "cluster images are not run as containers"),
];

impl Plan {
    /// Parses and expands build files (concatenated in order, as buildah does with several `-f`).
    pub fn from_files(
        files: &[(PathBuf, String)],
        opts: &PlanOptions,
    ) -> Result<Plan, SyntaxError> {
        let mut raws = Vec::new();
        for (p, text) in files {
            raws.extend(parse_text(p, text)?);
        }
        Plan::from_instructions(&raws, opts)
    }

    /// Expands parsed instructions.
    pub fn from_instructions(
        raws: &[RawInstruction],
        opts: &PlanOptions,
    ) -> Result<Plan, SyntaxError> {
        let user_args: Vec<(String, String)> = opts
            .build_args
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
            .collect();
        let builtin = opts.platform.builtin_args();
        let mut heading: Vec<(String, String)> = Vec::new();
        let mut allowed: Vec<String> = Vec::new();
        let mut args: Vec<(String, String)> = Vec::new();
        let mut env: Vec<String> = Vec::new();
        let mut workdir = String::new();
        let mut plan: Option<Plan> = None;

        for raw in raws {
            let fail = |message: String| SyntaxError {
                file: raw.file.clone(),
                line: raw.line,
                message,
            };
            let cmd = raw.keyword.to_ascii_lowercase();
            let escape = raw.escape;
            let visible_args: Vec<String> = args
                .iter()
                .filter(|(k, _)| allowed.contains(k))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let scope = merge_env(&visible_args, &env);
            let expand = |s: &str| process_word(s, &scope).map_err(|e| fail(e.0));
            if plan.is_none() && cmd != "from" && cmd != "arg" {
                return Err(fail(format!(
                    "{} is not allowed before FROM (only ARG may come first)",
                    raw.keyword.to_uppercase()
                )));
            }
            let instruction = match cmd.as_str() {
                "from" => {
                    if plan.is_some() {
                        return Err(fail(
                            "FROM: multi-stage builds are not supported in cluster images (one FROM per build)".into(),
                        ));
                    }
                    if !raw.flags.is_empty() {
                        return Err(fail(format!(
                            "FROM: flags are not supported: {}",
                            raw.flags.join(" ")
                        )));
                    }
                    let words: Vec<&str> =
                        raw.rest.split(is_ws).filter(|w| !w.is_empty()).collect();
                    let stage_name = match words.as_slice() {
                        [_] => None,
                        [_, kw, name] if kw.eq_ignore_ascii_case("as") => Some(name.to_string()),
                        [] => {
                            return Err(fail("FROM requires either one or three arguments".into()));
                        }
                        _ => {
                            return Err(fail("FROM requires either one or three arguments".into()));
                        }
                    };
                    let hscope: Vec<String> = heading
                        .iter()
                        .map(|(k, v)| {
                            let v = user_args
                                .iter()
                                .rev()
                                .find(|(uk, _)| uk == k)
                                .map_or(v.as_str(), |(_, uv)| uv.as_str());
                            format!("{k}={v}")
                        })
                        .chain(builtin.iter().map(|(k, v)| format!("{k}={v}")))
                        .collect();
                    let image = process_word(words[0], &hscope).map_err(|e| fail(e.0))?;
                    if image.is_empty() {
                        return Err(fail(format!(
                            "FROM: base name ({}) should not be blank",
                            words[0]
                        )));
                    }
                    let base = if image.eq_ignore_ascii_case("scratch") {
                        Base::Scratch
                    } else {
                        Base::Image(image)
                    };
                    plan = Some(Plan {
                        base,
                        stage_name,
                        steps: Vec::new(),
                        extra_labels: opts.labels.clone(),
                    });
                    continue;
                }
                "arg" => {
                    let words = parse_words(&raw.rest, escape);
                    if words.is_empty() {
                        return Err(fail("ARG requires exactly one argument".into()));
                    }
                    let mut declared = Vec::new();
                    for w in &words {
                        let w = expand(w)?;
                        let (name, default) = match w.split_once('=') {
                            Some((n, d)) => (n.to_string(), Some(d.to_string())),
                            None => (w.clone(), None),
                        };
                        if plan.is_none() {
                            heading.push((name.clone(), default.clone().unwrap_or_default()));
                            declared.push((name, default));
                            continue;
                        }
                        if !allowed.contains(&name) {
                            allowed.push(name.clone());
                        }
                        let user = user_args.iter().rev().find(|(k, _)| *k == name);
                        let value = if let Some((_, v)) = user {
                            Some(v.clone())
                        } else if let Some((_, v)) = builtin.iter().find(|(k, _)| *k == name) {
                            Some(v.clone())
                        } else {
                            default.clone().or_else(|| {
                                heading
                                    .iter()
                                    .rev()
                                    .find(|(k, _)| *k == name)
                                    .map(|(_, v)| v.clone())
                            })
                        };
                        if let Some(v) = &value {
                            args.retain(|(k, _)| *k != name);
                            args.push((name.clone(), v.clone()));
                        }
                        declared.push((name, value));
                    }
                    if plan.is_none() {
                        continue;
                    }
                    Instruction::Arg(declared)
                }
                "env" | "label" => {
                    let key = cmd.to_uppercase();
                    let pairs = name_vals(&raw.rest, escape, &key).map_err(fail)?;
                    let mut out = Vec::new();
                    for (k, v) in pairs {
                        let k = expand(&k)?;
                        let v = expand(&v)?;
                        if k.is_empty() {
                            return Err(fail(format!("{key} names can not be blank")));
                        }
                        out.push((k, v));
                    }
                    if cmd == "env" {
                        env = merge_env(&env, &mk_env(&out));
                        Instruction::Env(out)
                    } else {
                        Instruction::Label(out)
                    }
                }
                "copy" | "add" => {
                    let add = cmd == "add";
                    let mut chown = None;
                    let mut chmod = None;
                    for f in &raw.flags {
                        let f = expand(f)?;
                        if let Some(v) = f.strip_prefix("--chown=") {
                            chown = Some(parse_chown(v).map_err(fail)?);
                        } else if let Some(v) = f.strip_prefix("--chmod=") {
                            chmod = Some(
                                u32::from_str_radix(v, 8)
                                    .ok()
                                    .filter(|m| *m <= 0o7777)
                                    .ok_or_else(|| {
                                        fail(format!(
                                            "invalid --chmod value {v:?}: must be octal permissions"
                                        ))
                                    })?,
                            );
                        } else if f.starts_with("--from=") {
                            return Err(fail(format!(
                                "{} --from is not supported in cluster images (copy files from the build context)",
                                cmd.to_uppercase()
                            )));
                        } else {
                            return Err(fail(format!(
                                "{} only supports the --chown=<uid:gid> and --chmod=<permissions> flags, not {f}",
                                cmd.to_uppercase()
                            )));
                        }
                    }
                    let list = match parse_json(&raw.rest).map_err(fail)? {
                        Some(v) => v,
                        None => raw
                            .rest
                            .split(is_ws)
                            .filter(|w| !w.is_empty())
                            .map(String::from)
                            .collect(),
                    };
                    if list.len() < 2 {
                        return Err(fail(format!(
                            "{} requires at least two arguments",
                            cmd.to_uppercase()
                        )));
                    }
                    let mut words = Vec::new();
                    for w in &list {
                        words.push(expand(w)?);
                    }
                    let last = words.pop().unwrap_or_default();
                    for s in &words {
                        if s.contains("://") || s.starts_with("git@") {
                            return Err(fail(format!(
                                "{} {s}: remote sources are not supported (cluster images are built from local files only)",
                                cmd.to_uppercase()
                            )));
                        }
                        if s.starts_with("<<") {
                            return Err(fail("here-documents are not supported".into()));
                        }
                    }
                    Instruction::Copy {
                        add,
                        chown,
                        chmod,
                        sources: words,
                        dest: make_absolute(&last, &workdir),
                    }
                }
                "cmd" | "entrypoint" => {
                    let form = match parse_json(&raw.rest).map_err(fail)? {
                        Some(v) => CommandForm::Exec(v),
                        None => CommandForm::Shell(raw.rest.clone()),
                    };
                    if cmd == "cmd" {
                        Instruction::Cmd(form)
                    } else {
                        Instruction::Entrypoint(form)
                    }
                }
                "workdir" => {
                    if raw.rest.is_empty() {
                        return Err(fail("WORKDIR requires exactly one argument".into()));
                    }
                    let w = expand(&raw.rest)?;
                    let mut w = if w.starts_with('/') {
                        w
                    } else {
                        crate::glob::clean(&format!("/{workdir}/{w}"))
                    };
                    if w != "/" {
                        while w.len() > 1 && w.ends_with('/') {
                            w.pop();
                        }
                    }
                    workdir = w.clone();
                    Instruction::Workdir(w)
                }
                "maintainer" => {
                    if raw.rest.is_empty() {
                        return Err(fail("MAINTAINER requires exactly one argument".into()));
                    }
                    Instruction::Maintainer(raw.rest.clone())
                }
                other => {
                    let why = REFUSED_WHY
                        .iter()
                        .find(|(k, _)| *k == other)
                        .map_or("it is not part of the Kubefile subset (FROM, COPY, ADD, LABEL, ENV, ARG, CMD, ENTRYPOINT, WORKDIR)", |(_, w)| w);
                    return Err(fail(format!(
                        "{} is not supported in cluster images ({why})",
                        raw.keyword.to_uppercase()
                    )));
                }
            };
            if let Some(p) = plan.as_mut() {
                p.steps.push(Step {
                    file: raw.file.clone(),
                    line: raw.line,
                    instruction,
                });
            }
        }
        plan.ok_or_else(|| SyntaxError {
            file: raws.first().map(|r| r.file.clone()).unwrap_or_default(),
            line: raws.last().map_or(0, |r| r.line),
            message: "no FROM statement found".into(),
        })
    }

    /// The config changes of the plan.
    pub fn config_changes(&self) -> ConfigChanges {
        let mut c = ConfigChanges::default();
        let mut cmd_set = false;
        for s in &self.steps {
            match &s.instruction {
                Instruction::Env(v) => c.env = merge_env(&c.env, &mk_env(v)),
                Instruction::Label(v) => {
                    for (k, val) in v {
                        c.labels.insert(k.clone(), val.clone());
                    }
                }
                Instruction::Cmd(f) => {
                    c.cmd = Some(Some(f.to_config()));
                    cmd_set = true;
                }
                Instruction::Entrypoint(f) => {
                    c.entrypoint = Some(match f {
                        CommandForm::Exec(v) => Some(v.clone()),
                        CommandForm::Shell(s) if s.is_empty() => None,
                        sh => Some(sh.to_config()),
                    });
                    if !cmd_set {
                        c.cmd = Some(None);
                    }
                }
                Instruction::Workdir(w) => c.workdir = Some(w.clone()),
                Instruction::Maintainer(m) => c.author = Some(m.clone()),
                Instruction::Arg(_) | Instruction::Copy { .. } => {}
            }
        }
        for (k, v) in &self.extra_labels {
            c.labels.insert(k.clone(), v.clone());
        }
        c
    }
}

fn parse_chown(v: &str) -> Result<(u64, u64), String> {
    let (u, g) = v.split_once(':').unwrap_or((v, v));
    match (u.parse::<u64>(), g.parse::<u64>()) {
        (Ok(u), Ok(g)) => Ok((u, g)),
        _ => Err(format!(
            "--chown={v}: only numeric uid[:gid] is supported (the image has no /etc/passwd at build time)"
        )),
    }
}

/// imagebuilder's `makeAbsolute`.
fn make_absolute(dest: &str, workdir: &str) -> String {
    let mut dest = dest.to_string();
    if dest == "." {
        dest = if workdir.ends_with('/') {
            workdir.to_string()
        } else {
            format!("{workdir}/")
        };
    }
    if !dest.starts_with('/') {
        let slash = dest.ends_with('/');
        dest = crate::glob::clean(&format!("/{workdir}/{dest}"));
        if slash && dest != "/" {
            dest.push('/');
        }
    }
    dest
}

/// Quotes a plan value when it would not read back as one word.
fn q(s: &str) -> String {
    if !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '$'))
    {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}

fn json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs = |v: &[(String, String)]| {
            v.iter()
                .map(|(k, v)| format!("{}={}", q(k), q(v)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        match self {
            Instruction::Arg(v) => {
                let s: Vec<String> = v
                    .iter()
                    .map(|(k, v)| match v {
                        Some(v) => format!("{}={}", q(k), q(v)),
                        None => q(k),
                    })
                    .collect();
                write!(f, "ARG {}", s.join(" "))
            }
            Instruction::Env(v) => write!(f, "ENV {}", pairs(v)),
            Instruction::Label(v) => write!(f, "LABEL {}", pairs(v)),
            Instruction::Copy {
                add,
                chown,
                chmod,
                sources,
                dest,
            } => {
                write!(f, "{}", if *add { "ADD" } else { "COPY" })?;
                if let Some((u, g)) = chown {
                    write!(f, " --chown={u}:{g}")?;
                }
                if let Some(m) = chmod {
                    write!(f, " --chmod={m:o}")?;
                }
                let mut all = sources.clone();
                all.push(dest.clone());
                write!(f, " {}", json(&all))
            }
            Instruction::Cmd(c) | Instruction::Entrypoint(c) => {
                let kw = if matches!(self, Instruction::Cmd(_)) {
                    "CMD"
                } else {
                    "ENTRYPOINT"
                };
                match c {
                    CommandForm::Exec(v) => write!(f, "{kw} {}", json(v)),
                    CommandForm::Shell(s) => write!(f, "{kw} {s}"),
                }
            }
            Instruction::Workdir(w) => write!(f, "WORKDIR {w}"),
            Instruction::Maintainer(m) => write!(f, "MAINTAINER {m}"),
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.base {
            Base::Scratch => write!(f, "FROM scratch")?,
            Base::Image(i) => write!(f, "FROM {i}")?,
        }
        if let Some(n) = &self.stage_name {
            write!(f, " AS {n}")?;
        }
        writeln!(f)?;
        for s in &self.steps {
            writeln!(f, "{}", s.instruction)?;
        }
        if !self.extra_labels.is_empty() {
            writeln!(
                f,
                "LABEL {}",
                self.extra_labels
                    .iter()
                    .map(|(k, v)| format!("{}={}", q(k), q(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )?;
        }
        Ok(())
    }
}

/// The instruction as buildkit's `Node.Dump` prints it (`(env "k" "v" "=")`), following
/// buildkit's per-keyword argument parsers. For parser conformance tests; ONBUILD and
/// HEALTHCHECK arguments are not split.
pub fn dump(raw: &RawInstruction) -> Result<String, String> {
    let escape = raw.escape;
    let cmd = raw.keyword.to_ascii_lowercase();
    let mut nodes: Vec<String> = Vec::new();
    let ws_split = |s: &str| -> Vec<String> {
        if s.is_empty() {
            Vec::new()
        } else {
            s.split(is_ws).map(String::from).collect()
        }
    };
    match cmd.as_str() {
        "env" | "label" => {
            let words = parse_words(&raw.rest, escape);
            if !words.is_empty() {
                let legacy = !words[0].contains('=');
                for (k, v) in name_vals(&raw.rest, escape, &cmd.to_uppercase())? {
                    nodes.push(k);
                    nodes.push(v);
                    nodes.push(if legacy { String::new() } else { "=".into() });
                }
            }
        }
        "arg" => nodes = parse_words(&raw.rest, escape),
        "from" | "expose" => nodes = ws_split(&raw.rest),
        "copy" | "add" | "volume" => {
            nodes = match parse_json(&raw.rest)? {
                Some(v) => v,
                None => ws_split(&raw.rest),
            }
        }
        "run" | "cmd" | "entrypoint" | "shell" if !raw.rest.is_empty() => {
            nodes = match parse_json(&raw.rest)? {
                Some(v) => v,
                None => vec![raw.rest.clone()],
            }
        }
        "workdir" | "maintainer" | "user" | "stopsignal" if !raw.rest.is_empty() => {
            nodes.push(raw.rest.clone());
        }
        _ => {}
    }
    let mut s = cmd;
    if !raw.flags.is_empty() {
        let f: Vec<String> = raw
            .flags
            .iter()
            .map(|f| hoist_gotmpl::gofmt::quote(f))
            .collect();
        s.push_str(&format!(" [{}]", f.join(" ")));
    }
    for n in nodes {
        s.push(' ');
        s.push_str(&hoist_gotmpl::gofmt::quote(&n));
    }
    Ok(s)
}
