//! The two forms of a `GET /keys` body (PROTOCOL §5): a bare DSSE envelope, or a JSON
//! object carrying the envelope in its `signature` field.

use serde_json::Value;

/// Where the envelope of a keys-manifest body is.
///
/// Which form a body has is decided here; decoding and verifying the envelope is
/// registry-verify's job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeysBody<'a> {
    /// The body is the envelope itself (it has `payloadType`).
    Envelope(&'a Value),
    /// The envelope is the object in the body's `signature` field.
    WrappedObject(&'a Value),
    /// The envelope is in the body's `signature` field as base64 of its JSON.
    WrappedBase64(&'a str),
    /// Neither: the body carries no envelope.
    Unsigned,
}

impl<'a> KeysBody<'a> {
    /// The form of a parsed keys-manifest body.
    pub fn classify(body: &'a Value) -> KeysBody<'a> {
        if body.get("payloadType").is_some() {
            return KeysBody::Envelope(body);
        }
        match body.get("signature") {
            Some(Value::String(encoded)) => KeysBody::WrappedBase64(encoded),
            Some(envelope @ Value::Object(_)) => KeysBody::WrappedObject(envelope),
            _ => KeysBody::Unsigned,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_forms_and_none() {
        let bare = json!({"payloadType": "x", "payload": "", "signatures": []});
        assert_eq!(KeysBody::classify(&bare), KeysBody::Envelope(&bare));
        let wrapped = json!({"signature": {"payloadType": "x"}, "keys": []});
        assert_eq!(
            KeysBody::classify(&wrapped),
            KeysBody::WrappedObject(&wrapped["signature"])
        );
        let encoded = json!({"signature": "eyJ9"});
        assert_eq!(
            KeysBody::classify(&encoded),
            KeysBody::WrappedBase64("eyJ9")
        );
        for unsigned in [json!({"keys": []}), json!({"signature": 5}), json!([1])] {
            assert_eq!(
                KeysBody::classify(&unsigned),
                KeysBody::Unsigned,
                "{unsigned}"
            );
        }
    }
}
