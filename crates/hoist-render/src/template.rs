//! `helm template`: load, values, dependencies, render, sort, and print, as Helm v4.2.3 does.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hoist_gotmpl::{Dict, Map, MapKind, Value};

use crate::engine::{self, EngineOptions, VALUES_TYPE};
use crate::manifest::{self, Hook};
use crate::objects::{Capabilities, HelmVersion, KubeVersion, VersionSet};

pub use hoist_chart::ValueOptions;

/// Capability defaults that Helm's own test harness changes (see the README).
#[derive(Debug, Clone, Default)]
pub struct CompatEnv {
    /// `HOIST_DEFAULT_KUBE_VERSION`
    pub default_kube_version: Option<String>,
    /// `HOIST_HELM_VERSION`
    pub helm_version: Option<String>,
    /// `HOIST_HELM_GO_VERSION`
    pub helm_go_version: Option<String>,
    /// `HOIST_HELM_KUBE_CLIENT_VERSION`
    pub helm_kube_client_version: Option<String>,
    /// `HOIST_NOW`: a fixed clock for `now` (RFC 3339, UTC: `2006-01-02T15:04:05Z`).
    pub now: Option<String>,
}

impl CompatEnv {
    /// Reads the `HOIST_*` compatibility variables.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok();
        CompatEnv {
            default_kube_version: var("HOIST_DEFAULT_KUBE_VERSION"),
            helm_version: var("HOIST_HELM_VERSION"),
            helm_go_version: var("HOIST_HELM_GO_VERSION"),
            helm_kube_client_version: var("HOIST_HELM_KUBE_CLIENT_VERSION"),
            now: var("HOIST_NOW"),
        }
    }
}

/// Everything `helm template` takes.
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    /// `[NAME] [CHART]`
    pub args: Vec<String>,
    /// `--name-template`
    pub name_template: Option<String>,
    /// `--generate-name`
    pub generate_name: bool,
    /// `-n`
    pub namespace: String,
    /// `-f`, `--set*`
    pub values: ValueOptions,
    /// `--include-crds`
    pub include_crds: bool,
    /// `--skip-tests`
    pub skip_tests: bool,
    /// `--no-hooks`
    pub no_hooks: bool,
    /// `--show-only`
    pub show_only: Vec<String>,
    /// `--kube-version`
    pub kube_version: Option<String>,
    /// `--api-versions`
    pub api_versions: Vec<String>,
    /// `--is-upgrade`
    pub is_upgrade: bool,
    /// `--output-dir`
    pub output_dir: Option<PathBuf>,
    /// `--release-name`
    pub use_release_name: bool,
    /// `--skip-schema-validation`
    pub skip_schema_validation: bool,
    /// `--debug`
    pub debug: bool,
    /// Capability defaults.
    pub env: CompatEnv,
}

/// What `helm template` prints: stdout, then (on failure) the error after `Error: `.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateOutcome {
    /// Text for stdout.
    pub stdout: String,
    /// The error message, when the command fails.
    pub error: Option<String>,
}

impl TemplateOutcome {
    fn fail(message: impl Into<String>) -> Self {
        TemplateOutcome {
            stdout: String::new(),
            error: Some(message.into()),
        }
    }
}

/// An error after the release object exists: Helm suggests `--debug` and, with it, prints what
/// was rendered.
struct ReleaseError {
    message: String,
    manifest: String,
}

fn validate_release_name(name: &str) -> Result<(), String> {
    const PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    if name.is_empty() {
        return Err("no name provided".into());
    }
    let re = regex::Regex::new(PATTERN).expect("valid regex");
    if name.len() > 53 || !re.is_match(name) {
        return Err(format!(
            "invalid release name, must match regex {PATTERN} and the length must not be longer than 53"
        ));
    }
    Ok(())
}

fn name_and_chart(opts: &TemplateOptions) -> Result<(String, String), String> {
    let args = &opts.args;
    if args.len() > 2 {
        return Err(format!(
            "expected at most two arguments, unexpected arguments: {}",
            args[2..].join(", ")
        ));
    }
    if args.len() == 2 {
        if opts.generate_name {
            return Err("cannot set --generate-name and also specify a name".into());
        }
        if opts.name_template.is_some() {
            return Err("cannot set --name-template and also specify a name".into());
        }
        return Ok((args[0].clone(), args[1].clone()));
    }
    let chart = args.first().cloned().unwrap_or_default();
    if let Some(tpl) = &opts.name_template {
        return Ok((crate::funcs::name_template(tpl)?, chart));
    }
    // `helm template` sets the release name to "release-name" before this check.
    Ok(("release-name".into(), chart))
}

