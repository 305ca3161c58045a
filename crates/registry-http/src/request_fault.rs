//! What failed in a request: the source of every request error, and its §11 category.

use std::io;
use std::time::Duration;

use http::StatusCode;
use registry_canon::{CanonicalizeError, IdentityMismatch};
use registry_types::{Digest, PackName, UntrustedText};
use snafu::Snafu;

use crate::body::SizeLimit;
use crate::content_digest::{ContentDigestFault, DigestAlgorithm};
use crate::error::{Error, ErrorKind};
#[cfg(feature = "oidc")]
use crate::oidc::OidcFault;
use crate::pack_headers::HeaderFault;
use crate::signature::SignaturePlace;
use crate::status::LicenseFault;
use crate::target::{NotFoundHint, RegistryName, Target};
use crate::transport::RedirectFault;

/// What failed in a request: the source of [`Error::Request`].
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum RequestFault {
    /// 404: the registry does not have it.
    #[snafu(display("the registry does not have it (404); {hint}"))]
    NotFound {
        /// What to check, for this kind of target.
        hint: NotFoundHint,
    },

    /// 401 to a request sent without a token.
    #[snafu(display(
        "the registry requires authentication (401); set ASSAY_REGISTRY_TOKEN or configure OIDC"
    ))]
    AuthenticationRequired,

    /// 401 to a request that carried a token (after one OIDC re-exchange, where possible).
    #[snafu(display(
        "the registry refused the token that was sent (401); check that it is valid, \
         unexpired and meant for this registry"
    ))]
    TokenRefused,

    /// 403: the token is valid but not licensed for this pack.
    #[snafu(display("not available to this token (403): {fault}"))]
    NotLicensed {
        /// The registry's reason.
        fault: LicenseFault,
    },

    /// 410: the pack version was revoked for security reasons.
    #[snafu(display(
        "revoked by the registry (410): {reason}{}",
        safe_version.as_ref().map(|safe| format!("; use version {safe} instead")).unwrap_or_default()
    ))]
    Revoked {
        /// The registry's reason.
        reason: UntrustedText,
        /// The version to move to, when the registry names one.
        safe_version: Option<UntrustedText>,
    },

    /// 429 on every attempt.
    #[snafu(display("rate-limited (429) on every attempt"))]
    RateLimited {
        /// The last `Retry-After` wait, when the server sent one.
        retry_after: Option<Duration>,
    },

    /// The server asked to wait longer than the configured cap; the client fails at once.
    #[snafu(display(
        "the registry asks to wait {}s before retrying, more than the {}s cap",
        wait.as_secs(), cap.as_secs()
    ))]
    RetryAfterTooLong {
        /// The wait the server asked for.
        wait: Duration,
        /// The configured cap.
        cap: Duration,
    },

    /// A size limit was exceeded (413 from the server, or a client-side limit).
    #[snafu(display("too large: {limit}"))]
    TooLarge {
        /// Which limit.
        limit: SizeLimit,
    },

    /// A 5xx (or 408) status on every attempt.
    #[snafu(display("the registry failed with status {status}"))]
    ServerError {
        /// The last status.
        status: StatusCode,
    },

    /// A status the protocol does not give a meaning to here.
    #[snafu(display("unexpected status {status}"))]
    UnexpectedStatus {
        /// The status.
        status: StatusCode,
    },

    /// The connection failed (refused, reset, DNS, protocol error) on every attempt.
    #[snafu(display("network error"))]
    Network {
        /// The client error.
        source: hyper_util::client::legacy::Error,
    },

    /// The response is not valid HTTP.
    #[snafu(display("the response is not valid HTTP"))]
    MalformedResponse {
        /// The client error.
        source: hyper_util::client::legacy::Error,
    },

    /// The connection failed while the body was streaming, on every attempt.
    #[snafu(display("network error while reading the body"))]
    ReadBody {
        /// The HTTP error.
        source: hyper::Error,
    },

    /// The connect or total timeout elapsed on every attempt.
    #[snafu(display("timed out after {}ms", after.as_millis()))]
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
    },

    /// The TLS handshake failed (an untrusted or invalid certificate, a protocol mismatch).
    #[snafu(display("TLS failed"))]
    Tls {
        /// The rustls error.
        source: rustls::Error,
    },

    /// More redirects than the configured maximum.
    #[snafu(display("redirected more than {max} times"))]
    TooManyRedirects {
        /// The maximum.
        max: usize,
    },

    /// A redirect that is refused: from https to http, to a non-loopback http URL, without
    /// a usable `Location`, or of a request that must not be redirected.
    #[snafu(display("redirected to `{location}`, which is refused: {fault}"))]
    RefusedRedirect {
        /// The `Location` value (empty when missing).
        location: UntrustedText,
        /// Why it is refused.
        fault: RedirectFault,
    },

    /// A required response header is missing.
    #[snafu(display("the response has no {header} header"))]
    MissingHeader {
        /// The header's name.
        header: &'static str,
    },

    /// A response header has a value that cannot be used.
    #[snafu(display("the {header} header is malformed: {fault}"))]
    InvalidHeader {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        fault: HeaderFault,
    },

    /// `X-Pack-Digest` is not a digest; the source names the rule it breaks
    /// ([`registry_types::DigestFault`]).
    #[snafu(display("the x-pack-digest header is not a canonical digest"))]
    InvalidDigestHeader {
        /// The parse error, with its typed fault.
        source: registry_types::Error,
    },

    /// The body's canonical digest differs from `X-Pack-Digest`.
    #[snafu(display("integrity check failed: expected {expected}, got {actual}"))]
    DigestMismatch {
        /// The digest the registry announced.
        expected: Digest,
        /// The digest of the bytes received.
        actual: Digest,
    },

    /// The body does not match its `Content-Digest`.
    #[snafu(display(
        "integrity check failed: the body does not match its Content-Digest ({algorithm})"
    ))]
    ContentDigestMismatch {
        /// The first algorithm whose digest differs.
        algorithm: DigestAlgorithm,
    },

    /// The `Content-Digest` header cannot be checked (malformed, or no supported algorithm).
    #[snafu(display("the Content-Digest header cannot be checked: {fault}"))]
    InvalidContentDigest {
        /// What is wrong with it.
        fault: ContentDigestFault,
    },

    /// The body is not a pack under the strict profile, so it has no digest.
    #[snafu(display("the body is not a valid pack"))]
    PackRejected {
        /// The first rule it breaks.
        source: Box<CanonicalizeError>,
    },

    /// The pack's own `name`/`version` are not the requested ones (a mix-and-match attack,
    /// even when validly signed).
    #[snafu(display("integrity check failed: the registry answered with another pack"))]
    PackIdentityMismatch {
        /// What was asked for and what the pack says (shown without control characters).
        source: IdentityMismatch,
    },

    /// A version list names another pack than the one asked for.
    #[snafu(display("the registry answered with the versions of pack '{found}'"))]
    VersionsMismatch {
        /// The pack the list names.
        found: PackName,
    },

    /// A signature (`X-Pack-Signature` or a sidecar body) is not a DSSE envelope.
    #[snafu(display("the {place} is malformed"))]
    InvalidSignature {
        /// Where the envelope was.
        place: SignaturePlace,
        /// The envelope error.
        source: registry_verify::Error,
    },

    /// A JSON body does not have the protocol's shape.
    #[snafu(display("the JSON body is malformed"))]
    InvalidJson {
        /// The JSON error.
        source: serde_json::Error,
    },

    /// The body uses a content coding this client does not accept.
    #[snafu(display("unsupported Content-Encoding `{encoding}`"))]
    UnsupportedContentEncoding {
        /// The coding, as shown (at most 64 characters).
        encoding: UntrustedText,
    },

    /// The gzip stream is corrupt or truncated.
    #[snafu(display("the gzip body is corrupt"))]
    CorruptGzip {
        /// The decoder's error.
        source: io::Error,
    },

    /// A pack list's cursor came back a second time.
    #[snafu(display("the registry returned cursor `{cursor}` twice"))]
    CursorLoop {
        /// The repeated cursor.
        cursor: UntrustedText,
    },

    /// The OIDC exchange or the CI's ID-token endpoint refused the request (not retried).
    /// Only with the `oidc` feature.
    #[cfg(feature = "oidc")]
    #[snafu(display("refused with status {status}: {code}"))]
    TokenRejected {
        /// The status.
        status: StatusCode,
        /// The protocol's error code.
        code: OidcFault,
    },
}

