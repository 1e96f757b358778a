//! Helm's chart rendering, as Helm v4.2.3 does it: render values, one template set for a chart and
//! its subcharts, `include`/`tpl`/`required`/`fail`, splitting and sorting the rendered
//! manifests, and the `helm template` command's output.
//!
//! It performs no network access and never talks to a cluster: `lookup` answers an empty map, as
//! Helm does offline.

mod engine;
mod funcs;
pub mod manifest;
pub mod objects;
pub mod template;

pub use engine::{EngineOptions, render};
