//! Per-entry file locks, and the protocol that lets threads and processes share a cache.
//!
//! # The protocol
//!
//! - Each entry directory `{name}/{version}` has a lock file `{name}/.lock-{version}`
//!   beside it, created on first use and never removed on its own (removing a lock file
//!   would let two processes lock two different files of the same name). Only clearing a
//!   registry removes lock files, with the directory that holds them.
//! - A reader holds a shared lock for the whole read: looking at the files, reading them
//!   once, and verifying the bytes it read. Writers — [`write`](crate::PackCache::write),
//!   [`refresh`](crate::PackCache::refresh), [`evict`](crate::PackCache::evict) — hold the
//!   exclusive lock for the whole operation. So a reader never sees a writer's
//!   intermediate state, and two writers of one entry never interleave.
//! - A reader that finds a bad entry drops its shared lock, takes the exclusive one and
//!   verifies again before evicting: a writer may have replaced the entry in between
//!   (shared locks cannot be upgraded atomically), and a good entry is never evicted.
//! - The temporary and displaced directories of a version (`.tmp-*-{version}`,
//!   `.old-*-{version}`) are removed (or, for the complete new entry of a write killed
//!   between its two renames, renamed into place) only under that version's exclusive
//!   lock, taken with `try_lock` by sweeps. A writer holds its lock from before it
//!   creates its temporary directory until after it removed the directory it displaced,
//!   so a sweep never removes a live writer's files; a killed writer's lock is released
//!   by the kernel, so its leftovers are swept later.
//! - A lock file is never removed, but something else planted in its place (a symlink, a
//!   directory, a socket) is, so tampering cannot lock an entry out.
//! - Clearing a registry or the whole cache takes no entry locks: it renames the registry
//!   directory aside in one step and removes it afterwards. Readers see whole entries or
//!   none. A writer racing with a clear works in the directories it opened: it may
//!   fail with an I/O error or finish in the directory moved aside, which is removed
//!   with its write (if the clear cannot remove it, it reports an error and a later
//!   sweep does).
//!
//! The locks are `std::fs::File` locks (`flock(2)` on Unix): they belong to an open file,
//! so two threads that each open the lock file exclude each other exactly as two
//! processes do, and the kernel releases them when the holder exits or is killed. They
//! are advisory: they coordinate cooperating processes; tampering is caught by
//! verification, not by locks. `flock` may not work across machines on some network
//! file systems.

use std::fs::{File, TryLockError};
use std::io;

use crate::dir_fd::{DirFd, is_symlink_refusal};
use crate::untrusted::{FileKind, Found};

/// A held lock on one entry; released when dropped.
#[derive(Debug)]
pub(crate) struct EntryLock {
    // Dropping the file closes it, which releases the lock.
    _file: File,
}

impl EntryLock {
    /// Waits for a shared lock on the lock file `name` in `dir`. When the lock file
    /// cannot be created (a read-only cache), an existing one is opened read-only, which
    /// is enough for a shared lock.
    pub(crate) fn shared(dir: &DirFd, name: &str) -> io::Result<EntryLock> {
        let file = match open_healing(dir, name) {
            Ok(file) => file,
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                dir.open_lock_file(name, false)?
            }
            Err(error) => return Err(error),
        };
        file.lock_shared()?;
        Ok(EntryLock { _file: file })
    }

    /// Waits for the exclusive lock, creating the lock file if needed.
    pub(crate) fn exclusive(dir: &DirFd, name: &str) -> io::Result<EntryLock> {
        let file = open_healing(dir, name)?;
        file.lock()?;
        Ok(EntryLock { _file: file })
    }

    /// Takes the exclusive lock if nobody holds the entry; never waits. `None` when
    /// another thread or process holds it.
    pub(crate) fn try_exclusive(dir: &DirFd, name: &str) -> io::Result<Option<EntryLock>> {
        let file = open_healing(dir, name)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(EntryLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(error)) => Err(error),
        }
    }
}

/// Opens (creating it if needed) the lock file `name` in `dir`, relative to the open
/// directory and without following a symlink. Anything else planted in its place — a
/// symlink (removed, never followed), a directory or a socket — is removed and the lock
/// file created anew, so that tampering cannot lock an entry out for good.
///
/// Only what is still not a regular file is removed: another process healing the same
/// path may already have created the real lock file, and removing that one would let two
/// processes lock two different files. A failed removal is not reported: the second open
/// says whether the path was healed.
fn open_healing(dir: &DirFd, name: &str) -> io::Result<File> {
    let error = match dir.open_lock_file(name, true) {
        Ok(file) => return Ok(file),
        Err(error) => error,
    };
    match dir.look(name)? {
        // Removing a tree never follows a link, and refuses nothing but a directory.
        Found::Kind(FileKind::Directory) => {
            let _ = dir.remove_tree(name);
        }
        Found::Kind(FileKind::Symlink | FileKind::Special) => {
            let _ = dir.unlink(name);
        }
        // A regular file (or nothing) now: a link was healed by someone else since the
        // open failed, or the failure was not about what is there.
        Found::Nothing | Found::Kind(FileKind::File) => {
            if !is_symlink_refusal(&error) {
                return Err(error);
            }
        }
    }
    dir.open_lock_file(name, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dir_fd::tests::scratch_dir;
    use camino::Utf8PathBuf;

    const NAME: &str = ".lock-1.0.0";

    fn scratch(name: &str) -> Utf8PathBuf {
        scratch_dir("lock", name)
    }

    #[test]
    fn shared_locks_coexist_and_exclude_writers_within_one_process() {
        let dir = scratch("modes");
        let root = DirFd::create_root(&dir).expect("open");
        let reader = EntryLock::shared(&root, NAME).expect("shared");
        let second_reader = EntryLock::shared(&root, NAME).expect("second shared");
        assert!(
            EntryLock::try_exclusive(&root, NAME)
                .expect("try")
                .is_none(),
            "readers hold it"
        );
        drop((reader, second_reader));
        let writer = EntryLock::try_exclusive(&root, NAME)
            .expect("try")
            .expect("free now");
        assert!(
            EntryLock::try_exclusive(&root, NAME)
                .expect("try")
                .is_none()
        );
        drop(writer);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_replaced_not_followed() {
        let dir = scratch("symlink");
        let outside = dir.join("outside");
        std::fs::write(&outside, b"keep").expect("write");
        let path = dir.join(NAME);
        let root = DirFd::create_root(&dir).expect("open");
        std::os::unix::fs::symlink(&outside, &path).expect("symlink");
        let lock = EntryLock::exclusive(&root, NAME).expect("lock");
        assert!(path.symlink_metadata().expect("lock file").is_file());
        assert_eq!(std::fs::read(&outside).expect("outside"), b"keep");
        drop(lock);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_planted_directory_is_replaced() {
        let dir = scratch("directory");
        let path = dir.join(NAME);
        let root = DirFd::create_root(&dir).expect("open");
        std::fs::create_dir(&path).expect("plant");
        std::fs::write(path.join("junk"), b"junk").expect("write");
        let lock = EntryLock::exclusive(&root, NAME).expect("lock");
        assert!(path.symlink_metadata().expect("lock file").is_file());
        assert!(
            EntryLock::try_exclusive(&root, NAME)
                .expect("try")
                .is_none()
        );
        drop(lock);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
