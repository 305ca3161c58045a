//! Keys from local files: private keys, trusted public keys, and keys-manifest roots.

use std::path::Path;

use registry_verify::{PrivateKey, PublicKey, RootSpec};
use snafu::ResultExt;

use crate::error::{Error, ReadKeySnafu, ReadRootSnafu, Result};
use crate::input::read_text;

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
