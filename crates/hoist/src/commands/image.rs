//! Cluster-image commands on the local store: `build`, `images`, `inspect`, `tag`, `rmi`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;
use hoist_oci::{Reference, Store};

/// The store every image command works on.
#[derive(Debug, Clone, Args)]
pub(crate) struct StoreArgs {
    /// The image store root (default: /var/lib/hoist for root, ~/.local/share/hoist otherwise).
    #[arg(long, env = "HOIST_ROOT", global = true)]
    root: Option<PathBuf>,
}

impl StoreArgs {
    pub(crate) fn open(&self) -> anyhow::Result<Store> {
        let root = self
            .root
            .clone()
            .unwrap_or_else(hoist_oci::store::default_root);
        Store::open(&root)
            .with_context(|| format!("cannot open the image store at `{}`", root.display()))
    }
}

fn parse_ref(name: &str) -> anyhow::Result<Reference> {
    Reference::parse(name).with_context(|| format!("invalid image name `{name}`"))
}

fn key_value(s: &str) -> (String, Option<String>) {
    match s.split_once('=') {
        Some((k, v)) => (k.to_string(), Some(v.to_string())),
        None => (s.to_string(), None),
    }
}

/// `hoist build`
#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The name (and tag) of the image.
    #[arg(short = 't', long = "tag")]
    tag: Option<String>,
    /// Build files (default: every Sealfile, Kubefile, Dockerfile, Containerfile in CONTEXT).
    #[arg(short = 'f', long = "file")]
    files: Vec<PathBuf>,
    /// `K=V` build arguments (a bare `K` takes its value from the environment).
    #[arg(long = "build-arg")]
    build_args: Vec<String>,
    /// `K=V` labels added to the image.
    #[arg(long = "label")]
    labels: Vec<String>,
    /// The target platform, `os/arch[/variant]` (default: this machine's).
    #[arg(long)]
    platform: Option<String>,
    /// Save the images the context needs into CONTEXT/registry before building.
    #[arg(long = "save-image", default_value_t = true, action = clap::ArgAction::Set)]
    save_image: bool,
    /// How many images to pull at once into CONTEXT/registry.
    #[arg(long = "max-pull-procs", default_value_t = 5)]
    max_pull_procs: usize,
    /// Verify registries' TLS certificates.
    #[arg(long = "tls-verify", default_value_t = false, action = clap::ArgAction::Set)]
    tls_verify: bool,
    /// Print the instruction plan and the images the context needs; write nothing.
    #[arg(long = "dry-run")]
    dry_run: bool,
    /// The build context.
    #[arg(default_value = ".")]
    context: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let platform = match &args.platform {
        Some(p) => {
            hoist_build::Platform::parse(p).with_context(|| format!("invalid platform `{p}`"))?
        }
        None => hoist_build::Platform::host(),
    };
    let tag = args.tag.as_deref().map(parse_ref).transpose()?;
    let build_args = args
        .build_args
        .iter()
        .map(|s| match key_value(s) {
            (k, None) => {
                let v = std::env::var(&k).ok();
                (k, v)
            }
            kv => kv,
        })
        .collect();
    let labels = args
        .labels
        .iter()
        .map(|s| {
            let (k, v) = key_value(s);
            (k, v.unwrap_or_default())
        })
        .collect();
    let mut opts = hoist_build::BuildOptions {
        context: args.context.clone(),
        files: args.files.clone(),
        tag: tag.as_ref().map(|r| r.to_string()),
        build_args,
        labels,
        platform,
        dry_run: args.dry_run,
        discover: args.dry_run || args.save_image,
        ..hoist_build::BuildOptions::default()
    };
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        let built = hoist_build::build(&opts)?;
        writeln!(out, "{}", built.plan)?;
        if let Some(found) = &built.discovered {
            for image in &found.images {
                writeln!(out, "{image}")?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.save_image {
        let found = hoist_build::discover(&args.context)
            .with_context(|| format!("cannot list the images of `{}`", args.context.display()))?;
        crate::commands::remote::save_images(
            &args.context.join("registry"),
            &found.images,
            args.max_pull_procs,
            args.tls_verify,
            args.platform.as_deref(),
        )?;
    }
    let store = args.store.open()?;
    let work = store
        .root()
        .join("tmp")
        .join(format!("build-{}", std::process::id()));
    let _cleanup = RemoveOnDrop(work.clone());
    let _ = std::fs::remove_dir_all(&work);
    opts.output = work.join("layout");
    let plan = hoist_build::plan(&opts)?;
    if let hoist_build::kubefile::Base::Image(base) = &plan.base {
        let base_ref = parse_ref(base)?;
        let base_dir = work.join("base");
        store.export_layout(&base_ref, &base_dir).with_context(|| {
            format!("the base image `{base}` is not in the local store; pull it first")
        })?;
        opts.base = Some(base_dir);
        opts.base_ref = Some(base_ref.to_string());
    }
    opts.discover = false;
    let built = hoist_build::build(&opts)?;
    let Some(manifest) = built.manifest else {
        bail!("the build wrote no image");
    };
    let name = tag.unwrap_or(parse_ref(&format!(
        "localhost/hoist-build:{}",
        &manifest.digest[7..19]
    ))?);
    let digest = store
        .take_layout(&opts.output, &name)
        .with_context(|| format!("cannot store `{name}`"))?;
    writeln!(out, "{digest}")?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) struct RemoveOnDrop(pub(crate) PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `hoist images`
#[derive(Debug, Args)]
pub(crate) struct ImagesArgs {
    /// `table` or `json`.
    #[arg(short = 'o', long = "output", default_value = "table")]
    output: String,
    #[command(flatten)]
    store: StoreArgs,
}

fn human_size(bytes: u64) -> String {
    // podman prints decimal units with three significant digits.
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u < units.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.3} {}", units[u]).replace(".000", "")
    }
}

