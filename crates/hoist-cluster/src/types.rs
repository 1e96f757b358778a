//! The `apps.sealos.io/v1beta1` types, with sealos's JSON field names and `omitempty` rules
//! (`lifecycle/pkg/types/v1beta1/cluster.go` and `config.go`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The API version of every document hoist reads and writes.
pub const API_VERSION: &str = "apps.sealos.io/v1beta1";

/// `metadata`, the part of Kubernetes' ObjectMeta sealos uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The cluster's (or Config's) name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// When the cluster was first applied; `null` until then (as Kubernetes writes a zero time).
    #[serde(rename = "creationTimestamp", default)]
    pub creation_timestamp: Option<String>,
    /// Set by `reset`.
    #[serde(
        rename = "deletionTimestamp",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub deletion_timestamp: Option<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// SSH settings (`spec.ssh`, or a host's override).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ssh {
    /// The login user (empty: root).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// The password.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub passwd: String,
    /// A key's name (informational).
    #[serde(rename = "pkName", default, skip_serializing_if = "String::is_empty")]
    pub pk_name: String,
    /// An inline private key (PEM).
    #[serde(rename = "pkData", default, skip_serializing_if = "String::is_empty")]
    pub pk_data: String,
    /// A private key file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pk: String,
    /// The key's passphrase.
    #[serde(rename = "pkPasswd", default, skip_serializing_if = "String::is_empty")]
    pub pk_passwd: String,
    /// The port (absent: 22).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "port_de"
    )]
    pub port: Option<u16>,
}

fn port_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let v: Option<f64> = Option::deserialize(d)?;
    match v {
        None => Ok(None),
        Some(0.0) => Ok(None),
        Some(f) if f.fract() == 0.0 && (1.0..=65535.0).contains(&f) => Ok(Some(f as u16)),
        Some(f) => Err(serde::de::Error::custom(format!("invalid port {f}"))),
    }
}

impl std::fmt::Debug for Ssh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hide = |s: &str| if s.is_empty() { "" } else { "***" };
        f.debug_struct("Ssh")
            .field("user", &self.user)
            .field("passwd", &hide(&self.passwd))
            .field("pk_name", &self.pk_name)
            .field("pk_data", &hide(&self.pk_data))
            .field("pk", &self.pk)
            .field("pk_passwd", &hide(&self.pk_passwd))
            .field("port", &self.port)
            .finish()
    }
}

impl Ssh {
    /// `self` with every non-empty field of `over` replacing its own.
    pub fn overlaid(&self, over: &Ssh) -> Ssh {
        let pick = |a: &String, b: &String| if b.is_empty() { a.clone() } else { b.clone() };
        Ssh {
            user: pick(&self.user, &over.user),
            passwd: pick(&self.passwd, &over.passwd),
            pk_name: pick(&self.pk_name, &over.pk_name),
            pk_data: pick(&self.pk_data, &over.pk_data),
            pk: pick(&self.pk, &over.pk),
            pk_passwd: pick(&self.pk_passwd, &over.pk_passwd),
            port: over.port.or(self.port),
        }
    }
}

/// One entry of `spec.hosts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostSpec {
    /// `ip:port` addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<String>,
    /// `master`/`node`/`registry` and the architecture.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// `K=V` for commands on these hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// SSH settings replacing `spec.ssh`'s non-empty fields for these hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<Ssh>,
}

/// `spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterSpec {
    /// Images, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image: Vec<String>,
    /// SSH settings for every host.
    #[serde(default)]
    pub ssh: Ssh,
    /// Hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<HostSpec>,
    /// `K=V` for every image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Replaces the first image's CMD.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
}

/// What an image is for (`sealos.io.type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageType {
    /// The distribution: copied to every host.
    #[serde(rename = "rootfs")]
    Rootfs,
    /// An overlay onto the rootfs: copied to every host after it.
    #[serde(rename = "patch")]
    Patch,
    /// An application: copied to master0, its CMD runs there.
    #[default]
    #[serde(rename = "application", alias = "")]
    Application,
}

