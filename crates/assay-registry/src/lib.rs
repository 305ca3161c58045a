//! The assay pack registry client in one crate: fetch compliance packs from a registry,
//! prove they are the bytes their publisher signed, cache them safely, resolve references,
//! and pin everything in a lockfile.
//!
//! This is the facade of the workspace and its public API. It has no logic of its own: it
//! re-exports the crates below it under the names the protocol's users know, and adds one
//! error type, [`RegistryError`], that every lower error converts into. The work is done by
//! registry-types (names, versions, references, wire bodies), registry-canon (the strict
//! YAML profile, JCS and the canonical digest), registry-verify (DSSE, keys, the trust store,
//! the pack policy), registry-cache (the on-disk cache), registry-http (the HTTP client),
//! registry-resolve (the resolution order and the fetch → verify → cache pipeline) and
//! registry-lock (the lockfile). The modules ([`auth`], [`cache`], [`canonicalize`],
//! [`client`], [`error`], [`lockfile`], [`reference`](mod@reference), [`resolver`],
//! [`trust`], [`types`], [`verify`]) re-export those crates' items by topic; the crate root
//! re-exports the names of the protocol's reference client. Where a name of that list has a
//! different type name here (`DsseEnvelope` is registry-verify's `Envelope`,
//! `VersionsResponse` is the wire type `PackVersions`, …), [`types`] and [`trust`] say
//! which type it is.
//!
//! What this crate must never hold is logic that belongs lower: a branch about signatures,
//! versions or the cache goes into the crate that owns it, and the facade re-exports the
//! result. Nothing in the workspace depends on it.
//!
//! # Quick start
//!
//! ```no_run
//! use assay_registry::RegistryClient;
//!
//! async fn quick_start() -> anyhow::Result<()> {
//!     let client = RegistryClient::from_env()?;
//!     let result = client.fetch_pack("eu-ai-act-baseline", "1.2.0", None).await?;
//!     if let Some(pack) = result { println!("{}", pack.computed_digest); }
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! [`RegistryClient::fetch_pack`] parses its text arguments (a malformed name or version is
//! a typed error, nothing is sent) and hands a pack back only when its `Content-Digest`, its
//! canonical digest against `X-Pack-Digest`, and its own `name` and `version` all agree; `None`
//! means `304 Not Modified` for the ETag given. It does not check signatures and does not
//! cache: a program that wants the whole pipeline uses [`PackResolver`] (below).
//!
//! # Errors
//!
//! Every function returns its own crate's error; all of them convert into
//! [`RegistryError`] with `?`, which keeps the lower error (and its message) unchanged and
//! says whether a failure is worth retrying ([`RegistryError::is_retryable`]), whether
//! verification failed ([`RegistryError::is_integrity_failure`]: never use what came) or
//! whether access was refused ([`RegistryError::is_access_failure`]: not found, token,
//! licence, revoked). All errors are `std::error::Error + Send + Sync + 'static`, so
//! `anyhow` and `Box<dyn Error + Send + Sync>` take them too.
//!
//! # Authentication
//!
//! A registry may require a bearer token (commercial packs do). The token is a
//! [`TokenProvider`] in [`RegistryConfig::token`](crate::RegistryConfig):
//!
//! - **Static**: `TokenProvider::from_token(SecretToken::new(text, "configuration")?)`.
//! - **Environment**: [`RegistryConfig::from_env`] (and so [`RegistryClient::from_env`] and
//!   [`ResolverConfig::from_env`]) uses `ASSAY_REGISTRY_TOKEN` when it is set;
//!   `TokenProvider::from_env_var(name)` reads another variable at request time.
//! - **OIDC** (CI), with the `oidc` feature: without a static token, an ID token — from
//!   GitHub Actions (`ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
//!   set when the job has `id-token: write`), from `ASSAY_OIDC_ID_TOKEN_FILE` or from
//!   `ASSAY_OIDC_ID_TOKEN` — is exchanged at the registry's `/auth/oidc/exchange` for an
//!   access token, which is cached until shortly before it expires and exchanged again once
//!   after a 401 (`auth::OidcConfig`, `TokenProvider::oidc`). Without the feature that code
//!   is not compiled and those variables are not read.
//!
//! A token is sent only to the registry's own origin (a redirect elsewhere drops it), and
//! its `Debug` and `Display` are redacted.
//!
//! ```
//! use assay_registry::auth::SecretToken;
//! use assay_registry::types::BaseUrl;
//! use assay_registry::{RegistryClient, RegistryConfig, RegistryResult, TokenProvider};
//!
//! fn client() -> RegistryResult<RegistryClient> {
//!     let mut config = RegistryConfig::new(BaseUrl::parse("https://registry.example/v1")?);
//!     config.token = TokenProvider::from_token(SecretToken::new("s3cret", "configuration")?);
//!     Ok(RegistryClient::new(config)?)
//! }
//! # fn main() -> RegistryResult<()> {
//! # let client = client()?;
//! # assert_eq!(client.base_url().to_string(), "https://registry.example/v1");
//! # assert!(!format!("{:?}", client.config()).contains("s3cret"));
//! # Ok(())
//! # }
//! ```
//!
//! # Configuration
//!
//! The `from_env` constructors read these variables (an unset or empty one means the
//! default; a malformed one is an error naming the variable, never showing a secret):
//!
//! | variable | read by | meaning |
//! |---|---|---|
//! | `ASSAY_REGISTRY_URL` | [`RegistryConfig::from_env`] | the registry's base URL (default `https://registry.getassay.dev/v1`); plain `http://` only for loopback hosts |
//! | `ASSAY_REGISTRY_TOKEN` | [`RegistryConfig::from_env`] | a static bearer token; wins over OIDC |
//! | `ASSAY_REGISTRY_CA_BUNDLE` | [`RegistryConfig::from_env`] | a PEM file of extra CA certificates for a private registry |
//! | `ASSAY_REGISTRY_TIMEOUT` | [`RegistryConfig::from_env`] | seconds per request attempt (default 30) |
//! | `ASSAY_REGISTRY_MAX_RETRIES` | [`RegistryConfig::from_env`] | retries of a failed request (default 3, at most 100) |
//! | `ASSAY_OIDC_ID_TOKEN_FILE` | [`RegistryConfig::from_env`], `oidc` feature | a file holding an OIDC ID token to exchange (CI other than GitHub Actions) |
//! | `ASSAY_OIDC_ID_TOKEN` | [`RegistryConfig::from_env`], `oidc` feature | an OIDC ID token to exchange |
//! | `ACTIONS_ID_TOKEN_REQUEST_URL`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN` | [`RegistryConfig::from_env`], `oidc` feature | GitHub Actions' ID-token endpoint and its bearer token (both set by GitHub) |
//! | `ASSAY_REGISTRY_TRUST_ROOTS` | [`ResolverConfig::from_env`] | comma-separated trust roots: key ids or SPKI public keys (PEM or base64) |
//! | `ASSAY_REGISTRY_DEADLINE` | [`ResolverConfig::from_env`] | seconds one pack may take, all requests and retries together (default 120) |
//! | `ASSAY_CACHE_DIR` | [`ResolverConfig::from_env`], [`PackCache::from_env`] | the cache root (default `~/.assay/cache/packs`) |
//! | `ASSAY_ALLOW_UNSIGNED_PACKS` | [`ResolverConfig::from_env`] | development only: `1`/`true`/`yes` tolerates a *missing* signature on a commercial pack, with a warning (never an invalid one) |
//! | `ASSAY_ALLOW_REVOKED` | [`ResolverConfig::from_env`] | must be `forensics` for the allow-revoked opt-in under CI |
//! | `CI`, `GITHUB_ACTIONS` | [`ResolverConfig::from_env`] | `true` means CI (the allow-revoked opt-in then needs `ASSAY_ALLOW_REVOKED=forensics`) |
//! | `XDG_CONFIG_HOME`, `HOME` | [`ResolverConfig::from_env`] | the local pack directory (`$XDG_CONFIG_HOME/assay/packs`, else `~/.config/assay/packs`) and the default cache root |
//!
//! Tests and embedding programs that must not read the process environment use
//! `RegistryConfig::from_lookup` and `ResolverConfig::from_lookup` with their own lookup
//! function, or build the configuration in code (`RegistryConfig::new`,
//! `ResolverConfig::new`).
//!
//! # Cargo features
//!
//! | feature | default | adds | pulls in |
//! |---|---|---|---|
//! | `oidc` | off | the OIDC token exchange for CI: registry-http's `oidc` feature, `auth::OidcConfig`, `auth::IdTokenSource`, `auth::OidcFault`, `TokenProvider::oidc`, and `RegistryConfig::from_env` reading the OIDC variables | no crate: it compiles registry-http's exchange code in |
//!
//! Without features the facade is the whole client: registry-types, registry-canon and
//! registry-verify (pure: no I/O, no runtime, no clock), registry-cache (`std::fs`), and
//! registry-http, registry-resolve and registry-lock, which bring tokio, hyper, hyper-util,
//! hyper-rustls and rustls (with ring) for HTTPS, with static and environment tokens.
//! Features only add: turning `oidc` on changes nothing unless the OIDC variables are set
//! and `ASSAY_REGISTRY_TOKEN` is not. A program that needs no network code at all does not
//! depend on the facade (see the air-gapped verifier below).
//!
//! # Examples by user
//!
//! ## A program depending on the facade: resolve a pack
//!
//! [`PackResolver`] runs the protocol's order — an existing path, a built-in pack, the local
//! configuration directory, the registry through the cache, object storage — and hands
//! back only verified packs: digest, identity, policy and signatures against the trust
//! roots, the keys manifest checked against rollback and freeze, the cache entry verified
//! again on every read.
//!
//! ```no_run
//! use assay_registry::{PackResolver, RegistryResult, ResolveSource, ResolverConfig};
//!
//! async fn resolve() -> RegistryResult<()> {
//!     // ASSAY_REGISTRY_URL, ASSAY_REGISTRY_TOKEN, ASSAY_REGISTRY_TRUST_ROOTS, ASSAY_CACHE_DIR, …
//!     let resolver = PackResolver::new(ResolverConfig::from_env()?)?;
//!     let pack = resolver.resolve("eu-ai-act-pro@1.2.0").await?;
//!     println!("{} {} is {}", pack.name, pack.version, pack.digest);
//!     println!("verified: {}", pack.verification);
//!     if let ResolveSource::Registry(origin) = &pack.source {
//!         println!("from {} ({:?})", origin.registry_url, origin.delivery);
//!     }
//!     for warning in &pack.warnings {
//!         eprintln!("warning: {warning}");
//!     }
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! ## A pack author: canonicalize, digest and sign
//!
//! A pack's identity is the SHA-256 of its canonical bytes (strict YAML → RFC 8785 JSON);
//! a signature is a DSSE envelope over those bytes. None of this touches the network.
//!
//! ```
//! use assay_registry::verify::{Algorithm, PackPayloadType, PrivateKey, sign_pack};
//! use assay_registry::{RegistryResult, compute_canonical_digest, compute_canonical_digest_result};
//!
//! fn main() -> RegistryResult<()> {
//!     let pack = "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance\n";
//!
//!     let canonical = compute_canonical_digest_result(pack)?;
//!     assert_eq!(
//!         canonical.bytes(),
//!         br#"{"kind":"compliance","name":"eu-ai-act-baseline","version":"1.0.0"}"#
//!     );
//!     let digest = compute_canonical_digest(pack)?;
//!     assert_eq!(
//!         digest.to_string(),
//!         "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070"
//!     );
//!
//!     // Sign the canonical bytes; publish the envelope beside the pack (`{version}.sig`).
//!     let key = PrivateKey::generate(Algorithm::Ed25519)?;
//!     let envelope = sign_pack(pack.as_bytes(), &[&key], PackPayloadType::Jcs)?;
//!     assert_eq!(envelope.payload(), canonical.bytes());
//!     let _published: String = envelope.to_json();
//!     let _public_key_for_the_keys_manifest: String = key.public_key().to_pem();
//!     Ok(())
//! }
//! ```
//!
//! ## An air-gapped verifier: no network code at all
//!
//! Depend on **registry-types, registry-canon and registry-verify** only — not on this
//! facade, which brings the HTTP client. Those three crates have no async runtime, HTTP,
//! TLS or socket crate anywhere in their dependency tree (`cargo xtask check-layers`, and a
//! test of this crate, check it), do no file I/O and never read the clock: time is a
//! parameter. Verify a pack and its envelope offline against a key you trust:
//!
//! ```
//! use registry_types::{Policy, Timestamp};
//! use registry_verify::{
//!     Algorithm, Envelope, PackPayloadType, PrivateKey, PublicKey, SignatureStatus,
//!     TrustStore, VerifyOptions, sign_pack, verify_pack,
//! };
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // What arrived on the medium: the pack, its envelope, and the publisher's key.
//! #   let key = PrivateKey::generate(Algorithm::Ed25519)?;
//! #   let pack_bytes = b"name: eu-ai-act-pro\nversion: \"1.2.0\"\n".to_vec();
//! #   let envelope_json = sign_pack(&pack_bytes, &[&key], PackPayloadType::Jcs)?.to_json();
//! #   let public_key_pem = key.public_key().to_pem();
//!     let envelope = Envelope::from_json(envelope_json.as_bytes())?;
//!     let mut trust = TrustStore::default();
//!     trust.add_pack_key(PublicKey::parse(&public_key_pem)?);
//!
//!     let now = Timestamp::parse("2026-01-29T10:00:00Z")?;
//!     let verified = verify_pack(
//!         &pack_bytes,
//!         Some(&envelope),
//!         &trust,
//!         &VerifyOptions::new(Policy::Commercial, now),
//!     )?;
//!     assert!(matches!(verified.signature, SignatureStatus::Verified { .. }));
//!     println!("{} verified", verified.digest());
//!
//!     // One changed byte of the pack and it no longer verifies.
//!     let tampered = String::from_utf8(pack_bytes)?.replace("1.2.0", "1.2.1");
//!     let refused = verify_pack(
//!         tampered.as_bytes(),
//!         Some(&envelope),
//!         &trust,
//!         &VerifyOptions::new(Policy::Commercial, now),
//!     )
//!     .unwrap_err();
//!     assert!(refused.is_integrity_failure());
//!     Ok(())
//! }
//! ```
//!
//! ## CI with a lockfile
//!
//! Lock what the references resolve to once (`assay.packs.lock`, [`LOCKFILE_NAME`]), commit
//! it, and in CI verify that every locked pack still resolves to the same digest, source and
//! signing key. A changed digest is a [`LockMismatch`], reported with both digests.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use assay_registry::lockfile::check_lockfile;
//! use assay_registry::{
//!     LOCKFILE_NAME, Lockfile, PackRef, PackResolver, ResolverConfig, generate_lockfile,
//!     verify_lockfile,
//! };
//! use camino::Utf8Path;
//!
//! async fn lock(references: &[&str]) -> anyhow::Result<()> {
//!     let resolver = Arc::new(PackResolver::new(ResolverConfig::from_env()?)?);
//!     let refs = references
//!         .iter()
//!         .map(|text| PackRef::parse(text))
//!         .collect::<Result<Vec<_>, _>>()?;
//!     let lockfile = generate_lockfile(&resolver, &refs).await?;
//!     lockfile.save(Utf8Path::new(LOCKFILE_NAME))?;
//!     Ok(())
//! }
//!
//! async fn ci() -> anyhow::Result<()> {
//!     let resolver = Arc::new(PackResolver::new(ResolverConfig::from_env()?)?);
//!     let lockfile = Lockfile::load(Utf8Path::new(LOCKFILE_NAME))?;
//!     let result = verify_lockfile(&resolver, &lockfile).await?;
//!     for mismatch in result.mismatches() {
//!         eprintln!("{mismatch}");
//!     }
//!     anyhow::ensure!(result.is_ok(), "{LOCKFILE_NAME} does not match what resolves now");
//!     // Stricter: also fail when regenerating would change the file.
//!     let outcome = check_lockfile(&resolver, &lockfile, &[]).await?;
//!     anyhow::ensure!(outcome.is_ok(), "{LOCKFILE_NAME} needs `assay-pack lock --update`");
//!     Ok(())
//! }
//! # fn main() {}
//! ```

pub mod auth;
pub mod cache;
pub mod canonicalize;
pub mod client;
pub mod error;
pub mod lockfile;
pub mod reference;
pub mod resolver;
pub mod trust;
pub mod types;
pub mod verify;

pub use crate::auth::TokenProvider;
pub use crate::cache::{CacheEntry, CacheMeta, PackCache};
pub use crate::canonicalize::{
    CanonicalizeError, MAX_DEPTH, MAX_KEYS_PER_MAPPING, MAX_SAFE_INTEGER, MAX_STRING_LENGTH,
    MAX_TOTAL_SIZE, MIN_SAFE_INTEGER, compute_canonical_digest, compute_canonical_digest_result,
    parse_yaml_strict, to_canonical_jcs_bytes,
};
pub use crate::client::{REGISTRY_USER_AGENT, RegistryClient};
pub use crate::error::{RegistryError, RegistryResult};
pub use crate::lockfile::{
    LOCKFILE_NAME, LOCKFILE_VERSION, LockMismatch, LockSignature, LockSource, LockedPack, Lockfile,
    VerifyLockResult, generate_lockfile, verify_lockfile,
};
pub use crate::reference::PackRef;
pub use crate::resolver::{PackResolver, ResolveSource, ResolvedPack, ResolverConfig};
pub use crate::trust::{KeyMetadata, TrustStore};
pub use crate::types::{
    DsseEnvelope, DsseSignature, FetchResult, KeysManifest, PackHeaders, PackMeta, RegistryConfig,
    TrustedKey, VersionInfo, VersionsResponse,
};
pub use crate::verify::{VerifyOptions, VerifyResult, compute_digest, verify_digest, verify_pack};
