//! The one error type of this crate, and the typed reasons a lockfile entry is refused.

use std::fmt;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use registry_canon::{CanonicalizeError, KeyPath};
use registry_types::PackRef;
use registry_types::UntrustedText;
use snafu::Snafu;

use crate::pack::{LockKey, LockSource};

/// Why a lockfile could not be loaded, parsed or saved.
///
/// Every variant names the lockfile (or the temporary file beside it); the variants about
/// the content also carry the line and column, and the key path (`packs[2].digest`) of the
/// offending node.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum Error {
    /// The lockfile could not be opened or read.
    #[snafu(display("cannot read lockfile {path}"))]
    ReadLockfile {
        /// The lockfile.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// The lockfile is larger than [`MAX_LOCKFILE_SIZE`](crate::MAX_LOCKFILE_SIZE).
    #[snafu(display("lockfile {path} is larger than the limit of {limit} bytes"))]
    LockfileTooLarge {
        /// The lockfile.
        path: Utf8PathBuf,
        /// The limit, in bytes.
        limit: usize,
    },

    /// The lockfile is not UTF-8.
    #[snafu(display("lockfile {path} is not valid UTF-8"))]
    LockfileNotUtf8 {
        /// The lockfile.
        path: Utf8PathBuf,
        /// Where the first invalid byte is.
        source: std::str::Utf8Error,
    },

    /// The lockfile breaks the strict YAML profile (an anchor, a duplicate key, a float,
    /// a tag, …); the source names the rule, the line and the key path.
    #[snafu(display("lockfile {path} breaks the strict YAML profile"))]
    Syntax {
        /// The lockfile.
        path: Utf8PathBuf,
        /// The line of the offending construct, when the profile reports one.
        line: Option<usize>,
        /// The profile's error.
        #[snafu(source(from(CanonicalizeError, Box::new)))]
        source: Box<CanonicalizeError>,
    },

    /// The lockfile is well-formed YAML but not a lockfile: a field is unknown, missing,
    /// of the wrong type, or not allowed here.
    #[snafu(display("{path}:{line}:{column}: {fault} (in {key_path})"))]
    Invalid {
        /// The lockfile.
        path: Utf8PathBuf,
        /// The line, starting at 1.
        line: usize,
        /// The column in characters, starting at 1.
        column: usize,
        /// The key path of the offending node.
        key_path: KeyPath,
        /// What is wrong (boxed: a duplicate pack carries its whole key).
        fault: Box<LockFault>,
    },

    /// A field holds text that is not a valid value of its type: a pack name with a `/`
    /// in it, a digest that is not `sha256:` and 64 hex digits, a bad URL.
    #[snafu(display("{path}:{line}:{column}: invalid {what} (in {key_path})"))]
    InvalidValue {
        /// The lockfile.
        path: Utf8PathBuf,
        /// The line, starting at 1.
        line: usize,
        /// The column in characters, starting at 1.
        column: usize,
        /// The key path of the offending value.
        key_path: KeyPath,
        /// What the field holds (`pack name`, `digest`, …).
        what: &'static str,
        /// Why the text was refused; it quotes the text.
        #[snafu(source(from(registry_types::Error, Box::new)))]
        source: Box<registry_types::Error>,
    },

    /// The path given for the lockfile has no file name (`/`, `..`, an empty path).
    #[snafu(display("lockfile path {path:?} does not name a file"))]
    InvalidLockfilePath {
        /// The path as given.
        path: Utf8PathBuf,
    },

    /// The temporary file beside the lockfile could not be created.
    #[snafu(display("cannot create temporary lockfile {path}"))]
    CreateTemporary {
        /// The temporary file.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// The new lockfile could not be written to its temporary file or synced to disk.
    #[snafu(display("cannot write temporary lockfile {path}"))]
    WriteTemporary {
        /// The temporary file.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// The temporary file could not be renamed over the lockfile; the old lockfile, if
    /// any, is unchanged.
    #[snafu(display("cannot move the new lockfile into place at {path}"))]
    ReplaceLockfile {
        /// The lockfile.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// The directory holding the lockfile could not be synced after the rename, so the
    /// new lockfile may not survive a crash.
    #[snafu(display("cannot sync directory {path} after writing the lockfile"))]
    SyncDirectory {
        /// The directory.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// A pack asked for, or locked, could not be resolved (not found, revoked, a failed
    /// verification, the network).
    #[snafu(display("cannot resolve {pack}"))]
    LockedResolve {
        /// The pack.
        pack: Box<PackRef>,
        /// What the resolver reported.
        #[snafu(source(from(registry_resolve::Error, Box::new)))]
        source: Box<registry_resolve::Error>,
    },
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The lockfile (or, for the temporary-file variants, the file beside it) the error
    /// is about; `None` for a pack that did not resolve.
    pub fn path(&self) -> Option<&Utf8Path> {
        Some(match self {
            Error::ReadLockfile { path, .. }
            | Error::LockfileTooLarge { path, .. }
            | Error::LockfileNotUtf8 { path, .. }
            | Error::Syntax { path, .. }
            | Error::Invalid { path, .. }
            | Error::InvalidValue { path, .. }
            | Error::InvalidLockfilePath { path }
            | Error::CreateTemporary { path, .. }
            | Error::WriteTemporary { path, .. }
            | Error::ReplaceLockfile { path, .. }
            | Error::SyncDirectory { path, .. } => path,
            Error::LockedResolve { .. } => return None,
        })
    }

    /// The line of the lockfile the error is about, when it is about its content.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Syntax { line, .. } => *line,
            Error::Invalid { line, .. } | Error::InvalidValue { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// What is wrong with the content, for [`Error::Invalid`].
    pub fn fault(&self) -> Option<&LockFault> {
        match self {
            Error::Invalid { fault, .. } => Some(fault),
            _ => None,
        }
    }

    /// Whether the lockfile's content is at fault (as opposed to the file system): the
    /// file must be regenerated or fixed, and retrying will not help.
    pub fn is_invalid_content(&self) -> bool {
        matches!(
            self,
            Error::LockfileTooLarge { .. }
                | Error::LockfileNotUtf8 { .. }
                | Error::Syntax { .. }
                | Error::Invalid { .. }
                | Error::InvalidValue { .. }
        )
    }
}

/// Why a well-formed YAML document is not a valid lockfile.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LockFault {
    /// A node has the wrong type.
    WrongType {
        /// What the field must be (`a string`, `a mapping`, …).
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// The `version` is not one this crate reads (1 or 2).
    UnsupportedVersion {
        /// The version number as written.
        found: String,
    },
    /// A mapping has a field this lockfile version does not define.
    UnknownField {
        /// The field's name (untrusted: shown without control characters).
        field: UntrustedText,
    },
    /// A version 1 lockfile has a field that version 2 introduced.
    FieldNotInVersion1 {
        /// The field.
        field: &'static str,
    },
    /// A field is set on an entry whose `source` does not allow it (`byos_url` on a
    /// registry pack, `registry_url` on a bundled one).
    FieldNotForSource {
        /// The field.
        field: &'static str,
        /// The entry's source.
        source: LockSource,
    },
    /// A required field is missing.
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// `source` is not `registry`, `bundled`, `byos` or `local`.
    UnknownSource {
        /// The text found (untrusted).
        found: UntrustedText,
    },
    /// `byos_url` is a valid reference but not an `s3://`, `gs://` or `az://` URL.
    NotByosUrl {
        /// The text found (untrusted).
        found: UntrustedText,
    },
    /// Two entries have the same name, version and namespace.
    DuplicatePack {
        /// The key both entries have.
        key: LockKey,
        /// The line of the first entry.
        first_line: usize,
    },
}

impl fmt::Display for LockFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockFault::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            LockFault::UnsupportedVersion { found } => write!(
                f,
                "unsupported lockfile version {found} (this tool reads versions 1 and 2)"
            ),
            LockFault::UnknownField { field } => write!(f, "unknown field {:?}", field.as_str()),
            LockFault::FieldNotInVersion1 { field } => write!(
                f,
                "field `{field}` belongs to lockfile version 2, but the file says version 1"
            ),
            LockFault::FieldNotForSource { field, source } => {
                write!(
                    f,
                    "field `{field}` is not allowed on a pack with source {source}"
                )
            }
            LockFault::MissingField { field } => write!(f, "missing field `{field}`"),
            LockFault::UnknownSource { found } => write!(
                f,
                "unknown source {:?} (expected registry, bundled, byos or local)",
                found.as_str()
            ),
            LockFault::NotByosUrl { found } => write!(
                f,
                "byos_url {:?} is not an s3://, gs:// or az:// object URL",
                found.as_str()
            ),
            LockFault::DuplicatePack { key, first_line } => {
                write!(f, "{key} is locked twice (first at line {first_line})")
            }
        }
    }
}
