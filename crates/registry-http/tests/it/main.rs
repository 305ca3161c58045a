//! Integration tests of registry-http: the reference server in-process, real sockets on
//! 127.0.0.1, real TLS where TLS is the point.
//!
//! The OIDC tests need the `oidc` feature: `cargo test --workspace` has it (the CLI turns it
//! on), and `cargo test -p registry-http --features oidc` runs them for this crate alone.

mod config;
mod content_digest;
mod faults;
mod fetch;
#[cfg(feature = "oidc")]
mod oidc;
mod pool;
mod redirect;
mod retry;
mod status;
mod support;
mod tls;
