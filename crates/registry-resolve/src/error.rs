//! The one error type of this crate, and how callers classify it.

use std::io;
use std::time::Duration;

use camino::Utf8PathBuf;
use registry_types::{Digest, PackRef, Timestamp};
use snafu::Snafu;

use crate::byos::{ByosFault, ByosFaultKind};

/// Why a reference could not be resolved. Every variant about a pack names it.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum Error {
    /// The reference text is malformed.
    #[snafu(display("invalid pack reference {reference:?}"))]
    InvalidReference {
        /// The text.
        reference: String,
        /// What is wrong with it.
        #[snafu(source(from(registry_types::Error, Box::new)))]
        source: Box<registry_types::Error>,
    },

    /// An environment variable is malformed.
    #[snafu(display("{variable} must be {expected}"))]
    InvalidEnvironment {
        /// The variable.
        variable: &'static str,
        /// What it must be.
        expected: &'static str,
    },

    /// A configured trust root is unusable.
    #[snafu(display("a trust root from {origin} is not a key id or a public key"))]
    InvalidTrustRoot {
        /// Where it was configured.
        origin: &'static str,
        /// Why it is unusable.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// The registry settings are unusable.
    #[snafu(display("registry settings"))]
    RegistrySettings {
        /// What is wrong.
        #[snafu(source(from(registry_http::Error, Box::new)))]
        source: Box<registry_http::Error>,
    },

    /// No cache directory could be determined.
    #[snafu(display("cache directory"))]
    CacheRoot {
        /// What is wrong.
        #[snafu(source(from(registry_cache::Error, Box::new)))]
        source: Box<registry_cache::Error>,
    },

    /// A path exists but could not be read.
    #[snafu(display("cannot read pack file {path}"))]
    ReadPath {
        /// The path.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// A directory was given that has no `pack.yaml`.
    #[snafu(display("directory {path} has no pack.yaml"))]
    DirectoryWithoutPack {
        /// The directory.
        path: Utf8PathBuf,
    },

    /// A local file is larger than a pack may be.
    #[snafu(display("pack file {path} is {size} bytes, more than the {limit}-byte limit"))]
    FileTooLarge {
        /// The path.
        path: Utf8PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: usize,
    },

    /// A pack file of the local directory resolves, through a link, outside it.
    #[snafu(display("local pack {path} resolves to {target}, outside the local pack directory"))]
    LocalPackEscapes {
        /// The file in the directory.
        path: Utf8PathBuf,
        /// Where it leads.
        target: Utf8PathBuf,
    },

    /// A local, built-in or object-storage pack is not a valid pack.
    #[snafu(display("{pack} is not a valid pack"))]
    InvalidPack {
        /// The pack.
        pack: Box<PackRef>,
        /// Why.
        #[snafu(source(from(registry_canon::CanonicalizeError, Box::new)))]
        source: Box<registry_canon::CanonicalizeError>,
    },

    /// A pack found by name declares another name.
    #[snafu(display("{pack} declares itself as {declared}"))]
    NameMismatch {
        /// The pack as requested.
        pack: Box<PackRef>,
        /// The `name@version` it declares (control characters removed).
        declared: String,
    },

    /// The registry refused or failed a request for the pack.
    #[snafu(display("{pack}"))]
    Registry {
        /// The pack.
        pack: Box<PackRef>,
        /// What the registry layer reported.
        #[snafu(source(from(registry_http::Error, Box::new)))]
        source: Box<registry_http::Error>,
    },

    /// The cache failed (a disk error, not a bad entry: bad entries are evicted and
    /// fetched again).
    #[snafu(display("cache failed for {pack}"))]
    Cache {
        /// The pack.
        pack: Box<PackRef>,
        /// What the cache reported.
        #[snafu(source(from(registry_cache::Error, Box::new)))]
        source: Box<registry_cache::Error>,
    },

    /// The pack's bytes did not verify (digest, signature, threshold, payload).
    #[snafu(display("verification of {pack} failed"))]
    Verify {
        /// The pack.
        pack: Box<PackRef>,
        /// What failed.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// The pack's digest differs from the pinned one.
    #[snafu(display("pack integrity check failed for {pack}: expected {expected}, got {actual}"))]
    PinMismatch {
        /// The pack.
        pack: Box<PackRef>,
        /// The pinned digest.
        expected: Digest,
        /// The digest of what arrived.
        actual: Digest,
    },

    /// A pack seen as commercial before arrived as open and unsigned.
    #[snafu(display(
        "{pack} was commercial (signed) when cached, and the registry now serves it as open without a signature: refusing the policy downgrade"
    ))]
    PolicyDowngrade {
        /// The pack.
        pack: Box<PackRef>,
    },

    /// The registry revoked the pack.
    #[snafu(display("{pack} was revoked by the registry: {reason}{}{}", safe_version.as_ref().map(|v| format!("; use version {v} instead")).unwrap_or_default(), advice.hint()))]
    Revoked {
        /// The pack.
        pack: Box<PackRef>,
        /// The registry's reason.
        reason: String,
        /// The version to move to, when named.
        safe_version: Option<String>,
        /// What the user can do.
        advice: RevokedAdvice,
    },

    /// Offline, and something the pack needs is not available locally.
    #[snafu(display("offline mode is on and {pack} is not available: {missing}"))]
    Offline {
        /// The pack.
        pack: Box<PackRef>,
        /// What is missing.
        missing: &'static str,
    },

    /// The keys manifest could not be fetched.
    #[snafu(display("cannot fetch the keys manifest of {registry}"))]
    FetchKeys {
        /// The registry.
        registry: String,
        /// What failed.
        #[snafu(source(from(registry_http::Error, Box::new)))]
        source: Box<registry_http::Error>,
    },

    /// The keys manifest did not verify (root signature, expiry, rollback).
    #[snafu(display("the keys manifest of {registry} was refused"))]
    KeysManifest {
        /// The registry.
        registry: String,
        /// Why.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// The persisted keys state could not be read or written.
    #[snafu(display("cannot keep the keys manifest state of {registry}"))]
    KeysState {
        /// The registry.
        registry: String,
        /// What failed.
        #[snafu(source(from(registry_cache::Error, Box::new)))]
        source: Box<registry_cache::Error>,
    },

    /// The persisted keys state of a registry is there but unreadable (damaged or tampered
    /// with); going on without it would drop rollback and freeze protection.
    #[snafu(display(
        "the keys manifest state of {registry} in the cache is unreadable, and rollback protection cannot go on without it; if the cache was damaged, `assay-pack cache clear --registry {registry}` resets it"
    ))]
    KeysStateUnreadable {
        /// The registry.
        registry: String,
        /// What is wrong with the record.
        #[snafu(source(from(registry_cache::Error, Box::new)))]
        source: Box<registry_cache::Error>,
    },

    /// A signed pack arrived and nothing is configured to check a signature with.
    #[snafu(display(
        "{pack} is signed, but no trust root or pack key is configured to check it: pass --trust-root ROOT or set ASSAY_REGISTRY_TRUST_ROOTS"
    ))]
    NoTrustAnchor {
        /// The pack.
        pack: Box<PackRef>,
        /// What verification reported.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// The clock is behind the latest time seen for the registry (a freeze attack, or a
    /// clock set back).
    #[snafu(display(
        "the clock says {now}, but {registry} was already seen at {latest_seen}: refusing to go on (a frozen or replayed registry, or a clock set back). If the clock is right now, clear this registry from the cache (`assay-pack cache clear --registry {registry}`) to reset its state"
    ))]
    ClockBehind {
        /// The registry.
        registry: String,
        /// The clock's time.
        now: Timestamp,
        /// The latest time seen.
        latest_seen: Timestamp,
    },

    /// The pack took longer than the deadline, across every request and retry.
    #[snafu(display("{pack} took longer than the {}-second deadline (ASSAY_REGISTRY_DEADLINE)", after.as_secs()))]
    Deadline {
        /// The pack.
        pack: Box<PackRef>,
        /// The deadline.
        after: Duration,
    },

    /// An object store did not hand back the pack.
    #[snafu(display("{pack}: {source}"))]
    Byos {
        /// The pack.
        pack: Box<PackRef>,
        /// What the store said.
        source: ByosFault,
    },

    /// An object-storage pack has no expected digest and strict mode is on.
    #[snafu(display("{pack} has no expected digest: pin it (#sha256:…) or lock it"))]
    ByosUnpinned {
        /// The pack.
        pack: Box<PackRef>,
    },

    /// `oci://` references are reserved.
    #[snafu(display("{pack}: {reason}"))]
    OciUnsupported {
        /// The reference.
        pack: Box<PackRef>,
        /// Why.
        reason: &'static str,
    },

    /// No step of the resolution order knows the reference.
    #[snafu(display("pack {reference:?} not found: no such file, built-in or local pack{}", suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default()))]
    NotFound {
        /// The reference.
        reference: String,
        /// The closest known name.
        suggestion: Option<String>,
    },

    /// A worker task failed (it panicked or was cancelled).
    #[snafu(display("an internal task failed"))]
    Task {
        /// The join error.
        source: tokio::task::JoinError,
    },
}

