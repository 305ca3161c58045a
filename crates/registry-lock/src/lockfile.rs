//! The lockfile itself: its header fields and its packs, kept in key order.

use std::collections::BTreeMap;

use camino::Utf8Path;
use registry_types::Timestamp;

use crate::error::Result;
use crate::mismatch::{VerifyLockResult, compare};
use crate::pack::{LockKey, LockedPack};
use crate::{file, parse, render};

/// The lockfile's file name, looked for in the project directory.
pub const LOCKFILE_NAME: &str = "assay.packs.lock";

/// The lockfile version this crate writes. It reads versions 1 and 2.
pub const LOCKFILE_VERSION: u32 = 2;

/// What a lockfile's `generated_by` says when this crate writes it: `assay-registry/` and
/// the crate version.
pub const GENERATED_BY: &str = concat!("assay-registry/", env!("CARGO_PKG_VERSION"));

/// The largest lockfile [`Lockfile::load`] reads, in bytes: the strict YAML profile's
/// input limit ([`registry_canon::MAX_TOTAL_SIZE`], 10 MiB).
pub const MAX_LOCKFILE_SIZE: usize = registry_canon::MAX_TOTAL_SIZE;

/// An `assay.packs.lock`: when and by what it was generated, and one [`LockedPack`] per
/// [`LockKey`].
///
/// The packs are kept sorted by key (name, then version by SemVer precedence, then
/// namespace), so [`Lockfile::to_yaml`] is deterministic: the same packs and header give
/// the same bytes, whatever order the packs were added in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lockfile {
    format_version: u32,
    generated_at: Timestamp,
    generated_by: String,
    packs: BTreeMap<LockKey, LockedPack>,
}

impl Lockfile {
    /// A lockfile generated at `generated_at` by this crate ([`GENERATED_BY`]) holding
    /// `packs`; of two packs with the same key, the later one is kept.
    pub fn new(generated_at: Timestamp, packs: impl IntoIterator<Item = LockedPack>) -> Self {
        Self::from_parts(
            LOCKFILE_VERSION,
            generated_at,
            GENERATED_BY.to_owned(),
            packs,
        )
    }

    /// The lockfile to write after resolving `packs` at `now`, given the `previous` one:
    /// when the packs are unchanged, `previous` is returned as it is (its `generated_at`
    /// and `generated_by` included), so that regenerating an unchanged set rewrites the
    /// same bytes; otherwise a new lockfile generated at `now` by this crate.
    pub fn regenerate(
        previous: &Lockfile,
        now: Timestamp,
        packs: impl IntoIterator<Item = LockedPack>,
    ) -> Self {
        let next = Self::new(now, packs);
        if next.packs == previous.packs {
            Lockfile {
                format_version: LOCKFILE_VERSION,
                ..previous.clone()
            }
        } else {
            next
        }
    }

    /// Builds a lockfile from parsed parts.
    pub(crate) fn from_parts(
        format_version: u32,
        generated_at: Timestamp,
        generated_by: String,
        packs: impl IntoIterator<Item = LockedPack>,
    ) -> Self {
        Lockfile {
            format_version,
            generated_at,
            generated_by,
            packs: packs.into_iter().map(|pack| (pack.key(), pack)).collect(),
        }
    }

    /// Parses the text of a lockfile; `path` names it in errors.
    ///
    /// Versions 1 and 2 are read. The text must pass the strict YAML profile
    /// (registry-canon: no anchors, aliases, tags or duplicate keys, no floats), and then
    /// every field must be known, of its type and valid (names, versions, namespaces and
    /// digests are parsed as registry-types values).
    ///
    /// # Errors
    /// [`Error::Syntax`](crate::Error::Syntax) for a strict-profile violation,
    /// [`Error::Invalid`](crate::Error::Invalid) with a [`LockFault`](crate::LockFault) for
    /// an unknown, missing, misplaced or mistyped field, an unsupported version or a pack
    /// locked twice, and [`Error::InvalidValue`](crate::Error::InvalidValue) for a field
    /// whose text is not a valid value; each names the line and the key path.
    pub fn parse(text: &str, path: &Utf8Path) -> Result<Self> {
        parse::parse_lockfile(text, path)
    }

