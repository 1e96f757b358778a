//! `hoist registry ...`: the images a build context needs, and a registry server.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(crate) enum ServeBackend {
    /// Serve a docker-distribution filesystem layout (what `hoist build` writes into
    /// CONTEXT/registry, and what Debian's docker-registry writes).
    Filesystem {
        /// The directory that holds `docker/registry/v2`.
        dir: PathBuf,
        /// The port to listen on.
        #[arg(short = 'p', long, default_value_t = 5000)]
        port: u16,
        /// The address to listen on.
        #[arg(long, default_value = "0.0.0.0")]
        address: std::net::IpAddr,
        /// An htpasswd file (bcrypt entries) to require basic auth.
        #[arg(long)]
        htpasswd: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
    /// Pull the images a build context needs into a registry directory, without building.
    Save {
        /// The directory to write (default: CONTEXT/registry).
        #[arg(long = "registry-dir")]
        registry_dir: Option<PathBuf>,
        /// How many images to pull at once.
        #[arg(long = "max-pull-procs", default_value_t = 5)]
        max_pull_procs: usize,
        /// Verify registries' TLS certificates.
        #[arg(long = "tls-verify", default_value_t = false, action = clap::ArgAction::Set)]
        tls_verify: bool,
        /// `os/arch[/variant]` (default: this machine's).
        #[arg(long)]
        platform: Option<String>,
        /// The build context.
        #[arg(default_value = ".")]
        context: PathBuf,
    },
    /// Serve images over the distribution v2 API (pull and push).
    Serve {
        #[command(subcommand)]
        backend: ServeBackend,
    },
    /// List the images a build context needs (charts/, manifests/, images/shim/, minus
    /// .sealignore), without pulling them.
    Images {
        /// The build context.
        #[arg(default_value = ".")]
        context: PathBuf,
    },
}

pub(crate) fn run(command: RegistryCommand) -> anyhow::Result<ExitCode> {
    match command {
        RegistryCommand::Images { context } => images(&context),
        RegistryCommand::Serve { backend } => serve(backend),
        RegistryCommand::Save {
            registry_dir,
            max_pull_procs,
            tls_verify,
            platform,
            context,
        } => {
            let found = hoist_build::discover(&context)
                .with_context(|| format!("cannot list the images of `{}`", context.display()))?;
            let dir = registry_dir.unwrap_or_else(|| context.join("registry"));
            crate::commands::remote::save_images(
                &dir,
                &found.images,
                max_pull_procs,
                tls_verify,
                platform.as_deref(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(backend: ServeBackend) -> anyhow::Result<ExitCode> {
    let ServeBackend::Filesystem {
        dir,
        port,
        address,
        htpasswd,
    } = backend;
    let mut config = hoist_registry::ServerConfig::new(dir.clone(), (address, port).into());
    config.htpasswd = htpasswd;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = hoist_registry::Server::bind(config).await?;
        eprintln!(
            "serving `{}` on http://{}",
            dir.display(),
            server.local_addr()?
        );
        server
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })?;
    Ok(ExitCode::SUCCESS)
}

fn images(context: &std::path::Path) -> anyhow::Result<ExitCode> {
    let found = hoist_build::discover(context)
        .with_context(|| format!("cannot list the images of `{}`", context.display()))?;
    let mut out = std::io::stdout().lock();
    for image in &found.images {
        writeln!(out, "{image}")?;
    }
    for tar in &found.tars {
        writeln!(out, "{}:{}@{}", tar.transport, tar.path.display(), tar.name)?;
    }
    Ok(ExitCode::SUCCESS)
}
