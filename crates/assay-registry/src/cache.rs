//! The on-disk pack cache (registry-cache): every read re-verifies the bytes it returns,
//! writes are atomic, entries are locked, and stale entries are revalidated by ETag.

pub use registry_cache::ttl;
pub use registry_cache::{
    Audit, AuditOutcome, AuditReport, AuditedEntry, CACHE_DIR_VARIABLE, CacheEntry, CacheMeta,
    CacheRead, CacheSize, DEFAULT_ROOT_BELOW_HOME, EntryFile, EntryKey, EntryLocation, Error,
    FileKind, KEYS_RECORD_FILE, KeysRecord, ListedEntry, MAX_VERSION_LEN, METADATA_FORMAT,
    MetadataFault, NewEntry, PackCache, ReadOptions, Refresh, RegistryId, Result,
    SignatureRequirement,
};
