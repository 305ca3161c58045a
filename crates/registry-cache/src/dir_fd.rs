//! Directory handles: every file system operation below the cache root, relative to an
//! open directory, so that no symlink swapped into the path is ever followed.
//!
//! The cache directory is untrusted: whoever can write in it can replace any directory
//! below the root by a symlink at any moment, so checking a path and then using it by
//! name (time of check, time of use) could act outside the root. Instead the root is
//! opened once and each component below it is opened relative to its parent with
//! `openat(O_NOFOLLOW | O_DIRECTORY)`; every create, open, rename, unlink, `mkdir` and
//! `fsync` then works on a [`DirFd`] (`openat`, `mkdirat`, `renameat`, `unlinkat`,
//! `fsync` of the directory), and names passed to it are single components. A directory
//! swapped for a link after it was opened does not matter: the handle still refers to
//! the directory that was checked. A link met while opening makes the open fail (and is
//! reported as [`FileKind::Symlink`]), never followed. Removing a tree walks it the same
//! way and removes each name with `unlinkat`, so it cannot leave the tree either.
//!
//! The root itself is the user's choice and may be a symlink. Files are checked with
//! `fstatat(AT_SYMLINK_NOFOLLOW)` before they are opened (with `O_NOFOLLOW |
//! O_NONBLOCK`, so a FIFO cannot block), and the file opened must be the file checked.
//!
//! This file holds what does not depend on the platform: the operations built on the
//! handle primitives, and the types they share. The primitives (`openat` and its relatives,
//! through rustix) are the Unix half, `dir_fd/unix.rs`. The by-path fallback that other
//! platforms had is gone: it could not exclude a swap between the check and the use, and
//! no non-Unix target's standard library is installed where this workspace is built and
//! checked, so it was code no build ever compiled. The cache therefore builds on Unix only.

#[cfg(not(unix))]
compile_error!(
    "registry-cache needs Unix: it opens every path below the cache root relative to an \
     open directory (openat with O_NOFOLLOW), which it implements for Unix only"
);

#[cfg(test)]
pub(crate) mod tests;
mod unix;

use std::fs::File;
use std::io::{self, Read};

use camino::{Utf8Path, Utf8PathBuf};

use crate::untrusted::{FileFault, FileKind, FileRead, Found};

/// What opening a directory below another found.
#[derive(Debug)]
pub(crate) enum Child {
    /// A real directory, now open.
    Dir(DirFd),
    /// Nothing.
    Missing,
    /// Something that is not a directory (a symlink is never followed).
    Other(FileKind),
}

/// An open directory of the cache, with its path for messages.
#[derive(Debug)]
pub(crate) struct DirFd {
    fd: std::os::fd::OwnedFd,
    path: Utf8PathBuf,
}

impl DirFd {
    /// The path this directory had when it was opened (for messages).
    pub(crate) fn path(&self) -> &Utf8Path {
        &self.path
    }

    /// The path of `name` in this directory (for messages).
    pub(crate) fn join(&self, name: &str) -> Utf8PathBuf {
        self.path.join(name)
    }

