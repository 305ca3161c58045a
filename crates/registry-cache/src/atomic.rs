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
//! Every step works relative to the open pack-name directory (the `dir_fd` module), so
//! a directory on the way swapped for a symlink meanwhile is never followed.
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

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use camino::Utf8Path;
use registry_types::Version;
use ring::rand::{SecureRandom, SystemRandom};

use crate::dir_fd::{Child, DirFd};
use crate::inventory::remove_leftovers_of;
use crate::location::{EntryFile, old_dir_name, temp_dir_name, temp_dir_version};
use crate::metadata::{CacheMeta, MAX_METADATA_BYTES};
use crate::untrusted::{FileKind, FileRead, Found};

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

/// Makes sure that `root/components…` is a chain of real directories, creating what is
/// missing (and syncing each parent) and replacing a symlink or file planted in the chain
/// by a directory, and opens the last one. Each directory is opened relative to its
/// parent without following a link. The root itself is the user's choice and is created
/// as needed.
pub(crate) fn ensure_dir_chain(root: &Utf8Path, components: &[&str]) -> io::Result<DirFd> {
    let mut dir = DirFd::create_root(root)?;
    for component in components {
        match dir.open_dir(component)? {
            Child::Dir(next) => {
                dir = next;
                continue;
            }
            Child::Missing => {}
            // Removing a link removes the link only; nothing outside the root is touched.
            Child::Other(_) => {
                // Another writer may have repaired the path first: a directory is fine.
                if let Err(error) = dir.remove_file(component)
                    && dir.look(component)? != Found::Kind(FileKind::Directory)
                {
                    return Err(error);
                }
            }
        }
        // Another writer may create it first; it must be a directory then.
        dir = dir.create_dir(component)?;
    }
    Ok(dir)
}

