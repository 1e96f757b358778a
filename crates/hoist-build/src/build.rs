//! `hoist build`: parse → expand → plan → layers → OCI layout.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::discover::{Discovered, discover};
use crate::kubefile::{Base, DEFAULT_PATH_ENV, Instruction, Plan, PlanOptions, merge_env};
use crate::layers::{CopySpec, Layer, collect, default_threads, ignore_rules, write_layer_threads};
use crate::oci::{Descriptor, MEDIA_LAYER_GZIP, read_base, rfc3339, write_image};
use crate::{Error, Platform, Result};

/// File names used when no `-f` is given, in order (sealos `pkg/buildah/build.go`): every one
/// present is used.
pub const DEFAULT_BUILD_FILES: [&str; 4] = ["Sealfile", "Kubefile", "Dockerfile", "Containerfile"];

/// Options of one build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The context directory.
    pub context: PathBuf,
    /// `-f` files; empty means [`find_build_files`].
    pub files: Vec<PathBuf>,
    /// The tag recorded in `index.json` (`org.opencontainers.image.ref.name`).
    pub tag: Option<String>,
    /// `--build-arg K=V` (`None` value: empty).
    pub build_args: Vec<(String, Option<String>)>,
    /// `--label K=V`
    pub labels: Vec<(String, String)>,
    /// `--platform`
    pub platform: Platform,
    /// The OCI layout directory to write (created; an existing layout gains the image).
    pub output: PathBuf,
    /// For `FROM IMAGE`: an OCI layout holding that image (the caller pulls it).
    pub base: Option<PathBuf>,
    /// The `ref.name` of the base image in `base` (when it holds several).
    pub base_ref: Option<String>,
    /// `SOURCE_DATE_EPOCH`: timestamps of entries, config and history (default 0).
    pub source_date_epoch: Option<u64>,
    /// Plan and discover only; write nothing.
    pub dry_run: bool,
    /// Also list the images the context needs ([`discover`]).
    pub discover: bool,
    /// Compression threads per layer; 0 means one per CPU. Layers are the same on any number.
    pub threads: usize,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuiltImage {
    /// The expanded plan.
    pub plan: Plan,
    /// The discovered images (when asked for).
    pub discovered: Option<Discovered>,
    /// The manifest written (None in a dry run).
    pub manifest: Option<Descriptor>,
    /// The exact manifest bytes.
    pub manifest_bytes: Vec<u8>,
    /// The config digest.
    pub config_digest: Option<String>,
    /// The exact config bytes.
    pub config_bytes: Vec<u8>,
    /// New layers, in order.
    pub layers: Vec<Layer>,
}

/// Progress of a build (the CLI draws it).
pub trait Reporter {
    /// Step `index` (1-based) of `total` starts.
    fn step(&self, _index: usize, _total: usize, _instruction: &str) {}
    /// A layer was written.
    fn layer(&self, _layer: &Layer) {}
}

struct NoReport;
impl Reporter for NoReport {}

/// The default build files present in `ctx`.
pub fn find_build_files(ctx: &Path) -> Result<Vec<PathBuf>> {
    let found: Vec<PathBuf> = DEFAULT_BUILD_FILES
        .iter()
        .map(|n| ctx.join(n))
        .filter(|p| p.is_file())
        .collect();
    if found.is_empty() {
        return Err(Error::Options(format!(
            "cannot find any of {} in context directory",
            DEFAULT_BUILD_FILES.join(", ")
        )));
    }
    Ok(found)
}

/// Parses and expands the build files of `opts`.
pub fn plan(opts: &BuildOptions) -> Result<Plan> {
    let files = if opts.files.is_empty() {
        find_build_files(&opts.context)?
    } else {
        opts.files.clone()
    };
    let mut texts = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| Error::io(&f, e))?;
        texts.push((f, String::from_utf8_lossy(&bytes).into_owned()));
    }
    let popts = PlanOptions {
        build_args: opts.build_args.clone(),
        labels: opts.labels.clone(),
        platform: opts.platform.clone(),
    };
    Ok(Plan::from_files(&texts, &popts)?)
}

