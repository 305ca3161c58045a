//! Public keys: read from SPKI DER, PEM or base64, identified by key id, able to verify.
//!
//! Reading a key checks everything that can be checked without a signature: the DER is
//! strict and complete, the algorithm is supported, the parameters are the ones the
//! algorithm's RFC prescribes, and the key bits are a usable point. The algorithm is found
//! by the SPKI's OID in the scheme table; the scheme (`ed25519.rs`, `p256.rs`) does the
//! rest. Only one encoding of each key is accepted, so a key has one key id.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use registry_types::base64;
use snafu::{OptionExt, ResultExt};
use spki::SubjectPublicKeyInfoRef;

use crate::algorithm::{Algorithm, Verifier, scheme_for_oid};
use crate::error::{
    InvalidBase64Snafu, InvalidPublicKeySnafu, InvalidSignatureSnafu, KeyFault,
    ParsePublicKeySnafu, Result, UnsupportedKeyAlgorithmSnafu,
};
use crate::key_id::KeyId;
use crate::pem;

/// The PEM label of a SubjectPublicKeyInfo.
const PEM_LABEL: &str = "PUBLIC KEY";

/// A public key of a supported algorithm, with its key id.
///
/// Cheap to clone. Two keys are equal when their SPKI bytes are equal, which (because only
/// one encoding per key is accepted) is when they are the same key.
#[derive(Clone)]
pub struct PublicKey {
    algorithm: Algorithm,
    spki_der: Arc<[u8]>,
    key_id: KeyId,
    verifier: Arc<dyn Verifier>,
}

impl PublicKey {
    /// Reads a DER SubjectPublicKeyInfo: Ed25519 (OID 1.3.101.112, no parameters, 32 key
    /// bytes) or EC public key (OID 1.2.840.10045.2.1) on the named curve P-256
    /// (1.2.840.10045.3.1.7) with an uncompressed point.
    ///
    /// # Errors
    ///
    /// - [`Error::ParsePublicKey`](crate::Error::ParsePublicKey) when the bytes are not
    ///   strict, complete DER of a SubjectPublicKeyInfo;
    /// - [`Error::UnsupportedKeyAlgorithm`](crate::Error::UnsupportedKeyAlgorithm) and
    ///   [`Error::UnsupportedCurve`](crate::Error::UnsupportedCurve), naming the OID;
    /// - [`Error::InvalidPublicKey`](crate::Error::InvalidPublicKey) when the key bits or
    ///   parameters are unusable (the [`KeyFault`] says how);
    /// - [`Error::RandomSource`](crate::Error::RandomSource) if the P-256 point check
    ///   cannot get randomness.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoRef::try_from(der).context(ParsePublicKeySnafu)?;
        let oid = spki.algorithm.oid;
        let scheme = scheme_for_oid(oid).with_context(|| UnsupportedKeyAlgorithmSnafu {
            oid: oid.to_string(),
        })?;
        let verifier = scheme.read_public_key(&spki)?;
        Ok(PublicKey {
            algorithm: scheme.algorithm(),
            spki_der: der.into(),
            key_id: KeyId::of_spki_der(der),
            verifier,
        })
    }

    /// Reads a `-----BEGIN PUBLIC KEY-----` PEM block (SPKI), as `openssl pkey -pubout`
    /// and `cosign generate-key-pair` write it. Text around the block is ignored.
    ///
    /// # Errors
    ///
    /// The PEM errors ([`Error::MissingPemBlock`](crate::Error::MissingPemBlock),
    /// [`Error::UnexpectedPemLabel`](crate::Error::UnexpectedPemLabel),
    /// [`Error::UnterminatedPem`](crate::Error::UnterminatedPem),
    /// [`Error::PemBase64`](crate::Error::PemBase64)) and those of [`Self::from_spki_der`].
    pub fn from_pem(text: &str) -> Result<Self> {
        Self::from_spki_der(&pem::decode(text, PEM_LABEL)?)
    }

    /// Reads base64 of the DER SPKI, as the keys manifest's `public_key` holds it (either
    /// alphabet, padded or not). ASCII whitespace anywhere is ignored, so that a key pasted
    /// from the lines of a PEM body reads too.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidBase64`](crate::Error::InvalidBase64) and those of [`Self::from_spki_der`].
    pub fn from_base64_spki(text: &str) -> Result<Self> {
        Self::from_spki_der(&spki_der_from_base64(text)?)
    }

    /// Reads a key in either text form: PEM when the text contains `-----BEGIN`, base64
    /// SPKI otherwise.
    ///
    /// # Errors
    ///
    /// Those of [`Self::from_pem`] or [`Self::from_base64_spki`].
    pub fn parse(text: &str) -> Result<Self> {
        if text.contains("-----BEGIN") {
            Self::from_pem(text)
        } else {
            Self::from_base64_spki(text)
        }
    }

    /// The key id: `sha256:` and the hex SHA-256 of [`Self::spki_der`].
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// The signature algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The DER SubjectPublicKeyInfo, exactly as read.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The key as a `PUBLIC KEY` PEM block (64-character lines, LF, final line break).
    pub fn to_pem(&self) -> String {
        pem::encode(PEM_LABEL, &self.spki_der)
    }

    /// The key as standard padded base64 of the DER SPKI, the keys manifest's form.
    pub fn to_base64_spki(&self) -> String {
        base64::encode_standard(&self.spki_der)
    }

    /// Checks `signature` over `message` (the whole message; the algorithm hashes it).
    ///
    /// Ed25519 signatures are 64 bytes and checked strictly; P-256 signatures are DER or
    /// 64-byte `r ‖ s`, chosen by length.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSignature`](crate::Error::InvalidSignature), with this key's id, when
    /// the signature is malformed or does not verify.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        self.verifier
            .verify(message, signature)
            .ok()
            .with_context(|| InvalidSignatureSnafu {
                algorithm: self.algorithm,
                key_id: self.key_id.clone(),
                length: signature.len(),
            })
    }
}

