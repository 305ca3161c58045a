//! Verifying an entry: every check made on the bytes of an entry before one is returned.
//!
//! The six checks are listed, in order, once: in the crate documentation ("What every read
//! checks"). The files are read once each ([`load`], checks 1 to 4); checks 5 and 6 run on
//! those same bytes ([`verify_trusted`], or [`verify_binding`] without a trust store), so
//! the pack bytes a read returns are the ones verified.

use registry_canon::{CanonicalPack, MAX_TOTAL_SIZE, digest_of_canonical_bytes};
use registry_types::Policy;
use registry_verify::{
    Envelope, KeyId, LEGACY_PACK_PAYLOAD_TYPE, MAX_ENVELOPE_BYTES, PACK_PAYLOAD_TYPE,
    VerifyOptions, verify_digest, verify_pack,
};
use snafu::{IntoError, ResultExt};

use crate::dir_fd::{Child, DirFd};
use crate::entry::{CacheEntry, ReadOptions, SignatureRequirement};
use crate::error::{
    Error, FileReplacedSnafu, FileTooLargeSnafu, MetadataFormatSnafu, MetadataInconsistentSnafu,
    MetadataMismatchSnafu, MetadataUnreadableSnafu, MissingFileSnafu, PackDigestMismatchSnafu,
    PackIdentityMismatchSnafu, ReadEntryFileSnafu, Result, SignatureMissingSnafu,
    SignatureUnreadableSnafu, SignedDigestMismatchSnafu, UnexpectedFileTypeSnafu, VerifyPackSnafu,
};
use crate::location::{EntryFile, EntryLocation};
use crate::metadata::{CacheMeta, MAX_METADATA_BYTES, METADATA_FORMAT};
use crate::untrusted::{FileFault, FileKind, FileRead};

/// What looking at an entry found.
#[derive(Debug)]
pub(crate) enum Inspection<T> {
    /// There is no entry.
    Missing,
    /// The entry passed the checks.
    Sound(T),
    /// The entry failed a check; the error is an entry fault.
    Corrupt(Error),
}

/// The files of an entry, each read once, that passed checks 1 to 4.
#[derive(Debug)]
pub(crate) struct Loaded {
    pack: Vec<u8>,
    meta: CacheMeta,
    envelope: Option<Envelope>,
}

impl Loaded {
    pub(crate) fn meta(&self) -> &CacheMeta {
        &self.meta
    }
}

/// Reads the entry `{version}` in the pack-name directory `parent` and runs checks 1 to
/// 4. The entry directory is opened once, without following a link, and its files are
/// read relative to it. `Err` only for I/O errors that are not the entry's fault.
pub(crate) fn load(parent: &DirFd, location: &EntryLocation) -> Result<Inspection<Loaded>> {
    let entry = || Box::new(location.clone());
    let version = location.version().as_str();
    let dir = match parent.open_dir(version).context(ReadEntryFileSnafu {
        entry: entry(),
        file: EntryFile::Pack,
    })? {
        Child::Missing => return Ok(Inspection::Missing),
        Child::Dir(dir) => dir,
        Child::Other(found) => {
            return Ok(Inspection::Corrupt(
                UnexpectedFileTypeSnafu {
                    entry: entry(),
                    path: parent.join(version),
                    expected: FileKind::Directory,
                    found,
                }
                .build(),
            ));
        }
    };
    load_dir(&dir, location)
}

/// Reads the open entry directory `dir` and runs checks 1 to 4 (see [`load`]).
pub(crate) fn load_dir(dir: &DirFd, location: &EntryLocation) -> Result<Inspection<Loaded>> {
    let pack = match read_entry_file(dir, location, EntryFile::Pack, MAX_TOTAL_SIZE)? {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(missing(location, EntryFile::Pack)),
        Err(fault) => return Ok(Inspection::Corrupt(fault)),
    };
    let meta_bytes = match read_entry_file(dir, location, EntryFile::Metadata, MAX_METADATA_BYTES)?
    {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(missing(location, EntryFile::Metadata)),
        Err(fault) => return Ok(Inspection::Corrupt(fault)),
    };
    let signature = match read_entry_file(dir, location, EntryFile::Signature, MAX_ENVELOPE_BYTES)?
    {
        Ok(bytes) => bytes,
        Err(fault) => return Ok(Inspection::Corrupt(fault)),
    };
    Ok(
        match check_records(location, pack, &meta_bytes, signature) {
            Ok(loaded) => Inspection::Sound(loaded),
            Err(fault) => Inspection::Corrupt(fault),
        },
    )
}

fn missing<T>(location: &EntryLocation, file: EntryFile) -> Inspection<T> {
    Inspection::Corrupt(
        MissingFileSnafu {
            entry: Box::new(location.clone()),
            file,
        }
        .build(),
    )
}

/// Reads one entry file: `Ok(Ok(None))` when absent, `Ok(Err(fault))` when unusable.
fn read_entry_file(
    dir: &DirFd,
    location: &EntryLocation,
    file: EntryFile,
    limit: usize,
) -> Result<Result<Option<Vec<u8>>, Error>> {
    let path = dir.join(file.file_name());
    let entry = || Box::new(location.clone());
    let read = dir
        .read_file(file.file_name(), limit)
        .context(ReadEntryFileSnafu {
            entry: entry(),
            file,
        })?;
    Ok(match read {
        FileRead::Missing => Ok(None),
        FileRead::Bytes(bytes) => Ok(Some(bytes)),
        FileRead::Fault(FileFault::WrongKind(found)) => Err(UnexpectedFileTypeSnafu {
            entry: entry(),
            path,
            expected: FileKind::File,
            found,
        }
        .build()),
        FileRead::Fault(FileFault::TooLarge(size)) => Err(FileTooLargeSnafu {
            entry: entry(),
            file,
            size,
            limit,
        }
        .build()),
        FileRead::Fault(FileFault::Replaced) => Err(FileReplacedSnafu {
            entry: entry(),
            file,
        }
        .build()),
    })
}

