//! Reading the cache as untrusted input: no symlink is followed, no special file is
//! opened, and no file is read past its size limit.
//!
//! Below the root, every directory on the way to an entry is checked with
//! `symlink_metadata` (which never follows a link) and must be a real directory. Entry
//! files are checked the same way, then opened with `O_NOFOLLOW | O_NONBLOCK` (so a link
//! planted between the check and the open fails instead of being followed, and a FIFO
//! cannot block the reader), and the opened file must be the very file that was checked
//! (same device and inode) and a regular file. The root itself is the user's choice and
//! may be a symlink.

use std::fmt;
use std::fs::{File, FileType, Metadata, OpenOptions};
use std::io::{self, Read};

use camino::Utf8Path;

/// What kind of file system object was found where the cache expected another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
    /// A symbolic link (never followed inside the cache).
    Symlink,
    /// A FIFO, socket or device.
    Special,
}

impl FileKind {
    pub(crate) fn of(file_type: FileType) -> FileKind {
        if file_type.is_symlink() {
            FileKind::Symlink
        } else if file_type.is_dir() {
            FileKind::Directory
        } else if file_type.is_file() {
            FileKind::File
        } else {
            FileKind::Special
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::File => "regular file",
            FileKind::Directory => "directory",
            FileKind::Symlink => "symbolic link",
            FileKind::Special => "special file",
        })
    }
}

/// What `symlink_metadata` found at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Nothing.
    Nothing,
    /// An object of this kind.
    Kind(FileKind),
}

/// Looks at `path` without following a symlink.
pub(crate) fn look(path: &Utf8Path) -> io::Result<Found> {
    match path.symlink_metadata() {
        Ok(metadata) => Ok(Found::Kind(FileKind::of(metadata.file_type()))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Found::Nothing),
        Err(error) => Err(error),
    }
}

/// Why an entry file could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileFault {
    /// It is not a regular file.
    WrongKind(FileKind),
    /// It is larger than the limit (its size in bytes).
    TooLarge(u64),
    /// The file opened is not the file checked: it was replaced in between.
    Replaced,
}

/// The result of reading an untrusted file.
#[derive(Debug)]
pub(crate) enum FileRead {
    /// There is no such file.
    Missing,
    /// The file's bytes, read once.
    Bytes(Vec<u8>),
    /// The file is there but unusable.
    Fault(FileFault),
}

/// Reads the regular file at `path`, at most `limit` bytes, never following a symlink.
///
/// I/O errors other than "not found" (and the `ELOOP` of a planted symlink) are returned
/// as errors: they say something about the disk, not about the entry.
pub(crate) fn read_file(path: &Utf8Path, limit: usize) -> io::Result<FileRead> {
    let checked = match path.symlink_metadata() {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(FileRead::Missing),
        Err(error) => return Err(error),
    };
    let kind = FileKind::of(checked.file_type());
    if kind != FileKind::File {
        return Ok(FileRead::Fault(FileFault::WrongKind(kind)));
    }
    let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
    if checked.len() > limit64 {
        return Ok(FileRead::Fault(FileFault::TooLarge(checked.len())));
    }
    let file = match open_no_follow(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(FileRead::Missing),
        Err(error) if is_symlink_refusal(&error) => {
            return Ok(FileRead::Fault(FileFault::WrongKind(FileKind::Symlink)));
        }
        Err(error) => return Err(error),
    };
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Ok(FileRead::Fault(FileFault::WrongKind(FileKind::of(
            opened.file_type(),
        ))));
    }
    if !same_file(&checked, &opened) {
        return Ok(FileRead::Fault(FileFault::Replaced));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0).min(limit));
    file.take(limit64.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Ok(FileRead::Fault(FileFault::TooLarge(
            u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        )));
    }
    Ok(FileRead::Bytes(bytes))
}

/// Opens `path` for reading; on Unix a symlink in the last component is refused and a
/// FIFO does not block.
fn open_no_follow(path: &Utf8Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Opens (creating it if needed) a lock file without following a symlink.
pub(crate) fn open_lock_file(path: &Utf8Path, create: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    if create {
        options.write(true).create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Whether an open error is the refusal of `O_NOFOLLOW` to open a symlink.
pub(crate) fn is_symlink_refusal(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        // Linux and macOS say ELOOP; FreeBSD and NetBSD say EMLINK.
        matches!(error.raw_os_error(), Some(code) if code == libc::ELOOP || code == libc::EMLINK)
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.len() == b.len() && a.file_type() == b.file_type()
}

#[cfg(test)]
mod tests {
    use super::*;
    use camino::Utf8PathBuf;

    fn scratch(name: &str) -> Utf8PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "registry-cache-untrusted-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Utf8PathBuf::from_path_buf(dir).expect("UTF-8 temp dir")
    }

    #[test]
    fn reads_regular_files_within_the_limit() {
        let dir = scratch("regular");
        let path = dir.join("f");
        std::fs::write(&path, b"hello").expect("write");
        assert!(matches!(read_file(&path, 5), Ok(FileRead::Bytes(b)) if b == b"hello"));
        assert!(matches!(
            read_file(&path, 4),
            Ok(FileRead::Fault(FileFault::TooLarge(5)))
        ));
        assert!(matches!(
            read_file(&dir.join("none"), 5),
            Ok(FileRead::Missing)
        ));
        assert!(matches!(
            read_file(&dir, 5),
            Ok(FileRead::Fault(FileFault::WrongKind(FileKind::Directory)))
        ));
        assert_eq!(look(&path).expect("look"), Found::Kind(FileKind::File));
        assert_eq!(look(&dir.join("none")).expect("look"), Found::Nothing);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn never_follows_a_symlink() {
        let dir = scratch("symlink");
        let target = dir.join("target");
        std::fs::write(&target, b"secret").expect("write");
        let link = dir.join("link");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert!(matches!(
            read_file(&link, 100),
            Ok(FileRead::Fault(FileFault::WrongKind(FileKind::Symlink)))
        ));
        assert_eq!(look(&link).expect("look"), Found::Kind(FileKind::Symlink));
        let error = open_no_follow(&link).expect_err("O_NOFOLLOW refuses links");
        assert!(is_symlink_refusal(&error), "{error}");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