/// What a user can do about a revoked pack, part of the error's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RevokedAdvice {
    /// Suggest `--allow-revoked` for forensics.
    SuggestAllowRevoked,
    /// Allow-revoked was set but there is no cached copy to hand back.
    NoCachedCopy,
    /// Allow-revoked was set under CI without `ASSAY_ALLOW_REVOKED=forensics`.
    NeedsForensicsAcknowledgement,
}

impl RevokedAdvice {
    fn hint(self) -> &'static str {
        match self {
            RevokedAdvice::SuggestAllowRevoked => {
                ". For forensics only, --allow-revoked hands back a copy already in the cache"
            }
            RevokedAdvice::NoCachedCopy => {
                ". --allow-revoked was set, but there is no copy in the cache to hand back"
            }
            RevokedAdvice::NeedsForensicsAcknowledgement => {
                ". --allow-revoked under CI also needs ASSAY_ALLOW_REVOKED=forensics"
            }
        }
    }
}

/// The class of a failure, for exit codes and retry decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The bytes, signature or policy failed verification (or a rollback/freeze).
    Integrity,
    /// A local input or setting is wrong (bad reference, unreadable file, bad variable).
    LocalInput,
    /// The network or the registry is unavailable (also: offline and not cached).
    Unavailable,
    /// Not found, access denied, or revoked.
    NotFoundOrDenied,
}

