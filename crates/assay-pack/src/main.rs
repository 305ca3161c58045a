//! `assay-pack`: the command-line tool for assay packs.
//!
//! Exit codes, stable for scripts, are listed once, in `exit.rs` ([`exit::ExitStatus`]), and
//! shown at the end of `--help`: 0 success; 1 integrity, signature or policy failure (a
//! strict-YAML rejection included); 2 usage error or unreadable local input; 3 network or
//! registry unavailable; 4 not found or access denied.

mod cli;
mod commands;
mod error;
mod exit;
mod input;
mod output;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .after_help(ExitStatus::help_table())
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` are "errors" that exit 0; usage errors exit 2.
            let status = if error.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Success
            };
            // If the terminal is gone there is nobody left to tell.
            let _ = error.print();
            return status.into();
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
        Command::Fetch(args) => commands::fetch::run(&args),
        Command::Resolve(args) => commands::resolve::run(&args),
        Command::Versions(args) => commands::listing::versions(&args),
        Command::Search(args) => commands::listing::search(&args),
        Command::Lock(args) => commands::lock::run(&args),
        Command::Demo(args) => commands::demo::run(&args),
    };
    match outcome {
        Ok(()) => ExitStatus::Success.into(),
        Err(error) => error.report(),
    }
}
