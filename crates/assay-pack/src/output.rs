//! Writing what a command produces: to standard output, or to a file that appears complete
//! or not at all.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::Path;

use snafu::ResultExt;

use crate::error::{Result, WriteFileSnafu, WriteOutputSnafu};

/// Who may read a file the CLI creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileMode {
    /// Its owner only (mode 0600 on Unix) from the moment it exists: private keys.
    Private,
    /// Whoever the umask lets: public keys, envelopes, manifests, certificates.
    Public,
}

/// Writes `contents` to a new file at `path`, never replacing an existing one.
///
/// The file appears complete or not at all, even if the process is killed while writing:
/// the bytes go to a temporary file beside it, which is then hard-linked into place (a link
/// fails, rather than replaces, when `path` exists). Where hard links are not supported the
/// file is written in place, and removed again if writing fails.
pub(crate) fn write_new_file(path: &Path, contents: &[u8], mode: FileMode) -> Result<()> {
    let linked = write_beside(path, contents, mode, |temp| std::fs::hard_link(temp, path));
    match linked {
        Err(error) if error.kind() != ErrorKind::AlreadyExists => {
            write_in_place(path, contents, mode)
        }
        linked => linked.context(WriteFileSnafu { path }),
    }
}

/// Writes `contents` to `path`, atomically replacing any file there.
pub(crate) fn replace_file(path: &Path, contents: &[u8]) -> Result<()> {
    write_beside(path, contents, FileMode::Public, |temp| {
        std::fs::rename(temp, path)
    })
    .context(WriteFileSnafu { path })
}

/// Writes `contents` to a new file at `path` (see [`write_new_file`]), or to standard
/// output when there is no path.
pub(crate) fn write_output(path: Option<&Path>, contents: &[u8]) -> Result<()> {
    match path {
        Some(path) => write_new_file(path, contents, FileMode::Public),
        None => print(contents),
    }
}

/// Writes `contents` to standard output and flushes it.
pub(crate) fn print(contents: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(contents)
        .and_then(|()| stdout.flush())
        .context(WriteOutputSnafu)
}

/// Writes `contents` to a new temporary file in the folder of `path`, syncs it, calls
/// `publish` with its path, and removes the temporary name (unless `publish` moved it).
fn write_beside(
    path: &Path,
    contents: &[u8],
    mode: FileMode,
    publish: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(ErrorKind::InvalidInput, "the path does not name a file")
    })?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = folder.join(temp_name);
    let mut file = match create(&temp, mode) {
        // A leftover of a killed run that had our process id: nobody else uses the name.
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            std::fs::remove_file(&temp)?;
            create(&temp, mode)?
        }
        created => created?,
    };
    let published = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .and_then(|()| publish(&temp));
    // After a rename this finds nothing; after a link or a failure it removes the temporary
    // name, so that only the complete file at `path` is left, or nothing.
    let _ = std::fs::remove_file(&temp);
    published?;
    // Make the new name durable; a file system that cannot sync folders has nothing to do.
    let _ = File::open(folder).and_then(|folder| folder.sync_all());
    Ok(())
}

/// The fallback of [`write_new_file`]: the file is created at `path` and written there.
fn write_in_place(path: &Path, contents: &[u8], mode: FileMode) -> Result<()> {
    let mut file = create(path, mode).context(WriteFileSnafu { path })?;
    let written = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .context(WriteFileSnafu { path });
    if written.is_err() {
        // Never leave a half-written key or envelope behind.
        let _ = std::fs::remove_file(path);
    }
    written
}

/// Creates a new file (never opening an existing one) with the permissions of `mode`.
fn create(path: &Path, mode: FileMode) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if mode == FileMode::Private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}
