//! Sprig v3.3.0 template functions with Go semantics, as plain functions for `hoist-gotmpl`.
//!
//! `env` and `expandenv` are left out on purpose (Helm removes them). Helm's own functions
//! (`toYaml`, `include`, `tpl`, …) live with Helm's render layer, not here.

mod crypto;
mod date;
mod semver_fns;

use hoist_gotmpl::{PlainFn, Signature};

/// One Sprig function: its template name, Go signature and implementation.
#[derive(Clone, Copy)]
pub struct SprigFunc {
    /// The name templates call it by.
    pub name: &'static str,
    /// The Go signature the engine checks arguments against.
    pub sig: Signature,
    /// The implementation.
    pub f: PlainFn,
}

/// Every Sprig function this crate provides.
pub fn functions() -> Vec<SprigFunc> {
    let mut all = Vec::new();
    all.extend(date::functions());
    all.extend(crypto::functions());
    all.extend(semver_fns::functions());
    all
}
