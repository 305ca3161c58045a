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
    /// Watch the whole system work against a registry started for this run (no
    /// configuration, no network).
    ///
    /// A guided tour, one line per step: the reference registry starts on 127.0.0.1 over
    /// sample packs built into the binary, with keys generated and trusted for this run
    /// only; a commercial and an open pack are fetched and verified, locked in a lockfile
    /// that is verified, read again from the cache, tampered with in the cache (caught and
    /// repaired), served swapped by the registry (refused), and a revoked pack is refused. Nothing is read from ASSAY_*
    /// variables or the user's cache or configuration, and everything written goes to a
    /// temporary folder that is removed at the end. Each step checks its outcome, so the
    /// demo doubles as a smoke test: a step that sees anything else stops it with exit
    /// status 1 (or the status of an unexpected error).
    Demo(DemoArgs),
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
    /// Fetch registry packs (NAME@VERSION), verified, to stdout or files.
    ///
    /// Each pack goes through the cache (re-verified on every read) and, when missing or
    /// stale, the registry: digest, identity, policy and signature are verified against the
    /// trust roots before anything is written. Stderr says, one line per pack, what was
    /// verified.
    Fetch(FetchArgs),
    /// Resolve any reference in the full order (path, built-in, local config directory,
    /// registry, object storage) and say where the pack came from.
    Resolve(ResolveArgs),
    /// List the versions of a registry pack ([ORG/]NAME); deprecated ones are marked.
    Versions(VersionsArgs),
    /// List the registry's packs, optionally only those whose name starts with PREFIX.
    Search(SearchArgs),
    /// Pin packs in assay.packs.lock, or verify, check or update that lockfile.
    ///
    /// Without a mode, REFs are locked into a new lockfile; when one exists it must already
    /// say exactly that (else exit 1: run with --update). --verify re-resolves every locked
    /// pack and compares (exit 1 on a mismatch); --check also fails when the file would
    /// change (for CI); --update re-resolves everything and rewrites the file.
    Lock(LockArgs),
}

/// Arguments of `assay-pack lock`.
#[derive(Debug, Args)]
pub(crate) struct LockArgs {
    /// References to lock (registry NAME@VERSION, object-storage URLs, paths, local names).
    #[arg(value_name = "REF")]
    pub(crate) refs: Vec<String>,
    /// Verify that every locked pack matches what resolves now.
    #[arg(long, group = "mode")]
    pub(crate) verify: bool,
    /// Verify, and fail if the lockfile would change (for CI).
    #[arg(long, group = "mode")]
    pub(crate) check: bool,
    /// Re-resolve every locked pack (and REFs) and rewrite the lockfile.
    #[arg(long, group = "mode")]
    pub(crate) update: bool,
    /// The lockfile; default ./assay.packs.lock.
    #[arg(long, value_name = "PATH", default_value = "assay.packs.lock")]
    pub(crate) lockfile: PathBuf,
    /// Fail if the lockfile is missing or would change.
    #[arg(long)]
    pub(crate) locked: bool,
    /// --locked and --offline together.
    #[arg(long, conflicts_with_all = ["locked", "offline"])]
    pub(crate) frozen: bool,
    /// Registry, trust and cache settings.
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// Arguments of `assay-pack demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Keep the temporary folder (the sample registry and the caches) and print its path.
    #[arg(long)]
    pub(crate) keep: bool,
}

/// Flags shared by the commands that talk to a registry.
#[derive(Clone, Debug, Args)]
pub(crate) struct RegistryArgs {
    /// The registry's base URL; default: ASSAY_REGISTRY_URL, else the public registry.
    #[arg(long, value_name = "URL")]
    pub(crate) registry: Option<String>,
    /// A bearer token; default: ASSAY_REGISTRY_TOKEN, or OIDC on GitHub Actions. A token on
    /// the command line is visible to other local users: prefer the variable.
    #[arg(long, value_name = "TOKEN")]
    pub(crate) token: Option<String>,
    /// A trust root that signs the registry's keys manifest: a public key file, an inline
    /// PEM or base64 key, or a key id (usable once the manifest supplies the key).
    /// Repeatable; added to ASSAY_REGISTRY_TRUST_ROOTS (comma separated).
    #[arg(long = "trust-root", value_name = "ROOT")]
    pub(crate) trust_roots: Vec<String>,
    /// The cache root; default: ASSAY_CACHE_DIR, else ~/.assay/cache/packs.
    #[arg(long, value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Neither read nor write cached packs (the keys manifest state is still kept).
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Never use the network: only verified cache entries.
    #[arg(long, conflicts_with = "no_cache")]
    pub(crate) offline: bool,
    /// Forensics only: hand back a revoked pack's copy already in the cache (under CI this
    /// also needs ASSAY_ALLOW_REVOKED=forensics).
    #[arg(long)]
    pub(crate) allow_revoked: bool,
    /// Show what the library does (-v: info, -vv: debug); RUST_LOG takes precedence.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// Arguments of `assay-pack fetch`.
#[derive(Debug, Args)]
pub(crate) struct FetchArgs {
    /// Registry references: NAME@VERSION or ORG/NAME@VERSION, optionally pinned with
    /// `#sha256:<hex>`.
    #[arg(required = true, value_name = "REF")]
    pub(crate) refs: Vec<String>,
    /// Write the one pack to FILE (atomically; nothing is left on failure).
    #[arg(long, short, value_name = "FILE", conflicts_with = "output_dir")]
    pub(crate) output: Option<PathBuf>,
    /// Write each pack to DIR/NAME@VERSION.yaml (needed for several refs).
    #[arg(long, value_name = "DIR")]
    pub(crate) output_dir: Option<PathBuf>,
    /// Print a JSON report on stdout (pack bytes go only to --output/--output-dir).
    #[arg(long)]
    pub(crate) json: bool,
    /// Registry, trust and cache settings.
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// Arguments of `assay-pack resolve`.
#[derive(Debug, Args)]
pub(crate) struct ResolveArgs {
    /// A path, a built-in or local pack name, NAME@VERSION, or an object-storage URL.
    #[arg(value_name = "REF")]
    pub(crate) reference: String,
    /// Also write the pack to FILE (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Print a JSON report on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Registry, trust and cache settings.
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// Arguments of `assay-pack versions`.
#[derive(Debug, Args)]
pub(crate) struct VersionsArgs {
    /// The pack: NAME or ORG/NAME.
    #[arg(value_name = "NAME")]
    pub(crate) name: String,
    /// Print JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Registry, trust and cache settings.
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// Arguments of `assay-pack search`.
#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// Only packs whose name starts with PREFIX.
    #[arg(value_name = "PREFIX")]
    pub(crate) prefix: Option<String>,
    /// Print JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Registry, trust and cache settings.
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
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