fn locate_chart(name: &str) -> Result<PathBuf, String> {
    let name = name.trim();
    let path = Path::new(name);
    if path.exists() {
        return Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    }
    if path.is_absolute() || name.starts_with('.') {
        return Err(format!("path {name:?} not found"));
    }
    match name.split_once('/') {
        Some((repo, _)) => Err(format!("repo {repo} not found")),
        None => Err(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {name}"
        )),
    }
}

fn capabilities(opts: &TemplateOptions) -> Result<Capabilities, String> {
    let mut caps = Capabilities::helm_default();
    let env = &opts.env;
    if let Some(v) = &env.default_kube_version {
        caps.kube_version = KubeVersion::parse(v)?.into();
    }
    if env.helm_version.is_some()
        || env.helm_go_version.is_some()
        || env.helm_kube_client_version.is_some()
    {
        let mut hv: HelmVersion = (*caps.helm_version).clone();
        if let Some(v) = &env.helm_version {
            hv.version.clone_from(v);
        }
        if let Some(v) = &env.helm_go_version {
            hv.go_version.clone_from(v);
        }
        if let Some(v) = &env.helm_kube_client_version {
            hv.kube_client_version.clone_from(v);
        }
        caps.helm_version = hv.into();
    }
    if let Some(v) = &opts.kube_version {
        caps.kube_version = KubeVersion::parse(v)
            .map_err(|e| format!("invalid kube version '{v}': {e}"))?
            .into();
    }
    if !opts.api_versions.is_empty() {
        let mut all = caps.api_versions.0.clone();
        all.extend(opts.api_versions.iter().cloned());
        caps.api_versions = VersionSet(all).into();
    }
    Ok(caps)
}

/// Parses an RFC 3339 instant (`2006-01-02T15:04:05Z`).
fn parse_utc(s: &str) -> Result<std::time::SystemTime, String> {
    s.parse::<jiff::Timestamp>()
        .map(std::time::SystemTime::from)
        .map_err(|_| format!("HOIST_NOW: {s:?} is not a time like 2006-01-02T15:04:05Z"))
}

