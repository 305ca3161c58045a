//! Where an entry lives: its key, its directory below the cache root, and the names of
//! the files and leftovers around it.
//!
//! Every path the cache touches is built here, from a [`RegistryId`] and validated
//! [`Namespace`], [`PackName`] and [`Version`] values, never from raw text. Names the cache
//! uses for its own bookkeeping (locks, temporary and displaced directories) start with a
//! `.`, which no registry id, namespace, pack name or version can, so they never collide
//! with an entry.

use std::fmt;

use camino::Utf8PathBuf;
use registry_types::{Namespace, PackName, Version};
use snafu::ensure;

use crate::error::{Result, VersionTooLongSnafu};
use crate::registry_id::{RegistryId, normalize_registry_url};

/// The longest version the cache stores, in bytes.
///
/// SemVer sets no limit, but a version is a directory name and part of a lock and a
/// temporary name, and file systems cap names at 255 bytes; 128 leaves room for the
/// prefixes.
pub const MAX_VERSION_LEN: usize = 128;

/// The name of the directory of the global namespace.
const GLOBAL: &str = Namespace::GLOBAL_CACHE_SEGMENT;

/// The directory that holds one directory per organisation.
const ORGS: &str = "orgs";

/// Prefix of a per-entry lock file: `.lock-{version}` next to the entry directory.
const LOCK_PREFIX: &str = ".lock-";

/// Prefix of a directory being written: `.tmp-{random}-{version}`.
const TEMP_PREFIX: &str = ".tmp-";

/// Prefix of a directory moved out of the way before removal: `.old-{random}-{version}`.
const OLD_PREFIX: &str = ".old-";

/// The files of an entry directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryFile {
    /// `pack.yaml`: the pack bytes exactly as received.
    Pack,
    /// `metadata.json`: [`CacheMeta`](crate::CacheMeta).
    Metadata,
    /// `signature.json`: the DSSE envelope, when the pack came with one.
    Signature,
}

impl EntryFile {
    /// The file name.
    pub const fn file_name(self) -> &'static str {
        match self {
            EntryFile::Pack => "pack.yaml",
            EntryFile::Metadata => "metadata.json",
            EntryFile::Signature => "signature.json",
        }
    }
}

impl fmt::Display for EntryFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// Where an entry lives: `{registry_id}/{namespace}/{name}/{version}` below the root,
/// with the namespace written `_global` or `orgs/{org}`.
///
/// Displays as that relative path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryLocation {
    registry: RegistryId,
    namespace: Option<Namespace>,
    name: PackName,
    version: Version,
}

impl EntryLocation {
    /// The location of `name@version` in `namespace` (`None`: global) of `registry`.
    ///
    /// # Errors
    ///
    /// [`Error::VersionTooLong`](crate::Error::VersionTooLong) when the version is longer
    /// than [`MAX_VERSION_LEN`]; nothing touches the disk before this check.
    pub fn new(
        registry: RegistryId,
        namespace: Option<Namespace>,
        name: PackName,
        version: Version,
    ) -> Result<Self> {
        ensure!(
            version.as_str().len() <= MAX_VERSION_LEN,
            VersionTooLongSnafu {
                length: version.as_str().len(),
                limit: MAX_VERSION_LEN,
            }
        );
        Ok(EntryLocation {
            registry,
            namespace,
            name,
            version,
        })
    }

    /// A location for an error message only, without the length check.
    pub(crate) fn described(
        registry: RegistryId,
        namespace: Option<Namespace>,
        name: PackName,
        version: Version,
    ) -> Self {
        EntryLocation {
            registry,
            namespace,
            name,
            version,
        }
    }

    /// The registry.
    pub fn registry(&self) -> &RegistryId {
        &self.registry
    }

    /// The namespace; `None` is the global one.
    pub fn namespace(&self) -> Option<&Namespace> {
        self.namespace.as_ref()
    }

    /// The pack name.
    pub fn name(&self) -> &PackName {
        &self.name
    }

    /// The version.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The entry directory, relative to the cache root.
    pub fn relative_dir(&self) -> Utf8PathBuf {
        self.name_dir_relative().join(self.version.as_str())
    }

