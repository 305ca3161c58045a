//! The pack verification policy: canonical digest, expected digest, envelope payload and
//! type, and signatures from distinct trusted keys counted against a threshold.

use std::collections::BTreeSet;
use std::num::NonZeroUsize;

use registry_canon::{CanonicalPack, StrictOptions};
use registry_types::{Digest, Policy, Timestamp};
use snafu::{ResultExt, ensure};

use crate::envelope::Envelope;
use crate::error::{
    BelowThresholdSnafu, CanonicalizeSnafu, DigestMismatchSnafu, KeyExpiredSnafu,
    KeyNotYetValidSnafu, KeyRevokedSnafu, NoSignaturesSnafu, PayloadMismatchSnafu, Result,
    SignatureRequiredSnafu, UntrustedKeySnafu, UnverifiedSignatureSnafu, WrongPayloadTypeSnafu,
};
use crate::key_id::KeyId;
use crate::signers::{SignerHints, SignerIds};
use crate::trust::{KeyValidity, TrustStore, TrustedKey, ValidityWindow};

/// The protocol's payload type for pack envelopes: the canonical JCS bytes.
pub const PACK_PAYLOAD_TYPE: &str = "application/vnd.assay.pack.v1+jcs";

/// The payload type deployed reference clients sign with (same canonical bytes).
pub const LEGACY_PACK_PAYLOAD_TYPE: &str = "application/vnd.assay.pack+yaml;v=1";

/// What to do when a pack that needs a signature has none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MissingSignature {
    /// Fail (the default, and the only safe choice outside development).
    #[default]
    Reject,
    /// Accept a commercial pack that has no signature at all. Weakens security: for local
    /// development only. A bad signature or a digest mismatch still fails.
    AllowInsecureForDevelopment,
}

/// The inputs of [`verify_pack`] besides the pack, its envelope and the trust store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The pack's policy (from `X-Pack-Policy`, the cache or the lockfile).
    pub policy: Policy,
    /// The digest the pack must have (header, pin or lockfile), when one is known.
    pub expected_digest: Option<Digest>,
    /// How many distinct trusted keys must sign.
    pub threshold: NonZeroUsize,
    /// What to do without a signature.
    pub missing_signature: MissingSignature,
    /// The time at which key validity windows are judged.
    pub now: Timestamp,
}

impl VerifyOptions {
    /// Options for `policy` at `now`: no expected digest, threshold 1, missing signatures
    /// rejected.
    pub fn new(policy: Policy, now: Timestamp) -> Self {
        VerifyOptions {
            policy,
            expected_digest: None,
            threshold: NonZeroUsize::MIN,
            missing_signature: MissingSignature::Reject,
            now,
        }
    }
}

/// How a verified pack's signature turned out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureStatus {
    /// Enough distinct trusted keys signed; their ids, in envelope order.
    Verified {
        /// The keys whose signatures verified.
        key_ids: Vec<KeyId>,
        /// The envelope's payload type (the protocol's or the legacy one).
        payload_type: String,
    },
    /// An open pack without a signature.
    Unsigned,
    /// A commercial pack without a signature, let through by
    /// [`MissingSignature::AllowInsecureForDevelopment`].
    MissingAllowedInsecurely,
}

/// A pack that passed verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyResult {
    /// The canonical bytes and digest.
    pub canonical: CanonicalPack,
    /// What the signature check found.
    pub signature: SignatureStatus,
}

impl VerifyResult {
    /// The canonical digest.
    pub fn digest(&self) -> &Digest {
        self.canonical.digest()
    }
}

/// The canonical digest of pack bytes (UTF-8 YAML under the strict profile).
///
/// # Errors
/// [`crate::Error::Canonicalize`] when the pack has no canonical form.
pub fn compute_digest(pack: &[u8]) -> Result<Digest> {
    canonical_pack(pack).map(|canonical| *canonical.digest())
}

/// The canonical form of pack bytes, checked against `expected`.
///
/// # Errors
/// [`crate::Error::Canonicalize`], or [`crate::Error::DigestMismatch`] with both digests.
pub fn verify_digest(pack: &[u8], expected: &Digest) -> Result<CanonicalPack> {
    let canonical = canonical_pack(pack)?;
    ensure!(
        canonical.digest() == expected,
        DigestMismatchSnafu {
            expected: *expected,
            actual: *canonical.digest(),
        }
    );
    Ok(canonical)
}

fn canonical_pack(pack: &[u8]) -> Result<CanonicalPack> {
    CanonicalPack::from_yaml(pack, &StrictOptions::default())
        .map_err(Box::new)
        .context(CanonicalizeSnafu)
}

