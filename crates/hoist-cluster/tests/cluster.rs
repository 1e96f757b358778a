//! Cluster helpers the pipeline uses: hosts, roles, per-host SSH and env, add/remove, status.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hoist_cluster::{Cluster, Clusterfile, Ssh, parse};

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
}

fn cluster() -> Cluster {
    let p = data("clusterfile/status-roundtrip.yaml");
    parse(&std::fs::read_to_string(&p).unwrap(), &p)
        .unwrap()
        .cluster
}

#[test]
fn hosts_and_roles() {
    let c = cluster();
    assert_eq!(c.master0().as_deref(), Some("10.77.0.2:22"));
    assert_eq!(c.masters(), vec!["10.77.0.2:22"]);
    assert_eq!(c.nodes(), vec!["10.77.0.3:22", "10.77.0.4:22"]);
    assert_eq!(c.registry_hosts(), vec!["10.77.0.2:22"]);
    assert_eq!(c.all_hosts().len(), 3);
    assert_eq!(c.roles_of("10.77.0.4"), vec!["node", "arm64"]);
    assert_eq!(c.roles_of("10.77.0.4:22"), vec!["node", "arm64"]);
    assert!(c.roles_of("10.77.0.44").is_empty());
    // Entries without a port get spec.ssh.port.
    let mut c2 = Cluster::new("x");
    c2.spec.ssh.port = Some(2200);
    c2.spec.hosts.push(hoist_cluster::HostSpec {
        ips: vec!["10.0.0.1".into()],
        roles: vec!["master".into(), "registry".into()],
        ..Default::default()
    });
    assert_eq!(c2.master0().as_deref(), Some("10.0.0.1:2200"));
    assert_eq!(c2.registry_hosts(), vec!["10.0.0.1:2200"]);
    assert_eq!(Cluster::new("x").master0(), None);
}

#[test]
fn ssh_overlay_exact_ip() {
    let c = cluster();
    let s = c.ssh_for("10.77.0.2:22");
    assert_eq!(s.user, "root");
    assert_eq!(s.passwd, "other");
    assert_eq!(s.pk, "/root/.ssh/id_rsa");
    // The host override's port is replaced by the one in ip:port.
    assert_eq!(s.port, Some(22));
    let n = c.ssh_for("10.77.0.3");
    assert_eq!(n.passwd, "");
    assert_eq!(n.port, Some(22));
    // Exact match: 0.77.0.2 is not a suffix match of 10.77.0.2.
    let other = c.ssh_for("0.77.0.2");
    assert_eq!(other.passwd, "");
    assert!(!format!("{s:?}").contains("other"));
}

#[test]
fn env_precedence() {
    let c = cluster();
    let mounts: BTreeMap<String, String> = [("criData", "/img"), ("fromImage", "1")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let m = c.env_for("10.77.0.2:22", &mounts);
    assert_eq!(m["criData"], "/mnt/containerd");
    assert_eq!(m["registryDomain"], "hub.local");
    assert_eq!(m["fromImage"], "1");
    let n = c.env_for("10.77.0.3:22", &mounts);
    assert_eq!(n["criData"], "/data/containerd");
}

#[test]
fn add_and_remove_hosts() {
    let mut c = cluster();
    let over = Ssh {
        passwd: "p".into(),
        ..Default::default()
    };
    c.add_hosts(
        &["10.77.0.5".into()],
        &[
            "10.77.0.6".into(),
            "10.77.0.7:2222".into(),
            "10.77.0.8".into(),
        ],
        22,
        Some(over),
    )
    .unwrap();
    // The architecture is recorded per host once probed.
    for h in ["10.77.0.5:22", "10.77.0.6:22", "10.77.0.7:2222"] {
        c.set_arch(h, "amd64");
    }
    let n = c.spec.hosts.len();
    assert_eq!(c.spec.hosts[n - 3].ips, vec!["10.77.0.5:22"]);
    assert_eq!(c.spec.hosts[n - 3].roles, vec!["master", "amd64"]);
    assert_eq!(
        c.spec.hosts[n - 2].ips,
        vec!["10.77.0.6:22", "10.77.0.8:22"]
    );
    assert_eq!(c.spec.hosts[n - 2].roles, vec!["node", "amd64"]);
    // set_arch replaces an earlier arch role.
    c.set_arch("10.77.0.6", "arm64");
    assert_eq!(c.spec.hosts[n - 2].roles, vec!["node", "arm64"]);
    assert_eq!(c.spec.hosts[n - 1].ips, vec!["10.77.0.7:2222"]);
    assert_eq!(c.ssh_for("10.77.0.7").passwd, "p");
    assert_eq!(c.ssh_for("10.77.0.7").port, Some(2222));
    let e = c
        .add_hosts(&[], &["10.77.0.3".into()], 22, None)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("host 10.77.0.3 is already in cluster `default`"),
        "{e}"
    );

    let e = c.remove_hosts(&["10.77.0.2".into()]).unwrap_err();
    assert!(
        e.to_string()
            .contains("cannot delete 10.77.0.2:22: it is master0"),
        "{e}"
    );
    assert!(c.remove_hosts(&["10.9.9.9".into()]).is_err());
    c.remove_hosts(&["10.77.0.7:2222".into(), "10.77.0.3".into()])
        .unwrap();
    assert!(c.spec.hosts.iter().all(|h| !h.ips.is_empty()));
    assert_eq!(
        c.nodes(),
        vec!["10.77.0.4:22", "10.77.0.6:22", "10.77.0.8:22"]
    );
}

#[test]
fn status_updates() {
    let mut c = Cluster::new("x");
    c.set_phase("ClusterInProcess");
    c.set_condition("ApplyClusterError", "False", "Apply Cluster", "boom");
    c.set_condition("ApplyClusterSuccess", "True", "Ready", "ok");
    assert_eq!(c.status.conditions.len(), 1);
    assert_eq!(c.status.conditions[0].r#type, "ApplyClusterSuccess");
    c.set_condition("ApplyClusterError", "False", "Apply Cluster", "boom 2");
    // hoist keeps the latest outcome only: a success replaces an error and back.
    assert_eq!(c.status.conditions.len(), 1);
    assert_eq!(c.status.conditions[0].message, "boom 2");
    let t = c.status.conditions[0].last_heartbeat_time.clone().unwrap();
    assert!(t.ends_with('Z') && t.len() == 20, "{t}");
    c.push_command_condition("ApplyCommandSuccess", "True", &["a".into()], "r", "m");
    c.push_command_condition("ApplyCommandSuccess", "True", &["b".into()], "r", "m");
    assert_eq!(c.status.command_condition.len(), 2);
    let y = Clusterfile::new(c).to_yaml();
    assert!(y.contains("phase: ClusterInProcess\n"), "{y}");
    assert!(y.contains("commandCondition:\n"), "{y}");
    assert!(y.contains("status: \"True\"\n"), "{y}");
}
