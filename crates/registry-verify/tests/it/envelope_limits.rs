//! Envelope limits and malformed envelopes: each case asserts the specific error.

use registry_verify::{
    Envelope, EnvelopeField, Error, MAX_ENVELOPE_BYTES, MAX_KEY_ID_CHARS, MAX_SIGNATURES,
};
use serde_json::{Value, json};

const SIG: &str =
    "nyvqeKfpWxbGgnFJ5c4wknnTjms9VW/dRwfXglNIJ4C6ZXb5wK0MJyS3b9DsXypgjLVzaXzVU7MW9rxwNzulAg==";

fn envelope_with(signatures: Vec<Value>) -> Value {
    json!({"payloadType": "t", "payload": "eyJhIjoxfQ==", "signatures": signatures})
}

fn parse(value: &Value) -> Result<Envelope, Error> {
    let from_bytes = Envelope::from_json(value.to_string().as_bytes());
    let from_value = Envelope::from_json_value(value);
    // Both entry points apply the same rules.
    assert_eq!(
        from_bytes.as_ref().map_err(ToString::to_string),
        from_value.as_ref().map_err(ToString::to_string)
    );
    from_bytes
}

#[test]
fn an_oversized_body_is_rejected_before_parsing() {
    // 17 MiB of bytes that are not even JSON: the size check comes first.
    let body = vec![b'x'; 17 * 1024 * 1024];
    let error = Envelope::from_json(&body).unwrap_err();
    assert!(matches!(
        error,
        Error::EnvelopeTooLarge { size, limit } if size == body.len() && limit == MAX_ENVELOPE_BYTES
    ));
    // Exactly the limit is parsed (and then fails as JSON, not on size).
    let body = vec![b' '; MAX_ENVELOPE_BYTES];
    assert!(matches!(
        Envelope::from_json(&body),
        Err(Error::ParseEnvelope { .. })
    ));
}

#[test]
fn thirty_three_signatures_are_too_many() {
    let one = json!({"sig": SIG});
    assert_eq!(
        parse(&envelope_with(vec![one.clone(); MAX_SIGNATURES]))
            .unwrap()
            .signatures()
            .len(),
        32
    );
    let error = parse(&envelope_with(vec![one; MAX_SIGNATURES + 1])).unwrap_err();
    assert!(
        matches!(
            error,
            Error::TooManySignatures {
                count: 33,
                limit: 32
            }
        ),
        "{error:?}"
    );
}

#[test]
fn signatures_past_the_limit_are_counted_not_parsed() {
    // A 16 MiB array of `{}` would otherwise become millions of parsed entries before the
    // count is checked; past the limit, entries are skipped (still as valid JSON).
    let mut signatures = vec![json!({"sig": SIG}); MAX_SIGNATURES];
    signatures.push(json!(5));
    signatures.extend(std::iter::repeat_n(json!({}), 1000));
    let error = parse(&envelope_with(signatures)).unwrap_err();
    assert!(
        matches!(
            error,
            Error::TooManySignatures {
                count: 1033,
                limit: 32
            }
        ),
        "{error:?}"
    );
    // Within the limit, a malformed entry is still a parse error.
    let error = parse(&envelope_with(vec![json!({"sig": SIG}), json!(5)])).unwrap_err();
    assert!(matches!(error, Error::ParseEnvelope { .. }), "{error:?}");
}

