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
//!   none; a writer racing with a clear may fail with an I/O error.
//!
//! The locks are `std::fs::File` locks (`flock(2)` on Unix): they belong to an open file,
//! so two threads that each open the lock file exclude each other exactly as two
//! processes do, and the kernel releases them when the holder exits or is killed. They
//! are advisory: they coordinate cooperating processes; tampering is caught by
//! verification, not by locks. `flock` may not work across machines on some network
//! file systems.

use std::fs::{File, TryLockError};
use std::io;

use camino::Utf8Path;

use crate::untrusted::{FileKind, Found, is_symlink_refusal, look, open_lock_file};

/// A held lock on one entry; released when dropped.
#[derive(Debug)]
pub(crate) struct EntryLock {
    // Dropping the file closes it, which releases the lock.
    _file: File,
}

impl EntryLock {
    /// Waits for a shared lock. When the lock file cannot be created (a read-only cache),
    /// an existing one is opened read-only, which is enough for a shared lock.
    pub(crate) fn shared(path: &Utf8Path) -> io::Result<EntryLock> {
        let file = match open_healing(path, true) {
            Ok(file) => file,
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                open_lock_file(path, false)?
            }
            Err(error) => return Err(error),
        };
        file.lock_shared()?;
        Ok(EntryLock { _file: file })
    }

    /// Waits for the exclusive lock, creating the lock file if needed.
    pub(crate) fn exclusive(path: &Utf8Path) -> io::Result<EntryLock> {
        let file = open_healing(path, true)?;
        file.lock()?;
        Ok(EntryLock { _file: file })
    }

    /// Takes the exclusive lock if nobody holds the entry; never waits. `None` when
    /// another thread or process holds it.
    pub(crate) fn try_exclusive(path: &Utf8Path) -> io::Result<Option<EntryLock>> {
        let file = open_healing(path, true)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(EntryLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(error)) => Err(error),
        }
    }
}

/// Opens the lock file. Anything else planted in its place — a symlink (removed, never
/// followed), a directory or a socket — is removed and the lock file created anew, so
/// that tampering cannot lock an entry out for good.
///
/// Only what is still not a regular file is removed: another process healing the same
/// path may already have created the real lock file, and removing that one would let two
/// processes lock two different files. A failed removal is not reported: the second open
/// says whether the path was healed.
fn open_healing(path: &Utf8Path, create: bool) -> io::Result<File> {
    let error = match open_lock_file(path, create) {
        Ok(file) => return Ok(file),
        Err(error) => error,
    };
    match look(path)? {
        // `remove_dir_all` refuses a path that is no longer a directory.
        Found::Kind(FileKind::Directory) => {
            let _ = std::fs::remove_dir_all(path);
        }
        Found::Kind(FileKind::Symlink | FileKind::Special) => {
            let _ = std::fs::remove_file(path);
        }
        // A regular file (or nothing) now: a link was healed by someone else since the
        // open failed, or the failure was not about what is there.
        Found::Nothing | Found::Kind(FileKind::File) => {
            if !is_symlink_refusal(&error) {
                return Err(error);
            }
        }
    }
    open_lock_file(path, create)
}

#[cfg(test)]
mod tests {
    use super::*;
    use camino::Utf8PathBuf;

    fn scratch(name: &str) -> Utf8PathBuf {
        let dir =
            std::env::temp_dir().join(format!("registry-cache-lock-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Utf8PathBuf::from_path_buf(dir).expect("UTF-8 temp dir")
    }

    #[test]
    fn shared_locks_coexist_and_exclude_writers_within_one_process() {
        let dir = scratch("modes");
        let path = dir.join(".lock-1.0.0");
        let reader = EntryLock::shared(&path).expect("shared");
        let second_reader = EntryLock::shared(&path).expect("second shared");
        assert!(
            EntryLock::try_exclusive(&path).expect("try").is_none(),
            "readers hold it"
        );
        drop((reader, second_reader));
        let writer = EntryLock::try_exclusive(&path)
            .expect("try")
            .expect("free now");
        assert!(EntryLock::try_exclusive(&path).expect("try").is_none());
        drop(writer);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_replaced_not_followed() {
        let dir = scratch("symlink");
        let outside = dir.join("outside");
        std::fs::write(&outside, b"keep").expect("write");
        let path = dir.join(".lock-1.0.0");
        std::os::unix::fs::symlink(&outside, &path).expect("symlink");
        let lock = EntryLock::exclusive(&path).expect("lock");
        assert!(path.symlink_metadata().expect("lock file").is_file());
        assert_eq!(std::fs::read(&outside).expect("outside"), b"keep");
        drop(lock);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_planted_directory_is_replaced() {
        let dir = scratch("directory");
        let path = dir.join(".lock-1.0.0");
        std::fs::create_dir(&path).expect("plant");
        std::fs::write(path.join("junk"), b"junk").expect("write");
        let lock = EntryLock::exclusive(&path).expect("lock");
        assert!(path.symlink_metadata().expect("lock file").is_file());
        assert!(EntryLock::try_exclusive(&path).expect("try").is_none());
        drop(lock);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
