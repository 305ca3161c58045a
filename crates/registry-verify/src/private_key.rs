//! Private keys: read from PKCS#8 DER or PEM, or generated; they sign, and know their public key.
//!
//! ring does the work for both algorithms. For Ed25519 it reads PKCS#8 v1 (what OpenSSL
//! writes: seed only) and v2 (what ring writes: seed and public key, checked against each
//! other). For P-256 it reads PKCS#8 v1 holding an RFC 5915 `ECPrivateKey` with its public
//! key, which is what OpenSSL and ring write; SEC1 `EC PRIVATE KEY` files must be
//! converted first (`openssl pkcs8 -topk8 -nocrypt`). Encrypted PKCS#8 is not read.

use std::fmt;

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use snafu::{OptionExt, ResultExt, ensure};

use crate::algorithm::Algorithm;
use crate::error::{
    GenerateKeySnafu, ParsePrivateKeySnafu, PrivateKeyRejectedSnafu, Result, SignSnafu,
    UnsupportedCurveSnafu, UnsupportedKeyAlgorithmSnafu,
};
use crate::key_id::KeyId;
use crate::public_key::PublicKey;
use crate::{ed25519, p256, pem};

/// The PEM label of an unencrypted PKCS#8 private key.
const PEM_LABEL: &str = "PRIVATE KEY";

/// A private signing key of a supported algorithm.
///
/// Its `Debug` output shows the algorithm and the key id, never secret material.
pub struct PrivateKey {
    signer: Signer,
    pkcs8_der: Vec<u8>,
    public_key: PublicKey,
}

/// The ring key pair behind a [`PrivateKey`].
enum Signer {
    Ed25519(Ed25519KeyPair),
    P256(EcdsaKeyPair),
}