    /// The directory components from the root down to the pack-name directory, which
    /// holds the entry directory and its lock file.
    pub(crate) fn name_dir_components(&self) -> Vec<&str> {
        let mut components = vec![self.registry.as_str()];
        match &self.namespace {
            Some(org) => components.extend([ORGS, org.as_str()]),
            None => components.push(GLOBAL),
        }
        components.push(self.name.as_str());
        components
    }

    fn name_dir_relative(&self) -> Utf8PathBuf {
        self.name_dir_components().into_iter().collect()
    }

    /// The lock file's name in the pack-name directory.
    pub(crate) fn lock_file_name(&self) -> String {
        lock_file_name(self.version.as_str())
    }
}

impl fmt::Display for EntryLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}",
            self.registry,
            Namespace::cache_segment(self.namespace.as_ref()),
            self.name,
            self.version
        )
    }
}

/// What a caller knows about an entry: the registry's base URL, the namespace, the name
/// and the version.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntryKey {
    registry_url: String,
    location: EntryLocation,
}

impl EntryKey {
    /// The key of `name@version` in `namespace` (`None`: global) of the registry at
    /// `registry_url`, taken in registry-types' `BaseUrl` normal form (lowercase scheme and
    /// host, no trailing `/`).
    ///
    /// # Errors
    ///
    /// [`Error::VersionTooLong`](crate::Error::VersionTooLong) when the version is longer
    /// than [`MAX_VERSION_LEN`].
    pub fn new(
        registry_url: &str,
        namespace: Option<Namespace>,
        name: PackName,
        version: Version,
    ) -> Result<Self> {
        let registry_url = normalize_registry_url(registry_url).into_owned();
        let registry = RegistryId::from_url(&registry_url);
        Ok(EntryKey {
            location: EntryLocation::new(registry, namespace, name, version)?,
            registry_url,
        })
    }

    /// The registry's base URL in its normal form.
    pub fn registry_url(&self) -> &str {
        &self.registry_url
    }

    /// Where the entry lives.
    pub fn location(&self) -> &EntryLocation {
        &self.location
    }
}

impl fmt::Display for EntryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.location.fmt(f)
    }
}

/// The lock file name of `version`.
fn lock_file_name(version: &str) -> String {
    format!("{LOCK_PREFIX}{version}")
}

/// A name for a directory being written for `version`.
pub(crate) fn temp_dir_name(random: &str, version: &str) -> String {
    format!("{TEMP_PREFIX}{random}-{version}")
}

/// The version of a directory being written, from its `.tmp-{random}-{version}` name.
pub(crate) fn temp_dir_version(file_name: &str) -> Option<&str> {
    let (_random, version) = file_name.strip_prefix(TEMP_PREFIX)?.split_once('-')?;
    Some(version)
}

/// A name for a directory of `version` moved aside before removal.
pub(crate) fn old_dir_name(random: &str, version: &str) -> String {
    format!("{OLD_PREFIX}{random}-{version}")
}

/// A name for a directory moved aside at the root (a cleared registry).
pub(crate) fn old_registry_name(random: &str, registry: &RegistryId) -> String {
    format!("{OLD_PREFIX}{random}-{registry}")
}

/// A leftover of an interrupted write or removal in a pack-name directory, or at the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Leftover {
    /// The version whose lock guards it; `None` at the root.
    pub(crate) version: Option<String>,
}

impl Leftover {
    /// Recognises `.tmp-{random}-{version}` and `.old-{random}-{version}` names.
    pub(crate) fn parse(file_name: &str) -> Option<Leftover> {
        let rest = file_name
            .strip_prefix(TEMP_PREFIX)
            .or_else(|| file_name.strip_prefix(OLD_PREFIX))?;
        let (_random, version) = rest.split_once('-')?;
        Some(Leftover {
            version: Some(version.to_owned()),
        })
    }

