//! The assay pack registry wire protocol (PROTOCOL §6–§7, §11) over hyper and rustls.
//!
//! [`RegistryClient`] speaks to one registry through one pooled hyper-util client (HTTP/2 by
//! ALPN, HTTP/1.1 otherwise, keep-alive) over rustls with the ring provider passed
//! explicitly. It fetches packs and hands them back only after the checks the wire allows:
//! `Content-Digest` over the decoded body, the canonical digest against `X-Pack-Digest`,
//! and the pack's own `name`/`version` against the request (the mix-and-match check lives
//! here, not in the resolver). It also fetches headers (`HEAD`), sidecar signatures, version
//! lists, the paginated pack list and the raw keys manifest, and discovers a pack's
//! signature in the protocol's order. Signatures and keys manifests are verified by
//! registry-verify, by the caller.
//!
//! The rules it enforces:
//! - **Transport.** HTTPS only, except loopback hosts or [`PlainHttp::AllowInsecure`].
//!   Roots: the platform store, with Mozilla's roots compiled in as a fallback when the
//!   platform has none ([`RootCertificates`]), plus an extra CA bundle for private
//!   registries ([`CaBundle`], `ASSAY_REGISTRY_CA_BUNDLE`).
//! - **Tokens.** A [`TokenProvider`] (static, environment, and with the `oidc` feature an
//!   OIDC exchange for CI) supplies a [`SecretToken`], whose `Debug` and `Display` are
//!   redacted. The token goes only to the
//!   base URL's origin; redirects are followed by hand (at most [`Limits::max_redirects`]),
//!   never from https to http, and a hop to another origin carries no token.
//! - **Retries.** Connection errors, timeouts, 408, 429, 500, 502, 503 and 504 are retried
//!   with exponential back-off and jitter, or after `Retry-After` (seconds or HTTP date) up
//!   to a cap; past the cap the request fails at once. 401 (after one OIDC re-exchange,
//!   with the `oidc` feature), 403, 404, 410 and 413 are final ([`RetryPolicy`]).
//! - **Limits.** Bodies are read frame by frame and gzip is decoded as it arrives, so the
//!   10 MiB limit (and a compression-ratio cap) stops a large or endless body or a gzip bomb
//!   without buffering it; JSON bodies are capped at 1 MiB and `X-Pack-Signature` at 64 KiB
//!   ([`Limits`]). Connect and per-attempt timeouts bound the time ([`Timeouts`]).
//! - **Errors.** One [`Error`] enum; a failed request is [`Error::Request`], which names its
//!   [`Target`] (the pack, its signature, …), the registry and the attempts made, with a
//!   [`RequestFault`] as its source saying what failed; [`Error::kind`] gives the PROTOCOL
//!   §11 category.
//!
//! This crate must never decide cache policy or the resolution order: it does not depend on
//! registry-cache, and a 304 or a revocation is reported, not acted on.
//!
//! ```no_run
//! use registry_http::{RegistryClient, SignatureLookup};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = RegistryClient::from_env()?;
//! // Text is parsed into a `PackName` and a `Version` (`fetch_pack_in` takes them parsed,
//! // with a namespace); a malformed one is `Error::InvalidArgument`, not a panic.
//! if let Some(pack) = client.fetch_pack("eu-ai-act-pro", "1.2.0", None).await? {
//!     println!("{} is {} ({})", pack.coordinates, pack.computed_digest, pack.headers.policy);
//!     match client.discover_signature(&pack).await? {
//!         SignatureLookup::Found { envelope, source } => {
//!             println!("{} signature(s) from {source:?}", envelope.signatures().len());
//!         }
//!         SignatureLookup::Missing => println!("unsigned"),
//!     }
//!     // Later: revalidate with the ETag; `None` means 304, not modified.
//!     let etag = pack.headers.etag.as_deref();
//!     assert!(client.fetch_pack("eu-ai-act-pro", "1.2.0", etag).await?.is_none());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! Without features the crate is the whole client above: hyper, hyper-util, hyper-rustls,
//! rustls with ring, tokio, flate2 and serde_json, with static and environment tokens.
//!
//! | feature | default | adds | pulls in |
//! |---|---|---|---|
//! | `oidc` | off | the OIDC token exchange for CI (PROTOCOL §7): `TokenProvider::oidc`, `OidcConfig`, `IdTokenSource`, `OidcFault`, `RequestFault::TokenRejected`, `Error::ReadIdToken`; [`RegistryConfig::from_env`] reading the OIDC variables; one re-exchange of an access token the registry answers 401 to | no crate: it compiles this crate's exchange code in |
//!
//! Without `oidc` the exchange code is not compiled and [`ACTIONS_ID_TOKEN_REQUEST_URL`],
//! [`ACTIONS_ID_TOKEN_REQUEST_TOKEN`], [`ASSAY_OIDC_ID_TOKEN`] and
//! [`ASSAY_OIDC_ID_TOKEN_FILE`] are not read (their name constants stay: they are only
//! names); a registry that requires a token then needs `ASSAY_REGISTRY_TOKEN` or a
//! [`TokenProvider`] of the caller's. Turning `oidc` on changes nothing else: OIDC is used
//! only when those variables are set and `ASSAY_REGISTRY_TOKEN` is not. The facade
//! `assay-registry` forwards it as its own `oidc` feature and the CLI `assay-pack` turns it
//! on. `cargo test -p registry-http` runs this crate's tests without the feature,
//! `cargo test -p registry-http --features oidc` with it and its OIDC tests
//! (`cargo test --workspace` has the feature through the CLI).

mod body;
mod client;
mod config;
mod content_digest;
mod endpoint;
mod env;
mod error;
mod listing;
#[cfg(feature = "oidc")]
mod oidc;
mod pack_headers;
mod request_fault;
mod retry;
mod secret;
mod signature;
mod status;
mod target;
mod tls;
mod token;
mod transport;

pub use crate::body::SizeLimit;
pub use crate::client::{FetchResult, KeysManifestResponse, RegistryClient};
pub use crate::config::{
    CaBundle, DEFAULT_REGISTRY_URL, HttpVersions, Limits, PlainHttp, REGISTRY_USER_AGENT,
    RegistryConfig, RetryPolicy, RootCertificates, Timeouts,
};
pub use crate::content_digest::{ContentDigest, ContentDigestFault, DigestAlgorithm};
pub use crate::env::{
    ACTIONS_ID_TOKEN_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_URL, ASSAY_ALLOW_UNSIGNED_PACKS,
    ASSAY_OIDC_ID_TOKEN, ASSAY_OIDC_ID_TOKEN_FILE, ASSAY_REGISTRY_CA_BUNDLE,
    ASSAY_REGISTRY_MAX_RETRIES, ASSAY_REGISTRY_TIMEOUT, ASSAY_REGISTRY_TOKEN, ASSAY_REGISTRY_URL,
    EnvFault,
};
pub use crate::error::{Error, ErrorKind, Result};
pub use crate::listing::{DEFAULT_PAGE_SIZE, PackPages};
#[cfg(feature = "oidc")]
pub use crate::oidc::{IdTokenSource, OidcConfig, OidcFault};
pub use crate::pack_headers::{CacheControl, CacheScope, HeaderFault, PackHeaders};
pub use crate::request_fault::RequestFault;
pub use crate::secret::SecretToken;
pub use crate::signature::{SignatureLookup, SignaturePlace, SignatureSource};
pub use crate::status::LicenseFault;
pub use crate::target::{NotFoundHint, PackCoordinates, RegistryName, Target, TargetKind};
pub use crate::token::TokenProvider;
pub use crate::transport::RedirectFault;
