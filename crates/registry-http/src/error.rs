//! The one error type of this crate, and the small enums its variants carry.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;
use registry_canon::CanonicalizeError;
use registry_types::{Digest, UrlFault};
use snafu::Snafu;

use crate::content_digest::{ContentDigestFault, DigestAlgorithm};
use crate::target::{RegistryName, Target};

/// Why a registry request, a configuration or a token failed.
///
/// Every variant about a request names what it was about ([`Target`]: the pack, its
/// signature, the keys manifest, …) and the registry it went to. Callers branch on the
/// methods ([`Error::kind`], [`Error::is_retryable`], [`Error::revocation`], …), never on the
/// text.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum Error {
    /// A configured URL (the registry, a CI token endpoint) cannot be used.
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

    /// The ID-token file named by the configuration could not be read.
    #[snafu(display("could not read the ID token file {}", path.display()))]
    ReadIdToken {
        /// The file's path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// 404: the registry does not have it.
    #[snafu(display("{target} not found at {registry}; check the pack name and version"))]
    NotFound {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
    },

    /// 401: no token, or a token the registry did not accept (after one OIDC re-exchange).
    #[snafu(display(
        "{target} at {registry} requires authentication; set ASSAY_REGISTRY_TOKEN or configure OIDC"
    ))]
    AuthenticationRequired {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
    },

    /// 403: the token is valid but not licensed for this pack.
    #[snafu(display("{target} at {registry} is not available to this token: {problem}"))]
    NotLicensed {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The registry's reason.
        problem: LicenseProblem,
    },

    /// 410: the pack version was revoked for security reasons.
    #[snafu(display(
        "{target} was revoked by {registry}: {reason}{}; a cached copy can be used for forensics \
         only with allow-revoked (and ASSAY_ALLOW_REVOKED=forensics in CI)",
        safe_version.as_ref().map(|safe| format!("; use version {safe} instead")).unwrap_or_default()
    ))]
    Revoked {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The registry's reason.
        reason: String,
        /// The version to move to, when the registry names one.
        safe_version: Option<String>,
    },

    /// 429 on every attempt.
    #[snafu(display("{registry} rate-limited the request for {target} {attempts} times"))]
    RateLimited {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// How many attempts were made.
        attempts: u32,
        /// The last `Retry-After` wait, when the server sent one.
        retry_after: Option<Duration>,
    },

    /// The server asked to wait longer than the configured cap; the client fails at once.
    #[snafu(display(
        "{registry} asks to wait {}s before retrying {target}, more than the {}s cap",
        wait.as_secs(), cap.as_secs()
    ))]
    RetryAfterTooLong {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The wait the server asked for.
        wait: Duration,
        /// The configured cap.
        cap: Duration,
    },

    /// A size limit was exceeded (413 from the server, or a client-side limit while streaming).
    #[snafu(display("{target} from {registry} is too large: {limit}"))]
    TooLarge {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// Which limit.
        limit: SizeLimit,
    },

    /// A 5xx (or 408) status on every attempt.
    #[snafu(display(
        "{registry} failed to serve {target}: status {status} after {attempts} attempts"
    ))]
    ServerError {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The last status.
        status: StatusCode,
        /// How many attempts were made.
        attempts: u32,
    },

    /// A status the protocol does not give a meaning to here.
    #[snafu(display("{registry} answered {target} with unexpected status {status}"))]
    UnexpectedStatus {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The status.
        status: StatusCode,
    },

    /// The connection failed (refused, reset, DNS, protocol error) on every attempt.
    #[snafu(display(
        "network error while requesting {target} from {registry} ({attempts} attempts)"
    ))]
    Network {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// How many attempts were made.
        attempts: u32,
        /// The client error.
        source: hyper_util::client::legacy::Error,
    },

    /// The response is not valid HTTP (malformed, or headers larger than the client reads).
    #[snafu(display("{registry} sent a malformed response for {target}"))]
    MalformedResponse {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The client error.
        source: hyper_util::client::legacy::Error,
    },

    /// The connection failed while the body was streaming, on every attempt.
    #[snafu(display("network error while reading {target} from {registry} ({attempts} attempts)"))]
    ReadBody {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// How many attempts were made.
        attempts: u32,
        /// The HTTP error.
        source: hyper::Error,
    },

    /// The connect or total timeout elapsed on every attempt.
    #[snafu(display(
        "timed out after {}ms requesting {target} from {registry} ({attempts} attempts)",
        after.as_millis()
    ))]
    Timeout {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// How many attempts were made.
        attempts: u32,
        /// The timeout that elapsed.
        after: Duration,
    },

    /// The TLS handshake failed (an untrusted or invalid certificate, a protocol mismatch).
    #[snafu(display("TLS failed while requesting {target} from {registry}"))]
    Tls {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The rustls error.
        source: rustls::Error,
    },

    /// More redirects than the configured maximum.
    #[snafu(display("{registry} redirected the request for {target} more than {max} times"))]
    TooManyRedirects {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The maximum.
        max: usize,
    },

    /// A redirect that is refused: from https to http, to a non-loopback http URL, without
    /// a usable `Location`, or of a request that must not be redirected.
    #[snafu(display(
        "{registry} redirected the request for {target} to `{location}`, which is refused: {fault}"
    ))]
    RefusedRedirect {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The `Location` value (empty when missing).
        location: String,
        /// Why it is refused.
        fault: RedirectFault,
    },

    /// A required response header is missing.
    #[snafu(display("{registry} sent {target} without the {header} header"))]
    MissingHeader {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The header's name.
        header: &'static str,
    },

    /// A response header has a value that cannot be used.
    #[snafu(display("{registry} sent {target} with a malformed {header} header: {fault}"))]
    InvalidHeader {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        fault: HeaderFault,
    },

    /// The body's canonical digest differs from `X-Pack-Digest`.
    #[snafu(display(
        "integrity check failed for {target} from {registry}: expected {expected}, got {actual}"
    ))]
    DigestMismatch {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The digest the registry announced.
        expected: Digest,
        /// The digest of the bytes received.
        actual: Digest,
    },

    /// The body does not match its `Content-Digest`.
    #[snafu(display(
        "integrity check failed for {target} from {registry}: the body does not match its \
         Content-Digest ({algorithm})"
    ))]
    ContentDigestMismatch {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The first algorithm whose digest differs.
        algorithm: DigestAlgorithm,
    },

    /// The `Content-Digest` header cannot be checked (malformed, or no supported algorithm).
    #[snafu(display("{registry} sent {target} with an unusable Content-Digest: {fault}"))]
    InvalidContentDigest {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// What is wrong with it.
        fault: ContentDigestFault,
    },

    /// The body is not a pack under the strict profile, so it has no digest.
    #[snafu(display("{registry} sent a body for {target} that is not a valid pack"))]
    PackRejected {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The first rule it breaks.
        source: Box<CanonicalizeError>,
    },

    /// The pack's own `name`/`version` are not the requested ones (a mix-and-match attack,
    /// even when validly signed).
    #[snafu(display("{registry} answered {target} with a pack that names itself `{found}`"))]
    PackIdentityMismatch {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The `name@version` found in the pack (fields that are not strings show as `?`).
        found: String,
    },

    /// A signature (`X-Pack-Signature` or a sidecar body) is not a DSSE envelope.
    #[snafu(display("{registry} sent a malformed {place} for {target}"))]
    InvalidSignature {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// Where the envelope was.
        place: SignaturePlace,
        /// The envelope error.
        source: registry_verify::Error,
    },

    /// A JSON body does not have the protocol's shape.
    #[snafu(display("{registry} sent a malformed JSON body for {target}"))]
    InvalidJson {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The JSON error.
        source: serde_json::Error,
    },

    /// The body uses a content coding this client does not accept.
    #[snafu(display("{registry} sent {target} with unsupported Content-Encoding `{encoding}`"))]
    UnsupportedContentEncoding {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The coding (shortened to 64 characters).
        encoding: String,
    },

    /// The gzip stream is corrupt or truncated.
    #[snafu(display("{registry} sent {target} with a corrupt gzip body"))]
    CorruptGzip {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The decoder's error.
        source: io::Error,
    },

    /// A pack list's cursor came back a second time.
    #[snafu(display("{registry} returned cursor `{cursor}` twice while listing the {target}"))]
    CursorLoop {
        /// What was requested.
        target: Target,
        /// The registry.
        registry: RegistryName,
        /// The repeated cursor (at most 200 characters, control characters removed).
        cursor: String,
    },

    /// The OIDC exchange or the CI's ID-token endpoint refused the request (not retried).
    #[snafu(display("{registry} refused the {target} with status {status}: {code}"))]
    TokenRejected {
        /// [`crate::TargetKind::TokenExchange`] or [`crate::TargetKind::IdToken`].
        target: Target,
        /// The endpoint's origin.
        registry: RegistryName,
        /// The status.
        status: StatusCode,
        /// The protocol's error code.
        code: OidcRejection,
    },
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
    /// 401.
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

