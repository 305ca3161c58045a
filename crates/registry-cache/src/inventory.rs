//! The whole cache at once: listing, size accounting, verifying every entry, clearing a
//! registry or everything, and sweeping the leftovers of interrupted writes.
//!
//! Walking the cache recognises only what the cache writes: registry ids at the root,
//! `_global` and `orgs/{org}` below them, valid pack names, then valid versions. Anything
//! else is left alone, so pointing a cache at the wrong directory and clearing it never
//! removes files the cache did not create. Symlinks are never followed: the walk opens
//! each directory relative to its parent, and every later step opens its way from the
//! root again the same way, so a directory swapped for a link after the walk is never
//! followed either. A symlink where an entry directory belongs is reported (and evicted)
//! by [`PackCache::verify_all`].

use std::io;

use registry_types::{Namespace, PackName, Version};
use registry_verify::{KeyId, SignatureStatus};
use snafu::{IntoError, ResultExt};

use crate::atomic::{random_token, recover_entry, remove_entry_dir, remove_planted};
use crate::cache::{NameDir, PackCache, evict_planted};
use crate::dir_fd::{Child, DirFd};
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
use crate::untrusted::{FileKind, FileRead, Found};

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
    /// Each entry.
    entries: Vec<EntryLocation>,
    /// Every pack-name directory, as its components below the root.
    name_dirs: Vec<Vec<String>>,
    /// The names of registries moved aside at the root by an interrupted clear.
    root_leftovers: Vec<String>,
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
        for location in self.walk()?.entries {
            let (meta, size) = match self.entry_handle(&location)? {
                Some(dir) => (read_meta(&dir), dir_size(&dir)?),
                None => (None, 0),
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
        for location in self.walk()?.entries {
            let outcome = match self.audit_entry(&location, audit) {
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
        let Some(root) = self.open_root()? else {
            return Ok(removed);
        };
        let name = registry.as_str();
        let aside = old_registry_name(&random_token(), registry);
        match root.look(name).context(ReadDirectorySnafu {
            path: root.join(name),
        })? {
            Found::Nothing => {}
            // Renaming moves whatever is there now, a link swapped in included, and the
            // removal below never follows a link.
            Found::Kind(FileKind::Directory) => match root.rename(name, &aside) {
                Ok(()) => root.remove_tree(&aside).context(RemoveEntrySnafu {
                    path: root.join(&aside),
                })?,
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(RemoveEntrySnafu {
                        path: root.join(name),
                    }
                    .into_error(source));
                }
            },
            Found::Kind(_) => remove_planted(&root, name).context(RemoveEntrySnafu {
                path: root.join(name),
            })?,
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
        self.remove_root_leftovers(&self.walk()?.root_leftovers)?;
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
        let mut swept = self.remove_root_leftovers(&walk.root_leftovers)?;
        for components in &walk.name_dirs {
            let components: Vec<&str> = components.iter().map(String::as_str).collect();
            // Anything but a real directory now was swapped in since the walk: skipped.
            let NameDir::Present(name_dir) = self.open_chain(&components)? else {
                continue;
            };
            for (name, _) in children(&name_dir)? {
                let Some(leftover) = Leftover::parse(&name) else {
                    continue;
                };
                let Some(lock_name) = leftover.lock_name() else {
                    continue;
                };
                let lock =
                    EntryLock::try_exclusive(&name_dir, &lock_name).context(LockEntrySnafu {
                        path: name_dir.join(&lock_name),
                    })?;
                if lock.is_none() {
                    continue;
                }
                let path = name_dir.join(&name);
                // The new entry of a write killed between displacing the old entry and
                // renaming the new one is put in place, not swept away.
                if let Some(version) = &leftover.version {
                    recover_entry(&name_dir, version).context(RemoveEntrySnafu { path: &path })?;
                }
                if name_dir
                    .look(&name)
                    .context(ReadDirectorySnafu { path: &path })?
                    != Found::Nothing
                {
                    name_dir
                        .remove_tree(&name)
                        .context(RemoveEntrySnafu { path: &path })?;
                    swept += 1;
                }
            }
        }
        for location in &walk.entries {
            let NameDir::Present(name_dir) = self.name_dir(location)? else {
                continue;
            };
            let version = location.version().as_str();
            let path = name_dir.join(version);
            if name_dir
                .look(version)
                .context(ReadDirectorySnafu { path: &path })?
                != Found::Kind(FileKind::Directory)
            {
                continue;
            }
            let lock_name = location.lock_file_name();
            let Some(_lock) =
                EntryLock::try_exclusive(&name_dir, &lock_name).context(LockEntrySnafu {
                    path: name_dir.join(&lock_name),
                })?
            else {
                continue;
            };
            if let Child::Dir(dir) = name_dir
                .open_dir(version)
                .context(ReadDirectorySnafu { path: &path })?
            {
                swept += remove_stray_files(&dir).context(RemoveEntrySnafu { path: &path })?;
            }
        }
        Ok(swept)
    }

    /// The root, open; `None` when there is none.
    fn open_root(&self) -> Result<Option<DirFd>> {
        DirFd::open_root(self.root()).context(ReadDirectorySnafu { path: self.root() })
    }

    /// Removes registries moved aside at the root; returns how many.
    fn remove_root_leftovers(&self, names: &[String]) -> Result<usize> {
        if names.is_empty() {
            return Ok(0);
        }
        let Some(root) = self.open_root()? else {
            return Ok(0);
        };
        for name in names {
            root.remove_tree(name).context(RemoveEntrySnafu {
                path: root.join(name),
            })?;
        }
        Ok(names.len())
    }

    /// The entry directory of `location`, opened from the root without following a link;
    /// `None` when there is no real directory.
    fn entry_handle(&self, location: &EntryLocation) -> Result<Option<DirFd>> {
        let NameDir::Present(name_dir) = self.name_dir(location)? else {
            return Ok(None);
        };
        let version = location.version().as_str();
        match name_dir.open_dir(version).context(ReadDirectorySnafu {
            path: name_dir.join(version),
        })? {
            Child::Dir(dir) => Ok(Some(dir)),
            Child::Missing | Child::Other(_) => Ok(None),
        }
    }

    /// The registries at the root.
    fn registries(&self) -> Result<Vec<RegistryId>> {
        let Some(root) = self.open_root()? else {
            return Ok(Vec::new());
        };
        Ok(children(&root)?
            .into_iter()
            .filter_map(|(name, _)| RegistryId::parse(&name).ok())
            .collect())
    }

    /// Finds every entry, pack-name directory and root leftover, opening each directory
    /// relative to its parent without following links.
    fn walk(&self) -> Result<Walk> {
        let mut walk = Walk::default();
        let Some(root) = self.open_root()? else {
            return Ok(walk);
        };
        for (name, kind) in children(&root)? {
            if Leftover::parse_at_root(&name).is_some() {
                walk.root_leftovers.push(name);
                continue;
            }
            let Ok(registry) = RegistryId::parse(&name) else {
                continue;
            };
            let Some(registry_dir) = open_child(&root, &name, kind)? else {
                continue;
            };
            for (segment, kind) in children(&registry_dir)? {
                if segment == GLOBAL_DIR {
                    if let Some(global) = open_child(&registry_dir, &segment, kind)? {
                        let prefix = [registry.as_str(), GLOBAL_DIR];
                        walk_names(&mut walk, &registry, None, &prefix, &global)?;
                    }
                } else if segment == ORGS_DIR
                    && let Some(orgs) = open_child(&registry_dir, &segment, kind)?
                {
                    for (org_name, kind) in children(&orgs)? {
                        let Ok(org) = Namespace::parse(&org_name) else {
                            continue;
                        };
                        if let Some(org_dir) = open_child(&orgs, &org_name, kind)? {
                            let prefix = [registry.as_str(), ORGS_DIR, org_name.as_str()];
                            walk_names(&mut walk, &registry, Some(org), &prefix, &org_dir)?;
                        }
                    }
                }
            }
        }
        walk.entries.sort();
        Ok(walk)
    }

    /// Audits one entry under its lock, evicting it when it fails; `None` when it is gone.
    fn audit_entry(
        &self,
        location: &EntryLocation,
        audit: &Audit<'_>,
    ) -> Result<Option<AuditOutcome>> {
        let name_dir = match self.name_dir(location)? {
            NameDir::Missing => return Ok(None),
            // A link swapped into the path since the walk is tampering, and goes as a
            // read would remove it; nothing behind it is looked at.
            NameDir::Unsafe {
                parent,
                name,
                found,
            } => {
                return evict_planted(location, &parent, &name, found)
                    .map(|reason| Some(AuditOutcome::Evicted(reason)));
            }
            NameDir::Present(dir) => dir,
        };
        let lock_name = location.lock_file_name();
        let lock_path = name_dir.join(&lock_name);
        let first = {
            let _shared = EntryLock::shared(&name_dir, &lock_name)
                .context(LockEntrySnafu { path: &lock_path })?;
            audit_one(&name_dir, location, audit)?
        };
        match first {
            Inspection::Missing => return Ok(None),
            Inspection::Sound(outcome) => return Ok(Some(outcome)),
            Inspection::Corrupt(_) => {}
        }
        // Re-checked under the exclusive lock: a writer may have replaced the entry since.
        let _exclusive = EntryLock::exclusive(&name_dir, &lock_name)
            .context(LockEntrySnafu { path: &lock_path })?;
        match audit_one(&name_dir, location, audit)? {
            Inspection::Missing => Ok(None),
            Inspection::Sound(outcome) => Ok(Some(outcome)),
            Inspection::Corrupt(reason) => {
                match remove_entry_dir(&name_dir, location.version().as_str()) {
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
}

/// Adds the pack-name directories and entries below one namespace directory, whose
/// components below the root are `prefix`.
fn walk_names(
    walk: &mut Walk,
    registry: &RegistryId,
    namespace: Option<Namespace>,
    prefix: &[&str],
    dir: &DirFd,
) -> Result<()> {
    for (name_text, kind) in children(dir)? {
        let Ok(name) = PackName::parse(&name_text) else {
            continue;
        };
        let Some(name_dir) = open_child(dir, &name_text, kind)? else {
            continue;
        };
        for (version, _) in children(&name_dir)? {
            let Ok(version) = Version::parse(&version) else {
                continue;
            };
            if let Ok(location) =
                EntryLocation::new(registry.clone(), namespace.clone(), name.clone(), version)
            {
                walk.entries.push(location);
            }
        }
        let mut components: Vec<String> = prefix.iter().map(|&part| part.to_owned()).collect();
        components.push(name_text);
        walk.name_dirs.push(components);
    }
    Ok(())
}

/// Opens the child `name` of `dir` when it is a real directory (`kind` is what the
/// listing said); `None` otherwise.
fn open_child(dir: &DirFd, name: &str, kind: FileKind) -> Result<Option<DirFd>> {
    if kind != FileKind::Directory {
        return Ok(None);
    }
    match dir.open_dir(name).context(ReadDirectorySnafu {
        path: dir.join(name),
    })? {
        Child::Dir(child) => Ok(Some(child)),
        Child::Missing | Child::Other(_) => Ok(None),
    }
}

/// The UTF-8-named children of `dir` with their kinds (links not followed); a directory
/// removed since it was opened has none.
fn children(dir: &DirFd) -> Result<Vec<(String, FileKind)>> {
    match dir.children() {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        other => other.context(ReadDirectorySnafu { path: dir.path() }),
    }
}

/// Verifies one entry in its pack-name directory as `audit` says.
fn audit_one(
    name_dir: &DirFd,
    location: &EntryLocation,
    audit: &Audit<'_>,
) -> Result<Inspection<AuditOutcome>> {
    let loaded = match load(name_dir, location)? {
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
fn read_meta(dir: &DirFd) -> Option<CacheMeta> {
    match dir.read_file(EntryFile::Metadata.file_name(), MAX_METADATA_BYTES) {
        Ok(FileRead::Bytes(bytes)) => CacheMeta::from_json(&bytes).ok(),
        _ => None,
    }
}

/// The bytes of the files directly in `dir` (entries have no subdirectories).
fn dir_size(dir: &DirFd) -> Result<u64> {
    let mut bytes = 0;
    for (name, kind) in children(dir)? {
        if kind == FileKind::File {
            bytes += dir.file_len(&name);
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
pub(crate) fn remove_leftovers_of(name_dir: &DirFd, version: &str) -> io::Result<()> {
    for (name, _) in name_dir.children()? {
        if Leftover::parse(&name)
            .is_some_and(|leftover| leftover.version.as_deref() == Some(version))
        {
            name_dir.remove_tree(&name)?;
        }
    }
    Ok(())
}

/// Removes the temporary files a crashed refresh left in an entry directory; returns how
/// many. The caller holds the entry's exclusive lock.
pub(crate) fn remove_stray_files(entry_dir: &DirFd) -> io::Result<usize> {
    let mut removed = 0;
    for (name, _) in entry_dir.children()? {
        if Leftover::parse(&name).is_some() {
            entry_dir.remove_tree(&name)?;
            removed += 1;
        }
    }
    Ok(removed)
}
