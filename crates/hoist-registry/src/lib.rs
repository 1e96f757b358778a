//! hoist's registry: the docker-distribution v2 filesystem layout ([`layout`]) and an HTTP
//! server implementing the distribution v2 API over it ([`server`]).

pub mod digest;
pub mod layout;
pub mod server;

pub use digest::Digest;
pub use layout::{BlobInfo, CopyReporter, Layout, LayoutError, NoReport, StoredManifest};
pub use server::{Server, ServerConfig, ServerError, serve};
