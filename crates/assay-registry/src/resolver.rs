//! Resolution (registry-resolve): references in the protocol's order — path, built-in,
//! local directory, registry through the cache, object storage — through the fetch, verify
//! and cache pipeline, with the keys-manifest lifecycle and revocation handling.

pub use registry_resolve::{
    ASSAY_ALLOW_REVOKED, ASSAY_REGISTRY_DEADLINE, ASSAY_REGISTRY_TRUST_ROOTS, BuiltinPacks,
    ByosFault, ByosFaultKind, ByosFuture, ByosObject, ByosPins, CLOCK_TOLERANCE, CacheMode, CiGate,
    Clock, DEFAULT_CONCURRENCY, DEFAULT_DEADLINE, Delivery, DeprecationCheck, Error, ErrorClass,
    FixedClock, FreezeCheck, LocalDir, NetworkMode, NoObjectStores, ObjectSource, PackResolver,
    RegistryOrigin, ResolveSource, ResolveWarning, ResolvedPack, ResolverConfig, Result,
    RevokedAdvice, RevokedPolicy, Signer, SystemClock, TrustConfig, Verification,
};
