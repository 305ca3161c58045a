//! The whole cache at once: listing, size accounting, verifying every entry, clearing a
//! registry or everything, and sweeping the leftovers of interrupted writes.
//!
//! Walking the cache recognises only what the cache writes: registry ids at the root,
//! `_global` and `orgs/{org}` below them, valid pack names, then valid versions. Anything
//! else is left alone, so pointing a cache at the wrong directory and clearing it never
//! removes files the cache did not create. Symlinks are never followed; a symlink where
//! an entry directory belongs is reported (and evicted) by [`PackCache::verify_all`].

use std::fs;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use registry_types::{Namespace, PackName, Version};
use registry_verify::{KeyId, SignatureStatus};
use snafu::{IntoError, ResultExt};

use crate::atomic::{random_token, recover_entry, remove_entry_dir, remove_planted, remove_tree};
use crate::cache::PackCache;
use crate::entry::ReadOptions;
use crate::error::{
    Error, EvictEntrySnafu, LockEntrySnafu, ReadDirectorySnafu, RemoveEntrySnafu, Result,
};
use crate::integrity::{Inspection, Unaudited, load, verify_binding, verify_trusted};
use crate::location::{
    EntryFile, EntryLocation, GLOBAL_DIR, Leftover, ORGS_DIR, old_registry_name,
};
use crate::lock::EntryLock;
use crate::metadata::{CacheMeta, MAX_METADATA_BYTES};
use crate::registry_id::RegistryId;
use crate::untrusted::{FileKind, FileRead, Found, look, read_file};

/// One entry found by [`PackCache::list`] (not verified).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedEntry {
    /// Where it lives.
    pub location: EntryLocation,
    /// Its metadata, when `metadata.json` is a readable regular file.
    pub meta: Option<CacheMeta>,
    /// The bytes of its files.
    pub size: u64,
}

/// How much the cache (or a part of it) holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CacheSize {
    /// Entries.
    pub entries: usize,
    /// Bytes in their files.
    pub bytes: u64,
}

/// How [`PackCache::verify_all`] checks signatures.
#[derive(Clone, Debug)]
pub enum Audit<'a> {
    /// Exactly what every read checks, with these options; every entry that fails is
    /// evicted.
    Full(ReadOptions<'a>),
    /// Weaker: no trust store is at hand, so who signed is not checked. Everything else
    /// is (digest, metadata, the envelope's payload and type, identity, file types);
    /// entries failing that are evicted, and signed entries are reported as
    /// [`AuditOutcome::SignerNotChecked`] — neither evicted nor vouched for.
    WithoutSignerCheck,
}

/// What [`PackCache::verify_all`] found for one entry.
#[derive(Debug)]
pub enum AuditOutcome {
    /// Every check passed; the signature status is what verification found.
    Verified(SignatureStatus),
    /// Every check but the signer's passed ([`Audit::WithoutSignerCheck`]).
    SignerNotChecked {
        /// The key id metadata records, if any.
        key_id: Option<KeyId>,
    },
    /// The entry failed a check (an error for which [`Error::is_corrupt_entry`] holds)
    /// and has been evicted.
    Evicted(Error),
    /// The entry could not be checked, or not evicted, because of a disk error (a lock
    /// that cannot be taken, a directory that cannot be read or removed); it was left as
    /// it is, and the other entries were still checked.
    Failed(Error),
}

/// One entry checked by [`PackCache::verify_all`].
#[derive(Debug)]
pub struct AuditedEntry {
    /// Where it lived.
    pub location: EntryLocation,
    /// What was found.
    pub outcome: AuditOutcome,
}

/// The result of [`PackCache::verify_all`].
#[derive(Debug, Default)]
pub struct AuditReport {
    /// Every entry found, in path order.
    pub entries: Vec<AuditedEntry>,
    /// How many leftovers of interrupted writes were removed first.
    pub swept: usize,
}

impl AuditReport {
    /// The entries that failed, with their reasons.
    pub fn evicted(&self) -> impl Iterator<Item = (&EntryLocation, &Error)> {
        self.entries
            .iter()
            .filter_map(|audited| match &audited.outcome {
                AuditOutcome::Evicted(reason) => Some((&audited.location, reason)),
                _ => None,
            })
    }

    /// The entries that could not be checked or evicted, with the disk errors.
    pub fn failed(&self) -> impl Iterator<Item = (&EntryLocation, &Error)> {
        self.entries
            .iter()
            .filter_map(|audited| match &audited.outcome {
                AuditOutcome::Failed(error) => Some((&audited.location, error)),
                _ => None,
            })
    }

