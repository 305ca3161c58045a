//! `assay-pack digest FILE...`: print one `sha256:<hex>  FILE` line per file.

use std::path::Path;

use registry_canon::{CanonicalPack, StrictOptions};
use registry_types::Digest;
use snafu::ResultExt;

use crate::cli::DigestArgs;
use crate::error::{CanonicalizeSnafu, Result, SomeInputsFailedSnafu, print_stderr};
use crate::input::read_input;
use crate::output::print;

/// Runs the command. Like sha256sum it goes on after a bad file: with several files each
/// failure is reported on standard error as it happens, and the command then fails with the
/// exit code of the first failure.
pub(crate) fn run(args: &DigestArgs) -> Result<()> {
    if let [path] = args.files.as_slice() {
        let digest = digest_file(path)?;
        return print_line(&digest, path);
    }
    let mut failed: usize = 0;
    let mut first_status = None;
    for path in &args.files {
        match digest_file(path) {
            Ok(digest) => print_line(&digest, path)?,
            Err(error) => {
                failed += 1;
                first_status.get_or_insert(error.exit_status());
                print_stderr(format_args!("assay-pack: {}", crate::report::Chain(&error)));
            }
        }
    }
    match first_status {
        Some(status) => SomeInputsFailedSnafu {
            failed,
            total: args.files.len(),
            status,
        }
        .fail(),
        None => Ok(()),
    }
}

fn print_line(digest: &Digest, path: &Path) -> Result<()> {
    print(format!("{digest}  {}\n", path.display()).as_bytes())
}

fn digest_file(path: &Path) -> Result<Digest> {
    let bytes = read_input(path)?;
    let canonical = CanonicalPack::from_yaml(&bytes, &StrictOptions::default())
        .context(CanonicalizeSnafu { path })?;
    Ok(*canonical.digest())
}