/// Creates a fresh temporary directory for `version` in `parent`; returns its name and
/// the open directory.
fn create_temp_dir(parent: &DirFd, version: &str) -> io::Result<(String, DirFd)> {
    let mut attempts = 0;
    loop {
        let name = temp_dir_name(&random_token(), version);
        match parent.make_new_dir(&name) {
            Ok(dir) => return Ok((name, dir)),
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
    parent: &DirFd,
    version: &str,
    fill: impl FnOnce(&DirFd) -> io::Result<()>,
) -> io::Result<()> {
    let (temp, temp_dir) = create_temp_dir(parent, version)?;
    if let Err(error) = fill(&temp_dir).and_then(|()| temp_dir.sync()) {
        let _ = parent.remove_tree(&temp);
        return Err(error);
    }
    drop(temp_dir);
    let displaced = match displace(parent, version) {
        Ok(displaced) => displaced,
        Err(error) => {
            let _ = parent.remove_tree(&temp);
            return Err(error);
        }
    };
    if let Err(error) = parent.rename(&temp, version) {
        let _ = parent.remove_tree(&temp);
        if let Some(old) = &displaced {
            // Put the old entry back; if that fails too, a sweep removes it later.
            let _ = parent.rename(old, version);
        }
        return Err(error);
    }
    parent.sync()?;
    if let Some(old) = displaced {
        parent.remove_tree(&old)?;
    }
    Ok(())
}

/// Finishes a write that was killed between displacing the old entry and renaming the
/// new one into place (steps 2 and 3 in the module docs): when `parent/version` is
/// missing and a complete temporary directory of `version` is there, it is renamed into
/// place. Returns whether it was. The caller holds the entry's exclusive lock, so no
/// writer is live; the entry is verified like any other when it is read.
pub(crate) fn recover_entry(parent: &DirFd, version: &str) -> io::Result<bool> {
    if Version::parse(version).is_err() || parent.look(version)? != Found::Nothing {
        return Ok(false);
    }
    let Some(temp) = complete_temp_dir(parent, version)? else {
        return Ok(false);
    };
    parent.rename(&temp, version)?;
    parent.sync()?;
    Ok(true)
}

/// The name of a `.tmp-*-{version}` directory in `parent` that its writer finished
/// filling: its `metadata.json`, written after every other file, reads as metadata of
/// `version`, and the files it implies are regular files. A directory whose writer was
/// killed while filling it never qualifies.
pub(crate) fn complete_temp_dir(parent: &DirFd, version: &str) -> io::Result<Option<String>> {
    for (name, _) in parent.children()? {
        if temp_dir_version(&name) != Some(version) {
            continue;
        }
        if let Child::Dir(temp) = parent.open_dir(&name)?
            && is_complete(&temp, version)?
        {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

fn is_complete(dir: &DirFd, version: &str) -> io::Result<bool> {
    let meta = match dir.read_file(EntryFile::Metadata.file_name(), MAX_METADATA_BYTES)? {
        FileRead::Bytes(bytes) => match CacheMeta::from_json(&bytes) {
            Ok(meta) => meta,
            Err(_) => return Ok(false),
        },
        FileRead::Missing | FileRead::Fault(_) => return Ok(false),
    };
    let is_file = |file: EntryFile| -> io::Result<bool> {
        Ok(dir.look(file.file_name())? == Found::Kind(FileKind::File))
    };
    Ok(meta.version.as_str() == version
        && is_file(EntryFile::Pack)?
        && (!meta.signed || is_file(EntryFile::Signature)?))
}

/// Moves `parent/version` out of the way: a directory is renamed to a `.old-*` name (and
/// that name returned for removal), anything else (a planted link or file) is removed at
/// once.
fn displace(parent: &DirFd, version: &str) -> io::Result<Option<String>> {
    match parent.look(version)? {
        Found::Nothing => Ok(None),
        Found::Kind(FileKind::Directory) => {
            let old = old_dir_name(&random_token(), version);
            parent.rename(version, &old)?;
            Ok(Some(old))
        }
        Found::Kind(_) => {
            parent.unlink(version)?;
            Ok(None)
        }
    }
}

/// Removes the entry `parent/version` atomically: it disappears in one rename, then its
/// files are removed. Returns whether there was anything. The caller holds the lock.
///
/// The leftovers of earlier writes of `version` go first, so that a crash later never
/// puts a superseded temporary directory in the removed entry's place.
pub(crate) fn remove_entry_dir(parent: &DirFd, version: &str) -> io::Result<bool> {
    match remove_leftovers_of(parent, version) {
        // The pack-name directory is gone (a registry was cleared): so is the entry.
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        other => other?,
    }
    let result = match parent.look(version)? {
        Found::Nothing => return Ok(false),
        Found::Kind(FileKind::Directory) => {
            let old = old_dir_name(&random_token(), version);
            parent
                .rename(version, &old)
                .and_then(|()| parent.sync())
                .and_then(|()| parent.remove_tree(&old))
        }
        Found::Kind(_) => parent.unlink(version),
    };
    match result {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// Replaces `dir/name` with `bytes` atomically and durably (write, sync, rename, sync).
pub(crate) fn replace_file(dir: &DirFd, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temp = temp_dir_name(&random_token(), name);
    if let Err(error) = dir.write_new_file(&temp, bytes) {
        let _ = dir.remove_file(&temp);
        return Err(error);
    }
    if let Err(error) = dir.rename(&temp, name) {
        let _ = dir.remove_file(&temp);
        return Err(error);
    }
    dir.sync()
}

/// Removes a link, file or special file `name` planted where the cache expects a
/// directory, without holding any lock. Never a directory: one may have been created in
/// its place since it was looked at (by a writer repairing the path), with a good entry
/// and held lock files inside. A name that is already gone is not an error.
pub(crate) fn remove_planted(parent: &DirFd, name: &str) -> io::Result<()> {
    parent.remove_file(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dir_fd::tests::scratch_dir;
    use camino::Utf8PathBuf;

    fn scratch(name: &str) -> Utf8PathBuf {
        scratch_dir("atomic", name)
    }

    #[cfg(unix)]
    #[test]
    fn removing_a_planted_path_never_removes_a_directory() {
        let path = scratch("planted");
        let dir = DirFd::create_root(&path).expect("open");
        let outside = path.join("outside");
        std::fs::create_dir(&outside).expect("mkdir");
        std::fs::write(outside.join("keep"), b"keep").expect("write");
        std::os::unix::fs::symlink(&outside, dir.join("link")).expect("symlink");
        remove_planted(&dir, "link").expect("remove the link");
        assert_eq!(dir.look("link").expect("look"), Found::Nothing);
        assert!(outside.join("keep").is_file(), "the target is untouched");
        remove_planted(&dir, "link").expect("already gone is fine");

        // A directory that replaced the link since it was looked at stays, contents and all.
        let repaired = dir.create_dir("repaired").expect("mkdir");
        repaired.write_new_file(".lock-1.0.0", b"").expect("write");
        assert_eq!(
            remove_planted(&dir, "repaired").map_err(|e| e.kind()),
            Err(io::ErrorKind::IsADirectory)
        );
        assert!(path.join("repaired/.lock-1.0.0").is_file());
        std::fs::remove_dir_all(&path).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn a_chain_with_a_planted_link_is_repaired_not_followed() {
        let path = scratch("chain");
        let outside = path.join("outside");
        std::fs::create_dir_all(outside.join("name")).expect("mkdir");
        let root = path.join("root");
        std::fs::create_dir_all(root.join("registry")).expect("mkdir");
        std::os::unix::fs::symlink(&outside, root.join("registry/_global")).expect("symlink");
        let name = ensure_dir_chain(&root, &["registry", "_global", "name"]).expect("chain");
        name.write_new_file("f", b"x").expect("write");
        assert!(root.join("registry/_global/name/f").is_file());
        assert!(
            root.join("registry/_global")
                .symlink_metadata()
                .expect("dir")
                .is_dir()
        );
        assert!(!outside.join("name/f").exists());
        std::fs::remove_dir_all(&path).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn locking_writing_and_removing_through_a_swapped_directory_stay_inside() {
        // The pack-name directory is opened, then swapped for a link to a directory that
        // holds a victim named like the version (the race of a check followed by a use by
        // path): locking, writing and removal all act on the directory opened.
        let path = scratch("swapped");
        let outside = path.join("outside");
        std::fs::create_dir_all(outside.join("1.0.0")).expect("mkdir");
        std::fs::write(outside.join("1.0.0/keep"), b"keep").expect("write");
        let root = path.join("root");
        let name = ensure_dir_chain(&root, &["name"]).expect("chain");
        name.create_dir("1.0.0").expect("mkdir");
        std::fs::rename(root.join("name"), root.join("moved")).expect("move");
        std::os::unix::fs::symlink(&outside, root.join("name")).expect("symlink");
        let before = crate::dir_fd::tests::snapshot(&outside);
        let lock = crate::lock::EntryLock::exclusive(&name, ".lock-1.0.0").expect("lock");
        install_dir(&name, "1.0.0", |dir| {
            dir.write_new_file("pack.yaml", b"new")
        })
        .expect("install");
        assert_eq!(
            std::fs::read(root.join("moved/1.0.0/pack.yaml")).expect("new entry"),
            b"new"
        );
        assert!(remove_entry_dir(&name, "1.0.0").expect("remove"));
        drop(lock);
        assert_eq!(crate::dir_fd::tests::snapshot(&outside), before);
        assert!(!root.join("moved/1.0.0").exists());
        assert!(root.join("moved/.lock-1.0.0").is_file());
        std::fs::remove_dir_all(&path).expect("clean up");
    }
}
