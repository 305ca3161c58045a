//! The one error type of this crate: configuration errors, and one request error that
//! carries what the request was about, with a [`RequestFault`] saying what failed.

use std::fmt;
use std::io;
use std::path::PathBuf;

use registry_types::{UntrustedText, UrlFault};
use snafu::Snafu;

use crate::env::EnvFault;
use crate::request_fault::RequestFault;
use crate::target::{RegistryName, Target};

/// Why a registry request, a configuration or a token failed.
///
/// A failed request is one variant, [`Error::Request`]: it names what the request was
/// about ([`Target`]: the pack, its signature, the keys manifest, …), the registry it went
/// to and the attempts made, and its source, a [`RequestFault`], says what failed. Callers
/// branch on the methods ([`Error::kind`], [`Error::is_retryable`], [`Error::revocation`],
/// [`Error::fault`], …), never on the text.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum Error {
    /// A configured URL other than the registry's base URL (a CI token endpoint) cannot be
    /// used; a bad base URL is [`Error::InvalidBaseUrl`].
    #[snafu(display("URL `{url}` is not usable: {fault}"))]
    InvalidUrl {
        /// The URL as configured, with user information and any query or fragment
        /// redacted (they may hold credentials).
        url: String,
        /// What is wrong with it.
        fault: UrlFault,
    },

    /// The registry's base URL (`ASSAY_REGISTRY_URL`) cannot be used.
    #[snafu(display("the registry base URL is not usable"))]
    InvalidBaseUrl {
        /// Why: registry-types' [`registry_types::Error::InvalidUrl`], which shows the URL
        /// with its credentials redacted.
        source: registry_types::Error,
    },

    /// An argument given as text (the pack name or the version of
    /// [`RegistryClient::fetch_pack`](crate::RegistryClient::fetch_pack)) does not parse;
    /// the source quotes the text and names the rule it breaks.
    #[snafu(display("the {what} argument is not valid"))]
    InvalidArgument {
        /// Which argument (`pack name`, `version`).
        what: &'static str,
        /// Why: registry-types' parse error.
        source: registry_types::Error,
    },

    /// A plain `http://` URL to a host that is not loopback, without the insecure opt-in.
    #[snafu(display(
        "refusing plain http:// to {url}: only loopback hosts may use http unless \
         PlainHttp::AllowInsecure is configured"
    ))]
    InsecureUrl {
        /// The refused URL.
        url: String,
    },

    /// An environment variable has a malformed value (the value of a secret is never shown).
    #[snafu(display("environment variable {variable} is malformed: {fault}"))]
    InvalidEnvironment {
        /// The variable's name.
        variable: &'static str,
        /// What is wrong with its value.
        fault: EnvFault,
    },

    /// A token (static, from the environment or from an exchange) cannot be sent as a
    /// bearer token; the token itself is never shown.
    #[snafu(display("the {origin} is not a valid bearer token (visible ASCII only, not empty)"))]
    InvalidToken {
        /// Where the token came from.
        origin: &'static str,
    },

    /// The extra CA bundle file could not be read.
    #[snafu(display("could not read the CA bundle {}", path.display()))]
    ReadCaBundle {
        /// The bundle's path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// The extra CA bundle is not PEM.
    #[snafu(display("the CA bundle from {origin} is not valid PEM"))]
    InvalidCaBundle {
        /// Where the bundle came from (a path, or `configuration`).
        origin: String,
        /// The PEM error.
        source: rustls_pki_types::pem::Error,
    },

    /// The extra CA bundle holds no certificate.
    #[snafu(display("the CA bundle from {origin} holds no certificate"))]
    EmptyCaBundle {
        /// Where the bundle came from (a path, or `configuration`).
        origin: String,
    },

    /// A certificate of the extra CA bundle cannot be a trust anchor.
    #[snafu(display(
        "certificate {index} of the CA bundle from {origin} is not a usable trust anchor"
    ))]
    InvalidCaCertificate {
        /// Where the bundle came from.
        origin: String,
        /// The 0-based position of the certificate in the bundle.
        index: usize,
        /// Why rustls rejected it.
        source: rustls::Error,
    },

    /// No trust anchor at all: no platform roots, no bundled roots, no extra bundle.
    #[snafu(display("no root certificates to verify registry servers with"))]
    NoRootCertificates,

    /// rustls refused the TLS configuration.
    #[snafu(display("the TLS client configuration was refused"))]
    TlsSetup {
        /// The rustls error.
        source: rustls::Error,
    },

    /// The ID-token file named by the configuration could not be read. Only with the `oidc`
    /// feature.
    #[cfg(feature = "oidc")]
    #[snafu(display("could not read the ID token file {}", path.display()))]
    ReadIdToken {
        /// The file's path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// A request to the registry (or to a CI token endpoint) failed; `source` says how.
    #[snafu(display("request for {target} to {registry} failed{}", AttemptCount(*attempts)))]
    Request {
        /// What was requested.
        target: Target,
        /// The registry (for a CI ID token, the endpoint's origin).
        registry: RegistryName,
        /// How many attempts were made (0 when the client refused before sending).
        attempts: u32,
        /// What failed.
        source: RequestFault,
    },
}

