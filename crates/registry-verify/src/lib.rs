//! DSSE envelopes, key ids and signatures for assay packs: sign and verify, nothing else.
//!
//! Packs and keys manifests travel in DSSE envelopes (PROTOCOL §4). This crate reads and
//! writes them ([`Envelope`], within [`MAX_ENVELOPE_BYTES`], [`MAX_SIGNATURES`] and
//! [`MAX_KEY_ID_CHARS`]), builds the bytes that are signed ([`pae`]), names keys by the
//! SHA-256 of their SubjectPublicKeyInfo ([`KeyId`]), reads public keys from SPKI DER, PEM
//! or base64 ([`PublicKey`]) and private keys from PKCS#8 ([`PrivateKey`]), and signs and
//! verifies with Ed25519 (strict, via ed25519-dalek) and ECDSA P-256 with SHA-256 (DER or
//! 64-byte signatures, via ring). Each algorithm sits behind one small trait, so adding one
//! touches one file.
//!
//! The key design choice is that everything here is a pure function of its inputs. This is
//! the crate an air-gapped pipeline links, so it must never depend, even transitively, on
//! an async runtime, an HTTP or TLS crate, `std::net` or the file system, and it never
//! reads the clock: where time matters, it is a parameter. `cargo xtask check-layers`
//! proves the dependency half of that. Randomness (key generation, ECDSA nonces) comes
//! from ring's system generator.
//!
//! ```
//! use registry_verify::{Algorithm, Envelope, PrivateKey, PublicKey};
//!
//! # fn main() -> Result<(), registry_verify::Error> {
//! // An author signs…
//! let key = PrivateKey::generate(Algorithm::Ed25519)?;
//! let mut envelope = Envelope::new("application/vnd.assay.pack.v1+jcs", br#"{"name":"demo"}"#.to_vec());
//! envelope.add_signature(&key)?;
//! let json = envelope.to_json();
//! let public_pem = key.public_key().to_pem();
//!
//! // …and a verifier, with only the public key, checks.
//! let trusted = PublicKey::parse(&public_pem)?;
//! let received = Envelope::from_json(json.as_bytes())?;
//! let signature = &received.signatures()[0];
//! assert_eq!(signature.keyid.as_deref(), Some(trusted.key_id().as_str()));
//! received.verify_signature(signature, &trusted)?;
//! assert_eq!(received.payload(), br#"{"name":"demo"}"#);
//!
//! // A changed payload no longer verifies.
//! let forged = Envelope::new(received.payload_type(), br#"{"name":"evil"}"#.to_vec());
//! assert!(forged.verify_signature(signature, &trusted).is_err());
//! # Ok(())
//! # }
//! ```

mod algorithm;
mod ed25519;
mod envelope;
mod error;
mod key_id;
mod manifest;
mod p256;
mod pack;
mod pae;
mod pem;
mod private_key;
mod public_key;
mod sign;
mod signers;
mod trust;

pub use crate::algorithm::Algorithm;
pub use crate::envelope::{
    Envelope, EnvelopeField, EnvelopeSignature, MAX_ENVELOPE_BYTES, MAX_KEY_ID_CHARS,
    MAX_SIGNATURES,
};
pub use crate::error::{Error, KeyFault, Result};
pub use crate::key_id::KeyId;
pub use crate::manifest::{
    DropFault, DroppedKey, KEYS_MANIFEST_PAYLOAD_TYPE, ManifestCheckpoint, PACK_SIGNING_USAGE,
    VerifiedManifest, manifest_envelope, verify_manifest,
};
pub use crate::pack::{
    LEGACY_PACK_PAYLOAD_TYPE, MissingSignature, PACK_PAYLOAD_TYPE, SignatureStatus, VerifyOptions,
    VerifyResult, compute_digest, verify_digest, verify_pack,
};
pub use crate::pae::pae;
pub use crate::private_key::{PrivateKey, SecretPem};
pub use crate::public_key::PublicKey;
pub use crate::sign::{
    KeyUsage, ManifestDraft, ManifestKeyDraft, PackPayloadType, sign_manifest, sign_pack,
};
pub use crate::signers::{SignerHints, SignerIds};
pub use crate::trust::{
    EMBEDDED_ROOTS, KeySource, KeyValidity, RootSpec, TrustMode, TrustStore, TrustedKey,
    ValidityWindow,
};
