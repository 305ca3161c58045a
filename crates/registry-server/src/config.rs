//! How a server is set up: the folder, the address, keys, TLS, tokens, OIDC and faults.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use registry_verify::PrivateKey;

use crate::fault::Faults;
use crate::oidc::OidcConfig;

/// The default for [`ServerConfig::signature_header_max`]: envelopes up to 8 KiB of JSON
/// travel in `X-Pack-Signature`.
pub const DEFAULT_SIGNATURE_HEADER_MAX: usize = 8 * 1024;

/// Everything [`crate::start`] needs. Build it with [`ServerConfig::new`] and change the
/// fields that matter for the test. `Debug` shows how many tokens there are, never them.
pub struct ServerConfig {
    /// The folder of packs (layout in the crate docs).
    pub packs_dir: PathBuf,
    /// Where to listen; port 0 picks a free port (the default is `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// The key that signs every pack; `None` generates an Ed25519 key for the run.
    pub signing_key: Option<PrivateKey>,
    /// The root key that signs the keys manifest; `None` generates an Ed25519 key for the run.
    pub root_key: Option<PrivateKey>,
    /// How the keys manifest lists the pack-signing key (default: valid, no window).
    pub signing_key_listing: SigningKeyListing,
    /// The `version` of the keys manifest (default 1).
    pub manifest_version: u64,
    /// How long the keys manifest is valid from start-up (`expires_at`); `None` (the default)
    /// leaves it without an expiry.
    pub manifest_ttl: Option<Duration>,
    /// Plain HTTP or TLS.
    pub tls: TlsMode,
    /// Accepted bearer tokens. When this is non-empty or [`Self::oidc`] is set, commercial
    /// packs (and their sidecars) need a valid token; open packs never do.
    pub tokens: Vec<String>,
    /// Tokens that authenticate but hold no licence: a commercial pack answers them with 403
    /// `pack_not_licensed`.
    pub unlicensed_tokens: Vec<String>,
    /// The OIDC token exchange; `None` answers `POST /v1/auth/oidc/exchange` with 404.
    pub oidc: Option<OidcConfig>,
    /// Faults to inject (none by default); [`crate::RunningServer::set_faults`] changes them
    /// while the server runs.
    pub faults: Faults,
    /// Envelopes whose JSON is at most this many bytes are sent in `X-Pack-Signature`.
    pub signature_header_max: usize,
    /// When `X-Pack-Signature-Endpoint` is sent.
    pub sidecar_advertisement: SidecarAdvertisement,
    /// `max-age` of pack responses, in `Cache-Control` (default one hour).
    pub pack_max_age: Duration,
    /// `max-age` of the keys manifest, in `Cache-Control` (default 24 hours).
    pub keys_max_age: Duration,
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("packs_dir", &self.packs_dir)
            .field("addr", &self.addr)
            .field("signing_key", &self.signing_key)
            .field("root_key", &self.root_key)
            .field("manifest_version", &self.manifest_version)
            .field("manifest_ttl", &self.manifest_ttl)
            .field("signing_key_listing", &self.signing_key_listing)
            .field("tls", &self.tls)
            .field("tokens", &Redacted(self.tokens.len()))
            .field("unlicensed_tokens", &Redacted(self.unlicensed_tokens.len()))
            .field("oidc", &self.oidc)
            .field("faults", &self.faults)
            .field("signature_header_max", &self.signature_header_max)
            .field("sidecar_advertisement", &self.sidecar_advertisement)
            .field("pack_max_age", &self.pack_max_age)
            .field("keys_max_age", &self.keys_max_age)
            .finish()
    }
}

/// Stands for `n` secrets in `Debug` output.
struct Redacted(usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} redacted>", self.0)
    }
}

impl ServerConfig {
    /// A plain-HTTP server on `127.0.0.1:0` for `packs_dir`, with generated keys, manifest
    /// version 1, no tokens, no OIDC and no faults.
    pub fn new(packs_dir: impl Into<PathBuf>) -> Self {
        ServerConfig {
            packs_dir: packs_dir.into(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            signing_key: None,
            root_key: None,
            manifest_version: 1,
            manifest_ttl: None,
            signing_key_listing: SigningKeyListing::default(),
            tls: TlsMode::Plain,
            tokens: Vec::new(),
            unlicensed_tokens: Vec::new(),
            oidc: None,
            faults: Faults::default(),
            signature_header_max: DEFAULT_SIGNATURE_HEADER_MAX,
            sidecar_advertisement: SidecarAdvertisement::default(),
            pack_max_age: Duration::from_secs(3600),
            keys_max_age: Duration::from_secs(24 * 3600),
        }
    }

    /// Whether commercial packs need a token.
    pub(crate) fn requires_auth(&self) -> bool {
        !self.tokens.is_empty() || !self.unlicensed_tokens.is_empty() || self.oidc.is_some()
    }
}

/// Plain HTTP or HTTPS, and where the certificate comes from. `Debug` never shows the
/// private key.
#[derive(Clone, Default)]
pub enum TlsMode {
    /// Plain HTTP (h2c by prior knowledge is accepted too).
    #[default]
    Plain,
    /// HTTPS with a CA and a server certificate generated for the run, valid for
    /// `localhost`, `127.0.0.1` and `::1`; the CA is [`crate::RunningServer::ca_cert_pem`].
    SelfSigned,
    /// HTTPS with a given certificate chain (leaf first) and private key, both PEM.
    Pem {
        /// The certificate chain, leaf first.
        cert_chain_pem: String,
        /// The private key (PKCS#8, PKCS#1 or SEC1 PEM).
        key_pem: String,
    },
}

impl fmt::Debug for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsMode::Plain => f.write_str("Plain"),
            TlsMode::SelfSigned => f.write_str("SelfSigned"),
            TlsMode::Pem { cert_chain_pem, .. } => f
                .debug_struct("Pem")
                .field("cert_chain_pem", cert_chain_pem)
                .field("key_pem", &Redacted(1))
                .finish(),
        }
    }
}

/// When a pack response carries `X-Pack-Signature-Endpoint`, the path of its sidecar.
///
/// Clients prefer the sidecar when it is advertised (PROTOCOL §6), so advertising it always
/// would hide the header path; the default advertises it only when the envelope is too
/// large for the header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SidecarAdvertisement {
    /// Only when `X-Pack-Signature` is not sent (the envelope is over
    /// [`ServerConfig::signature_header_max`]).
    #[default]
    WhenHeaderOmitted,
    /// On every pack that has a signature.
    Always,
    /// Never: clients find the sidecar by its conventional path.
    Never,
}

/// How the keys manifest lists the key that signs the packs: for testing clients against a
/// registry whose signer is no longer trusted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SigningKeyListing {
    /// Trusted, with no validity window (the default).
    #[default]
    Valid,
    /// Listed with `revoked: true`.
    Revoked,
    /// Listed with `not_after` this long after start-up.
    ExpiresAfter(Duration),
}
