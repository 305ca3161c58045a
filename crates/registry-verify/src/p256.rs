//! ECDSA over P-256 with SHA-256 behind [`SignatureScheme`]: keys, signing and verifying
//! with ring.
//!
//! ring is the backend because it verifies P-256 about five times faster than the `p256`
//! crate (see `benches/verify.rs`). Its DER parser is strict (minimal lengths, minimal
//! integers, no trailing bytes), it rejects `r` or `s` equal to zero or not below the group
//! order, and it accepts high-`S` signatures, as ECDSA and Wycheproof do.
//!
//! # Signature encodings
//!
//! PROTOCOL §4 allows two: ASN.1 DER (`SEQUENCE { INTEGER r, INTEGER s }`, what cosign and
//! OpenSSL write, 8 to 72 bytes) and the fixed 64-byte `r ‖ s` (IEEE P1363, used by the
//! DSSE specification's example). The length decides:
//!
//! - 64 bytes are read as `r ‖ s`;
//! - anything else is read as DER.
//!
//! A DER signature of exactly 64 bytes exists only when `r` and `s` together are six bytes
//! shorter than usual (a chance below 2^-40 for an honest signer), and it then begins
//! `30 3e`. So a 64-byte signature that fails as `r ‖ s` and begins `30 3e` is tried as DER
//! too. Accepting both readings gives an attacker nothing: each is an encoding of an
//! `(r, s)` pair for the same key and message.
//!
//! # Keys
//!
//! Only the uncompressed point form (`04 ‖ x ‖ y`, 65 bytes) is accepted. ring cannot use a
//! compressed point, and a second form would give one key two SPKI encodings and so two
//! key ids. The point is checked to be on the curve when the key is read: ring offers no
//! direct check, so the key goes through one ECDH agreement with a fresh ephemeral key,
//! which validates the peer point and costs about one signature verification. The SPKI
//! must name the curve (RFC 5480 `namedCurve`), and the curve must be P-256.
//!
//! Private keys are PKCS#8 v1 holding an RFC 5915 `ECPrivateKey` with its public key,
//! which is what OpenSSL and ring write; SEC1 `EC PRIVATE KEY` files must be converted
//! first (`openssl pkcs8 -topk8 -nocrypt`). Signatures are ASN.1 DER, as cosign writes
//! them, with a random nonce.

use std::sync::Arc;

use pkcs8::PrivateKeyInfoRef;
use ring::agreement::{self, ECDH_P256, EphemeralPrivateKey};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED, EcdsaKeyPair,
    KeyPair, UnparsedPublicKey,
};
use snafu::{OptionExt, ResultExt, ensure};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use crate::algorithm::{
    Algorithm, SignatureRejected, SignatureScheme, Signer, SigningFailed, Verifier,
};
use crate::error::{
    GenerateKeySnafu, InvalidPublicKeySnafu, KeyFault, PrivateKeyRejectedSnafu, RandomSourceSnafu,
    Result, UnsupportedCurveSnafu,
};
use crate::public_key::key_bits;

/// The algorithm OID of EC public keys (RFC 5480): id-ecPublicKey.
const EC_PUBLIC_KEY_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// The named-curve OID of P-256 (RFC 5480): secp256r1, also called prime256v1.
const P256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// The ECDSA P-256 entry of the scheme table.
pub(crate) struct P256;

impl SignatureScheme for P256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EcdsaP256Sha256
    }

    fn key_oid(&self) -> ObjectIdentifier {
        EC_PUBLIC_KEY_OID
    }

    fn key_algorithm_name(&self) -> &'static str {
        "EC public key"
    }

    fn read_public_key(&self, spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Arc<dyn Verifier>> {
        let algorithm = Algorithm::EcdsaP256Sha256;
        let curve = spki
            .algorithm
            .parameters_oid()
            .ok()
            .context(InvalidPublicKeySnafu {
                algorithm,
                fault: KeyFault::MissingNamedCurve,
            })?;
        ensure!(
            curve == P256_OID,
            UnsupportedCurveSnafu {
                oid: curve.to_string()
            }
        );
        let bytes = key_bits(spki, algorithm)?;
        Ok(Arc::new(P256Verifier::from_point(bytes)?))
    }

    fn read_private_key(
        &self,
        info: &PrivateKeyInfoRef<'_>,
        der: &[u8],
    ) -> Result<Box<dyn Signer>> {
        // A missing or non-OID curve is left to ring, which rejects it.
        if let Ok(curve) = info.algorithm.parameters_oid() {
            ensure!(
                curve == P256_OID,
                UnsupportedCurveSnafu {
                    oid: curve.to_string()
                }
            );
        }
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der, &SystemRandom::new())
                .context(PrivateKeyRejectedSnafu {
                    algorithm: Algorithm::EcdsaP256Sha256,
                })?;
        Ok(Box::new(pair))
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>> {
        let document =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &SystemRandom::new())
                .ok()
                .context(GenerateKeySnafu {
                    algorithm: Algorithm::EcdsaP256Sha256,
                })?;
        Ok(document.as_ref().to_vec())
    }
}

