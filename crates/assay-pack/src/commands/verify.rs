//! `assay-pack verify`: the air-gapped check of a pack and its signature, fully offline.

use registry_types::{Digest, Policy};
use registry_verify::{
    SignatureStatus, TrustMode, TrustStore, VerifyOptions, VerifyResult, verify_manifest,
    verify_pack,
};
use snafu::ResultExt;

use crate::cli::{PolicyArg, VerifyArgs};
use crate::commands::clock::time_or_now;
use crate::error::{InvalidArgumentSnafu, ReadKeySnafu, Result, VerifyManifestSnafu, VerifySnafu};
use crate::input::envelope::envelope;
use crate::input::keys::{public_key, root};
use crate::input::{InputKind, read_input, read_input_as};
use crate::output::print;

/// Runs the command: exit 0 with the digest and verified key ids, or the precise reason.
pub(crate) fn run(args: &VerifyArgs) -> Result<()> {
    let now = time_or_now(args.at.as_deref(), "--at")?;
    let mut options = VerifyOptions::new(
        match args.policy {
            PolicyArg::Commercial => Policy::Commercial,
            PolicyArg::Open => Policy::Open,
        },
        now,
    );
    options.threshold = args.threshold;
    options.expected_digest = args
        .digest
        .as_deref()
        .map(Digest::parse)
        .transpose()
        .context(InvalidArgumentSnafu { option: "--digest" })?;

    let mut trust = TrustStore::default();
    for path in &args.trusted_key {
        trust.add_pack_key(public_key(path)?);
    }
    if let Some(path) = &args.keys_manifest {
        let roots = args
            .root
            .iter()
            .map(|text| root(text))
            .collect::<Result<Vec<_>>>()?;
        let manifest_trust = TrustStore::new(roots, TrustMode::Union)
            .context(ReadKeySnafu { path: path.clone() })?;
        let body = read_input_as(path, InputKind::Envelope)?;
        let manifest = verify_manifest(&body, &manifest_trust, None, now)
            .context(VerifyManifestSnafu { path })?;
        trust.accept_manifest(&manifest);
    }

    let pack = read_input(&args.pack)?;
    let envelope = args.signature.as_deref().map(envelope).transpose()?;
    let result = verify_pack(&pack, envelope.as_ref(), &trust, &options)
        .context(VerifySnafu { path: &args.pack })?;
    print_result(&result, args.json)
}

fn print_result(result: &VerifyResult, json: bool) -> Result<()> {
    let (status, key_ids, payload_type) = match &result.signature {
        SignatureStatus::Verified {
            key_ids,
            payload_type,
        } => (
            "verified",
            key_ids.iter().map(ToString::to_string).collect(),
            Some(payload_type.as_str()),
        ),
        SignatureStatus::Unsigned => ("unsigned", Vec::new(), None),
        SignatureStatus::MissingAllowedInsecurely => {
            ("unsigned-allowed-insecurely", Vec::new(), None)
        }
    };
    let text = if json {
        let value = serde_json::json!({
            "digest": result.digest().to_string(),
            "status": status,
            "key_ids": key_ids,
            "payload_type": payload_type,
        });
        format!("{value}\n")
    } else {
        let mut text = format!("digest: {}\nstatus: {status}\n", result.digest());
        for id in &key_ids {
            text.push_str(&format!("verified key: {id}\n"));
        }
        text
    };
    print(text.as_bytes())
}
