//! Step 5 of the resolution order: an object-storage pack, verified like a registry pack:
//! its digest against the pin or the lockfile, its sidecar signature when there is one.

use registry_types::{ByosRef, Digest, PackRef, Policy};
use registry_verify::{MissingSignature, VerifyOptions, verify_pack};
use snafu::{ResultExt, ensure};

use crate::config::ByosPins;
use crate::error::{ByosSnafu, ByosUnpinnedSnafu, Result, VerifySnafu};
use crate::registry::{check_pins, verification_of};
use crate::resolved::{ResolveSource, ResolveWarning, ResolvedPack, Verification};
use crate::resolver::{PackResolver, local_pack};

impl PackResolver {
    pub(crate) async fn resolve_byos(
        &self,
        reference: &PackRef,
        byos: &ByosRef,
        expected: Option<&Digest>,
    ) -> Result<ResolvedPack> {
        let pins: Vec<Digest> = byos.pin().into_iter().chain(expected).copied().collect();
        ensure!(
            !pins.is_empty() || self.config.byos_pins == ByosPins::WarnWhenMissing,
            ByosUnpinnedSnafu {
                pack: reference.clone()
            }
        );
        let object = self.config.byos.fetch(byos).await.context(ByosSnafu {
            pack: reference.clone(),
        })?;
        let now = self.config.clock.now();
        let pack = local_pack(reference, &object.bytes, None)?;
        check_pins(reference, &pack.digest, &pins)?;
        let mut warnings = Vec::new();
        let verification = match &object.signature {
            Some(envelope) => {
                let trust = self.trust().await?;
                let mut options = VerifyOptions::new(Policy::Commercial, now);
                options.expected_digest = Some(pack.digest);
                options.threshold = self.config.threshold;
                options.missing_signature = MissingSignature::Reject;
                let verified = verify_pack(&object.bytes, Some(envelope), &trust.store, &options)
                    .context(VerifySnafu {
                    pack: reference.clone(),
                })?;
                verification_of(&verified.signature, &trust.store)
            }
            None if pins.is_empty() => {
                warnings.push(ResolveWarning::Unpinned);
                Verification::Unpinned
            }
            None => Verification::PinnedDigest,
        };
        Ok(ResolvedPack {
            bytes: object.bytes,
            digest: pack.digest,
            name: pack.name,
            version: pack.version,
            source: ResolveSource::Byos(byos.clone()),
            verification,
            warnings,
        })
    }
}
