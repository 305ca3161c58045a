//! The keys-manifest lifecycle of one registry: load the persisted manifest, fetch a new
//! one when none is usable, verify it against the roots with rollback protection, persist
//! it atomically, check the clock against the latest time seen (freeze), and build the
//! trust store packs are verified against.

use std::sync::Arc;

use registry_cache::{KeysRecord, PackCache};
use registry_http::RegistryClient;
use registry_types::Timestamp;
use registry_verify::{ManifestCheckpoint, TrustStore, VerifiedManifest, verify_manifest};
use snafu::{ResultExt, ensure};

use crate::config::{CLOCK_TOLERANCE, FreezeCheck, NetworkMode, ResolverConfig};
use crate::error::{
    ClockBehindSnafu, Error, FetchKeysSnafu, KeysManifestSnafu, KeysStateSnafu, Result, TaskSnafu,
};
use crate::freshness::expires_at;

/// The trust store for one registry, with what it was built from.
#[derive(Debug)]
pub(crate) struct RegistryTrust {
    /// Roots, configured pack keys and the keys of the current manifest.
    pub(crate) store: TrustStore,
}

/// Builds the trust store of the registry `client` talks to.
///
/// 1. Freeze check: the clock must not be more than [`CLOCK_TOLERANCE`] behind the latest
///    time recorded for the registry.
/// 2. Without any root there is no manifest to verify: configured pack keys only.
/// 3. A persisted manifest that still verifies and is fresh is used as it is; offline,
///    one that still verifies is used however old its record is.
/// 4. Otherwise (online) `/keys` is fetched, verified against the roots and the
///    persisted checkpoint (rollback), and persisted — the rollback decision made again
///    against the record current under the write lock.
///
/// The store is built afresh from roots, configured keys and the one current manifest, so
/// keys a newer manifest dropped or revoked are gone.
pub(crate) async fn registry_trust(
    config: &ResolverConfig,
    client: &RegistryClient,
    cache: &Arc<PackCache>,
) -> Result<RegistryTrust> {
    let registry = client.base_url().as_str().to_owned();
    let now = config.clock.now();
    let base = base_store(config)?;
    let record = load_record(cache, &registry).await?;
    if let Some(record) = &record
        && config.freeze == FreezeCheck::Enforce
    {
        let earliest_allowed = record
            .latest_seen
            .checked_sub(CLOCK_TOLERANCE)
            .unwrap_or(record.latest_seen);
        ensure!(
            now >= earliest_allowed,
            ClockBehindSnafu {
                registry: &registry,
                now,
                latest_seen: record.latest_seen,
            }
        );
    }
    if base.roots().next().is_none() {
        tracing::debug!(
            registry,
            "no trust roots: only configured pack keys are trusted"
        );
        return Ok(RegistryTrust { store: base });
    }
    let persisted = record.as_ref().and_then(|record| {
        match verify_manifest(&record.manifest, &base, None, now) {
            Ok(manifest) => Some((record, manifest)),
            Err(error) => {
                tracing::info!(registry, %error, "the persisted keys manifest no longer verifies");
                None
            }
        }
    });
    if let Some((record, manifest)) = persisted {
        let offline = config.network == NetworkMode::Offline;
        if offline || now < record.expires_at {
            if offline || record.latest_seen < now {
                touch_latest_seen(cache, &registry, now).await?;
            }
            return Ok(with_manifest(base, &manifest));
        }
    }
    if config.network == NetworkMode::Offline {
        tracing::info!(
            registry,
            "offline and no usable keys manifest: configured pack keys only"
        );
        return Ok(RegistryTrust { store: base });
    }
    let last = record.as_ref().map(checkpoint_of);
    let response = client.fetch_keys().await.context(FetchKeysSnafu {
        registry: &registry,
    })?;
    let manifest =
        verify_manifest(&response.body, &base, last.as_ref(), now).context(KeysManifestSnafu {
            registry: &registry,
        })?;
    let body = response.body.to_vec();
    let expires = expires_at(now, &response.cache_control);
    persist(cache, &registry, &base, body, &manifest, now, expires).await?;
    tracing::info!(
        registry,
        version = manifest.version(),
        "accepted keys manifest"
    );
    Ok(with_manifest(base, &manifest))
}

