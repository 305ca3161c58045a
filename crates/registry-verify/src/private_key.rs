//! Private keys: read from PKCS#8 DER or PEM, or generated; they sign, and know their public key.
//!
//! The algorithm is found by the PKCS#8 algorithm OID in the scheme table; the scheme
//! (`ed25519.rs`, `p256.rs`) reads, generates and signs. Encrypted PKCS#8 is not read.

use std::fmt;

use snafu::{OptionExt, ResultExt};

use crate::algorithm::{Algorithm, Signer, scheme_for_oid};
use crate::error::{
    GenerateKeySnafu, ParsePrivateKeySnafu, Result, SignSnafu, UnsupportedKeyAlgorithmSnafu,
};
use crate::key_id::KeyId;
use crate::pem;
use crate::public_key::PublicKey;

/// The PEM label of an unencrypted PKCS#8 private key.
const PEM_LABEL: &str = "PRIVATE KEY";

/// A private signing key of a supported algorithm.
///
/// Its `Debug` output shows the algorithm and the key id, never secret material.
pub struct PrivateKey {
    signer: Box<dyn Signer>,
    pkcs8_der: Vec<u8>,
    public_key: PublicKey,
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
        let scheme = scheme_for_oid(oid).with_context(|| UnsupportedKeyAlgorithmSnafu {
            oid: oid.to_string(),
        })?;
        let signer = scheme.read_private_key(&info, der)?;
        let spki = signer.spki_der();
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
        let scheme = algorithm.scheme().context(GenerateKeySnafu { algorithm })?;
        Self::from_pkcs8_der(&scheme.generate_pkcs8()?)
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
        self.signer.sign(message).ok().with_context(|| SignSnafu {
            algorithm: self.algorithm(),
            key_id: self.key_id().clone(),
        })
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