    /// Whether every entry was checked and none was evicted.
    pub fn is_clean(&self) -> bool {
        self.evicted().next().is_none() && self.failed().next().is_none()
    }
}

/// What a walk of the cache found.
#[derive(Default)]
struct Walk {
    /// Each entry, with its pack-name directory.
    entries: Vec<(EntryLocation, Utf8PathBuf)>,
    /// Every pack-name directory.
    name_dirs: Vec<Utf8PathBuf>,
    /// Registries moved aside by an interrupted clear.
    root_leftovers: Vec<Utf8PathBuf>,
}

impl PackCache {
    /// Every entry, in path order, with its metadata (unverified) and size. Takes no
    /// locks and creates nothing.
    ///
    /// # Errors
    ///
    /// [`Error::ReadDirectory`] when a cache directory cannot be listed.
    pub fn list(&self) -> Result<Vec<ListedEntry>> {
        let mut listed = Vec::new();
        for (location, name_dir) in self.walk()?.entries {
            let dir = name_dir.join(location.version().as_str());
            let (meta, size) = match look(&dir).context(ReadDirectorySnafu { path: &dir })? {
                Found::Kind(FileKind::Directory) => (read_meta(&dir), dir_size(&dir)?),
                _ => (None, 0),
            };
            listed.push(ListedEntry {
                location,
                meta,
                size,
            });
        }
        Ok(listed)
    }

    /// The number of entries and the bytes they hold.
    ///
    /// # Errors
    ///
    /// As [`PackCache::list`].
    pub fn size(&self) -> Result<CacheSize> {
        Ok(total(&self.list()?))
    }

    /// Sweeps leftovers, then verifies every entry as `audit` says, evicting each one
    /// that fails and reporting every entry with its outcome. A disk error on one entry
    /// is reported as [`AuditOutcome::Failed`] and the walk goes on.
    ///
    /// # Errors
    ///
    /// Only errors of the disk that stop the walk itself: [`Error::ReadDirectory`] or
    /// [`Error::RemoveEntry`] while sweeping or listing.
    pub fn verify_all(&self, audit: &Audit<'_>) -> Result<AuditReport> {
        let swept = self.sweep()?;
        let mut entries = Vec::new();
        for (location, name_dir) in self.walk()?.entries {
            let outcome = match audit_entry(&name_dir, &location, audit) {
                Ok(Some(outcome)) => outcome,
                Ok(None) => continue,
                // One unreadable entry does not hide the others.
                Err(error) => AuditOutcome::Failed(error),
            };
            entries.push(AuditedEntry { location, outcome });
        }
        Ok(AuditReport { entries, swept })
    }

    /// Removes every entry of one registry. Returns what was removed.
    ///
    /// The registry's directory disappears in one rename; its files are removed after.
    ///
    /// # Errors
    ///
    /// [`Error::ReadDirectory`] or [`Error::RemoveEntry`].
    pub fn clear_registry(&self, registry: &RegistryId) -> Result<CacheSize> {
        let removed = total(
            &self
                .list()?
                .into_iter()
                .filter(|entry| entry.location.registry() == registry)
                .collect::<Vec<_>>(),
        );
        let dir = self.root().join(registry.as_str());
        let aside = self
            .root()
            .join(old_registry_name(&random_token(), registry));
        match look(&dir).context(ReadDirectorySnafu { path: &dir })? {
            Found::Nothing => {}
            Found::Kind(FileKind::Directory) => match fs::rename(&dir, &aside) {
                Ok(()) => remove_tree(&aside).context(RemoveEntrySnafu { path: &aside })?,
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(RemoveEntrySnafu { path: dir }.into_error(source)),
            },
            Found::Kind(_) => remove_planted(&dir).context(RemoveEntrySnafu { path: &dir })?,
        }
        Ok(removed)
    }

    /// Removes every entry of every registry, and the leftovers of interrupted writes.
    /// Files the cache did not create are left alone. Returns what was removed.
    ///
    /// # Errors
    ///
    /// [`Error::ReadDirectory`] or [`Error::RemoveEntry`].
    pub fn clear_all(&self) -> Result<CacheSize> {
        let mut removed = CacheSize::default();
        for registry in self.registries()? {
            let cleared = self.clear_registry(&registry)?;
            removed.entries += cleared.entries;
            removed.bytes += cleared.bytes;
        }
        for leftover in self.walk()?.root_leftovers {
            remove_tree(&leftover).context(RemoveEntrySnafu { path: &leftover })?;
        }
        Ok(removed)
    }

