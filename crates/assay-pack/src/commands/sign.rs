//! `assay-pack sign PACK --key KEY`: a DSSE envelope over the pack's canonical bytes.

use registry_verify::{PackPayloadType, sign_pack};
use snafu::ResultExt;

use crate::cli::SignArgs;
use crate::error::{Result, SignSnafu};
use crate::input::keys::private_key;
use crate::input::read_input;
use crate::output::write_output;

/// Runs the command.
pub(crate) fn run(args: &SignArgs) -> Result<()> {
    let pack = read_input(&args.pack)?;
    let key = private_key(&args.key)?;
    let payload_type = if args.legacy_payload_type {
        PackPayloadType::Legacy
    } else {
        PackPayloadType::Jcs
    };
    let envelope =
        sign_pack(&pack, &[&key], payload_type).context(SignSnafu { path: &args.pack })?;
    let mut json = envelope.to_json();
    json.push('\n');
    write_output(args.out.as_deref(), json.as_bytes())
}