    /// Reads and parses the lockfile at `path`, at most [`MAX_LOCKFILE_SIZE`] bytes.
    ///
    /// # Errors
    /// [`Error::ReadLockfile`](crate::Error::ReadLockfile) when it cannot be read (a
    /// missing file included; see [`Lockfile::load_if_exists`]),
    /// [`Error::LockfileTooLarge`](crate::Error::LockfileTooLarge),
    /// [`Error::LockfileNotUtf8`](crate::Error::LockfileNotUtf8), and the errors of
    /// [`Lockfile::parse`].
    pub fn load(path: &Utf8Path) -> Result<Self> {
        let text = file::read_lockfile(path)?;
        Self::parse(&text, path)
    }

    /// Like [`Lockfile::load`], but a missing file is `Ok(None)`.
    ///
    /// # Errors
    /// As [`Lockfile::load`], for every failure other than a missing file.
    pub fn load_if_exists(path: &Utf8Path) -> Result<Option<Self>> {
        match file::read_lockfile_if_exists(path)? {
            Some(text) => Self::parse(&text, path).map(Some),
            None => Ok(None),
        }
    }

    /// The lockfile as YAML in the current version: the do-not-edit header, `version`,
    /// `generated_at`, `generated_by`, then `packs` in key order, each with its fields in
    /// the fixed order of PROTOCOL §10. Every string is double-quoted and escaped, so the
    /// text parses back to an equal lockfile.
    pub fn to_yaml(&self) -> String {
        render::render(self)
    }

    /// Writes [`Lockfile::to_yaml`] to `path` atomically: a temporary file in the same
    /// directory, synced, renamed over `path`, then the directory synced. Readers see the
    /// old file or the new one, never a part.
    ///
    /// # Errors
    /// [`Error::InvalidLockfilePath`](crate::Error::InvalidLockfilePath),
    /// [`Error::CreateTemporary`](crate::Error::CreateTemporary),
    /// [`Error::WriteTemporary`](crate::Error::WriteTemporary),
    /// [`Error::ReplaceLockfile`](crate::Error::ReplaceLockfile) (the old file is then
    /// untouched and the temporary file removed) and
    /// [`Error::SyncDirectory`](crate::Error::SyncDirectory).
    pub fn save(&self, path: &Utf8Path) -> Result<()> {
        file::write_atomically(path, self.to_yaml().as_bytes())
    }

    /// Compares the locked packs with the packs resolved now; see [`VerifyLockResult`].
    pub fn compare(&self, resolved: &[LockedPack]) -> VerifyLockResult {
        compare(self, resolved)
    }

    /// The version the lockfile was read as (1 or 2); [`LOCKFILE_VERSION`] for one built
    /// in memory. Saving always writes [`LOCKFILE_VERSION`].
    pub fn format_version(&self) -> u32 {
        self.format_version
    }

    /// When the lockfile was generated.
    pub fn generated_at(&self) -> Timestamp {
        self.generated_at
    }

    /// The tool that generated it, as written (`assay-registry/0.1.0`).
    pub fn generated_by(&self) -> &str {
        &self.generated_by
    }

    /// The locked packs, in key order.
    pub fn packs(&self) -> impl ExactSizeIterator<Item = &LockedPack> {
        self.packs.values()
    }

    /// The number of locked packs.
    pub fn len(&self) -> usize {
        self.packs.len()
    }

    /// Whether no pack is locked.
    pub fn is_empty(&self) -> bool {
        self.packs.is_empty()
    }

    /// The locked pack with `key`.
    pub fn get(&self, key: &LockKey) -> Option<&LockedPack> {
        self.packs.get(key)
    }

    /// Locks `pack`, returning the entry it replaces (the one with the same key).
    pub fn insert(&mut self, pack: LockedPack) -> Option<LockedPack> {
        self.packs.insert(pack.key(), pack)
    }

    /// Unlocks the pack with `key`, returning its entry.
    pub fn remove(&mut self, key: &LockKey) -> Option<LockedPack> {
        self.packs.remove(key)
    }
}
