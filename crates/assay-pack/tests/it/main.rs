//! End-to-end tests of the `assay-pack` binary: output, exit codes and error reports.

mod cache;
mod canon;
mod cli;
mod digest;
mod serve;
mod signing;
