//! The keys manifest: body forms, root signatures, key entries, expiry and rollback.

use registry_types::base64::encode_standard;
use registry_types::{Policy, Timestamp};
use registry_verify::{
    Algorithm, DropFault, Envelope, Error, KeyUsage, ManifestDraft, ManifestKeyDraft,
    PackPayloadType, PrivateKey, RootSpec, SignatureStatus, TrustMode, TrustStore, ValidityWindow,
    VerifyOptions, sign_manifest, sign_pack, verify_manifest, verify_pack,
};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("valid time")
}

fn now() -> Timestamp {
    at("2026-06-01T00:00:00Z")
}

fn key(algorithm: Algorithm) -> PrivateKey {
    PrivateKey::generate(algorithm).expect("generate key")
}

fn draft(version: u64, keys: &[&PrivateKey]) -> ManifestDraft {
    ManifestDraft {
        version,
        issued_at: Some(at("2026-05-01T00:00:00Z")),
        expires_at: Some(at("2026-12-01T00:00:00Z")),
        keys: keys
            .iter()
            .map(|k| ManifestKeyDraft::new(k.public_key()))
            .collect(),
    }
}

fn roots(root: &PrivateKey) -> TrustStore {
    TrustStore::new(vec![RootSpec::Key(root.public_key())], TrustMode::Override).expect("store")
}

/// A manifest payload written by hand and signed by `root`, for entries the draft type
/// cannot express.
fn signed_payload(payload: serde_json::Value, root: &PrivateKey) -> Vec<u8> {
    let mut envelope = Envelope::new(
        "application/vnd.assay.registry.keys.v1+json",
        payload.to_string().into_bytes(),
    );
    envelope.add_signature(root).expect("sign");
    envelope.to_json().into_bytes()
}

#[test]
fn manifest_signed_by_a_root_vouches_for_pack_keys_end_to_end() {
    let root = key(Algorithm::Ed25519);
    let pack_key = key(Algorithm::EcdsaP256Sha256);
    let body = sign_manifest(&draft(3, &[&pack_key]), &root)
        .expect("sign manifest")
        .to_json();
    let mut trust = roots(&root);
    let manifest = verify_manifest(body.as_bytes(), &trust, None, now()).expect("verifies");
    assert_eq!(manifest.version(), 3);
    assert_eq!(manifest.signed_by(), root.key_id());
    assert_eq!(manifest.keys().len(), 1);
    trust.accept_manifest(&manifest);
    let pack = b"name: p\nversion: \"1.0.0\"\n";
    let envelope = sign_pack(pack, &[&pack_key], PackPayloadType::Jcs).expect("sign pack");
    let result = verify_pack(
        pack,
        Some(&envelope),
        &trust,
        &VerifyOptions::new(Policy::Commercial, now()),
    )
    .expect("pack verifies through the manifest");
    assert!(
        matches!(result.signature, SignatureStatus::Verified { key_ids, .. } if key_ids == [pack_key.key_id().clone()])
    );
    // The root itself is not a pack-signing key.
    let by_root = sign_pack(pack, &[&root], PackPayloadType::Jcs).expect("sign");
    let error = verify_pack(
        pack,
        Some(&by_root),
        &trust,
        &VerifyOptions::new(Policy::Commercial, now()),
    )
    .expect_err("roots sign manifests, not packs");
    assert!(matches!(error, Error::UntrustedKey { .. }), "{error}");
}

#[test]
fn both_body_forms_are_accepted() {
    let root = key(Algorithm::Ed25519);
    let envelope = sign_manifest(&draft(1, &[&key(Algorithm::Ed25519)]), &root).expect("sign");
    let envelope_json: serde_json::Value = serde_json::from_str(&envelope.to_json()).expect("JSON");
    let object = serde_json::json!({"version": 1, "keys": [], "signature": envelope_json});
    let as_base64 = serde_json::json!({
        "version": 1,
        "signature": encode_standard(envelope.to_json().as_bytes()),
    });
    for body in [
        envelope.to_json(),
        object.to_string(),
        as_base64.to_string(),
    ] {
        let manifest =
            verify_manifest(body.as_bytes(), &roots(&root), None, now()).expect("accepted");
        // Only the keys inside the signed payload count, not the outer object's.
        assert_eq!(manifest.keys().len(), 1);
    }
}

