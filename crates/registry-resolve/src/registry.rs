//! Step 4 of the resolution order: a registry pack through the cache. Cache first
//! (re-verified on read); fresh → done; stale → conditional GET (304 refreshes, 200
//! replaces); miss → pack and signature fetched concurrently, verified against the
//! registry's trust store, written to the cache, returned. Nothing unverified reaches the
//! caller or the cache.

use std::sync::Arc;

use registry_cache::{
    CacheEntry, CacheRead, EntryKey, NewEntry, ReadOptions, SignatureRequirement,
};
use registry_http::{ErrorKind, FetchResult, SignatureLookup};
use registry_types::{Digest, PackRef, Policy, RegistryRef, Timestamp};
use registry_verify::{Envelope, SignatureStatus, TrustStore, VerifyOptions, verify_pack};
use snafu::{ResultExt, ensure};

use crate::config::{CacheMode, CiGate, DeprecationCheck, NetworkMode, RevokedPolicy};
use crate::error::{
    CacheSnafu, Error, OfflineSnafu, PinMismatchSnafu, PolicyDowngradeSnafu, RegistrySnafu, Result,
    RevokedAdvice, TaskSnafu,
};
use crate::freshness::expires_at;
use crate::resolved::{
    Delivery, RegistryOrigin, ResolveSource, ResolveWarning, ResolvedPack, Signer, Verification,
};
use crate::resolver::PackResolver;
use crate::trust_state::RegistryTrust;

/// What the cache knew of a pack before the network was asked.
struct Previous {
    entry: Option<CacheEntry>,
    warnings: Vec<ResolveWarning>,
}

impl PackResolver {
    /// Resolves a registry reference; `expected` is a digest the pack must have (from the
    /// reference's pin, or a lockfile), checked as well as the pin.
    pub(crate) async fn resolve_registry(
        &self,
        reference: &RegistryRef,
        expected: Option<&Digest>,
        requirement: SignatureRequirement,
    ) -> Result<ResolvedPack> {
        let pack = PackRef::Registry(reference.clone());
        let pins: Vec<Digest> = reference.pin.iter().chain(expected).copied().collect();
        let deadline = self.config.deadline;
        let work = self.registry_pipeline(&pack, reference, &pins, requirement);
        match tokio::time::timeout(deadline, work).await {
            Ok(result) => result,
            Err(_) => Err(Error::Deadline {
                pack: Box::new(pack),
                after: deadline,
            }),
        }
    }

    async fn registry_pipeline(
        &self,
        pack: &PackRef,
        reference: &RegistryRef,
        pins: &[Digest],
        requirement: SignatureRequirement,
    ) -> Result<ResolvedPack> {
        let key = EntryKey::new(
            self.client.base_url().as_str(),
            reference.namespace.clone(),
            reference.name.clone(),
            reference.version.clone(),
        )
        .context(CacheSnafu { pack: pack.clone() })?;
        let trust = self.trust().await?;
        let now = self.config.clock.now();
        let previous = match self.config.cache {
            CacheMode::Bypass => Previous {
                entry: None,
                warnings: Vec::new(),
            },
            CacheMode::ReadWrite => {
                self.read_cache(pack, &key, &trust, now, requirement)
                    .await?
            }
        };
        let mut warnings = previous.warnings;
        let stale = match previous.entry {
            Some(entry) if !entry.meta().is_stale(now) => {
                return self.cached_pack(pack, entry, &trust, Delivery::CacheHit, pins, warnings);
            }
            other => other,
        };
        if self.config.network == NetworkMode::Offline {
            return match stale {
                Some(entry) => {
                    warnings.push(ResolveWarning::StaleOffline);
                    self.cached_pack(pack, entry, &trust, Delivery::StaleOffline, pins, warnings)
                }
                None => OfflineSnafu {
                    pack: pack.clone(),
                    missing: "it is not in the cache",
                }
                .fail(),
            };
        }
        let etag = stale.as_ref().and_then(|entry| {
            entry
                .etag()
                .map(str::to_owned)
                .or_else(|| Some(entry.digest().to_string()))
        });
        let fetched = self
            .client
            .fetch_signed_pack_in(
                reference.namespace.as_ref(),
                &reference.name,
                &reference.version,
                etag.as_deref(),
            )
            .await;
        let fetched = match fetched {
            Ok(fetched) => fetched,
            Err(error) if error.kind() == ErrorKind::Revoked => {
                return self.revoked(pack, error, stale, &trust, pins, warnings);
            }
            Err(source) => return Err(source).context(RegistrySnafu { pack: pack.clone() }),
        };
        match (fetched, stale) {
            (None, Some(entry)) => {
                // A 304's own headers are not kept by the client: the default TTL.
                let expires = expires_at(now, &registry_http::CacheControl::default());
                self.refresh(pack, &key, entry.digest(), expires).await?;
                self.cached_pack(pack, entry, &trust, Delivery::Revalidated, pins, warnings)
            }
            // A 304 to a request that carried no validator cannot happen: the client
            // sends none without an ETag.
            (None, None) => OfflineSnafu {
                pack: pack.clone(),
                missing: "the registry answered 304 to an unconditional request",
            }
            .fail(),
            (Some((fetched, lookup)), stale) => {
                self.accept_fetched(
                    pack, &key, fetched, lookup, stale, pins, &trust, now, warnings,
                )
                .await
            }
        }
    }

