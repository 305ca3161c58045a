//! Signing for pack authors (pack envelopes) and registry operators (keys manifests).

use registry_types::{Timestamp, base64};
use serde::Serialize;
use snafu::ResultExt;

use crate::envelope::Envelope;
use crate::error::{EncodeManifestSnafu, Result};
use crate::manifest::{KEYS_MANIFEST_PAYLOAD_TYPE, PACK_SIGNING_USAGE};
use crate::pack::{LEGACY_PACK_PAYLOAD_TYPE, PACK_PAYLOAD_TYPE};
use crate::private_key::PrivateKey;
use crate::public_key::PublicKey;

/// Which payload type a pack envelope carries; both cover the same canonical bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PackPayloadType {
    /// `application/vnd.assay.pack.v1+jcs`, the protocol's type (the default).
    #[default]
    Jcs,
    /// `application/vnd.assay.pack+yaml;v=1`, what deployed reference clients expect.
    Legacy,
}

impl PackPayloadType {
    /// The media type string.
    pub fn as_str(self) -> &'static str {
        match self {
            PackPayloadType::Jcs => PACK_PAYLOAD_TYPE,
            PackPayloadType::Legacy => LEGACY_PACK_PAYLOAD_TYPE,
        }
    }
}

/// Signs a pack: canonicalizes it and signs the canonical bytes with every key.
///
/// # Errors
/// The pack has no canonical form, is not a pack (its top level is not a mapping with
/// string `name` and `version`: [`crate::Error::NotAPack`]), or a key fails to sign.
pub fn sign_pack(
    pack: &[u8],
    keys: &[&PrivateKey],
    payload_type: PackPayloadType,
) -> Result<Envelope> {
    let canonical = registry_canon::CanonicalPack::from_yaml(pack, &Default::default())
        .map_err(Box::new)
        .context(crate::error::CanonicalizeSnafu)?;
    let identity = canonical.identity();
    let missing = match (identity.name(), identity.version()) {
        (None, _) => Some("name"),
        (_, None) => Some("version"),
        _ => None,
    };
    if let Some(missing) = missing {
        return crate::error::NotAPackSnafu { missing }.fail();
    }
    let mut envelope = Envelope::new(payload_type.as_str(), canonical.into_bytes());
    for key in keys {
        envelope.add_signature(key)?;
    }
    Ok(envelope)
}

/// What a key listed in a keys manifest is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyUsage {
    /// Signs packs (the default).
    #[default]
    PackSigning,
    /// Signs keys manifests: a root listed so that clients that pin it by key id alone can
    /// find its public key (PROTOCOL §5). Never trusted for packs.
    ManifestSigning,
}

impl KeyUsage {
    /// The `usage` string in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyUsage::PackSigning => PACK_SIGNING_USAGE,
            KeyUsage::ManifestSigning => "manifest-signing",
        }
    }
}

/// One key to list in a keys manifest.
#[derive(Clone, Debug)]
pub struct ManifestKeyDraft {
    /// The key.
    pub key: PublicKey,
    /// What it is for.
    pub usage: KeyUsage,
    /// A note for humans.
    pub description: Option<String>,
    /// Not trusted before this time.
    pub not_before: Option<Timestamp>,
    /// Not trusted after this time.
    pub not_after: Option<Timestamp>,
    /// Listed as revoked: clients must not trust it (kept in the list so they learn it).
    pub revoked: bool,
}

impl ManifestKeyDraft {
    /// A pack-signing key with no description and an open validity window.
    pub fn new(key: PublicKey) -> Self {
        ManifestKeyDraft {
            key,
            usage: KeyUsage::PackSigning,
            description: None,
            not_before: None,
            not_after: None,
            revoked: false,
        }
    }
}

/// The contents of a keys manifest to sign.
#[derive(Clone, Debug)]
pub struct ManifestDraft {
    /// The sequence number; raise it every time the manifest is re-signed.
    pub version: u64,
    /// When it is issued.
    pub issued_at: Option<Timestamp>,
    /// When it stops being usable.
    pub expires_at: Option<Timestamp>,
    /// The pack-signing keys.
    pub keys: Vec<ManifestKeyDraft>,
}

#[derive(Serialize)]
struct ManifestJson<'a> {
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    issued_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<Timestamp>,
    keys: Vec<KeyJson<'a>>,
}

#[derive(Serialize)]
struct KeyJson<'a> {
    key_id: &'a str,
    algorithm: &'static str,
    public_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_before: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_after: Option<Timestamp>,
    revoked: bool,
    usage: [&'static str; 1],
}

/// Signs a keys manifest with a root key; the result is the bare-envelope body of
/// `GET /keys`.
///
/// # Errors
/// The manifest cannot be encoded, or the key fails to sign.
pub fn sign_manifest(draft: &ManifestDraft, root: &PrivateKey) -> Result<Envelope> {
    let json = ManifestJson {
        version: draft.version,
        issued_at: draft.issued_at,
        expires_at: draft.expires_at,
        keys: draft
            .keys
            .iter()
            .map(|entry| KeyJson {
                key_id: entry.key.key_id().as_str(),
                algorithm: entry.key.algorithm().as_str(),
                public_key: base64::encode_standard(entry.key.spki_der()),
                description: entry.description.as_deref(),
                not_before: entry.not_before,
                not_after: entry.not_after,
                revoked: entry.revoked,
                usage: [entry.usage.as_str()],
            })
            .collect(),
    };
    let payload = serde_json::to_vec(&json).context(EncodeManifestSnafu)?;
    let mut envelope = Envelope::new(KEYS_MANIFEST_PAYLOAD_TYPE, payload);
    envelope.add_signature(root)?;
    Ok(envelope)
}
