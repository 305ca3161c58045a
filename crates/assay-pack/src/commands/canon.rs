//! `assay-pack canon [--json] FILE`: print the canonical bytes.

use registry_canon::{CanonicalPack, StrictOptions, Value, to_canonical_jcs_bytes};
use snafu::ResultExt;

use crate::cli::CanonArgs;
use crate::error::{CanonicalizeSnafu, Result};
use crate::input::read_input;
use crate::output::print;

/// Runs the command.
pub(crate) fn run(args: &CanonArgs) -> Result<()> {
    let bytes = read_input(&args.file)?;
    let canonical = if args.json {
        Value::from_json_slice(&bytes).map(|value| to_canonical_jcs_bytes(&value))
    } else {
        CanonicalPack::from_yaml(&bytes, &StrictOptions::default()).map(|pack| pack.into_bytes())
    }
    .context(CanonicalizeSnafu { path: &args.file })?;
    print(&canonical)
}
