//! Integration tests of the facade, compiled as a downstream crate would be: the seed's
//! names and quick start, fetching and resolving against the reference registry on
//! 127.0.0.1, the error classification, and the air-gapped dependency claim.
//!
//! The `oidc` module needs the facade's `oidc` feature:
//! `cargo test -p assay-registry --features oidc`.

mod air_gapped;
mod errors;
#[cfg(feature = "oidc")]
mod oidc;
mod quick_start;
mod registry;
mod seed_names;
mod support;
