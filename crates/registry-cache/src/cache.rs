//! The cache: where it lives, and reading, writing, refreshing and evicting one entry.

use std::ffi::OsString;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use registry_types::{Digest, Policy, Timestamp};
use registry_verify::{MAX_ENVELOPE_BYTES, verify_digest};
use snafu::{IntoError, ResultExt, ensure};

use crate::atomic::{
    complete_temp_dir, ensure_dir_chain, install_dir, recover_entry, remove_entry_dir,
    remove_planted, replace_file,
};
use crate::dir_fd::{Child, DirFd};
use crate::entry::{CacheEntry, CacheRead, NewEntry, ReadOptions, Refresh};
use crate::error::{
    CreateDirectorySnafu, EncodeMetadataSnafu, Error, EvictEntrySnafu, LockEntrySnafu,
    MetadataMismatchSnafu, NewEnvelopeMismatchSnafu, NewPackDigestSnafu, NewPackIdentitySnafu,
    NewPackUnsignedSnafu, NoCacheRootSnafu, NonUtf8CacheRootSnafu, ReadDirectorySnafu, Result,
    UnexpectedFileTypeSnafu, WriteEntrySnafu,
};
use crate::integrity::{Inspection, binding_problem, load, load_dir, verify_trusted};
use crate::inventory::{remove_leftovers_of, remove_stray_files};
use crate::location::{EntryFile, EntryKey, EntryLocation};
use crate::lock::EntryLock;
use crate::metadata::{CacheMeta, METADATA_FORMAT};
use crate::registry_id::normalize_registry_url;
use crate::untrusted::{FileKind, Found};

/// The environment variable that names the cache root.
pub const CACHE_DIR_VARIABLE: &str = "ASSAY_CACHE_DIR";

/// The cache root below `$HOME` when nothing else is configured.
pub const DEFAULT_ROOT_BELOW_HOME: &str = ".assay/cache/packs";

/// An on-disk pack cache rooted at one directory.
///
/// All methods are synchronous `std::fs` I/O; async callers use `spawn_blocking`. Any
/// number of `PackCache` values, threads and processes may share a root: see the
/// crate documentation (Locking) for the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackCache {
    root: Utf8PathBuf,
}

/// What lies on the way from the root to a directory below it (a pack-name directory).
pub(crate) enum NameDir {
    /// Some directory on the way does not exist.
    Missing,
    /// `name` in `parent` is on the way but not a real directory.
    Unsafe {
        parent: DirFd,
        name: String,
        found: FileKind,
    },
    /// The directory, open.
    Present(DirFd),
}

impl PackCache {
    /// A cache rooted at `root` (created on the first write).
    pub fn new(root: impl Into<Utf8PathBuf>) -> Self {
        PackCache { root: root.into() }
    }

    /// A cache rooted where the environment says: `ASSAY_CACHE_DIR`, else
    /// `$HOME/.assay/cache/packs`. An explicit configuration goes to [`PackCache::new`]
    /// instead and wins over both.
    ///
    /// # Errors
    ///
    /// See [`PackCache::root_from`].
    pub fn from_env() -> Result<Self> {
        Self::root_from(
            std::env::var_os(CACHE_DIR_VARIABLE),
            std::env::var_os("HOME"),
        )
        .map(Self::new)
    }