#[test]
fn root_known_by_key_id_alone_is_completed_from_the_manifest() {
    let root = key(Algorithm::Ed25519);
    let pack_key = key(Algorithm::Ed25519);
    let mut with_root = draft(1, &[&pack_key]);
    with_root.keys.push(ManifestKeyDraft {
        usage: KeyUsage::ManifestSigning,
        ..ManifestKeyDraft::new(root.public_key())
    });
    let body = sign_manifest(&with_root, &root).expect("sign").to_json();
    let trust = TrustStore::new(
        vec![RootSpec::KeyId(root.key_id().clone())],
        TrustMode::Override,
    )
    .expect("store");
    let manifest = verify_manifest(body.as_bytes(), &trust, None, now()).expect("verifies");
    assert_eq!(manifest.signed_by(), root.key_id());
    // The root's entry serves as a root only, never as a pack-signing key.
    assert_eq!(manifest.keys().len(), 1);
    assert_eq!(manifest.dropped()[0].reason, DropFault::NotForPackSigning);
    // Without its key in the manifest, a root known by id alone cannot verify anything.
    let bare = sign_manifest(&draft(1, &[&pack_key]), &root)
        .expect("sign")
        .to_json();
    let error = verify_manifest(bare.as_bytes(), &trust, None, now()).expect_err("no root key");
    assert!(
        matches!(error, Error::ManifestNotSignedByRoot { .. }),
        "{error}"
    );
}

#[test]
fn unsigned_manifest_and_wrong_payload_type_are_rejected() {
    let root = key(Algorithm::Ed25519);
    let unsigned = serde_json::json!({"version": 1, "keys": []}).to_string();
    let error =
        verify_manifest(unsigned.as_bytes(), &roots(&root), None, now()).expect_err("unsigned");
    assert!(matches!(error, Error::ManifestUnsigned), "{error}");
    let mut envelope = Envelope::new("application/json", b"{\"version\":1,\"keys\":[]}".to_vec());
    envelope.add_signature(&root).expect("sign");
    let error = verify_manifest(envelope.to_json().as_bytes(), &roots(&root), None, now())
        .expect_err("payload type");
    assert!(
        matches!(error, Error::ManifestPayloadType { .. }),
        "{error}"
    );
    let error = verify_manifest(b"{not json", &roots(&root), None, now()).expect_err("not JSON");
    assert!(matches!(error, Error::ManifestJson { .. }), "{error}");
}

#[test]
fn key_entries_are_checked_one_by_one() {
    let root = key(Algorithm::Ed25519);
    let good = key(Algorithm::Ed25519).public_key();
    let other = key(Algorithm::Ed25519).public_key();
    let spki = |k: &registry_verify::PublicKey| encode_standard(k.spki_der());
    let payload = serde_json::json!({
        "version": 2,
        "keys": [
            // Both field spellings.
            {"id": good.key_id().as_str(), "algorithm": "Ed25519", "public_key": spki(&good),
             "not_before": "2026-01-01T00:00:00Z", "not_after": "2027-01-01T00:00:00Z"},
            // A claimed id that is another key's.
            {"key_id": good.key_id().as_str(), "algorithm": "Ed25519", "public_key": spki(&other)},
            // Not for pack signing.
            {"key_id": other.key_id().as_str(), "algorithm": "Ed25519", "public_key": spki(&other),
             "usage": ["manifest-signing"]},
            // Wrong algorithm name.
            {"key_id": other.key_id().as_str(), "algorithm": "ECDSA-P256", "public_key": spki(&other)},
            // Revoked: kept, and refused when used.
            {"key_id": other.key_id().as_str(), "algorithm": "Ed25519", "public_key": spki(&other),
             "revoked": true, "usage": ["pack-signing"], "description": "old"},
        ],
    });
    let body = signed_payload(payload, &root);
    let manifest = verify_manifest(&body, &roots(&root), None, now()).expect("verifies");
    let reasons: Vec<&DropFault> = manifest.dropped().iter().map(|d| &d.reason).collect();
    assert!(
        matches!(reasons[0], DropFault::KeyIdMismatch { computed, .. } if computed == other.key_id())
    );
    assert_eq!(reasons[1], &DropFault::NotForPackSigning);
    assert!(matches!(
        reasons[2],
        DropFault::AlgorithmMismatch {
            actual: Algorithm::Ed25519,
            ..
        }
    ));
    assert_eq!(manifest.keys().len(), 2);
    assert_eq!(
        manifest.keys()[0].window.not_after,
        Some(at("2027-01-01T00:00:00Z"))
    );
    assert!(manifest.keys()[1].revoked);
}

/// A pack signed by `signer`, checked against the keys of `manifest` at `at`.
fn verify_through(
    manifest: &registry_verify::VerifiedManifest,
    signer: &PrivateKey,
    at: Timestamp,
) -> Result<SignatureStatus, Error> {
    let mut trust = TrustStore::default();
    trust.accept_manifest(manifest);
    let pack = b"name: p\nversion: \"1.0.0\"\n";
    let envelope = sign_pack(pack, &[signer], PackPayloadType::Jcs).expect("sign pack");
    verify_pack(
        pack,
        Some(&envelope),
        &trust,
        &VerifyOptions::new(Policy::Commercial, at),
    )
    .map(|result| result.signature)
}

