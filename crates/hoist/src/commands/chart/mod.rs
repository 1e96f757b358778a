//! `hoist chart ...`: Helm-compatible chart commands.

use std::process::ExitCode;

use clap::Subcommand;

pub(crate) mod template;

#[derive(Debug, Subcommand)]
pub(crate) enum ChartCommand {
    /// Locally render templates (as `helm template`).
    Template(Box<template::TemplateArgs>),
}

pub(crate) fn run(command: ChartCommand) -> anyhow::Result<ExitCode> {
    match command {
        ChartCommand::Template(args) => template::run(*args),
    }
}
