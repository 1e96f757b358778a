//! Sprig v3.3.0 template functions with Go semantics, as plain functions for `hoist-gotmpl`.
//!
//! `env` and `expandenv` are left out on purpose (Helm removes them). Helm's own functions
//! (`toYaml`, `include`, `tpl`, …) live with Helm's render layer, not here.
//!
//! Deliberate differences from Go, all forced by the value model or chosen for determinism:
//! `keys`/`values` return key order (Go's map order is random); functions that return `[]string`,
//! `[]int` or `[][]interface{}` in Go return `Value::List` (same `%v`, but `typeOf` says
//! `[]interface {}`); byte slicing that cuts a UTF-8 character (`trunc`, `substr`, `wrap`, …)
//! yields U+FFFD per stray byte, since a Rust string cannot hold the raw bytes.

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
mod rsagen;
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
