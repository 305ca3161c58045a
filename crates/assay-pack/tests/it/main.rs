//! End-to-end tests of the `assay-pack` binary: output, exit codes and error reports.

mod canon;
mod cli;
mod digest;
mod signing;
