//! Reading a lockfile within its size limit, and replacing it atomically.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use camino::{Utf8Path, Utf8PathBuf};
use snafu::{OptionExt, ResultExt, ensure};

use crate::error::{
    CreateTemporarySnafu, InvalidLockfilePathSnafu, LockfileNotUtf8Snafu, LockfileTooLargeSnafu,
    ReadLockfileSnafu, ReplaceLockfileSnafu, Result, SyncDirectorySnafu, WriteTemporarySnafu,
};
use crate::lockfile::MAX_LOCKFILE_SIZE;

/// How many temporary names are tried before giving up; a name is taken only when a
/// crashed writer with the same process id left its file behind.
const TEMPORARY_NAME_ATTEMPTS: u32 = 16;

/// Distinguishes the temporary files of concurrent saves within one process.
static TEMPORARY_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The text of the lockfile at `path`.
pub(crate) fn read_lockfile(path: &Utf8Path) -> Result<String> {
    let file = File::open(path).context(ReadLockfileSnafu { path })?;
    read_limited(file, path)
}

/// The text of the lockfile at `path`, or `None` when there is no file there.
pub(crate) fn read_lockfile_if_exists(path: &Utf8Path) -> Result<Option<String>> {
    match File::open(path) {
        Ok(file) => read_limited(file, path).map(Some),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(source).context(ReadLockfileSnafu { path }),
    }
}

/// Reads at most one byte more than the limit, so an oversized (or growing) file is
/// refused without being read whole.
fn read_limited(file: File, path: &Utf8Path) -> Result<String> {
    let mut bytes = Vec::new();
    // The limit is far below `u64::MAX`; widening a `usize` never loses bits here.
    let limit = MAX_LOCKFILE_SIZE as u64 + 1;
    file.take(limit)
        .read_to_end(&mut bytes)
        .context(ReadLockfileSnafu { path })?;
    ensure!(
        bytes.len() <= MAX_LOCKFILE_SIZE,
        LockfileTooLargeSnafu {
            path,
            limit: MAX_LOCKFILE_SIZE,
        }
    );
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) => Err(error.utf8_error()).context(LockfileNotUtf8Snafu { path }),
    }
}

/// Replaces the file at `path` with `contents` so that no reader ever sees a part of it:
/// write a new file beside it, sync it, rename it over `path`, sync the directory.
pub(crate) fn write_atomically(path: &Utf8Path, contents: &[u8]) -> Result<()> {
    let file_name = path
        .file_name()
        .context(InvalidLockfilePathSnafu { path })?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_str().is_empty() => parent,
        _ => Utf8Path::new("."),
    };
    let (temporary, mut file) = create_temporary(directory, file_name)?;
    let written = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .context(WriteTemporarySnafu { path: &temporary });
    drop(file);
    let replaced =
        written.and_then(|()| fs::rename(&temporary, path).context(ReplaceLockfileSnafu { path }));
    if let Err(error) = replaced {
        // Best effort: the error that matters is the one being returned.
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    sync_directory(directory)
}

/// Creates a new, empty temporary file in `directory`; it never replaces an existing file.
fn create_temporary(directory: &Utf8Path, file_name: &str) -> Result<(Utf8PathBuf, File)> {
    let mut attempt = 0;
    loop {
        let serial = TEMPORARY_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temporary = directory.join(format!(".{file_name}.{}.{serial}.tmp", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => return Ok((temporary, file)),
            Err(error)
                if error.kind() == io::ErrorKind::AlreadyExists
                    && attempt + 1 < TEMPORARY_NAME_ATTEMPTS =>
            {
                attempt += 1;
            }
            Err(source) => return Err(source).context(CreateTemporarySnafu { path: temporary }),
        }
    }
}

/// Syncs `directory` so that the rename survives a crash. Directories can be opened and
/// synced on Unix only; elsewhere the rename is left to the file system.
fn sync_directory(directory: &Utf8Path) -> Result<()> {
    if cfg!(unix) {
        File::open(directory)
            .and_then(|handle| handle.sync_all())
            .context(SyncDirectorySnafu { path: directory })?;
    }
    Ok(())
}
