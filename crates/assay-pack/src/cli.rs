//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Fetch, verify, canonicalize and pin assay compliance packs.
#[derive(Debug, Parser)]
#[command(name = "assay-pack", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print a pack's canonical bytes (RFC 8785 JCS), with no trailing newline.
    Canon(CanonArgs),
    /// Print `sha256:<hex>  FILE` for each pack, like sha256sum.
    Digest(DigestArgs),
}

/// Arguments of `assay-pack canon`.
#[derive(Debug, Args)]
pub(crate) struct CanonArgs {
    /// Read the file as JSON (RFC 8785 on arbitrary JSON, floats allowed) instead of pack YAML.
    #[arg(long)]
    pub(crate) json: bool,
    /// The pack file, or `-` for standard input.
    pub(crate) file: PathBuf,
}

/// Arguments of `assay-pack digest`.
#[derive(Debug, Args)]
pub(crate) struct DigestArgs {
    /// The pack files, `-` for standard input.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}
