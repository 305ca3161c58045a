//! DSSE envelopes: parse within limits, sign over PAE, verify one signature against one key.
//!
//! The JSON form is `{"payloadType": T, "payload": base64, "signatures": [{"keyid": K,
//! "sig": base64}]}`. Reading follows the DSSE specification and PROTOCOL §4: unknown
//! fields are ignored, both base64 alphabets are read with or without padding, and the
//! limits ([`MAX_ENVELOPE_BYTES`], [`MAX_SIGNATURES`], [`MAX_KEY_ID_CHARS`]) are enforced
//! before any signature is looked at. A `keyid` is an unauthenticated hint: it is kept
//! (an absent, `null` or empty one as `None`) but never decides whether a signature is
//! valid. An envelope without signatures is well formed; that it carries no valid one is
//! a policy decision, made by the caller.
//!
//! This module checks single signatures. Which keys are trusted, and how many must have
//! signed, is decided above it.

use std::borrow::Cow;
use std::fmt;

use registry_types::base64;
use serde::Deserialize;
use snafu::{OptionExt, ResultExt, ensure};

use crate::error::{
    EnvelopeBase64Snafu, EnvelopeTooLargeSnafu, KeyIdTooLongSnafu, MissingEnvelopeFieldSnafu,
    ParseEnvelopeSnafu, Result, TooManySignaturesSnafu,
};
use crate::pae::pae;
use crate::private_key::PrivateKey;
use crate::public_key::PublicKey;

/// The largest envelope JSON accepted, in bytes (16 MiB).
pub const MAX_ENVELOPE_BYTES: usize = 16 * 1024 * 1024;

/// The most signatures an envelope may carry.
pub const MAX_SIGNATURES: usize = 32;

/// The longest `keyid` hint accepted, in characters.
pub const MAX_KEY_ID_CHARS: usize = 128;

/// A DSSE envelope with its payload and signatures decoded.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    payload_type: String,
    payload: Vec<u8>,
    signatures: Vec<EnvelopeSignature>,
}

/// One entry of an envelope's `signatures`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// The signer's key id hint, unauthenticated; `None` when absent, `null` or empty.
    pub keyid: Option<String>,
    /// The signature bytes, decoded from base64.
    pub sig: Vec<u8>,
}

/// A field of the envelope JSON, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvelopeField {
    /// `payloadType`.
    PayloadType,
    /// `payload`.
    Payload,
    /// `signatures`.
    Signatures,
    /// `signatures[index].sig`.
    Sig {
        /// The position in `signatures`, from 0.
        index: usize,
    },
    /// `signatures[index].keyid`.
    KeyId {
        /// The position in `signatures`, from 0.
        index: usize,
    },
}

impl fmt::Display for EnvelopeField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvelopeField::PayloadType => f.write_str("`payloadType`"),
            EnvelopeField::Payload => f.write_str("`payload`"),
            EnvelopeField::Signatures => f.write_str("`signatures`"),
            EnvelopeField::Sig { index } => write!(f, "`signatures[{index}].sig`"),
            EnvelopeField::KeyId { index } => write!(f, "`signatures[{index}].keyid`"),
        }
    }
}

/// The envelope as JSON has it, every field optional so that a missing one can be named.
#[derive(Deserialize)]
#[serde(expecting = "a DSSE envelope object")]
struct WireEnvelope<'a> {
    #[serde(rename = "payloadType", borrow)]
    payload_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    payload: Option<Cow<'a, str>>,
    #[serde(borrow)]
    signatures: Option<WireSignatures<'a>>,
}

/// The `signatures` array: its first [`MAX_SIGNATURES`] entries, and how many it has.
///
/// Entries past the limit are skipped as any JSON, only counted, so that an envelope that
/// is too large in signatures costs no more than its bytes to reject (16 MiB of `{}` would
/// otherwise become millions of parsed entries first).
struct WireSignatures<'a> {
    kept: Vec<WireSignature<'a>>,
    count: usize,
}

impl<'de: 'a, 'a> Deserialize<'de> for WireSignatures<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<WireSignature<'a>>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = WireSignatures<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of DSSE signature objects")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut kept = Vec::new();
                while kept.len() < MAX_SIGNATURES {
                    match seq.next_element::<WireSignature<'a>>()? {
                        Some(signature) => kept.push(signature),
                        None => {
                            let count = kept.len();
                            return Ok(WireSignatures { kept, count });
                        }
                    }
                }
                let mut count = kept.len();
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    count += 1;
                }
                Ok(WireSignatures { kept, count })
            }
        }
        deserializer.deserialize_seq(Visitor(std::marker::PhantomData))
    }
}