/// One entry of `status.mounts`: an image as the cluster uses it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MountImage {
    /// `<cluster>-<8 hex>`.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub r#type: ImageType,
    /// The image's name.
    #[serde(rename = "imageName")]
    pub image_name: String,
    /// Where it is unpacked locally.
    #[serde(rename = "mountPoint")]
    pub mount_point: String,
    /// Its ENV (minus PATH) with `-e` values for the run that named it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Its labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// CMD without the `/bin/sh -c` wrapper.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// ENTRYPOINT without the `/bin/sh -c` wrapper.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
}

/// `status.conditions[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterCondition {
    /// `ApplyClusterSuccess` or `ApplyClusterError`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// `True`/`False`.
    pub status: String,
    /// When.
    #[serde(rename = "lastHeartbeatTime", default)]
    pub last_heartbeat_time: Option<String>,
    /// Why, in a word.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// `status.commandCondition[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommandCondition {
    /// `ApplyCommandSuccess`, `ApplyCommandError` or `ApplyCommandCancelled`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// `True`/`False`.
    pub status: String,
    /// When.
    #[serde(rename = "lastHeartbeatTime", default)]
    pub last_heartbeat_time: Option<String>,
    /// The images whose commands ran.
    #[serde(default)]
    pub images: Vec<String>,
    /// Why, in a word.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// `status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterStatus {
    /// `ClusterInProcess`, `ClusterSuccess`, `ClusterFailed`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phase: String,
    /// The images as mounted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<MountImage>,
    /// One per type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ClusterCondition>,
    /// Append-only history of image commands.
    #[serde(
        rename = "commandCondition",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub command_condition: Vec<CommandCondition>,
}

/// A `Cluster` document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// `apps.sealos.io/v1beta1`.
    #[serde(rename = "apiVersion", default)]
    pub api_version: String,
    /// `Cluster`.
    #[serde(default)]
    pub kind: String,
    /// Metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// What the user wants.
    #[serde(default)]
    pub spec: ClusterSpec,
    /// What hoist did.
    #[serde(default)]
    pub status: ClusterStatus,
}

/// `spec` of a `Config` document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigSpec {
    /// The image it applies to (empty: all).
    #[serde(rename = "match", default, skip_serializing_if = "String::is_empty")]
    pub match_: String,
    /// `merge`, `insert`, `append`, `override` (empty: override).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub strategy: String,
    /// The content.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub data: String,
    /// The file, relative to the image root.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
}

/// A `Config` document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// `apps.sealos.io/v1beta1`.
    #[serde(rename = "apiVersion", default)]
    pub api_version: String,
    /// `Config`.
    #[serde(default)]
    pub kind: String,
    /// Metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// The file to write.
    #[serde(default)]
    pub spec: ConfigSpec,
}

/// The current time as Kubernetes writes it (`2006-01-02T15:04:05Z`).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The first `uname -m`-style answer mapped to sealos's arch role.
pub fn arch_role(uname_m: &str) -> Result<&'static str, Error> {
    match uname_m.trim() {
        "x86_64" | "amd64" => Ok("amd64"),
        "aarch64" | "arm64" => Ok("arm64"),
        other => Err(Error::Invalid(format!(
            "unsupported architecture `{other}` (hoist knows x86_64 and aarch64)"
        ))),
    }
}

/// The port of `ip:port` (`[v6]:port`), if the address names one.
pub fn host_port(host: &str) -> Option<u16> {
    if host.starts_with('[') {
        return host.rsplit_once("]:").and_then(|(_, p)| p.parse().ok());
    }
    match host.rsplit_once(':') {
        Some((ip, p)) if !ip.contains(':') => p.parse().ok(),
        _ => None,
    }
}

/// The address part of `ip:port` (`[v6]:port`), or the whole string when it names no port.
pub fn host_ip(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((ip, p)) if !ip.contains(':') && p.parse::<u16>().is_ok() => ip,
        _ => host,
    }
}

