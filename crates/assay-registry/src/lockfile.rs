//! The `assay.packs.lock` lockfile (registry-lock): its model, strict parsing,
//! deterministic rendering and atomic saving, and generate / verify / check / update on top
//! of the resolver.

pub use registry_lock::{
    CheckOutcome, Error, GENERATED_BY, LOCKFILE_NAME, LOCKFILE_VERSION, LockFault, LockKey,
    LockMismatch, LockOrigin, LockSignature, LockSource, LockedPack, Lockfile, MAX_LOCKFILE_SIZE,
    RegistryOrigin, Result, VerifyLockResult, check_lockfile, generate_lockfile, locked_pack,
    reference_of, update_lockfile, verify_lockfile,
};
