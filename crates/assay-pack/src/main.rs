//! `assay-pack`: the command-line tool for assay packs.
//!
//! Exit codes, stable for scripts: 0 success; 1 integrity, signature or policy failure
//! (a strict-YAML rejection included); 2 usage error or unreadable local input; 3 network or
//! registry unavailable; 4 not found or access denied.

mod cli;
mod commands;
mod error;
mod input;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` are "errors" that exit 0; usage errors exit 2.
            let code = if error.use_stderr() { 2 } else { 0 };
            // If the terminal is gone there is nobody left to tell.
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        Command::Canon(args) => commands::canon::run(&args),
        Command::Digest(args) => commands::digest::run(&args),
        Command::Keygen(args) => commands::keygen::run(&args),
        Command::Sign(args) => commands::sign::run(&args),
        Command::Verify(args) => commands::verify::run(&args),
        Command::Manifest(command) => commands::manifest::run(&command),
        Command::Cache(args) => commands::cache::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}