/// Roots and configured pack keys, no manifest.
fn base_store(config: &ResolverConfig) -> Result<TrustStore> {
    let mut store = TrustStore::new(config.trust.roots.clone(), config.trust.mode).context(
        crate::error::InvalidTrustRootSnafu {
            origin: "the configuration",
        },
    )?;
    for key in &config.trust.pack_keys {
        store.add_pack_key(key.clone());
    }
    Ok(store)
}

fn with_manifest(mut store: TrustStore, manifest: &VerifiedManifest) -> RegistryTrust {
    store.accept_manifest(manifest);
    RegistryTrust { store }
}

fn checkpoint_of(record: &KeysRecord) -> ManifestCheckpoint {
    ManifestCheckpoint {
        version: record.version,
        payload_digest: record.payload_digest,
    }
}

async fn load_record(cache: &Arc<PackCache>, registry: &str) -> Result<Option<KeysRecord>> {
    let cache = Arc::clone(cache);
    let url = registry.to_owned();
    let read = tokio::task::spawn_blocking(move || cache.read_keys(&url))
        .await
        .context(TaskSnafu)?;
    // An unreadable record is not ignored: starting afresh would silently drop the rollback
    // and freeze state it holds. The error says how to reset it on purpose.
    match read {
        Ok(record) => Ok(record),
        Err(error) if error.is_unreadable_keys_record() => Err(Error::KeysStateUnreadable {
            registry: registry.to_owned(),
            source: Box::new(error),
        }),
        Err(source) => Err(Error::KeysState {
            registry: registry.to_owned(),
            source: Box::new(source),
        }),
    }
}

/// Records that `now` was seen, so a later run with an earlier clock is caught.
async fn touch_latest_seen(cache: &Arc<PackCache>, registry: &str, now: Timestamp) -> Result<()> {
    let cache = Arc::clone(cache);
    let url = registry.to_owned();
    let written = tokio::task::spawn_blocking(move || {
        cache.update_keys::<registry_cache::Error>(&url, |current| {
            Ok(current
                .filter(|record| record.latest_seen < now)
                .map(|record| KeysRecord {
                    latest_seen: now,
                    ..record
                }))
        })
    })
    .await
    .context(TaskSnafu)?;
    written.map(drop).context(KeysStateSnafu { registry })
}

/// Why persisting a manifest stopped.
enum PersistFailure {
    /// The disk.
    Cache(registry_cache::Error),
    /// The manifest rolls back the record another process wrote meanwhile.
    Refused(registry_verify::Error),
}

impl From<registry_cache::Error> for PersistFailure {
    fn from(error: registry_cache::Error) -> Self {
        PersistFailure::Cache(error)
    }
}

/// Persists an accepted manifest, deciding again under the write lock: a record that
/// another process wrote meanwhile is the checkpoint the manifest must not roll back.
async fn persist(
    cache: &Arc<PackCache>,
    registry: &str,
    base: &TrustStore,
    body: Vec<u8>,
    manifest: &VerifiedManifest,
    now: Timestamp,
    expires: Timestamp,
) -> Result<()> {
    let cache = Arc::clone(cache);
    let url = registry.to_owned();
    let base = base.clone();
    let checkpoint = manifest.checkpoint().clone();
    let issued_at = manifest.issued_at();
    let written = tokio::task::spawn_blocking(move || {
        cache.update_keys::<PersistFailure>(&url, |current| {
            if let Some(current) = &current {
                verify_manifest(&body, &base, Some(&checkpoint_of(current)), now)
                    .map_err(PersistFailure::Refused)?;
            }
            let latest_seen = [
                Some(now),
                issued_at,
                current.as_ref().map(|r| r.latest_seen),
            ]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(now);
            Ok(Some(KeysRecord {
                registry_url: url.clone(),
                manifest: body,
                version: checkpoint.version,
                payload_digest: checkpoint.payload_digest,
                fetched_at: now,
                expires_at: expires,
                latest_seen,
            }))
        })
    })
    .await
    .context(TaskSnafu)?;
    match written {
        Ok(_) => Ok(()),
        Err(PersistFailure::Cache(source)) => Err(Error::KeysState {
            registry: registry.to_owned(),
            source: Box::new(source),
        }),
        Err(PersistFailure::Refused(source)) => Err(Error::KeysManifest {
            registry: registry.to_owned(),
            source: Box::new(source),
        }),
    }
}
