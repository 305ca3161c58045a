//! Round trips: generate, sign, write, read, verify; and what tampering does.

use registry_types::base64::{decode_lenient, encode_standard};
use registry_verify::{Algorithm, Envelope, EnvelopeSignature, Error, PrivateKey, PublicKey};

const PACK_TYPE: &str = "application/vnd.assay.pack.v1+jcs";
const LEGACY_PACK_TYPE: &str = "application/vnd.assay.pack+yaml;v=1";
const PAYLOAD: &[u8] = br#"{"kind":"compliance","name":"demo","version":"1.0.0"}"#;

fn signed(key: &PrivateKey, payload_type: &str) -> Envelope {
    let mut envelope = Envelope::new(payload_type, PAYLOAD);
    envelope.add_signature(key).unwrap();
    Envelope::from_json(envelope.to_json().as_bytes()).unwrap()
}

#[test]
fn generate_sign_write_read_verify_for_both_algorithms_and_payload_types() {
    for algorithm in Algorithm::ALL {
        let key = PrivateKey::generate(algorithm).unwrap();
        // Keys go through their file forms, as keygen and verify would use them.
        let private = PrivateKey::from_pkcs8_pem(key.to_pkcs8_pem().expose_secret()).unwrap();
        let public = PublicKey::from_pem(&key.public_key().to_pem()).unwrap();
        assert_eq!(private.key_id(), key.key_id());
        assert_eq!(public.key_id(), key.key_id());
        for payload_type in [PACK_TYPE, LEGACY_PACK_TYPE] {
            let envelope = signed(&private, payload_type);
            assert_eq!(envelope.payload_type(), payload_type);
            assert_eq!(envelope.payload(), PAYLOAD);
            let [signature] = envelope.signatures() else {
                panic!("one signature expected");
            };
            assert_eq!(signature.keyid.as_deref(), Some(key.key_id().as_str()));
            envelope.verify_signature(signature, &public).unwrap();
            if algorithm == Algorithm::Ed25519 {
                assert_eq!(signature.sig.len(), 64);
            } else {
                assert_eq!(signature.sig[0], 0x30, "P-256 signs in DER");
            }
        }
    }
}

#[test]
fn tampering_with_payload_type_or_signature_fails() {
    for algorithm in Algorithm::ALL {
        let key = PrivateKey::generate(algorithm).unwrap();
        let public = key.public_key();
        let envelope = signed(&key, PACK_TYPE);
        let signature = &envelope.signatures()[0];

        let mut payload = PAYLOAD.to_vec();
        payload[10] ^= 1;
        let changed_payload = Envelope::new(PACK_TYPE, payload);
        let changed_type = Envelope::new(LEGACY_PACK_TYPE, PAYLOAD);
        let mut sig = signature.sig.clone();
        let last = sig.len() - 1;
        sig[last] ^= 1;
        let changed_sig = EnvelopeSignature {
            keyid: signature.keyid.clone(),
            sig,
        };
        let other_key = PrivateKey::generate(algorithm).unwrap().public_key();

        for (what, result) in [
            (
                "payload",
                changed_payload.verify_signature(signature, &public),
            ),
            (
                "payload type",
                changed_type.verify_signature(signature, &public),
            ),
            (
                "signature byte",
                envelope.verify_signature(&changed_sig, &public),
            ),
            ("key", envelope.verify_signature(signature, &other_key)),
        ] {
            match result {
                Err(Error::InvalidSignature {
                    algorithm: a,
                    key_id,
                    length,
                }) => {
                    assert_eq!(a, algorithm, "{what}");
                    assert!(key_id == *public.key_id() || key_id == *other_key.key_id());
                    assert!(length > 0);
                }
                other => panic!("{algorithm} {what}: {other:?}"),
            }
        }
    }
}

#[test]
fn a_p256_signature_verifies_in_both_encodings() {
    // ring signs in DER; the same (r, s) as 64-byte r ‖ s verifies too.
    let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let der = key.sign(b"message").unwrap();
    let fixed = der_to_fixed(&der);
    key.public_key().verify(b"message", &der).unwrap();
    key.public_key().verify(b"message", &fixed).unwrap();
}

/// The 64-byte `r ‖ s` of a DER ECDSA signature (short-form lengths, as P-256 uses).
fn der_to_fixed(der: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = &der[2..];
    for _ in 0..2 {
        let len = rest[1] as usize;
        let int = &rest[2..2 + len];
        let int = if int.len() > 32 {
            &int[int.len() - 32..]
        } else {
            int
        };
        out.extend(std::iter::repeat_n(0, 32 - int.len()));
        out.extend_from_slice(int);
        rest = &rest[2 + len..];
    }
    out
}

#[test]
fn to_json_is_stable_and_standard_base64() {
    let seed = crate::testdata::hex(crate::testdata::RFC8032_TEST1_SEED);
    let key = PrivateKey::from_pkcs8_der(&crate::testdata::ed25519_pkcs8_v1(&seed)).unwrap();
    let mut envelope = Envelope::new("t\"y", vec![0xfb, 0xff]);
    envelope.add_signature(&key).unwrap();
    let json = envelope.to_json();
    let sig = encode_standard(&envelope.signatures()[0].sig);
    assert_eq!(
        json,
        format!(
            r#"{{"payloadType":"t\"y","payload":"+/8=","signatures":[{{"keyid":"{}","sig":"{sig}"}}]}}"#,
            key.key_id()
        )
    );
    assert_eq!(Envelope::from_json(json.as_bytes()).unwrap(), envelope);
    // An envelope without a hint writes no `keyid`, and one without signatures an empty list.
    let mut anonymous = Envelope::from_json(
        json.replace(&format!("\"keyid\":\"{}\",", key.key_id()), "")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(anonymous.signatures()[0].keyid, None);
    assert!(!anonymous.to_json().contains("keyid"));
    anonymous = Envelope::new("t", Vec::new());
    assert_eq!(
        anonymous.to_json(),
        r#"{"payloadType":"t","payload":"","signatures":[]}"#
    );
    assert_eq!(decode_lenient("-_8").unwrap(), [0xfb, 0xff]);
}

#[test]
fn only_packs_are_signed() {
    use registry_verify::{PackPayloadType, sign_pack};
    let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    for (yaml, missing) in [
        (&b""[..], "name"),
        (b"# only a comment\n", "name"),
        (b"- name: a\n  version: 1.0.0\n", "name"),
        (b"name: a\n", "version"),
        (b"name: a\nversion: 1\n", "version"),
        (b"name: [a]\nversion: 1.0.0\n", "name"),
        (b"rules:\n  - name: a\n    version: 1.0.0\n", "name"),
    ] {
        match sign_pack(yaml, &[&key], PackPayloadType::Jcs) {
            Err(Error::NotAPack { missing: found }) => assert_eq!(found, missing, "{yaml:?}"),
            other => panic!("{yaml:?}: {other:?}"),
        }
    }
    let envelope = sign_pack(b"name: a\nversion: 1.0.0\n", &[&key], PackPayloadType::Jcs).unwrap();
    assert_eq!(envelope.payload(), br#"{"name":"a","version":"1.0.0"}"#);
}
