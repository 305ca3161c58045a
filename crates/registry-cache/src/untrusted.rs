//! What reading the cache as untrusted input finds: the kinds of file system objects,
//! and why a file could not be used.
//!
//! No symlink is followed, no special file is opened, and no file is read past its size
//! limit: the `dir_fd` module does the reading, relative to open directories.

use std::fmt;

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