/// One signature as JSON has it.
#[derive(Deserialize)]
#[serde(expecting = "a DSSE signature object")]
struct WireSignature<'a> {
    #[serde(borrow)]
    keyid: Option<Cow<'a, str>>,
    #[serde(borrow)]
    sig: Option<Cow<'a, str>>,
}

impl Envelope {
    /// An envelope without signatures.
    pub fn new(payload_type: impl Into<String>, payload: impl Into<Vec<u8>>) -> Self {
        Envelope {
            payload_type: payload_type.into(),
            payload: payload.into(),
            signatures: Vec::new(),
        }
    }

    /// Reads envelope JSON, checking the size limit before parsing.
    ///
    /// # Errors
    ///
    /// - [`Error::EnvelopeTooLarge`](crate::Error::EnvelopeTooLarge) over [`MAX_ENVELOPE_BYTES`];
    /// - [`Error::ParseEnvelope`](crate::Error::ParseEnvelope) for malformed JSON, a
    ///   non-object, a field of the wrong JSON type or a duplicate field;
    /// - and the errors of [`Self::from_json_value`].
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        ensure!(
            bytes.len() <= MAX_ENVELOPE_BYTES,
            EnvelopeTooLargeSnafu {
                size: bytes.len(),
                limit: MAX_ENVELOPE_BYTES
            }
        );
        let wire: WireEnvelope<'_> = serde_json::from_slice(bytes).context(ParseEnvelopeSnafu)?;
        Self::from_wire(wire)
    }

    /// Reads an envelope embedded in other JSON (the keys manifest's `signature` field).
    ///
    /// The value is already parsed, so its size is the caller's to bound; every other rule
    /// of [`Self::from_json`] applies.
    ///
    /// # Errors
    ///
    /// - [`Error::ParseEnvelope`](crate::Error::ParseEnvelope) for a non-object or a field
    ///   of the wrong JSON type;
    /// - [`Error::MissingEnvelopeField`](crate::Error::MissingEnvelopeField) naming a
    ///   missing (or `null`) `payloadType`, `payload`, `signatures` or `signatures[i].sig`;
    /// - [`Error::TooManySignatures`](crate::Error::TooManySignatures) over [`MAX_SIGNATURES`];
    /// - [`Error::KeyIdTooLong`](crate::Error::KeyIdTooLong) over [`MAX_KEY_ID_CHARS`];
    /// - [`Error::EnvelopeBase64`](crate::Error::EnvelopeBase64) naming the field (and the
    ///   signature's index) whose base64 is invalid.
    pub fn from_json_value(value: &serde_json::Value) -> Result<Self> {
        let wire = WireEnvelope::deserialize(value).context(ParseEnvelopeSnafu)?;
        Self::from_wire(wire)
    }

    /// Checks and decodes the parsed fields, limits first.
    fn from_wire(wire: WireEnvelope<'_>) -> Result<Self> {
        let payload_type = wire.payload_type.context(MissingEnvelopeFieldSnafu {
            field: EnvelopeField::PayloadType,
        })?;
        let payload = wire.payload.context(MissingEnvelopeFieldSnafu {
            field: EnvelopeField::Payload,
        })?;
        let wire_signatures = wire.signatures.context(MissingEnvelopeFieldSnafu {
            field: EnvelopeField::Signatures,
        })?;
        ensure!(
            wire_signatures.count <= MAX_SIGNATURES,
            TooManySignaturesSnafu {
                count: wire_signatures.count,
                limit: MAX_SIGNATURES
            }
        );
        let mut signatures = Vec::with_capacity(wire_signatures.kept.len());
        for (index, signature) in wire_signatures.kept.into_iter().enumerate() {
            let keyid = signature.keyid.filter(|keyid| !keyid.is_empty());
            if let Some(keyid) = &keyid {
                let length = keyid.chars().count();
                ensure!(
                    length <= MAX_KEY_ID_CHARS,
                    KeyIdTooLongSnafu {
                        field: EnvelopeField::KeyId { index },
                        length,
                        limit: MAX_KEY_ID_CHARS
                    }
                );
            }
            let field = EnvelopeField::Sig { index };
            let sig = signature.sig.context(MissingEnvelopeFieldSnafu { field })?;
            let sig = base64::decode_lenient(&sig).context(EnvelopeBase64Snafu { field })?;
            signatures.push(EnvelopeSignature {
                keyid: keyid.map(Cow::into_owned),
                sig,
            });
        }
        let payload = base64::decode_lenient(&payload).context(EnvelopeBase64Snafu {
            field: EnvelopeField::Payload,
        })?;
        Ok(Envelope {
            payload_type: payload_type.into_owned(),
            payload,
            signatures,
        })
    }

    /// The envelope as JSON: fields in the order `payloadType`, `payload`, `signatures`
    /// (`keyid`, when there is one, before `sig`), standard padded base64, no whitespace.
    pub fn to_json(&self) -> String {
        let payload = base64::encode_standard(&self.payload);
        let mut out = String::with_capacity(payload.len() + 150 * self.signatures.len() + 100);
        out.push_str("{\"payloadType\":");
        out.push_str(&json_string(&self.payload_type));
        out.push_str(",\"payload\":\"");
        out.push_str(&payload);
        out.push_str("\",\"signatures\":[");
        for (index, signature) in self.signatures.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push('{');
            if let Some(keyid) = &signature.keyid {
                out.push_str("\"keyid\":");
                out.push_str(&json_string(keyid));
                out.push(',');
            }
            out.push_str("\"sig\":\"");
            out.push_str(&base64::encode_standard(&signature.sig));
            out.push_str("\"}");
        }
        out.push_str("]}");
        out
    }

    /// The payload type, such as `application/vnd.assay.pack.v1+jcs`.
    pub fn payload_type(&self) -> &str {
        &self.payload_type
    }

    /// The decoded payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The signatures, in envelope order.
    pub fn signatures(&self) -> &[EnvelopeSignature] {
        &self.signatures
    }

    /// The bytes every signature of this envelope is made over: PAE of type and payload.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// Signs the envelope with `key` and appends the signature, with the key's id as hint.
    ///
    /// # Errors
    ///
    /// [`Error::TooManySignatures`](crate::Error::TooManySignatures) when the envelope
    /// already has [`MAX_SIGNATURES`] (it would not be read back), and
    /// [`Error::Sign`](crate::Error::Sign) when signing fails.
    pub fn add_signature(&mut self, key: &PrivateKey) -> Result<()> {
        ensure!(
            self.signatures.len() < MAX_SIGNATURES,
            TooManySignaturesSnafu {
                count: self.signatures.len() + 1,
                limit: MAX_SIGNATURES
            }
        );
        let sig = key.sign(&self.pae())?;
        self.signatures.push(EnvelopeSignature {
            keyid: Some(key.key_id().to_string()),
            sig,
        });
        Ok(())
    }

    /// Checks one signature (normally one of [`Self::signatures`]) against one key, over
    /// PAE of this envelope's type and decoded payload. The signature's `keyid` hint plays
    /// no part.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSignature`](crate::Error::InvalidSignature), with the key's id, when
    /// the signature does not verify.
    pub fn verify_signature(&self, signature: &EnvelopeSignature, key: &PublicKey) -> Result<()> {
        key.verify(&self.pae(), &signature.sig)
    }
}

