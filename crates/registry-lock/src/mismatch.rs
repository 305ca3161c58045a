//! Comparing a lockfile with what resolves now: one [`LockMismatch`] per difference.

use std::collections::BTreeMap;
use std::fmt;

use registry_types::{BaseUrl, ByosRef, Digest};

use crate::lockfile::Lockfile;
use crate::pack::{LockKey, LockOrigin, LockSource, LockedPack};

/// One difference between the lockfile and the packs resolved now.
///
/// A resolved pack is paired with the locked pack of the same [`LockKey`] (name, version,
/// namespace); a changed digest, source or signing key is a difference of that pair, never
/// a missing pack. [`LockMismatch::is_error`] says which differences fail verification:
/// all but a pack that is locked and no longer requested, and a registry or object URL
/// that changed while the digest did not.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LockMismatch {
    /// The pack's canonical digest is not the locked one.
    DigestDiffers {
        /// The pack.
        key: LockKey,
        /// The digest in the lockfile.
        locked: Digest,
        /// The digest of the pack resolved now.
        resolved: Digest,
    },
    /// The pack now resolves from another kind of source.
    SourceDiffers {
        /// The pack.
        key: LockKey,
        /// The source in the lockfile.
        locked: LockSource,
        /// The source it resolves from now.
        resolved: LockSource,
    },
    /// The pack is signed by another key, or is signed where it was not, or is no longer
    /// signed where it was (`None`: unsigned).
    KeyIdDiffers {
        /// The pack.
        key: LockKey,
        /// The key id in the lockfile.
        locked: Option<Digest>,
        /// The key id of the signature verified now.
        resolved: Option<Digest>,
    },
    /// The registry pack now comes from another registry, with the same digest. Only
    /// checked when the lockfile records a registry URL (version 1 does not).
    RegistryUrlDiffers {
        /// The pack.
        key: LockKey,
        /// The registry in the lockfile.
        locked: BaseUrl,
        /// The registry it comes from now, if known.
        resolved: Option<BaseUrl>,
    },
    /// The BYOS pack now comes from another object, with the same digest.
    ByosUrlDiffers {
        /// The pack.
        key: LockKey,
        /// The object URL in the lockfile.
        locked: ByosRef,
        /// The object URL it comes from now.
        resolved: ByosRef,
    },
    /// The pack is requested but not in the lockfile.
    NotLocked {
        /// The pack.
        key: LockKey,
    },
    /// The pack is in the lockfile but no longer requested.
    NotRequested {
        /// The pack.
        key: LockKey,
    },
}

impl LockMismatch {
    /// The pack the difference is about.
    pub fn key(&self) -> &LockKey {
        match self {
            LockMismatch::DigestDiffers { key, .. }
            | LockMismatch::SourceDiffers { key, .. }
            | LockMismatch::KeyIdDiffers { key, .. }
            | LockMismatch::RegistryUrlDiffers { key, .. }
            | LockMismatch::ByosUrlDiffers { key, .. }
            | LockMismatch::NotLocked { key }
            | LockMismatch::NotRequested { key } => key,
        }
    }

    /// Whether the difference fails verification. The others are warnings: the content
    /// that would be used is still the locked content, but an update would change the
    /// lockfile (which `check` reports).
    pub fn is_error(&self) -> bool {
        !matches!(
            self,
            LockMismatch::NotRequested { .. }
                | LockMismatch::RegistryUrlDiffers { .. }
                | LockMismatch::ByosUrlDiffers { .. }
        )
    }
}

impl fmt::Display for LockMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockMismatch::DigestDiffers {
                key,
                locked,
                resolved,
            } => write!(
                f,
                "{key}: digest differs: the lockfile has {locked}, the pack resolved now is \
                 {resolved}; update the lockfile if this change is intended"
            ),
            LockMismatch::SourceDiffers {
                key,
                locked,
                resolved,
            } => write!(
                f,
                "{key}: locked from source {locked}, resolved from {resolved}"
            ),
            LockMismatch::KeyIdDiffers {
                key,
                locked,
                resolved,
            } => write!(
                f,
                "{key}: locked {}, resolved {}",
                Signer(locked.as_ref()),
                Signer(resolved.as_ref())
            ),
            LockMismatch::RegistryUrlDiffers {
                key,
                locked,
                resolved,
            } => match resolved {
                Some(resolved) => write!(
                    f,
                    "{key}: locked from registry {locked}, resolved from {resolved}"
                ),
                None => write!(
                    f,
                    "{key}: locked from registry {locked}, resolved from an unknown registry"
                ),
            },
            LockMismatch::ByosUrlDiffers {
                key,
                locked,
                resolved,
            } => write!(f, "{key}: locked from {locked}, resolved from {resolved}"),
            LockMismatch::NotLocked { key } => {
                write!(f, "{key} is requested but not locked; lock it first")
            }
            LockMismatch::NotRequested { key } => {
                write!(f, "{key} is locked but no longer requested")
            }
        }
    }
}