/// Builds the image (see the crate docs).
pub fn build(opts: &BuildOptions) -> Result<BuiltImage> {
    build_with(opts, &NoReport)
}

/// Removes a scratch directory on drop.
struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn created_by(i: &Instruction, layer: Option<&Layer>) -> String {
    let body = match (i, layer) {
        (
            Instruction::Copy {
                add, sources, dest, ..
            },
            Some(l),
        ) => {
            let kind = if sources.len() == 1 && !sources[0].ends_with('/') && sources[0] != "." {
                "file"
            } else {
                "dir"
            };
            format!(
                "{} {kind}:{} in {dest} ",
                if *add { "ADD" } else { "COPY" },
                l.diff_id.trim_start_matches("sha256:")
            )
        }
        (other, _) => other.to_string(),
    };
    format!("/bin/sh -c #(nop) {body}")
}

/// [`build`] with progress.
pub fn build_with(opts: &BuildOptions, reporter: &dyn Reporter) -> Result<BuiltImage> {
    let plan = plan(opts)?;
    let discovered = if opts.discover {
        Some(discover(&opts.context)?)
    } else {
        None
    };
    let mut out = BuiltImage {
        plan,
        discovered,
        manifest: None,
        manifest_bytes: Vec::new(),
        config_digest: None,
        config_bytes: Vec::new(),
        layers: Vec::new(),
    };
    if opts.dry_run {
        return Ok(out);
    }
    let base = match (&out.plan.base, &opts.base) {
        (Base::Scratch, _) => None,
        (Base::Image(_), Some(layout)) => {
            Some(read_base(layout, opts.base_ref.as_deref(), &opts.platform)?)
        }
        (Base::Image(i), None) => {
            return Err(Error::Options(format!(
                "FROM {i}: the base image must be given as an OCI layout"
            )));
        }
    };
    let ctx = &opts.context;
    let ignore = ignore_rules(ctx).map_err(Error::Options)?;
    let mtime = opts.source_date_epoch.unwrap_or(0);
    let created = rfc3339(mtime);
    let layout = &opts.output;
    std::fs::create_dir_all(layout).map_err(|e| Error::io(layout, e))?;
    let scratch = TempDir(layout.join(format!(".hoist-build-{}", crate::unique_suffix())));
    let blobs = layout.join("blobs").join("sha256");

    let mut layer_descs: Vec<Descriptor> = Vec::new();
    let mut diff_ids: Vec<Value> = Vec::new();
    let mut history: Vec<Value> = Vec::new();
    if let Some(b) = &base {
        for l in &b.layers {
            crate::oci::copy_blob(&b.layout, layout, &l.digest)?;
            layer_descs.push(l.clone());
        }
        if let Some(d) = b
            .config
            .pointer("/rootfs/diff_ids")
            .and_then(Value::as_array)
        {
            diff_ids.extend(d.iter().cloned());
        }
        if let Some(h) = b.config.get("history").and_then(Value::as_array) {
            history.extend(h.iter().cloned());
        }
    }
    let total = out.plan.steps.len();
    let threads = match opts.threads {
        0 => default_threads(),
        n => n,
    };
    for (n, step) in out.plan.steps.iter().enumerate() {
        reporter.step(n + 1, total, &step.instruction.to_string());
        let mut layer = None;
        if let Instruction::Copy {
            add,
            chown,
            chmod,
            sources,
            dest,
        } = &step.instruction
        {
            let spec = CopySpec {
                add: *add,
                sources: sources.clone(),
                dest: dest.clone(),
                chown: *chown,
                chmod: *chmod,
            };
            std::fs::create_dir_all(&scratch.0).map_err(|e| Error::io(&scratch.0, e))?;
            let contents =
                collect(ctx, &spec, &ignore, &scratch.0).map_err(|message| Error::Copy {
                    file: step.file.clone(),
                    line: step.line,
                    message,
                })?;
            let l = write_layer_threads(&contents, &blobs, mtime, threads).map_err(|e| {
                Error::Copy {
                    file: step.file.clone(),
                    line: step.line,
                    message: e.to_string(),
                }
            })?;
            reporter.layer(&l);
            layer_descs.push(Descriptor {
                media_type: MEDIA_LAYER_GZIP.into(),
                digest: l.digest.clone(),
                size: l.size,
            });
            diff_ids.push(Value::String(l.diff_id.clone()));
            out.layers.push(l.clone());
            layer = Some(l);
        }
        let mut h = Map::new();
        h.insert("created".into(), Value::String(created.clone()));
        h.insert(
            "created_by".into(),
            Value::String(created_by(&step.instruction, layer.as_ref())),
        );
        if layer.is_none() {
            h.insert("empty_layer".into(), Value::Bool(true));
        }
        history.push(Value::Object(h));
    }

    let config = image_config(
        &out.plan,
        base.as_ref().map(|b| &b.config),
        opts,
        &created,
        diff_ids,
        history,
    );
    let config_bytes = serde_json::to_vec(&config).map_err(|e| Error::Options(e.to_string()))?;
    let (desc, manifest_bytes) =
        write_image(layout, &config_bytes, &layer_descs, opts.tag.as_deref())?;
    out.config_digest = Some(crate::layers::sha256_bytes(&config_bytes));
    out.config_bytes = config_bytes;
    out.manifest = Some(desc);
    out.manifest_bytes = manifest_bytes;
    Ok(out)
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The image config: the base's (if any) with the plan applied.
fn image_config(
    plan: &Plan,
    base: Option<&Value>,
    opts: &BuildOptions,
    created: &str,
    diff_ids: Vec<Value>,
    history: Vec<Value>,
) -> Value {
    let changes = plan.config_changes();
    let mut root = match base {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let mut cfg = match root.remove("config") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    // imagebuilder `FromImage`: a base without PATH gets the default one.
    let mut env = str_list(cfg.get("Env"));
    if !env
        .iter()
        .any(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) == "PATH")
    {
        env.push(format!("PATH={DEFAULT_PATH_ENV}"));
    }
    let env = merge_env(&env, &changes.env);
    cfg.insert("Env".into(), json!(env));
    if let Some(c) = &changes.entrypoint {
        match c {
            Some(v) => cfg.insert("Entrypoint".into(), json!(v)),
            None => cfg.remove("Entrypoint"),
        };
    }
    if let Some(c) = &changes.cmd {
        match c {
            Some(v) => cfg.insert("Cmd".into(), json!(v)),
            None => cfg.remove("Cmd"),
        };
    }
    if let Some(w) = &changes.workdir {
        cfg.insert("WorkingDir".into(), json!(w));
    }
    if !changes.labels.is_empty() {
        let mut labels = match cfg.remove("Labels") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for (k, v) in &changes.labels {
            labels.insert(k.clone(), json!(v));
        }
        cfg.insert("Labels".into(), Value::Object(labels));
    }
    if let Some(a) = &changes.author {
        root.insert("author".into(), json!(a));
    }
    root.insert("created".into(), json!(created));
    root.insert("architecture".into(), json!(opts.platform.architecture));
    root.insert("os".into(), json!(opts.platform.os));
    match &opts.platform.variant {
        Some(v) => root.insert("variant".into(), json!(v)),
        None => root.remove("variant"),
    };
    root.insert("config".into(), Value::Object(cfg));
    root.insert(
        "rootfs".into(),
        json!({"type": "layers", "diff_ids": diff_ids}),
    );
    root.insert("history".into(), Value::Array(history));
    Value::Object(root)
}
