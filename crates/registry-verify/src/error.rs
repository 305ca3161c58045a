//! The one error type of this crate.

use std::fmt;

use data_encoding::DecodeError;
use registry_types::{Digest, Timestamp};
use snafu::Snafu;

use crate::algorithm::{Algorithm, SupportedKeyAlgorithms};
use crate::envelope::EnvelopeField;
use crate::key_id::KeyId;
use crate::signers::{SignerHints, SignerIds};
use crate::trust::ValidityWindow;

/// What is wrong with the key bits of a public key that has a supported algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyFault {
    /// The key has the wrong number of bytes.
    Length {
        /// The number of bytes found.
        actual: usize,
        /// The number of bytes the algorithm uses.
        expected: usize,
    },
    /// The SPKI bit string does not end on a byte boundary.
    PartialByte,
    /// The algorithm identifier carries parameters it must not carry (RFC 8410 for Ed25519).
    UnexpectedParameters,
    /// An EC key names no curve (parameters absent, or explicit curve parameters).
    MissingNamedCurve,
    /// A P-256 point in compressed form; only the uncompressed form is accepted, so that
    /// each key has one encoding and therefore one key id.
    CompressedPoint,
    /// The bytes are not a point on the curve.
    NotOnCurve,
    /// The point is encoded with a coordinate that is not reduced modulo the field prime.
    NonCanonical,
    /// The point has small order: a signature could verify for many messages.
    SmallOrder,
}

impl fmt::Display for KeyFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyFault::Length { actual, expected } => {
                write!(f, "has {actual} bytes, expected {expected}")
            }
            KeyFault::PartialByte => f.write_str("is a bit string that does not end on a byte"),
            KeyFault::UnexpectedParameters => f.write_str("carries algorithm parameters"),
            KeyFault::MissingNamedCurve => f.write_str("does not name its curve"),
            KeyFault::CompressedPoint => {
                f.write_str("is a compressed point (only uncompressed points are accepted)")
            }
            KeyFault::NotOnCurve => f.write_str("is not a point on the curve"),
            KeyFault::NonCanonical => f.write_str("is not canonically encoded"),
            KeyFault::SmallOrder => f.write_str("is a point of small order"),
        }
    }
}