/// Writes a key id, or "unsigned".
struct Signer<'a>(Option<&'a Digest>);

impl fmt::Display for Signer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(key_id) => write!(f, "signed by key {key_id}"),
            None => f.write_str("unsigned"),
        }
    }
}

/// The outcome of comparing a lockfile with the packs resolved now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyLockResult {
    matched: Vec<LockKey>,
    mismatches: Vec<LockMismatch>,
}

impl VerifyLockResult {
    /// The packs that match their lock exactly, in key order.
    pub fn matched(&self) -> &[LockKey] {
        &self.matched
    }

    /// Every difference, in key order (a pack may have several).
    pub fn mismatches(&self) -> &[LockMismatch] {
        &self.mismatches
    }

    /// The differences that fail verification.
    pub fn errors(&self) -> impl Iterator<Item = &LockMismatch> {
        self.mismatches
            .iter()
            .filter(|mismatch| mismatch.is_error())
    }

    /// The differences that are only warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &LockMismatch> {
        self.mismatches
            .iter()
            .filter(|mismatch| !mismatch.is_error())
    }

    /// Whether verification passes: no difference is an error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors().next().is_none()
    }

    /// Whether there is no difference at all, warnings included.
    pub fn is_exact(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Pairs `resolved` with the packs of `lockfile` by key and lists the differences. Of two
/// resolved packs with the same key, the later one counts.
pub(crate) fn compare(lockfile: &Lockfile, resolved: &[LockedPack]) -> VerifyLockResult {
    let resolved: BTreeMap<LockKey, &LockedPack> =
        resolved.iter().map(|pack| (pack.key(), pack)).collect();
    let mut result = VerifyLockResult::default();
    for (key, pack) in &resolved {
        let before = result.mismatches.len();
        match lockfile.get(key) {
            Some(locked) => differences(key, locked, pack, &mut result.mismatches),
            None => result
                .mismatches
                .push(LockMismatch::NotLocked { key: key.clone() }),
        }
        if result.mismatches.len() == before {
            result.matched.push(key.clone());
        }
    }
    for locked in lockfile.packs() {
        let key = locked.key();
        if !resolved.contains_key(&key) {
            result.mismatches.push(LockMismatch::NotRequested { key });
        }
    }
    result.mismatches.sort_by(|a, b| a.key().cmp(b.key()));
    result
}

/// Pushes the differences between a locked pack and the resolved pack of the same key.
fn differences(
    key: &LockKey,
    locked: &LockedPack,
    resolved: &LockedPack,
    out: &mut Vec<LockMismatch>,
) {
    if locked.digest != resolved.digest {
        out.push(LockMismatch::DigestDiffers {
            key: key.clone(),
            locked: locked.digest,
            resolved: resolved.digest,
        });
    }
    if locked.source() != resolved.source() {
        out.push(LockMismatch::SourceDiffers {
            key: key.clone(),
            locked: locked.source(),
            resolved: resolved.source(),
        });
    }
    if locked.key_id() != resolved.key_id() {
        out.push(LockMismatch::KeyIdDiffers {
            key: key.clone(),
            locked: locked.key_id().copied(),
            resolved: resolved.key_id().copied(),
        });
    }
    match (&locked.origin, &resolved.origin) {
        (LockOrigin::Registry(locked), LockOrigin::Registry(resolved)) => {
            if let Some(locked_url) = &locked.registry_url
                && locked.registry_url != resolved.registry_url
            {
                out.push(LockMismatch::RegistryUrlDiffers {
                    key: key.clone(),
                    locked: locked_url.clone(),
                    resolved: resolved.registry_url.clone(),
                });
            }
        }
        (LockOrigin::Byos { url: locked }, LockOrigin::Byos { url: resolved })
            if locked != resolved =>
        {
            out.push(LockMismatch::ByosUrlDiffers {
                key: key.clone(),
                locked: locked.clone(),
                resolved: resolved.clone(),
            });
        }
        _ => {}
    }
}