    /// Removes the leftovers of interrupted writes and removals: `.tmp-*` and `.old-*`
    /// directories whose version nobody holds the lock of, stray temporary files in
    /// entries, and registries an interrupted clear moved aside. Returns how many. A
    /// complete new entry that a killed writer had not yet renamed into place is put in
    /// place instead.
    ///
    /// # Errors
    ///
    /// [`Error::ReadDirectory`], [`Error::LockEntry`] or [`Error::RemoveEntry`].
    pub fn sweep(&self) -> Result<usize> {
        let walk = self.walk()?;
        let mut swept = 0;
        for leftover in &walk.root_leftovers {
            remove_tree(leftover).context(RemoveEntrySnafu { path: leftover })?;
            swept += 1;
        }
        for name_dir in &walk.name_dirs {
            for (name, path, _) in children(name_dir)? {
                let Some(leftover) = Leftover::parse(&name) else {
                    continue;
                };
                let Some(lock_path) = leftover.lock_path(name_dir) else {
                    continue;
                };
                let lock = EntryLock::try_exclusive(&lock_path)
                    .context(LockEntrySnafu { path: &lock_path })?;
                if lock.is_none() {
                    continue;
                }
                // The new entry of a write killed between displacing the old entry and
                // renaming the new one is put in place, not swept away.
                if let Some(version) = &leftover.version {
                    recover_entry(name_dir, version).context(RemoveEntrySnafu { path: &path })?;
                }
                if look(&path).context(ReadDirectorySnafu { path: &path })? != Found::Nothing {
                    remove_tree(&path).context(RemoveEntrySnafu { path: &path })?;
                    swept += 1;
                }
            }
        }
        for (location, name_dir) in &walk.entries {
            let dir = name_dir.join(location.version().as_str());
            if look(&dir).context(ReadDirectorySnafu { path: &dir })?
                != Found::Kind(FileKind::Directory)
            {
                continue;
            }
            let lock_path = name_dir.join(location.lock_file_name());
            if let Some(_lock) =
                EntryLock::try_exclusive(&lock_path).context(LockEntrySnafu { path: &lock_path })?
            {
                swept += remove_stray_files(&dir).context(RemoveEntrySnafu { path: &dir })?;
            }
        }
        Ok(swept)
    }

    /// The registries at the root.
    fn registries(&self) -> Result<Vec<RegistryId>> {
        Ok(children(self.root())?
            .into_iter()
            .filter_map(|(name, _, _)| RegistryId::parse(&name).ok())
            .collect())
    }

    /// Finds every entry, pack-name directory and root leftover, without following links.
    fn walk(&self) -> Result<Walk> {
        let mut walk = Walk::default();
        for (name, path, kind) in children(self.root())? {
            if Leftover::parse_at_root(&name).is_some() {
                walk.root_leftovers.push(path);
                continue;
            }
            let Ok(registry) = RegistryId::parse(&name) else {
                continue;
            };
            if kind != FileKind::Directory {
                continue;
            }
            for (segment, segment_path, kind) in children(&path)? {
                if kind != FileKind::Directory {
                    continue;
                }
                if segment == GLOBAL_DIR {
                    walk_names(&mut walk, &registry, None, &segment_path)?;
                } else if segment == ORGS_DIR {
                    for (org, org_path, kind) in children(&segment_path)? {
                        if let (Ok(org), FileKind::Directory) = (Namespace::parse(&org), kind) {
                            walk_names(&mut walk, &registry, Some(org), &org_path)?;
                        }
                    }
                }
            }
        }
        walk.entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(walk)
    }
}

/// Adds the pack-name directories and entries below one namespace directory.
fn walk_names(
    walk: &mut Walk,
    registry: &RegistryId,
    namespace: Option<Namespace>,
    dir: &Utf8Path,
) -> Result<()> {
    for (name, name_path, kind) in children(dir)? {
        let (Ok(name), FileKind::Directory) = (PackName::parse(&name), kind) else {
            continue;
        };
        for (version, _, _) in children(&name_path)? {
            let Ok(version) = Version::parse(&version) else {
                continue;
            };
            if let Ok(location) =
                EntryLocation::new(registry.clone(), namespace.clone(), name.clone(), version)
            {
                walk.entries.push((location, name_path.clone()));
            }
        }
        walk.name_dirs.push(name_path);
    }
    Ok(())
}

/// The UTF-8-named children of `dir` with their kinds (links not followed); an absent
/// directory has none.
fn children(dir: &Utf8Path) -> Result<Vec<(String, Utf8PathBuf, FileKind)>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(ReadDirectorySnafu { path: dir }.into_error(source)),
    };
    let mut children = Vec::new();
    for entry in entries {
        let entry = entry.context(ReadDirectorySnafu { path: dir })?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let kind = match entry.file_type() {
            Ok(file_type) => FileKind::of(file_type),
            // Removed since the listing: nothing to report.
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => return Err(ReadDirectorySnafu { path: dir }.into_error(source)),
        };
        children.push((name.clone(), dir.join(name), kind));
    }
    Ok(children)
}