impl Signer for EcdsaKeyPair {
    fn spki_der(&self) -> Vec<u8> {
        spki_der(self.public_key().as_ref())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningFailed> {
        let signature =
            EcdsaKeyPair::sign(self, &SystemRandom::new(), message).map_err(|_| SigningFailed)?;
        Ok(signature.as_ref().to_vec())
    }
}

/// The DER SubjectPublicKeyInfo of a P-256 key, up to the 65 bytes of the uncompressed point.
const SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Length of an uncompressed point, and of a fixed-form signature.
const POINT_LEN: usize = 65;
const FIXED_SIGNATURE_LEN: usize = 64;

/// The first two bytes of a 64-byte DER signature: a SEQUENCE of 62 bytes.
const DER_64_HEADER: [u8; 2] = [0x30, 0x3e];

/// A P-256 public key, ready to verify.
struct P256Verifier {
    point: [u8; POINT_LEN],
}

impl P256Verifier {
    /// Reads the key bits of an SPKI: an uncompressed point on the curve.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPublicKey`](crate::Error::InvalidPublicKey) for a compressed point,
    /// a wrong length or a point off the curve;
    /// [`Error::RandomSource`](crate::Error::RandomSource) if the ephemeral key of the
    /// on-curve check cannot be made.
    fn from_point(bytes: &[u8]) -> Result<Self> {
        let invalid = |fault| InvalidPublicKeySnafu {
            algorithm: Algorithm::EcdsaP256Sha256,
            fault,
        };
        ensure!(
            !(bytes.len() == 33 && matches!(bytes[0], 0x02 | 0x03)),
            invalid(KeyFault::CompressedPoint)
        );
        let Ok(point) = <[u8; POINT_LEN]>::try_from(bytes) else {
            return invalid(KeyFault::Length {
                actual: bytes.len(),
                expected: POINT_LEN,
            })
            .fail();
        };
        ensure!(point[0] == 0x04, invalid(KeyFault::NotOnCurve));
        let ephemeral = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new())
            .ok()
            .context(RandomSourceSnafu)?;
        let peer = agreement::UnparsedPublicKey::new(&ECDH_P256, &point);
        ensure!(
            agreement::agree_ephemeral(ephemeral, &peer, |_| ()).is_ok(),
            invalid(KeyFault::NotOnCurve)
        );
        Ok(P256Verifier { point })
    }
}

/// The DER SubjectPublicKeyInfo of a 65-byte uncompressed P-256 point.
fn spki_der(point: &[u8]) -> Vec<u8> {
    let mut der = Vec::with_capacity(SPKI_PREFIX.len() + point.len());
    der.extend_from_slice(&SPKI_PREFIX);
    der.extend_from_slice(point);
    der
}

impl Verifier for P256Verifier {
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureRejected> {
        let check = |algorithm| {
            UnparsedPublicKey::new(algorithm, &self.point)
                .verify(message, signature)
                .is_ok()
        };
        let valid = if signature.len() == FIXED_SIGNATURE_LEN {
            check(&ECDSA_P256_SHA256_FIXED)
                || (signature.starts_with(&DER_64_HEADER) && check(&ECDSA_P256_SHA256_ASN1))
        } else {
            check(&ECDSA_P256_SHA256_ASN1)
        };
        if valid {
            Ok(())
        } else {
            Err(SignatureRejected)
        }
    }
}

#[cfg(test)]
mod tests {
    use data_encoding::HEXLOWER;

    use super::*;
    use crate::Error;

    /// The DSSE specification's example key (`x ‖ y` of its published test vector).
    const SPEC_POINT: &str = "0467cd390f77aa359cb08c2235f652270493a9ed832b0abcc01f70954c0390d2380c782bd54e269125a44f4433aff1432ce94e12bca73aa67ac80cea12608ddf74";

    fn fault(bytes: &[u8]) -> KeyFault {
        match P256Verifier::from_point(bytes) {
            Err(Error::InvalidPublicKey { fault, .. }) => fault,
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("point {} accepted", HEXLOWER.encode(bytes)),
        }
    }

    #[test]
    fn a_point_on_the_curve_is_accepted() {
        let point = HEXLOWER.decode(SPEC_POINT.as_bytes()).unwrap();
        assert!(P256Verifier::from_point(&point).is_ok());
        assert_eq!(
            HEXLOWER.encode(&spki_der(&point)),
            format!("3059301306072a8648ce3d020106082a8648ce3d030107034200{SPEC_POINT}")
        );
    }

    #[test]
    fn bad_points_are_named() {
        let mut point = HEXLOWER.decode(SPEC_POINT.as_bytes()).unwrap();
        point[64] ^= 1;
        assert_eq!(fault(&point), KeyFault::NotOnCurve);
        point[0] = 0x05;
        assert_eq!(fault(&point), KeyFault::NotOnCurve);
        assert_eq!(
            fault(&point[..33]),
            KeyFault::Length {
                actual: 33,
                expected: 65
            }
        );
        let mut compressed = point[..33].to_vec();
        compressed[0] = 0x02;
        assert_eq!(fault(&compressed), KeyFault::CompressedPoint);
        assert_eq!(
            fault(&[]),
            KeyFault::Length {
                actual: 0,
                expected: 65
            }
        );
    }
}
