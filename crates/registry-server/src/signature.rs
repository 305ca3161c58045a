//! A pack's DSSE envelope as served: sidecar JSON, header value, and the broken variant for faults.

use bytes::Bytes;
use data_encoding::BASE64;
use registry_verify::{Envelope, KeyId};

/// The signature of one pack, ready to send.
#[derive(Debug)]
pub(crate) struct PackSignature {
    /// The envelope JSON (the sidecar body).
    pub(crate) json: Bytes,
    /// The same envelope with every signature altered so that it does not verify.
    pub(crate) broken_json: Bytes,
    /// The signing key.
    pub(crate) key_id: KeyId,
}

impl PackSignature {
    /// Wraps a freshly signed envelope.
    pub(crate) fn new(envelope: &Envelope, key_id: KeyId) -> Self {
        let json = envelope.to_json();
        let broken_json = break_signatures(&json).unwrap_or_else(|| json.clone());
        PackSignature {
            json: Bytes::from(json),
            broken_json: Bytes::from(broken_json),
            key_id,
        }
    }

    /// The envelope JSON, broken when `broken`.
    pub(crate) fn envelope_json(&self, broken: bool) -> &Bytes {
        if broken {
            &self.broken_json
        } else {
            &self.json
        }
    }

    /// The `X-Pack-Signature` value: standard base64 of the envelope JSON.
    pub(crate) fn header_value(&self, broken: bool) -> String {
        BASE64.encode(self.envelope_json(broken))
    }
}

/// Flips one bit in every signature of the envelope JSON; `None` if the JSON is not an
/// envelope (never the case for one this crate wrote).
fn break_signatures(json: &str) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(json).ok()?;
    for signature in value.get_mut("signatures")?.as_array_mut()? {
        let sig = signature.get_mut("sig")?;
        let mut bytes = BASE64.decode(sig.as_str()?.as_bytes()).ok()?;
        let first = bytes.first_mut()?;
        *first ^= 0x01;
        *sig = serde_json::Value::String(BASE64.encode(&bytes));
    }
    serde_json::to_string(&value).ok()
}

/// An `X-Pack-Signature` value of `len` bytes for the oversized-headers fault: the real
/// value padded with base64 `A`s, so only its size is wrong.
pub(crate) fn oversized_header_value(real: &str, len: usize) -> String {
    let mut value = String::with_capacity(len.max(real.len()));
    value.push_str(real);
    while value.len() < len {
        value.push('A');
    }
    value
}

#[cfg(test)]
mod tests {
    use registry_verify::{Algorithm, PrivateKey};

    use super::*;

    #[test]
    fn broken_envelope_no_longer_verifies() {
        let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let mut envelope = Envelope::new("t", b"payload".to_vec());
        envelope.add_signature(&key).unwrap();
        let signature = PackSignature::new(&envelope, key.key_id().clone());
        let good = Envelope::from_json(signature.envelope_json(false)).unwrap();
        good.verify_signature(&good.signatures()[0], &key.public_key())
            .unwrap();
        let bad = Envelope::from_json(signature.envelope_json(true)).unwrap();
        assert!(
            bad.verify_signature(&bad.signatures()[0], &key.public_key())
                .is_err()
        );
        assert_eq!(bad.payload(), b"payload");
    }
}