/// Runs `helm template` and returns what it prints.
pub fn run(opts: &TemplateOptions) -> TemplateOutcome {
    if let Some(now) = &opts.env.now {
        match parse_utc(now) {
            Ok(t) => hoist_sprig::set_clock(Some(t)),
            Err(e) => return TemplateOutcome::fail(e),
        }
    }
    // `--kube-version` is checked first, in the command itself.
    let caps = match capabilities(opts) {
        Ok(c) => c,
        Err(e) => return TemplateOutcome::fail(e),
    };
    let (name, chart_ref) = match name_and_chart(opts) {
        Ok(x) => x,
        Err(e) => return TemplateOutcome::fail(e),
    };
    let path = match locate_chart(&chart_ref) {
        Ok(p) => p,
        Err(e) => return TemplateOutcome::fail(e),
    };
    let user_values = match hoist_chart::merge_values(&opts.values) {
        Ok(v) => v,
        Err(e) => return TemplateOutcome::fail(e.to_string()),
    };
    let mut chart = match hoist_chart::load(&path) {
        Ok(c) => c,
        Err(e) => return TemplateOutcome::fail(e.to_string()),
    };
    if let Err(e) = hoist_chart::check_installable(&chart) {
        return TemplateOutcome::fail(e.to_string());
    }
    if chart.metadata.deps().next().is_some()
        && let Err(e) = hoist_chart::check_dependencies(&chart)
    {
        return TemplateOutcome::fail(format!(
            "an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: {e}"
        ));
    }
    if let Err(e) = validate_release_name(&name) {
        return TemplateOutcome::fail(format!(
            "release name check failed: release name {name:?}: {e}"
        ));
    }
    if let Err(e) = hoist_chart::process_dependencies(&mut chart, &user_values) {
        return TemplateOutcome::fail(format!("chart dependencies processing failed: {e}"));
    }

    let top = match render_values(&chart, &user_values, opts, &name, &caps) {
        Ok(t) => t,
        Err(e) => return TemplateOutcome::fail(e),
    };

    match render_resources(&chart, &top, &caps, opts, &name) {
        Ok(rendered) => print(opts, &name, rendered),
        Err(err) => {
            if opts.debug {
                TemplateOutcome {
                    stdout: format!("{}\n", err.manifest.trim_matches(is_space)),
                    error: Some(err.message),
                }
            } else {
                TemplateOutcome::fail(format!(
                    "{}\n\nUse --debug flag to render out invalid YAML",
                    err.message
                ))
            }
        }
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Helm's `ToRenderValuesWithSchemaValidation`.
fn render_values(
    chart: &hoist_chart::Chart,
    user_values: &Value,
    opts: &TemplateOptions,
    name: &str,
    caps: &Capabilities,
) -> Result<Dict, String> {
    let mut release = Map::new();
    release.insert("Name".into(), Value::string(name));
    release.insert("Namespace".into(), Value::string(&opts.namespace));
    release.insert("IsUpgrade".into(), Value::Bool(opts.is_upgrade));
    release.insert("IsInstall".into(), Value::Bool(!opts.is_upgrade));
    release.insert("Revision".into(), Value::Int(1));
    release.insert("Service".into(), Value::string("Helm"));

    let top = Dict::with_kind(Map::new(), VALUES_TYPE);
    top.insert("Chart", chart.metadata_as_map());
    top.insert(
        "Capabilities",
        Value::Object(std::rc::Rc::new(caps.clone())),
    );
    top.insert("Release", Value::map(release));

    let vals = hoist_chart::coalesce_values(chart, user_values).map_err(|e| e.to_string())?;
    if !opts.skip_schema_validation {
        hoist_chart::validate_against_schema(chart, &vals)
            .map_err(|e| format!("{}{e}", hoist_chart::SCHEMA_ERROR_PREFIX))?;
    }
    let vals = match vals {
        Value::Map(d) => Value::Map(d.retyped(VALUES_TYPE)),
        _ => Value::Map(Dict::with_kind(Map::new(), VALUES_TYPE)),
    };
    top.insert("Values", vals);
    Ok(top)
}

struct Rendered {
    manifest: String,
    hooks: Vec<Hook>,
    /// The `wrote <path>` lines of `--output-dir`.
    wrote: String,
}

/// Helm's `renderResources` for `helm template`.
fn render_resources(
    chart: &hoist_chart::Chart,
    top: &Dict,
    caps: &Capabilities,
    opts: &TemplateOptions,
    release_name: &str,
) -> Result<Rendered, ReleaseError> {
    let fail = |message: String| ReleaseError {
        message,
        manifest: String::new(),
    };
    hoist_chart::check_kube_version(
        chart,
        &caps.kube_version.normalized,
        &caps.kube_version.version,
    )
    .map_err(|e| fail(e.to_string()))?;
    let mut files = engine::render(chart, top, EngineOptions::default()).map_err(fail)?;
    files.retain(|k, _| !k.ends_with("NOTES.txt"));

    let (hooks, manifests) =
        match manifest::sort_manifests(files.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            Ok(x) => x,
            Err(e) => {
                let mut blob = String::new();
                for (name, content) in &files {
                    if content.trim().is_empty() {
                        continue;
                    }
                    let _ = write!(blob, "---\n# Source: {name}\n{content}\n");
                }
                return Err(ReleaseError {
                    message: e.to_string(),
                    manifest: blob,
                });
            }
        };

    let mut b = String::new();
    let mut wrote = String::new();
    let mut written = std::collections::HashSet::new();
    if opts.include_crds {
        for (name, file) in chart.crd_objects() {
            let data = String::from_utf8_lossy(&file.data);
            match &opts.output_dir {
                None => {
                    let _ = write!(b, "---\n# Source: {name}\n{data}\n");
                }
                // Helm writes CRDs under the output dir itself, even with --release-name.
                Some(dir) => {
                    let append = written.contains(&name);
                    wrote.push_str(&write_to_file(dir, &name, &data, append).map_err(fail)?);
                    written.insert(name);
                }
            }
        }
    }
    let out_dir = release_dir(opts, release_name);
    for m in &manifests {
        match &out_dir {
            None => {
                let _ = write!(b, "---\n# Source: {}\n{}\n", m.path, m.content);
            }
            Some(dir) => {
                let append = written.contains(&m.path);
                wrote.push_str(&write_to_file(dir, &m.path, &m.content, append).map_err(fail)?);
                written.insert(m.path.clone());
            }
        }
    }
    Ok(Rendered {
        manifest: b,
        hooks,
        wrote,
    })
}

/// `--output-dir`, plus the release name with `--release-name`.
fn release_dir(opts: &TemplateOptions, release_name: &str) -> Option<PathBuf> {
    opts.output_dir.as_ref().map(|d| {
        if opts.use_release_name {
            d.join(release_name)
        } else {
            d.clone()
        }
    })
}

/// Helm's `writeToFile`: creates (or appends to) `<dir>/<name>` with the `# Source` header and
/// returns the `wrote <path>` line Helm prints.
fn write_to_file(dir: &Path, name: &str, data: &str, append: bool) -> Result<String, String> {
    use std::io::Write;
    let out_name = format!("{}/{name}", dir.display());
    let path = Path::new(&out_name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let mut f = if append {
        std::fs::OpenOptions::new().append(true).open(path)
    } else {
        std::fs::File::create(path)
    }
    .map_err(|e| e.to_string())?;
    write!(f, "---\n# Source: {name}\n{data}\n").map_err(|e| e.to_string())?;
    Ok(format!("wrote {out_name}\n"))
}

/// The command's printing: manifest, hooks, `--show-only`.
fn print(opts: &TemplateOptions, name: &str, rendered: Rendered) -> TemplateOutcome {
    let mut wrote = rendered.wrote;
    let mut out = String::new();
    out.push_str(rendered.manifest.trim_matches(is_space));
    out.push('\n');
    if !opts.no_hooks {
        let dir = release_dir(opts, name);
        for h in &rendered.hooks {
            if opts.skip_tests && h.is_test() {
                continue;
            }
            match &dir {
                None => {
                    let _ = write!(out, "---\n# Source: {}\n{}\n", h.path, h.manifest);
                }
                Some(dir) => {
                    // Helm appends to a file that already exists, from this run or an earlier one.
                    let append = dir.join(&h.path).exists();
                    match write_to_file(dir, &h.path, &h.manifest, append) {
                        Ok(line) => wrote.push_str(&line),
                        Err(e) => {
                            return TemplateOutcome {
                                stdout: wrote,
                                error: Some(e),
                            };
                        }
                    }
                }
            }
        }
    }
    if opts.show_only.is_empty() {
        return TemplateOutcome {
            stdout: wrote + &out,
            error: None,
        };
    }
    let docs = manifest::split_manifests(&out);
    let mut shown = String::new();
    for pattern in &opts.show_only {
        let mut missing = true;
        for doc in &docs {
            let Some(path) = source_path(doc) else {
                continue;
            };
            if !hoist_chart::go_filepath_match(pattern, path) {
                continue;
            }
            let _ = write!(shown, "---\n{doc}\n");
            missing = false;
        }
        if missing {
            return TemplateOutcome {
                stdout: wrote,
                error: Some(format!("could not find template {pattern} in chart")),
            };
        }
    }
    TemplateOutcome {
        stdout: wrote + &shown,
        error: None,
    }
}

/// `# Source: [^/]+/(.+)`: the template path inside the chart.
fn source_path(doc: &str) -> Option<&str> {
    let start = doc.find("# Source: ")? + "# Source: ".len();
    let rest = &doc[start..];
    let slash = rest.find('/')?;
    if slash == 0 || rest[..slash].contains('\n') {
        return None;
    }
    let path = &rest[slash + 1..];
    let end = path.find('\n').unwrap_or(path.len());
    let path = &path[..end];
    (!path.is_empty()).then_some(path)
}

#[allow(dead_code)]
fn plain(map: Map) -> Value {
    Value::Map(Dict::with_kind(map, MapKind::Plain))
}
