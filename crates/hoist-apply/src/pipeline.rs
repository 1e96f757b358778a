//! `run`, `apply` and `add`: bring hosts to the state the Clusterfile describes.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};
use hoist_cluster::{Cluster, Clusterfile, ImageType, Ssh};
use hoist_exec::{Command, Host, Node, Source, SyncOptions, Tree};
use sha2::{Digest as _, Sha256};

use crate::Context;
use crate::error::{ApplyError, HostFailure};
use crate::fleet::{Fleet, host_ip, local_ipv4};
use crate::hostscript;
use crate::mounts::{Mounted, mount_all, write_atomic};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Images named on the command line, appended to `spec.image` (`run`).
    pub images: Vec<String>,
    /// Masters to add (`ip` or `ip:port`).
    pub masters: Vec<String>,
    /// Nodes to add.
    pub nodes: Vec<String>,
    /// SSH settings given as flags: a new cluster's `spec.ssh`, or the new hosts' own `ssh`.
    pub ssh: Option<Ssh>,
    /// `-e K=V`, for the images named on this command line.
    pub env: BTreeMap<String, String>,
    /// Run the commands of images that already ran.
    pub force: bool,
    /// `apply -f`: the desired Clusterfile (its spec replaces the saved one's).
    pub clusterfile: Option<Clusterfile>,
    /// `run --config-file`: Config documents (replacing saved ones of the same name) and other
    /// documents to add to the Clusterfile.
    pub extra: Option<Clusterfile>,
}

