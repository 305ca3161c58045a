//! The crate's error type and the typed reasons it carries.

use snafu::Snafu;

use crate::base_url::UrlFault;
use crate::digest::DigestFault;
use crate::name::NameFault;
use crate::reference::ReferenceFault;
use crate::version::VersionFault;

/// Everything that can go wrong while parsing the registry's plain data types.
///
/// Every variant carries the offending text, and its message quotes that text
/// and says which rule it breaks. Reference errors about one part of a
/// reference (name, namespace, version, pin) carry the part's own error as
/// their `source`, so a [`snafu::Report`] prints the whole story.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum Error {
    /// A pack name breaks the name grammar.
    #[snafu(display("pack name {name:?} {reason}"))]
    InvalidPackName {
        /// The rejected text.
        name: String,
        /// The rule it breaks.
        reason: NameFault,
    },

    /// A namespace (organisation) breaks the name grammar.
    #[snafu(display("namespace {namespace:?} {reason}"))]
    InvalidNamespace {
        /// The rejected text.
        namespace: String,
        /// The rule it breaks.
        reason: NameFault,
    },

    /// A timestamp is not an RFC 3339 date-time.
    #[snafu(display(
        "timestamp {timestamp:?} is not an RFC 3339 date-time like \"2026-01-29T10:00:00Z\""
    ))]
    InvalidTimestamp {
        /// The rejected text.
        timestamp: String,
        /// The parser's reason.
        source: time::error::Parse,
    },

    /// A cache or lockfile namespace segment is not of the form `orgs/<org>`.
    #[snafu(display("namespace segment {segment:?} does not have the form `orgs/<org>`"))]
    InvalidNamespaceSegment {
        /// The rejected text.
        segment: String,
    },

    /// A version is not an exact SemVer 2.0.0 version.
    #[snafu(display("version {version:?} {reason}"))]
    InvalidVersion {
        /// The rejected text.
        version: String,
        /// The rule it breaks.
        reason: VersionFault,
    },

    /// A digest is not `sha256:` followed by 64 lowercase hex characters.
    #[snafu(display("digest {digest:?} {reason}"))]
    InvalidDigest {
        /// The rejected text.
        digest: String,
        /// The rule it breaks.
        reason: DigestFault,
    },

    /// A pack policy is neither `commercial` nor `open`.
    #[snafu(display(
        "pack policy {policy:?} is neither `commercial` nor `open` (exact lowercase)"
    ))]
    InvalidPolicy {
        /// The rejected text.
        policy: String,
    },

    /// A registry base URL breaks a rule of [`crate::BaseUrl`].
    #[snafu(display("URL `{url}` is not usable: {reason}"))]
    InvalidUrl {
        /// The rejected text, with user information and any query or fragment replaced
        /// by `<redacted>` (they may hold credentials).
        url: String,
        /// The rule it breaks.
        reason: UrlFault,
    },

    /// A pack reference has the wrong overall shape.
    #[snafu(display("reference {reference:?} {reason}"))]
    InvalidReference {
        /// The rejected reference.
        reference: String,
        /// What is wrong with its shape.
        reason: ReferenceFault,
    },

    /// The namespace (`org` in `org/name@version`) of a registry reference is invalid.
    #[snafu(display("reference {reference:?} has an invalid namespace"))]
    InvalidReferenceNamespace {
        /// The rejected reference.
        reference: String,
        /// Why the namespace is invalid.
        #[snafu(source(from(Error, Box::new)))]
        source: Box<Error>,
    },

    /// The pack name of a registry reference is invalid.
    #[snafu(display("reference {reference:?} has an invalid pack name"))]
    InvalidReferenceName {
        /// The rejected reference.
        reference: String,
        /// Why the name is invalid.
        #[snafu(source(from(Error, Box::new)))]
        source: Box<Error>,
    },

    /// The version of a registry reference is invalid.
    #[snafu(display("reference {reference:?} has an invalid version"))]
    InvalidReferenceVersion {
        /// The rejected reference.
        reference: String,
        /// Why the version is invalid.
        #[snafu(source(from(Error, Box::new)))]
        source: Box<Error>,
    },

    /// The `#sha256:` pin of a registry or BYOS reference is invalid.
    #[snafu(display("reference {reference:?} has an invalid digest pin"))]
    InvalidReferencePin {
        /// The rejected reference.
        reference: String,
        /// Why the pinned digest is invalid.
        #[snafu(source(from(Error, Box::new)))]
        source: Box<Error>,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