/// A string as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

impl fmt::Debug for Envelope {
    /// Shows the payload's length rather than its (up to 16 MiB of) bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("payload_type", &self.payload_type)
            .field("payload_len", &self.payload.len())
            .field("signatures", &self.signatures)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_as_json_writes_them() {
        assert_eq!(EnvelopeField::PayloadType.to_string(), "`payloadType`");
        assert_eq!(
            EnvelopeField::Sig { index: 2 }.to_string(),
            "`signatures[2].sig`"
        );
        assert_eq!(
            EnvelopeField::KeyId { index: 0 }.to_string(),
            "`signatures[0].keyid`"
        );
    }

    #[test]
    fn debug_shows_the_payload_length_not_the_payload() {
        let envelope = Envelope::new("t", vec![b'x'; 1000]);
        let debug = format!("{envelope:?}");
        assert!(debug.contains("payload_len: 1000"), "{debug}");
        assert!(!debug.contains("120, 120"), "{debug}");
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"\\\n\u{1}"), r#""a\"\\\n\u0001""#);
    }

    #[test]
    fn pae_is_over_the_decoded_payload() {
        let envelope =
            Envelope::from_json(br#"{"payloadType":"t","payload":"YQ","signatures":[]}"#).unwrap();
        assert_eq!(envelope.pae(), b"DSSEv1 1 t 1 a");
    }
}
