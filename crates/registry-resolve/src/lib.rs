//! Resolves assay pack references in the protocol's fixed order — an existing path, a
//! built-in pack, the local configuration directory, the registry (through the cache),
//! the caller's object storage — and verifies everything it hands back.
//!
//! The registry step is the pipeline: the cache first (every entry verified again on
//! read); a fresh entry is used as it is, a stale one is revalidated with `If-None-Match`
//! (304 refreshes it, 200 replaces it), a miss fetches the pack and its signature
//! concurrently, verifies digest, identity, policy and signature against the registry's
//! trust store, writes the cache and only then returns. The trust store is built per
//! registry from the configured roots and keys and the registry's keys manifest, which is
//! fetched when none usable is persisted, verified against the roots, protected against
//! rollback, and persisted atomically next to the registry's cache entries with the latest
//! time seen (a clock set back past it is refused: freeze protection).
//!
//! This crate never writes a lockfile and knows nothing of its format; the synchronous
//! cache is called through `spawn_blocking`.
//!
//! ```no_run
//! use registry_resolve::{PackResolver, ResolverConfig};
//!
//! # async fn run() -> Result<(), registry_resolve::Error> {
//! let resolver = PackResolver::new(ResolverConfig::from_env()?)?;
//! let pack = resolver.resolve("eu-ai-act-baseline@1.0.0").await?;
//! println!("{} {} from {}: {}", pack.name, pack.digest, pack.source, pack.verification);
//! # Ok(())
//! # }
//! ```

mod builtin;
mod byos;
mod byos_step;
mod clock;
mod config;
mod error;
mod freshness;
mod local_dir;
mod registry;
mod resolved;
mod resolver;
mod suggest;
mod trust_state;

pub use crate::builtin::BuiltinPacks;
pub use crate::byos::{
    ByosFault, ByosFaultKind, ByosFuture, ByosObject, NoObjectStores, ObjectSource,
};
pub use crate::clock::{Clock, FixedClock, SystemClock};
pub use crate::config::{
    ASSAY_ALLOW_REVOKED, ASSAY_ALLOW_UNSIGNED_PACKS, ASSAY_REGISTRY_DEADLINE,
    ASSAY_REGISTRY_TRUST_ROOTS, ByosPins, CLOCK_TOLERANCE, CacheMode, CiGate, DEFAULT_CONCURRENCY,
    DEFAULT_DEADLINE, DeprecationCheck, FreezeCheck, NetworkMode, ResolverConfig, RevokedPolicy,
    TrustConfig,
};
pub use crate::error::{Error, ErrorClass, Result, RevokedAdvice};
pub use crate::local_dir::LocalDir;
pub use crate::resolved::{
    Delivery, RegistryOrigin, ResolveSource, ResolveWarning, ResolvedPack, Signer, Verification,
};
pub use crate::resolver::PackResolver;