#[test]
fn a_key_listed_twice_gets_the_most_restrictive_of_its_entries() {
    let root = key(Algorithm::Ed25519);
    let signer = key(Algorithm::Ed25519);
    let public = signer.public_key();
    let entry = |extra: serde_json::Value| {
        let mut entry = serde_json::json!({
            "key_id": public.key_id().as_str(),
            "algorithm": "Ed25519",
            "public_key": encode_standard(public.spki_der()),
        });
        entry
            .as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        entry
    };
    // A revocation listed before a plain entry of the same key still revokes it.
    let payload = serde_json::json!({"version": 1, "keys": [
        entry(serde_json::json!({"revoked": true})),
        entry(serde_json::json!({})),
    ]});
    let manifest =
        verify_manifest(&signed_payload(payload, &root), &roots(&root), None, now()).expect("ok");
    assert_eq!(manifest.keys().len(), 1);
    let error = verify_through(&manifest, &signer, now()).expect_err("revoked");
    assert!(matches!(error, Error::KeyRevoked { .. }), "{error}");
    // An expired window listed before an open one still bounds the key.
    let payload = serde_json::json!({"version": 1, "keys": [
        entry(serde_json::json!({"not_before": "2026-01-01T00:00:00Z", "not_after": "2026-03-01T00:00:00Z"})),
        entry(serde_json::json!({"added_at": "2025-01-01T00:00:00Z"})),
    ]});
    let manifest =
        verify_manifest(&signed_payload(payload, &root), &roots(&root), None, now()).expect("ok");
    let error = verify_through(&manifest, &signer, now()).expect_err("expired");
    assert!(
        matches!(&error, Error::KeyExpired { window, .. } if window.to_string() == "2026-01-01T00:00:00Z..2026-03-01T00:00:00Z"),
        "{error}"
    );
}

#[test]
fn a_null_usage_is_not_pack_signing() {
    let root = key(Algorithm::Ed25519);
    let public = key(Algorithm::Ed25519).public_key();
    let payload = serde_json::json!({"version": 1, "keys": [{
        "key_id": public.key_id().as_str(),
        "algorithm": "Ed25519",
        "public_key": encode_standard(public.spki_der()),
        "usage": null,
    }]});
    let manifest =
        verify_manifest(&signed_payload(payload, &root), &roots(&root), None, now()).expect("ok");
    assert!(manifest.keys().is_empty());
    assert_eq!(manifest.dropped()[0].reason, DropFault::NotForPackSigning);
}

#[test]
fn keys_from_a_manifest_expire_with_it() {
    let root = key(Algorithm::Ed25519);
    let signer = key(Algorithm::Ed25519);
    // The manifest expires 2026-12-01; its key has no window of its own.
    let body = sign_manifest(&draft(1, &[&signer]), &root)
        .expect("sign")
        .to_json();
    let manifest = verify_manifest(body.as_bytes(), &roots(&root), None, now()).expect("ok");
    verify_through(&manifest, &signer, now()).expect("valid while the manifest is");
    let error = verify_through(&manifest, &signer, at("2027-01-01T00:00:00Z"))
        .expect_err("the manifest has expired");
    assert!(
        matches!(&error, Error::KeyExpired { window, .. } if *window == ValidityWindow::new(None, Some(at("2026-12-01T00:00:00Z")))),
        "{error}"
    );
}

#[test]
fn duplicate_fields_in_a_manifest_body_are_rejected_in_every_form() {
    let root = key(Algorithm::Ed25519);
    let good = sign_manifest(&draft(1, &[]), &root)
        .expect("sign")
        .to_json();
    verify_manifest(good.as_bytes(), &roots(&root), None, now()).expect("the original is fine");
    // A second `payload` in a bare envelope, as `Envelope::from_json` would refuse it.
    let bare = good.replacen(
        "{\"payloadType\"",
        "{\"payload\":\"e30=\",\"payloadType\"",
        1,
    );
    let error = verify_manifest(bare.as_bytes(), &roots(&root), None, now()).expect_err("bare");
    assert!(matches!(error, Error::ManifestJson { .. }), "{error}");
    // The same inside the `signature` object of the wrapped form.
    let wrapped = format!("{{\"version\":1,\"signature\":{bare}}}");
    let error =
        verify_manifest(wrapped.as_bytes(), &roots(&root), None, now()).expect_err("wrapped");
    assert!(matches!(error, Error::ManifestJson { .. }), "{error}");
    // And two `signature` fields in the wrapper (spelled differently, equal once unescaped).
    let twice = format!("{{\"signature\":{good},\"signatur\\u0065\":{good}}}");
    let error = verify_manifest(twice.as_bytes(), &roots(&root), None, now()).expect_err("twice");
    assert!(matches!(error, Error::ManifestJson { .. }), "{error}");
}

#[test]
fn an_oversized_manifest_body_is_rejected_before_parsing() {
    let root = key(Algorithm::Ed25519);
    let body = vec![b' '; registry_verify::MAX_ENVELOPE_BYTES + 1];
    let error = verify_manifest(&body, &roots(&root), None, now()).expect_err("too large");
    let Error::ManifestEnvelope { source } = &error else {
        panic!("{error}")
    };
    assert!(
        matches!(**source, Error::EnvelopeTooLarge { size, .. } if size == body.len()),
        "{source}"
    );
}
