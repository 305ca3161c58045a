//! The Unix half of directory handles: `openat`, `mkdirat`, `renameat`, `unlinkat` and
//! `fstatat` through rustix, relative to an open directory.

use std::ffi::CStr;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};

use camino::Utf8Path;
use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, Stat};
use rustix::io::Errno;

use crate::dir_fd::{Access, Child, DirFd, Status};
use crate::untrusted::{FileKind, Found};

/// The flags of every directory opened below the root.
const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// The mode of created directories and files, before the umask (as `std::fs`).
const DIR_MODE: u32 = 0o777;
const FILE_MODE: u32 = 0o666;

impl DirFd {
    /// Opens the root, following a symlink (the root is the user's choice); `None`
    /// when there is no directory there.
    pub(crate) fn open_root(path: &Utf8Path) -> io::Result<Option<DirFd>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        match rustix::fs::openat(CWD, path.as_str(), flags, Mode::empty()) {
            Ok(fd) => Ok(Some(DirFd {
                fd,
                path: path.to_owned(),
            })),
            Err(Errno::NOENT | Errno::NOTDIR) => Ok(None),
            Err(errno) => Err(errno.into()),
        }
    }

    /// Opens the directory `name` in this one, never following a symlink.
    pub(crate) fn open_dir(&self, name: &str) -> io::Result<Child> {
        debug_assert!(is_component(name), "{name:?}");
        match rustix::fs::openat(&self.fd, name, DIR_FLAGS, Mode::empty()) {
            Ok(fd) => Ok(Child::Dir(DirFd {
                fd,
                path: self.join(name),
            })),
            Err(Errno::NOENT) => Ok(Child::Missing),
            // A link (ELOOP, or EMLINK on some BSDs) or a non-directory (ENOTDIR):
            // say what is there.
            Err(errno) => match self.look(name)? {
                Found::Nothing => Ok(Child::Missing),
                Found::Kind(FileKind::Directory) => Err(errno.into()),
                Found::Kind(kind) => Ok(Child::Other(kind)),
            },
        }
    }

    /// `mkdirat`: creates the directory `name`.
    pub(super) fn make_dir(&self, name: &str) -> io::Result<()> {
        debug_assert!(is_component(name), "{name:?}");
        rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(DIR_MODE)).map_err(io::Error::from)
    }

    /// `unlinkat(AT_REMOVEDIR)`: removes the empty directory `name`.
    pub(super) fn remove_empty_dir(&self, name: &str) -> io::Result<()> {
        debug_assert!(is_component(name), "{name:?}");
        rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR).map_err(io::Error::from)
    }

    /// `unlinkat`: removes the link, file or special file `name` (never a directory).
    pub(crate) fn unlink(&self, name: &str) -> io::Result<()> {
        debug_assert!(is_component(name), "{name:?}");
        rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()).map_err(io::Error::from)
    }

    /// `renameat` within this directory.
    pub(crate) fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        debug_assert!(is_component(from) && is_component(to), "{from:?} {to:?}");
        rustix::fs::renameat(&self.fd, from, &self.fd, to).map_err(io::Error::from)
    }

    /// `fsync` of the directory, so that the names created or renamed in it are
    /// durable.
    pub(crate) fn sync(&self) -> io::Result<()> {
        rustix::fs::fsync(&self.fd).map_err(io::Error::from)
    }

    /// Removes everything in this directory, whatever the bytes of the names (not
    /// only UTF-8 ones), never following a link and never leaving the directory.
    pub(super) fn remove_contents(&self) -> io::Result<()> {
        for entry in rustix::fs::Dir::read_from(&self.fd)? {
            let entry = entry?;
            let name = entry.file_name();
            if name != c"." && name != c".." {
                self.remove_child(name)?;
            }
        }
        Ok(())
    }

    /// [`DirFd::remove_tree`] for a name of any bytes.
    fn remove_child(&self, name: &CStr) -> io::Result<()> {
        let result = match rustix::fs::openat(&self.fd, name, DIR_FLAGS, Mode::empty()) {
            Ok(fd) => {
                let dir = DirFd {
                    fd,
                    path: self.path.join(&*name.to_string_lossy()),
                };
                crate::dir_fd::empty_and_remove(&dir, || {
                    rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)
                        .map_err(io::Error::from)
                })
            }
            Err(Errno::NOENT) => return Ok(()),
            // A link (never followed), a file or a special file is unlinked.
            Err(errno) => match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) if FileType::from_raw_mode(stat.st_mode) == FileType::Directory => {
                    Err(errno.into())
                }
                Ok(_) => {
                    rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()).map_err(io::Error::from)
                }
                Err(other) => Err(other.into()),
            },
        };
        match result {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// The UTF-8 names in this directory with their kinds (links not followed).
    pub(crate) fn children(&self) -> io::Result<Vec<(String, FileKind)>> {
        let mut children = Vec::new();
        for entry in rustix::fs::Dir::read_from(&self.fd)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().to_str() else {
                continue;
            };
            if name == "." || name == ".." {
                continue;
            }
            let kind = match entry.file_type() {
                FileType::Unknown => match self.look(name)? {
                    // Removed since the listing: nothing to report.
                    Found::Nothing => continue,
                    Found::Kind(kind) => kind,
                },
                file_type => kind_of(file_type),
            };
            children.push((name.to_owned(), kind));
        }
        Ok(children)
    }

    /// `fstatat(AT_SYMLINK_NOFOLLOW)`; `None` when there is nothing.
    pub(super) fn status(&self, name: &str) -> io::Result<Option<Status>> {
        debug_assert!(is_component(name), "{name:?}");
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Some(Status::of(&stat))),
            Err(Errno::NOENT) => Ok(None),
            Err(errno) => Err(errno.into()),
        }
    }

    /// Opens the file `name` in this directory, never following a symlink.
    pub(super) fn open_file(&self, name: &str, access: Access) -> io::Result<File> {
        debug_assert!(is_component(name), "{name:?}");
        let common = OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let flags = match access {
            // O_NONBLOCK: a FIFO planted in the cache cannot block the open.
            Access::Read => OFlags::RDONLY | OFlags::NONBLOCK,
            Access::ReadWriteCreate => OFlags::RDWR | OFlags::CREATE | OFlags::NONBLOCK,
            Access::CreateNew => OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL,
        };
        let fd: OwnedFd = rustix::fs::openat(
            &self.fd,
            name,
            common | flags,
            Mode::from_raw_mode(FILE_MODE),
        )?;
        Ok(File::from(fd))
    }
}

impl Status {
    fn of(stat: &Stat) -> Status {
        Status {
            kind: kind_of(FileType::from_raw_mode(stat.st_mode)),
            len: u64::try_from(stat.st_size).unwrap_or(0),
            #[allow(clippy::useless_conversion)] // The field types differ per platform.
            identity: (u64::from(stat.st_dev), u64::from(stat.st_ino)),
        }
    }

    pub(super) fn of_file(file: &File) -> io::Result<Status> {
        Ok(Status::of(&rustix::fs::fstat(file.as_fd())?))
    }
}

fn kind_of(file_type: FileType) -> FileKind {
    match file_type {
        FileType::Symlink => FileKind::Symlink,
        FileType::Directory => FileKind::Directory,
        FileType::RegularFile => FileKind::File,
        _ => FileKind::Special,
    }
}

/// Whether `name` is a single path component (all names the cache passes are).
fn is_component(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/')
}