/// Audits one entry under its lock, evicting it when it fails; `None` when it is gone.
fn audit_entry(
    name_dir: &Utf8Path,
    location: &EntryLocation,
    audit: &Audit<'_>,
) -> Result<Option<AuditOutcome>> {
    let lock_path = name_dir.join(location.lock_file_name());
    let dir = name_dir.join(location.version().as_str());
    let first = {
        let _shared = EntryLock::shared(&lock_path).context(LockEntrySnafu { path: &lock_path })?;
        audit_one(&dir, location, audit)?
    };
    match first {
        Inspection::Missing => return Ok(None),
        Inspection::Sound(outcome) => return Ok(Some(outcome)),
        Inspection::Corrupt(_) => {}
    }
    // Re-checked under the exclusive lock: a writer may have replaced the entry since.
    let _exclusive =
        EntryLock::exclusive(&lock_path).context(LockEntrySnafu { path: &lock_path })?;
    match audit_one(&dir, location, audit)? {
        Inspection::Missing => Ok(None),
        Inspection::Sound(outcome) => Ok(Some(outcome)),
        Inspection::Corrupt(reason) => {
            match remove_entry_dir(name_dir, location.version().as_str()) {
                Ok(_) => Ok(Some(AuditOutcome::Evicted(reason))),
                Err(source) => Err(EvictEntrySnafu {
                    entry: Box::new(location.clone()),
                    reason: Box::new(reason),
                }
                .into_error(source)),
            }
        }
    }
}

/// Verifies one entry as `audit` says.
fn audit_one(
    dir: &Utf8Path,
    location: &EntryLocation,
    audit: &Audit<'_>,
) -> Result<Inspection<AuditOutcome>> {
    let loaded = match load(dir, location)? {
        Inspection::Sound(loaded) => loaded,
        Inspection::Missing => return Ok(Inspection::Missing),
        Inspection::Corrupt(reason) => return Ok(Inspection::Corrupt(reason)),
    };
    let outcome = match audit {
        Audit::Full(options) => verify_trusted(loaded, location, options)
            .map(|entry| AuditOutcome::Verified(entry.signature().clone())),
        Audit::WithoutSignerCheck => {
            verify_binding(&loaded, location).map(|unaudited| match unaudited {
                Unaudited::Unsigned => AuditOutcome::Verified(SignatureStatus::Unsigned),
                Unaudited::SignerNotChecked(key_id) => AuditOutcome::SignerNotChecked { key_id },
            })
        }
    };
    Ok(match outcome {
        Ok(outcome) => Inspection::Sound(outcome),
        Err(reason) => Inspection::Corrupt(reason),
    })
}

/// The metadata of an entry directory, if it reads (listing only; not verified).
fn read_meta(dir: &Utf8Path) -> Option<CacheMeta> {
    match read_file(
        &dir.join(EntryFile::Metadata.file_name()),
        MAX_METADATA_BYTES,
    ) {
        Ok(FileRead::Bytes(bytes)) => CacheMeta::from_json(&bytes).ok(),
        _ => None,
    }
}

/// The bytes of the files directly in `dir` (entries have no subdirectories).
fn dir_size(dir: &Utf8Path) -> Result<u64> {
    let mut bytes = 0;
    for (_, path, kind) in children(dir)? {
        if kind == FileKind::File {
            bytes += path.symlink_metadata().map_or(0, |metadata| metadata.len());
        }
    }
    Ok(bytes)
}

fn total(entries: &[ListedEntry]) -> CacheSize {
    CacheSize {
        entries: entries.len(),
        bytes: entries.iter().map(|entry| entry.size).sum(),
    }
}

/// Removes the `.tmp-*`/`.old-*` leftovers of `version` in a pack-name directory. The
/// caller holds the version's exclusive lock.
pub(crate) fn remove_leftovers_of(name_dir: &Utf8Path, version: &str) -> io::Result<()> {
    for entry in fs::read_dir(name_dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if Leftover::parse(&name)
            .is_some_and(|leftover| leftover.version.as_deref() == Some(version))
        {
            remove_tree(&name_dir.join(name))?;
        }
    }
    Ok(())
}

/// Removes the temporary files a crashed refresh left in an entry directory; returns how
/// many. The caller holds the entry's exclusive lock.
pub(crate) fn remove_stray_files(entry_dir: &Utf8Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(entry_dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if Leftover::parse(&name).is_some() {
            remove_tree(&entry_dir.join(name))?;
            removed += 1;
        }
    }
    Ok(removed)
}
