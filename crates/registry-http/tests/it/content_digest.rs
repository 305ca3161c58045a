//! The RFC 9530 vectors (testdata/vectors/rfc9530-content-digest) against the parser and
//! verifier.

use data_encoding::{BASE64, HEXLOWER_PERMISSIVE};
use registry_http::{ContentDigest, ContentDigestFault, DigestAlgorithm};
use serde_json::Value;

fn vectors() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors/rfc9530-content-digest/rfc9530-examples.json");
    serde_json::from_slice(&std::fs::read(path).expect("vectors")).expect("JSON")
}

fn hex(value: &Value) -> Vec<u8> {
    HEXLOWER_PERMISSIVE
        .decode(value.as_str().expect("hex string").as_bytes())
        .expect("hex")
}

fn algorithm(key: &str) -> Option<DigestAlgorithm> {
    match key {
        "sha-256" => Some(DigestAlgorithm::Sha256),
        "sha-512" => Some(DigestAlgorithm::Sha512),
        _ => None,
    }
}

#[test]
fn positive_cases_parse_and_verify() {
    let vectors = vectors();
    let cases = vectors["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 9);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let body = hex(&case["body_hex"]);
        let parsed = ContentDigest::parse(case["header_value"].as_str().unwrap())
            .unwrap_or_else(|fault| panic!("{name}: {fault}"));
        assert_eq!(parsed.verify(&body), Ok(()), "{name}");
        let expected: Vec<(DigestAlgorithm, Vec<u8>)> = case["digests"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(key, value)| {
                (
                    algorithm(key).unwrap(),
                    BASE64.decode(value.as_str().unwrap().as_bytes()).unwrap(),
                )
            })
            .collect();
        let found: Vec<(DigestAlgorithm, Vec<u8>)> = parsed
            .digests()
            .map(|(algorithm, bytes)| (algorithm, bytes.to_vec()))
            .collect();
        assert_eq!(found, expected, "{name}");
        // One changed byte is a mismatch of the first algorithm.
        let mut changed = body.clone();
        changed.push(b'x');
        assert_eq!(parsed.verify(&changed), Err(expected[0].0), "{name}");
    }
}

#[test]
fn appendix_d_values_active_accepted_deprecated_refused() {
    let vectors = vectors();
    let sample = &vectors["appendix_d_sample_values"];
    let input = hex(&sample["input_hex"]);
    let values = sample["values"].as_object().unwrap();
    assert_eq!(values.len(), 8);
    for (key, value) in values {
        let header = format!("{key}=:{}:", value.as_str().unwrap());
        let parsed = ContentDigest::parse(&header);
        match algorithm(key) {
            Some(_) => assert_eq!(parsed.unwrap().verify(&input), Ok(()), "{key}"),
            None => assert_eq!(
                parsed,
                Err(ContentDigestFault::NoSupportedAlgorithm),
                "{key}"
            ),
        }
    }
}

#[test]
fn derived_negative_cases() {
    let vectors = vectors();
    let cases = vectors["derived_negative_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let header = case["header_value"].as_str().unwrap();
        let body = hex(&case["body_hex"]);
        let outcome = ContentDigest::parse(header).map(|parsed| parsed.verify(&body));
        match name {
            // Decided: strict. A 45-character value for 32 bytes is not a byte sequence.
            "rfc_typo_double_padding" => assert_eq!(
                outcome,
                Err(ContentDigestFault::NotByteSequence {
                    algorithm: DigestAlgorithm::Sha256
                })
            ),
            "mismatch_body_without_lf" => assert_eq!(outcome, Ok(Err(DigestAlgorithm::Sha256))),
            // Fail closed: nothing checkable is not the same as checked.
            "unknown_algorithm_only" | "deprecated_md5_only" => {
                assert_eq!(
                    outcome,
                    Err(ContentDigestFault::NoSupportedAlgorithm),
                    "{name}"
                );
            }
            // Every supported digest must match, not just one.
            "multi_one_wrong" => assert_eq!(outcome, Ok(Err(DigestAlgorithm::Sha512))),
            other => panic!("unknown negative case {other}"),
        }
    }
}