    /// Reads the cache entry, re-verified; an evicted entry is a warning and a miss.
    async fn read_cache(
        &self,
        pack: &PackRef,
        key: &EntryKey,
        trust: &Arc<RegistryTrust>,
        now: Timestamp,
        requirement: SignatureRequirement,
    ) -> Result<Previous> {
        let cache = Arc::clone(&self.cache);
        let key = key.clone();
        let trust = Arc::clone(trust);
        let threshold = self.config.threshold;
        let read = tokio::task::spawn_blocking(move || {
            let mut options = ReadOptions::new(&trust.store, now);
            options.threshold = threshold;
            options.signature = requirement;
            cache.read(&key, &options)
        })
        .await
        .context(TaskSnafu)?
        .context(CacheSnafu { pack: pack.clone() })?;
        Ok(match read {
            CacheRead::Miss => Previous {
                entry: None,
                warnings: Vec::new(),
            },
            CacheRead::Fresh(entry) | CacheRead::Stale(entry) => Previous {
                entry: Some(entry),
                warnings: Vec::new(),
            },
            CacheRead::Evicted(reason) => {
                tracing::warn!(%pack, %reason, "evicted a cache entry that failed verification");
                Previous {
                    entry: None,
                    warnings: vec![ResolveWarning::EvictedCacheEntry {
                        reason: snafu::Report::from_error(&reason).to_string(),
                    }],
                }
            }
        })
    }

    /// A pack from a verified cache entry.
    fn cached_pack(
        &self,
        pack: &PackRef,
        entry: CacheEntry,
        trust: &RegistryTrust,
        delivery: Delivery,
        pins: &[Digest],
        warnings: Vec<ResolveWarning>,
    ) -> Result<ResolvedPack> {
        check_pins(pack, entry.digest(), pins)?;
        let meta = entry.meta().clone();
        let verification = verification_of(entry.signature(), &trust.store);
        tracing::debug!(%pack, %delivery, digest = %meta.digest, "resolved from the cache");
        Ok(ResolvedPack {
            digest: meta.digest,
            name: meta.name.clone(),
            version: meta.version.clone(),
            source: ResolveSource::Registry(RegistryOrigin {
                registry_url: meta.registry_url.clone(),
                namespace: meta.namespace.clone(),
                policy: meta.policy,
                etag: meta.etag.clone(),
                fetched_at: meta.fetched_at,
                delivery,
            }),
            verification,
            warnings,
            bytes: entry.into_pack(),
        })
    }

