//! The pack verification policy where the data-driven cases (`cases.rs`) cannot reach: both
//! algorithms (P-256 signatures are not reproducible), and key id hints in other spellings.

use std::num::NonZeroUsize;

use registry_types::{Policy, Timestamp};
use registry_verify::{
    Algorithm, Envelope, Error, PackPayloadType, PrivateKey, SignatureStatus, TrustStore,
    VerifyOptions, compute_digest, sign_pack, verify_pack,
};

const PACK: &[u8] = b"name: eu-ai-act-pro\nversion: \"1.2.0\"\nrules:\n  - id: r1\n";

fn now() -> Timestamp {
    Timestamp::parse("2026-06-01T00:00:00Z").expect("valid time")
}

fn key() -> PrivateKey {
    PrivateKey::generate(Algorithm::Ed25519).expect("generate key")
}

fn trusting(keys: &[&PrivateKey]) -> TrustStore {
    let mut trust = TrustStore::default();
    for key in keys {
        trust.add_pack_key(key.public_key());
    }
    trust
}

fn options(policy: Policy) -> VerifyOptions {
    VerifyOptions::new(policy, now())
}

fn signed(keys: &[&PrivateKey]) -> Envelope {
    sign_pack(PACK, keys, PackPayloadType::Jcs).expect("sign")
}

#[test]
fn signed_commercial_pack_verifies_and_names_its_key() {
    for algorithm in [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256] {
        let signer = PrivateKey::generate(algorithm).expect("generate");
        let result = verify_pack(
            PACK,
            Some(&signed(&[&signer])),
            &trusting(&[&signer]),
            &options(Policy::Commercial),
        )
        .expect("verifies");
        assert_eq!(
            result.signature,
            SignatureStatus::Verified {
                key_ids: vec![signer.key_id().clone()],
                payload_type: "application/vnd.assay.pack.v1+jcs".into(),
            }
        );
        assert_eq!(*result.digest(), compute_digest(PACK).expect("digest"));
    }
}

/// Asserts that `envelope`, whose signatures are all by `signer`, does not meet a threshold
/// of two; returns those options.
fn counts_once(envelope: &Envelope, signer: &PrivateKey) -> VerifyOptions {
    let mut options = options(Policy::Commercial);
    options.threshold = NonZeroUsize::new(2).expect("non-zero");
    let error = verify_pack(PACK, Some(envelope), &trusting(&[signer]), &options)
        .expect_err("one key counts once");
    assert!(
        matches!(
            error,
            Error::BelowThreshold {
                verified: 1,
                threshold: 2,
                ..
            }
        ),
        "{error}"
    );
    options
}

#[test]
fn one_key_under_several_hint_spellings_counts_once() {
    let signer = key();
    let mut json: serde_json::Value =
        serde_json::from_str(&signed(&[&signer, &signer, &signer, &signer]).to_json())
            .expect("JSON");
    let id = signer.key_id();
    json["signatures"][1]["keyid"] = id.hex().into();
    json["signatures"][2]["keyid"] = format!("sha256:{}", id.hex().to_uppercase()).into();
    json["signatures"][3]["keyid"] = serde_json::Value::Null;
    let envelope = Envelope::from_json(json.to_string().as_bytes()).expect("an envelope");
    counts_once(&envelope, &signer);
}
