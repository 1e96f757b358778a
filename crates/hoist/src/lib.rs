//! The `hoist` command line: argument parsing and dispatch. The work happens in the library crates.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;

/// hoist: cluster images, clusters and Helm charts in one binary.
#[derive(Debug, Parser)]
#[command(name = "hoist", version, disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Helm-compatible chart commands (output identical to Helm v4.2.3).
    Chart {
        #[command(subcommand)]
        command: commands::chart::ChartCommand,
    },
    /// Build a cluster image from a Kubefile (Sealfile, Dockerfile) and a context.
    Build(Box<commands::image::BuildArgs>),
    /// List the images in the local store.
    Images(commands::image::ImagesArgs),
    /// Show an image's manifest, config and labels.
    Inspect(commands::image::InspectArgs),
    /// Give an image more names.
    Tag(commands::image::TagArgs),
    /// Remove images from the local store (and the blobs no other image uses).
    Rmi(commands::image::RmiArgs),
    /// Write images to an archive (oci-archive or docker-archive).
    Save(commands::image::SaveArgs),
    /// Read images from an archive into the local store.
    Load(commands::image::LoadArgs),
    /// Pull an image from a registry into the local store.
    Pull(commands::remote::PullArgs),
    /// Push an image from the local store to a registry.
    Push(commands::remote::PushArgs),
    /// Log in to a registry (credentials go to containers' auth.json).
    Login(commands::remote::LoginArgs),
    /// Log out of a registry.
    Logout(commands::remote::LogoutArgs),
    /// Deploy cluster images onto hosts (or this machine) and record the cluster.
    Run(Box<commands::cluster::RunArgs>),
    /// Bring a cluster to what a Clusterfile describes.
    Apply(Box<commands::cluster::ApplyArgs>),
    /// Tear a cluster down on all its hosts.
    Reset(commands::cluster::ResetArgs),
    /// Add masters or nodes to a cluster.
    Add(Box<commands::cluster::AddArgs>),
    /// Remove masters or nodes from a cluster (never master0).
    Delete(commands::cluster::DeleteArgs),
    /// Run a shell command on a cluster's hosts.
    Exec(commands::cluster::ExecArgs),
    /// Copy a file or directory to a cluster's hosts.
    Scp(commands::cluster::ScpArgs),
    /// Show a cluster's state and whether its hosts answer.
    Status(commands::cluster::StatusArgs),
    /// Print a Clusterfile for images and hosts without running anything.
    Gen(Box<commands::cluster::GenArgs>),
    /// Registry tools: the images a build context needs.
    Registry {
        #[command(subcommand)]
        command: commands::registry::RegistryCommand,
    },
}

/// Runs hoist with these arguments and returns the process exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    // `hoist chart template` with no chart prints Helm's own usage error.
    if let Some(code) = commands::chart::template::check_arg_count(&args) {
        return code;
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            };
        }
    };
    let result = match cli.command {
        Command::Chart { command } => commands::chart::run(command),
        Command::Registry { command } => commands::registry::run(command),
        Command::Build(args) => commands::image::build(*args),
        Command::Images(args) => commands::image::images(args),
        Command::Inspect(args) => commands::image::inspect(args),
        Command::Tag(args) => commands::image::tag(args),
        Command::Rmi(args) => commands::image::rmi(args),
        Command::Save(args) => commands::image::save(args),
        Command::Pull(args) => commands::remote::pull(args),
        Command::Push(args) => commands::remote::push(args),
        Command::Login(args) => commands::remote::login(args),
        Command::Logout(args) => commands::remote::logout(args),
        Command::Load(args) => commands::image::load(args),
        Command::Run(args) => commands::cluster::run(*args),
        Command::Apply(args) => commands::cluster::apply(*args),
        Command::Reset(args) => commands::cluster::reset(args),
        Command::Add(args) => commands::cluster::add(*args),
        Command::Delete(args) => commands::cluster::delete(args),
        Command::Exec(args) => commands::cluster::exec(args),
        Command::Scp(args) => commands::cluster::scp(args),
        Command::Status(args) => commands::cluster::status(args),
        Command::Gen(args) => commands::cluster::generate(*args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {err:#}");
            ExitCode::from(1)
        }
    }
}
