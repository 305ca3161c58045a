//! The one error type of this crate.

use std::io;

use camino::Utf8PathBuf;
use registry_types::Digest;
use snafu::Snafu;

use crate::location::{EntryFile, EntryLocation};
use crate::metadata::MetadataFault;
use crate::registry_id::RegistryId;
use crate::untrusted::FileKind;

/// Why a cache operation failed, or why an entry was evicted.
///
/// Two families: the entry faults, for which [`Error::is_corrupt_entry`] holds, say what
/// was wrong with an entry found on disk (it has been evicted; re-fetch it); the others
/// are about the environment (the disk, the configuration) or about a pack handed to
/// [`write`](crate::PackCache::write).
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum Error {
    /// A registry id is not the form `RegistryId::from_url` produces.
    #[snafu(display("registry id {text:?} is not a host label, `-` and 12 lowercase hex digits"))]
    InvalidRegistryId {
        /// The rejected text.
        text: String,
    },

    /// A version is too long to be a cache path component.
    #[snafu(display(
        "version is {length} bytes long, more than the {limit} bytes a cache entry allows"
    ))]
    VersionTooLong {
        /// Its length in bytes.
        length: usize,
        /// [`MAX_VERSION_LEN`](crate::MAX_VERSION_LEN).
        limit: usize,
    },

    /// Neither `ASSAY_CACHE_DIR` nor `HOME` names a directory.
    #[snafu(display("no cache directory: ASSAY_CACHE_DIR and HOME are both unset or empty"))]
    NoCacheRoot,

    /// An environment variable that names the cache directory is not UTF-8.
    #[snafu(display("{variable} is not valid UTF-8"))]
    NonUtf8CacheRoot {
        /// The variable.
        variable: &'static str,
    },

    /// A cache directory could not be created.
    #[snafu(display("cannot create cache directory {path}"))]
    CreateDirectory {
        /// The directory.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// A cache directory could not be listed.
    #[snafu(display("cannot list cache directory {path}"))]
    ReadDirectory {
        /// The directory.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// An entry's lock file could not be opened or locked.
    #[snafu(display("cannot lock cache entry with {path}"))]
    LockEntry {
        /// The lock file.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// An entry file could not be read for a reason of the disk, not of the entry.
    #[snafu(display("cannot read {file} of cache entry {entry}"))]
    ReadEntryFile {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The file.
        file: EntryFile,
        /// The I/O error.
        source: io::Error,
    },

    /// An entry could not be written.
    #[snafu(display("cannot write cache entry {entry}"))]
    WriteEntry {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The I/O error.
        source: io::Error,
    },

    /// Metadata could not be encoded (never expected: every field is plain text).
    #[snafu(display("cannot encode metadata.json of cache entry {entry}"))]
    EncodeMetadata {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The encoder's error.
        source: serde_json::Error,
    },

    /// Something could not be removed from the cache.
    #[snafu(display("cannot remove {path} from the cache"))]
    RemoveEntry {
        /// What was being removed.
        path: Utf8PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// An entry failed verification and could not be removed.
    #[snafu(display("cannot evict cache entry {entry}, which failed verification: {reason}"))]
    EvictEntry {
        /// The entry.
        entry: Box<EntryLocation>,
        /// Why it was being evicted.
        reason: Box<Error>,
        /// The I/O error.
        source: io::Error,
    },

    /// A pack handed to `write` does not have the digest it came with, or no digest.
    #[snafu(display("pack to store as {entry} failed its digest check"))]
    NewPackDigest {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The check that failed.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// A commercial pack handed to `write` has no envelope.
    #[snafu(display(
        "pack to store as {entry} is commercial and has no signature; the cache never stores one"
    ))]
    NewPackUnsigned {
        /// The entry.
        entry: Box<EntryLocation>,
    },

    /// The envelope handed to `write` does not sign the pack.
    #[snafu(display("envelope to store with {entry} does not sign this pack"))]
    NewEnvelopeMismatch {
        /// The entry.
        entry: Box<EntryLocation>,
        /// What does not match.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// The pack handed to `write` names another pack than the entry.
    #[snafu(display("the pack to store as {entry} is another pack"))]
    NewPackIdentity {
        /// The entry.
        entry: Box<EntryLocation>,
        /// What the pack says it is (shown without control characters).
        source: registry_canon::IdentityMismatch,
    },

    /// Entry fault: something in an entry is not what the cache writes (a symlink, a
    /// special file, a file where a directory belongs).
    #[snafu(display("{path} in cache entry {entry} is a {found}, expected a {expected}"))]
    UnexpectedFileType {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The offending path.
        path: Utf8PathBuf,
        /// What the cache writes there.
        expected: FileKind,
        /// What was found.
        found: FileKind,
    },

    /// Entry fault: an entry file was swapped for another between its check and its open.
    #[snafu(display("{file} of cache entry {entry} was replaced while it was being opened"))]
    FileReplaced {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The file.
        file: EntryFile,
    },

    /// Entry fault: an entry file is larger than any the cache writes.
    #[snafu(display(
        "{file} of cache entry {entry} is {size} bytes, more than the limit of {limit} bytes"
    ))]
    FileTooLarge {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The file.
        file: EntryFile,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: usize,
    },

    /// Entry fault: `pack.yaml` or `metadata.json` is missing.
    #[snafu(display("cache entry {entry} has no {file}"))]
    MissingFile {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The missing file.
        file: EntryFile,
    },

    /// Entry fault: `metadata.json` is not metadata.
    #[snafu(display("metadata.json of cache entry {entry} is unreadable"))]
    MetadataUnreadable {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The JSON error, with line and column.
        source: serde_json::Error,
    },

    /// Entry fault: `metadata.json` has a format this version does not read.
    #[snafu(display(
        "metadata.json of cache entry {entry} has format {format}, expected {}",
        crate::METADATA_FORMAT
    ))]
    MetadataFormat {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The format found.
        format: u32,
    },

    /// Entry fault: `metadata.json` describes another entry (files moved or swapped).
    #[snafu(display("metadata.json of cache entry {entry} describes {recorded}"))]
    MetadataMismatch {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The entry the metadata describes.
        recorded: Box<EntryLocation>,
    },

    /// Entry fault: `metadata.json` holds a combination the cache never writes.
    #[snafu(display("metadata.json of cache entry {entry} {fault}"))]
    MetadataInconsistent {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The combination.
        fault: MetadataFault,
    },

    /// Entry fault: the entry was recorded as signed but `signature.json` is gone (the
    /// policy downgrade attack, whatever `policy` says now).
    #[snafu(display("cache entry {entry} was recorded as signed, but signature.json is gone"))]
    SignatureMissing {
        /// The entry.
        entry: Box<EntryLocation>,
    },

    /// Entry fault: `signature.json` is not a DSSE envelope.
    #[snafu(display("signature.json of cache entry {entry} is not a DSSE envelope"))]
    SignatureUnreadable {
        /// The entry.
        entry: Box<EntryLocation>,
        /// Why it does not parse.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// Entry fault: `metadata.json` records another digest than the envelope signs.
    #[snafu(display(
        "metadata.json of cache entry {entry} records digest {recorded}, but signature.json signs {signed}"
    ))]
    SignedDigestMismatch {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The digest in `metadata.json`.
        recorded: Digest,
        /// The digest of the envelope's payload.
        signed: Digest,
    },

    /// Entry fault: `pack.yaml` does not have the recorded digest.
    #[snafu(display(
        "pack.yaml of cache entry {entry} has digest {actual}, but metadata.json records {recorded}"
    ))]
    PackDigestMismatch {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The digest in `metadata.json`.
        recorded: Digest,
        /// The canonical digest of `pack.yaml`.
        actual: Digest,
    },

    /// Entry fault: the pack or its signature failed verification (no canonical form, a
    /// signature that does not verify or is by no trusted key, a signature that is
    /// required and absent, …).
    #[snafu(display("pack.yaml of cache entry {entry} failed verification"))]
    VerifyPack {
        /// The entry.
        entry: Box<EntryLocation>,
        /// The check that failed.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// Entry fault: the pack names another pack than its entry (mix and match).
    #[snafu(display("pack.yaml of cache entry {entry} is another pack"))]
    PackIdentityMismatch {
        /// The entry.
        entry: Box<EntryLocation>,
        /// What the pack says it is (shown without control characters).
        source: registry_canon::IdentityMismatch,
    },

    /// The keys record of a registry could not be read from the disk.
    #[snafu(display("cannot read the keys record of registry {registry}"))]
    ReadKeys {
        /// The registry.
        registry: RegistryId,
        /// The I/O error.
        source: io::Error,
    },

    /// The keys record of a registry could not be written.
    #[snafu(display("cannot write the keys record of registry {registry}"))]
    WriteKeys {
        /// The registry.
        registry: RegistryId,
        /// The I/O error.
        source: io::Error,
    },

    /// The keys record of a registry could not be locked.
    #[snafu(display("cannot lock the keys record of registry {registry}"))]
    LockKeys {
        /// The registry.
        registry: RegistryId,
        /// The I/O error.
        source: io::Error,
    },

    /// A keys record could not be encoded.
    #[snafu(display("cannot encode the keys record of registry {registry}"))]
    EncodeKeysRecord {
        /// The registry.
        registry: RegistryId,
        /// The JSON error.
        source: serde_json::Error,
    },

    /// The keys record of a registry is not valid JSON of the record format.
    #[snafu(display("the keys record of registry {registry} is not a valid record"))]
    DecodeKeysRecord {
        /// The registry.
        registry: RegistryId,
        /// The JSON error.
        source: serde_json::Error,
    },

    /// The keys record file of a registry is unusable.
    #[snafu(display("the keys record of registry {registry} has {problem}"))]
    KeysRecordFile {
        /// The registry.
        registry: RegistryId,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// The keys record found under a registry's id names another registry.
    #[snafu(display("the keys record under registry {registry} belongs to another registry"))]
    KeysRecordRegistry {
        /// The registry.
        registry: RegistryId,
    },
}

impl Error {
    /// Whether this error says that an entry found on disk was corrupt or tampered with
    /// (and has been evicted): the caller should re-fetch the pack, or report this error
    /// when offline. False for errors of the disk or of the configuration.
    pub fn is_corrupt_entry(&self) -> bool {
        matches!(
            self,
            Error::UnexpectedFileType { .. }
                | Error::FileReplaced { .. }
                | Error::FileTooLarge { .. }
                | Error::MissingFile { .. }
                | Error::MetadataUnreadable { .. }
                | Error::MetadataFormat { .. }
                | Error::MetadataMismatch { .. }
                | Error::MetadataInconsistent { .. }
                | Error::SignatureMissing { .. }
                | Error::SignatureUnreadable { .. }
                | Error::SignedDigestMismatch { .. }
                | Error::PackDigestMismatch { .. }
                | Error::VerifyPack { .. }
                | Error::PackIdentityMismatch { .. }
        )
    }

    /// The entry the error is about, when it is about one.
    pub fn entry(&self) -> Option<&EntryLocation> {
        match self {
            Error::ReadEntryFile { entry, .. }
            | Error::WriteEntry { entry, .. }
            | Error::EncodeMetadata { entry, .. }
            | Error::EvictEntry { entry, .. }
            | Error::NewPackDigest { entry, .. }
            | Error::NewPackUnsigned { entry }
            | Error::NewEnvelopeMismatch { entry, .. }
            | Error::NewPackIdentity { entry, .. }
            | Error::UnexpectedFileType { entry, .. }
            | Error::FileReplaced { entry, .. }
            | Error::FileTooLarge { entry, .. }
            | Error::MissingFile { entry, .. }
            | Error::MetadataUnreadable { entry, .. }
            | Error::MetadataFormat { entry, .. }
            | Error::MetadataMismatch { entry, .. }
            | Error::MetadataInconsistent { entry, .. }
            | Error::SignatureMissing { entry }
            | Error::SignatureUnreadable { entry, .. }
            | Error::SignedDigestMismatch { entry, .. }
            | Error::PackDigestMismatch { entry, .. }
            | Error::VerifyPack { entry, .. }
            | Error::PackIdentityMismatch { entry, .. } => Some(entry),
            Error::InvalidRegistryId { .. }
            | Error::VersionTooLong { .. }
            | Error::NoCacheRoot
            | Error::NonUtf8CacheRoot { .. }
            | Error::CreateDirectory { .. }
            | Error::ReadDirectory { .. }
            | Error::LockEntry { .. }
            | Error::RemoveEntry { .. }
            | Error::ReadKeys { .. }
            | Error::WriteKeys { .. }
            | Error::LockKeys { .. }
            | Error::EncodeKeysRecord { .. }
            | Error::DecodeKeysRecord { .. }
            | Error::KeysRecordFile { .. }
            | Error::KeysRecordRegistry { .. } => None,
        }
    }
}

/// A value found in a pack for an error message, or `?` when it is absent.
/// Result with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