    /// Verifies a freshly fetched pack and its signature, writes it to the cache, and
    /// hands it back.
    #[allow(clippy::too_many_arguments)] // One call site; the pipeline's state, spelled out.
    async fn accept_fetched(
        &self,
        pack: &PackRef,
        key: &EntryKey,
        fetched: FetchResult,
        lookup: SignatureLookup,
        stale: Option<CacheEntry>,
        pins: &[Digest],
        trust: &Arc<RegistryTrust>,
        now: Timestamp,
        mut warnings: Vec<ResolveWarning>,
    ) -> Result<ResolvedPack> {
        let policy = fetched.headers.policy;
        let envelope: Option<Envelope> = lookup.envelope().cloned();
        let was_signed = stale.as_ref().is_some_and(|entry| {
            entry.meta().policy == Policy::Commercial || entry.envelope().is_some()
        });
        ensure!(
            !(was_signed && policy == Policy::Open && envelope.is_none()),
            PolicyDowngradeSnafu { pack: pack.clone() }
        );
        check_pins(pack, &fetched.computed_digest, pins)?;
        let mut options = VerifyOptions::new(policy, now);
        options.expected_digest = Some(fetched.computed_digest);
        options.threshold = self.config.threshold;
        options.missing_signature = self.config.missing_signature;
        let verified = verify_pack(&fetched.body, envelope.as_ref(), &trust.store, &options)
            .map_err(|source| {
                let no_anchor = trust.store.roots().next().is_none()
                    && trust.store.pack_keys().next().is_none();
                if no_anchor && source.is_untrusted_signer() {
                    Error::NoTrustAnchor {
                        pack: Box::new(pack.clone()),
                        source: Box::new(source),
                    }
                } else {
                    Error::Verify {
                        pack: Box::new(pack.clone()),
                        source: Box::new(source),
                    }
                }
            })?;
        let verification = verification_of(&verified.signature, &trust.store);
        if verification == Verification::MissingAllowedInsecurely {
            warnings.push(ResolveWarning::UnsignedAllowed);
        }
        let etag = fetched.headers.etag.clone();
        let expires = expires_at(now, &fetched.headers.cache_control);
        let key_id = match &verified.signature {
            SignatureStatus::Verified { key_ids, .. } => key_ids.first().cloned(),
            _ => None,
        };
        if self.config.cache == CacheMode::ReadWrite && !fetched.headers.cache_control.no_store {
            let cache = Arc::clone(&self.cache);
            let key = key.clone();
            let body = fetched.body.clone();
            let digest = fetched.computed_digest;
            let etag = etag.clone();
            let envelope = envelope.clone();
            tokio::task::spawn_blocking(move || {
                cache.write(
                    &key,
                    &NewEntry {
                        pack: &body,
                        envelope: envelope.as_ref(),
                        digest,
                        policy,
                        key_id,
                        etag,
                        fetched_at: now,
                        expires_at: expires,
                    },
                )
            })
            .await
            .context(TaskSnafu)?
            .context(CacheSnafu { pack: pack.clone() })?;
        }
        let coordinates = &fetched.coordinates;
        if self.config.deprecation == DeprecationCheck::Warn
            && let Some(warning) = self.deprecation(coordinates).await
        {
            warnings.push(warning);
        }
        tracing::info!(%pack, digest = %fetched.computed_digest, %verification, "fetched and verified");
        Ok(ResolvedPack {
            digest: fetched.computed_digest,
            name: coordinates.name.clone(),
            version: coordinates.version.clone(),
            source: ResolveSource::Registry(RegistryOrigin {
                registry_url: self.client.base_url().as_str().to_owned(),
                namespace: coordinates.namespace.clone(),
                policy,
                etag,
                fetched_at: now,
                delivery: Delivery::Fetched,
            }),
            verification,
            warnings,
            bytes: fetched.body.to_vec(),
        })
    }

