//! Cluster commands: `run`, `apply`, `reset`, `add`, `delete`, `exec`, `scp`, `status`, `gen`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;
use hoist_apply::{Context, HostSel, Reporter, Request};
use hoist_cluster::{Clusterfile, Ssh, StateDir};
use hoist_exec::{HostKeyCheck, Line, SshOptions, Stream};
use indicatif::{ProgressBar, ProgressStyle};

use crate::commands::image::StoreArgs;
use crate::commands::remote::RegistryArgs;

/// Where cluster state lives and how hosts are reached; shared by every cluster command.
#[derive(Debug, Clone, Args)]
pub(crate) struct ClusterArgs {
    /// The cluster's name (default: the only cluster in the state directory, else `default`).
    #[arg(short = 'c', long = "cluster")]
    cluster: Option<String>,
    /// Local state: `<dir>/<cluster>/Clusterfile` and the unpacked images.
    #[arg(long = "state-dir", env = "HOIST_STATE_DIR")]
    state_dir: Option<PathBuf>,
    /// Where the cluster's files go on hosts: `<dir>/data/<cluster>` (default /var/lib/hoist;
    /// ~/.local/share/hoist for a non-root user deploying onto this machine only).
    #[arg(long = "data-root", env = "HOIST_DATA_ROOT")]
    data_root: Option<String>,
    /// Do not check SSH host keys (by default a host's key is recorded on first use in
    /// `<state-dir>/known_hosts` and a different key later is refused).
    #[arg(long = "insecure-ignore-host-keys")]
    insecure_ignore_host_keys: bool,
    /// Give up on a host when its connection is silent this long during a transfer or command
    /// output (e.g. `30s`, `2m`).
    #[arg(long = "ssh-timeout", default_value = "60s", value_parser = parse_duration)]
    ssh_timeout: Duration,
    /// How many hosts to work on at once.
    #[arg(long, default_value_t = 32)]
    parallel: usize,
    /// Print detail: what each sync sent, which hosts a step skipped because it already ran.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| s.split_at(i))
        .unwrap_or((s, "s"));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{s}`: use e.g. 30s, 2m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" | "" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("invalid duration `{s}`: use e.g. 30s, 2m")),
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

impl ClusterArgs {
    fn state_root(&self) -> PathBuf {
        self.state_dir
            .clone()
            .unwrap_or_else(|| home().join(".hoist"))
    }

    fn cluster_name(&self) -> anyhow::Result<String> {
        match &self.cluster {
            Some(c) => Ok(c.clone()),
            None => Ok(hoist_cluster::default_cluster(&self.state_root())?),
        }
    }

    fn context(&self, store: &StoreArgs, local_only: bool) -> anyhow::Result<Context> {
        let cluster = self.cluster_name()?;
        let root = self.state_root();
        let state = StateDir::open(&root, &cluster).with_context(|| {
            format!(
                "cannot open the state of cluster `{cluster}` in {}",
                root.display()
            )
        })?;
        let data_root = match &self.data_root {
            Some(d) => d.clone(),
            None if local_only && !rustix::process::geteuid().is_root() => home()
                .join(".local/share/hoist")
                .to_string_lossy()
                .into_owned(),
            None => "/var/lib/hoist".to_string(),
        };
        let host_key = if self.insecure_ignore_host_keys {
            HostKeyCheck::Ignore
        } else {
            HostKeyCheck::Tofu {
                known_hosts: root.join("known_hosts"),
            }
        };
        Ok(Context {
            state: Arc::new(state),
            cluster,
            store: Arc::new(store.open()?),
            data_root,
            ssh: SshOptions {
                stall_timeout: self.ssh_timeout,
                host_key,
                ..SshOptions::default()
            },
            parallel: self.parallel.max(1),
            reporter: Arc::new(Console::new(self.verbose)),
            self_exe: std::env::current_exe().context("cannot find the hoist binary")?,
        })
    }
}

/// SSH flags, as sealos spells them.
#[derive(Debug, Clone, Args)]
pub(crate) struct SshArgs {
    /// The SSH user (default root; others run everything through sudo).
    #[arg(short = 'u', long = "user")]
    user: Option<String>,
    /// The SSH password (also used for sudo).
    #[arg(
        short = 'p',
        long = "passwd",
        env = "HOIST_SSH_PASSWORD",
        hide_env_values = true
    )]
    passwd: Option<String>,
    /// A private key file (default ~/.ssh/id_rsa, id_ed25519 or id_ecdsa when present).
    #[arg(short = 'i', long = "pk")]
    pk: Option<PathBuf>,
    /// The private key's passphrase.
    #[arg(
        long = "pk-passwd",
        env = "HOIST_SSH_KEY_PASSPHRASE",
        hide_env_values = true
    )]
    pk_passwd: Option<String>,
    /// The SSH port.
    #[arg(long = "port")]
    port: Option<u16>,
}

impl SshArgs {
    /// The flags that were given, or None when none was.
    fn ssh(&self) -> Option<Ssh> {
        if self.user.is_none()
            && self.passwd.is_none()
            && self.pk.is_none()
            && self.pk_passwd.is_none()
            && self.port.is_none()
        {
            return None;
        }
        Some(Ssh {
            user: self.user.clone().unwrap_or_default(),
            passwd: self.passwd.clone().unwrap_or_default(),
            pk: self
                .pk
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default(),
            pk_passwd: self.pk_passwd.clone().unwrap_or_default(),
            port: self.port,
            ..Ssh::default()
        })
    }
}

/// Host output and steps on the terminal: steps on stderr, host lines on stdout as
/// `host<TAB>line`, bytes sent as a progress bar that draws only on a terminal.
struct Console {
    verbose: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Console {
    fn new(verbose: bool) -> Self {
        Console {
            verbose,
            bar: Mutex::new(None),
        }
    }
}

impl Reporter for Console {
    fn step(&self, step: &str) {
        if let Some(bar) = self.bar.lock().expect("bar").take() {
            bar.finish_and_clear();
        }
        let _ = writeln!(std::io::stderr().lock(), "==> {step}");
    }

    fn line(&self, line: Line<'_>) {
        let text = format!("{}\t{}", line.host, line.text);
        match line.stream {
            Stream::Stdout => {
                let _ = writeln!(std::io::stdout().lock(), "{text}");
            }
            Stream::Stderr => {
                let _ = writeln!(std::io::stderr().lock(), "{text}");
            }
        }
    }

    fn detail(&self, message: &str) {
        if self.verbose {
            let _ = writeln!(std::io::stderr().lock(), "    {message}");
        }
    }

    fn warn(&self, message: &str) {
        let _ = writeln!(std::io::stderr().lock(), "warning: {message}");
    }

    fn sent(&self, _host: &str, bytes: u64) {
        let mut bar = self.bar.lock().expect("bar");
        let bar = bar.get_or_insert_with(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} sent {bytes} {bytes_per_sec}")
                    .expect("valid template"),
            );
            b
        });
        bar.inc(bytes);
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn parse_env(list: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut env = BTreeMap::new();
    for item in list {
        for kv in item.split(',') {
            let Some((k, v)) = kv.split_once('=') else {
                bail!("invalid -e `{kv}`: use KEY=VALUE");
            };
            if k.is_empty() {
                bail!("invalid -e `{kv}`: the key is empty");
            }
            env.insert(k.to_string(), v.to_string());
        }
    }
    Ok(env)
}

fn ip_list(s: &Option<String>) -> anyhow::Result<Vec<String>> {
    match s {
        Some(s) if !s.trim().is_empty() => Ok(hoist_cluster::parse_ip_list(s)?),
        _ => Ok(Vec::new()),
    }
}

/// `hoist run`
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Cluster images, in order (the first rootfs image is the cluster's base).
    #[arg(required = true)]
    images: Vec<String>,
    /// Masters: comma list, ranges (10.0.0.2-10.0.0.4), CIDRs, `ip:port`. None: this machine.
    #[arg(long)]
    masters: Option<String>,
    /// Nodes, as --masters.
    #[arg(long)]
    nodes: Option<String>,
    #[command(flatten)]
    ssh: SshArgs,
    /// Environment for the images named here (KEY=VALUE; repeat or comma-separate).
    #[arg(short = 'e', long = "env")]
    env: Vec<String>,
    /// Run the commands of images that already ran on this cluster again.
    #[arg(short = 'f', long)]
    force: bool,
    /// Config (and other) documents to add to the Clusterfile.
    #[arg(long = "config-file")]
    config_file: Vec<PathBuf>,
    /// The IMAGE arguments are archive files of this format (it is detected either way; a file
    /// path, or `oci-archive:PATH`/`docker-archive:PATH`, is loaded without this flag too).
    #[arg(short = 't', long = "transport", value_parser = ["oci-archive", "docker-archive"])]
    transport: Option<String>,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    store: StoreArgs,
}

/// The documents of `run --config-file` files, in order.
fn read_extra_documents(files: &[PathBuf]) -> anyhow::Result<Option<Clusterfile>> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut all = Clusterfile::default();
    for f in files {
        let t =
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        let docs = hoist_cluster::parse_extra_documents(&t, f)?;
        all.configs.extend(docs.configs);
        all.other.extend(docs.other);
    }
    Ok(Some(all))
}

/// An IMAGE argument of `run`: an archive file is loaded into the store and named by what it
/// was stored as; anything else is an image name.
fn image_arg(
    store: &hoist_oci::Store,
    arg: &str,
    transport: Option<&str>,
) -> anyhow::Result<String> {
    let (path, must_be_file) = match arg.split_once(':') {
        Some(("oci-archive" | "docker-archive", p)) => (p, true),
        _ => (arg, transport.is_some()),
    };
    let file = Path::new(path);
    if !file.is_file() {
        if must_be_file {
            bail!("image argument `{arg}`: {path} is not an archive file");
        }
        return Ok(arg.to_string());
    }
    let loaded = hoist_oci::archive::load(store, file)
        .with_context(|| format!("cannot load image archive `{path}`"))?;
    match loaded.as_slice() {
        [one] => Ok(one.reference.to_string()),
        [] => bail!("image archive `{path}` holds no image"),
        more => bail!(
            "image archive `{path}` holds {} images; load it with `hoist load` and name the one to run",
            more.len()
        ),
    }
}

pub(crate) fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let masters = ip_list(&args.masters)?;
    let nodes = ip_list(&args.nodes)?;
    if let Some(both) = masters.iter().find(|m| nodes.contains(m)) {
        bail!("{both} is in both --masters and --nodes");
    }
    let local_only = masters.is_empty() && nodes.is_empty();
    let ctx = args
        .cluster
        .context(&args.store, local_only && !has_remote_hosts(&args.cluster))?;
    let images = args
        .images
        .iter()
        .map(|i| image_arg(&ctx.store, i, args.transport.as_deref()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let req = Request {
        images,
        masters,
        nodes,
        ssh: args.ssh.ssh(),
        env: parse_env(&args.env)?,
        force: args.force,
        clusterfile: None,
        extra: read_extra_documents(&args.config_file)?,
    };
    converge(&ctx, &args.registry, req)
}

fn has_remote_hosts(args: &ClusterArgs) -> bool {
    let Ok(name) = args.cluster_name() else {
        return false;
    };
    let Ok(state) = StateDir::open(&args.state_root(), &name) else {
        return false;
    };
    match state.read_clusterfile() {
        Ok(Some(f)) => f
            .cluster
            .all_hosts()
            .iter()
            .any(|h| !hoist_apply::is_local_address(hoist_apply::host_ip(h))),
        _ => false,
    }
}

fn converge(ctx: &Context, registry: &RegistryArgs, req: Request) -> anyhow::Result<ExitCode> {
    // Every image the cluster uses must be in the store: pull what is missing.
    let mut images: Vec<String> = ctx
        .state
        .read_clusterfile()?
        .map(|f| f.cluster.spec.image)
        .unwrap_or_default();
    if let Some(f) = &req.clusterfile {
        images.extend(f.cluster.spec.image.iter().cloned());
    }
    images.extend(req.images.iter().cloned());
    images.dedup();
    for image in &images {
        crate::commands::remote::ensure_image(&ctx.store, image, registry)?;
    }
    let file = runtime()?.block_on(hoist_apply::converge(ctx, req))?;
    let _ = writeln!(
        std::io::stderr().lock(),
        "cluster `{}`: {} ({} host{}); Clusterfile: {}",
        ctx.cluster,
        file.cluster.status.phase,
        file.cluster.all_hosts().len(),
        if file.cluster.all_hosts().len() == 1 {
            ""
        } else {
            "s"
        },
        ctx.state.clusterfile_path().display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `hoist apply`
#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// The Clusterfile.
    #[arg(short = 'f', long = "Clusterfile", default_value = "Clusterfile")]
    clusterfile: PathBuf,
    /// Values files for the Clusterfile template (as Helm's -f).
    #[arg(long = "values")]
    values: Vec<PathBuf>,
    /// Values for the Clusterfile template (as Helm's --set).
    #[arg(long = "set")]
    set: Vec<String>,
    /// Environment for the Clusterfile's images (KEY=VALUE).
    #[arg(short = 'e', long = "env")]
    env: Vec<String>,
    /// More documents (Config...) appended to the Clusterfile.
    #[arg(long = "config-file")]
    config_file: Vec<PathBuf>,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    store: StoreArgs,
}

fn read_clusterfile(
    path: &Path,
    values: &[PathBuf],
    set: &[String],
    extra: &[PathBuf],
) -> anyhow::Result<Clusterfile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let opts = hoist_chart::ValueOptions {
        value_files: values
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        values: set.to_vec(),
        ..Default::default()
    };
    let mut rendered = hoist_cluster::render(&text, path, &opts)?;
    for f in extra {
        let t =
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        rendered.push_str("\n---\n");
        rendered.push_str(&t);
    }
    Ok(hoist_cluster::parse(&rendered, path)?)
}

pub(crate) fn apply(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let mut file = read_clusterfile(
        &args.clusterfile,
        &args.values,
        &args.set,
        &args.config_file,
    )?;
    if args.cluster.cluster.is_none() && !file.cluster.name().is_empty() {
        let mut c = args.cluster.clone();
        c.cluster = Some(file.cluster.name().to_string());
        return apply(ApplyArgs { cluster: c, ..args });
    }
    let local_only = file
        .cluster
        .all_hosts()
        .iter()
        .all(|h| hoist_apply::is_local_address(hoist_apply::host_ip(h)));
    let ctx = args.cluster.context(&args.store, local_only)?;
    if file.cluster.name().is_empty() {
        file.cluster.metadata.name = ctx.cluster.clone();
    }
    let req = Request {
        images: Vec::new(),
        env: parse_env(&args.env)?,
        clusterfile: Some(file),
        ..Request::default()
    };
    converge(&ctx, &args.registry, req)
}

/// Asks the user to type the cluster's name, unless `force`; refuses when there is no terminal.
fn confirm(what: &str, cluster: &str, force: bool) -> anyhow::Result<()> {
    if force {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!("{what}: refusing without confirmation; run again with --force");
    }
    let mut err = std::io::stderr().lock();
    write!(
        err,
        "{what}. Type the cluster name (`{cluster}`) to go on: "
    )?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() != cluster {
        bail!("not confirmed; nothing was changed");
    }
    Ok(())
}

/// `hoist reset`
#[derive(Debug, Args)]
pub(crate) struct ResetArgs {
    /// Do not ask for confirmation.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn reset(args: ResetArgs) -> anyhow::Result<ExitCode> {
    let local_only = !has_remote_hosts(&args.cluster);
    let ctx = args.cluster.context(&args.store, local_only)?;
    confirm(
        &format!("This removes cluster `{}` from all its hosts", ctx.cluster),
        &ctx.cluster,
        args.force,
    )?;
    runtime()?.block_on(hoist_apply::reset(&ctx))?;
    let _ = writeln!(
        std::io::stderr().lock(),
        "cluster `{}` was reset",
        ctx.cluster
    );
    Ok(ExitCode::SUCCESS)
}

/// `hoist add`
#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// Masters to add.
    #[arg(long)]
    masters: Option<String>,
    /// Nodes to add.
    #[arg(long)]
    nodes: Option<String>,
    #[command(flatten)]
    ssh: SshArgs,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn add(args: AddArgs) -> anyhow::Result<ExitCode> {
    let masters = ip_list(&args.masters)?;
    let nodes = ip_list(&args.nodes)?;
    if masters.is_empty() && nodes.is_empty() {
        bail!("nothing to add: give --masters or --nodes");
    }
    let ctx = args.cluster.context(&args.store, false)?;
    let Some(file) = ctx.state.read_clusterfile()? else {
        bail!(
            "cluster `{}` does not exist: create it with `hoist run`",
            ctx.cluster
        );
    };
    for h in masters.iter().chain(&nodes) {
        if file.cluster.has_host(h) {
            bail!("{h} is already in cluster `{}`", ctx.cluster);
        }
    }
    let req = Request {
        masters,
        nodes,
        ssh: args.ssh.ssh(),
        ..Request::default()
    };
    converge(&ctx, &args.registry, req)
}

/// `hoist delete`
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    /// Masters to remove (never master0).
    #[arg(long)]
    masters: Option<String>,
    /// Nodes to remove.
    #[arg(long)]
    nodes: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn delete(args: DeleteArgs) -> anyhow::Result<ExitCode> {
    let mut hosts = ip_list(&args.masters)?;
    hosts.extend(ip_list(&args.nodes)?);
    if hosts.is_empty() {
        bail!("nothing to delete: give --masters or --nodes");
    }
    let ctx = args.cluster.context(&args.store, false)?;
    confirm(
        &format!(
            "This removes {} from cluster `{}`",
            hosts.join(", "),
            ctx.cluster
        ),
        &ctx.cluster,
        args.force,
    )?;
    runtime()?.block_on(hoist_apply::delete_hosts(&ctx, &hosts))?;
    let _ = writeln!(
        std::io::stderr().lock(),
        "removed {} from cluster `{}`",
        hosts.join(", "),
        ctx.cluster
    );
    Ok(ExitCode::SUCCESS)
}

/// Which hosts `exec` and `scp` work on.
#[derive(Debug, Clone, Args)]
pub(crate) struct SelArgs {
    /// Only hosts with these roles (comma list: master, node).
    #[arg(short = 'r', long = "roles", value_delimiter = ',')]
    roles: Vec<String>,
    /// Only these hosts (comma list).
    #[arg(long = "ips", value_delimiter = ',')]
    ips: Vec<String>,
}

impl SelArgs {
    /// The saved cluster and the hosts of it these flags select.
    fn resolve(
        &self,
        cluster: &ClusterArgs,
        store: &StoreArgs,
    ) -> anyhow::Result<(Context, Clusterfile, Vec<String>)> {
        let ctx = cluster.context(store, !has_remote_hosts(cluster))?;
        let file = saved_cluster(&ctx)?;
        let sel = HostSel {
            roles: self.roles.clone(),
            ips: self.ips.clone(),
        };
        let hosts = sel.pick(&file.cluster)?;
        Ok((ctx, file, hosts))
    }
}

fn saved_cluster(ctx: &Context) -> anyhow::Result<Clusterfile> {
    match ctx.state.read_clusterfile()? {
        Some(f) => Ok(f),
        None => bail!(
            "cluster `{}` does not exist (no Clusterfile in {})",
            ctx.cluster,
            ctx.state.dir().display()
        ),
    }
}

/// `hoist exec`
#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    /// The shell command (words are joined with spaces).
    #[arg(required = true, trailing_var_arg = true)]
    command: Vec<String>,
    #[command(flatten)]
    sel: SelArgs,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn exec(args: ExecArgs) -> anyhow::Result<ExitCode> {
    let (ctx, file, hosts) = args.sel.resolve(&args.cluster, &args.store)?;
    let script = args.command.join(" ");
    runtime()?.block_on(hoist_apply::exec(&ctx, &file.cluster, &hosts, &script))?;
    Ok(ExitCode::SUCCESS)
}

/// `hoist scp`
#[derive(Debug, Args)]
pub(crate) struct ScpArgs {
    /// A local file or directory.
    src: PathBuf,
    /// The destination path on the hosts (a directory source makes it a directory).
    dst: String,
    #[command(flatten)]
    sel: SelArgs,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn scp(args: ScpArgs) -> anyhow::Result<ExitCode> {
    let (ctx, file, hosts) = args.sel.resolve(&args.cluster, &args.store)?;
    runtime()?.block_on(hoist_apply::scp(
        &ctx,
        &file.cluster,
        &hosts,
        &args.src,
        &args.dst,
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `hoist status`
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Output format: table or json.
    #[arg(short = 'o', long = "output", default_value = "table")]
    output: String,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    if args.output != "table" && args.output != "json" {
        bail!("invalid --output `{}`: use table or json", args.output);
    }
    let ctx = args
        .cluster
        .context(&args.store, !has_remote_hosts(&args.cluster))?;
    let file = saved_cluster(&ctx)?;
    let report = runtime()?.block_on(hoist_apply::status(&ctx, &file.cluster));
    let mut out = std::io::stdout().lock();
    if args.output == "json" {
        let hosts: Vec<serde_json::Value> = report
            .iter()
            .map(|h| {
                serde_json::json!({
                    "host": h.host, "roles": h.roles, "reachable": h.error.is_none(),
                    "error": h.error, "hostname": h.hostname,
                })
            })
            .collect();
        let v = serde_json::json!({
            "cluster": ctx.cluster,
            "phase": file.cluster.status.phase,
            "images": file.cluster.spec.image,
            "hosts": hosts,
            "clusterfile": ctx.state.clusterfile_path(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        writeln!(out, "CLUSTER  {}", ctx.cluster)?;
        writeln!(out, "PHASE    {}", file.cluster.status.phase)?;
        writeln!(out, "IMAGES   {}", file.cluster.spec.image.join(", "))?;
        writeln!(out)?;
        writeln!(
            out,
            "{:<24} {:<16} {:<20} STATUS",
            "HOST", "ROLES", "HOSTNAME"
        )?;
        for h in &report {
            writeln!(
                out,
                "{:<24} {:<16} {:<20} {}",
                h.host,
                h.roles.join(","),
                h.hostname.as_deref().unwrap_or("-"),
                h.error.as_deref().unwrap_or("ok")
            )?;
        }
    }
    Ok(if report.iter().all(|h| h.error.is_none()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `hoist gen`
#[derive(Debug, Args)]
pub(crate) struct GenArgs {
    /// Cluster images, in order.
    #[arg(required = true)]
    images: Vec<String>,
    /// Masters.
    #[arg(long)]
    masters: Option<String>,
    /// Nodes.
    #[arg(long)]
    nodes: Option<String>,
    #[command(flatten)]
    ssh: SshArgs,
    /// Environment (KEY=VALUE), written to spec.env.
    #[arg(short = 'e', long = "env")]
    env: Vec<String>,
    /// The cluster's name.
    #[arg(long = "cluster", default_value = "default")]
    cluster: String,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

pub(crate) fn generate(args: GenArgs) -> anyhow::Result<ExitCode> {
    let mut cluster = hoist_cluster::Cluster::new(&args.cluster);
    cluster.spec.image = args.images.clone();
    if let Some(ssh) = args.ssh.ssh() {
        cluster.spec.ssh = ssh;
    }
    cluster.spec.env = parse_env(&args.env)?
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut masters = ip_list(&args.masters)?;
    let nodes = ip_list(&args.nodes)?;
    if masters.is_empty() {
        masters.push(hoist_apply::local_ipv4().unwrap_or_else(|| "127.0.0.1".into()));
    }
    let port = cluster.spec.ssh.port.unwrap_or(22);
    cluster.add_hosts(&masters, &nodes, port, None)?;
    let text = Clusterfile::new(cluster).to_yaml();
    match &args.output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
