//! `metadata.json`: what the cache recorded about an entry when it stored it, and the
//! consistency rules a read checks it against.
//!
//! Metadata is untrusted like every other byte in the cache, so it is never the only
//! witness of anything that matters. The digest it records is checked against the pack
//! and, for a signed entry, against the envelope's payload. Whether the pack was signed is
//! recorded three ways — `policy`, `signed` and `key_id` — and any one of them makes a
//! valid signature required; a combination the cache never writes (a commercial pack
//! recorded as unsigned, a key id without a signature, a signature file that metadata does
//! not mention) is reported as tampering. So downgrading `policy` to `open` and deleting
//! `signature.json` still fails: `signed` and `key_id` remember the signature. (An
//! attacker who rewrites every field consistently can only make the entry an unsigned
//! open pack with the digest it really has; pin the digest or expect a signature with
//! [`SignatureRequirement::Always`](crate::SignatureRequirement::Always) where the caller
//! knows more, such as from a lockfile.)

use std::fmt;

use registry_types::{Digest, Namespace, PackName, Policy, Timestamp, Version};
use registry_verify::KeyId;
use serde::{Deserialize, Serialize};

use crate::location::EntryLocation;
use crate::registry_id::RegistryId;

/// The `format` this version of the cache writes and reads.
pub const METADATA_FORMAT: u32 = 1;

/// The largest `metadata.json` read, in bytes.
pub(crate) const MAX_METADATA_BYTES: usize = 64 * 1024;

/// The contents of an entry's `metadata.json`.
///
/// Serialized with these field names; unknown fields are refused (the file is written by
/// the cache only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheMeta {
    /// The metadata format, [`METADATA_FORMAT`].
    pub format: u32,
    /// The registry's base URL, as the entry's key gave it (in its normal form).
    pub registry_url: String,
    /// The pack's namespace; `null` for the global one.
    pub namespace: Option<Namespace>,
    /// The pack's name.
    pub name: PackName,
    /// The pack's version.
    pub version: Version,
    /// The canonical digest of `pack.yaml`.
    pub digest: Digest,
    /// The pack's policy, from `X-Pack-Policy` when it was fetched.
    pub policy: Policy,
    /// Whether the pack came with a signature (`signature.json` exists).
    pub signed: bool,
    /// The signing key's id, when known.
    pub key_id: Option<KeyId>,
    /// The response's `ETag`, for `If-None-Match`.
    pub etag: Option<String>,
    /// When the pack was fetched.
    pub fetched_at: Timestamp,
    /// When the entry goes stale (see [`crate::ttl`]).
    pub expires_at: Timestamp,
}

impl CacheMeta {
    /// Whether the entry is stale at `now` (expired entries are still served, marked).
    pub fn is_stale(&self, now: Timestamp) -> bool {
        self.expires_at <= now
    }

    /// Whether a read requires a valid signature: the policy is commercial, or the entry
    /// was recorded as signed (`signed`, or a `key_id`).
    pub fn requires_signature(&self) -> bool {
        self.policy.requires_signature() || self.signed || self.key_id.is_some()
    }

    /// The location this metadata describes.
    pub fn location(&self) -> EntryLocation {
        EntryLocation::described(
            RegistryId::from_url(&self.registry_url),
            self.namespace.clone(),
            self.name.clone(),
            self.version.clone(),
        )
    }

    /// Whether this metadata describes the entry at `location`.
    pub(crate) fn describes(&self, location: &EntryLocation) -> bool {
        RegistryId::from_url(&self.registry_url) == *location.registry()
            && self.namespace.as_ref() == location.namespace()
            && &self.name == location.name()
            && &self.version == location.version()
    }

    /// A combination of fields the cache never writes, given whether `signature.json`
    /// exists.
    pub(crate) fn fault(&self, signature_present: bool) -> Option<MetadataFault> {
        if self.policy == Policy::Commercial && !self.signed {
            Some(MetadataFault::CommercialUnsigned)
        } else if self.key_id.is_some() && !self.signed {
            Some(MetadataFault::KeyIdWithoutSignature)
        } else if signature_present && !self.signed {
            Some(MetadataFault::UnrecordedSignature)
        } else {
            None
        }
    }