    /// The root [`PackCache::from_env`] picks, given the values of `ASSAY_CACHE_DIR` and
    /// `HOME` (an empty value counts as unset).
    ///
    /// # Errors
    ///
    /// [`Error::NonUtf8CacheRoot`] when the chosen variable is not UTF-8, and
    /// [`Error::NoCacheRoot`] when both are unset or empty.
    pub fn root_from(cache_dir: Option<OsString>, home: Option<OsString>) -> Result<Utf8PathBuf> {
        let utf8 = |value: OsString, variable: &'static str| {
            value
                .into_string()
                .map_err(|_| NonUtf8CacheRootSnafu { variable }.build())
        };
        if let Some(dir) = cache_dir.filter(|dir| !dir.is_empty()) {
            return utf8(dir, CACHE_DIR_VARIABLE).map(Utf8PathBuf::from);
        }
        match home.filter(|home| !home.is_empty()) {
            Some(home) => Ok(Utf8PathBuf::from(utf8(home, "HOME")?).join(DEFAULT_ROOT_BELOW_HOME)),
            None => NoCacheRootSnafu.fail(),
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Utf8Path {
        &self.root
    }

    /// The directory of the entry at `location`.
    pub fn entry_dir(&self, location: &EntryLocation) -> Utf8PathBuf {
        self.root.join(location.relative_dir())
    }

    /// Reads and re-verifies an entry, returning the verified bytes of a single read.
    ///
    /// Every check listed in the crate documentation runs on the bytes read,
    /// with `options`; an entry that fails any of them is evicted and reported as
    /// [`CacheRead::Evicted`]. A fresh or stale entry carries its pack bytes, metadata,
    /// envelope and signature status.
    ///
    /// # Errors
    ///
    /// Only errors of the disk: [`Error::ReadDirectory`], [`Error::LockEntry`],
    /// [`Error::ReadEntryFile`], [`Error::WriteEntry`] (the new entry of an interrupted
    /// write could not be put in place) and [`Error::EvictEntry`] (an entry that failed
    /// verification could not be removed).
    pub fn read(&self, key: &EntryKey, options: &ReadOptions<'_>) -> Result<CacheRead> {
        let location = key.location();
        let name_dir = match self.name_dir(location)? {
            NameDir::Missing => return Ok(CacheRead::Miss),
            NameDir::Unsafe {
                parent,
                name,
                found,
            } => return evict_planted(location, &parent, &name, found).map(CacheRead::Evicted),
            NameDir::Present(dir) => dir,
        };
        let lock_name = location.lock_file_name();
        let lock_path = name_dir.join(&lock_name);
        let version = location.version().as_str();
        // Writers create the lock file first: without it and without an entry, nothing was
        // ever written here, and a read creates nothing.
        if look_in(&name_dir, &lock_name)? == Found::Nothing
            && look_in(&name_dir, version)? == Found::Nothing
        {
            return Ok(CacheRead::Miss);
        }
        let first_reason = {
            let _shared = EntryLock::shared(&name_dir, &lock_name)
                .context(LockEntrySnafu { path: &lock_path })?;
            match inspect(&name_dir, key, options)? {
                Inspection::Missing => {
                    // A writer killed between displacing the old entry and renaming the new
                    // one into place left the new one beside: put it in place (below).
                    let recoverable =
                        complete_temp_dir(&name_dir, version).context(ReadDirectorySnafu {
                            path: name_dir.path(),
                        })?;
                    if recoverable.is_none() {
                        return Ok(CacheRead::Miss);
                    }
                    None
                }
                Inspection::Sound(entry) => return Ok(classify(entry, options.now)),
                Inspection::Corrupt(reason) => Some(reason),
            }
        };
        // Recover or evict under the exclusive lock, after checking again: a writer may
        // have replaced the entry since the shared lock was dropped.
        let _exclusive = EntryLock::exclusive(&name_dir, &lock_name)
            .context(LockEntrySnafu { path: &lock_path })?;
        if first_reason.is_none() {
            recover_entry(&name_dir, version).context(WriteEntrySnafu {
                entry: Box::new(location.clone()),
            })?;
        }
        match inspect(&name_dir, key, options)? {
            Inspection::Missing => Ok(first_reason.map_or(CacheRead::Miss, CacheRead::Evicted)),
            Inspection::Sound(entry) => Ok(classify(entry, options.now)),
            Inspection::Corrupt(reason) => match remove_entry_dir(&name_dir, version) {
                Ok(_) => Ok(CacheRead::Evicted(reason)),
                Err(source) => Err(evict_error(location, reason, source)),
            },
        }
    }

    /// Stores a verified pack as the entry `key`, replacing any entry there, atomically
    /// (see Atomic writes in the crate documentation).
    ///
    /// Before anything touches the disk, the pack must have `entry.digest`, name the
    /// entry's pack and version, and come with an envelope over its canonical bytes when
    /// it is commercial. A `key_id` without an envelope is not recorded.
    ///
    /// # Errors
    ///
    /// [`Error::NewPackDigest`], [`Error::NewPackIdentity`], [`Error::NewPackUnsigned`]
    /// or [`Error::NewEnvelopeMismatch`] for a pack the cache refuses to store;
    /// [`Error::CreateDirectory`], [`Error::LockEntry`] or [`Error::WriteEntry`] when the
    /// disk fails.
    pub fn write(&self, key: &EntryKey, entry: &NewEntry<'_>) -> Result<()> {
        let location = key.location();
        let boxed = || Box::new(location.clone());
        let canonical = verify_digest(entry.pack, &entry.digest)
            .context(NewPackDigestSnafu { entry: boxed() })?;
        canonical
            .identity()
            .ensure_matches(location.name(), location.version())
            .context(NewPackIdentitySnafu { entry: boxed() })?;
        ensure!(
            entry.policy != Policy::Commercial || entry.envelope.is_some(),
            NewPackUnsignedSnafu { entry: boxed() }
        );
        let signature_json = match entry.envelope {
            Some(envelope) => {
                let json = envelope.to_json();
                let problem = binding_problem(envelope, &canonical).or_else(|| {
                    (json.len() > MAX_ENVELOPE_BYTES).then_some(
                        registry_verify::Error::EnvelopeTooLarge {
                            size: json.len(),
                            limit: MAX_ENVELOPE_BYTES,
                        },
                    )
                });
                if let Some(problem) = problem {
                    return Err(NewEnvelopeMismatchSnafu { entry: boxed() }.into_error(problem));
                }
                Some(json)
            }
            None => None,
        };
        let meta = CacheMeta {
            format: METADATA_FORMAT,
            registry_url: key.registry_url().to_owned(),
            namespace: location.namespace().cloned(),
            name: location.name().clone(),
            version: location.version().clone(),
            digest: entry.digest,
            policy: entry.policy,
            signed: entry.envelope.is_some(),
            key_id: entry.envelope.and(entry.key_id.clone()),
            etag: entry.etag.clone(),
            fetched_at: entry.fetched_at,
            expires_at: entry.expires_at,
        };
        let meta_json = meta
            .to_json()
            .context(EncodeMetadataSnafu { entry: boxed() })?;

        let name_dir = ensure_dir_chain(&self.root, &location.name_dir_components()).context(
            CreateDirectorySnafu {
                path: self.root.join(location.relative_dir()),
            },
        )?;
        let lock_name = location.lock_file_name();
        let _lock = EntryLock::exclusive(&name_dir, &lock_name).context(LockEntrySnafu {
            path: name_dir.join(&lock_name),
        })?;
        let version = location.version().as_str();
        // Leftovers of this version can go now: its lock is held, so no writer is live.
        remove_leftovers_of(&name_dir, version).context(WriteEntrySnafu { entry: boxed() })?;
        install_dir(&name_dir, version, |dir| {
            dir.write_new_file(EntryFile::Pack.file_name(), entry.pack)?;
            if let Some(json) = &signature_json {
                dir.write_new_file(EntryFile::Signature.file_name(), json.as_bytes())?;
            }
            // Metadata last: an entry directory with metadata has all of its files.
            dir.write_new_file(EntryFile::Metadata.file_name(), &meta_json)
        })
        .context(WriteEntrySnafu { entry: boxed() })
    }

    /// After a 304 Not Modified: sets the entry's `expires_at`, replacing `metadata.json`
    /// atomically; `pack.yaml` is not rewritten. Only an entry that still holds `digest`
    /// (the one revalidated) is changed.
    ///
    /// # Errors
    ///
    /// [`Error::ReadDirectory`], [`Error::LockEntry`], [`Error::ReadEntryFile`],
    /// [`Error::EncodeMetadata`] or [`Error::WriteEntry`] when the disk fails.
    pub fn refresh(
        &self,
        key: &EntryKey,
        digest: &Digest,
        expires_at: Timestamp,
    ) -> Result<Refresh> {
        let location = key.location();
        let NameDir::Present(name_dir) = self.name_dir(location)? else {
            return Ok(Refresh::Gone);
        };
        let lock_name = location.lock_file_name();
        let _lock = EntryLock::exclusive(&name_dir, &lock_name).context(LockEntrySnafu {
            path: name_dir.join(&lock_name),
        })?;
        let version = location.version().as_str();
        let entry_dir = match name_dir.open_dir(version).context(ReadDirectorySnafu {
            path: name_dir.join(version),
        })? {
            Child::Dir(dir) => dir,
            Child::Missing | Child::Other(_) => return Ok(Refresh::Gone),
        };
        let Inspection::Sound(loaded) = load_dir(&entry_dir, location)? else {
            return Ok(Refresh::Gone);
        };
        let meta = loaded.meta();
        if meta.digest != *digest
            || normalize_registry_url(&meta.registry_url) != key.registry_url()
        {
            return Ok(Refresh::Gone);
        }
        let boxed = || Box::new(location.clone());
        let mut meta = meta.clone();
        meta.expires_at = expires_at;
        let json = meta
            .to_json()
            .context(EncodeMetadataSnafu { entry: boxed() })?;
        remove_stray_files(&entry_dir).context(WriteEntrySnafu { entry: boxed() })?;
        replace_file(&entry_dir, EntryFile::Metadata.file_name(), &json)
            .context(WriteEntrySnafu { entry: boxed() })?;
        Ok(Refresh::Updated)
    }

    /// Removes one entry, atomically. Returns whether there was one.
    ///
    /// # Errors
    ///
    /// [`Error::ReadDirectory`], [`Error::LockEntry`] or [`Error::RemoveEntry`].
    pub fn evict(&self, location: &EntryLocation) -> Result<bool> {
        let name_dir = match self.name_dir(location)? {
            NameDir::Missing => return Ok(false),
            NameDir::Unsafe { parent, name, .. } => {
                remove_planted(&parent, &name).context(crate::error::RemoveEntrySnafu {
                    path: parent.join(&name),
                })?;
                return Ok(true);
            }
            NameDir::Present(dir) => dir,
        };
        let lock_name = location.lock_file_name();
        let _lock = EntryLock::exclusive(&name_dir, &lock_name).context(LockEntrySnafu {
            path: name_dir.join(&lock_name),
        })?;
        remove_entry_dir(&name_dir, location.version().as_str()).context(
            crate::error::RemoveEntrySnafu {
                path: self.entry_dir(location),
            },
        )
    }

    /// Opens the pack-name directory of `location` (see [`PackCache::open_chain`]).
    pub(crate) fn name_dir(&self, location: &EntryLocation) -> Result<NameDir> {
        self.open_chain(&location.name_dir_components())
    }

    /// Opens the root, then each of `components` relative to the one before without
    /// following a symlink, so that what is opened is below the root whatever is
    /// swapped into the path meanwhile.
    pub(crate) fn open_chain(&self, components: &[&str]) -> Result<NameDir> {
        let root = DirFd::open_root(&self.root).context(ReadDirectorySnafu { path: &self.root })?;
        let Some(mut dir) = root else {
            return Ok(NameDir::Missing);
        };
        for component in components {
            match dir.open_dir(component).context(ReadDirectorySnafu {
                path: dir.join(component),
            })? {
                Child::Dir(next) => dir = next,
                Child::Missing => return Ok(NameDir::Missing),
                Child::Other(found) => {
                    return Ok(NameDir::Unsafe {
                        parent: dir,
                        name: (*component).to_owned(),
                        found,
                    });
                }
            }
        }
        Ok(NameDir::Present(dir))
    }
}

/// Looks at `name` in `dir` without following a link.
fn look_in(dir: &DirFd, name: &str) -> Result<Found> {
    dir.look(name).context(ReadDirectorySnafu {
        path: dir.join(name),
    })
}

/// Loads and fully verifies the entry for `key` in its pack-name directory.
fn inspect(
    name_dir: &DirFd,
    key: &EntryKey,
    options: &ReadOptions<'_>,
) -> Result<Inspection<CacheEntry>> {
    let location = key.location();
    Ok(match load(name_dir, location)? {
        Inspection::Missing => Inspection::Missing,
        Inspection::Corrupt(reason) => Inspection::Corrupt(reason),
        Inspection::Sound(loaded) => {
            if normalize_registry_url(&loaded.meta().registry_url) != key.registry_url() {
                return Ok(Inspection::Corrupt(
                    MetadataMismatchSnafu {
                        entry: Box::new(location.clone()),
                        recorded: Box::new(loaded.meta().location()),
                    }
                    .build(),
                ));
            }
            match verify_trusted(loaded, location, options) {
                Ok(entry) => Inspection::Sound(entry),
                Err(reason) => Inspection::Corrupt(reason),
            }
        }
    })
}

fn classify(entry: CacheEntry, now: Timestamp) -> CacheRead {
    if entry.meta().is_stale(now) {
        CacheRead::Stale(entry)
    } else {
        CacheRead::Fresh(entry)
    }
}

/// Removes what was planted on the way to `location`'s entry (a link or file where a
/// directory belongs; nothing behind it is looked at) and returns why the entry is gone.
pub(crate) fn evict_planted(
    location: &EntryLocation,
    parent: &DirFd,
    name: &str,
    found: FileKind,
) -> Result<Error> {
    let reason = UnexpectedFileTypeSnafu {
        entry: Box::new(location.clone()),
        path: parent.join(name),
        expected: FileKind::Directory,
        found,
    }
    .build();
    match remove_planted(parent, name) {
        Ok(()) => Ok(reason),
        Err(source) => Err(evict_error(location, reason, source)),
    }
}

fn evict_error(location: &EntryLocation, reason: Error, source: io::Error) -> Error {
    EvictEntrySnafu {
        entry: Box::new(location.clone()),
        reason: Box::new(reason),
    }
    .into_error(source)
}