impl Error {
    /// The §11 category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidUrl { .. }
            | Error::InvalidBaseUrl { .. }
            | Error::InsecureUrl { .. }
            | Error::InvalidEnvironment { .. }
            | Error::InvalidToken { .. }
            | Error::ReadCaBundle { .. }
            | Error::InvalidCaBundle { .. }
            | Error::EmptyCaBundle { .. }
            | Error::InvalidCaCertificate { .. }
            | Error::NoRootCertificates
            | Error::TlsSetup { .. }
            | Error::ReadIdToken { .. } => ErrorKind::Configuration,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::AuthenticationRequired { .. } | Error::TokenRejected { .. } => {
                ErrorKind::AuthenticationRequired
            }
            Error::NotLicensed { .. } => ErrorKind::NotLicensed,
            Error::Revoked { .. } => ErrorKind::Revoked,
            Error::RateLimited { .. } | Error::RetryAfterTooLong { .. } => ErrorKind::RateLimited,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::ServerError { .. } => ErrorKind::ServerError,
            Error::Network { .. } | Error::ReadBody { .. } => ErrorKind::Network,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Tls { .. } => ErrorKind::Tls,
            Error::DigestMismatch { .. }
            | Error::ContentDigestMismatch { .. }
            | Error::InvalidContentDigest { .. }
            | Error::PackRejected { .. }
            | Error::PackIdentityMismatch { .. }
            | Error::InvalidSignature { .. } => ErrorKind::Integrity,
            Error::UnexpectedStatus { .. }
            | Error::TooManyRedirects { .. }
            | Error::RefusedRedirect { .. }
            | Error::MissingHeader { .. }
            | Error::InvalidHeader { .. }
            | Error::InvalidJson { .. }
            | Error::UnsupportedContentEncoding { .. }
            | Error::CorruptGzip { .. }
            | Error::MalformedResponse { .. }
            | Error::CursorLoop { .. } => ErrorKind::Protocol,
        }
    }

    /// Whether trying again later may succeed: network errors, timeouts, rate limits and
    /// server errors. The client has already retried these as configured; this is for
    /// callers deciding whether to fall back to a cached copy or to try again much later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::RateLimited
                | ErrorKind::ServerError
        )
    }

    /// Whether the registry does not have the requested thing (404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether the bytes received failed an integrity check (never use them).
    pub fn is_integrity_failure(&self) -> bool {
        self.kind() == ErrorKind::Integrity
    }

    /// The revocation reason and safe version, when this is a 410.
    pub fn revocation(&self) -> Option<(&str, Option<&str>)> {
        match self {
            Error::Revoked {
                reason,
                safe_version,
                ..
            } => Some((reason, safe_version.as_deref())),
            _ => None,
        }
    }

    /// What the failed request was about, when it was a request.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Error::NotFound { target, .. }
            | Error::AuthenticationRequired { target, .. }
            | Error::NotLicensed { target, .. }
            | Error::Revoked { target, .. }
            | Error::RateLimited { target, .. }
            | Error::RetryAfterTooLong { target, .. }
            | Error::TooLarge { target, .. }
            | Error::ServerError { target, .. }
            | Error::UnexpectedStatus { target, .. }
            | Error::Network { target, .. }
            | Error::ReadBody { target, .. }
            | Error::Timeout { target, .. }
            | Error::Tls { target, .. }
            | Error::TooManyRedirects { target, .. }
            | Error::RefusedRedirect { target, .. }
            | Error::MissingHeader { target, .. }
            | Error::InvalidHeader { target, .. }
            | Error::DigestMismatch { target, .. }
            | Error::ContentDigestMismatch { target, .. }
            | Error::InvalidContentDigest { target, .. }
            | Error::PackRejected { target, .. }
            | Error::PackIdentityMismatch { target, .. }
            | Error::InvalidSignature { target, .. }
            | Error::InvalidJson { target, .. }
            | Error::UnsupportedContentEncoding { target, .. }
            | Error::CorruptGzip { target, .. }
            | Error::MalformedResponse { target, .. }
            | Error::CursorLoop { target, .. }
            | Error::TokenRejected { target, .. } => Some(target),
            _ => None,
        }
    }
}

