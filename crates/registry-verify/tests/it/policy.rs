//! The pack verification policy, one attack per test: each asserts the specific error.

use std::num::NonZeroUsize;

use registry_types::{Policy, Timestamp};
use registry_verify::{
    Algorithm, Envelope, Error, MissingSignature, PackPayloadType, PrivateKey, SignatureStatus,
    TrustStore, TrustedKey, VerifyOptions, compute_digest, sign_pack, verify_pack,
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

#[test]
fn legacy_payload_type_verifies_too() {
    let signer = key();
    let envelope = sign_pack(PACK, &[&signer], PackPayloadType::Legacy).expect("sign");
    let result = verify_pack(
        PACK,
        Some(&envelope),
        &trusting(&[&signer]),
        &options(Policy::Commercial),
    )
    .expect("verifies");
    assert!(matches!(
        result.signature,
        SignatureStatus::Verified { payload_type, .. } if payload_type == "application/vnd.assay.pack+yaml;v=1"
    ));
}

#[test]
fn digest_mismatch_names_both_digests() {
    let signer = key();
    let mut options = options(Policy::Commercial);
    let other = compute_digest(b"name: other\nversion: \"1.0.0\"\n").expect("digest");
    options.expected_digest = Some(other);
    let error = verify_pack(
        PACK,
        Some(&signed(&[&signer])),
        &trusting(&[&signer]),
        &options,
    )
    .expect_err("mismatch");
    let Error::DigestMismatch { expected, actual } = &error else {
        panic!("{error}");
    };
    assert_eq!(*expected, other);
    assert_eq!(*actual, compute_digest(PACK).expect("digest"));
    assert!(error.to_string().contains(&other.to_string()), "{error}");
}

#[test]
fn payload_other_than_the_canonical_bytes_is_rejected() {
    let signer = key();
    let other = sign_pack(
        b"name: eu-ai-act-pro\nversion: \"9.9.9\"\n",
        &[&signer],
        PackPayloadType::Jcs,
    )
    .expect("sign");
    let error = verify_pack(
        PACK,
        Some(&other),
        &trusting(&[&signer]),
        &options(Policy::Commercial),
    )
    .expect_err("mix and match");
    assert!(matches!(error, Error::PayloadMismatch { .. }), "{error}");
}

#[test]
fn wrong_payload_type_is_rejected_even_when_validly_signed() {
    let signer = key();
    let canonical =
        registry_canon::compute_canonical_digest_result(std::str::from_utf8(PACK).expect("UTF-8"))
            .expect("canonical");
    let mut envelope = Envelope::new("application/vnd.in-toto+json", canonical.bytes().to_vec());
    envelope.add_signature(&signer).expect("sign");
    let error = verify_pack(
        PACK,
        Some(&envelope),
        &trusting(&[&signer]),
        &options(Policy::Open),
    )
    .expect_err("wrong type");
    assert!(
        matches!(&error, Error::WrongPayloadType { payload_type } if payload_type == "application/vnd.in-toto+json"),
        "{error}"
    );
}

#[test]
fn untrusted_key_is_named() {
    let signer = key();
    let stranger = key();
    let error = verify_pack(
        PACK,
        Some(&signed(&[&stranger])),
        &trusting(&[&signer]),
        &options(Policy::Open),
    )
    .expect_err("untrusted");
    let Error::UntrustedKey { key_ids } = &error else {
        panic!("{error}");
    };
    assert_eq!(
        key_ids.iter().collect::<Vec<_>>(),
        [Some(stranger.key_id().as_str())]
    );
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
fn one_key_signing_twice_does_not_meet_threshold_two() {
    let signer = key();
    let envelope = signed(&[&signer, &signer]);
    assert_eq!(envelope.signatures().len(), 2);
    let options = counts_once(&envelope, &signer);
    let second = key();
    let both = signed(&[&signer, &second]);
    let result = verify_pack(PACK, Some(&both), &trusting(&[&signer, &second]), &options)
        .expect("two distinct keys");
    assert!(
        matches!(result.signature, SignatureStatus::Verified { key_ids, .. } if key_ids.len() == 2)
    );
}

fn windowed(
    signer: &PrivateKey,
    not_before: Option<&str>,
    not_after: Option<&str>,
    revoked: bool,
) -> TrustStore {
    let mut trusted = TrustedKey::configured(signer.public_key());
    trusted.window.not_before = not_before.map(|t| Timestamp::parse(t).expect("time"));
    trusted.window.not_after = not_after.map(|t| Timestamp::parse(t).expect("time"));
    trusted.revoked = revoked;
    let mut trust = TrustStore::default();
    trust.add_trusted_pack_key(trusted);
    trust
}

#[test]
fn expired_not_yet_valid_and_revoked_keys_are_refused_with_their_window() {
    let signer = key();
    let envelope = signed(&[&signer]);
    let check = |trust: TrustStore| {
        verify_pack(PACK, Some(&envelope), &trust, &options(Policy::Commercial))
            .expect_err("refused")
    };
    let error = check(windowed(&signer, None, Some("2026-01-01T00:00:00Z"), false));
    assert!(matches!(error, Error::KeyExpired { .. }), "{error}");
    assert!(
        error.to_string().contains("…..2026-01-01T00:00:00Z"),
        "{error}"
    );
    let error = check(windowed(&signer, Some("2027-01-01T00:00:00Z"), None, false));
    assert!(matches!(error, Error::KeyNotYetValid { .. }), "{error}");
    let error = check(windowed(&signer, None, None, true));
    assert!(matches!(error, Error::KeyRevoked { .. }), "{error}");
    // Inside the window the same key verifies.
    verify_pack(
        PACK,
        Some(&envelope),
        &windowed(
            &signer,
            Some("2026-01-01T00:00:00Z"),
            Some("2027-01-01T00:00:00Z"),
            false,
        ),
        &options(Policy::Commercial),
    )
    .expect("inside the window");
}

#[test]
fn tampered_signature_by_a_trusted_key_is_invalid_not_untrusted() {
    let signer = key();
    let envelope = signed(&[&signer]);
    let mut json: serde_json::Value = serde_json::from_str(&envelope.to_json()).expect("JSON");
    let sig = json["signatures"][0]["sig"]
        .as_str()
        .expect("sig")
        .to_owned();
    // Change the first base64 character: the signature's first byte changes.
    let first = if sig.starts_with('A') { "B" } else { "A" };
    let flipped = format!("{first}{}", sig.get(1..).expect("non-empty"));
    json["signatures"][0]["sig"] = flipped.into();
    let tampered = Envelope::from_json(json.to_string().as_bytes()).expect("still an envelope");
    let error = verify_pack(
        PACK,
        Some(&tampered),
        &trusting(&[&signer]),
        &options(Policy::Open),
    )
    .expect_err("bad signature");
    assert!(
        matches!(error, Error::UnverifiedSignature { .. }),
        "{error}"
    );
}

#[test]
fn missing_signature_depends_on_policy_and_the_insecure_option() {
    let trust = TrustStore::default();
    let error =
        verify_pack(PACK, None, &trust, &options(Policy::Commercial)).expect_err("required");
    assert!(matches!(error, Error::SignatureRequired), "{error}");
    let open = verify_pack(PACK, None, &trust, &options(Policy::Open)).expect("open");
    assert_eq!(open.signature, SignatureStatus::Unsigned);
    let mut insecure = options(Policy::Commercial);
    insecure.missing_signature = MissingSignature::AllowInsecureForDevelopment;
    let allowed = verify_pack(PACK, None, &trust, &insecure).expect("tolerated");
    assert_eq!(allowed.signature, SignatureStatus::MissingAllowedInsecurely);
    // The option never excuses a bad signature or a digest mismatch.
    let stranger = key();
    let error = verify_pack(PACK, Some(&signed(&[&stranger])), &trust, &insecure).expect_err("bad");
    assert!(matches!(error, Error::UntrustedKey { .. }), "{error}");
    insecure.expected_digest = Some(compute_digest(b"name: x\n").expect("digest"));
    let error = verify_pack(PACK, None, &trust, &insecure).expect_err("mismatch");
    assert!(matches!(error, Error::DigestMismatch { .. }), "{error}");
}

#[test]
fn empty_signature_list_and_rejected_pack_are_reported() {
    let signer = key();
    let mut json: serde_json::Value =
        serde_json::from_str(&signed(&[&signer]).to_json()).expect("JSON");
    json["signatures"] = serde_json::json!([]);
    let envelope = Envelope::from_json(json.to_string().as_bytes()).expect("an envelope");
    let error = verify_pack(
        PACK,
        Some(&envelope),
        &trusting(&[&signer]),
        &options(Policy::Open),
    )
    .expect_err("no signatures");
    assert!(matches!(error, Error::NoSignatures), "{error}");
    let error = verify_pack(
        b"a: 1.5\n",
        None,
        &TrustStore::default(),
        &options(Policy::Open),
    )
    .expect_err("float");
    assert!(matches!(error, Error::Canonicalize { .. }), "{error}");
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
