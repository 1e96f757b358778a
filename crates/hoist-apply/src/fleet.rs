//! Connections to a cluster's hosts: SSH, or this machine directly when a host's address is one
//! of ours.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

pub use hoist_cluster::host_ip;
use hoist_cluster::{Cluster, Ssh, host_port};
use hoist_exec::{Host, Secret, SshAuth, Target};

use crate::Context;
use crate::error::{ApplyError, HostFailure};

/// Which hosts `exec` and `scp` work on.
#[derive(Debug, Clone, Default)]
pub struct HostSel {
    /// Only hosts with one of these roles (`master`, `node`); empty = any.
    pub roles: Vec<String>,
    /// Only these addresses (`ip` or `ip:port`); empty = all.
    pub ips: Vec<String>,
}

impl HostSel {
    /// The cluster's hosts this selection names, in cluster order.
    pub fn pick(&self, cluster: &Cluster) -> Result<Vec<String>, ApplyError> {
        let all = cluster.all_hosts();
        for ip in &self.ips {
            if !all.iter().any(|h| same_host(h, ip)) {
                return Err(ApplyError::other(format!(
                    "host {ip} is not in cluster `{}`",
                    cluster.name()
                )));
            }
        }
        Ok(all
            .into_iter()
            .filter(|h| self.ips.is_empty() || self.ips.iter().any(|ip| same_host(h, ip)))
            .filter(|h| {
                self.roles.is_empty() || {
                    let roles = cluster.roles_of(h);
                    self.roles.iter().any(|r| roles.iter().any(|x| x == r))
                }
            })
            .collect())
    }
}

/// `10.0.0.2:22` names the same host as `10.0.0.2`.
pub(crate) fn same_host(a: &str, b: &str) -> bool {
    a == b || host_ip(a) == host_ip(b) && (host_ip(a) == a || host_ip(b) == b)
}

/// Is `ip` an address of this machine?
pub fn is_local_address(ip: &str) -> bool {
    let Ok(addr) = ip.parse::<IpAddr>() else {
        return ip == "localhost";
    };
    if addr.is_loopback() {
        return true;
    }
    if_addrs::get_if_addrs()
        .map(|ifs| ifs.iter().any(|i| i.ip() == addr))
        .unwrap_or(false)
}

/// The first non-loopback IPv4 address of this machine: the single master when no hosts are given.
pub fn local_ipv4() -> Option<String> {
    let mut addrs: Vec<_> = if_addrs::get_if_addrs()
        .ok()?
        .into_iter()
        .filter(|i| !i.is_loopback())
        .filter_map(|i| match i.ip() {
            IpAddr::V4(v4) => Some((i.name.clone(), v4)),
            IpAddr::V6(_) => None,
        })
        .collect();
    addrs.sort_by(|a, b| a.0.cmp(&b.0));
    addrs.first().map(|(_, ip)| ip.to_string())
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// The SSH login for one host, from the cluster's `spec.ssh` overlaid with the host's own.
pub(crate) fn auth_for(ssh: &Ssh) -> SshAuth {
    let key_file = match non_empty(&ssh.pk) {
        Some(pk) => Some(expand_home(pk)),
        None => ["id_rsa", "id_ed25519", "id_ecdsa"]
            .iter()
            .map(|n| expand_home(&format!("~/.ssh/{n}")))
            .find(|p| p.exists()),
    };
    SshAuth {
        user: ssh.user.clone(),
        password: non_empty(&ssh.passwd).map(|p| Secret::new(p.to_string())),
        key_file,
        key_data: non_empty(&ssh.pk_data).map(|p| Secret::new(p.to_string())),
        key_passphrase: non_empty(&ssh.pk_passwd).map(|p| Secret::new(p.to_string())),
    }
}

fn expand_home(p: &str) -> PathBuf {
    match p.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/root"))
            .join(rest),
        None => PathBuf::from(p),
    }
}

/// Open connections to some of a cluster's hosts.
pub struct Fleet {
    hosts: BTreeMap<String, Host>,
}

impl Fleet {
    /// Connects to `which` (addresses as the cluster writes them, `ip:port`), in parallel. If any
    /// host cannot be reached or refuses the login, nothing is returned: the caller changes
    /// nothing anywhere.
    pub async fn connect(
        ctx: &Context,
        cluster: &Cluster,
        which: &[String],
    ) -> Result<Fleet, ApplyError> {
        let mut hosts = BTreeMap::new();
        let mut remote = Vec::new();
        let mut names = Vec::new();
        for h in which {
            if is_local_address(host_ip(h)) {
                hosts.insert(h.clone(), Host::local());
            } else {
                let ssh = cluster.ssh_for(h);
                let port = host_port(h).or(ssh.port).unwrap_or(22);
                remote.push((
                    Target {
                        host: host_ip(h).to_string(),
                        port,
                    },
                    auth_for(&ssh),
                ));
                names.push(h.clone());
            }
        }
        let results = hoist_exec::connect_all(&remote, &ctx.ssh, ctx.parallel).await;
        let mut failures = Vec::new();
        for (name, r) in names.into_iter().zip(results) {
            match r {
                Ok(host) => {
                    hosts.insert(name, host);
                }
                Err(e) => failures.push(HostFailure {
                    host: name,
                    error: e.to_string(),
                }),
            }
        }
        if !failures.is_empty() {
            return Err(ApplyError::Connect(failures));
        }
        Ok(Fleet { hosts })
    }

    /// The connection to `host`.
    pub fn get(&self, host: &str) -> &Host {
        &self.hosts[host]
    }

    /// Every connected host, by address.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.hosts.keys()
    }
}
