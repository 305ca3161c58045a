//! Key ids: `sha256:` and the lowercase hex SHA-256 of a public key's DER SubjectPublicKeyInfo.
//!
//! A key id names a key without carrying it. It is computed, never trusted: a claimed id
//! (an envelope's `keyid` hint, a manifest entry's `key_id`) means something only once
//! the SPKI it names has been hashed and compared. Because [`PublicKey`](crate::PublicKey)
//! accepts exactly one DER encoding of each key, one key has exactly one id, so counting
//! distinct ids counts distinct keys.

use std::fmt;
use std::str::FromStr;

use data_encoding::HEXLOWER;
use ring::digest::{SHA256, digest};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use snafu::ensure;

use crate::error::{Error, InvalidKeyIdSnafu, Result};

/// The prefix of every key id.
const PREFIX: &str = "sha256:";

/// How many characters of a rejected key id an error message keeps.
const MAX_QUOTED_CHARS: usize = 100;

/// A key id: `sha256:` followed by 64 lowercase hex digits.
///
/// A `KeyId` that exists is well formed; compare ids with `==`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(String);

impl KeyId {
    /// The key id of a public key given as DER SubjectPublicKeyInfo bytes.
    ///
    /// The bytes are hashed as given; [`PublicKey::from_spki_der`](crate::PublicKey::from_spki_der)
    /// is the place that checks they are a key.
    pub fn of_spki_der(der: &[u8]) -> KeyId {
        let hash = digest(&SHA256, der);
        KeyId(format!("{PREFIX}{}", HEXLOWER.encode(hash.as_ref())))
    }

    /// Parses a key id written as `sha256:` and 64 lowercase hex digits.
    ///
    /// Nothing else is accepted: not bare hex, not uppercase hex, not surrounding spaces.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKeyId`] when the text has any other form.
    pub fn parse(text: &str) -> Result<KeyId> {
        let well_formed = text.strip_prefix(PREFIX).is_some_and(|hex| {
            hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        });
        ensure!(
            well_formed,
            InvalidKeyIdSnafu {
                text: shorten(text)
            }
        );
        Ok(KeyId(text.to_owned()))
    }

    /// The key id as text, `sha256:…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 64 hex digits after `sha256:`, as some tools write key id hints.
    pub fn hex(&self) -> &str {
        // Every `KeyId` starts with the ASCII prefix, so this slice is in bounds and on a
        // character boundary.
        &self.0[PREFIX.len()..]
    }

    /// Whether an envelope's `keyid` hint names this key: `sha256:` and the hex digits, or
    /// the bare hex digits (as the DSSE test vectors and some signers write them), hex in
    /// either case.
    ///
    /// A hint is unauthenticated: a match only says which key to try first, and a
    /// mismatch proves nothing about the signature.
    pub fn matches_hint(&self, hint: &str) -> bool {
        let hex = hint.strip_prefix(PREFIX).unwrap_or(hint);
        hex.eq_ignore_ascii_case(self.hex())
    }
}

/// The start of a rejected text, for an error message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        // `end` comes from `char_indices`, so it is a character boundary within the text.
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for KeyId {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        KeyId::parse(text)
    }
}

impl AsRef<str> for KeyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        KeyId::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_of_the_rfc8032_test_key() {
        let spki = HEXLOWER
            .decode(b"302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            .unwrap();
        assert_eq!(
            KeyId::of_spki_der(&spki).as_str(),
            "sha256:06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
        );
    }

    #[test]
    fn parse_accepts_only_the_canonical_form() {
        let good = format!("sha256:{}", "0a".repeat(32));
        assert_eq!(KeyId::parse(&good).unwrap().as_str(), good);
        assert_eq!(KeyId::parse(&good).unwrap().hex(), "0a".repeat(32));
        for bad in [
            "0a".repeat(32),
            format!("sha256:{}", "0A".repeat(32)),
            format!("SHA256:{}", "0a".repeat(32)),
            format!("sha256:{}", "0a".repeat(31)),
            format!("sha256:{}0", "0a".repeat(32)),
            format!(" sha256:{}", "0a".repeat(32)),
            format!("sha256:{}g", "0a".repeat(31) + "0"),
            String::new(),
        ] {
            let error = KeyId::parse(&bad).unwrap_err();
            assert!(
                matches!(&error, Error::InvalidKeyId { text } if *text == bad),
                "{bad}: {error:?}"
            );
        }
    }

    #[test]
    fn hints_match_with_or_without_the_prefix() {
        let id = KeyId::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
        assert!(id.matches_hint(id.as_str()));
        assert!(id.matches_hint(&"ab".repeat(32)));
        assert!(id.matches_hint(&format!("sha256:{}", "AB".repeat(32))));
        assert!(!id.matches_hint(&"ab".repeat(31)));
        assert!(!id.matches_hint(&format!("sha512:{}", "ab".repeat(32))));
        assert!(!id.matches_hint(""));
    }

    #[test]
    fn long_rejected_text_is_shortened_in_the_message() {
        let error = KeyId::parse(&"x".repeat(10_000)).unwrap_err();
        let message = error.to_string();
        assert!(message.len() < 250, "{message}");
        assert!(message.contains(&format!("{}…", "x".repeat(100))));
    }

    #[test]
    fn serde_round_trip_validates() {
        let id = KeyId::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<KeyId>(&json).unwrap(), id);
        let error = serde_json::from_str::<KeyId>("\"sha256:00\"").unwrap_err();
        assert_eq!(error.classify(), serde_json::error::Category::Data);
        assert!(
            error.to_string().starts_with(
                &Error::InvalidKeyId {
                    text: "sha256:00".to_owned()
                }
                .to_string()
            ),
            "{error}"
        );
        let error = "sha256:00".parse::<KeyId>().unwrap_err();
        assert!(
            matches!(&error, Error::InvalidKeyId { text } if text == "sha256:00"),
            "{error:?}"
        );
    }
}