/// Verifies a pack: its canonical digest (against the expected one, when given), and its
/// envelope when there is one, whatever the policy. Without an envelope, a commercial pack
/// fails (unless [`MissingSignature::AllowInsecureForDevelopment`]) and an open pack is
/// reported as unsigned.
///
/// # Errors
/// The first check that fails, with what it found: a digest mismatch with both digests, a
/// wrong payload type, a payload that is not the pack's canonical bytes, or not enough valid
/// signatures from distinct trusted keys (naming the keys and why each did not count).
pub fn verify_pack(
    pack: &[u8],
    envelope: Option<&Envelope>,
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Result<VerifyResult> {
    let canonical = match &options.expected_digest {
        Some(expected) => verify_digest(pack, expected)?,
        None => canonical_pack(pack)?,
    };
    let signature = match envelope {
        Some(envelope) => verify_envelope(&canonical, envelope, trust, options)?,
        None if options.policy == Policy::Open => SignatureStatus::Unsigned,
        None => {
            ensure!(
                options.missing_signature == MissingSignature::AllowInsecureForDevelopment,
                SignatureRequiredSnafu
            );
            SignatureStatus::MissingAllowedInsecurely
        }
    };
    Ok(VerifyResult {
        canonical,
        signature,
    })
}

/// What became of each signature of an envelope.
#[derive(Default)]
struct Tally {
    verified: Vec<KeyId>,
    bad: Option<KeyId>,
    expired: Option<(KeyId, ValidityWindow)>,
    not_yet_valid: Option<(KeyId, ValidityWindow)>,
    revoked: Option<KeyId>,
    untrusted: BTreeSet<Option<String>>,
}

fn verify_envelope(
    canonical: &CanonicalPack,
    envelope: &Envelope,
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Result<SignatureStatus> {
    let payload_type = envelope.payload_type();
    ensure!(
        payload_type == PACK_PAYLOAD_TYPE || payload_type == LEGACY_PACK_PAYLOAD_TYPE,
        WrongPayloadTypeSnafu { payload_type }
    );
    ensure!(
        envelope.payload() == canonical.bytes(),
        PayloadMismatchSnafu {
            payload_digest: registry_canon::digest_of_canonical_bytes(envelope.payload()),
            pack_digest: *canonical.digest(),
        }
    );
    ensure!(!envelope.signatures().is_empty(), NoSignaturesSnafu);
    let mut tally = Tally::default();
    for signature in envelope.signatures() {
        // The key id is a hint: with one, only that key is tried; without, every trusted key.
        // Hints are matched as `sha256:<hex>` or bare hex, in either case.
        let hint = signature.keyid.as_deref();
        let candidates: Vec<&TrustedKey> = trust
            .pack_keys()
            .filter(|key| hint.is_none_or(|hint| key.key.key_id().matches_hint(hint)))
            .collect();
        if candidates.is_empty() {
            tally.untrusted.insert(signature.keyid.clone());
            continue;
        }
        for candidate in candidates {
            let id = candidate.key.key_id();
            if envelope
                .verify_signature(signature, &candidate.key)
                .is_err()
            {
                if hint.is_some() {
                    tally.bad.get_or_insert_with(|| id.clone());
                }
                continue;
            }
            match candidate.validity(options.now) {
                KeyValidity::Valid => {
                    // A key repeated in the envelope counts once.
                    if !tally.verified.contains(id) {
                        tally.verified.push(id.clone());
                    }
                }
                KeyValidity::Expired => {
                    tally.expired = Some((id.clone(), candidate.window));
                }
                KeyValidity::NotYetValid => {
                    tally.not_yet_valid = Some((id.clone(), candidate.window));
                }
                KeyValidity::Revoked => tally.revoked = Some(id.clone()),
            }
            break;
        }
    }
    if tally.verified.len() >= options.threshold.get() {
        return Ok(SignatureStatus::Verified {
            key_ids: tally.verified,
            payload_type: payload_type.to_owned(),
        });
    }
    Err(failure(tally, options))
}

/// The most telling reason why an envelope did not verify.
fn failure(tally: Tally, options: &VerifyOptions) -> crate::Error {
    let now = options.now;
    if !tally.verified.is_empty() {
        return BelowThresholdSnafu {
            verified: tally.verified.len(),
            threshold: options.threshold.get(),
            key_ids: SignerIds::from(tally.verified),
        }
        .build();
    }
    if let Some(key_id) = tally.bad {
        return UnverifiedSignatureSnafu { key_id }.build();
    }
    if let Some(key_id) = tally.revoked {
        return KeyRevokedSnafu { key_id }.build();
    }
    if let Some((key_id, window)) = tally.expired {
        return KeyExpiredSnafu {
            key_id,
            window,
            now,
        }
        .build();
    }
    if let Some((key_id, window)) = tally.not_yet_valid {
        return KeyNotYetValidSnafu {
            key_id,
            window,
            now,
        }
        .build();
    }
    UntrustedKeySnafu {
        key_ids: tally.untrusted.into_iter().collect::<SignerHints>(),
    }
    .build()
}
