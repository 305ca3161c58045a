//! The trust store: root keys that may sign keys manifests, and the pack-signing keys that
//! come from a verified manifest or from explicit configuration.

use std::collections::BTreeMap;
use std::fmt;

use registry_types::Timestamp;

use crate::error::Result;
use crate::key_id::KeyId;
use crate::manifest::VerifiedManifest;
use crate::public_key::PublicKey;

/// The roots compiled into this build, as base64 SPKI DER. The project ships none: every
/// root comes from configuration until a registry operator publishes one.
pub const EMBEDDED_ROOTS: &[&str] = &[];

/// How configured roots combine with the embedded ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TrustMode {
    /// Embedded roots and configured roots are both trusted (the default).
    #[default]
    Union,
    /// Only the configured roots are trusted; the embedded ones are ignored. Callers should
    /// log that this mode is in force.
    Override,
}

/// A root as configured: a full public key, or a key id whose key a keys manifest may
/// supply (PROTOCOL §5).
#[derive(Clone, Debug, PartialEq)]
pub enum RootSpec {
    /// A root known by its key id only.
    KeyId(KeyId),
    /// A root known by its public key.
    Key(PublicKey),
}

impl RootSpec {
    /// Reads a root from configuration text: a key id (`sha256:<hex>`), a PEM public key, or
    /// base64 SPKI DER.
    ///
    /// # Errors
    /// The key parser's error when the text is neither a key id nor a readable key.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.starts_with("sha256:") {
            return KeyId::parse(text).map(RootSpec::KeyId);
        }
        PublicKey::parse(text).map(RootSpec::Key)
    }

    /// The root's key id.
    pub fn key_id(&self) -> &KeyId {
        match self {
            RootSpec::KeyId(id) => id,
            RootSpec::Key(key) => key.key_id(),
        }
    }
}

/// Where a trusted pack-signing key came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// Configured directly (trusted without a manifest).
    Configured,
    /// Listed in the keys manifest with this version, verified against a root.
    Manifest {
        /// The manifest's version.
        version: u64,
    },
}

/// A pack-signing key with the conditions under which it is trusted.
#[derive(Clone, Debug, PartialEq)]
pub struct TrustedKey {
    /// The key.
    pub key: PublicKey,
    /// Where it came from.
    pub source: KeySource,
    /// When it is trusted.
    pub window: ValidityWindow,
    /// Revoked keys are never trusted.
    pub revoked: bool,
}

/// The time during which a key is trusted, each end optional (open).
///
/// Displayed as `2026-01-01T00:00:00Z..2027-01-01T00:00:00Z`, with `…` for an open end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ValidityWindow {
    /// Not trusted before this time.
    pub not_before: Option<Timestamp>,
    /// Not trusted after this time.
    pub not_after: Option<Timestamp>,
}

impl ValidityWindow {
    /// A window from `not_before` to `not_after`, both inclusive.
    pub fn new(not_before: Option<Timestamp>, not_after: Option<Timestamp>) -> Self {
        ValidityWindow {
            not_before,
            not_after,
        }
    }

    /// Whether `now` is before the window starts.
    pub fn has_not_started(&self, now: Timestamp) -> bool {
        self.not_before.is_some_and(|start| now < start)
    }

    /// Whether `now` is after the window ends.
    pub fn has_ended(&self, now: Timestamp) -> bool {
        self.not_after.is_some_and(|end| now > end)
    }
}

impl fmt::Display for ValidityWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = |f: &mut fmt::Formatter<'_>, at: Option<Timestamp>| match at {
            Some(at) => write!(f, "{at}"),
            None => f.write_str("…"),
        };
        end(f, self.not_before)?;
        f.write_str("..")?;
        end(f, self.not_after)
    }
}

/// Whether a key may be used at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyValidity {
    /// Usable.
    Valid,
    /// Its window has not started.
    NotYetValid,
    /// Its window has ended.
    Expired,
    /// Revoked by the manifest.
    Revoked,
}

impl TrustedKey {
    /// A configured key, trusted at any time.
    pub fn configured(key: PublicKey) -> Self {
        TrustedKey {
            key,
            source: KeySource::Configured,
            window: ValidityWindow::default(),
            revoked: false,
        }
    }

    /// Whether the key may be used at `now`.
    pub fn validity(&self, now: Timestamp) -> KeyValidity {
        if self.revoked {
            KeyValidity::Revoked
        } else if self.window.has_not_started(now) {
            KeyValidity::NotYetValid
        } else if self.window.has_ended(now) {
            KeyValidity::Expired
        } else {
            KeyValidity::Valid
        }
    }
}

/// The keys this process trusts: roots (for keys manifests) and pack-signing keys.
#[derive(Clone, Default)]
pub struct TrustStore {
    roots: BTreeMap<KeyId, Option<PublicKey>>,
    pack_keys: BTreeMap<KeyId, TrustedKey>,
}

impl fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustStore")
            .field("roots", &self.roots.keys().collect::<Vec<_>>())
            .field("pack_keys", &self.pack_keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TrustStore {
    /// A store with the embedded roots and `configured` roots combined as `mode` says.
    ///
    /// # Errors
    /// An embedded root that does not parse (a build defect, reported rather than ignored).
    pub fn new(configured: Vec<RootSpec>, mode: TrustMode) -> Result<Self> {
        let mut store = TrustStore::default();
        if mode == TrustMode::Union {
            for text in EMBEDDED_ROOTS {
                store.add_root(RootSpec::Key(PublicKey::from_base64_spki(text)?));
            }
        }
        for root in configured {
            store.add_root(root);
        }
        Ok(store)
    }

    /// Adds a root. A key given for a root known by id alone completes it.
    pub fn add_root(&mut self, root: RootSpec) {
        match root {
            RootSpec::KeyId(id) => {
                self.roots.entry(id).or_insert(None);
            }
            RootSpec::Key(key) => {
                self.roots.insert(key.key_id().clone(), Some(key));
            }
        }
    }

    /// Trusts `key` for pack signatures directly, without a manifest.
    pub fn add_pack_key(&mut self, key: PublicKey) {
        self.pack_keys
            .insert(key.key_id().clone(), TrustedKey::configured(key));
    }

    /// Trusts a pack-signing key with its own conditions (window, revocation).
    pub fn add_trusted_pack_key(&mut self, key: TrustedKey) {
        self.pack_keys.insert(key.key.key_id().clone(), key);
    }

    /// Trusts the pack-signing keys of a verified manifest. Configured keys keep
    /// precedence: a manifest entry never replaces one.
    pub fn accept_manifest(&mut self, manifest: &VerifiedManifest) {
        for key in manifest.keys() {
            let configured = self
                .pack_keys
                .get(key.key.key_id())
                .is_some_and(|existing| existing.source == KeySource::Configured);
            if !configured {
                self.pack_keys.insert(key.key.key_id().clone(), key.clone());
            }
        }
    }

    /// The roots' key ids, with their public key when it is known.
    pub fn roots(&self) -> impl Iterator<Item = (&KeyId, Option<&PublicKey>)> {
        self.roots.iter().map(|(id, key)| (id, key.as_ref()))
    }

    /// Whether `id` is a root.
    pub fn is_root(&self, id: &KeyId) -> bool {
        self.roots.contains_key(id)
    }

    /// The pack-signing key with id `id`.
    pub fn pack_key(&self, id: &KeyId) -> Option<&TrustedKey> {
        self.pack_keys.get(id)
    }

    /// All pack-signing keys.
    pub fn pack_keys(&self) -> impl Iterator<Item = &TrustedKey> {
        self.pack_keys.values()
    }
}
