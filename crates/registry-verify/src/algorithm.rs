//! The signature algorithms this crate knows, the trait each of them implements, and the
//! table public and private keys are read through.
//!
//! Each algorithm owns one file (`ed25519.rs`, `p256.rs`) with everything about it: the
//! OID its keys carry, how its public keys (SPKI) and private keys (PKCS#8) are read, how
//! keys are generated, and how it signs and verifies. Adding an algorithm means that file,
//! a variant of [`Algorithm`] and a line in [`SCHEMES`]; nothing else matches on algorithms.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use pkcs8::PrivateKeyInfoRef;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use crate::ed25519::Ed25519;
use crate::error::{Error, Result, UnknownAlgorithmSnafu};
use crate::p256::P256;

/// Every algorithm's scheme: the one place keys are dispatched from.
pub(crate) static SCHEMES: &[&dyn SignatureScheme] = &[&Ed25519, &P256];

/// A signature algorithm, named as the keys manifest names it (PROTOCOL §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 (RFC 8032), verified strictly: canonical `S`, no small-order keys or `R`.
    Ed25519,
    /// ECDSA over NIST P-256 with SHA-256; signatures as ASN.1 DER or 64-byte `r‖s`.
    EcdsaP256Sha256,
}

impl Algorithm {
    /// Every algorithm, in a stable order.
    pub const ALL: [Algorithm; 2] = [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256];

    /// The manifest spelling: `Ed25519` or `ECDSA-P256`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::EcdsaP256Sha256 => "ECDSA-P256",
        }
    }

    /// Parses the manifest spelling, `Ed25519` or `ECDSA-P256`, exactly.
    ///
    /// The match is case-sensitive and there are no aliases: the keys manifest is signed
    /// data written by the registry, PROTOCOL §5 fixes its two spellings, and a second
    /// spelling would only be a second way to write the same thing. Command-line tools map
    /// their own short names (`ed25519`, `p256`) before they get here.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownAlgorithm`] for any other text.
    pub fn parse(name: &str) -> Result<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.as_str() == name)
            .ok_or_else(|| UnknownAlgorithmSnafu { name }.build())
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        Algorithm::parse(name)
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Algorithm::parse(&name).map_err(serde::de::Error::custom)
    }
}

impl Algorithm {
    /// The scheme that implements this algorithm; every variant has one in [`SCHEMES`] (a
    /// unit test checks it).
    pub(crate) fn scheme(self) -> Option<&'static dyn SignatureScheme> {
        SCHEMES
            .iter()
            .copied()
            .find(|scheme| scheme.algorithm() == self)
    }
}

/// The scheme whose keys carry the algorithm OID `oid`, if any.
pub(crate) fn scheme_for_oid(oid: ObjectIdentifier) -> Option<&'static dyn SignatureScheme> {
    SCHEMES
        .iter()
        .copied()
        .find(|scheme| scheme.key_oid() == oid)
}

/// The supported key algorithms with their OIDs, for an error message:
/// `Ed25519, 1.3.101.112, or EC public key, 1.2.840.10045.2.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SupportedKeyAlgorithms;

impl fmt::Display for SupportedKeyAlgorithms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, scheme) in SCHEMES.iter().enumerate() {
            match index {
                0 => {}
                _ if index + 1 == SCHEMES.len() => f.write_str(", or ")?,
                _ => f.write_str(", ")?,
            }
            write!(f, "{}, {}", scheme.key_algorithm_name(), scheme.key_oid())?;
        }
        Ok(())
    }
}

/// A signature did not verify. The backends do not say why (a malformed encoding and a
/// wrong signature look alike on purpose), so neither does this type;
/// [`PublicKey::verify`](crate::PublicKey::verify) turns it into
/// [`Error::InvalidSignature`] with the key id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SignatureRejected;

/// Signing failed: the random number generator did (ECDSA nonces).
/// [`PrivateKey::sign`](crate::PrivateKey::sign) turns it into [`Error::Sign`] with the key id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SigningFailed;

/// One signature algorithm: everything about it, behind one entry of [`SCHEMES`].
pub(crate) trait SignatureScheme: Send + Sync {
    /// The algorithm, as the keys manifest names it.
    fn algorithm(&self) -> Algorithm;

    /// The algorithm OID its SPKI and PKCS#8 keys carry.
    fn key_oid(&self) -> ObjectIdentifier;

    /// The name of that OID for messages, such as `EC public key`.
    fn key_algorithm_name(&self) -> &'static str;

    /// Reads the public key of an SPKI whose algorithm OID is [`Self::key_oid`]: checks
    /// the parameters and that the key bits are a usable key.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPublicKey`] (or [`Error::UnsupportedCurve`]) naming what is wrong.
    fn read_public_key(&self, spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Arc<dyn Verifier>>;

    /// Reads an unencrypted PKCS#8 private key whose algorithm OID is [`Self::key_oid`];
    /// `der` is the whole document `info` was read from.
    ///
    /// # Errors
    ///
    /// [`Error::PrivateKeyRejected`] (or [`Error::UnsupportedCurve`]) when the key is refused.
    fn read_private_key(&self, info: &PrivateKeyInfoRef<'_>, der: &[u8])
    -> Result<Box<dyn Signer>>;

    /// A new key as a PKCS#8 document, from the system random number generator.
    ///
    /// # Errors
    ///
    /// [`Error::GenerateKey`] if the random number generator fails.
    fn generate_pkcs8(&self) -> Result<Vec<u8>>;
}

/// One public key of a scheme, ready to verify.
pub(crate) trait Verifier: Send + Sync {
    /// Checks `signature` over `message`: the whole message, which the algorithm hashes
    /// itself.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureRejected>;
}

/// One private key of a scheme, ready to sign.
pub(crate) trait Signer: Send + Sync {
    /// The DER SubjectPublicKeyInfo of the matching public key.
    fn spki_der(&self) -> Vec<u8>;

    /// Signs `message`, the whole message, which the algorithm hashes itself.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningFailed>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for algorithm in Algorithm::ALL {
            assert_eq!(Algorithm::parse(algorithm.as_str()).unwrap(), algorithm);
            assert_eq!(
                algorithm.to_string().parse::<Algorithm>().unwrap(),
                algorithm
            );
            let json = serde_json::to_string(&algorithm).unwrap();
            assert_eq!(serde_json::from_str::<Algorithm>(&json).unwrap(), algorithm);
        }
        assert_eq!(Algorithm::EcdsaP256Sha256.as_str(), "ECDSA-P256");
    }

    #[test]
    fn every_algorithm_has_one_scheme() {
        for algorithm in Algorithm::ALL {
            let schemes: Vec<_> = SCHEMES
                .iter()
                .filter(|scheme| scheme.algorithm() == algorithm)
                .collect();
            assert_eq!(schemes.len(), 1, "{algorithm}");
            assert_eq!(algorithm.scheme().map(|s| s.algorithm()), Some(algorithm));
        }
        assert_eq!(SCHEMES.len(), Algorithm::ALL.len());
        assert_eq!(
            SupportedKeyAlgorithms.to_string(),
            "Ed25519, 1.3.101.112, or EC public key, 1.2.840.10045.2.1"
        );
    }

    #[test]
    fn other_spellings_are_unknown() {
        for name in [
            "ed25519",
            "ecdsa-p256",
            "ECDSA_P256",
            "P-256",
            "",
            "Ed25519 ",
        ] {
            let error = Algorithm::parse(name).unwrap_err();
            assert!(matches!(&error, Error::UnknownAlgorithm { name: n } if n == name));
        }
    }
}
