//! Atomic, durable changes to the cache: temporary names, `fsync`, one `rename` to publish.
//!
//! # Writing an entry
//!
//! Under the entry's exclusive lock (see the `lock` module):
//!
//! 1. create `{name}/.tmp-{random}-{version}/`, write `pack.yaml`, `signature.json` (when
//!    there is an envelope) and `metadata.json` into it, `fsync` each file, then `fsync`
//!    the directory;
//! 2. if `{name}/{version}` exists, rename it to `{name}/.old-{random}-{version}`;
//! 3. rename the temporary directory to `{name}/{version}` and `fsync` `{name}/`;
//! 4. remove the displaced directory.
//!
//! A crash (or `SIGKILL`) leaves one of these states, never a mix of two entries:
//!
//! - during 1: the old entry (or none) plus a partial `.tmp-*` directory;
//! - between 2 and 3: no entry (a reader sees a miss and re-fetches) plus a complete
//!   `.old-*` and a complete `.tmp-*` directory;
//! - between 3 and 4: the new entry plus a complete `.old-*` directory.
//!
//! An entry directory is never written under its final name: it gets that name by one
//! `rename(2)` once all of its files are on disk, so a reader (which in addition holds a
//! shared lock that excludes writers) sees a whole entry or none. Leftover `.tmp-*` and
//! `.old-*` directories are never read: their names cannot be versions (a version starts
//! with a digit). They are removed by the next write of the same version, by
//! [`sweep`](crate::PackCache::sweep) and by [`verify_all`](crate::PackCache::verify_all),
//! always under the version's lock, so a live writer is never disturbed.
//!
//! Swapping the two directories in one step would need `renameat2(RENAME_EXCHANGE)`, which
//! is Linux-only and needs `unsafe`; the window between 2 and 3 costs at most a re-fetch.
//!
//! # Refreshing metadata
//!
//! `metadata.json` alone is replaced by writing `.tmp-{random}-metadata.json` in the entry
//! directory, `fsync`, `rename` over `metadata.json`, `fsync` of the directory. A crash
//! leaves the old or the new metadata, and at worst a stray temporary file that readers
//! ignore and sweeps remove.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use camino::{Utf8Path, Utf8PathBuf};
use ring::rand::{SecureRandom, SystemRandom};

use crate::location::{old_dir_name, temp_dir_name};
use crate::untrusted::{FileKind, Found, look};

/// A fresh random token for temporary names: 16 lowercase hex digits.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 8];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        // The system generator failing is all but impossible; uniqueness (not secrecy) is
        // what matters here, and creation with `create_dir` detects a clash anyway.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        return format!("{:08x}{:08x}", std::process::id(), count);
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Creates `path` (which must not exist), writes `bytes` and syncs them to disk.
pub(crate) fn write_new_file(path: &Utf8Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Syncs a directory, so that the names created or renamed in it are durable.
pub(crate) fn sync_dir(path: &Utf8Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(path)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened as files on every platform; renames are still
        // atomic there, only their durability across a power cut is not promised.
        let _ = path;
        Ok(())
    }
}

/// Makes sure that `root/components…` is a chain of real directories, creating what is
/// missing (and syncing each parent) and replacing a symlink or file planted in the chain
/// by a directory. The root itself is the user's choice and is created as needed.
pub(crate) fn ensure_dir_chain(root: &Utf8Path, components: &[&str]) -> io::Result<Utf8PathBuf> {
    fs::create_dir_all(root)?;
    let mut path = root.to_owned();
    for component in components {
        let parent = path.clone();
        path.push(component);
        match look(&path)? {
            Found::Kind(FileKind::Directory) => continue,
            Found::Nothing => {}
            // Removing a link removes the link only; nothing outside the root is touched.
            Found::Kind(_) => fs::remove_file(&path)?,
        }
        match fs::create_dir(&path) {
            Ok(()) => sync_dir(&parent)?,
            // Another writer created it first; it must be a directory now.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                if look(&path)? != Found::Kind(FileKind::Directory) {
                    return Err(io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        format!("{path} is not a directory"),
                    ));
                }
            }
            Err(error) => return Err(error),
        }
    }
    Ok(path)
}

