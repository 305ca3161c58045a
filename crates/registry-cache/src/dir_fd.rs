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
//! On platforms without `openat` the same interface works by path: each step is still
//! checked without following links, but a swap between the check and the use is not
//! excluded there.

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
    #[cfg(unix)]
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
    #[cfg(unix)]
    {
        use rustix::io::Errno;
        // Linux and macOS say ELOOP; FreeBSD and NetBSD say EMLINK.
        matches!(
            Errno::from_io_error(error),
            Some(Errno::LOOP | Errno::MLINK)
        )
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

#[cfg(unix)]
mod unix {
    use std::ffi::CStr;
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsFd, OwnedFd};

    use camino::Utf8Path;
    use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, Stat};
    use rustix::io::Errno;

    use super::{Access, Child, DirFd, Status};
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
            rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(DIR_MODE))
                .map_err(io::Error::from)
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
                    super::empty_and_remove(&dir, || {
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
                    Ok(_) => rustix::fs::unlinkat(&self.fd, name, AtFlags::empty())
                        .map_err(io::Error::from),
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
}

/// Without `openat`: the same operations by path, each checked without following a link.
#[cfg(not(unix))]
mod portable {
    use std::fs::{self, File, OpenOptions};
    use std::io;

    use camino::Utf8Path;

    use super::{Access, Child, DirFd, Status};
    use crate::untrusted::FileKind;

    impl DirFd {
        pub(crate) fn open_root(path: &Utf8Path) -> io::Result<Option<DirFd>> {
            Ok(path.is_dir().then(|| DirFd {
                path: path.to_owned(),
            }))
        }

        pub(crate) fn open_dir(&self, name: &str) -> io::Result<Child> {
            Ok(match self.status(name)? {
                None => Child::Missing,
                Some(status) if status.kind == FileKind::Directory => Child::Dir(DirFd {
                    path: self.join(name),
                }),
                Some(status) => Child::Other(status.kind),
            })
        }

        pub(super) fn make_dir(&self, name: &str) -> io::Result<()> {
            fs::create_dir(self.join(name))
        }

        pub(super) fn remove_empty_dir(&self, name: &str) -> io::Result<()> {
            fs::remove_dir(self.join(name))
        }

        pub(crate) fn unlink(&self, name: &str) -> io::Result<()> {
            fs::remove_file(self.join(name))
        }

        pub(crate) fn rename(&self, from: &str, to: &str) -> io::Result<()> {
            fs::rename(self.join(from), self.join(to))
        }

        pub(crate) fn sync(&self) -> io::Result<()> {
            // Directories cannot be opened as files on every platform; renames are still
            // atomic there, only their durability across a power cut is not promised.
            Ok(())
        }

        pub(super) fn remove_contents(&self) -> io::Result<()> {
            for (child, _) in self.children()? {
                self.remove_tree(&child)?;
            }
            Ok(())
        }

        pub(crate) fn children(&self) -> io::Result<Vec<(String, FileKind)>> {
            let mut children = Vec::new();
            for entry in fs::read_dir(&self.path)? {
                let entry = entry?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let kind = match entry.file_type() {
                    Ok(file_type) => FileKind::of(file_type),
                    Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                    Err(error) => return Err(error),
                };
                children.push((name, kind));
            }
            Ok(children)
        }

        pub(super) fn status(&self, name: &str) -> io::Result<Option<Status>> {
            match self.join(name).symlink_metadata() {
                Ok(metadata) => Ok(Some(Status::of(&metadata))),
                Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(error),
            }
        }

        pub(super) fn open_file(&self, name: &str, access: Access) -> io::Result<File> {
            let mut options = OpenOptions::new();
            match access {
                Access::Read => options.read(true),
                Access::ReadWriteCreate => options.read(true).write(true).create(true),
                Access::CreateNew => options.write(true).create_new(true),
            };
            options.open(self.join(name))
        }
    }

    impl Status {
        fn of(metadata: &fs::Metadata) -> Status {
            Status {
                kind: FileKind::of(metadata.file_type()),
                len: metadata.len(),
                // No inode numbers here: the kind and length stand in for them.
                identity: (metadata.len(), 0),
            }
        }

        pub(super) fn of_file(file: &File) -> io::Result<Status> {
            Ok(Status::of(&file.metadata()?))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh, empty directory under the system temp dir for a unit test of `module`,
    /// named after the process, the module and `name`.
    pub(crate) fn scratch_dir(module: &str, name: &str) -> Utf8PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "registry-cache-{module}-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Utf8PathBuf::from_path_buf(dir).expect("UTF-8 temp dir")
    }

    /// The names and contents below `dir`, links not followed (for "nothing changed").
    pub(crate) fn snapshot(dir: &Utf8Path) -> Vec<(Utf8PathBuf, Vec<u8>)> {
        let mut found = Vec::new();
        for entry in dir.read_dir_utf8().expect("list") {
            let path = entry.expect("entry").into_path();
            let metadata = path.symlink_metadata().expect("metadata");
            if metadata.is_dir() {
                found.push((path.clone(), b"directory".to_vec()));
                found.extend(snapshot(&path));
            } else if metadata.is_file() {
                let bytes = std::fs::read(&path).expect("read");
                found.push((path, bytes));
            } else {
                found.push((path, b"other".to_vec()));
            }
        }
        found.sort();
        found
    }

    fn scratch(name: &str) -> Utf8PathBuf {
        scratch_dir("dir-fd", name)
    }

    #[test]
    fn reads_regular_files_within_the_limit() {
        let path = scratch("regular");
        let dir = DirFd::create_root(&path).expect("open");
        dir.write_new_file("f", b"hello").expect("write");
        assert_eq!(
            dir.write_new_file("f", b"again").map_err(|e| e.kind()),
            Err(io::ErrorKind::AlreadyExists),
            "must not exist"
        );
        assert!(matches!(dir.read_file("f", 5), Ok(FileRead::Bytes(b)) if b == b"hello"));
        assert!(matches!(
            dir.read_file("f", 4),
            Ok(FileRead::Fault(FileFault::TooLarge(5)))
        ));
        assert!(matches!(dir.read_file("none", 5), Ok(FileRead::Missing)));
        dir.create_dir("sub").expect("mkdir");
        assert!(matches!(
            dir.read_file("sub", 5),
            Ok(FileRead::Fault(FileFault::WrongKind(FileKind::Directory)))
        ));
        assert_eq!(dir.look("f").expect("look"), Found::Kind(FileKind::File));
        assert_eq!(dir.look("none").expect("look"), Found::Nothing);
        assert_eq!(dir.file_len("f"), 5);
        let mut children = dir.children().expect("list");
        children.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            children,
            [
                ("f".to_owned(), FileKind::File),
                ("sub".to_owned(), FileKind::Directory)
            ]
        );
        std::fs::remove_dir_all(&path).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn never_follows_a_symlink() {
        let path = scratch("symlink");
        let outside = path.join("outside");
        std::fs::create_dir(&outside).expect("mkdir");
        std::fs::write(outside.join("secret"), b"secret").expect("write");
        let root = DirFd::create_root(&path.join("root")).expect("root");
        std::os::unix::fs::symlink(outside.join("secret"), root.join("file")).expect("link");
        std::os::unix::fs::symlink(&outside, root.join("dir")).expect("link");
        assert!(matches!(
            root.read_file("file", 100),
            Ok(FileRead::Fault(FileFault::WrongKind(FileKind::Symlink)))
        ));
        let error = root
            .open_lock_file("file", true)
            .expect_err("O_NOFOLLOW refuses links");
        assert!(is_symlink_refusal(&error), "{error}");
        assert!(matches!(
            root.open_dir("dir"),
            Ok(Child::Other(FileKind::Symlink))
        ));
        assert!(matches!(
            root.open_dir("file"),
            Ok(Child::Other(FileKind::Symlink))
        ));
        assert_eq!(
            root.create_dir("dir").map(|_| ()).map_err(|e| e.kind()),
            Err(io::ErrorKind::AlreadyExists),
            "a link is not a directory"
        );
        root.remove_tree("dir").expect("removes the link only");
        root.remove_tree("file").expect("removes the link only");
        assert!(root.children().expect("list").is_empty());
        assert_eq!(
            std::fs::read(outside.join("secret")).expect("outside"),
            b"secret"
        );
        std::fs::remove_dir_all(&path).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn removing_a_tree_never_leaves_it() {
        let path = scratch("tree");
        let outside = path.join("outside");
        std::fs::create_dir_all(outside.join("1.0.0")).expect("mkdir");
        std::fs::write(outside.join("1.0.0/pack.yaml"), b"keep").expect("write");
        let root = DirFd::create_root(&path.join("root")).expect("root");
        let tree = root.create_dir("tree").expect("mkdir");
        let deep = tree
            .create_dir("a")
            .expect("mkdir")
            .create_dir("b")
            .expect("mkdir");
        deep.write_new_file("f", b"x").expect("write");
        std::os::unix::fs::symlink(&outside, deep.join("link")).expect("link");
        std::os::unix::fs::symlink(outside.join("1.0.0"), tree.join("1.0.0")).expect("link");
        root.remove_tree("tree").expect("remove");
        assert_eq!(root.look("tree").expect("look"), Found::Nothing);
        assert_eq!(
            std::fs::read(outside.join("1.0.0/pack.yaml")).expect("outside"),
            b"keep"
        );
        root.remove_tree("tree").expect("already gone is fine");
        std::fs::remove_dir_all(&path).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn removing_a_tree_removes_names_that_are_not_utf8() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        // Anything may have written to the cache, names that are not UTF-8 included: a
        // tree holding them must still go (as `remove_dir_all` made it go before).
        let path = scratch("non-utf8");
        let root = DirFd::create_root(&path).expect("root");
        root.create_dir("tree").expect("mkdir");
        let tree = path.join("tree").into_std_path_buf();
        let odd_dir = tree.join(OsStr::from_bytes(b"dir-\xfe"));
        std::fs::create_dir(&odd_dir).expect("mkdir");
        std::fs::write(odd_dir.join(OsStr::from_bytes(b"file-\xff")), b"x").expect("write");
        std::fs::write(tree.join(OsStr::from_bytes(b"file-\xff")), b"x").expect("write");
        root.remove_tree("tree").expect("remove");
        assert_eq!(root.look("tree").expect("look"), Found::Nothing);
        std::fs::remove_dir_all(&path).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn an_open_directory_is_used_even_when_its_path_is_swapped_for_a_link() {
        // The race this module closes: a directory checked, then replaced by a symlink
        // before it is used. Operations on the handle stay in the directory opened.
        let path = scratch("swap");
        let outside = path.join("outside");
        std::fs::create_dir_all(outside.join("1.0.0")).expect("mkdir");
        std::fs::write(outside.join("1.0.0/pack.yaml"), b"keep").expect("write");
        let root = DirFd::create_root(&path.join("root")).expect("root");
        let name = root.create_dir("name").expect("mkdir");
        name.create_dir("1.0.0").expect("mkdir");
        std::fs::rename(root.join("name"), root.join("moved")).expect("move away");
        std::os::unix::fs::symlink(&outside, root.join("name")).expect("swap in a link");

        let before = snapshot(&outside);
        name.remove_tree("1.0.0").expect("remove");
        name.write_new_file(".lock-1.0.0", b"").expect("write");
        name.create_dir("1.0.0").expect("mkdir");
        name.rename("1.0.0", ".old-1-1.0.0").expect("rename");
        name.sync().expect("sync");
        assert_eq!(snapshot(&outside), before);
        assert!(root.join("moved/.lock-1.0.0").is_file());
        assert!(root.join("moved/.old-1-1.0.0").is_dir());
        std::fs::remove_dir_all(&path).expect("clean up");
    }
}