/// `after N attempts` when there was more than one.
struct AttemptCount(u32);

impl fmt::Display for AttemptCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 1 {
            write!(f, " after {} attempts", self.0)?;
        }
        Ok(())
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The §11 category of an [`Error`], for callers that map errors to messages or exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration or the environment is unusable.
    Configuration,
    /// 404.
    NotFound,
    /// 401, or a refused token exchange.
    AuthenticationRequired,
    /// 403.
    NotLicensed,
    /// 410.
    Revoked,
    /// 429, or a `Retry-After` past the cap.
    RateLimited,
    /// 413, or a client-side size limit.
    TooLarge,
    /// 5xx or 408 after the retries.
    ServerError,
    /// Connection failures after the retries.
    Network,
    /// Timeouts after the retries.
    Timeout,
    /// TLS failures.
    Tls,
    /// The bytes are not what the registry announced, or not the pack requested.
    Integrity,
    /// The registry broke the protocol (malformed headers or JSON, bad redirects, …).
    Protocol,
}

impl ErrorKind {
    /// Whether trying again later may succeed: network errors, timeouts, rate limits and
    /// server errors.
    pub fn is_retryable(self) -> bool {
        match self {
            ErrorKind::Network
            | ErrorKind::Timeout
            | ErrorKind::RateLimited
            | ErrorKind::ServerError => true,
            ErrorKind::Configuration
            | ErrorKind::NotFound
            | ErrorKind::AuthenticationRequired
            | ErrorKind::NotLicensed
            | ErrorKind::Revoked
            | ErrorKind::TooLarge
            | ErrorKind::Tls
            | ErrorKind::Integrity
            | ErrorKind::Protocol => false,
        }
    }
}

impl Error {
    /// The §11 category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidUrl { .. }
            | Error::InvalidBaseUrl { .. }
            | Error::InvalidArgument { .. }
            | Error::InsecureUrl { .. }
            | Error::InvalidEnvironment { .. }
            | Error::InvalidToken { .. }
            | Error::ReadCaBundle { .. }
            | Error::InvalidCaBundle { .. }
            | Error::EmptyCaBundle { .. }
            | Error::InvalidCaCertificate { .. }
            | Error::NoRootCertificates
            | Error::TlsSetup { .. } => ErrorKind::Configuration,
            #[cfg(feature = "oidc")]
            Error::ReadIdToken { .. } => ErrorKind::Configuration,
            Error::Request { source, .. } => source.kind(),
        }
    }

    /// Whether trying again later may succeed: network errors, timeouts, rate limits and
    /// server errors. The client has already retried these as configured; this is for
    /// callers deciding whether to fall back to a cached copy or to try again much later.
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }

    /// Whether the registry does not have the requested thing (404).
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// Whether the bytes received failed an integrity check (never use them).
    pub fn is_integrity_failure(&self) -> bool {
        self.kind() == ErrorKind::Integrity
    }

    /// What failed, when this is a failed request.
    pub fn fault(&self) -> Option<&RequestFault> {
        match self {
            Error::Request { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The revocation reason and safe version, when this is a 410.
    pub fn revocation(&self) -> Option<(&str, Option<&str>)> {
        match self.fault()? {
            RequestFault::Revoked {
                reason,
                safe_version,
            } => Some((
                reason.as_str(),
                safe_version.as_ref().map(UntrustedText::as_str),
            )),
            _ => None,
        }
    }

    /// What the failed request was about, when it was a request.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Error::Request { target, .. } => Some(target),
            _ => None,
        }
    }
}