impl Error {
    /// The class of this failure.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::InvalidReference { .. }
            | Error::InvalidEnvironment { .. }
            | Error::InvalidTrustRoot { .. }
            | Error::RegistrySettings { .. }
            | Error::CacheRoot { .. }
            | Error::ReadPath { .. }
            | Error::DirectoryWithoutPack { .. }
            | Error::FileTooLarge { .. }
            | Error::LocalPackEscapes { .. }
            | Error::Cache { .. }
            | Error::KeysState { .. }
            | Error::OciUnsupported { .. }
            | Error::Task { .. } => ErrorClass::LocalInput,
            Error::InvalidPack { .. }
            | Error::NameMismatch { .. }
            | Error::Verify { .. }
            | Error::PinMismatch { .. }
            | Error::PolicyDowngrade { .. }
            | Error::KeysManifest { .. }
            | Error::KeysStateUnreadable { .. }
            | Error::NoTrustAnchor { .. }
            | Error::ClockBehind { .. }
            | Error::ByosUnpinned { .. } => ErrorClass::Integrity,
            Error::Offline { .. } | Error::Deadline { .. } => ErrorClass::Unavailable,
            Error::Revoked { .. } | Error::NotFound { .. } => ErrorClass::NotFoundOrDenied,
            Error::Registry { source, .. } | Error::FetchKeys { source, .. } => http_class(source),
            Error::Byos { source, .. } => match source.kind {
                ByosFaultKind::NotFound | ByosFaultKind::Denied => ErrorClass::NotFoundOrDenied,
                ByosFaultKind::Unavailable => ErrorClass::Unavailable,
                ByosFaultKind::TooLarge => ErrorClass::Integrity,
                ByosFaultKind::Unsupported | ByosFaultKind::Configuration => ErrorClass::LocalInput,
            },
        }
    }

    /// Whether trying again later may succeed (the network, the registry's load).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Registry { source, .. } | Error::FetchKeys { source, .. } => {
                source.is_retryable()
            }
            Error::Deadline { .. } => true,
            _ => false,
        }
    }
}

/// The class of a registry-layer failure.
fn http_class(error: &registry_http::Error) -> ErrorClass {
    use registry_http::ErrorKind;
    match error.kind() {
        ErrorKind::Configuration => ErrorClass::LocalInput,
        ErrorKind::NotFound
        | ErrorKind::AuthenticationRequired
        | ErrorKind::NotLicensed
        | ErrorKind::Revoked => ErrorClass::NotFoundOrDenied,
        ErrorKind::RateLimited
        | ErrorKind::ServerError
        | ErrorKind::Network
        | ErrorKind::Timeout
        | ErrorKind::Tls => ErrorClass::Unavailable,
        ErrorKind::TooLarge | ErrorKind::Integrity | ErrorKind::Protocol => ErrorClass::Integrity,
        _ => ErrorClass::Unavailable,
    }
}

/// Result with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
