//! The reference implementation's signed envelopes, checked signature by signature and then
//! through the whole pack policy.
//!
//! Signature level: every envelope parses, its trusted key reads from base64 SPKI with the
//! published key id, and that key verifies exactly the signatures it made (in the
//! two-signature case, only the second). Policy level: each pack verifies as commercial and
//! reports the trusted key, the second one in the two-signature case.

use registry_types::{Policy, Timestamp};
use registry_verify::{
    Algorithm, Envelope, PublicKey, SignatureStatus, TrustStore, VerifyOptions, verify_pack,
};

use crate::testdata::{array_at, json, str_at};

#[test]
fn reference_envelopes_verify_with_their_trusted_key() {
    let doc = json("assay-reference/signed-envelopes.json");
    let cases = array_at(&doc, "cases");
    assert_eq!(cases.len(), 4);
    for case in cases {
        let name = str_at(case, "name");
        assert_eq!(str_at(case, "expected"), "valid", "{name}");
        let trusted = &case["trusted_key"];
        let key = PublicKey::from_base64_spki(str_at(trusted, "public_key")).unwrap();
        assert_eq!(key.key_id().as_str(), str_at(trusted, "key_id"), "{name}");
        assert_eq!(
            Algorithm::parse(str_at(trusted, "algorithm")).unwrap(),
            key.algorithm(),
            "{name}"
        );
        let envelope = Envelope::from_json_value(&case["envelope"]).unwrap();
        assert_eq!(
            envelope.payload(),
            str_at(case, "canonical").as_bytes(),
            "{name}"
        );
        let verified: Vec<usize> = envelope
            .signatures()
            .iter()
            .enumerate()
            .filter(|(_, signature)| envelope.verify_signature(signature, &key).is_ok())
            .map(|(index, _)| index)
            .collect();
        let expected = if envelope.signatures().len() == 2 {
            vec![1]
        } else {
            vec![0]
        };
        assert_eq!(verified, expected, "{name}");
        // The hint of the verified signature names the key.
        let hint = envelope.signatures()[expected[0]].keyid.as_deref();
        assert_eq!(hint, Some(key.key_id().as_str()), "{name}");
    }
}

#[test]
fn reference_packs_verify_through_the_policy_and_report_the_trusted_key() {
    let doc = json("assay-reference/signed-envelopes.json");
    let now = Timestamp::parse("2026-06-01T00:00:00Z").unwrap();
    for case in array_at(&doc, "cases") {
        let name = str_at(case, "name");
        let key = PublicKey::from_base64_spki(str_at(&case["trusted_key"], "public_key")).unwrap();
        let envelope = Envelope::from_json_value(&case["envelope"]).unwrap();
        let mut trust = TrustStore::default();
        trust.add_pack_key(key.clone());
        let options = VerifyOptions::new(Policy::Commercial, now);
        let result = verify_pack(
            str_at(case, "pack_yaml").as_bytes(),
            Some(&envelope),
            &trust,
            &options,
        )
        .unwrap_or_else(|e| panic!("{name}: {}", snafu::Report::from_error(e)));
        let SignatureStatus::Verified {
            key_ids,
            payload_type,
        } = &result.signature
        else {
            panic!("{name}: {:?}", result.signature);
        };
        assert_eq!(key_ids, &[key.key_id().clone()], "{name}");
        assert_eq!(payload_type, envelope.payload_type(), "{name}");
        let last_hint = envelope
            .signatures()
            .last()
            .and_then(|s| s.keyid.as_deref())
            .unwrap();
        assert!(
            key_ids[0].matches_hint(last_hint),
            "{name}: reports the signing key"
        );
        assert_eq!(
            result.canonical.bytes(),
            str_at(case, "canonical").as_bytes(),
            "{name}"
        );
    }
}
