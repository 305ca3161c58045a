//! End-to-end tests of the `assay-pack` binary: output, exit codes and error reports. Most
//! are the blessable cases under `testdata/cli/` (`cases.rs`); the modules beside it hold
//! what a case cannot say: a live server, a killed process, made-up inputs.

mod canon;
mod cases;
mod cli;
mod demo;
mod digest;
mod fetch;
mod lock;
mod serve;
mod signing;
