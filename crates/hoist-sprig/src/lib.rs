//! Sprig v3.3.0 template functions with Go semantics, as plain functions for `hoist-gotmpl`.
//!
//! `env` and `expandenv` are left out on purpose (Helm removes them). Helm's own functions
//! (`toYaml`, `include`, `tpl`, …) live with Helm's render layer, not here.

mod args;
mod conv;
mod crypto;
mod date;
mod decimal;
mod dicts;
mod goregex;
mod gounicode;
mod lists;
mod misc;
mod numeric;
mod random;
mod semver_fns;
mod strings;
mod textutil;

pub use date::{set_clock, set_local_zone};

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
    all.extend(strings::functions());
    all.extend(numeric::functions());
    all.extend(lists::functions());
    all.extend(dicts::functions());
    all.extend(misc::functions());
    all.extend(date::functions());
    all.extend(crypto::functions());
    all.extend(semver_fns::functions());
    all
}