impl RequestFault {
    /// The §11 category of this fault.
    pub fn kind(&self) -> ErrorKind {
        match self {
            RequestFault::NotFound { .. } => ErrorKind::NotFound,
            RequestFault::AuthenticationRequired | RequestFault::TokenRefused => {
                ErrorKind::AuthenticationRequired
            }
            #[cfg(feature = "oidc")]
            RequestFault::TokenRejected { .. } => ErrorKind::AuthenticationRequired,
            RequestFault::NotLicensed { .. } => ErrorKind::NotLicensed,
            RequestFault::Revoked { .. } => ErrorKind::Revoked,
            RequestFault::RateLimited { .. } | RequestFault::RetryAfterTooLong { .. } => {
                ErrorKind::RateLimited
            }
            RequestFault::TooLarge { .. } => ErrorKind::TooLarge,
            RequestFault::ServerError { .. } => ErrorKind::ServerError,
            RequestFault::Network { .. } | RequestFault::ReadBody { .. } => ErrorKind::Network,
            RequestFault::Timeout { .. } => ErrorKind::Timeout,
            RequestFault::Tls { .. } => ErrorKind::Tls,
            RequestFault::DigestMismatch { .. }
            | RequestFault::ContentDigestMismatch { .. }
            | RequestFault::InvalidContentDigest { .. }
            | RequestFault::PackRejected { .. }
            | RequestFault::PackIdentityMismatch { .. }
            | RequestFault::VersionsMismatch { .. }
            | RequestFault::InvalidSignature { .. } => ErrorKind::Integrity,
            RequestFault::UnexpectedStatus { .. }
            | RequestFault::MalformedResponse { .. }
            | RequestFault::TooManyRedirects { .. }
            | RequestFault::RefusedRedirect { .. }
            | RequestFault::MissingHeader { .. }
            | RequestFault::InvalidHeader { .. }
            | RequestFault::InvalidDigestHeader { .. }
            | RequestFault::InvalidJson { .. }
            | RequestFault::UnsupportedContentEncoding { .. }
            | RequestFault::CorruptGzip { .. }
            | RequestFault::CursorLoop { .. } => ErrorKind::Protocol,
        }
    }

    /// Whether another attempt may succeed (see [`ErrorKind::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }

    /// The request error for this fault of a request about `target` to `registry`.
    pub(crate) fn at(self, target: &Target, registry: &RegistryName, attempts: u32) -> Error {
        Error::Request {
            target: target.clone(),
            registry: registry.clone(),
            attempts,
            source: self,
        }
    }
}
