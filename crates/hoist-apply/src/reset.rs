//! `reset` (the whole cluster) and `delete` (some hosts): undo what the pipeline did, host by
//! host, going on past errors so that as much as possible is cleaned; the local state is removed
//! only when every host was cleaned, so a reset that failed can simply be run again.

use std::collections::BTreeMap;
use std::sync::Mutex;

use hoist_cluster::{Cluster, ImageType, MountImage};

use crate::Context;
use crate::error::{ApplyError, HostFailure};
use crate::fleet::{Fleet, host_ip};
use crate::hostscript;
use crate::pipeline::Run;

fn base_mounts(cluster: &Cluster) -> Vec<&MountImage> {
    cluster
        .status
        .mounts
        .iter()
        .filter(|m| matches!(m.r#type, ImageType::Rootfs | ImageType::Patch))
        .collect()
}

fn label(mounts: &[&MountImage], name: &str) -> Option<String> {
    mounts
        .iter()
        .rev()
        .find_map(|m| m.labels.get(name).filter(|v| !v.trim().is_empty()).cloned())
}

/// Undoes the cluster on `hosts` (all of them for `reset`). Returns the hosts that failed.
async fn teardown(
    run: &Run<'_>,
    cluster: &Cluster,
    fleet: &Fleet,
    hosts: &[String],
) -> Vec<HostFailure> {
    let ctx = run.ctx;
    let base = base_mounts(cluster);
    let mut env = BTreeMap::new();
    for m in &base {
        env.extend(m.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let domain = crate::pipeline::RegistryConf::from_env(&env).domain;
    let registry_hosts = cluster.registry_hosts();
    let registry_ip = registry_hosts.first().map(|h| host_ip(h).to_string());
    let rootfs = ctx.rootfs_dir();
    let scripts = format!("{rootfs}/scripts");
    let clean = label(&base, "clean")
        .map(|l| (l, false))
        .unwrap_or_else(|| ("clean.sh".into(), true));
    let clean_cri = label(&base, "clean-cri");
    let clean_registry = label(&base, "clean-registry")
        .map(|l| (l, false))
        .unwrap_or_else(|| ("clean-registry.sh".into(), true));
    let failures = Mutex::new(Vec::new());
    let _ = run
        .fanout(
            "reset hosts",
            hosts,
            |_| None,
            |h| {
                let host = fleet.get(&h).clone();
                let mut henv = cluster.env_for(&h, &env);
                henv.insert("SEALOS_SYS_RUN_MODE".into(), cluster.roles_of(&h).join(","));
                let is_registry = registry_hosts.contains(&h);
                let mut steps: Vec<(String, String, bool)> = Vec::new();
                let guarded = |cmd: &str, is_default: bool| -> String {
                    // A default script name runs only if the image has it; a label runs as written.
                    let body = if is_default {
                        format!(
                            "if [ -f {c} ]; then bash {c}; fi",
                            c = hoist_exec::quote(cmd)
                        )
                    } else {
                        format!("bash {cmd}")
                    };
                    format!(
                        "if [ -d {d} ]; then cd {d} && {body}; fi",
                        d = hoist_exec::quote(&scripts)
                    )
                };
                steps.push(("clean".into(), guarded(&clean.0, clean.1), true));
                if let Some(c) = &clean_cri {
                    steps.push(("clean-cri".into(), guarded(c, false), true));
                }
                if is_registry {
                    steps.push((
                        "clean-registry".into(),
                        guarded(&clean_registry.0, clean_registry.1),
                        true,
                    ));
                    steps.push((
                        "stop registry".into(),
                        hostscript::registry_stop(&ctx.cluster_dir()),
                        false,
                    ));
                }
                if let Some(ip) = &registry_ip {
                    steps.push((
                        "hosts entry".into(),
                        hostscript::hosts_remove(ip, &domain),
                        false,
                    ));
                }
                steps.push((
                    "remove files".into(),
                    hostscript::remove_cluster_dir(&ctx.cluster_dir(), &ctx.data_root),
                    false,
                ));
                let failures = &failures;
                async move {
                    let mut errors = Vec::new();
                    for (what, script, with_env) in steps {
                        let env = if with_env {
                            henv.clone()
                        } else {
                            BTreeMap::new()
                        };
                        if let Err(e) = run.sh(&host, script, &env, None).await {
                            errors.push(format!("{what}: {e}"));
                        }
                    }
                    if errors.is_empty() {
                        Ok(())
                    } else {
                        failures.lock().expect("failures").push(HostFailure {
                            host: h.clone(),
                            error: errors.join("; "),
                        });
                        Err(errors.join("; "))
                    }
                }
            },
        )
        .await;
    failures.into_inner().expect("failures")
}

/// Tears the whole cluster down and removes its local state (the Clusterfile is kept as
/// `Clusterfile.<unix time>`).
pub async fn reset(ctx: &Context) -> Result<(), ApplyError> {
    let lock = ctx.state.lock()?;
    let Some(file) = ctx.state.read_clusterfile()? else {
        return Err(ApplyError::other(format!(
            "cluster `{}` does not exist (no Clusterfile in {})",
            ctx.cluster,
            ctx.state.dir().display()
        )));
    };
    let hosts = file.cluster.all_hosts();
    let fleet = Fleet::connect(ctx, &file.cluster, &hosts).await?;
    let mut file = file;
    file.cluster.metadata.deletion_timestamp = Some(hoist_cluster::now_rfc3339());
    let run = Run {
        ctx,
        file: Mutex::new(file.clone()),
        state_lock: Mutex::new(()),
    };
    let failures = teardown(&run, &file.cluster, &fleet, &hosts).await;
    if !failures.is_empty() {
        return Err(ApplyError::Step {
            step: "reset".into(),
            failures,
            of: hosts.len(),
        });
    }
    ctx.state.write_clusterfile(&file)?;
    ctx.state.archive_on_reset()?;
    drop(lock);
    Ok(())
}

/// Removes hosts from the cluster: undoes the cluster on them, then drops them from the
/// Clusterfile. master0 cannot be removed.
pub async fn delete_hosts(ctx: &Context, hosts: &[String]) -> Result<(), ApplyError> {
    let _lock = ctx.state.lock()?;
    let Some(mut file) = ctx.state.read_clusterfile()? else {
        return Err(ApplyError::other(format!(
            "cluster `{}` does not exist",
            ctx.cluster
        )));
    };
    let before = file.cluster.clone();
    let all = before.all_hosts();
    let mut targets = Vec::new();
    for h in hosts {
        match all.iter().find(|x| crate::fleet::same_host(x, h)) {
            Some(x) => targets.push(x.clone()),
            None => {
                return Err(ApplyError::other(format!(
                    "host {h} is not in cluster `{}`",
                    ctx.cluster
                )));
            }
        }
    }
    file.cluster.remove_hosts(&targets)?;
    let fleet = Fleet::connect(ctx, &before, &targets).await?;
    let run = Run {
        ctx,
        file: Mutex::new(file.clone()),
        state_lock: Mutex::new(()),
    };
    let failures = teardown(&run, &before, &fleet, &targets).await;
    if !failures.is_empty() {
        return Err(ApplyError::Step {
            step: "delete".into(),
            failures,
            of: targets.len(),
        });
    }
    for h in &targets {
        ctx.state.forget_host(h)?;
    }
    ctx.state.write_clusterfile(&file)?;
    Ok(())
}
