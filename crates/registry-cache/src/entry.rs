//! What goes into the cache ([`NewEntry`]), what comes out of it ([`CacheRead`],
//! [`CacheEntry`]) and what a read checks against ([`ReadOptions`]).

use std::num::NonZeroUsize;

use registry_canon::CanonicalPack;
use registry_types::{Digest, Policy, Timestamp};
use registry_verify::{Envelope, KeyId, SignatureStatus, TrustStore, VerifyResult};

use crate::error::Error;
use crate::location::EntryLocation;
use crate::metadata::CacheMeta;

/// A verified pack to store, as the fetch pipeline has it after verification.
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    /// The pack body exactly as received (stored as `pack.yaml`).
    pub pack: &'a [u8],
    /// The pack's DSSE envelope, when it came with one (stored as `signature.json`).
    pub envelope: Option<&'a Envelope>,
    /// The canonical digest the pack was verified against (`X-Pack-Digest`).
    pub digest: Digest,
    /// The policy from `X-Pack-Policy`.
    pub policy: Policy,
    /// The signing key's id (`X-Pack-Key-Id`, or the key that verified), when known.
    pub key_id: Option<KeyId>,
    /// The response's `ETag`.
    pub etag: Option<String>,
    /// When the pack was fetched.
    pub fetched_at: Timestamp,
    /// When the entry goes stale: [`ttl::expires_at`](crate::ttl::expires_at) of the
    /// fetch time and the `Cache-Control` header.
    pub expires_at: Timestamp,
}

/// Which entries a read requires a signature of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SignatureRequirement {
    /// Those whose metadata records a commercial policy, a signature or a key id (the
    /// default).
    #[default]
    AsRecorded,
    /// Every entry: for callers that know from elsewhere (a lockfile, an earlier fetch)
    /// that the pack is signed, so that rewritten metadata cannot downgrade it.
    Always,
}

/// What a read verifies an entry against.
#[derive(Clone, Debug)]
pub struct ReadOptions<'a> {
    /// The keys trusted to sign packs.
    pub trust: &'a TrustStore,
    /// The time at which key validity and staleness are judged.
    pub now: Timestamp,
    /// How many distinct trusted keys must sign an entry that requires a signature.
    pub threshold: NonZeroUsize,
    /// Which entries require a signature.
    pub signature: SignatureRequirement,
}

impl<'a> ReadOptions<'a> {
    /// Options for reads at `now` with `trust`: threshold 1, signatures required as
    /// recorded.
    pub fn new(trust: &'a TrustStore, now: Timestamp) -> Self {
        ReadOptions {
            trust,
            now,
            threshold: NonZeroUsize::MIN,
            signature: SignatureRequirement::AsRecorded,
        }
    }
}

/// A cache entry that has just been verified: the pack bytes read once from `pack.yaml`,
/// and what verifying exactly those bytes found.
#[derive(Clone, Debug)]
pub struct CacheEntry {
    pub(crate) location: EntryLocation,
    pub(crate) pack: Vec<u8>,
    pub(crate) meta: CacheMeta,
    pub(crate) envelope: Option<Envelope>,
    pub(crate) verified: VerifyResult,
}

impl CacheEntry {
    /// Where the entry lives.
    pub fn location(&self) -> &EntryLocation {
        &self.location
    }

    /// The verified pack bytes, exactly as received from the registry.
    pub fn pack(&self) -> &[u8] {
        &self.pack
    }

    /// The verified pack bytes, consuming the entry.
    pub fn into_pack(self) -> Vec<u8> {
        self.pack
    }

    /// The entry's metadata (checked against the pack and its signature).
    pub fn meta(&self) -> &CacheMeta {
        &self.meta
    }

    /// The canonical digest of the pack.
    pub fn digest(&self) -> &Digest {
        self.verified.digest()
    }

    /// The pack's canonical bytes and digest.
    pub fn canonical(&self) -> &CanonicalPack {
        &self.verified.canonical
    }

    /// What the signature check found.
    pub fn signature(&self) -> &SignatureStatus {
        &self.verified.signature
    }

    /// The pack's envelope, when it has one.
    pub fn envelope(&self) -> Option<&Envelope> {
        self.envelope.as_ref()
    }

    /// The `ETag` to revalidate with (`If-None-Match`).
    pub fn etag(&self) -> Option<&str> {
        self.meta.etag.as_deref()
    }
}

/// The outcome of [`PackCache::read`](crate::PackCache::read).
#[derive(Debug)]
#[must_use = "an evicted entry must be re-fetched, or reported when offline"]
pub enum CacheRead {
    /// There is no entry.
    Miss,
    /// A verified entry within its time to live.
    Fresh(CacheEntry),
    /// A verified entry past `expires_at`: usable, but revalidate it with
    /// `If-None-Match: {etag}`, then [`refresh`](crate::PackCache::refresh) it on a 304.
    Stale(CacheEntry),
    /// The entry failed verification and has been removed. The reason is one of the
    /// errors for which [`Error::is_corrupt_entry`] holds. Re-fetch the pack, or report
    /// the reason when offline.
    Evicted(Error),
}

impl CacheRead {
    /// The entry, fresh or stale.
    pub fn entry(&self) -> Option<&CacheEntry> {
        match self {
            CacheRead::Fresh(entry) | CacheRead::Stale(entry) => Some(entry),
            CacheRead::Miss | CacheRead::Evicted(_) => None,
        }
    }

    /// The entry, fresh or stale, consuming the outcome.
    pub fn into_entry(self) -> Option<CacheEntry> {
        match self {
            CacheRead::Fresh(entry) | CacheRead::Stale(entry) => Some(entry),
            CacheRead::Miss | CacheRead::Evicted(_) => None,
        }
    }
}

/// The outcome of [`PackCache::refresh`](crate::PackCache::refresh).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub enum Refresh {
    /// `expires_at` was updated.
    Updated,
    /// The entry is gone or now holds another digest (or unreadable metadata); nothing
    /// was changed. Fetch the pack again.
    Gone,
}
