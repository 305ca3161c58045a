//! `assay-pack manifest sign`: a keys manifest listing pack-signing keys, signed by a root.

use registry_verify::{KeyUsage, ManifestDraft, ManifestKeyDraft, sign_manifest};
use snafu::ResultExt;

use crate::cli::{ManifestCommand, ManifestSignArgs};
use crate::commands::clock::{now, time_or_now};
use crate::error::{Result, SignSnafu};
use crate::input::keys::{private_key, public_key};
use crate::output::write_output;

/// Runs a `manifest` subcommand.
pub(crate) fn run(command: &ManifestCommand) -> Result<()> {
    match command {
        ManifestCommand::Sign(args) => sign(args),
    }
}

fn sign(args: &ManifestSignArgs) -> Result<()> {
    let root = private_key(&args.key)?;
    let mut keys = args
        .pack_key
        .iter()
        .map(|path| public_key(path).map(ManifestKeyDraft::new))
        .collect::<Result<Vec<_>>>()?;
    // The root is listed too (never for packs), so that clients that pin it by key id
    // alone can find its public key.
    keys.push(ManifestKeyDraft {
        usage: KeyUsage::ManifestSigning,
        ..ManifestKeyDraft::new(root.public_key())
    });
    let expires_at = args
        .expires
        .as_deref()
        .map(|text| time_or_now(Some(text), "--expires"))
        .transpose()?;
    let draft = ManifestDraft {
        version: args.version,
        issued_at: Some(now()),
        expires_at,
        keys,
    };
    let envelope = sign_manifest(&draft, &root).context(SignSnafu { path: &args.key })?;
    let mut json = envelope.to_json();
    json.push('\n');
    write_output(Some(&args.out), json.as_bytes())
}
