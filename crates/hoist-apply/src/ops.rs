//! `exec`, `scp` and `status`: fan-out over a cluster's hosts without changing its state.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use futures::stream::{self, StreamExt};
use hoist_cluster::Cluster;
use hoist_exec::{SyncOptions, Tree};

use crate::Context;
use crate::error::ApplyError;
use crate::fleet::Fleet;
use crate::pipeline::Run;

fn run_for<'a>(ctx: &'a Context, cluster: &Cluster) -> Run<'a> {
    Run {
        ctx,
        file: Mutex::new(hoist_cluster::Clusterfile::new(cluster.clone())),
        state_lock: Mutex::new(()),
    }
}

/// Runs `script` on `hosts` in parallel; output streams to the reporter as it comes.
pub async fn exec(
    ctx: &Context,
    cluster: &Cluster,
    hosts: &[String],
    script: &str,
) -> Result<(), ApplyError> {
    let fleet = Fleet::connect(ctx, cluster, hosts).await?;
    let run = run_for(ctx, cluster);
    run.fanout(
        "exec",
        hosts,
        |_| None,
        |h| {
            let host = fleet.get(&h).clone();
            let run = &run;
            let script = script.to_string();
            async move { run.sh(&host, script, &BTreeMap::new(), None).await }
        },
    )
    .await
}

/// Copies a local file or directory to `dst` on `hosts` (one tar stream per host, in parallel;
/// a directory sent again transfers only what changed).
pub async fn scp(
    ctx: &Context,
    cluster: &Cluster,
    hosts: &[String],
    src: &Path,
    dst: &str,
) -> Result<(), ApplyError> {
    let meta = std::fs::metadata(src)
        .map_err(|e| ApplyError::other(format!("cannot read {}: {e}", src.display())))?;
    let fleet = Fleet::connect(ctx, cluster, hosts).await?;
    let run = run_for(ctx, cluster);
    let bytes = if meta.is_file() {
        Some(
            std::fs::read(src)
                .map_err(|e| ApplyError::other(format!("cannot read {}: {e}", src.display())))?,
        )
    } else {
        None
    };
    let tree = if meta.is_dir() {
        Some(Tree::from_dir(src, |_| false).map_err(ApplyError::other)?)
    } else {
        None
    };
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    };
    run.fanout(
        "scp",
        hosts,
        |_| None,
        |h| {
            let host = fleet.get(&h).clone();
            let (bytes, tree) = (&bytes, &tree);
            let reporter = ctx.reporter.clone();
            async move {
                if let Some(b) = bytes {
                    host.write_file(dst, b, mode)
                        .await
                        .map_err(|e| e.to_string())?;
                    reporter.sent(&h, b.len() as u64);
                    Ok(())
                } else if let Some(t) = tree {
                    let hname = h.clone();
                    let opts = SyncOptions {
                        progress: Some(std::sync::Arc::new(move |n| reporter.sent(&hname, n))),
                    };
                    host.sync_tree(t, dst, &opts)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                } else {
                    Ok(())
                }
            }
        },
    )
    .await
}

/// One host's state as `status` shows it.
#[derive(Debug, Clone)]
pub struct HostStatus {
    /// `ip:port`.
    pub host: String,
    /// Its roles.
    pub roles: Vec<String>,
    /// Its hostname, when reachable.
    pub hostname: Option<String>,
    /// Why it is not healthy.
    pub error: Option<String>,
}

/// Reaches every host of the cluster and reports each one.
pub async fn status(ctx: &Context, cluster: &Cluster) -> Vec<HostStatus> {
    let hosts = cluster.all_hosts();
    stream::iter(hosts)
        .map(|h| async move {
            let roles = cluster.roles_of(&h);
            match Fleet::connect(ctx, cluster, std::slice::from_ref(&h)).await {
                Ok(fleet) => match fleet.get(&h).output("hostname").await {
                    Ok(name) => HostStatus {
                        host: h,
                        roles,
                        hostname: Some(name.trim().to_string()),
                        error: None,
                    },
                    Err(e) => HostStatus {
                        host: h,
                        roles,
                        hostname: None,
                        error: Some(e.to_string()),
                    },
                },
                Err(e) => HostStatus {
                    host: h,
                    roles,
                    hostname: None,
                    error: Some(e.to_string()),
                },
            }
        })
        .buffered(ctx.parallel.max(1))
        .collect()
        .await
}