/// Creates a fresh temporary directory for `version` in `parent`.
fn create_temp_dir(parent: &Utf8Path, version: &str) -> io::Result<Utf8PathBuf> {
    let mut attempts = 0;
    loop {
        let temp = parent.join(temp_dir_name(&random_token(), version));
        match fs::create_dir(&temp) {
            Ok(()) => return Ok(temp),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempts < 3 => {
                attempts += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Publishes a new entry directory `parent/version`: `fill` writes the files into a
/// temporary directory, which is synced and renamed into place (see the module docs).
/// The caller holds the entry's exclusive lock.
pub(crate) fn install_dir(
    parent: &Utf8Path,
    version: &str,
    fill: impl FnOnce(&Utf8Path) -> io::Result<()>,
) -> io::Result<()> {
    let temp = create_temp_dir(parent, version)?;
    if let Err(error) = fill(&temp).and_then(|()| sync_dir(&temp)) {
        let _ = remove_tree(&temp);
        return Err(error);
    }
    let target = parent.join(version);
    let displaced = match displace(parent, version) {
        Ok(displaced) => displaced,
        Err(error) => {
            let _ = remove_tree(&temp);
            return Err(error);
        }
    };
    if let Err(error) = fs::rename(&temp, &target) {
        let _ = remove_tree(&temp);
        if let Some(old) = &displaced {
            // Put the old entry back; if that fails too, a sweep removes it later.
            let _ = fs::rename(old, &target);
        }
        return Err(error);
    }
    sync_dir(parent)?;
    if let Some(old) = displaced {
        remove_tree(&old)?;
    }
    Ok(())
}

/// Moves `parent/version` out of the way: a directory is renamed to a `.old-*` name (and
/// returned for removal), anything else (a planted link or file) is removed at once.
fn displace(parent: &Utf8Path, version: &str) -> io::Result<Option<Utf8PathBuf>> {
    let target = parent.join(version);
    match look(&target)? {
        Found::Nothing => Ok(None),
        Found::Kind(FileKind::Directory) => {
            let old = parent.join(old_dir_name(&random_token(), version));
            fs::rename(&target, &old)?;
            Ok(Some(old))
        }
        Found::Kind(_) => {
            fs::remove_file(&target)?;
            Ok(None)
        }
    }
}

/// Removes the entry `parent/version` atomically: it disappears in one rename, then its
/// files are removed. Returns whether there was anything. The caller holds the lock.
pub(crate) fn remove_entry_dir(parent: &Utf8Path, version: &str) -> io::Result<bool> {
    let target = parent.join(version);
    let result = match look(&target)? {
        Found::Nothing => return Ok(false),
        Found::Kind(FileKind::Directory) => {
            let old = parent.join(old_dir_name(&random_token(), version));
            fs::rename(&target, &old)
                .and_then(|()| sync_dir(parent))
                .and_then(|()| remove_tree(&old))
        }
        Found::Kind(_) => fs::remove_file(&target),
    };
    match result {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// Replaces `dir/name` with `bytes` atomically and durably (write, sync, rename, sync).
pub(crate) fn replace_file(dir: &Utf8Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temp = dir.join(temp_dir_name(&random_token(), name));
    if let Err(error) = write_new_file(&temp, bytes) {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    if let Err(error) = fs::rename(&temp, dir.join(name)) {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    sync_dir(dir)
}

/// Removes a directory tree, or a single link or file, without following links; a path
/// that is already gone (another process removed it first) is not an error.
pub(crate) fn remove_tree(path: &Utf8Path) -> io::Result<()> {
    let result = match look(path)? {
        Found::Nothing => return Ok(()),
        Found::Kind(FileKind::Directory) => fs::remove_dir_all(path),
        Found::Kind(_) => fs::remove_file(path),
    };
    match result {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