    /// Creates the root (and its parents) as needed and opens it.
    pub(crate) fn create_root(path: &Utf8Path) -> io::Result<DirFd> {
        std::fs::create_dir_all(path)?;
        DirFd::open_root(path)?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{path} is not a directory"),
            )
        })
    }

    /// Creates `name` and opens it; another process creating it first is fine, as long
    /// as it is a real directory.
    pub(crate) fn create_dir(&self, name: &str) -> io::Result<DirFd> {
        match self.make_dir(name) {
            Ok(()) => self.sync()?,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
        match self.open_dir(name)? {
            Child::Dir(dir) => Ok(dir),
            Child::Missing | Child::Other(_) => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is not a directory", self.join(name)),
            )),
        }
    }

    /// Creates `name`, which must not exist, and opens it.
    pub(crate) fn make_new_dir(&self, name: &str) -> io::Result<DirFd> {
        self.make_dir(name)?;
        match self.open_dir(name)? {
            Child::Dir(dir) => Ok(dir),
            Child::Missing | Child::Other(_) => Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} was replaced as it was created", self.join(name)),
            )),
        }
    }

    /// Removes `name` unless it is a directory (the removal then fails); a name that is
    /// already gone is not an error.
    pub(crate) fn remove_file(&self, name: &str) -> io::Result<()> {
        match self.unlink(name) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Removes the directory tree, link or file `name` without following a link and
    /// without leaving this directory; a name that is already gone is not an error.
    pub(crate) fn remove_tree(&self, name: &str) -> io::Result<()> {
        let result = match self.open_dir(name)? {
            Child::Missing => return Ok(()),
            Child::Dir(dir) => self.remove_dir_and_contents(name, &dir),
            Child::Other(_) => self.unlink(name),
        };
        match result {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Empties `dir` (this directory's `name`) and removes it.
    fn remove_dir_and_contents(&self, name: &str, dir: &DirFd) -> io::Result<()> {
        empty_and_remove(dir, || self.remove_empty_dir(name))
    }

    /// Reads the regular file `name`, at most `limit` bytes, never following a symlink.
    ///
    /// I/O errors other than "not found" (and the refusal of a planted symlink) are
    /// returned as errors: they say something about the disk, not about the entry.
    pub(crate) fn read_file(&self, name: &str, limit: usize) -> io::Result<FileRead> {
        let Some(checked) = self.status(name)? else {
            return Ok(FileRead::Missing);
        };
        if checked.kind != FileKind::File {
            return Ok(FileRead::Fault(FileFault::WrongKind(checked.kind)));
        }
        let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
        if checked.len > limit64 {
            return Ok(FileRead::Fault(FileFault::TooLarge(checked.len)));
        }
        let file = match self.open_file(name, Access::Read) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(FileRead::Missing),
            Err(error) if is_symlink_refusal(&error) => {
                return Ok(FileRead::Fault(FileFault::WrongKind(FileKind::Symlink)));
            }
            Err(error) => return Err(error),
        };
        let opened = Status::of_file(&file)?;
        if opened.kind != FileKind::File {
            return Ok(FileRead::Fault(FileFault::WrongKind(opened.kind)));
        }
        if opened.identity != checked.identity {
            return Ok(FileRead::Fault(FileFault::Replaced));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(opened.len).unwrap_or(0).min(limit));
        file.take(limit64.saturating_add(1))
            .read_to_end(&mut bytes)?;
        if bytes.len() > limit {
            return Ok(FileRead::Fault(FileFault::TooLarge(
                u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            )));
        }
        Ok(FileRead::Bytes(bytes))
    }

    /// The size of the regular file `name`, or 0.
    pub(crate) fn file_len(&self, name: &str) -> u64 {
        match self.status(name) {
            Ok(Some(status)) if status.kind == FileKind::File => status.len,
            _ => 0,
        }
    }

    /// Creates `name` (which must not exist), writes `bytes` and syncs them to disk.
    pub(crate) fn write_new_file(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        let mut file = self.open_file(name, Access::CreateNew)?;
        file.write_all(bytes)?;
        file.sync_all()
    }

    /// Opens the lock file `name`, creating it when `create` is set; never follows a
    /// symlink and never blocks on a FIFO.
    pub(crate) fn open_lock_file(&self, name: &str, create: bool) -> io::Result<File> {
        self.open_file(
            name,
            if create {
                Access::ReadWriteCreate
            } else {
                Access::Read
            },
        )
    }

    /// Looks at `name` without following a symlink.
    pub(crate) fn look(&self, name: &str) -> io::Result<Found> {
        Ok(match self.status(name)? {
            None => Found::Nothing,
            Some(status) => Found::Kind(status.kind),
        })
    }
}

/// Empties `dir`, then removes it with `remove_empty`. A process that still holds the
/// directory open (a writer racing with a clear) may add a name meanwhile: the removal
/// is tried again a few times before that is reported.
fn empty_and_remove(dir: &DirFd, remove_empty: impl Fn() -> io::Result<()>) -> io::Result<()> {
    let mut attempts = 0;
    loop {
        dir.remove_contents()?;
        match remove_empty() {
            Err(error) if error.kind() == io::ErrorKind::DirectoryNotEmpty && attempts < 3 => {
                attempts += 1;
            }
            other => return other,
        }
    }
}

/// How [`DirFd::open_file`] opens a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Read only.
    Read,
    /// Read and write, created if missing (lock files).
    ReadWriteCreate,
    /// Write only, created, must not exist.
    CreateNew,
}

/// What `fstatat` says about a name, without following a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Status {
    kind: FileKind,
    len: u64,
    /// Device and inode.
    identity: (u64, u64),
}

/// Whether an open error is the refusal of `O_NOFOLLOW` to open a symlink.
pub(crate) fn is_symlink_refusal(error: &io::Error) -> bool {
    use rustix::io::Errno;
    // Linux and macOS say ELOOP; FreeBSD and NetBSD say EMLINK.
    matches!(
        Errno::from_io_error(error),
        Some(Errno::LOOP | Errno::MLINK)
    )
}
