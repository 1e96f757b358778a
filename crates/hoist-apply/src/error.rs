//! What can go wrong, with the step and the host it went wrong on.

use std::fmt;

/// One host's failure within a step.
#[derive(Debug)]
pub struct HostFailure {
    /// `ip:port`, or `local`.
    pub host: String,
    /// Why, already naming the host where the executor does.
    pub error: String,
}

/// An error from the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A step failed on some hosts; the others finished it.
    #[error("{}", step_message(.step, .failures, *.of))]
    Step {
        /// The step (`distribute rootfs`, `bootstrap: init`...).
        step: String,
        /// The hosts it failed on.
        failures: Vec<HostFailure>,
        /// How many hosts it ran on.
        of: usize,
    },
    /// Hosts could not be reached or refused us; nothing was changed on any host.
    #[error("{}", connect_message(.0))]
    Connect(Vec<HostFailure>),
    /// The Clusterfile or the state directory.
    #[error(transparent)]
    Cluster(#[from] hoist_cluster::Error),
    /// A host command outside a fan-out step.
    #[error(transparent)]
    Exec(#[from] hoist_exec::ExecError),
    /// The image store.
    #[error("image `{image}`: {message}")]
    Image {
        /// The image name.
        image: String,
        /// What is wrong.
        message: String,
    },
    /// Anything else, with its context.
    #[error("{0}")]
    Other(String),
}

fn step_message(step: &str, failures: &[HostFailure], of: usize) -> String {
    let mut s = format!(
        "step `{step}` failed on {} of {of} host{}",
        failures.len(),
        if of == 1 { "" } else { "s" }
    );
    for f in failures {
        if f.error.starts_with(&f.host) {
            s.push_str(&format!("\n  {}", f.error));
        } else {
            s.push_str(&format!("\n  {}: {}", f.host, f.error));
        }
    }
    s
}

fn connect_message(failures: &[HostFailure]) -> String {
    let mut s = format!(
        "cannot reach {} host{}; nothing was changed on any host",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    );
    for f in failures {
        if f.error.starts_with(&f.host) {
            s.push_str(&format!("\n  {}", f.error));
        } else {
            s.push_str(&format!("\n  {}: {}", f.host, f.error));
        }
    }
    s
}

impl ApplyError {
    pub(crate) fn other(message: impl fmt::Display) -> Self {
        ApplyError::Other(message.to_string())
    }
}
