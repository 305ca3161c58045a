//! Ed25519 (RFC 8032) behind [`SignatureScheme`]: strict verification with ed25519-dalek.
//!
//! `verify_strict` rejects what plain RFC 8032 verification lets through and what makes
//! signatures malleable or keys weak: `S ≥ L`, a non-canonical `R`, and a small-order `R`
//! or public key. A signature is exactly 64 bytes (`R ‖ S`); anything else is rejected
//! before any curve arithmetic.
//!
//! Keys are checked when they are read, so that a [`PublicKey`](crate::PublicKey) that
//! exists can verify: the 32 bytes must be the canonical encoding of a curve point that
//! does not have small order.

use ed25519_dalek::{Signature, VerifyingKey};
use snafu::ensure;
use spki::ObjectIdentifier;

use crate::algorithm::{Algorithm, SignatureRejected, SignatureScheme};
use crate::error::{InvalidPublicKeySnafu, KeyDefect, Result};

/// The algorithm OID of Ed25519 keys (RFC 8410): id-Ed25519.
pub(crate) const OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The DER SubjectPublicKeyInfo of an Ed25519 key, up to the 32 key bytes.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// Length of a public key and of a signature.
const KEY_LEN: usize = 32;
const SIGNATURE_LEN: usize = 64;

/// An Ed25519 public key, ready to verify.
pub(crate) struct Ed25519Verifier {
    key: VerifyingKey,
}

impl Ed25519Verifier {
    /// Reads the 32 key bytes of an SPKI.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPublicKey`](crate::Error::InvalidPublicKey) for a wrong length, a
    /// non-canonical encoding, a point off the curve or a small-order point.
    pub(crate) fn from_key_bytes(bytes: &[u8]) -> Result<Self> {
        let invalid = |defect| InvalidPublicKeySnafu {
            algorithm: Algorithm::Ed25519,
            defect,
        };
        let Ok(bytes) = <&[u8; KEY_LEN]>::try_from(bytes) else {
            return invalid(KeyDefect::Length {
                actual: bytes.len(),
                expected: KEY_LEN,
            })
            .fail();
        };
        ensure!(is_canonical(bytes), invalid(KeyDefect::NonCanonical));
        let key = VerifyingKey::from_bytes(bytes)
            .ok()
            .ok_or_else(|| invalid(KeyDefect::NotOnCurve).build())?;
        ensure!(!key.is_weak(), invalid(KeyDefect::SmallOrder));
        Ok(Ed25519Verifier { key })
    }
}

/// Whether the y coordinate (the low 255 bits, little-endian) is below p = 2^255 − 19.
///
/// The encodings of y in [p, 2^255) are the only non-canonical ones with a valid length; the
/// sign bit with x = 0 is the other, and it only occurs for y = ±1, small-order points that
/// [`VerifyingKey::is_weak`] rejects.
fn is_canonical(bytes: &[u8; KEY_LEN]) -> bool {
    let top_is_max = bytes[KEY_LEN - 1] & 0x7f == 0x7f;
    let middle_is_max = bytes[1..KEY_LEN - 1].iter().all(|&b| b == 0xff);
    !(top_is_max && middle_is_max && bytes[0] >= 0xed)
}

/// The DER SubjectPublicKeyInfo of the raw 32-byte Ed25519 public key.
pub(crate) fn spki_der(key: &[u8]) -> Vec<u8> {
    let mut der = Vec::with_capacity(SPKI_PREFIX.len() + key.len());
    der.extend_from_slice(&SPKI_PREFIX);
    der.extend_from_slice(key);
    der
}

impl SignatureScheme for Ed25519Verifier {
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureRejected> {
        let bytes: &[u8; SIGNATURE_LEN] = signature.try_into().map_err(|_| SignatureRejected)?;
        let signature = Signature::from_bytes(bytes);
        self.key
            .verify_strict(message, &signature)
            .map_err(|_| SignatureRejected)
    }
}

#[cfg(test)]
mod tests {
    use data_encoding::HEXLOWER;

    use super::*;
    use crate::Error;

    fn defect(bytes: &[u8]) -> KeyDefect {
        match Ed25519Verifier::from_key_bytes(bytes) {
            Err(Error::InvalidPublicKey { defect, .. }) => defect,
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("key {} accepted", HEXLOWER.encode(bytes)),
        }
    }

    #[test]
    fn wrong_lengths_are_named() {
        assert_eq!(
            defect(&[1; 31]),
            KeyDefect::Length {
                actual: 31,
                expected: 32
            }
        );
    }

    #[test]
    fn small_order_and_non_canonical_keys_are_rejected() {
        // The identity point (y = 1), and y = 1 + p, its non-canonical spelling.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(defect(&identity), KeyDefect::SmallOrder);
        let mut one_plus_p = [0xffu8; 32];
        one_plus_p[0] = 0xee;
        one_plus_p[31] = 0x7f;
        assert_eq!(defect(&one_plus_p), KeyDefect::NonCanonical);
        // p − 1 is canonical: y = −1 is the point of order 2.
        let mut minus_one = [0xffu8; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        assert_eq!(defect(&minus_one), KeyDefect::SmallOrder);
    }

    #[test]
    fn spki_prefix_matches_rfc8410() {
        let key = HEXLOWER
            .decode(b"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            .unwrap();
        assert_eq!(
            HEXLOWER.encode(&spki_der(&key)),
            "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
    }

    #[test]
    fn signatures_of_the_wrong_length_are_rejected_before_arithmetic() {
        let key = HEXLOWER
            .decode(b"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            .unwrap();
        let verifier = Ed25519Verifier::from_key_bytes(&key).unwrap();
        assert_eq!(verifier.verify(b"", &[0; 63]), Err(SignatureRejected));
        assert_eq!(verifier.verify(b"", &[0; 65]), Err(SignatureRejected));
    }
}
