//! The signature algorithms this crate knows, and the one small trait each of them implements.
//!
//! Adding an algorithm means a variant here, a file that implements [`SignatureScheme`]
//! (see `ed25519.rs` and `p256.rs`) and one arm where [`PublicKey`](crate::PublicKey)
//! reads a SubjectPublicKeyInfo.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result, UnknownAlgorithmSnafu};

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

/// A signature did not verify. The backends do not say why (a malformed encoding and a
/// wrong signature look alike on purpose), so neither does this type;
/// [`PublicKey::verify`](crate::PublicKey::verify) turns it into
/// [`Error::InvalidSignature`] with the key id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SignatureRejected;

/// One signature algorithm bound to one public key.
pub(crate) trait SignatureScheme: Send + Sync {
    /// Checks `signature` over `message`: the whole message, which the algorithm hashes
    /// itself.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureRejected>;
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
