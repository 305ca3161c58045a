//! The registry's signed keys manifest (PROTOCOL §5): reading either body form, verifying
//! it against a root, rollback protection, and the keys it vouches for.

use std::borrow::Cow;
use std::collections::BTreeSet;

use registry_canon::digest_of_canonical_bytes;
use registry_types::wire::KeysBody;
use registry_types::{Digest, Timestamp, base64};
use serde::{Deserialize, Serialize};
use snafu::{ResultExt, ensure};

use crate::algorithm::Algorithm;
use crate::envelope::{Envelope, MAX_ENVELOPE_BYTES};
use crate::error::{
    EnvelopeTooLargeSnafu, InvalidBase64Snafu, ManifestEnvelopeSnafu, ManifestExpiredSnafu,
    ManifestJsonSnafu, ManifestNotSignedByRootSnafu, ManifestPayloadSnafu,
    ManifestPayloadTypeSnafu, ManifestReplacedSnafu, ManifestRollbackSnafu, ManifestUnsignedSnafu,
    ManifestVersionSnafu, Result,
};
use crate::key_id::KeyId;
use crate::public_key::{PublicKey, spki_der_from_base64};
use crate::signers::SignerHints;
use crate::trust::{KeySource, TrustStore, TrustedKey, ValidityWindow};

/// The DSSE payload type of a keys manifest.
pub const KEYS_MANIFEST_PAYLOAD_TYPE: &str = "application/vnd.assay.registry.keys.v1+json";

/// The usage a manifest key needs (when it lists usages at all) to sign packs.
pub const PACK_SIGNING_USAGE: &str = "pack-signing";

/// What the caller remembers about the last manifest it accepted from a registry, for
/// rollback protection. This crate never stores it; the caller persists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestCheckpoint {
    /// The accepted manifest's version.
    pub version: u64,
    /// SHA-256 of the accepted manifest's payload bytes, exactly as signed.
    pub payload_digest: Digest,
}

/// Why a key listed in a verified manifest is not used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropFault {
    /// The claimed key id is not the SHA-256 of the key's SPKI.
    KeyIdMismatch {
        /// What the manifest claims.
        claimed: String,
        /// What the key hashes to.
        computed: KeyId,
    },
    /// The `algorithm` field disagrees with the key.
    AlgorithmMismatch {
        /// What the manifest claims.
        claimed: String,
        /// What the key is.
        actual: Algorithm,
    },
    /// `usage` is present and lacks `pack-signing`.
    NotForPackSigning,
    /// `public_key` is not a readable SPKI key.
    UnreadableKey {
        /// The key parser's message.
        reason: String,
    },
}

/// A key the manifest lists but that is not used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedKey {
    /// The key id the entry claims.
    pub claimed_key_id: String,
    /// Why it is dropped.
    pub reason: DropFault,
}

/// A keys manifest whose signature verified against a root, with its usable keys.
#[derive(Clone, Debug)]
pub struct VerifiedManifest {
    version: u64,
    issued_at: Option<Timestamp>,
    expires_at: Option<Timestamp>,
    signed_by: KeyId,
    keys: Vec<TrustedKey>,
    dropped: Vec<DroppedKey>,
    checkpoint: ManifestCheckpoint,
}

impl VerifiedManifest {
    /// The manifest's version (a sequence number).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When the registry issued it.
    pub fn issued_at(&self) -> Option<Timestamp> {
        self.issued_at
    }

    /// When it stops being usable.
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.expires_at
    }

    /// The root whose signature verified.
    pub fn signed_by(&self) -> &KeyId {
        &self.signed_by
    }

    /// The pack-signing keys it lists, with their windows and revocation flags.
    pub fn keys(&self) -> &[TrustedKey] {
        &self.keys
    }

    /// The entries that were dropped, and why.
    pub fn dropped(&self) -> &[DroppedKey] {
        &self.dropped
    }

    /// What to remember for rollback protection on the next fetch.
    pub fn checkpoint(&self) -> &ManifestCheckpoint {
        &self.checkpoint
    }
}

