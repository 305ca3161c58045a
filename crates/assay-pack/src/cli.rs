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
    /// Generate a signing key pair: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub.
    Keygen(KeygenArgs),
    /// Sign a pack: print (or write) a DSSE envelope over its canonical bytes.
    Sign(SignArgs),
    /// Verify a pack and its signature offline; prints the digest and the verified key ids.
    Verify(VerifyArgs),
    /// Keys-manifest tools for registry operators.
    #[command(subcommand)]
    Manifest(ManifestCommand),
}

/// Signature algorithms for `keygen`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum AlgorithmArg {
    /// Ed25519.
    Ed25519,
    /// ECDSA P-256 with SHA-256.
    P256,
}

/// Pack policies for `verify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PolicyArg {
    /// A valid signature is required.
    Commercial,
    /// A signature is verified when present.
    Open,
}

/// Arguments of `assay-pack keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// The signature algorithm.
    #[arg(long, value_enum, default_value = "ed25519")]
    pub(crate) algorithm: AlgorithmArg,
    /// Path prefix of the two files written (PREFIX.key and PREFIX.pub).
    #[arg(long, value_name = "PREFIX")]
    pub(crate) out: PathBuf,
}

/// Arguments of `assay-pack sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The pack file.
    pub(crate) pack: PathBuf,
    /// The private key (PKCS#8 PEM).
    #[arg(long)]
    pub(crate) key: PathBuf,
    /// Use the legacy payload type `application/vnd.assay.pack+yaml;v=1`.
    #[arg(long)]
    pub(crate) legacy_payload_type: bool,
    /// Write the envelope here instead of standard output.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

/// Arguments of `assay-pack verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The pack file.
    pub(crate) pack: PathBuf,
    /// The DSSE envelope (JSON).
    #[arg(long, value_name = "ENVELOPE")]
    pub(crate) signature: Option<PathBuf>,
    /// A public key (PEM or base64 SPKI file) trusted to sign packs; repeatable.
    #[arg(long, value_name = "PUB")]
    pub(crate) trusted_key: Vec<PathBuf>,
    /// A signed keys manifest whose pack-signing keys are trusted once it verifies.
    #[arg(long, value_name = "FILE", requires = "root")]
    pub(crate) keys_manifest: Option<PathBuf>,
    /// A root for the keys manifest: a key id (`sha256:…`) or a public key file; repeatable.
    #[arg(long, value_name = "KEYID_OR_PUB", requires = "keys_manifest")]
    pub(crate) root: Vec<String>,
    /// The pack's policy.
    #[arg(long, value_enum, default_value = "commercial")]
    pub(crate) policy: PolicyArg,
    /// The digest the pack must have (`sha256:<hex>`).
    #[arg(long)]
    pub(crate) digest: Option<String>,
    /// How many distinct trusted keys must sign.
    #[arg(long, default_value = "1")]
    pub(crate) threshold: std::num::NonZeroUsize,
    /// Judge key validity at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `assay-pack manifest` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ManifestCommand {
    /// Sign a keys manifest listing pack-signing keys with a root key.
    Sign(ManifestSignArgs),
}

/// Arguments of `assay-pack manifest sign`.
#[derive(Debug, Args)]
pub(crate) struct ManifestSignArgs {
    /// The root's private key (PKCS#8 PEM).
    #[arg(long, value_name = "ROOTKEY")]
    pub(crate) key: PathBuf,
    /// A pack-signing public key to list; repeatable.
    #[arg(long, value_name = "PUB", required = true)]
    pub(crate) pack_key: Vec<PathBuf>,
    /// The manifest's version (raise it on every re-signing).
    #[arg(long, default_value = "1")]
    pub(crate) version: u64,
    /// When the manifest expires (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) expires: Option<String>,
    /// Where to write the manifest.
    #[arg(long)]
    pub(crate) out: PathBuf,
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
