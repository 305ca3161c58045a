//! Trust (registry-verify): the trust store of roots and pack-signing keys, and the signed
//! keys manifest that vouches for keys.
//!
//! The seed's names map onto this implementation's types as follows:
//!
//! - [`KeysManifest`] is [`VerifiedManifest`]: a keys manifest whose signature verified
//!   against a root, with its version, times and usable keys — what
//!   [`TrustStore::accept_manifest`] takes. The unverified `GET /keys` response is
//!   [`crate::client::KeysManifestResponse`]; [`verify_manifest`] turns its body into a
//!   `KeysManifest`.
//! - [`KeyMetadata`] is [`ManifestKeyDraft`]: what a keys manifest says about one key (the
//!   key, its usage, a description, its validity window, whether it is revoked), as a
//!   registry operator writes it with [`sign_manifest`].
//!   On the reading side each accepted entry becomes a [`TrustedKey`] and each refused one
//!   a [`DroppedKey`].
//! - [`TrustedKey`] is a pack-signing key in the trust store, with where it came from, its
//!   validity window and whether it is revoked.

pub use registry_verify::{
    DropFault, DroppedKey, EMBEDDED_ROOTS, KEYS_MANIFEST_PAYLOAD_TYPE, KeyId, KeySource,
    KeyValidity, ManifestCheckpoint, ManifestDraft, ManifestKeyDraft,
    ManifestKeyDraft as KeyMetadata, PACK_SIGNING_USAGE, PublicKey, RootSpec, TrustMode,
    TrustStore, TrustedKey, ValidityWindow, VerifiedManifest, VerifiedManifest as KeysManifest,
    manifest_envelope, sign_manifest, verify_manifest,
};