/// Why a key, a signature or an envelope was rejected, or why signing failed.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum Error {
    /// A text is not base64 (in either alphabet, padded or not).
    #[snafu(display("invalid base64"))]
    InvalidBase64 {
        /// The kind of problem and its byte position.
        source: DecodeError,
    },

    /// A key id is not `sha256:` followed by 64 lowercase hex digits.
    #[snafu(display("key id `{text}` is not `sha256:` followed by 64 lowercase hex digits"))]
    InvalidKeyId {
        /// The rejected text, shortened to 100 characters.
        text: String,
    },

    /// An algorithm name is not one of the manifest spellings.
    #[snafu(display("unknown signature algorithm `{name}` (expected `Ed25519` or `ECDSA-P256`)"))]
    UnknownAlgorithm {
        /// The rejected name.
        name: String,
    },

    /// A text holds no PEM block at all.
    #[snafu(display("no PEM block `{label}` found"))]
    MissingPemBlock {
        /// The label that was expected, such as `PUBLIC KEY`.
        label: &'static str,
    },

    /// A text holds PEM blocks, but none with the expected label.
    #[snafu(display("expected a PEM block `{expected}`, found `{found}`"))]
    UnexpectedPemLabel {
        /// The label that was expected.
        expected: &'static str,
        /// The label of the first block found.
        found: String,
    },

    /// A PEM block has a BEGIN line and no matching END line.
    #[snafu(display("PEM block `{label}` has no END line"))]
    UnterminatedPem {
        /// The label of the block.
        label: &'static str,
    },

    /// The text inside a PEM block is not base64.
    #[snafu(display("PEM block `{label}` does not hold base64"))]
    PemBase64 {
        /// The label of the block.
        label: &'static str,
        /// The kind of problem and its byte position, counted without line breaks.
        source: DecodeError,
    },

    /// Bytes given as a public key are not a DER SubjectPublicKeyInfo.
    #[snafu(display("public key is not a DER SubjectPublicKeyInfo"))]
    ParsePublicKey {
        /// The DER parser's error.
        source: spki::Error,
    },

    /// Bytes given as a private key are not a DER PKCS#8 PrivateKeyInfo.
    #[snafu(display("private key is not an unencrypted DER PKCS#8 PrivateKeyInfo"))]
    ParsePrivateKey {
        /// The DER parser's error.
        source: pkcs8::Error,
    },

    /// A key's algorithm OID is not Ed25519 or EC public key.
    #[snafu(display("key algorithm {oid} is not supported (expected {SupportedKeyAlgorithms})"))]
    UnsupportedKeyAlgorithm {
        /// The algorithm OID, dotted.
        oid: String,
    },

    /// An EC key is on a curve other than P-256.
    #[snafu(display(
        "elliptic curve {oid} is not supported (expected P-256, 1.2.840.10045.3.1.7)"
    ))]
    UnsupportedCurve {
        /// The curve OID, dotted.
        oid: String,
    },

    /// A public key of a supported algorithm has unusable key bits.
    #[snafu(display("{algorithm} public key {fault}"))]
    InvalidPublicKey {
        /// The key's algorithm.
        algorithm: Algorithm,
        /// What is wrong with it.
        fault: KeyFault,
    },

    /// ring rejected a PKCS#8 private key of a supported algorithm.
    #[snafu(display("{algorithm} private key rejected"))]
    PrivateKeyRejected {
        /// The key's algorithm.
        algorithm: Algorithm,
        /// ring's reason, such as `InconsistentComponents`.
        source: ring::error::KeyRejected,
    },

    /// The system random number generator failed.
    #[snafu(display("the system random number generator failed"))]
    RandomSource,

    /// A new key could not be generated (the random number generator failed).
    #[snafu(display("could not generate an {algorithm} key"))]
    GenerateKey {
        /// The algorithm of the key.
        algorithm: Algorithm,
    },

    /// Signing failed (for ECDSA, the random number generator failed).
    #[snafu(display("could not sign with {algorithm} key {key_id}"))]
    Sign {
        /// The algorithm of the key.
        algorithm: Algorithm,
        /// The key.
        key_id: KeyId,
    },

    /// A signature does not verify: it is malformed, or made over other bytes or by another key.
    #[snafu(display("{algorithm} signature of {length} bytes does not verify with key {key_id}"))]
    InvalidSignature {
        /// The algorithm of the key.
        algorithm: Algorithm,
        /// The key the signature was checked against.
        key_id: KeyId,
        /// The length of the signature in bytes.
        length: usize,
    },

    /// An envelope is larger than [`MAX_ENVELOPE_BYTES`](crate::MAX_ENVELOPE_BYTES).
    #[snafu(display("envelope is {size} bytes, more than the limit of {limit} bytes"))]
    EnvelopeTooLarge {
        /// The size of the envelope JSON in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// An envelope is not JSON, or a field has the wrong JSON type.
    #[snafu(display("envelope is not a DSSE JSON object"))]
    ParseEnvelope {
        /// The JSON parser's error, with line and column.
        source: serde_json::Error,
    },

    /// An envelope lacks a required field (or has it as `null`).
    #[snafu(display("envelope has no {field}"))]
    MissingEnvelopeField {
        /// The missing field.
        field: EnvelopeField,
    },

    /// An envelope field that holds base64 does not.
    #[snafu(display("envelope {field} is not base64"))]
    EnvelopeBase64 {
        /// The field.
        field: EnvelopeField,
        /// The kind of problem and its byte position in the field's text.
        source: DecodeError,
    },

    /// An envelope has more signatures than [`MAX_SIGNATURES`](crate::MAX_SIGNATURES).
    #[snafu(display("envelope has {count} signatures, more than the limit of {limit}"))]
    TooManySignatures {
        /// The number of signatures.
        count: usize,
        /// The limit.
        limit: usize,
    },

    /// A signature's key id hint is longer than [`MAX_KEY_ID_CHARS`](crate::MAX_KEY_ID_CHARS).
    #[snafu(display(
        "envelope {field} is {length} characters long, more than the limit of {limit}"
    ))]
    KeyIdTooLong {
        /// The field, `signatures[i].keyid`.
        field: EnvelopeField,
        /// Its length in characters.
        length: usize,
        /// The limit in characters.
        limit: usize,
    },

    /// The pack has no canonical form.
    #[snafu(display("pack has no canonical form"))]
    Canonicalize {
        /// Why the strict profile rejected it.
        source: Box<registry_canon::CanonicalizeError>,
    },

    /// What was given to sign is not a pack: its top level is not a mapping with string
    /// `name` and `version` (PROTOCOL §1).
    #[snafu(display(
        "not a pack: its top level must be a mapping with a string `{missing}` (and `name` and `version` both)"
    ))]
    NotAPack {
        /// The first of `name` and `version` that is missing or not a string.
        missing: &'static str,
    },

    /// The pack's canonical digest is not the expected one.
    #[snafu(display("pack integrity check failed: expected {expected}, got {actual}"))]
    DigestMismatch {
        /// The digest from the header, pin or lockfile.
        expected: Digest,
        /// The digest of the bytes at hand.
        actual: Digest,
    },

    /// The envelope's payload type is neither pack payload type.
    #[snafu(display(
        "envelope payload type {payload_type:?} is not a pack payload type (expected \"application/vnd.assay.pack.v1+jcs\" or \"application/vnd.assay.pack+yaml;v=1\")"
    ))]
    WrongPayloadType {
        /// The envelope's payload type.
        payload_type: String,
    },

    /// The envelope signs other bytes than the pack's canonical bytes.
    #[snafu(display(
        "envelope payload is not this pack's canonical bytes (payload digest {payload_digest}, pack digest {pack_digest})"
    ))]
    PayloadMismatch {
        /// Digest of the envelope's payload.
        payload_digest: Digest,
        /// Canonical digest of the pack.
        pack_digest: Digest,
    },

    /// A pack that needs a signature has none.
    #[snafu(display("pack is commercial and has no signature"))]
    SignatureRequired,

    /// The envelope has an empty signature list.
    #[snafu(display("envelope has no signatures"))]
    NoSignatures,

    /// No signature is by a trusted key.
    #[snafu(display("no signature is from a trusted key (signed by {key_ids})"))]
    UntrustedKey {
        /// The key id hints of the signatures, sorted, each once.
        key_ids: SignerHints,
    },

    /// A signature names a trusted key but does not verify with it.
    #[snafu(display("signature by trusted key {key_id} does not verify"))]
    UnverifiedSignature {
        /// The key.
        key_id: KeyId,
    },

    /// The only valid signature is by a key past its validity window.
    #[snafu(display("signing key {key_id} expired: valid {window}, checked at {now}"))]
    KeyExpired {
        /// The key.
        key_id: KeyId,
        /// Its validity window.
        window: ValidityWindow,
        /// The time of the check.
        now: Timestamp,
    },

    /// The only valid signature is by a key whose window has not started.
    #[snafu(display("signing key {key_id} is not valid yet: valid {window}, checked at {now}"))]
    KeyNotYetValid {
        /// The key.
        key_id: KeyId,
        /// Its validity window.
        window: ValidityWindow,
        /// The time of the check.
        now: Timestamp,
    },

    /// The only valid signature is by a revoked key.
    #[snafu(display("signing key {key_id} is revoked"))]
    KeyRevoked {
        /// The key.
        key_id: KeyId,
    },

    /// Fewer distinct trusted keys signed than the threshold asks.
    #[snafu(display(
        "{verified} distinct trusted key(s) signed ({key_ids}), but the threshold is {threshold}"
    ))]
    BelowThreshold {
        /// How many distinct keys verified.
        verified: usize,
        /// How many are needed.
        threshold: usize,
        /// The keys that verified.
        key_ids: SignerIds,
    },

    /// A keys-manifest body is not JSON.
    #[snafu(display("keys manifest is not JSON"))]
    ManifestJson {
        /// The JSON parser's error.
        source: serde_json::Error,
    },

    /// A keys-manifest body carries no signature.
    #[snafu(display("keys manifest is unsigned: no DSSE envelope and no `signature` field"))]
    ManifestUnsigned,

    /// A keys-manifest envelope is malformed.
    #[snafu(display("keys manifest signature envelope is malformed"))]
    ManifestEnvelope {
        /// What is wrong with it.
        source: Box<Error>,
    },

    /// A keys-manifest envelope has the wrong payload type.
    #[snafu(display(
        "keys manifest payload type {payload_type:?} is not \"application/vnd.assay.registry.keys.v1+json\""
    ))]
    ManifestPayloadType {
        /// The envelope's payload type.
        payload_type: String,
    },

    /// No trusted root signed the keys manifest.
    #[snafu(display("keys manifest is not signed by a trusted root (signed by {signers})"))]
    ManifestNotSignedByRoot {
        /// The key id hints of the signatures, in envelope order.
        signers: SignerHints,
    },

    /// The signed keys-manifest payload is malformed.
    #[snafu(display("signed keys manifest payload is malformed"))]
    ManifestPayload {
        /// The JSON error, with line and column.
        source: serde_json::Error,
    },

    /// The manifest's version is not a sequence number ≥ 1.
    #[snafu(display("keys manifest version {version} is invalid: versions start at 1"))]
    ManifestVersion {
        /// The version found.
        version: u64,
    },

    /// The manifest is past its own expiry.
    #[snafu(display("keys manifest expired at {expires_at} (checked at {now})"))]
    ManifestExpired {
        /// The manifest's `expires_at`.
        expires_at: Timestamp,
        /// The time of the check.
        now: Timestamp,
    },

    /// The manifest is older than the last one accepted.
    #[snafu(display(
        "keys manifest version {version} is older than version {last_version} accepted before (rollback)"
    ))]
    ManifestRollback {
        /// This manifest's version.
        version: u64,
        /// The last accepted version.
        last_version: u64,
    },

    /// The manifest has the version of the last accepted one but other bytes.
    #[snafu(display(
        "keys manifest version {version} differs from the version {version} accepted before; the accepted one is kept"
    ))]
    ManifestReplaced {
        /// The version.
        version: u64,
    },

    /// A keys manifest could not be encoded for signing.
    #[snafu(display("keys manifest could not be encoded"))]
    EncodeManifest {
        /// The encoder's error.
        source: serde_json::Error,
    },
}

