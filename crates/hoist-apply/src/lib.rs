//! Deploys cluster images onto hosts: the pipeline behind `hoist run`, `apply`, `add`, `delete`
//! and `reset`, and the fan-out behind `exec` and `scp`.
//!
//! The pipeline follows sealos's order (check hosts, mount images, apply Config documents,
//! distribute files, serve the images' registry content, bootstrap scripts with a barrier after
//! each, image commands) but every step is resumable: what ran is recorded in the cluster's state
//! directory with a fingerprint of its inputs, so a failed or killed run is simply run again, and a
//! second identical run changes nothing. Nothing here prints: progress and host output go to a
//! [`Reporter`].

mod error;
mod fleet;
mod hostscript;
mod mounts;
mod ops;
mod pipeline;
mod reset;

pub use error::{ApplyError, HostFailure};
pub use fleet::{Fleet, HostSel, host_ip, is_local_address, local_ipv4};
pub use ops::{HostStatus, exec, scp, status};
pub use pipeline::{Request, converge};
pub use reset::{delete_hosts, reset};

use std::path::PathBuf;
use std::sync::Arc;

use hoist_cluster::StateDir;
use hoist_exec::{Line, SshOptions};
use hoist_oci::Store;

/// Where the work shows: steps, host output, warnings, bytes sent. The CLI draws it; tests collect it.
pub trait Reporter: Send + Sync {
    /// A pipeline step starts (`"distribute rootfs"`, `"bootstrap: init"`...).
    fn step(&self, step: &str);
    /// A line a host printed.
    fn line(&self, line: Line<'_>);
    /// Something the user should know that does not stop the run.
    fn warn(&self, message: &str);
    /// `bytes` more were sent to `host`.
    fn sent(&self, _host: &str, _bytes: u64) {}
    /// Detail for `-v`: what a sync sent, which hosts a step skipped.
    fn detail(&self, _message: &str) {}
}

/// What every operation needs: the state directory of one cluster, the image store, how to reach
/// hosts, and where things go on them.
#[derive(Clone)]
pub struct Context {
    /// The cluster's local state (`~/.hoist/<cluster>`).
    pub state: Arc<StateDir>,
    /// The cluster's name.
    pub cluster: String,
    /// The local image store.
    pub store: Arc<Store>,
    /// The data root on hosts; the cluster lives in `<data_root>/data/<cluster>`.
    pub data_root: String,
    /// SSH settings shared by all hosts (timeouts, host key policy).
    pub ssh: SshOptions,
    /// How many hosts are worked on at once.
    pub parallel: usize,
    /// Where progress goes.
    pub reporter: Arc<dyn Reporter>,
    /// The hoist binary copied to registry hosts to serve the images' registry content.
    pub self_exe: PathBuf,
}

impl Context {
    /// `<data_root>/data/<cluster>` on every host.
    pub fn cluster_dir(&self) -> String {
        format!(
            "{}/data/{}",
            self.data_root.trim_end_matches('/'),
            self.cluster
        )
    }

    /// Where rootfs and patch images go on every host.
    pub fn rootfs_dir(&self) -> String {
        format!("{}/rootfs", self.cluster_dir())
    }

    /// Where an application image goes on master0.
    pub fn app_dir(&self, mount: &str) -> String {
        format!("{}/applications/{mount}/workdir", self.cluster_dir())
    }
}
