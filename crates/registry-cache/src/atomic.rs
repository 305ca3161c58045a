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
//! - between 2 and 3: no entry, a complete `.old-*` and a complete `.tmp-*` directory;
//!   the next read, sweep or `verify_all` finishes the write under the entry's lock
//!   (step 3), so the new entry is what is found;
//! - between 3 and 4: the new entry plus a complete `.old-*` directory.
//!
//! An entry directory is never written under its final name: it gets that name by one
//! `rename(2)` once all of its files are on disk, so a reader (which in addition holds a
//! shared lock that excludes writers) sees a whole entry or none. Leftover `.tmp-*` and
//! `.old-*` directories are never read as entries: their names cannot be versions (a
//! version starts with a digit). A `.tmp-*` directory is complete when its
//! `metadata.json`, written last, reads; only a complete one is ever renamed into place,
//! and only where its version has no entry. Leftovers are removed by the next write or
//! removal of the same version, by [`sweep`](crate::PackCache::sweep) and by
//! [`verify_all`](crate::PackCache::verify_all), always under the version's lock, so a
//! live writer is never disturbed.
//!
//! Swapping the two directories in one step would need `renameat2(RENAME_EXCHANGE)`, which
//! is Linux-only and needs `unsafe`; hence the recovery of the window between 2 and 3.
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
use registry_types::Version;
use ring::rand::{SecureRandom, SystemRandom};

use crate::inventory::remove_leftovers_of;
use crate::location::{EntryFile, old_dir_name, temp_dir_name, temp_dir_version};
use crate::metadata::{CacheMeta, MAX_METADATA_BYTES};
use crate::untrusted::{FileKind, FileRead, Found, look, read_file};

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
            Found::Kind(_) => {
                // Another writer may have repaired the path first: a directory is fine.
                if let Err(error) = remove_planted(&path)
                    && look(&path)? != Found::Kind(FileKind::Directory)
                {
                    return Err(error);
                }
            }
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

/// Finishes a write that was killed between displacing the old entry and renaming the
/// new one into place (steps 2 and 3 in the module docs): when `parent/version` is
/// missing and a complete temporary directory of `version` is there, it is renamed into
/// place. Returns whether it was. The caller holds the entry's exclusive lock, so no
/// writer is live; the entry is verified like any other when it is read.
pub(crate) fn recover_entry(parent: &Utf8Path, version: &str) -> io::Result<bool> {
    if Version::parse(version).is_err() || look(&parent.join(version))? != Found::Nothing {
        return Ok(false);
    }
    let Some(temp) = complete_temp_dir(parent, version)? else {
        return Ok(false);
    };
    fs::rename(&temp, parent.join(version))?;
    sync_dir(parent)?;
    Ok(true)
}

/// A `.tmp-*-{version}` directory in `parent` that its writer finished filling: its
/// `metadata.json`, written after every other file, reads as metadata of `version`, and
/// the files it implies are regular files. A directory whose writer was killed while
/// filling it never qualifies.
pub(crate) fn complete_temp_dir(
    parent: &Utf8Path,
    version: &str,
) -> io::Result<Option<Utf8PathBuf>> {
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if temp_dir_version(&name) != Some(version) {
            continue;
        }
        let temp = parent.join(&name);
        if look(&temp)? == Found::Kind(FileKind::Directory) && is_complete(&temp, version)? {
            return Ok(Some(temp));
        }
    }
    Ok(None)
}

fn is_complete(dir: &Utf8Path, version: &str) -> io::Result<bool> {
    let metadata = dir.join(EntryFile::Metadata.file_name());
    let meta = match read_file(&metadata, MAX_METADATA_BYTES)? {
        FileRead::Bytes(bytes) => match CacheMeta::from_json(&bytes) {
            Ok(meta) => meta,
            Err(_) => return Ok(false),
        },
        FileRead::Missing | FileRead::Fault(_) => return Ok(false),
    };
    let is_file = |file: EntryFile| -> io::Result<bool> {
        Ok(look(&dir.join(file.file_name()))? == Found::Kind(FileKind::File))
    };
    Ok(meta.version.as_str() == version
        && is_file(EntryFile::Pack)?
        && (!meta.signed || is_file(EntryFile::Signature)?))
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
///
/// The leftovers of earlier writes of `version` go first, so that a crash later never
/// puts a superseded temporary directory in the removed entry's place.
pub(crate) fn remove_entry_dir(parent: &Utf8Path, version: &str) -> io::Result<bool> {
    match remove_leftovers_of(parent, version) {
        // The pack-name directory is gone (a registry was cleared): so is the entry.
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        other => other?,
    }
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

/// Removes a link, file or special file planted where the cache expects a directory,
/// without holding any lock. Never a directory: one may have been created in its place
/// since it was looked at (by a writer repairing the path), with a good entry and held
/// lock files inside. A path that is already gone is not an error.
pub(crate) fn remove_planted(path: &Utf8Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> Utf8PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "registry-cache-atomic-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        Utf8PathBuf::from_path_buf(dir).expect("UTF-8 temp dir")
    }

    #[cfg(unix)]
    #[test]
    fn removing_a_planted_path_never_removes_a_directory() {
        let dir = scratch("planted");
        let outside = dir.join("outside");
        fs::create_dir(&outside).expect("mkdir");
        fs::write(outside.join("keep"), b"keep").expect("write");
        let link = dir.join("link");
        std::os::unix::fs::symlink(&outside, &link).expect("symlink");
        remove_planted(&link).expect("remove the link");
        assert_eq!(look(&link).expect("look"), Found::Nothing);
        assert!(outside.join("keep").is_file(), "the target is untouched");
        remove_planted(&link).expect("already gone is fine");

        // A directory that replaced the link since it was looked at stays, contents and all.
        let repaired = dir.join("repaired");
        fs::create_dir(&repaired).expect("mkdir");
        fs::write(repaired.join(".lock-1.0.0"), b"").expect("write");
        assert!(remove_planted(&repaired).is_err());
        assert!(repaired.join(".lock-1.0.0").is_file());
        fs::remove_dir_all(&dir).expect("clean up");
    }
}
