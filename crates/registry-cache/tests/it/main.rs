//! Integration tests of the pack cache on real files in temporary directories.
//!
//! The crash and concurrency tests re-execute this binary to run one test function in a
//! child role (selected by an environment variable); without it, those functions return
//! at once.

mod concurrency;
mod crash;
mod freshness;
mod management;
mod paths;
mod support;
mod symlinks;
mod tamper;
