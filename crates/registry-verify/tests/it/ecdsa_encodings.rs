//! P-256 signature encodings at their boundary: a DER signature of exactly 64 bytes.
//!
//! `PublicKey::verify` reads 64-byte P-256 signatures as `r ‖ s` and falls back to DER
//! when such a signature begins `30 3e` (a DER SEQUENCE of 62 bytes). Honest signers almost
//! never produce one (`r` and `s` must be six bytes shorter than usual together), so this
//! test makes one: it picks the nonce `k` and a 26-byte `s`, and solves for the private
//! key that makes `(r, s)` valid: `d = (k·s − z) / r`.

use p256::elliptic_curve::PrimeField;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{FieldBytes, ProjectivePoint, Scalar};
use registry_verify::{Error, PublicKey};
use ring::digest::{SHA256, digest};

/// A scalar from 32 big-endian bytes, if they are below the group order.
fn scalar(bytes: &[u8]) -> Option<Scalar> {
    let array: [u8; 32] = bytes.try_into().ok()?;
    Option::from(Scalar::from_repr(FieldBytes::from(array)))
}

/// A key, message and 64-byte DER signature, plus the same signature as `r ‖ s`.
fn short_der_signature() -> (PublicKey, Vec<u8>, Vec<u8>, Vec<u8>) {
    let message = b"a DER signature of exactly 64 bytes".to_vec();
    let z = scalar(digest(&SHA256, &message).as_ref()).expect("hash below the order");
    // s: 26 bytes, high bit clear, so that its DER INTEGER has 26 content bytes.
    let mut s_bytes = [0u8; 32];
    s_bytes[6..].copy_from_slice(&[0x5a; 26]);
    let s = scalar(&s_bytes).unwrap();
    // k: the first nonce whose r has 32 bytes with the high bit clear (no DER padding).
    let (r_bytes, r, k) = (1u64..)
        .find_map(|i| {
            let k = Scalar::from(i + 1000);
            let x = (ProjectivePoint::GENERATOR * k).to_affine().x();
            let r_bytes: [u8; 32] = x.as_slice().try_into().ok()?;
            if !(0x01..0x80).contains(&r_bytes[0]) {
                return None;
            }
            Some((r_bytes, scalar(&r_bytes)?, k))
        })
        .unwrap();
    let d = (k * s - z) * Option::<Scalar>::from(r.invert()).unwrap();
    let q = (ProjectivePoint::GENERATOR * d).to_affine();
    let mut spki = crate::testdata::hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    spki.push(0x04);
    spki.extend_from_slice(q.x().as_slice());
    spki.extend_from_slice(q.y().as_slice());

    let mut der = vec![0x30, 0x3e, 0x02, 0x20];
    der.extend_from_slice(&r_bytes);
    der.extend_from_slice(&[0x02, 0x1a]);
    der.extend_from_slice(&s_bytes[6..]);
    assert_eq!(der.len(), 64);
    let mut fixed = r_bytes.to_vec();
    fixed.extend_from_slice(&s_bytes);
    (
        PublicKey::from_spki_der(&spki).unwrap(),
        message,
        der,
        fixed,
    )
}

#[test]
fn a_64_byte_der_signature_verifies_and_so_does_its_fixed_form() {
    let (key, message, der, fixed) = short_der_signature();
    key.verify(&message, &fixed).unwrap();
    key.verify(&message, &der).unwrap();
    // Neither verifies another message.
    for signature in [&der, &fixed] {
        let error = key.verify(b"another message", signature).unwrap_err();
        assert!(matches!(error, Error::InvalidSignature { length: 64, .. }));
    }
}
