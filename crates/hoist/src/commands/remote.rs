//! Commands that talk to registries: `pull`, `push`, `login`, `logout`, and the image saving
//! step of `build`.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context as _;
use clap::Args;
use hoist_distribution::{Client, ClientOptions, PullOptions, PushOptions, Secret};
use indicatif::{ProgressBar, ProgressStyle};

use crate::commands::image::StoreArgs;

/// A transfer progress bar on stderr; indicatif draws nothing when stderr is not a terminal.
struct Bar {
    bar: ProgressBar,
    seen: Mutex<HashMap<String, u64>>,
}

impl Bar {
    fn new(message: String) -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(message);
        Bar {
            bar,
            seen: Mutex::new(HashMap::new()),
        }
    }
}

impl hoist_distribution::Reporter for Bar {
    fn on_blob_start(&self, _digest: &str, size: u64) {
        self.bar.inc_length(size);
    }

    fn on_blob_progress(&self, digest: &str, bytes: u64) {
        let mut seen = self.seen.lock().expect("progress lock");
        let last = seen.insert(digest.to_string(), bytes).unwrap_or(0);
        self.bar.inc(bytes.saturating_sub(last));
    }

    fn on_blob_done(&self, _digest: &str) {}

    fn on_blob_skipped(&self, _digest: &str, _size: u64) {}
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Registry connection flags.
#[derive(Debug, Clone, Args)]
pub(crate) struct RegistryArgs {
    /// Require HTTPS and verify certificates (hoist, like sealos, defaults to false).
    #[arg(long = "tls-verify", default_value_t = false, action = clap::ArgAction::Set)]
    tls_verify: bool,
    /// The auth file (containers' auth.json).
    #[arg(long)]
    authfile: Option<PathBuf>,
}

impl RegistryArgs {
    fn client(&self) -> anyhow::Result<Client> {
        Ok(Client::new(ClientOptions {
            insecure: !self.tls_verify,
            authfile: self.authfile.clone(),
            ..ClientOptions::default()
        })?)
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// `hoist pull`
#[derive(Debug, Args)]
pub(crate) struct PullArgs {
    /// The image.
    image: String,
    /// `os/arch[/variant]` to pick from a multi-platform image (default: this machine's).
    #[arg(long)]
    platform: Option<String>,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    store: StoreArgs,
}

/// Pulls `image` into a scratch OCI layout at `dir`; returns the manifest digest.
async fn pull_to_layout(
    client: &Client,
    image: &str,
    platform: Option<&str>,
    dir: &Path,
    max_concurrent: usize,
) -> anyhow::Result<String> {
    let reference = hoist_distribution::Reference::parse(image)
        .with_context(|| format!("invalid image name `{image}`"))?;
    let platform = platform
        .map(hoist_distribution::Platform::parse)
        .transpose()
        .with_context(|| format!("invalid platform `{}`", platform.unwrap_or_default()))?;
    let bar = Bar::new(format!("pull {image}"));
    let opts = PullOptions {
        platform,
        max_concurrent,
        ref_name: Some("image".into()),
        ..PullOptions::default()
    };
    let result = hoist_distribution::pull(client, &reference, dir, &opts, &bar)
        .await
        .with_context(|| format!("cannot pull `{image}`"))?;
    Ok(result.manifest_digest)
}

/// Pulls `image` through a scratch layout in the store and names it `name`; returns the digest.
fn pull_into_store(
    store: &hoist_oci::Store,
    client: &Client,
    image: &str,
    name: &hoist_oci::Reference,
    platform: Option<&str>,
) -> anyhow::Result<hoist_oci::Digest> {
    let scratch = store
        .root()
        .join("tmp")
        .join(format!("pull-{}", std::process::id()));
    let _cleanup = crate::commands::image::RemoveOnDrop(scratch.clone());
    runtime()?.block_on(pull_to_layout(client, image, platform, &scratch, 4))?;
    store
        .take_layout(&scratch, name)
        .with_context(|| format!("cannot store `{name}`"))
}

pub(crate) fn pull(args: PullArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let name = hoist_oci::Reference::parse(&args.image)
        .with_context(|| format!("invalid image name `{}`", args.image))?;
    let client = args.registry.client()?;
    let digest = pull_into_store(
        &store,
        &client,
        &args.image,
        &name,
        args.platform.as_deref(),
    )?;
    writeln!(std::io::stdout().lock(), "{digest}")?;
    Ok(ExitCode::SUCCESS)
}

/// Makes sure `image` is in the store, pulling it when it is not (what `hoist run` does for
/// every image of a cluster).
pub(crate) fn ensure_image(
    store: &hoist_oci::Store,
    image: &str,
    registry: &RegistryArgs,
) -> anyhow::Result<()> {
    let name = hoist_oci::Reference::parse(image)
        .with_context(|| format!("invalid image name `{image}`"))?;
    if store.resolve(&name).is_ok() {
        return Ok(());
    }
    let client = registry.client()?;
    pull_into_store(store, &client, image, &name, None).with_context(|| {
        format!("image `{image}` is not in the local store and cannot be pulled")
    })?;
    Ok(())
}

/// `hoist push`
#[derive(Debug, Args)]
pub(crate) struct PushArgs {
    /// The image in the local store.
    image: String,
    /// Where to push it (default: its own name).
    destination: Option<String>,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn push(args: PushArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let name = hoist_oci::Reference::parse(&args.image)
        .with_context(|| format!("invalid image name `{}`", args.image))?;
    let dest_name = args
        .destination
        .clone()
        .unwrap_or_else(|| args.image.clone());
    let dest = hoist_distribution::Reference::parse(&dest_name)
        .with_context(|| format!("invalid image name `{dest_name}`"))?;
    let scratch = store
        .root()
        .join("tmp")
        .join(format!("push-{}", std::process::id()));
    let _cleanup = crate::commands::image::RemoveOnDrop(scratch.clone());
    store
        .export_layout_as(&name, &scratch, "image")
        .with_context(|| format!("image `{name}` is not in the local store"))?;
    let client = args.registry.client()?;
    let bar = Bar::new(format!("push {dest_name}"));
    let result = runtime()?
        .block_on(hoist_distribution::push(
            &client,
            &scratch,
            Some("image"),
            &dest,
            &PushOptions::default(),
            &bar,
        ))
        .with_context(|| format!("cannot push `{dest_name}`"))?;
    drop(bar);
    writeln!(std::io::stdout().lock(), "{}", result.manifest_digest)?;
    Ok(ExitCode::SUCCESS)
}

/// `hoist login`
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The registry (`host[:port]`).
    registry: String,
    /// The user name.
    #[arg(short = 'u', long)]
    username: String,
    /// The password (prefer --password-stdin: command lines are visible to other users).
    #[arg(short = 'p', long)]
    password: Option<String>,
    /// Read the password from standard input.
    #[arg(long = "password-stdin")]
    password_stdin: bool,
    #[command(flatten)]
    registry_args: RegistryArgs,
}

pub(crate) fn login(args: LoginArgs) -> anyhow::Result<ExitCode> {
    let password = match (&args.password, args.password_stdin) {
        (Some(p), false) => p.clone(),
        (None, true) => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s.trim_end_matches(['\n', '\r']).to_string()
        }
        _ => anyhow::bail!("give the password with exactly one of --password or --password-stdin"),
    };
    let file = runtime()?.block_on(hoist_distribution::auth::login(
        &args.registry,
        &args.username,
        Secret::new(password),
        args.registry_args.authfile.as_deref(),
        !args.registry_args.tls_verify,
    ))?;
    writeln!(
        std::io::stderr().lock(),
        "Login Succeeded (credentials in `{}`)",
        file.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `hoist logout`
#[derive(Debug, Args)]
pub(crate) struct LogoutArgs {
    /// The registry (`host[:port]`).
    registry: String,
    /// The auth file (containers' auth.json).
    #[arg(long)]
    authfile: Option<PathBuf>,
}

pub(crate) fn logout(args: LogoutArgs) -> anyhow::Result<ExitCode> {
    hoist_distribution::auth::logout(&args.registry, args.authfile.as_deref())
        .with_context(|| format!("cannot log out of `{}`", args.registry))?;
    writeln!(
        std::io::stderr().lock(),
        "Removed login credentials for {}",
        args.registry
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `build`'s image saving: pulls every image into `registry_dir` (`CONTEXT/registry`) in the distribution
/// filesystem layout, repositories without their registry domain, `max` pulls at a time.
pub(crate) fn save_images(
    registry_dir: &Path,
    images: &[String],
    max: usize,
    tls_verify: bool,
    platform: Option<&str>,
) -> anyhow::Result<()> {
    if images.is_empty() {
        return Ok(());
    }
    let layout = hoist_registry::Layout::open(registry_dir)
        .with_context(|| format!("cannot open `{}`", registry_dir.display()))?;
    let client = Client::new(ClientOptions {
        insecure: !tls_verify,
        ..ClientOptions::default()
    })?;
    let scratch = registry_dir.join(format!("_hoist_pull-{}", std::process::id()));
    let _cleanup = crate::commands::image::RemoveOnDrop(scratch.clone());
    let rt = runtime()?;
    rt.block_on(async {
        use futures::StreamExt as _;
        let jobs = images.iter().enumerate().map(|(i, image)| {
            let dir = scratch.join(i.to_string());
            let client = &client;
            async move {
                pull_to_layout(client, image, platform, &dir, 4).await?;
                anyhow::Ok((image.clone(), dir))
            }
        });
        let mut pulled = futures::stream::iter(jobs).buffer_unordered(max.max(1));
        while let Some(done) = pulled.next().await {
            let (image, dir) = done?;
            let name = hoist_oci::Reference::parse(&image)?;
            let tag = name.tag().unwrap_or("latest").to_string();
            layout
                .copy_from_oci_layout(&dir, "image", name.repository_without_domain(), &tag)
                .with_context(|| {
                    format!("cannot save `{image}` into `{}`", registry_dir.display())
                })?;
        }
        anyhow::Ok(())
    })
}
