//! `assay-pack digest FILE...`: print one `sha256:<hex>  FILE` line per file.

use std::io::Write;
use std::path::Path;

use registry_canon::{CanonicalPack, StrictOptions};
use registry_types::Digest;
use snafu::ResultExt;

use crate::cli::DigestArgs;
use crate::error::{
    CanonicalizeSnafu, Result, SomeInputsFailedSnafu, WriteOutputSnafu, print_stderr,
};
use crate::input::read_input;

/// Runs the command. Like sha256sum it goes on after a bad file: with several files each
/// failure is reported on standard error as it happens, and the command then fails with the
/// exit code of the first failure.
pub(crate) fn run(args: &DigestArgs) -> Result<()> {
    if let [path] = args.files.as_slice() {
        let digest = digest_file(path)?;
        return print_line(&digest, path);
    }
    let mut failed: usize = 0;
    let mut first_code = None;
    for path in &args.files {
        match digest_file(path) {
            Ok(digest) => print_line(&digest, path)?,
            Err(error) => {
                failed += 1;
                first_code.get_or_insert(error.exit_code());
                print_stderr(format_args!(
                    "assay-pack: {}",
                    snafu::Report::from_error(error)
                ));
            }
        }
    }
    match first_code {
        Some(code) => SomeInputsFailedSnafu {
            failed,
            total: args.files.len(),
            code,
        }
        .fail(),
        None => Ok(()),
    }
}

fn print_line(digest: &Digest, path: &Path) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{digest}  {}", path.display()).context(WriteOutputSnafu)
}

fn digest_file(path: &Path) -> Result<Digest> {
    let bytes = read_input(path)?;
    let canonical = CanonicalPack::from_yaml(&bytes, &StrictOptions::default())
        .context(CanonicalizeSnafu { path })?;
    Ok(*canonical.digest())
}
