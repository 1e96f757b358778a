//! `hoist registry ...`: the images a build context needs, and a registry server.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
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
    }
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
