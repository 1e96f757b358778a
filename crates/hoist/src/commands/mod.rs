//! One module per command group.

pub(crate) mod chart;
pub(crate) mod cluster;
pub(crate) mod image;
pub(crate) mod registry;
pub(crate) mod remote;