    /// Reads `metadata.json`.
    pub(crate) fn from_json(bytes: &[u8]) -> serde_json::Result<CacheMeta> {
        serde_json::from_slice(bytes)
    }

    /// Writes `metadata.json` (pretty, with a final newline).
    pub(crate) fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// A combination of `metadata.json` fields that the cache never writes: evidence of
/// tampering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetadataFault {
    /// `policy` is `commercial` but `signed` is false; the cache never stores a
    /// commercial pack without its signature.
    CommercialUnsigned,
    /// `key_id` is set but `signed` is false.
    KeyIdWithoutSignature,
    /// `signature.json` exists but `signed` is false.
    UnrecordedSignature,
}

impl fmt::Display for MetadataFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetadataFault::CommercialUnsigned => {
                "records a commercial pack as unsigned, which the cache never stores"
            }
            MetadataFault::KeyIdWithoutSignature => "records a signing key but no signature",
            MetadataFault::UnrecordedSignature => {
                "does not record the signature that signature.json holds"
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(policy: Policy, signed: bool, key_id: Option<KeyId>) -> CacheMeta {
        CacheMeta {
            format: METADATA_FORMAT,
            registry_url: "https://example.com/v1".to_owned(),
            namespace: None,
            name: PackName::parse("p").expect("valid"),
            version: Version::parse("1.0.0").expect("valid"),
            digest: Digest::parse(&format!("sha256:{}", "0".repeat(64))).expect("valid"),
            policy,
            signed,
            key_id,
            etag: Some("\"x\"".to_owned()),
            fetched_at: Timestamp::UNIX_EPOCH,
            expires_at: Timestamp::from_unix_seconds(60).expect("valid"),
        }
    }

    fn key_id() -> KeyId {
        KeyId::parse(&format!("sha256:{}", "a".repeat(64))).expect("valid")
    }

    #[test]
    fn any_record_of_a_signature_requires_one() {
        assert!(!meta(Policy::Open, false, None).requires_signature());
        assert!(meta(Policy::Commercial, true, None).requires_signature());
        assert!(meta(Policy::Open, true, None).requires_signature());
        assert!(meta(Policy::Open, false, Some(key_id())).requires_signature());
    }

    #[test]
    fn combinations_never_written_are_faults() {
        assert_eq!(meta(Policy::Open, false, None).fault(false), None);
        assert_eq!(meta(Policy::Open, true, Some(key_id())).fault(true), None);
        assert_eq!(
            meta(Policy::Commercial, false, None).fault(false),
            Some(MetadataFault::CommercialUnsigned)
        );
        assert_eq!(
            meta(Policy::Open, false, Some(key_id())).fault(false),
            Some(MetadataFault::KeyIdWithoutSignature)
        );
        assert_eq!(
            meta(Policy::Open, false, None).fault(true),
            Some(MetadataFault::UnrecordedSignature)
        );
    }

    #[test]
    fn json_round_trip_and_strictness() {
        let original = meta(Policy::Open, true, Some(key_id()));
        let json = original.to_json().expect("encode");
        assert_eq!(CacheMeta::from_json(&json).expect("decode"), original);
        let text = String::from_utf8(json).expect("UTF-8");
        assert!(text.contains("\"policy\": \"open\""), "{text}");
        let extra = text.replacen('{', "{\"trusted\": true,", 1);
        let refused = CacheMeta::from_json(extra.as_bytes()).expect_err("an unknown field");
        assert!(
            refused.to_string().contains("unknown field `trusted`"),
            "{refused}"
        );
        let stale = original.clone();
        assert!(!stale.is_stale(Timestamp::UNIX_EPOCH));
        assert!(stale.is_stale(Timestamp::from_unix_seconds(60).expect("valid")));
    }
}