/// Reports what a sync did (for `-v`) and turns its error into text.
pub(crate) fn synced(
    ctx: &Context,
    host: &Host,
    r: Result<hoist_exec::SyncStats, hoist_exec::ExecError>,
) -> Result<(), String> {
    match r {
        Ok(s) => {
            ctx.reporter.detail(&format!(
                "{}: sent {} files ({} bytes), {} unchanged, {} removed",
                host.name(),
                s.files_sent,
                s.bytes_sent,
                s.unchanged,
                s.removed
            ));
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Registry settings from the rootfs env (sealos's defaults).
pub(crate) struct RegistryConf {
    pub(crate) domain: String,
    port: u16,
    user: String,
    password: String,
}

impl RegistryConf {
    pub(crate) fn from_env(env: &BTreeMap<String, String>) -> RegistryConf {
        let get = |k: &str, d: &str| {
            env.get(k)
                .filter(|v| !v.is_empty())
                .cloned()
                .unwrap_or_else(|| d.to_string())
        };
        RegistryConf {
            domain: get("registryDomain", "sealos.hub"),
            port: get("registryPort", "5000").parse().unwrap_or(5000),
            user: get("registryUsername", "admin"),
            password: get("registryPassword", "passw0rd"),
        }
    }
}

pub(crate) fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

/// Shared by the steps: the cluster being written, saved after every step.
pub(crate) struct Run<'a> {
    pub ctx: &'a Context,
    pub file: Mutex<Clusterfile>,
    pub state_lock: Mutex<()>,
}

impl Run<'_> {
    pub(crate) fn save(&self) -> Result<(), ApplyError> {
        let file = self.file.lock().expect("clusterfile lock");
        self.ctx.state.write_clusterfile(&file)?;
        Ok(())
    }

    fn done(&self, step: &str, host: &str, fp: &str) -> bool {
        let _g = self.state_lock.lock().expect("state lock");
        self.ctx.state.step_done(step, host, fp)
    }

    fn record(&self, step: &str, host: &str, fp: &str) -> Result<(), ApplyError> {
        let _g = self.state_lock.lock().expect("state lock");
        self.ctx.state.record_step(step, host, fp)?;
        Ok(())
    }

    /// Runs `f` on every host of `hosts` (at most `ctx.parallel` at once) and waits for all: a
    /// barrier. With a fingerprint, a host that already finished this step with the same inputs
    /// is skipped, and a success is recorded.
    pub(crate) async fn fanout<F, Fut>(
        &self,
        step: &str,
        hosts: &[String],
        fp: impl Fn(&str) -> Option<String>,
        f: F,
    ) -> Result<(), ApplyError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let todo: Vec<(String, Option<String>)> = hosts
            .iter()
            .map(|h| (h.clone(), fp(h)))
            .filter(|(h, fp)| {
                let done = fp.as_deref().is_some_and(|fp| self.done(step, h, fp));
                if done {
                    self.ctx
                        .reporter
                        .detail(&format!("{step}: already done on {h} with the same inputs"));
                }
                !done
            })
            .collect();
        if todo.is_empty() {
            return Ok(());
        }
        self.ctx.reporter.step(step);
        let results: Vec<(String, Option<String>, Result<(), String>)> = stream::iter(todo)
            .map(|(h, fp)| {
                let fut = f(h.clone());
                async move { (h, fp, fut.await) }
            })
            .buffer_unordered(self.ctx.parallel.max(1))
            .collect()
            .await;
        let mut failures = Vec::new();
        for (host, fp, r) in results {
            match r {
                Ok(()) => {
                    if let Some(fp) = fp {
                        self.record(step, &host, &fp)?;
                    }
                }
                Err(error) => failures.push(HostFailure { host, error }),
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            failures.sort_by(|a, b| a.host.cmp(&b.host));
            Err(ApplyError::Step {
                step: step.to_string(),
                failures,
                of: hosts.len(),
            })
        }
    }

    /// Runs a bash script on `host`, streaming its output to the reporter.
    pub(crate) async fn sh(
        &self,
        host: &Host,
        script: String,
        env: &BTreeMap<String, String>,
        cwd: Option<String>,
    ) -> Result<(), String> {
        let cmd = Command {
            script,
            env: env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            cwd,
            timeout: None,
        };
        let reporter = self.ctx.reporter.clone();
        host.run(&cmd, &move |line| reporter.line(line))
            .await
            .map_err(|e| e.to_string())
    }
}

/// Brings the cluster to what `req` and the saved Clusterfile describe. Returns the Clusterfile
/// as saved.
pub async fn converge(ctx: &Context, req: Request) -> Result<Clusterfile, ApplyError> {
    let _lock = ctx.state.lock()?;
    let saved = ctx.state.read_clusterfile()?;
    let existed = saved.is_some();
    let mut file = match (saved, req.clusterfile.clone()) {
        (Some(mut saved), Some(desired)) => {
            let removed: Vec<String> = saved
                .cluster
                .all_hosts()
                .into_iter()
                .filter(|h| !desired.cluster.all_hosts().contains(h))
                .collect();
            if !removed.is_empty() {
                drop(_lock);
                crate::reset::delete_hosts(ctx, &removed).await?;
                return Box::pin(converge(ctx, req)).await;
            }
            saved.cluster.spec = desired.cluster.spec;
            saved.configs = desired.configs;
            saved.other = desired.other;
            saved
        }
        (None, Some(desired)) => desired,
        (Some(saved), None) => saved,
        (None, None) => Clusterfile::new(Cluster::new(&ctx.cluster)),
    };
    if let Some(extra) = &req.extra {
        for c in &extra.configs {
            match file
                .configs
                .iter_mut()
                .find(|s| s.metadata.name == c.metadata.name)
            {
                Some(slot) => *slot = c.clone(),
                None => file.configs.push(c.clone()),
            }
        }
        for o in &extra.other {
            if !file.other.contains(o) {
                file.other.push(o.clone());
            }
        }
    }
    let cluster = &mut file.cluster;
    for image in &req.images {
        if !cluster.spec.image.contains(image) {
            cluster.spec.image.push(image.clone());
        }
    }
    if cluster.spec.image.is_empty() {
        return Err(ApplyError::other(format!(
            "cluster `{}` has no images: name at least one image",
            ctx.cluster
        )));
    }
    if let Some(ssh) = &req.ssh
        && !existed
        && cluster.spec.hosts.is_empty()
    {
        cluster.spec.ssh = ssh.clone();
    }
    let new_masters: Vec<String> = req
        .masters
        .iter()
        .filter(|h| !cluster.has_host(h))
        .cloned()
        .collect();
    let new_nodes: Vec<String> = req
        .nodes
        .iter()
        .filter(|h| !cluster.has_host(h))
        .cloned()
        .collect();
    if cluster.spec.hosts.is_empty() && new_masters.is_empty() {
        if !new_nodes.is_empty() {
            return Err(ApplyError::other(
                "a cluster needs a master: give --masters",
            ));
        }
        let ip = local_ipv4().unwrap_or_else(|| "127.0.0.1".to_string());
        cluster.add_hosts(&[ip], &[], 22, None)?;
    } else if !new_masters.is_empty() || !new_nodes.is_empty() {
        let port = req
            .ssh
            .as_ref()
            .and_then(|s| s.port)
            .or(cluster.spec.ssh.port)
            .unwrap_or(22);
        let override_ssh = if existed || !cluster.spec.hosts.is_empty() {
            req.ssh.clone()
        } else {
            None
        };
        cluster.add_hosts(&new_masters, &new_nodes, port, override_ssh)?;
    }

    let hosts = file.cluster.all_hosts();
    let fleet = Fleet::connect(ctx, &file.cluster, &hosts).await?;
    let run = Run {
        ctx,
        file: Mutex::new(file),
        state_lock: Mutex::new(()),
    };
    check_hosts(&run, &fleet, &hosts).await?;
    {
        let mut f = run.file.lock().expect("clusterfile lock");
        f.cluster.set_phase("ClusterInProcess");
    }
    run.save()?;
    let result = pipeline(&run, &fleet, &req).await;
    let mut f = run.file.lock().expect("clusterfile lock").clone();
    match &result {
        Ok(()) => {
            f.cluster.set_phase("ClusterSuccess");
            f.cluster.set_condition(
                "ApplyClusterSuccess",
                "True",
                "Ready",
                "Applied to cluster successfully",
            );
            if f.cluster.metadata.creation_timestamp.is_none() {
                f.cluster.metadata.creation_timestamp = Some(hoist_cluster::now_rfc3339());
            }
        }
        Err(e) => {
            f.cluster.set_phase("ClusterFailed");
            f.cluster.set_condition(
                "ApplyClusterError",
                "False",
                "ApplyClusterError",
                &e.to_string(),
            );
        }
    }
    ctx.state.write_clusterfile(&f)?;
    result.map(|()| f)
}

/// Hostnames unique, clocks within 5 s of ours, architectures recorded in the roles.
async fn check_hosts(run: &Run<'_>, fleet: &Fleet, hosts: &[String]) -> Result<(), ApplyError> {
    let facts: Mutex<BTreeMap<String, (String, i64, String)>> = Mutex::new(BTreeMap::new());
    run.fanout(
        "check hosts",
        hosts,
        |_| None,
        |h| {
            let host = fleet.get(&h).clone();
            let facts = &facts;
            async move {
                let out = host
                    .output("hostname; date +%s; uname -m")
                    .await
                    .map_err(|e| e.to_string())?;
                let mut lines = out.lines();
                let name = lines.next().unwrap_or("").trim().to_string();
                let time: i64 = lines
                    .next()
                    .unwrap_or("")
                    .trim()
                    .parse()
                    .map_err(|_| format!("{h}: cannot read the clock (`date +%s`)"))?;
                let arch = lines.next().unwrap_or("").trim().to_string();
                facts.lock().expect("facts").insert(h, (name, time, arch));
                Ok(())
            }
        },
    )
    .await?;
    let facts = facts.into_inner().expect("facts");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut failures = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (h, (name, time, arch)) in &facts {
        if let Some(other) = names.insert(name.to_lowercase(), h.clone()) {
            failures.push(HostFailure {
                host: h.clone(),
                error: format!("{h}: hostname `{name}` is also the hostname of {other}; hostnames must be unique"),
            });
        }
        if (time - now).abs() > 5 {
            failures.push(HostFailure {
                host: h.clone(),
                error: format!("{h}: its clock is {}s off this machine's; synchronise clocks (e.g. chrony) first", time - now),
            });
        }
        if let Err(e) = hoist_cluster::arch_role(arch) {
            failures.push(HostFailure {
                host: h.clone(),
                error: format!("{h}: {e}"),
            });
        }
    }
    if !failures.is_empty() {
        return Err(ApplyError::Step {
            step: "check hosts".into(),
            failures,
            of: hosts.len(),
        });
    }
    let mut f = run.file.lock().expect("clusterfile lock");
    for (h, (_, _, arch)) in &facts {
        if let Ok(role) = hoist_cluster::arch_role(arch) {
            f.cluster.set_arch(h, role);
        }
    }
    Ok(())
}

/// Top-level names never sent as files: `registry/` goes to the registry host separately.
fn is_template(rel: &str) -> bool {
    let top = rel.split('/').next().unwrap_or("");
    matches!(top, "etc" | "scripts" | "manifests") && rel.ends_with(".tmpl")
}

/// The tree of one mount as sent to a host: its files minus `registry/` and templates, plus the
/// templates rendered with this host's env.
fn mount_tree(mount_point: &Path, env: &BTreeMap<String, String>) -> Result<Tree, String> {
    let mut tree = Tree::from_dir(mount_point, |rel: &str| {
        rel == "registry" || rel.starts_with("registry/") || is_template(rel)
    })
    .map_err(|e| e.to_string())?;
    let rendered = hoist_cluster::render_templates(mount_point, env).map_err(|e| e.to_string())?;
    for r in rendered {
        tree.insert(
            &r.rel_path,
            Node::File {
                source: Source::Bytes(r.bytes.into()),
                mode: r.mode,
            },
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(tree)
}

async fn pipeline(run: &Run<'_>, fleet: &Fleet, req: &Request) -> Result<(), ApplyError> {
    let ctx = run.ctx;
    let (cluster, configs) = {
        let f = run.file.lock().expect("clusterfile lock");
        (f.cluster.clone(), f.configs.clone())
    };
    let hosts = cluster.all_hosts();
    let master0 = cluster
        .master0()
        .ok_or_else(|| ApplyError::other("the cluster has no master"))?;

    ctx.reporter.step("mount images");
    let mounted = {
        let ctx = ctx.clone();
        let images = cluster.spec.image.clone();
        let named = req.images.clone();
        let env = req.env.clone();
        let previous = cluster.status.mounts.clone();
        tokio::task::spawn_blocking(move || {
            mount_all(&ctx, &images, &configs, &named, &env, &previous)
        })
        .await
        .map_err(|e| ApplyError::other(format!("mounting images: {e}")))??
    };
    {
        let mut f = run.file.lock().expect("clusterfile lock");
        f.cluster.status.mounts = mounted.iter().map(|m| m.mount.clone()).collect();
    }
    run.save()?;

    let base: Vec<&Mounted> = mounted
        .iter()
        .filter(|m| matches!(m.mount.r#type, ImageType::Rootfs | ImageType::Patch))
        .collect();
    let mut base_env = BTreeMap::new();
    for m in &base {
        base_env.extend(m.mount.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let base_digests: Vec<&str> = base.iter().map(|m| m.digest.as_str()).collect();
    let base_fp = base_digests.join(",");
    let host_env = |h: &str, env: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        let mut e = cluster.env_for(h, env);
        e.insert("SEALOS_SYS_RUN_MODE".into(), cluster.roles_of(h).join(","));
        e
    };

    // Files: rootfs and patch images to every host, applications to master0.
    let rootfs_dir = ctx.rootfs_dir();
    run.fanout(
        "distribute rootfs",
        &hosts,
        |_| None,
        |h| {
            let host = fleet.get(&h).clone();
            let env = host_env(&h, &base_env);
            let base = &base;
            let rootfs_dir = rootfs_dir.clone();
            let reporter = ctx.reporter.clone();
            async move {
                let mut tree = Tree::default();
                for m in base {
                    tree.overlay(&mount_tree(Path::new(&m.mount.mount_point), &env)?)
                        .map_err(|e| e.to_string())?;
                }
                let hname = h.clone();
                let opts = SyncOptions {
                    progress: Some(Arc::new(move |n| reporter.sent(&hname, n))),
                };
                synced(ctx, &host, host.sync_tree(&tree, &rootfs_dir, &opts).await)
            }
        },
    )
    .await?;
    for m in mounted
        .iter()
        .filter(|m| m.mount.r#type == ImageType::Application)
    {
        let dir = ctx.app_dir(&m.mount.name);
        let env = host_env(&master0, &m.mount.env);
        run.fanout(
            &format!("distribute {}", m.mount.image_name),
            std::slice::from_ref(&master0),
            |_| None,
            |h| {
                let host = fleet.get(&h).clone();
                let dir = dir.clone();
                let env = env.clone();
                async move {
                    let tree = mount_tree(Path::new(&m.mount.mount_point), &env)?;
                    synced(
                        ctx,
                        &host,
                        host.sync_tree(&tree, &dir, &SyncOptions::default()).await,
                    )
                }
            },
        )
        .await?;
    }

    // The images' registry content, served on the registry hosts.
    let with_registry: Vec<&Mounted> = mounted
        .iter()
        .filter(|m| Path::new(&m.mount.mount_point).join("registry").is_dir())
        .collect();
    let reg = RegistryConf::from_env(&base_env);
    let registry_hosts = cluster.registry_hosts();
    let image_serves_registry = label(&base, "init-registry").is_some()
        || base.iter().any(|m| {
            Path::new(&m.mount.mount_point)
                .join("scripts/init-registry.sh")
                .is_file()
        });
    if !with_registry.is_empty() {
        let registry_dir = format!("{rootfs_dir}/registry");
        run.fanout(
            "distribute registry",
            &registry_hosts,
            |_| None,
            |h| {
                let host = fleet.get(&h).clone();
                let registry_dir = registry_dir.clone();
                let with_registry = &with_registry;
                async move {
                    let mut tree = Tree::default();
                    for m in with_registry {
                        let dir = Path::new(&m.mount.mount_point).join("registry");
                        tree.overlay(&Tree::from_dir(&dir, |_| false).map_err(|e| e.to_string())?)
                            .map_err(|e| e.to_string())?;
                    }
                    synced(
                        ctx,
                        &host,
                        host.sync_tree(&tree, &registry_dir, &SyncOptions::default())
                            .await,
                    )
                }
            },
        )
        .await?;
        let htpasswd = htpasswd_line(ctx, &reg)?;
        let htpasswd_path = format!("{rootfs_dir}/etc/registry_htpasswd");
        run.fanout(
            "registry credentials",
            &registry_hosts,
            |_| None,
            |h| {
                let host = fleet.get(&h).clone();
                let (p, c) = (htpasswd_path.clone(), htpasswd.clone());
                async move {
                    host.write_file(&p, c.as_bytes(), 0o600)
                        .await
                        .map_err(|e| e.to_string())
                }
            },
        )
        .await?;
        let registry_ip = host_ip(&registry_hosts[0]).to_string();
        run.fanout(
            "registry hosts entry",
            &hosts,
            |_| None,
            |h| {
                let host = fleet.get(&h).clone();
                let script = hostscript::hosts_add(&registry_ip, &reg.domain);
                async move { run.sh(&host, script, &BTreeMap::new(), None).await }
            },
        )
        .await?;
        if !image_serves_registry {
            let bin_dir = format!("{}/bin", ctx.cluster_dir());
            let exe = ctx.self_exe.clone();
            let exe_digest = file_digest(&exe)?;
            run.fanout(
                "serve registry",
                &registry_hosts,
                |_| None,
                |h| {
                    let host = fleet.get(&h).clone();
                    let (bin_dir, exe) = (bin_dir.clone(), exe.clone());
                    let fp = fingerprint(&[&exe_digest, &htpasswd, &reg.port.to_string()]);
                    let script = hostscript::registry_start(
                        &format!("{bin_dir}/hoist"),
                        &registry_dir,
                        reg.port,
                        &htpasswd_path,
                        &ctx.cluster_dir(),
                        &fp,
                    );
                    async move {
                        let mut tree = Tree::default();
                        tree.insert(
                            "hoist",
                            Node::File {
                                source: Source::Path(exe.clone()),
                                mode: 0o755,
                            },
                        )
                        .map_err(|e| e.to_string())?;
                        host.sync_tree(&tree, &bin_dir, &SyncOptions::default())
                            .await
                            .map_err(|e| e.to_string())?;
                        run.sh(&host, script, &BTreeMap::new(), None).await
                    }
                },
            )
            .await?;
            wait_for_registry(run, fleet, &hosts, &reg, 60).await?;
        }
    }

    // Bootstrap: each step on all its hosts before the next starts.
    let scripts_dir = format!("{rootfs_dir}/scripts");
    let bootstrap: [(&str, &str, Option<&str>, bool); 4] = [
        ("check", "check", Some("check.sh"), false),
        (
            "init-registry",
            "init-registry",
            Some("init-registry.sh"),
            true,
        ),
        ("init-cri", "init-cri", None, false),
        ("init", "init", Some("init.sh"), false),
    ];
    for (step, lbl, default, registry_only) in bootstrap {
        let Some(cmd) = label(&base, lbl).or_else(|| {
            default
                .filter(|d| {
                    base.iter().any(|m| {
                        Path::new(&m.mount.mount_point)
                            .join("scripts")
                            .join(d)
                            .is_file()
                    })
                })
                .map(str::to_string)
        }) else {
            continue;
        };
        if registry_only && with_registry.is_empty() {
            continue;
        }
        let targets = if registry_only {
            registry_hosts.clone()
        } else {
            hosts.clone()
        };
        let step_name = format!("bootstrap: {step}");
        run.fanout(
            &step_name,
            &targets,
            |h| Some(fingerprint(&[&base_fp, &cmd, &format!("{:?}", host_env(h, &base_env))])),
            |h| {
                let host = fleet.get(&h).clone();
                let env = host_env(&h, &base_env);
                let script = if registry_only {
                    format!(
                        "rm -rf /var/lib/registry && mkdir -p /var/lib && ln -s {} /var/lib/registry && bash {cmd}",
                        hoist_exec::quote(&format!("{rootfs_dir}/registry"))
                    )
                } else {
                    format!("bash {cmd}")
                };
                let scripts_dir = scripts_dir.clone();
                async move { run.sh(&host, script, &env, Some(scripts_dir)).await }
            },
        )
        .await?;
        if registry_only {
            wait_for_registry(run, fleet, &hosts, &reg, 120).await?;
        }
    }

    // Image commands, in image order: rootfs and patch on every host, applications on master0.
    let named: BTreeSet<&String> = req.images.iter().collect();
    for (i, m) in mounted.iter().enumerate() {
        let env_base = if m.mount.r#type == ImageType::Application {
            m.mount.env.clone()
        } else {
            base_env.clone()
        };
        let commands =
            hoist_cluster::guest_commands(&m.mount, i == 0, &cluster.spec.command, &env_base);
        if commands.is_empty() {
            continue;
        }
        let (targets, dir) = match m.mount.r#type {
            ImageType::Application => (vec![master0.clone()], ctx.app_dir(&m.mount.name)),
            _ => (hosts.clone(), rootfs_dir.clone()),
        };
        let script = commands.join(" && ");
        let forced = req.force && named.contains(&m.mount.image_name);
        let step = format!("run {}", m.mount.image_name);
        let fp_of =
            |h: &str| fingerprint(&[&m.digest, &script, &format!("{:?}", host_env(h, &env_base))]);
        if !forced && targets.iter().all(|h| run.done(&step, h, &fp_of(h))) {
            continue;
        }
        let result = run
            .fanout(
                &step,
                &targets,
                |h| {
                    let fp = fp_of(h);
                    if forced {
                        // A fingerprint nobody recorded: runs, then records the real one below.
                        Some(format!("{fp}-forced-{}", std::process::id()))
                    } else {
                        Some(fp)
                    }
                },
                |h| {
                    let host = fleet.get(&h).clone();
                    let env = host_env(&h, &env_base);
                    let (script, dir) = (script.clone(), dir.clone());
                    async move { run.sh(&host, script, &env, Some(dir)).await }
                },
            )
            .await;
        let mut f = run.file.lock().expect("clusterfile lock");
        match &result {
            Ok(()) => f.cluster.push_command_condition(
                "ApplyCommandSuccess",
                "True",
                std::slice::from_ref(&m.mount.image_name),
                "Applied",
                "Applied to cluster successfully",
            ),
            Err(e) => f.cluster.push_command_condition(
                "ApplyCommandError",
                "False",
                std::slice::from_ref(&m.mount.image_name),
                "ApplyCommandError",
                &e.to_string(),
            ),
        }
        drop(f);
        run.save()?;
        result?;
        if forced {
            for h in &targets {
                run.record(&step, h, &fp_of(h))?;
            }
        }
    }
    Ok(())
}

/// Waits until every host reaches the registry at `domain:port` (at most `secs` seconds each).
async fn wait_for_registry(
    run: &Run<'_>,
    fleet: &Fleet,
    hosts: &[String],
    reg: &RegistryConf,
    secs: u32,
) -> Result<(), ApplyError> {
    run.fanout(
        "wait for the registry",
        hosts,
        |_| None,
        |h| {
            let host = fleet.get(&h).clone();
            let script = hostscript::wait_tcp(&reg.domain, reg.port, secs);
            async move { run.sh(&host, script, &BTreeMap::new(), None).await }
        },
    )
    .await
}

/// A label of the merged rootfs and patch images (later images win), if set and non-empty.
fn label(base: &[&Mounted], name: &str) -> Option<String> {
    base.iter().rev().find_map(|m| {
        m.mount
            .labels
            .get(name)
            .filter(|v| !v.trim().is_empty())
            .cloned()
    })
}

fn file_digest(path: &Path) -> Result<String, ApplyError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)
        .map_err(|e| ApplyError::other(format!("cannot read {}: {e}", path.display())))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| ApplyError::other(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// The registry's htpasswd line, kept in the state directory so that a re-run does not change it
/// (bcrypt salts differ on every hash); regenerated when the credentials change.
fn htpasswd_line(ctx: &Context, reg: &RegistryConf) -> Result<String, ApplyError> {
    let path = ctx.state.dir().join("etc").join("registry_htpasswd");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && let Some((user, hash)) = existing.trim_end().split_once(':')
        && user == reg.user
        && bcrypt::verify(&reg.password, hash).unwrap_or(false)
    {
        return Ok(existing);
    }
    let hash = bcrypt::hash_with_result(&reg.password, 10)
        .map_err(|e| ApplyError::other(format!("cannot hash the registry password: {e}")))?
        .format_for_version(bcrypt::Version::TwoA);
    let line = format!("{}:{hash}\n", reg.user);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| ApplyError::other(format!("cannot create {}: {e}", parent.display())))?;
    }
    write_atomic(&path, line.as_bytes())?;
    Ok(line)
}