/// The manifest payload as JSON, with both spellings of the key fields.
#[derive(Deserialize)]
struct ManifestDocument {
    version: u64,
    keys: Vec<KeyEntry>,
    #[serde(default)]
    issued_at: Option<Timestamp>,
    #[serde(default)]
    expires_at: Option<Timestamp>,
}

#[derive(Deserialize)]
struct KeyEntry {
    #[serde(alias = "id")]
    key_id: String,
    algorithm: String,
    public_key: String,
    #[serde(default, alias = "not_before")]
    added_at: Option<Timestamp>,
    #[serde(default, alias = "not_after")]
    expires_at: Option<Timestamp>,
    #[serde(default)]
    revoked: bool,
    /// `None` when absent; `Some(None)` for `null`, which lists no usage at all.
    #[serde(default, deserialize_with = "present")]
    usage: Option<Option<Vec<String>>>,
}

/// Reads a field that is there, `null` included, as `Some`: with `#[serde(default)]`, an
/// absent field stays `None`, so the two can be told apart.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Any JSON value, read only to refuse an object that has the same key twice (after
/// unescaping), at any depth. serde_json's `Value` silently keeps the last one, so without
/// this check a body could carry two envelopes, or two payloads, and another reader might
/// pick the other one.
struct UniqueKeys;

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = UniqueKeys;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }

            fn visit_bool<E>(self, _: bool) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }

            fn visit_i64<E>(self, _: i64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }

            fn visit_u64<E>(self, _: u64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }

            fn visit_f64<E>(self, _: f64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }

            fn visit_str<E>(self, _: &str) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }

            fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<UniqueKeys, A::Error> {
                while seq.next_element::<UniqueKeys>()?.is_some() {}
                Ok(UniqueKeys)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<UniqueKeys, A::Error> {
                let mut seen = BTreeSet::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if !seen.insert(key.clone()) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate key `{key}`"
                        )));
                    }
                    map.next_value::<UniqueKeys>()?;
                }
                Ok(UniqueKeys)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The envelope of a `GET /keys` body: the body itself, or its `signature` field (an
/// envelope object, or base64 of the envelope's JSON).
///
/// The body may be at most [`MAX_ENVELOPE_BYTES`] long, and no object in it may have the
/// same key twice.
///
/// # Errors
/// The body is too large, is not JSON (or repeats a key), carries no envelope, or the
/// envelope is malformed.
pub fn manifest_envelope(body: &[u8]) -> Result<Envelope> {
    if body.len() > MAX_ENVELOPE_BYTES {
        let too_large = EnvelopeTooLargeSnafu {
            size: body.len(),
            limit: MAX_ENVELOPE_BYTES,
        }
        .build();
        return Err(Box::new(too_large)).context(ManifestEnvelopeSnafu);
    }
    serde_json::from_slice::<UniqueKeys>(body).context(ManifestJsonSnafu)?;
    let json: serde_json::Value = serde_json::from_slice(body).context(ManifestJsonSnafu)?;
    match KeysBody::classify(&json) {
        KeysBody::Envelope(envelope) | KeysBody::WrappedObject(envelope) => {
            Envelope::from_json_value(envelope)
                .map_err(Box::new)
                .context(ManifestEnvelopeSnafu)
        }
        KeysBody::WrappedBase64(encoded) => {
            let bytes = base64::decode_lenient(encoded)
                .context(InvalidBase64Snafu)
                .map_err(Box::new)
                .context(ManifestEnvelopeSnafu)?;
            Envelope::from_json(&bytes)
                .map_err(Box::new)
                .context(ManifestEnvelopeSnafu)
        }
        KeysBody::Unsigned => ManifestUnsignedSnafu.fail(),
    }
}

/// Verifies a `GET /keys` body against the roots of `trust` at time `now`.
///
/// Only keys inside the verified payload are used. A root known by key id alone is
/// completed by the manifest key whose SPKI hashes to that id. `last` is the checkpoint of
/// the last manifest accepted from the same registry: an older version, or the same version
/// with different bytes, is rejected.
///
/// # Errors
/// Unsigned body, wrong payload type, no valid root signature, malformed payload, version
/// 0, expired manifest, rollback or replaced manifest.
pub fn verify_manifest(
    body: &[u8],
    trust: &TrustStore,
    last: Option<&ManifestCheckpoint>,
    now: Timestamp,
) -> Result<VerifiedManifest> {
    let envelope = manifest_envelope(body)?;
    ensure!(
        envelope.payload_type() == KEYS_MANIFEST_PAYLOAD_TYPE,
        ManifestPayloadTypeSnafu {
            payload_type: envelope.payload_type(),
        }
    );
    // Candidate keys for roots known by id alone come from the (not yet trusted) payload;
    // they are used only when their SPKI hashes to a configured root id.
    let candidates = candidate_root_keys(envelope.payload(), trust);
    let signed_by = root_signature(&envelope, trust, &candidates)?;
    let document: ManifestDocument =
        serde_json::from_slice(envelope.payload()).context(ManifestPayloadSnafu)?;
    ensure!(
        document.version >= 1,
        ManifestVersionSnafu {
            version: document.version
        }
    );
    if let Some(expires_at) = document.expires_at {
        ensure!(now <= expires_at, ManifestExpiredSnafu { expires_at, now });
    }
    let checkpoint = ManifestCheckpoint {
        version: document.version,
        payload_digest: digest_of_canonical_bytes(envelope.payload()),
    };
    if let Some(last) = last {
        ensure!(
            checkpoint.version >= last.version,
            ManifestRollbackSnafu {
                version: checkpoint.version,
                last_version: last.version,
            }
        );
        ensure!(
            checkpoint.version > last.version || checkpoint.payload_digest == last.payload_digest,
            ManifestReplacedSnafu {
                version: checkpoint.version,
            }
        );
    }
    let (keys, dropped) = usable_keys(document.keys, document.version, document.expires_at);
    Ok(VerifiedManifest {
        version: document.version,
        issued_at: document.issued_at,
        expires_at: document.expires_at,
        signed_by,
        keys,
        dropped,
        checkpoint,
    })
}

/// Keys listed in an unverified payload that complete a root known by id alone.
///
/// The payload is not verified yet, so only entries whose SPKI hashes to such a root are
/// parsed as keys (a P-256 key costs about one signature verification to check); all the
/// others are only hashed.
fn candidate_root_keys(payload: &[u8], trust: &TrustStore) -> Vec<PublicKey> {
    #[derive(Deserialize)]
    struct Keys {
        #[serde(default)]
        keys: Vec<serde_json::Value>,
    }
    let wanted: BTreeSet<&KeyId> = trust
        .roots()
        .filter(|(_, key)| key.is_none())
        .map(|(id, _)| id)
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let Ok(keys) = serde_json::from_slice::<Keys>(payload) else {
        return Vec::new();
    };
    keys.keys
        .iter()
        .filter_map(|entry| entry.get("public_key")?.as_str())
        .filter_map(|text| spki_der_from_base64(text).ok())
        .filter(|der| wanted.contains(&KeyId::of_spki_der(der)))
        .filter_map(|der| PublicKey::from_spki_der(&der).ok())
        .collect()
}

/// The id of a root whose signature on the envelope verifies.
fn root_signature(
    envelope: &Envelope,
    trust: &TrustStore,
    candidates: &[PublicKey],
) -> Result<KeyId> {
    for (root_id, root_key) in trust.roots() {
        let key = root_key.or_else(|| candidates.iter().find(|key| key.key_id() == root_id));
        let Some(key) = key else { continue };
        let verified = envelope.signatures().iter().any(|signature| {
            let hint_matches = signature
                .keyid
                .as_deref()
                .is_none_or(|hint| root_id.matches_hint(hint));
            hint_matches && envelope.verify_signature(signature, key).is_ok()
        });
        if verified {
            return Ok(root_id.clone());
        }
    }
    ManifestNotSignedByRootSnafu {
        signers: envelope
            .signatures()
            .iter()
            .map(|signature| signature.keyid.clone())
            .collect::<SignerHints>(),
    }
    .fail()
}

/// Splits the manifest's entries into trusted keys and dropped ones.
fn usable_keys(
    entries: Vec<KeyEntry>,
    version: u64,
    manifest_expires_at: Option<Timestamp>,
) -> (Vec<TrustedKey>, Vec<DroppedKey>) {
    let mut keys: Vec<TrustedKey> = Vec::new();
    let mut dropped = Vec::new();
    for entry in entries {
        let drop = |reason| DroppedKey {
            claimed_key_id: entry.key_id.clone(),
            reason,
        };
        let key = match PublicKey::from_base64_spki(&entry.public_key) {
            Ok(key) => key,
            Err(error) => {
                dropped.push(drop(DropFault::UnreadableKey {
                    reason: error.to_string(),
                }));
                continue;
            }
        };
        if key.key_id().as_str() != entry.key_id {
            dropped.push(drop(DropFault::KeyIdMismatch {
                claimed: entry.key_id.clone(),
                computed: key.key_id().clone(),
            }));
        } else if Algorithm::parse(&entry.algorithm).ok() != Some(key.algorithm()) {
            dropped.push(drop(DropFault::AlgorithmMismatch {
                claimed: entry.algorithm.clone(),
                actual: key.algorithm(),
            }));
        } else if entry.usage.as_ref().is_some_and(|usage| {
            !usage
                .iter()
                .flatten()
                .any(|usage| usage == PACK_SIGNING_USAGE)
        }) {
            dropped.push(drop(DropFault::NotForPackSigning));
        } else if let Some(earlier) = keys.iter_mut().find(|earlier| earlier.key == key) {
            // The same key listed again: it gets the most restrictive of its entries, so
            // that the order of the entries never decides whether a revocation counts.
            earlier.revoked |= entry.revoked;
            earlier.window.not_before = earlier.window.not_before.max(entry.added_at);
            earlier.window.not_after = earliest(earlier.window.not_after, entry.expires_at);
        } else {
            keys.push(TrustedKey {
                key,
                source: KeySource::Manifest { version },
                // The manifest vouches for its keys only until it expires itself, however
                // long the caller keeps them.
                window: ValidityWindow::new(
                    entry.added_at,
                    earliest(entry.expires_at, manifest_expires_at),
                ),
                revoked: entry.revoked,
            });
        }
    }
    (keys, dropped)
}

/// The earlier of two optional ends, `None` being no end at all.
fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::Algorithm;
    use crate::private_key::PrivateKey;
    use crate::trust::{RootSpec, TrustMode};

    fn public(algorithm: Algorithm) -> PublicKey {
        PrivateKey::generate(algorithm).unwrap().public_key()
    }

    #[test]
    fn only_keys_completing_a_root_known_by_id_are_parsed_before_verification() {
        let by_id = public(Algorithm::Ed25519);
        let by_key = public(Algorithm::Ed25519);
        let others: Vec<PublicKey> = (0..3).map(|_| public(Algorithm::EcdsaP256Sha256)).collect();
        let entries: Vec<serde_json::Value> = others
            .iter()
            .chain([&by_key, &by_id])
            .map(|key| serde_json::json!({"public_key": key.to_base64_spki()}))
            .collect();
        let payload = serde_json::json!({"version": 1, "keys": entries}).to_string();
        let trust = TrustStore::new(
            vec![
                RootSpec::KeyId(by_id.key_id().clone()),
                RootSpec::Key(by_key.clone()),
            ],
            TrustMode::Override,
        )
        .unwrap();
        assert_eq!(candidate_root_keys(payload.as_bytes(), &trust), [by_id]);
        // With every root's key at hand, nothing in the payload is even parsed.
        let complete = TrustStore::new(vec![RootSpec::Key(by_key)], TrustMode::Override).unwrap();
        assert!(candidate_root_keys(b"not JSON", &complete).is_empty());
        assert!(candidate_root_keys(payload.as_bytes(), &complete).is_empty());
    }
}