/// The bytes [`PublicKey::from_base64_spki`] reads a key from: base64 with ASCII whitespace
/// ignored. Cheap, so that a key id can be computed before a key is parsed.
pub(crate) fn spki_der_from_base64(text: &str) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::decode_lenient(&compact).context(InvalidBase64Snafu)
}

/// The key bits of an SPKI, which must be whole bytes.
///
/// # Errors
///
/// [`Error::InvalidPublicKey`](crate::Error::InvalidPublicKey) with
/// [`KeyFault::PartialByte`] naming `algorithm`.
pub(crate) fn key_bits<'a>(
    spki: &SubjectPublicKeyInfoRef<'a>,
    algorithm: Algorithm,
) -> Result<&'a [u8]> {
    spki.subject_public_key
        .as_bytes()
        .context(InvalidPublicKeySnafu {
            algorithm,
            fault: KeyFault::PartialByte,
        })
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id.as_str())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der == other.spki_der
    }
}

impl Eq for PublicKey {}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.spki_der.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use data_encoding::HEXLOWER;

    use super::*;
    use crate::Error;

    const RFC8032_SPKI: &str =
        "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    fn hex(text: &str) -> Vec<u8> {
        HEXLOWER.decode(text.as_bytes()).unwrap()
    }

    #[test]
    fn ed25519_key_reads_in_every_form() {
        let key = PublicKey::from_spki_der(&hex(RFC8032_SPKI)).unwrap();
        assert_eq!(key.algorithm(), Algorithm::Ed25519);
        assert_eq!(
            key.key_id().as_str(),
            "sha256:06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
        );
        assert_eq!(PublicKey::from_pem(&key.to_pem()).unwrap(), key);
        assert_eq!(PublicKey::parse(&key.to_pem()).unwrap(), key);
        assert_eq!(PublicKey::parse(&key.to_base64_spki()).unwrap(), key);
        let url_safe_unpadded = key.to_base64_spki().replace('+', "-").replace('/', "_");
        let url_safe_unpadded = url_safe_unpadded.trim_end_matches('=');
        assert_eq!(PublicKey::from_base64_spki(url_safe_unpadded).unwrap(), key);
        assert_eq!(
            format!("{key:?}"),
            "PublicKey { algorithm: Ed25519, key_id: \"sha256:06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9\" }"
        );
    }

    #[test]
    fn keys_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<PublicKey>();
        assert_send_sync::<crate::PrivateKey>();
        assert_send_sync::<crate::Envelope>();
    }

    #[test]
    fn trailing_bytes_and_ber_are_rejected() {
        let mut der = hex(RFC8032_SPKI);
        der.push(0);
        assert!(matches!(
            PublicKey::from_spki_der(&der),
            Err(Error::ParsePublicKey { .. })
        ));
        // The same key with a long-form length (0x81 0x2a) is BER, not DER.
        let mut ber = vec![0x30, 0x81, 0x2a];
        ber.extend_from_slice(&hex(RFC8032_SPKI)[2..]);
        assert!(matches!(
            PublicKey::from_spki_der(&ber),
            Err(Error::ParsePublicKey { .. })
        ));
    }

    #[test]
    fn ed25519_with_parameters_is_rejected() {
        // AlgorithmIdentifier { id-Ed25519, NULL }.
        let der = hex(
            "302c300706032b65700500032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        );
        let error = PublicKey::from_spki_der(&der).unwrap_err();
        assert!(matches!(
            error,
            Error::InvalidPublicKey {
                algorithm: Algorithm::Ed25519,
                fault: KeyFault::UnexpectedParameters
            }
        ));
    }

    #[test]
    fn other_algorithms_and_curves_are_named() {
        // An X25519 key (OID 1.3.101.110).
        let x25519 = hex(
            "302a300506032b656e032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        );
        let error = PublicKey::from_spki_der(&x25519).unwrap_err();
        assert!(matches!(&error, Error::UnsupportedKeyAlgorithm { oid } if oid == "1.3.101.110"));
        // A secp384r1 curve OID (1.3.132.0.34) with a P-256 sized point.
        let mut p384 = hex("3056301006072a8648ce3d020106052b81040022034200");
        p384.extend_from_slice(&[4; 65]);
        p384[1] = (p384.len() - 2) as u8;
        let error = PublicKey::from_spki_der(&p384).unwrap_err();
        assert!(
            matches!(&error, Error::UnsupportedCurve { oid } if oid == "1.3.132.0.34"),
            "{error:?}"
        );
    }
}
