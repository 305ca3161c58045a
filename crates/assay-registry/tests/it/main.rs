//! Integration tests of the facade, compiled as a downstream crate would be: the seed's
//! names and quick start, fetching and resolving against the reference registry on
//! 127.0.0.1, the error classification, and the air-gapped dependency claim.

mod air_gapped;
mod errors;
mod quick_start;
mod registry;
mod seed_names;
mod support;
