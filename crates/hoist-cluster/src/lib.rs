//! The sealos Clusterfile (`apps.sealos.io/v1beta1` `Cluster` and `Config`), the cluster-image
//! contract (types, labels, env, CMD expansion, `.tmpl` rendering, Config strategies) and local
//! cluster state. No SSH here: the pipeline in hoist-apply uses this crate.

mod contract;
mod file;
mod funcs;
mod iplist;
mod state;
mod types;

pub use contract::{
    Rendered, apply_configs, expand, guest_commands, label_script, mount_from_config,
    render_templates,
};
pub use file::{Clusterfile, parse, parse_extra_documents, render};
pub use iplist::parse_ip_list;
pub use state::{Lock, StateDir, default_cluster, write_atomic};
pub use types::{
    API_VERSION, Cluster, ClusterCondition, ClusterSpec, ClusterStatus, CommandCondition, Config,
    ConfigSpec, HostSpec, ImageType, Metadata, MountImage, Ssh, arch_role, host_ip, host_port,
    now_rfc3339,
};

/// What can go wrong, naming the file and line, or what is invalid.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file's content is wrong; `message` starts with `line N: ` when the line is known.
    #[error("{file}: {message}")]
    File {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An argument or state is invalid.
    #[error("{0}")]
    Invalid(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}