/// The kinds of failure the predicates of [`Error`] tell apart; one per variant, matched
/// without a wildcard so that a new variant must be given one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// A key, key id, algorithm name or key text cannot be read or used.
    Key,
    /// An envelope is malformed or over a limit.
    Envelope,
    /// The pack itself has no canonical form or is not a pack.
    Pack,
    /// The pack's bytes are not the ones a digest or an envelope vouches for.
    Binding,
    /// No (or not enough) trusted, currently valid keys signed.
    Signers,
    /// A keys manifest is refused.
    Manifest,
    /// The platform failed: randomness, signing, encoding.
    Platform,
}

impl Error {
    fn class(&self) -> Class {
        match self {
            Error::InvalidBase64 { .. }
            | Error::InvalidKeyId { .. }
            | Error::UnknownAlgorithm { .. }
            | Error::MissingPemBlock { .. }
            | Error::UnexpectedPemLabel { .. }
            | Error::UnterminatedPem { .. }
            | Error::PemBase64 { .. }
            | Error::ParsePublicKey { .. }
            | Error::ParsePrivateKey { .. }
            | Error::UnsupportedKeyAlgorithm { .. }
            | Error::UnsupportedCurve { .. }
            | Error::InvalidPublicKey { .. }
            | Error::PrivateKeyRejected { .. } => Class::Key,
            Error::EnvelopeTooLarge { .. }
            | Error::ParseEnvelope { .. }
            | Error::MissingEnvelopeField { .. }
            | Error::EnvelopeBase64 { .. }
            | Error::TooManySignatures { .. }
            | Error::KeyIdTooLong { .. } => Class::Envelope,
            Error::Canonicalize { .. } | Error::NotAPack { .. } => Class::Pack,
            Error::DigestMismatch { .. }
            | Error::WrongPayloadType { .. }
            | Error::PayloadMismatch { .. } => Class::Binding,
            Error::SignatureRequired
            | Error::NoSignatures
            | Error::UntrustedKey { .. }
            | Error::InvalidSignature { .. }
            | Error::UnverifiedSignature { .. }
            | Error::KeyExpired { .. }
            | Error::KeyNotYetValid { .. }
            | Error::KeyRevoked { .. }
            | Error::BelowThreshold { .. } => Class::Signers,
            Error::ManifestJson { .. }
            | Error::ManifestUnsigned
            | Error::ManifestEnvelope { .. }
            | Error::ManifestPayloadType { .. }
            | Error::ManifestNotSignedByRoot { .. }
            | Error::ManifestPayload { .. }
            | Error::ManifestVersion { .. }
            | Error::ManifestExpired { .. }
            | Error::ManifestRollback { .. }
            | Error::ManifestReplaced { .. } => Class::Manifest,
            Error::RandomSource
            | Error::GenerateKey { .. }
            | Error::Sign { .. }
            | Error::EncodeManifest { .. } => Class::Platform,
        }
    }