pub(crate) fn images(args: ImagesArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let list = store.list()?;
    let mut out = std::io::stdout().lock();
    match args.output.as_str() {
        "json" => {
            let rows: Vec<serde_json::Value> = list
                .iter()
                .map(|i| {
                    serde_json::json!({
                        "name": i.reference.to_string(),
                        "repository": i.reference.repository(),
                        "tag": i.reference.tag(),
                        "digest": i.digest.to_string(),
                        "id": i.config_digest.to_string(),
                        "size": i.size,
                        "created": i.created,
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        }
        "table" => {
            writeln!(
                out,
                "{:<48} {:<16} {:<14} {:<22} SIZE",
                "REPOSITORY", "TAG", "IMAGE ID", "CREATED"
            )?;
            for i in &list {
                let id = i.config_digest.to_string();
                let id = id.strip_prefix("sha256:").unwrap_or(&id);
                writeln!(
                    out,
                    "{:<48} {:<16} {:<14} {:<22} {}",
                    i.reference.repository(),
                    i.reference.tag().unwrap_or("<none>"),
                    &id[..id.len().min(12)],
                    i.created.as_deref().unwrap_or(""),
                    human_size(i.size)
                )?;
            }
        }
        other => bail!("unknown output format `{other}` (use `table` or `json`)"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoist inspect`
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The image.
    image: String,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn inspect(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let name = parse_ref(&args.image)?;
    let info = store.resolve(&name).with_context(|| {
        format!(
            "image `{name}` is not in the local store at `{}`",
            store.root().display()
        )
    })?;
    let manifest: serde_json::Value = serde_json::from_slice(&info.image_manifest)?;
    let config: serde_json::Value = serde_json::from_slice(&info.config)?;
    let doc = serde_json::json!({
        "Name": info.reference.to_string(),
        "Digest": info.digest.to_string(),
        "MediaType": info.media_type,
        "ImageDigest": info.image_digest.to_string(),
        "ConfigDigest": info.config_digest.to_string(),
        "Size": info.size,
        "Created": info.created,
        "Labels": config.pointer("/config/Labels").cloned().unwrap_or(serde_json::Value::Null),
        "Manifest": manifest,
        "Config": config,
    });
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(&doc)?
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `hoist tag`
#[derive(Debug, Args)]
pub(crate) struct TagArgs {
    /// The existing image.
    source: String,
    /// New names for it.
    #[arg(required = true)]
    targets: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn tag(args: TagArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let source = parse_ref(&args.source)?;
    let info = store
        .resolve(&source)
        .with_context(|| format!("image `{source}` is not in the local store"))?;
    for t in &args.targets {
        store.tag(&parse_ref(t)?, &info.digest)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoist rmi`
#[derive(Debug, Args)]
pub(crate) struct RmiArgs {
    /// The images to remove.
    #[arg(required = true)]
    images: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn rmi(args: RmiArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let mut out = std::io::stdout().lock();
    for image in &args.images {
        let name = parse_ref(image)?;
        store
            .remove(&name)
            .with_context(|| format!("cannot remove `{name}`"))?;
        writeln!(out, "Untagged: {name}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoist save`
#[derive(Debug, Args)]
pub(crate) struct SaveArgs {
    /// The archive to write.
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// `oci-archive` or `docker-archive`.
    #[arg(long, default_value = "oci-archive")]
    format: String,
    /// The images to save.
    #[arg(required = true)]
    images: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn save(args: SaveArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let format: hoist_oci::archive::ArchiveFormat = args.format.parse().map_err(|_| {
        anyhow::anyhow!(
            "unknown archive format `{}` (use `oci-archive` or `docker-archive`)",
            args.format
        )
    })?;
    let refs = args
        .images
        .iter()
        .map(|i| parse_ref(i))
        .collect::<anyhow::Result<Vec<_>>>()?;
    hoist_oci::archive::save(&store, &refs, &args.output, format)
        .with_context(|| format!("cannot save to `{}`", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// `hoist load`
#[derive(Debug, Args)]
pub(crate) struct LoadArgs {
    /// The archive (oci-archive, docker-archive, or an OCI layout directory).
    #[arg(short = 'i', long = "input")]
    input: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn load(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let loaded = hoist_oci::archive::load(&store, &args.input)
        .with_context(|| format!("cannot load `{}`", args.input.display()))?;
    let mut out = std::io::stdout().lock();
    for l in loaded {
        writeln!(out, "Loaded image: {}", l.reference)?;
    }
    Ok(ExitCode::SUCCESS)
}