/// What is wrong with an environment variable's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvFault {
    /// The value is not valid Unicode.
    NotUnicode,
    /// Expected a whole number of seconds, greater than zero.
    NotPositiveSeconds,
    /// Expected a whole number from 0 to 100.
    NotRetryCount,
    /// Expected `1`, `true`, `yes`, `0`, `false`, `no` or empty.
    NotBoolean,
    /// The value is empty where something is required.
    Empty,
}

impl fmt::Display for EnvFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EnvFault::NotUnicode => "the value is not valid Unicode",
            EnvFault::NotPositiveSeconds => "expected a whole number of seconds greater than 0",
            EnvFault::NotRetryCount => "expected a whole number from 0 to 100",
            EnvFault::NotBoolean => "expected 1, true, yes, 0, false, no or nothing",
            EnvFault::Empty => "the value is empty",
        })
    }
}

/// Why a 403 was returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LicenseProblem {
    /// `license_expired`.
    LicenseExpired,
    /// `pack_not_licensed`.
    PackNotLicensed,
    /// Another or no error code.
    Forbidden,
}

impl fmt::Display for LicenseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LicenseProblem::LicenseExpired => "the license has expired (license_expired)",
            LicenseProblem::PackNotLicensed => "the pack is not licensed (pack_not_licensed)",
            LicenseProblem::Forbidden => "access is forbidden",
        })
    }
}