    /// The deprecation warning for a fetched version, if the registry lists it as
    /// deprecated. A failed lookup only costs the warning (it is logged).
    async fn deprecation(
        &self,
        coordinates: &registry_http::PackCoordinates,
    ) -> Option<ResolveWarning> {
        match self
            .client
            .versions_in(coordinates.namespace.as_ref(), &coordinates.name)
            .await
        {
            Ok(listing) => listing
                .versions
                .iter()
                .any(|info| info.version == coordinates.version && info.deprecated)
                .then(|| ResolveWarning::Deprecated {
                    latest: listing.latest.clone(),
                }),
            Err(error) => {
                tracing::debug!(%error, "the version listing for the deprecation check failed");
                None
            }
        }
    }

    /// A 410: refuse, or hand back the verified cached copy for forensics.
    fn revoked(
        &self,
        pack: &PackRef,
        error: registry_http::Error,
        cached: Option<CacheEntry>,
        trust: &RegistryTrust,
        pins: &[Digest],
        mut warnings: Vec<ResolveWarning>,
    ) -> Result<ResolvedPack> {
        let (reason, safe_version) = error
            .revocation()
            .map(|(reason, safe)| (reason.to_owned(), safe.map(str::to_owned)))
            .unwrap_or_else(|| ("revoked".to_owned(), None));
        let refuse = |advice| Error::Revoked {
            pack: Box::new(pack.clone()),
            reason: reason.clone(),
            safe_version: safe_version.clone(),
            advice,
        };
        match self.config.revoked {
            RevokedPolicy::Refuse => Err(refuse(RevokedAdvice::SuggestAllowRevoked)),
            RevokedPolicy::AllowCachedCopyForForensics => {
                if self.config.ci == CiGate::CiWithoutAcknowledgement {
                    return Err(refuse(RevokedAdvice::NeedsForensicsAcknowledgement));
                }
                let Some(entry) = cached else {
                    return Err(refuse(RevokedAdvice::NoCachedCopy));
                };
                tracing::warn!(%pack, reason, "handing back a revoked pack from the cache for forensics");
                warnings.push(ResolveWarning::RevokedForensics {
                    reason: reason.clone(),
                    safe_version: safe_version.clone(),
                });
                self.cached_pack(
                    pack,
                    entry,
                    trust,
                    Delivery::RevokedCachedCopy,
                    pins,
                    warnings,
                )
            }
        }
    }

    async fn refresh(
        &self,
        pack: &PackRef,
        key: &EntryKey,
        digest: &Digest,
        expires: Timestamp,
    ) -> Result<()> {
        if self.config.cache == CacheMode::Bypass {
            return Ok(());
        }
        let cache = Arc::clone(&self.cache);
        let key = key.clone();
        let digest = *digest;
        // `Refresh::Gone`: another process evicted or replaced the entry meanwhile; the
        // bytes being handed back were verified on read, and the next run fetches anew.
        let _refreshed = tokio::task::spawn_blocking(move || cache.refresh(&key, &digest, expires))
            .await
            .context(TaskSnafu)?
            .context(CacheSnafu { pack: pack.clone() })?;
        Ok(())
    }
}

/// Every pin must equal the digest.
pub(crate) fn check_pins(pack: &PackRef, actual: &Digest, pins: &[Digest]) -> Result<()> {
    for expected in pins {
        ensure!(
            expected == actual,
            PinMismatchSnafu {
                pack: pack.clone(),
                expected: *expected,
                actual: *actual,
            }
        );
    }
    Ok(())
}

/// What a verification status means for the caller; each signer's algorithm comes from the
/// trust store that verified it.
pub(crate) fn verification_of(status: &SignatureStatus, trust: &TrustStore) -> Verification {
    match status {
        SignatureStatus::Verified { key_ids, .. } => Verification::Signed {
            signers: key_ids
                .iter()
                .filter_map(|key_id| {
                    trust.pack_key(key_id).map(|trusted| Signer {
                        key_id: key_id.clone(),
                        algorithm: trusted.key.algorithm(),
                    })
                })
                .collect(),
        },
        SignatureStatus::Unsigned => Verification::UnsignedOpen,
        SignatureStatus::MissingAllowedInsecurely => Verification::MissingAllowedInsecurely,
    }
}