#[test]
fn a_129_character_keyid_is_too_long() {
    let ok = json!({"keyid": "é".repeat(MAX_KEY_ID_CHARS), "sig": SIG});
    assert!(
        parse(&envelope_with(vec![ok.clone()])).is_ok(),
        "128 characters (256 bytes) pass"
    );
    let long = json!({"keyid": "k".repeat(MAX_KEY_ID_CHARS + 1), "sig": SIG});
    let error = parse(&envelope_with(vec![ok, long])).unwrap_err();
    assert!(
        matches!(
            error,
            Error::KeyIdTooLong {
                field: EnvelopeField::KeyId { index: 1 },
                length: 129,
                limit: 128
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "envelope `signatures[1].keyid` is 129 characters long, more than the limit of 128"
    );
}

#[test]
fn bad_base64_names_the_field_and_signature_index() {
    let good = json!({"sig": SIG});
    let bad = json!({"sig": "nyvq*eKf"});
    let error = parse(&envelope_with(vec![good.clone(), good.clone(), bad])).unwrap_err();
    match &error {
        Error::EnvelopeBase64 {
            field: EnvelopeField::Sig { index: 2 },
            source,
        } => {
            assert_eq!(source.position, 4);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "envelope `signatures[2].sig` is not base64"
    );

    let mut value = envelope_with(vec![good]);
    value["payload"] = json!("eyJhIjoxfQ=");
    let error = parse(&value).unwrap_err();
    assert!(matches!(
        error,
        Error::EnvelopeBase64 {
            field: EnvelopeField::Payload,
            ..
        }
    ));
}

#[test]
fn missing_fields_are_named() {
    for (field, expected) in [
        ("payloadType", EnvelopeField::PayloadType),
        ("payload", EnvelopeField::Payload),
        ("signatures", EnvelopeField::Signatures),
    ] {
        let mut value = envelope_with(vec![json!({"sig": SIG})]);
        value.as_object_mut().unwrap().remove(field);
        let error = parse(&value).unwrap_err();
        assert!(
            matches!(&error, Error::MissingEnvelopeField { field } if *field == expected),
            "{error:?}"
        );
        // `null` counts as missing.
        value[field] = Value::Null;
        assert!(matches!(
            parse(&value),
            Err(Error::MissingEnvelopeField { .. })
        ));
    }
    let error = parse(&envelope_with(vec![
        json!({"sig": SIG}),
        json!({"keyid": "k"}),
    ]))
    .unwrap_err();
    assert!(matches!(
        error,
        Error::MissingEnvelopeField {
            field: EnvelopeField::Sig { index: 1 }
        }
    ));
    assert_eq!(error.to_string(), "envelope has no `signatures[1].sig`");
}

#[test]
fn wrong_json_types_and_non_objects_are_parse_errors() {
    for value in [
        json!([]),
        json!("envelope"),
        json!({"payloadType": 1, "payload": "", "signatures": []}),
        json!({"payloadType": "t", "payload": "", "signatures": {}}),
        json!({"payloadType": "t", "payload": "", "signatures": [{"keyid": 5, "sig": ""}]}),
        json!({"payloadType": "t", "payload": "", "signatures": ["sig"]}),
    ] {
        assert!(
            matches!(parse(&value), Err(Error::ParseEnvelope { .. })),
            "{value}"
        );
    }
    let error = Envelope::from_json(b"{\"payloadType\":\"t\",").unwrap_err();
    assert!(matches!(error, Error::ParseEnvelope { .. }));
}

#[test]
fn duplicate_fields_in_envelope_json_are_rejected() {
    // Two `payload` fields could be read differently by two verifiers; refuse them.
    let text = br#"{"payloadType":"t","payload":"YQ==","payload":"Yg==","signatures":[]}"#;
    assert!(matches!(
        Envelope::from_json(text),
        Err(Error::ParseEnvelope { .. })
    ));
}

#[test]
fn empty_and_absent_keyids_are_none_and_unknown_fields_are_ignored() {
    let value = json!({
        "payloadType": "t",
        "payload": "eyJhIjoxfQ",
        "signatures": [{"keyid": "", "sig": SIG}, {"sig": SIG, "extra": true}, {"keyid": null, "sig": SIG}],
        "future": {"nested": [1, 2]}
    });
    let envelope = parse(&value).unwrap();
    assert!(
        envelope
            .signatures()
            .iter()
            .all(|signature| signature.keyid.is_none())
    );
    assert_eq!(envelope.payload(), br#"{"a":1}"#);
}

#[test]
fn add_signature_refuses_a_thirty_third() {
    let key = registry_verify::PrivateKey::generate(registry_verify::Algorithm::Ed25519).unwrap();
    let mut envelope = Envelope::new("t", b"x".to_vec());
    for _ in 0..MAX_SIGNATURES {
        envelope.add_signature(&key).unwrap();
    }
    let error = envelope.add_signature(&key).unwrap_err();
    assert!(matches!(
        error,
        Error::TooManySignatures {
            count: 33,
            limit: 32
        }
    ));
    assert_eq!(envelope.signatures().len(), 32);
}