fn with_port(host: &str, port: u16) -> String {
    if host_port(host).is_some() {
        host.to_string()
    } else if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn env_list_to_map(list: &[String], into: &mut BTreeMap<String, String>) {
    for item in list {
        match item.split_once('=') {
            Some((k, v)) => {
                into.insert(k.to_string(), v.to_string());
            }
            None => {
                into.insert(item.clone(), String::new());
            }
        }
    }
}

impl Cluster {
    /// An empty cluster named `name`.
    pub fn new(name: &str) -> Cluster {
        Cluster {
            api_version: API_VERSION.to_string(),
            kind: "Cluster".to_string(),
            metadata: Metadata {
                name: name.to_string(),
                ..Metadata::default()
            },
            ..Cluster::default()
        }
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// An address of `spec.hosts` as `ip:port`: one without a port gets `spec.ssh.port` (22
    /// when unset), as sealos's `GetHostIPAndPortSlice` does.
    fn full_address(&self, ip: &str) -> String {
        with_port(ip, self.spec.ssh.port.unwrap_or(22))
    }

    fn hosts_with_role(&self, role: &str) -> Vec<String> {
        self.spec
            .hosts
            .iter()
            .filter(|h| h.roles.iter().any(|r| r == role))
            .flat_map(|h| h.ips.iter().map(|ip| self.full_address(ip)))
            .collect()
    }

    /// The first address (`ip:port`) of the first host entry with role `master`.
    pub fn master0(&self) -> Option<String> {
        self.masters().into_iter().next()
    }

    /// Every master, in order.
    pub fn masters(&self) -> Vec<String> {
        self.hosts_with_role("master")
    }

    /// Every node, in order.
    pub fn nodes(&self) -> Vec<String> {
        self.hosts_with_role("node")
    }

    /// Hosts with role `registry`, else master0.
    pub fn registry_hosts(&self) -> Vec<String> {
        let r = self.hosts_with_role("registry");
        if r.is_empty() {
            self.master0().into_iter().collect()
        } else {
            r
        }
    }

    /// Every host once (`ip:port`): masters first, then nodes, then the rest.
    pub fn all_hosts(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in self.masters().into_iter().chain(self.nodes()).chain(
            self.spec
                .hosts
                .iter()
                .flat_map(|h| h.ips.iter().map(|ip| self.full_address(ip))),
        ) {
            if !out.contains(&h) {
                out.push(h);
            }
        }
        out
    }

    /// Is `host` (`ip` or `ip:port`) in the cluster?
    pub fn has_host(&self, host: &str) -> bool {
        self.find_host(host).is_some()
    }

    fn find_host(&self, host: &str) -> Option<(usize, String)> {
        for (i, h) in self.spec.hosts.iter().enumerate() {
            for ip in &h.ips {
                if ip == host
                    || (host_port(host).is_none() && host_ip(ip) == host)
                    || (host_port(ip).is_none() && host_ip(host) == ip)
                {
                    return Some((i, ip.clone()));
                }
            }
        }
        None
    }

    /// The roles of the entry holding `host`.
    pub fn roles_of(&self, host: &str) -> Vec<String> {
        self.find_host(host)
            .map(|(i, _)| self.spec.hosts[i].roles.clone())
            .unwrap_or_default()
    }

    /// `spec.ssh` overlaid with the host entry's own `ssh` (matched by exact address, not by
    /// suffix as sealos does).
    /// The port is the one of the address (`host`'s, else the entry's) when it names one, as
    /// sealos connects to `ip:port`.
    pub fn ssh_for(&self, host: &str) -> Ssh {
        let found = self.find_host(host);
        let mut ssh = match found
            .as_ref()
            .and_then(|(i, _)| self.spec.hosts[*i].ssh.clone())
        {
            Some(own) => self.spec.ssh.overlaid(&own),
            None => self.spec.ssh.clone(),
        };
        if let Some(p) = host_port(host).or_else(|| found.and_then(|(_, ip)| host_port(&ip))) {
            ssh.port = Some(p);
        }
        ssh
    }

    /// The env for commands on `host`: `image_env` (image ENV and `-e`) < `spec.env` < the host's
    /// env. `SEALOS_SYS*` keys of `spec.env` and host env are dropped (reserved, as in sealos).
    pub fn env_for(
        &self,
        host: &str,
        image_env: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut env = image_env.clone();
        let mut user = BTreeMap::new();
        env_list_to_map(&self.spec.env, &mut user);
        if let Some((i, _)) = self.find_host(host) {
            env_list_to_map(&self.spec.hosts[i].env, &mut user);
        }
        env.extend(
            user.into_iter()
                .filter(|(k, _)| !k.starts_with("SEALOS_SYS")),
        );
        env
    }

    /// Adds hosts: one entry per port for masters, then for nodes, roles `[master|node]` (the
    /// architecture is added by [`Cluster::set_arch`] once known). `ssh` becomes the new entries'
    /// own SSH settings.
    pub fn add_hosts(
        &mut self,
        masters: &[String],
        nodes: &[String],
        port: u16,
        ssh: Option<Ssh>,
    ) -> Result<(), Error> {
        for (list, role) in [(masters, "master"), (nodes, "node")] {
            let mut groups: Vec<(u16, Vec<String>)> = Vec::new();
            for h in list {
                if self.has_host(h) {
                    return Err(Error::Invalid(format!(
                        "host {h} is already in cluster `{}`",
                        self.name()
                    )));
                }
                let full = with_port(h, port);
                let p = host_port(&full).unwrap_or(port);
                match groups.iter_mut().find(|(gp, _)| *gp == p) {
                    Some((_, ips)) => ips.push(full),
                    None => groups.push((p, vec![full])),
                }
            }
            for (_, ips) in groups {
                self.spec.hosts.push(HostSpec {
                    ips,
                    roles: vec![role.to_string()],
                    env: Vec::new(),
                    ssh: ssh.clone(),
                });
            }
        }
        Ok(())
    }

    /// Records `arch` (`amd64`/`arm64`) in the roles of the entry holding `host`.
    pub fn set_arch(&mut self, host: &str, arch: &str) {
        if let Some((i, _)) = self.find_host(host) {
            let roles = &mut self.spec.hosts[i].roles;
            roles.retain(|r| r != "amd64" && r != "arm64");
            roles.push(arch.to_string());
        }
    }

    /// Removes hosts; refuses master0 (the cluster's state and registry live there) and hosts
    /// not in the cluster. Entries left without addresses are dropped.
    pub fn remove_hosts(&mut self, hosts: &[String]) -> Result<(), Error> {
        let master0 = self.master0();
        let mut exact = Vec::new();
        for h in hosts {
            let Some((_, ip)) = self.find_host(h) else {
                return Err(Error::Invalid(format!(
                    "host {h} is not in cluster `{}`",
                    self.name()
                )));
            };
            if Some(&ip) == master0.as_ref() {
                return Err(Error::Invalid(format!(
                    "cannot delete {ip}: it is master0, which holds the cluster's registry and state; \
                     reset the cluster instead"
                )));
            }
            exact.push(ip);
        }
        for h in &mut self.spec.hosts {
            h.ips.retain(|ip| !exact.contains(ip));
        }
        self.spec.hosts.retain(|h| !h.ips.is_empty());
        Ok(())
    }

    /// Sets `status.phase`.
    pub fn set_phase(&mut self, phase: &str) {
        self.status.phase = phase.to_string();
    }

    /// Sets the condition of type `r#type` (one per type: replaced in place).
    pub fn set_condition(&mut self, r#type: &str, status: &str, reason: &str, message: &str) {
        let c = ClusterCondition {
            r#type: r#type.to_string(),
            status: status.to_string(),
            last_heartbeat_time: Some(now_rfc3339()),
            reason: reason.to_string(),
            message: message.to_string(),
        };
        // A success replaces an earlier error and the other way round: the latest outcome wins.
        self.status
            .conditions
            .retain(|x| x.r#type != "ApplyClusterSuccess" && x.r#type != "ApplyClusterError");
        self.status.conditions.push(c);
    }

    /// Appends to `status.commandCondition`.
    pub fn push_command_condition(
        &mut self,
        r#type: &str,
        status: &str,
        images: &[String],
        reason: &str,
        message: &str,
    ) {
        self.status.command_condition.push(CommandCondition {
            r#type: r#type.to_string(),
            status: status.to_string(),
            last_heartbeat_time: Some(now_rfc3339()),
            images: images.to_vec(),
            reason: reason.to_string(),
            message: message.to_string(),
        });
    }
}