/// Which size limit was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SizeLimit {
    /// The server answered 413.
    RejectedByServer,
    /// A body over this many bytes after decompression.
    Body {
        /// The limit in bytes.
        max: usize,
    },
    /// A gzip body that expands more than this ratio (past the first MiB).
    CompressionRatio {
        /// The ratio.
        max: u32,
    },
    /// The `X-Pack-Signature` header over this many bytes.
    SignatureHeader {
        /// The limit in bytes.
        max: usize,
    },
    /// A pack listing longer than this many pages.
    ListPages {
        /// The limit in pages.
        max: usize,
    },
}

impl fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeLimit::RejectedByServer => f.write_str("the registry answered 413"),
            SizeLimit::Body { max } => write!(f, "the body exceeds {max} bytes"),
            SizeLimit::CompressionRatio { max } => {
                write!(f, "the gzip body expands more than {max} times")
            }
            SizeLimit::SignatureHeader { max } => {
                write!(f, "the X-Pack-Signature header exceeds {max} bytes")
            }
            SizeLimit::ListPages { max } => write!(f, "the listing goes on past {max} pages"),
        }
    }
}

/// Why a redirect was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedirectFault {
    /// From https to http.
    Downgrade,
    /// To plain http on a host that is not loopback, without the insecure opt-in.
    Insecure,
    /// No `Location`, or one that is not a URL.
    BadLocation,
    /// The request (a token exchange) is never redirected.
    NotFollowed,
}

impl fmt::Display for RedirectFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedirectFault::Downgrade => "redirects from https to http are never followed",
            RedirectFault::Insecure => "plain http is only allowed for loopback hosts",
            RedirectFault::BadLocation => "the Location header is missing or not a URL",
            RedirectFault::NotFollowed => "this request is never redirected",
        })
    }
}

/// What is wrong with a response header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderFault {
    /// Not visible ASCII.
    NotText,
    /// Not a `sha256:` digest.
    NotDigest,
    /// Not `commercial` or `open`.
    NotPolicy,
    /// Not a number where one is expected.
    NotNumber,
    /// Longer than the protocol allows.
    TooLong,
    /// Not base64.
    NotBase64,
    /// Not a URL or path.
    NotUrl,
    /// A plain `http://` URL that may not be used: not loopback (without the insecure
    /// opt-in), or advertised by a response that came over https.
    InsecureUrl,
}

impl fmt::Display for HeaderFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderFault::NotText => "it is not visible ASCII text",
            HeaderFault::NotDigest => "expected `sha256:` and 64 lowercase hex digits",
            HeaderFault::NotPolicy => "expected `commercial` or `open`",
            HeaderFault::NotNumber => "expected a number",
            HeaderFault::TooLong => "it is too long",
            HeaderFault::NotBase64 => "it is not base64",
            HeaderFault::NotUrl => "it is not a URL or path",
            HeaderFault::InsecureUrl => "it points to plain http, which is refused here",
        })
    }
}

/// Where a malformed signature envelope was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignaturePlace {
    /// The `X-Pack-Signature` header.
    Header,
    /// The `.sig` sidecar body.
    Sidecar,
}

impl fmt::Display for SignaturePlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignaturePlace::Header => "X-Pack-Signature header",
            SignaturePlace::Sidecar => "signature sidecar",
        })
    }
}

/// The error code of a refused OIDC exchange (PROTOCOL §7), or of a refused ID-token request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OidcRejection {
    /// `invalid_request` (400).
    InvalidRequest,
    /// `invalid_token` (401): the ID token was not accepted.
    InvalidToken,
    /// `access_denied` (403).
    AccessDenied,
    /// Another or no code.
    Other,
}

impl fmt::Display for OidcRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OidcRejection::InvalidRequest => "invalid_request",
            OidcRejection::InvalidToken => "invalid_token (the ID token was not accepted)",
            OidcRejection::AccessDenied => "access_denied",
            OidcRejection::Other => "the request was refused",
        })
    }
}