    /// Whether the pack itself was refused: it has no canonical form under the strict
    /// profile, or it is not a pack ([`Error::Canonicalize`], [`Error::NotAPack`]).
    pub fn is_invalid_pack(&self) -> bool {
        self.class() == Class::Pack
    }

    /// Whether the pack's integrity failed: it is refused itself
    /// ([`Self::is_invalid_pack`]), or its bytes are not the ones the expected digest or the
    /// envelope vouches for (a digest mismatch, a payload of other bytes, a payload type
    /// that is not a pack's).
    pub fn is_integrity_failure(&self) -> bool {
        matches!(self.class(), Class::Pack | Class::Binding)
    }

    /// Whether the signatures did not satisfy the trust policy: none was required and
    /// present, no trusted key signed, a signature did not verify, the only valid signer
    /// is expired, not yet valid or revoked, or fewer distinct keys signed than the
    /// threshold asks.
    pub fn is_untrusted_signer(&self) -> bool {
        self.class() == Class::Signers
    }

    /// Whether a keys manifest was refused (malformed, unsigned, not signed by a root,
    /// expired, rolled back or replaced).
    pub fn is_manifest_rejected(&self) -> bool {
        self.class() == Class::Manifest
    }

    /// Whether a key (or a key id, an algorithm name, the text of a key) could not be read
    /// or is not usable.
    pub fn is_key_unusable(&self) -> bool {
        self.class() == Class::Key
    }

    /// Whether an envelope is malformed or over one of its limits.
    pub fn is_malformed_envelope(&self) -> bool {
        self.class() == Class::Envelope
    }
}

/// Result with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_faults_read_as_a_sentence() {
        let error = Error::InvalidPublicKey {
            algorithm: Algorithm::EcdsaP256Sha256,
            fault: KeyFault::CompressedPoint,
        };
        assert_eq!(
            error.to_string(),
            "ECDSA-P256 public key is a compressed point (only uncompressed points are accepted)"
        );
        let error = Error::InvalidPublicKey {
            algorithm: Algorithm::Ed25519,
            fault: KeyFault::Length {
                actual: 31,
                expected: 32,
            },
        };
        assert_eq!(
            error.to_string(),
            "Ed25519 public key has 31 bytes, expected 32"
        );
    }
}
