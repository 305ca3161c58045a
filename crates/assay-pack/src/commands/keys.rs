//! Reading keys, roots and envelopes from local files, and writing new files safely.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::Path;

use registry_verify::{Envelope, PrivateKey, PublicKey, RootSpec};
use snafu::ResultExt;

use crate::error::{
    Error, ReadEnvelopeSnafu, ReadInputSnafu, ReadKeySnafu, ReadRootSnafu, Result, WriteFileSnafu,
};
use crate::input::{InputKind, read_input, read_input_as};

/// Reads a text file (keys are small; the pack size limit applies).
fn read_text(path: &Path) -> Result<String> {
    let bytes = read_input(path)?;
    String::from_utf8(bytes)
        .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error.utf8_error()))
        .context(ReadInputSnafu { path })
}

/// A private key from a PKCS#8 PEM file.
pub(crate) fn private_key(path: &Path) -> Result<PrivateKey> {
    PrivateKey::from_pkcs8_pem(&read_text(path)?).context(ReadKeySnafu { path })
}

/// A public key from a PEM or base64 SPKI file.
pub(crate) fn public_key(path: &Path) -> Result<PublicKey> {
    PublicKey::parse(read_text(path)?.trim()).context(ReadKeySnafu { path })
}

/// A root: a key id, a public key (PEM or base64 SPKI) given inline, or a public key file.
pub(crate) fn root(text: &str) -> Result<RootSpec> {
    let trimmed = text.trim();
    if trimmed.starts_with("sha256:") || trimmed.starts_with("-----BEGIN") {
        return RootSpec::parse(trimmed).context(ReadRootSnafu { root: text });
    }
    match public_key(Path::new(text)) {
        Ok(key) => Ok(RootSpec::Key(key)),
        // No such file: the text may be a base64 SPKI key; if not, the file error says most.
        Err(error @ Error::ReadInput { .. }) => RootSpec::parse(trimmed).map_err(|_| error),
        Err(error) => Err(error),
    }
}

/// A DSSE envelope from a JSON file.
pub(crate) fn envelope(path: &Path) -> Result<Envelope> {
    Envelope::from_json(&read_input_as(path, InputKind::Envelope)?)
        .context(ReadEnvelopeSnafu { path })
}

/// Writes `contents` to a new file at `path`, never replacing an existing one; `private`
/// files are readable by their owner only (mode 0600) from the moment they exist.
///
/// The file appears complete or not at all, even if the process is killed while writing:
/// the bytes go to a temporary file beside it, which is then hard-linked into place (a link
/// fails, rather than replaces, when `path` exists). Where hard links are not supported the
/// file is written in place, and removed again if writing fails.
pub(crate) fn write_new_file(path: &Path, contents: &[u8], private: bool) -> Result<()> {
    let linked = write_beside(path, contents, private, |temp| {
        std::fs::hard_link(temp, path)
    });
    match linked {
        Err(error) if error.kind() != ErrorKind::AlreadyExists => {
            write_in_place(path, contents, private)
        }
        linked => linked.context(WriteFileSnafu { path }),
    }
}

/// Writes `contents` to `path`, atomically replacing any file there.
pub(crate) fn replace_file(path: &Path, contents: &[u8]) -> Result<()> {
    write_beside(path, contents, false, |temp| std::fs::rename(temp, path))
        .context(WriteFileSnafu { path })
}

/// Writes `contents` to a new temporary file in the folder of `path`, syncs it, calls
/// `publish` with its path, and removes the temporary name (unless `publish` moved it).
fn write_beside(
    path: &Path,
    contents: &[u8],
    private: bool,
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
    let mut file = match create(&temp, private) {
        // A leftover of a killed run that had our process id: nobody else uses the name.
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            std::fs::remove_file(&temp)?;
            create(&temp, private)?
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
fn write_in_place(path: &Path, contents: &[u8], private: bool) -> Result<()> {
    let mut file = create(path, private).context(WriteFileSnafu { path })?;
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

/// Creates a new file (never opening an existing one), mode 0600 when `private`.
fn create(path: &Path, private: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)
}

/// Writes `contents` to `path`, or to standard output when there is no path.
pub(crate) fn write_output(path: Option<&Path>, contents: &[u8]) -> Result<()> {
    match path {
        Some(path) => write_new_file(path, contents, false),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(contents)
                .and_then(|()| stdout.flush())
                .context(crate::error::WriteOutputSnafu)
        }
    }
}