impl PrivateKey {
    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` in DER.
    ///
    /// # Errors
    ///
    /// [`Error::ParsePrivateKey`](crate::Error::ParsePrivateKey) for bytes that are not
    /// PKCS#8, [`Error::UnsupportedKeyAlgorithm`](crate::Error::UnsupportedKeyAlgorithm) or
    /// [`Error::UnsupportedCurve`](crate::Error::UnsupportedCurve) naming the OID, and
    /// [`Error::PrivateKeyRejected`](crate::Error::PrivateKeyRejected) when ring refuses the
    /// key (for example a v2 key whose public key does not match its seed).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfoRef::try_from(der).context(ParsePrivateKeySnafu)?;
        let oid = info.algorithm.oid;
        let signer = if oid == ed25519::OID {
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).context(
                PrivateKeyRejectedSnafu {
                    algorithm: Algorithm::Ed25519,
                },
            )?;
            Signer::Ed25519(pair)
        } else if oid == p256::EC_PUBLIC_KEY_OID {
            let algorithm = Algorithm::EcdsaP256Sha256;
            // A missing or non-OID curve is left to ring, which rejects it.
            if let Ok(curve) = info.algorithm.parameters_oid() {
                ensure!(
                    curve == p256::P256_OID,
                    UnsupportedCurveSnafu {
                        oid: curve.to_string()
                    }
                );
            }
            let pair = EcdsaKeyPair::from_pkcs8(
                &ECDSA_P256_SHA256_ASN1_SIGNING,
                der,
                &SystemRandom::new(),
            )
            .context(PrivateKeyRejectedSnafu { algorithm })?;
            Signer::P256(pair)
        } else {
            return UnsupportedKeyAlgorithmSnafu {
                oid: oid.to_string(),
            }
            .fail();
        };
        let spki = match &signer {
            Signer::Ed25519(pair) => ed25519::spki_der(pair.public_key().as_ref()),
            Signer::P256(pair) => p256::spki_der(pair.public_key().as_ref()),
        };
        Ok(PrivateKey {
            signer,
            pkcs8_der: der.to_vec(),
            public_key: PublicKey::from_spki_der(&spki)?,
        })
    }

    /// Reads a `-----BEGIN PRIVATE KEY-----` PEM block (unencrypted PKCS#8).
    ///
    /// # Errors
    ///
    /// The PEM errors ([`Error::UnexpectedPemLabel`](crate::Error::UnexpectedPemLabel) names
    /// the label found, such as `EC PRIVATE KEY` or `ENCRYPTED PRIVATE KEY`) and those of
    /// [`Self::from_pkcs8_der`].
    pub fn from_pkcs8_pem(text: &str) -> Result<Self> {
        Self::from_pkcs8_der(&pem::decode(text, PEM_LABEL)?)
    }

    /// Generates a new key with the system random number generator.
    ///
    /// Ed25519 keys are PKCS#8 v2 (seed and public key), P-256 keys PKCS#8 v1, as ring
    /// writes them; both read back with [`Self::from_pkcs8_der`] and with OpenSSL.
    ///
    /// # Errors
    ///
    /// [`Error::GenerateKey`](crate::Error::GenerateKey) if the random number generator fails.
    pub fn generate(algorithm: Algorithm) -> Result<Self> {
        let rng = SystemRandom::new();
        let document = match algorithm {
            Algorithm::Ed25519 => Ed25519KeyPair::generate_pkcs8(&rng).ok(),
            Algorithm::EcdsaP256Sha256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).ok()
            }
        }
        .context(GenerateKeySnafu { algorithm })?;
        Self::from_pkcs8_der(document.as_ref())
    }

    /// The key as an unencrypted PKCS#8 `PRIVATE KEY` PEM block, for writing to a file that
    /// only its owner can read.
    pub fn to_pkcs8_pem(&self) -> SecretPem {
        SecretPem(pem::encode(PEM_LABEL, &self.pkcs8_der))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.public_key.clone()
    }

    /// The signature algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.public_key.algorithm()
    }

    /// The key id of the matching public key.
    pub fn key_id(&self) -> &KeyId {
        self.public_key.key_id()
    }

    /// Signs `message` (the whole message; the algorithm hashes it).
    ///
    /// Ed25519 signatures are 64 bytes and deterministic. P-256 signatures are ASN.1 DER,
    /// as cosign writes them, with a random nonce.
    ///
    /// # Errors
    ///
    /// [`Error::Sign`](crate::Error::Sign) if the random number generator fails (P-256 only).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match &self.signer {
            Signer::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Signer::P256(pair) => {
                let signature =
                    pair.sign(&SystemRandom::new(), message)
                        .ok()
                        .with_context(|| SignSnafu {
                            algorithm: self.algorithm(),
                            key_id: self.key_id().clone(),
                        })?;
                Ok(signature.as_ref().to_vec())
            }
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm())
            .field("key_id", &self.key_id().as_str())
            .finish_non_exhaustive()
    }
}

/// A private key as PEM text, kept out of logs: its `Debug` output is redacted and it has
/// no `Display`, so it cannot end up in a message by accident. Read the text with
/// [`Self::expose_secret`] where it is written to a file.
#[derive(Clone)]
pub struct SecretPem(String);

impl SecretPem {
    /// The PEM text, for writing to a file that only its owner can read.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretPem(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_reveals_no_secret() {
        for algorithm in Algorithm::ALL {
            let key = PrivateKey::generate(algorithm).unwrap();
            let pem = key.to_pkcs8_pem();
            let body: String = pem
                .expose_secret()
                .lines()
                .filter(|line| !line.starts_with("-----"))
                .collect();
            let debug = format!("{key:?} {pem:?} {:#?}", key);
            assert!(debug.contains(key.key_id().as_str()), "{debug}");
            assert!(debug.contains("SecretPem(<redacted>)"), "{debug}");
            // No piece of the base64 body, however it is cut, shows up.
            for piece in body.as_bytes().chunks(8) {
                let piece = std::str::from_utf8(piece).unwrap();
                assert!(!debug.contains(piece), "{piece} leaked in {debug}");
            }
        }
    }

    #[test]
    fn pem_round_trip_keeps_the_key() {
        for algorithm in Algorithm::ALL {
            let key = PrivateKey::generate(algorithm).unwrap();
            let again = PrivateKey::from_pkcs8_pem(key.to_pkcs8_pem().expose_secret()).unwrap();
            assert_eq!(again.key_id(), key.key_id());
            assert_eq!(again.algorithm(), algorithm);
            let signature = again.sign(b"message").unwrap();
            key.public_key().verify(b"message", &signature).unwrap();
        }
    }
}
