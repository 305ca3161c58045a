//! An on-disk cache of assay packs that never serves a byte it has not just re-verified.
//!
//! Entries live at `{root}/{registry_id}/{namespace}/{name}/{version}/` (PROTOCOL §9):
//! `pack.yaml` (the body exactly as received), `metadata.json` ([`CacheMeta`]) and
//! `signature.json` (the DSSE envelope, when there is one). The root is configured, or
//! `ASSAY_CACHE_DIR`, or `~/.assay/cache/packs` ([`PackCache::from_env`]). Paths are
//! built only from a [`RegistryId`] and validated names and versions ([`EntryKey`]), so
//! no input can point outside the root.
//!
//! The key design choice is that the cache directory is untrusted input: anything could
//! have written to it. So [`PackCache::read`] reads each file once, without following
//! symlinks, and runs the whole verification on those bytes before it returns them. An
//! entry that fails is evicted and reported as [`CacheRead::Evicted`] with the precise
//! reason ([`Error::is_corrupt_entry`]), so the caller re-fetches (or reports, offline).
//!
//! # What every read checks
//!
//! (This list is the one place the checks are written out; `integrity.rs` runs them.)
//!
//! 1. The entry directory and its files are real directories and regular files within
//!    their size limits: a symlink is never followed. Below the root, every directory is
//!    opened relative to its parent (`openat` with `O_NOFOLLOW | O_DIRECTORY`) and every
//!    file is opened, created, renamed or removed relative to its open directory, so a
//!    directory swapped for a symlink meanwhile cannot lead outside the root; the file
//!    opened must be the file checked.
//! 2. `metadata.json` parses and describes this very entry (registry, namespace, name,
//!    version), so moved or swapped entries fail.
//! 3. Metadata is consistent ([`MetadataFault`]). Whether the pack was signed is
//!    recorded three ways (`policy`, `signed`, `key_id`) and any one of them requires a
//!    valid signature, so downgrading `policy` to `open` while deleting `signature.json`
//!    fails with [`Error::SignatureMissing`]; [`SignatureRequirement::Always`] covers
//!    callers that know more (a lockfile).
//! 4. The envelope's payload has the recorded digest ([`Error::SignedDigestMismatch`]).
//! 5. registry-verify's `verify_pack`: the canonical digest of `pack.yaml` equals the
//!    recorded one ([`Error::PackDigestMismatch`]) and the envelope, whenever there is
//!    one, is signed by enough keys of the caller's trust store ([`Error::VerifyPack`]).
//! 6. The pack's own top-level `name` and `version` are the entry's
//!    ([`Error::PackIdentityMismatch`]).
//!
//! # Atomic writes
//!
//! [`PackCache::write`] fills `{name}/.tmp-{random}-{version}/`, syncs the files and the
//! directory, renames an existing entry aside to `.old-{random}-{version}`, renames the
//! new one into place, syncs the parent and removes the old one. A crash leaves the old
//! entry or the new one — never a mix — plus leftovers whose names can never be versions
//! (a crash between the two renames leaves the complete new entry under its temporary
//! name, and the next read, sweep or `verify_all` renames it into place); the next write
//! of that version, [`PackCache::sweep`] and [`PackCache::verify_all`] remove them.
//! [`PackCache::refresh`] replaces `metadata.json` alone the same way (write, sync,
//! rename).
//!
//! # Locking
//!
//! Each entry has a lock file `{name}/.lock-{version}` beside it (never a
//! `{version}.lock`: `1.0.0-x.lock` is a valid version). Readers hold a shared lock for
//! the whole read, writers (write, refresh, evict) the exclusive lock for the whole
//! operation; a reader that finds a bad entry re-checks under the exclusive lock before
//! evicting, so a concurrently replaced good entry is never evicted. Sweeps remove a
//! version's leftovers only when `try_lock` gets its exclusive lock, so a live writer is
//! never disturbed. The locks are `std::fs::File` locks (`flock(2)`): they work between
//! threads (each opens its own file) and processes, and the kernel releases those of a
//! killed process. Clearing renames a whole registry directory aside in one step without
//! entry locks; a writer racing with it may fail with an I/O error, or finish its write
//! in the directory moved aside (which goes with it), and in rare cases the clear fails
//! and a later sweep removes the rest.
//!
//! # Time to live
//!
//! `expires_at` comes from `Cache-Control: max-age`, else 24 hours ([`ttl`]). A stale
//! entry is still returned, as [`CacheRead::Stale`], with its ETag for `If-None-Match`;
//! after a 304, [`PackCache::refresh`] updates `expires_at` without rewriting the pack.
//! [`PackCache::list`], [`PackCache::size`], [`PackCache::evict`],
//! [`PackCache::clear_registry`], [`PackCache::clear_all`] and [`PackCache::verify_all`]
//! manage the whole cache.
//!
//! This crate does synchronous `std::fs` I/O (async callers use `spawn_blocking`) and
//! must never depend on a network crate or an async runtime. It never reads the clock:
//! `now` is a parameter. Among the workspace crates it depends only on registry-types,
//! registry-canon and registry-verify.
//!
//! ```
//! use registry_cache::{CacheRead, EntryKey, NewEntry, PackCache, ReadOptions, ttl};
//! use registry_types::{PackName, Policy, Timestamp, Version};
//! use registry_verify::{TrustStore, compute_digest};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = std::env::temp_dir().join(format!("registry-cache-doc-{}", std::process::id()));
//! # let root = camino::Utf8PathBuf::from_path_buf(dir).map_err(|_| "non-UTF-8 temp dir")?;
//! let cache = PackCache::new(root.clone());
//! let key = EntryKey::new(
//!     "https://registry.getassay.dev/v1",
//!     None,
//!     PackName::parse("demo")?,
//!     Version::parse("1.0.0")?,
//! )?;
//! let pack = b"name: demo\nversion: \"1.0.0\"\n";
//! let fetched_at = Timestamp::parse("2026-01-29T10:00:00Z")?;
//! cache.write(&key, &NewEntry {
//!     pack,
//!     envelope: None,
//!     digest: compute_digest(pack)?,
//!     policy: Policy::Open,
//!     key_id: None,
//!     etag: None,
//!     fetched_at,
//!     expires_at: ttl::expires_at(fetched_at, Some("max-age=3600")),
//! })?;
//!
//! let trust = TrustStore::default();
//! match cache.read(&key, &ReadOptions::new(&trust, fetched_at))? {
//!     CacheRead::Fresh(entry) => assert_eq!(entry.pack(), pack),
//!     other => panic!("expected a fresh entry, got {other:?}"),
//! }
//! let later = Timestamp::parse("2026-01-29T12:00:00Z")?;
//! assert!(matches!(cache.read(&key, &ReadOptions::new(&trust, later))?, CacheRead::Stale(_)));
//! # std::fs::remove_dir_all(&root)?;
//! # Ok(())
//! # }
//! ```

mod atomic;
mod cache;
mod dir_fd;
mod entry;
mod error;
mod integrity;
mod inventory;
mod keys_record;
mod location;
mod lock;
mod metadata;
mod registry_id;
pub mod ttl;
mod untrusted;

pub use crate::cache::{CACHE_DIR_VARIABLE, DEFAULT_ROOT_BELOW_HOME, PackCache};
pub use crate::entry::{
    CacheEntry, CacheRead, NewEntry, ReadOptions, Refresh, SignatureRequirement,
};
pub use crate::error::{Error, Result};
pub use crate::inventory::{
    Audit, AuditOutcome, AuditReport, AuditedEntry, CacheSize, ListedEntry,
};
pub use crate::keys_record::{KEYS_RECORD_FILE, KeysRecord};
pub use crate::location::{EntryFile, EntryKey, EntryLocation, MAX_VERSION_LEN};
pub use crate::metadata::{CacheMeta, METADATA_FORMAT, MetadataFault};
pub use crate::registry_id::RegistryId;
pub use crate::untrusted::FileKind;
