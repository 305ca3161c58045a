//! The lockfile operations on top of the resolver: generate, verify, check, update, and
//! the enforcement of an existing lockfile when packs are resolved.

use std::sync::Arc;

use registry_cache::SignatureRequirement;
use registry_resolve::{PackResolver, ResolveSource, ResolvedPack, Verification};
use registry_types::{BaseUrl, Digest, PackRef, RegistryRef};
use snafu::ResultExt;

use crate::error::{LockedResolveSnafu, Result};
use crate::lockfile::Lockfile;
use crate::mismatch::VerifyLockResult;
use crate::pack::{LockOrigin, LockSignature, LockedPack, RegistryOrigin};

/// The lockfile entry of a resolved pack: its digest, where it came from and (for a signed
/// pack) the first key that signed it.
pub fn locked_pack(pack: &ResolvedPack) -> LockedPack {
    let origin = match &pack.source {
        ResolveSource::Registry(origin) => LockOrigin::Registry(RegistryOrigin {
            registry_url: BaseUrl::parse(&origin.registry_url).ok(),
            namespace: origin.namespace.clone(),
            fetched_at: Some(origin.fetched_at),
            etag: origin.etag.clone(),
        }),
        ResolveSource::BuiltIn => LockOrigin::Bundled,
        ResolveSource::Byos(url) => LockOrigin::Byos { url: url.clone() },
        // Paths and the local directory are the user's own files.
        _ => LockOrigin::Local,
    };
    let signature = match &pack.verification {
        Verification::Signed { signers } => signers.first().and_then(|signer| {
            // A key id is `sha256:` + 64 hex, the digest form; one that is not cannot be locked.
            Digest::parse(signer.key_id.as_str())
                .ok()
                .map(|key_id| LockSignature {
                    algorithm: signer.algorithm.to_string(),
                    key_id,
                })
        }),
        _ => None,
    };
    LockedPack {
        name: pack.name.clone(),
        version: pack.version.clone(),
        digest: pack.digest,
        origin,
        signature,
    }
}

/// The reference that resolves a locked pack again: a registry pack by name, version and
/// namespace; a BYOS pack by its URL; a bundled or local pack by its name.
pub fn reference_of(pack: &LockedPack) -> PackRef {
    match &pack.origin {
        LockOrigin::Registry(origin) => PackRef::Registry(RegistryRef {
            namespace: origin.namespace.clone(),
            name: pack.name.clone(),
            version: pack.version.clone(),
            pin: None,
        }),
        LockOrigin::Byos { url } => PackRef::Byos(url.clone()),
        LockOrigin::Bundled | LockOrigin::Local => PackRef::Name(pack.name.clone()),
    }
}

/// Resolves `refs` (concurrently, within the resolver's limit) and locks what they
/// resolved to, generated now.
///
/// # Errors
/// [`Error::LockedResolve`](crate::Error::LockedResolve) for the first reference (in the
/// given order) that did not resolve.
pub async fn generate_lockfile(resolver: &Arc<PackResolver>, refs: &[PackRef]) -> Result<Lockfile> {
    let packs = resolve_each(resolver, refs).await?;
    let now = resolver.config().clock.now();
    Ok(Lockfile::new(now, packs.iter().map(locked_pack)))
}

/// Resolves every locked pack again — with its signature required from the cache when the
/// lockfile says it is signed, so rewritten cache metadata cannot downgrade it — and
/// compares what resolves with what is locked. A changed digest is a mismatch, not an error
/// of resolution: locked packs are resolved without their digest as a pin.
///
/// # Errors
/// [`Error::LockedResolve`](crate::Error::LockedResolve) for a locked pack that does not
/// resolve at all (not found, revoked — with the registry's reason and safe version —, a
/// bad signature, the network).
pub async fn verify_lockfile(
    resolver: &Arc<PackResolver>,
    lockfile: &Lockfile,
) -> Result<VerifyLockResult> {
    let resolved = resolve_locked(resolver, lockfile).await?;
    Ok(lockfile.compare(&resolved))
}

/// What `lock --check` decides: the lockfile verifies, and regenerating it from `refs`
/// (or, without refs, from its own packs) would write the same bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOutcome {
    /// The comparison of the lockfile with what resolves now.
    pub result: VerifyLockResult,
    /// Whether the file would change.
    pub would_change: bool,
}

