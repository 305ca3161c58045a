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
    /// Inspect, verify or clear the local pack cache (offline).
    Cache(CacheArgs),
    /// Serve a folder of packs as a registry (the reference server) until interrupted.
    Serve(ServeArgs),
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
    /// Write the envelope here (a new file; an existing one is never replaced) instead of
    /// standard output.
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
    /// A root for the keys manifest: a key id (`sha256:…`), a public key (PEM or base64
    /// SPKI, e.g. "$(cat root.pub)") or a public key file; repeatable.
    #[arg(
        long,
        value_name = "KEYID_OR_PUB",
        requires = "keys_manifest",
        allow_hyphen_values = true
    )]
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

/// Arguments of `assay-pack serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The registry folder: packs/{name}/{version}/pack.yaml (+ meta.json), orgs/{org}/packs/….
    pub(crate) dir: PathBuf,
    /// The pack-signing key (PKCS#8 PEM); generated for the run when absent.
    #[arg(long)]
    pub(crate) key: Option<PathBuf>,
    /// The root key that signs the keys manifest (PKCS#8 PEM); generated when absent.
    #[arg(long, value_name = "KEY")]
    pub(crate) root_key: Option<PathBuf>,
    /// Where to listen (port 0 picks a free port; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) addr: std::net::SocketAddr,
    /// Serve HTTPS with a CA and certificate generated for the run.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    pub(crate) self_signed: bool,
    /// With --self-signed: write the generated CA certificate (PEM) here for clients to trust
    /// (replacing the file of an earlier run).
    #[arg(long, value_name = "FILE", requires = "self_signed")]
    pub(crate) ca_out: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain (PEM, leaf first).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    /// A bearer token to accept; repeatable. With any, commercial packs need one.
    #[arg(long = "token", value_name = "T")]
    pub(crate) tokens: Vec<String>,
}

/// Arguments of `assay-pack cache`.
#[derive(Debug, Args)]
pub(crate) struct CacheArgs {
    /// The cache root; default: ASSAY_CACHE_DIR, else ~/.assay/cache/packs.
    #[arg(long, value_name = "DIR", global = true)]
    pub(crate) cache_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: CacheCommand,
}

/// `assay-pack cache` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CacheCommand {
    /// List cached packs: path, policy, signature, freshness, size and digest (unverified).
    List(CacheListArgs),
    /// Re-verify every cached pack as a read does; bad entries are evicted (exit 1).
    ///
    /// Without --trusted-key, everything but the signer is checked (digest, metadata,
    /// that each envelope signs its pack, file types): signed entries are reported as
    /// `unchecked`, neither evicted nor vouched for. With --trusted-key, signatures must
    /// come from those keys, as on every read; an entry signed by another key fails.
    Verify(CacheVerifyArgs),
    /// Remove cached packs: those of one registry, or all (other files are left alone).
    Clear(CacheClearArgs),
}

/// Arguments of `assay-pack cache list`.
#[derive(Debug, Args)]
pub(crate) struct CacheListArgs {
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Arguments of `assay-pack cache verify`.
#[derive(Debug, Args)]
pub(crate) struct CacheVerifyArgs {
    /// A public key (PEM or base64 SPKI file) trusted to sign packs; repeatable.
    #[arg(long, value_name = "PUB")]
    pub(crate) trusted_key: Vec<PathBuf>,
    /// Judge key validity and freshness at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Arguments of `assay-pack cache clear`.
#[derive(Debug, Args)]
pub(crate) struct CacheClearArgs {
    /// Only the packs of the registry with this base URL.
    #[arg(long, value_name = "URL")]
    pub(crate) registry: Option<String>,
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
    /// Where to write the manifest (a new file; an existing one is never replaced).
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
