//! Reading keys, roots and envelopes from local files, and writing new files safely.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use registry_verify::{Envelope, PrivateKey, PublicKey, RootSpec};
use snafu::ResultExt;

use crate::error::{
    ReadEnvelopeSnafu, ReadInputSnafu, ReadKeySnafu, ReadRootSnafu, Result, WriteFileSnafu,
};
use crate::input::read_input;

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

/// A root: a key id, or a public key file.
pub(crate) fn root(text: &str) -> Result<RootSpec> {
    if text.starts_with("sha256:") {
        return RootSpec::parse(text).context(ReadRootSnafu { root: text });
    }
    public_key(Path::new(text)).map(RootSpec::Key)
}

/// A DSSE envelope from a JSON file.
pub(crate) fn envelope(path: &Path) -> Result<Envelope> {
    Envelope::from_json(&read_input(path)?).context(ReadEnvelopeSnafu { path })
}

/// Writes `contents` to a new file at `path`, never replacing an existing one; `private`
/// files are readable by their owner only (mode 0600) from the moment they exist.
pub(crate) fn write_new_file(path: &Path, contents: &[u8], private: bool) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).context(WriteFileSnafu { path })?;
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
