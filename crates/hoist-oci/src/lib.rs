//! Image references, a local OCI image store, layer unpacking and image archives.
//!
//! Synchronous; the interchange format with other crates is the OCI image layout directory.

#![deny(missing_docs)]

pub mod archive;
pub mod compress;
pub mod digest;
pub mod image;
pub mod progress;
pub mod reference;
pub mod store;
pub mod unpack;

pub use digest::Digest;
pub use progress::{NoProgress, Reporter};
pub use reference::{Reference, ReferenceError};
pub use store::{ImageInfo, Store, StoreError};