    /// Recognises `.old-{random}-{registry_id}` names at the root (registries being
    /// cleared). Nothing else is: the root may hold files the cache did not create, such
    /// as a user's `.old-notes`, and those are never removed.
    pub(crate) fn parse_at_root(file_name: &str) -> Option<Leftover> {
        let (random, registry) = file_name.strip_prefix(OLD_PREFIX)?.split_once('-')?;
        let random_ok = !random.is_empty()
            && random
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        (random_ok && RegistryId::parse(registry).is_ok()).then_some(Leftover { version: None })
    }

    /// The name of the lock file guarding this leftover, in the same directory.
    pub(crate) fn lock_name(&self) -> Option<String> {
        self.version.as_deref().map(lock_file_name)
    }
}

/// The names at the namespace level.
pub(crate) const GLOBAL_DIR: &str = GLOBAL;

/// The directory of organisations.
pub(crate) const ORGS_DIR: &str = ORGS;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn location(namespace: Option<&str>, version: &str) -> EntryLocation {
        EntryLocation::new(
            RegistryId::from_url("https://example.com/v1"),
            namespace.map(|org| Namespace::parse(org).expect("valid org")),
            PackName::parse("eu-ai-act").expect("valid name"),
            Version::parse(version).expect("valid version"),
        )
        .expect("short version")
    }

    #[test]
    fn layout_of_global_and_org_entries() {
        let global = location(None, "1.2.0+build.5");
        let id = global.registry().as_str().to_owned();
        assert_eq!(
            global.relative_dir(),
            format!("{id}/_global/eu-ai-act/1.2.0+build.5")
        );
        assert_eq!(global.to_string(), global.relative_dir().as_str());
        let org = location(Some("acme"), "1.2.0");
        assert_eq!(
            org.relative_dir(),
            format!("{id}/orgs/acme/eu-ai-act/1.2.0")
        );
        assert_eq!(org.lock_file_name(), ".lock-1.2.0");
    }

    #[test]
    fn bookkeeping_names_never_look_like_entries() {
        // `1.0.0-x.lock` is a valid version: a `{version}.lock` scheme would give the
        // directory of one version the lock file name of another.
        let tricky = location(None, "1.0.0-x.lock");
        let plain = location(None, "1.0.0-x");
        assert_ne!(
            tricky.relative_dir().file_name(),
            Some(plain.lock_file_name().as_str())
        );
        for name in [
            temp_dir_name("00ff", "1.0.0-rc-1"),
            old_dir_name("00ff", "1.0.0-rc-1"),
        ] {
            assert!(Version::parse(&name).is_err(), "{name}");
            assert_eq!(
                Leftover::parse(&name),
                Some(Leftover {
                    version: Some("1.0.0-rc-1".to_owned())
                })
            );
        }
        assert_eq!(Leftover::parse(".lock-1.0.0"), None);
        assert_eq!(Leftover::parse("1.0.0"), None);
        let registry = RegistryId::from_url("https://example.com/v1");
        let aside = old_registry_name("00ff00ff00ff00ff", &registry);
        assert_eq!(
            Leftover::parse_at_root(&aside),
            Some(Leftover { version: None })
        );
        for foreign in [
            ".old-notes",
            ".old-config",
            ".old-x-y",
            ".old--host-0123456789ab",
        ] {
            assert_eq!(Leftover::parse_at_root(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn overlong_versions_are_refused_before_any_path_exists() {
        let version = Version::parse(&format!("1.0.0-{}", "a".repeat(200))).expect("valid");
        let key = EntryKey::new(
            "https://example.com/v1",
            None,
            PackName::parse("p").expect("valid"),
            version,
        );
        assert!(matches!(
            key,
            Err(Error::VersionTooLong {
                length: 206,
                limit: MAX_VERSION_LEN
            })
        ));
    }

    #[test]
    fn keys_normalise_the_registry_url() {
        let name = PackName::parse("p").expect("valid");
        let version = Version::parse("1.0.0").expect("valid");
        let a = EntryKey::new("https://x.example/v1/", None, name.clone(), version.clone())
            .expect("valid");
        let b = EntryKey::new("https://x.example/v1", None, name, version).expect("valid");
        assert_eq!(a, b);
        assert_eq!(a.registry_url(), "https://x.example/v1");
    }
}
