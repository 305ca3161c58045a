//! One locked pack: what it is, where it came from and who signed it.

use std::fmt;

use registry_types::{BaseUrl, ByosRef, Digest, Namespace, PackName, Timestamp, Version};

/// Where a locked pack was resolved from: the `source` field of a lockfile entry.
///
/// This is the tag alone; [`LockOrigin`] carries the data that goes with each source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockSource {
    /// A pack from a registry (`name@version`, through the cache).
    Registry,
    /// A pack built into the embedding program.
    Bundled,
    /// A pack in the user's own object storage (`s3://`, `gs://`, `az://`).
    Byos,
    /// A pack file on the local disk.
    Local,
}

impl LockSource {
    /// Every source, in the order the protocol lists them.
    pub const ALL: [LockSource; 4] = [
        LockSource::Registry,
        LockSource::Bundled,
        LockSource::Byos,
        LockSource::Local,
    ];

    /// The word the lockfile writes: `registry`, `bundled`, `byos` or `local`.
    pub fn as_str(self) -> &'static str {
        match self {
            LockSource::Registry => "registry",
            LockSource::Bundled => "bundled",
            LockSource::Byos => "byos",
            LockSource::Local => "local",
        }
    }

    /// The source written as `word`, or `None` for any other text (exact lowercase only).
    pub fn from_word(word: &str) -> Option<LockSource> {
        LockSource::ALL
            .into_iter()
            .find(|source| source.as_str() == word)
    }
}

impl fmt::Display for LockSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signature a locked pack was verified with: the `signature` field of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LockSignature {
    /// The signature algorithm as registry-verify names it (`Ed25519`). Kept as text: the
    /// set of algorithms belongs to registry-verify, and a lockfile written by a newer tool
    /// must still load.
    pub algorithm: String,
    /// The signing key's id: `sha256:` and the hex SHA-256 of its SubjectPublicKeyInfo, the
    /// same text form as a [`Digest`].
    pub key_id: Digest,
}

/// The data that goes with a pack's [`LockSource`].
///
/// Each source carries exactly the fields the lockfile allows for it, so every value of
/// [`LockedPack`] renders to a lockfile that parses back to the same value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LockOrigin {
    /// Fetched from a registry.
    Registry(RegistryOrigin),
    /// Built into the embedding program.
    Bundled,
    /// Fetched from the user's own object storage.
    Byos {
        /// The object's URL: the entry's `byos_url`.
        url: ByosRef,
    },
    /// Read from a file on the local disk.
    Local,
}

impl LockOrigin {
    /// The source tag of this origin.
    pub fn source(&self) -> LockSource {
        match self {
            LockOrigin::Registry(_) => LockSource::Registry,
            LockOrigin::Bundled => LockSource::Bundled,
            LockOrigin::Byos { .. } => LockSource::Byos,
            LockOrigin::Local => LockSource::Local,
        }
    }
}

/// Where and when a registry pack was fetched.
///
/// Every field is optional: lockfile version 1 has none of them, and a version 2 entry
/// writes `null` for what is unknown (a registry that sends no `ETag`, say).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RegistryOrigin {
    /// The registry's base URL (`registry_url`), in [`BaseUrl`]'s normal form.
    pub registry_url: Option<BaseUrl>,
    /// The organisation (`namespace`, written `orgs/{org}`); `None` is the global namespace.
    pub namespace: Option<Namespace>,
    /// When the pack was fetched (`fetched_at`).
    pub fetched_at: Option<Timestamp>,
    /// The registry's `ETag` for the pack, verbatim, quotes included (`etag`).
    pub etag: Option<String>,
}

/// What identifies a locked pack: its name, version and namespace.
///
/// A lockfile holds at most one entry per key, and verification pairs a resolved pack with
/// the locked pack of the same key, so a changed digest, source or signing key is a
/// mismatch of that pair, never a missing pack. The order (name, then version by SemVer
/// precedence, then build metadata, then namespace with the global one first) is the
/// order of the lockfile's `packs`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LockKey {
    /// The pack name.
    pub name: PackName,
    /// The exact version.
    pub version: Version,
    /// The organisation, or `None` for the global namespace (and for every source other
    /// than a registry).
    pub namespace: Option<Namespace>,
}

impl fmt::Display for LockKey {
    /// Writes the key as a registry reference: `acme/eu-ai-act-pro@1.2.0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(namespace) = &self.namespace {
            write!(f, "{namespace}/")?;
        }
        write!(f, "{}@{}", self.name, self.version)
    }
}

/// One entry of a lockfile: a pack, its digest, where it came from and its signature.
///
/// The fields are public and every combination is valid, so the code that resolves packs
/// builds one `LockedPack` per resolved pack and compares it with the locked one
/// ([`Lockfile::compare`](crate::Lockfile::compare)).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LockedPack {
    /// The pack name.
    pub name: PackName,
    /// The exact version.
    pub version: Version,
    /// The canonical digest of the pack.
    pub digest: Digest,
    /// The source and its data.
    pub origin: LockOrigin,
    /// The signature the pack was verified with, if it was signed.
    pub signature: Option<LockSignature>,
}

impl LockedPack {
    /// The entry's source tag.
    pub fn source(&self) -> LockSource {
        self.origin.source()
    }

    /// The entry's namespace (only registry packs have one).
    pub fn namespace(&self) -> Option<&Namespace> {
        match &self.origin {
            LockOrigin::Registry(registry) => registry.namespace.as_ref(),
            _ => None,
        }
    }

    /// The id of the key that signed the pack, if it was signed.
    pub fn key_id(&self) -> Option<&Digest> {
        self.signature.as_ref().map(|signature| &signature.key_id)
    }

    /// The key that identifies this entry in a lockfile.
    pub fn key(&self) -> LockKey {
        LockKey {
            name: self.name.clone(),
            version: self.version.clone(),
            namespace: self.namespace().cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_words_round_trip_and_are_exact() {
        for source in LockSource::ALL {
            assert_eq!(LockSource::from_word(source.as_str()), Some(source));
        }
        assert_eq!(LockSource::from_word("Registry"), None);
        assert_eq!(LockSource::from_word(""), None);
    }

    #[test]
    fn keys_order_by_name_then_semver_then_namespace() {
        let key = |name: &str, version: &str, namespace: Option<&str>| LockKey {
            name: PackName::parse(name).unwrap(),
            version: Version::parse(version).unwrap(),
            namespace: namespace.map(|org| Namespace::parse(org).unwrap()),
        };
        let mut keys = [
            key("b", "1.0.0", None),
            key("a", "1.10.0", None),
            key("a", "1.2.0", Some("acme")),
            key("a", "1.2.0", None),
            key("a", "1.2.0-rc.1", None),
        ];
        keys.sort();
        let shown: Vec<String> = keys.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "a@1.2.0-rc.1",
                "a@1.2.0",
                "acme/a@1.2.0",
                "a@1.10.0",
                "b@1.0.0"
            ]
        );
    }
}
