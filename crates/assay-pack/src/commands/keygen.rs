//! `assay-pack keygen`: a new key pair as PREFIX.key (PKCS#8 PEM, 0600) and PREFIX.pub.

use std::path::PathBuf;

use registry_verify::{Algorithm, PrivateKey};
use snafu::ResultExt;

use crate::cli::{AlgorithmArg, KeygenArgs};
use crate::error::{GenerateKeySnafu, Result};
use crate::output::{FileMode, print, write_new_file};

/// Runs the command: writes both files (refusing to replace existing ones) and prints the
/// key id.
pub(crate) fn run(args: &KeygenArgs) -> Result<()> {
    let algorithm = match args.algorithm {
        AlgorithmArg::Ed25519 => Algorithm::Ed25519,
        AlgorithmArg::P256 => Algorithm::EcdsaP256Sha256,
    };
    let key = PrivateKey::generate(algorithm).context(GenerateKeySnafu)?;
    let private_path = with_suffix(&args.out, "key");
    let public_path = with_suffix(&args.out, "pub");
    write_new_file(
        &private_path,
        key.to_pkcs8_pem().expose_secret().as_bytes(),
        FileMode::Private,
    )?;
    if let Err(error) = write_new_file(
        &public_path,
        key.public_key().to_pem().as_bytes(),
        FileMode::Public,
    ) {
        // A private key without its public half is of no use; do not leave it behind.
        let _ = std::fs::remove_file(&private_path);
        return Err(error);
    }
    // The key files stay: they are complete, and the key id is derived from `PREFIX.pub`.
    print(format!("{}\n", key.key_id()).as_bytes())
}

fn with_suffix(prefix: &std::path::Path, suffix: &str) -> PathBuf {
    let mut path = prefix.as_os_str().to_owned();
    path.push(".");
    path.push(suffix);
    PathBuf::from(path)
}