/// Checks 2 to 4: metadata, its consistency, the envelope and its digest.
fn check_records(
    location: &EntryLocation,
    pack: Vec<u8>,
    meta_bytes: &[u8],
    signature: Option<Vec<u8>>,
) -> Result<Loaded> {
    let entry = || Box::new(location.clone());
    let meta =
        CacheMeta::from_json(meta_bytes).context(MetadataUnreadableSnafu { entry: entry() })?;
    snafu::ensure!(
        meta.format == METADATA_FORMAT,
        MetadataFormatSnafu {
            entry: entry(),
            format: meta.format,
        }
    );
    snafu::ensure!(
        meta.describes(location),
        MetadataMismatchSnafu {
            entry: entry(),
            recorded: Box::new(meta.location()),
        }
    );
    if let Some(fault) = meta.fault(signature.is_some()) {
        return MetadataInconsistentSnafu {
            entry: entry(),
            fault,
        }
        .fail();
    }
    snafu::ensure!(
        !meta.signed || signature.is_some(),
        SignatureMissingSnafu { entry: entry() }
    );
    let envelope = signature
        .map(|bytes| Envelope::from_json(&bytes))
        .transpose()
        .context(SignatureUnreadableSnafu { entry: entry() })?;
    if let Some(envelope) = &envelope {
        let signed = digest_of_canonical_bytes(envelope.payload());
        snafu::ensure!(
            signed == meta.digest,
            SignedDigestMismatchSnafu {
                entry: entry(),
                recorded: meta.digest,
                signed,
            }
        );
    }
    Ok(Loaded {
        pack,
        meta,
        envelope,
    })
}

/// Checks 5 and 6 with the caller's trust store: the full verification of a read.
pub(crate) fn verify_trusted(
    loaded: Loaded,
    location: &EntryLocation,
    options: &ReadOptions<'_>,
) -> Result<CacheEntry> {
    let required =
        options.signature == SignatureRequirement::Always || loaded.meta.requires_signature();
    let policy = if required {
        Policy::Commercial
    } else {
        Policy::Open
    };
    let mut verify_options = VerifyOptions::new(policy, options.now);
    verify_options.expected_digest = Some(loaded.meta.digest);
    verify_options.threshold = options.threshold;
    let verified = verify_pack(
        &loaded.pack,
        loaded.envelope.as_ref(),
        options.trust,
        &verify_options,
    )
    .map_err(|error| verify_error(error, location))?;
    check_identity(&verified.canonical, location)?;
    Ok(CacheEntry {
        location: location.clone(),
        pack: loaded.pack,
        meta: loaded.meta,
        envelope: loaded.envelope,
        verified,
    })
}

/// What checking an entry without a trust store found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unaudited {
    /// An open, unsigned entry: fully checked.
    Unsigned,
    /// A signed entry: everything but the signer was checked.
    SignerNotChecked(Option<KeyId>),
}

/// Checks 5 and 6 without a trust store: the digest, the envelope's payload type and
/// payload, and the identity; who signed is not checked.
pub(crate) fn verify_binding(loaded: &Loaded, location: &EntryLocation) -> Result<Unaudited> {
    let canonical = verify_digest(&loaded.pack, &loaded.meta.digest)
        .map_err(|error| verify_error(error, location))?;
    if let Some(problem) = loaded
        .envelope
        .as_ref()
        .and_then(|envelope| binding_problem(envelope, &canonical))
    {
        return Err(VerifyPackSnafu {
            entry: Box::new(location.clone()),
        }
        .into_error(problem));
    }
    check_identity(&canonical, location)?;
    Ok(if loaded.envelope.is_some() {
        Unaudited::SignerNotChecked(loaded.meta.key_id.clone())
    } else {
        Unaudited::Unsigned
    })
}

/// Why `envelope` does not sign `canonical`, checked without any key: its payload type is
/// not a pack type, its payload is other bytes, or it has no signatures.
pub(crate) fn binding_problem(
    envelope: &Envelope,
    canonical: &CanonicalPack,
) -> Option<registry_verify::Error> {
    let payload_type = envelope.payload_type();
    if payload_type != PACK_PAYLOAD_TYPE && payload_type != LEGACY_PACK_PAYLOAD_TYPE {
        Some(registry_verify::Error::WrongPayloadType {
            payload_type: payload_type.to_owned(),
        })
    } else if envelope.payload() != canonical.bytes() {
        Some(registry_verify::Error::PayloadMismatch {
            payload_digest: digest_of_canonical_bytes(envelope.payload()),
            pack_digest: *canonical.digest(),
        })
    } else if envelope.signatures().is_empty() {
        Some(registry_verify::Error::NoSignatures)
    } else {
        None
    }
}

fn verify_error(error: registry_verify::Error, location: &EntryLocation) -> Error {
    let entry = Box::new(location.clone());
    match error {
        registry_verify::Error::DigestMismatch { expected, actual } => PackDigestMismatchSnafu {
            entry,
            recorded: expected,
            actual,
        }
        .build(),
        other => VerifyPackSnafu { entry }.into_error(other),
    }
}

/// Check 6: the pack's own `name` and `version` are the entry's.
fn check_identity(canonical: &CanonicalPack, location: &EntryLocation) -> Result<()> {
    canonical
        .identity()
        .ensure_matches(location.name(), location.version())
        .with_context(|_| PackIdentityMismatchSnafu {
            entry: Box::new(location.clone()),
        })
}
