//! The client's configuration: registry URL, token provider, timeouts, retries, limits, TLS
//! roots and the explicit opt-ins that weaken security.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use registry_types::BaseUrl;
use snafu::ResultExt;

use crate::error::{ReadCaBundleSnafu, Result};
use crate::token::TokenProvider;

/// The registry used when `ASSAY_REGISTRY_URL` is not set.
pub const DEFAULT_REGISTRY_URL: &str = "https://registry.getassay.dev/v1";

/// The `User-Agent` of every request.
pub const REGISTRY_USER_AGENT: &str = concat!("assay-registry/", env!("CARGO_PKG_VERSION"));

/// Everything a [`crate::RegistryClient`] needs. Build one with [`RegistryConfig::new`] (or
/// [`RegistryConfig::from_env`]) and adjust the public fields.
///
/// `Debug` output never contains a token: the [`TokenProvider`] redacts its secrets.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RegistryConfig {
    /// The registry's base URL (`https://registry.getassay.dev/v1`).
    pub base_url: BaseUrl,
    /// Where bearer tokens come from; sent only to the base URL's origin.
    pub token: TokenProvider,
    /// Connect and total timeouts.
    pub timeouts: Timeouts,
    /// Retries and back-off.
    pub retry: RetryPolicy,
    /// Size and count limits.
    pub limits: Limits,
    /// Which root certificates verify registry servers.
    pub roots: RootCertificates,
    /// Extra trust anchors for private registries (`ASSAY_REGISTRY_CA_BUNDLE`).
    pub ca_bundle: Option<CaBundle>,
    /// Whether plain `http://` is allowed beyond loopback hosts.
    pub plain_http: PlainHttp,
    /// Which HTTP versions to speak.
    pub http_versions: HttpVersions,
}

impl RegistryConfig {
    /// A configuration for `base_url` with no token and the defaults below.
    pub fn new(base_url: BaseUrl) -> Self {
        RegistryConfig {
            base_url,
            token: TokenProvider::none(),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            roots: RootCertificates::default(),
            ca_bundle: None,
            plain_http: PlainHttp::default(),
            http_versions: HttpVersions::default(),
        }
    }
}

/// Connect and per-attempt timeouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Establishing a TCP connection (10 s by default).
    pub connect: Duration,
    /// One attempt from sending the request to the last body byte, redirects included
    /// (`ASSAY_REGISTRY_TIMEOUT`, 30 s by default).
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            total: Duration::from_secs(30),
        }
    }
}

/// When and how long to wait before trying again.
///
/// Connection errors, timeouts and the statuses 408, 429, 500, 502, 503 and 504 are
/// retried; 401, 403, 404, 410 and 413 never are. The wait before retry `n` (1-based) is
/// `min(max_delay, base_delay × 2ⁿ⁻¹)`, of which a random half is kept (jitter), unless the
/// server sent `Retry-After` (seconds or an HTTP date), which is honoured up to
/// `retry_after_cap`; past the cap the request fails at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (`ASSAY_REGISTRY_MAX_RETRIES`, 3 by default).
    pub max_retries: u32,
    /// The first back-off step (500 ms by default; tests scale it down).
    pub base_delay: Duration,
    /// The longest back-off step (30 s by default).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured (60 s).
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

/// Size and count limits, enforced while bytes stream in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// A pack body after decompression (10 MiB, the canonicalizer's input limit).
    pub max_body_bytes: usize,
    /// A JSON body: versions, list pages, keys manifest, error bodies, token answers (1 MiB).
    pub max_json_bytes: usize,
    /// A signature sidecar (16 MiB, the DSSE envelope limit of registry-verify).
    pub max_sidecar_bytes: usize,
    /// The `X-Pack-Signature` header (64 KiB).
    pub max_signature_header_bytes: usize,
    /// All response headers of one response (256 KiB).
    pub max_response_header_bytes: usize,
    /// How much a gzip body may expand, checked once it is past 1 MiB decoded (100×).
    pub max_compression_ratio: u32,
    /// Redirects followed per attempt (5).
    pub max_redirects: usize,
    /// Requests in flight at once through one client (16); more wait their turn, which
    /// bounds the HTTP/1.1 connections one client opens.
    pub max_concurrent_requests: usize,
    /// Pages one pack listing may take (10,000, a million packs at the largest page size),
    /// so that a registry sending ever new cursors cannot keep a reader busy forever.
    pub max_list_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 10 * 1024 * 1024,
            max_json_bytes: 1024 * 1024,
            max_sidecar_bytes: registry_verify::MAX_ENVELOPE_BYTES,
            max_signature_header_bytes: 64 * 1024,
            max_response_header_bytes: 256 * 1024,
            max_compression_ratio: 100,
            max_redirects: 5,
            max_concurrent_requests: 16,
            max_list_pages: 10_000,
        }
    }
}

/// Which root certificates verify registry servers (an extra [`CaBundle`] is always added).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RootCertificates {
    /// The platform's trust store; Mozilla's roots (compiled in) only when the platform has
    /// none, as in minimal containers. The default: an administrator who removes a CA from
    /// the system store removes it here too.
    #[default]
    SystemWithBundledFallback,
    /// Mozilla's roots, compiled in; the platform store is ignored.
    Bundled,
    /// Only the extra CA bundle: for private registries and hermetic tests.
    ExtraBundleOnly,
}

/// PEM certificates trusted in addition to the roots.
#[derive(Clone, PartialEq, Eq)]
pub struct CaBundle {
    pem: Vec<u8>,
    origin: String,
}

impl CaBundle {
    /// A bundle from PEM text (checked when the client is built).
    pub fn from_pem(pem: impl Into<Vec<u8>>) -> Self {
        CaBundle {
            pem: pem.into(),
            origin: "configuration".to_owned(),
        }
    }

    /// A bundle read from a PEM file.
    ///
    /// # Errors
    /// [`crate::Error::ReadCaBundle`] when the file cannot be read.
    pub fn from_file(path: &Path) -> Result<Self> {
        let pem = std::fs::read(path).context(ReadCaBundleSnafu { path })?;
        Ok(CaBundle {
            pem,
            origin: path.display().to_string(),
        })
    }

    /// The PEM bytes.
    pub fn pem(&self) -> &[u8] {
        &self.pem
    }

    /// Where the bundle came from, for messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaBundle({}, {} bytes)", self.origin, self.pem.len())
    }
}

/// Whether plain `http://` may be used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlainHttp {
    /// HTTPS only, except for loopback hosts (`localhost`, `127.0.0.0/8`, `::1`).
    #[default]
    LoopbackOnly,
    /// Plain `http://` to any host. Weakens security: tokens and packs travel in the clear
    /// and can be changed on the way (digests still catch a changed pack, not a changed
    /// header). For closed test networks only.
    AllowInsecure,
}

/// Which HTTP versions the client speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpVersions {
    /// HTTP/2 or HTTP/1.1 by ALPN over TLS; HTTP/1.1 over plain loopback connections.
    #[default]
    Negotiate,
    /// HTTP/1.1 only.
    Http1Only,
    /// HTTP/2 only (with prior knowledge over plain connections).
    Http2Only,
}