impl CheckOutcome {
    /// Whether CI may go on: no mismatch at all, and nothing to rewrite.
    pub fn is_ok(&self) -> bool {
        self.result.is_exact() && !self.would_change
    }
}

/// Verifies `lockfile` against what `refs` resolve to (all its packs when `refs` is empty),
/// and says whether it would change.
///
/// # Errors
/// As [`verify_lockfile`], and as [`generate_lockfile`] for `refs`.
pub async fn check_lockfile(
    resolver: &Arc<PackResolver>,
    lockfile: &Lockfile,
    refs: &[PackRef],
) -> Result<CheckOutcome> {
    let resolved = if refs.is_empty() {
        resolve_locked(resolver, lockfile).await?
    } else {
        let packs = resolve_with_lock(resolver, lockfile, refs).await?;
        packs.iter().map(locked_pack).collect()
    };
    let result = lockfile.compare(&resolved);
    let now = resolver.config().clock.now();
    let next = Lockfile::regenerate(lockfile, now, resolved);
    let would_change = next.to_yaml() != lockfile.to_yaml();
    Ok(CheckOutcome {
        result,
        would_change,
    })
}

/// Resolves every locked pack and every reference in `refs` again, without pins, and
/// returns the lockfile to write (the same bytes when nothing changed).
///
/// # Errors
/// As [`verify_lockfile`].
pub async fn update_lockfile(
    resolver: &Arc<PackResolver>,
    lockfile: &Lockfile,
    refs: &[PackRef],
) -> Result<Lockfile> {
    let mut all: Vec<PackRef> = lockfile.packs().map(reference_of).collect();
    for reference in refs {
        if !all.contains(reference) {
            all.push(reference.clone());
        }
    }
    let packs = resolve_each(resolver, &all).await?;
    let now = resolver.config().clock.now();
    Ok(Lockfile::regenerate(
        lockfile,
        now,
        packs.iter().map(locked_pack),
    ))
}

/// Resolves `refs` with the lockfile enforced: a locked pack must resolve to its locked
/// digest (and, when locked signed, its cache entry must carry a signature); the caller
/// compares to find packs that are not locked. Used by `check` with references.
async fn resolve_with_lock(
    resolver: &Arc<PackResolver>,
    lockfile: &Lockfile,
    refs: &[PackRef],
) -> Result<Vec<ResolvedPack>> {
    let mut packs = Vec::with_capacity(refs.len());
    for reference in refs {
        let locked = lockfile
            .packs()
            .find(|pack| reference_of(pack) == strip_pin(reference));
        let requirement = signature_requirement(locked);
        let pack = resolver
            .resolve_with(reference, None, requirement)
            .await
            .context(LockedResolveSnafu {
                pack: reference.clone(),
            })?;
        packs.push(pack);
    }
    Ok(packs)
}

/// Resolves every locked pack again (no pins; signatures required where locked signed).
async fn resolve_locked(
    resolver: &Arc<PackResolver>,
    lockfile: &Lockfile,
) -> Result<Vec<LockedPack>> {
    let mut resolved = Vec::with_capacity(lockfile.len());
    for pack in lockfile.packs() {
        let reference = reference_of(pack);
        let requirement = signature_requirement(Some(pack));
        let found = resolver
            .resolve_with(&reference, None, requirement)
            .await
            .context(LockedResolveSnafu {
                pack: reference.clone(),
            })?;
        resolved.push(locked_pack(&found));
    }
    Ok(resolved)
}

/// Resolves `refs` concurrently; the first failure in the given order is the error.
async fn resolve_each(resolver: &Arc<PackResolver>, refs: &[PackRef]) -> Result<Vec<ResolvedPack>> {
    let results = resolver.resolve_all(refs.to_vec()).await;
    refs.iter()
        .zip(results)
        .map(|(reference, result)| {
            result.context(LockedResolveSnafu {
                pack: reference.clone(),
            })
        })
        .collect()
}

/// A locked signed pack is read from the cache only with its signature.
fn signature_requirement(locked: Option<&LockedPack>) -> SignatureRequirement {
    match locked {
        Some(pack) if pack.signature.is_some() => SignatureRequirement::Always,
        _ => SignatureRequirement::AsRecorded,
    }
}

/// The reference without its digest pin, to find its lockfile entry.
fn strip_pin(reference: &PackRef) -> PackRef {
    match reference {
        PackRef::Registry(registry) => PackRef::Registry(RegistryRef {
            pin: None,
            ..registry.clone()
        }),
        other => other.clone(),
    }
}
