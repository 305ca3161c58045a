//! The `assay.packs.lock` lockfile (PROTOCOL §10): its model, strict parsing,
//! deterministic rendering, atomic saving, and the comparison of locked packs with the
//! packs resolved now.
//!
//! A [`Lockfile`] holds one [`LockedPack`] per [`LockKey`] (name, version, namespace):
//! its digest, its [`LockOrigin`] (the [`LockSource`] and what goes with it: registry URL,
//! namespace, fetch time and ETag; or the BYOS object URL) and the [`LockSignature`] it was
//! verified with. Everything in it is a parsed registry-types value, so a lockfile that
//! loads holds no invalid name, version, namespace or digest.
//!
//! - **Reading** runs registry-canon's strict YAML profile (no anchors, aliases, tags,
//!   duplicate keys or floats) and then maps the value onto the model; unknown fields,
//!   unknown versions, missing fields and invalid values are errors naming the file, the
//!   line and the key path. Versions 1 and 2 are read.
//! - **Writing** is a fixed-shape emitter: a do-not-edit header, packs sorted by name,
//!   SemVer version and namespace, fields in the protocol's order, every string
//!   double-quoted and escaped. The same lockfile always gives the same bytes, and
//!   [`Lockfile::regenerate`] keeps the old header when the packs did not change, so an
//!   unchanged set rewrites an identical file. [`Lockfile::save`] replaces the file
//!   atomically.
//! - **Comparing** ([`Lockfile::compare`]) pairs resolved packs with locked ones by key and
//!   reports each [`LockMismatch`] (a changed digest, source or signing key; a pack
//!   requested but not locked, or locked but not requested) in a [`VerifyLockResult`].
//!
//! This crate sits after registry-resolve in the layer line but must never depend on an
//! HTTP crate; it does not read the clock either: the generation time is a parameter.
//!
//! ```
//! use camino::Utf8Path;
//! use registry_lock::{
//!     LockMismatch, LockOrigin, LockSignature, LockedPack, Lockfile, RegistryOrigin,
//! };
//! use registry_types::{BaseUrl, Digest, PackName, Timestamp, Version};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let digest = Digest::parse(
//!     "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070",
//! )?;
//! let pack = LockedPack {
//!     name: PackName::parse("eu-ai-act-pro")?,
//!     version: Version::parse("1.2.0")?,
//!     digest,
//!     origin: LockOrigin::Registry(RegistryOrigin {
//!         registry_url: Some(BaseUrl::parse("https://registry.getassay.dev/v1")?),
//!         ..RegistryOrigin::default()
//!     }),
//!     signature: Some(LockSignature { algorithm: "Ed25519".into(), key_id: digest }),
//! };
//! let lockfile = Lockfile::new(Timestamp::parse("2026-01-29T10:00:00Z")?, [pack.clone()]);
//!
//! // What is written reads back the same.
//! let text = lockfile.to_yaml();
//! let path = Utf8Path::new("assay.packs.lock");
//! assert_eq!(Lockfile::parse(&text, path)?, lockfile);
//!
//! // A changed digest is a mismatch of that pack, with both digests.
//! let mut changed = pack;
//! changed.digest = Digest::parse(&format!("sha256:{}", "0".repeat(64)))?;
//! let result = lockfile.compare(&[changed]);
//! assert!(!result.is_ok());
//! assert!(matches!(result.mismatches(), [LockMismatch::DigestDiffers { .. }]));
//!
//! // Errors name the line and the key path.
//! let error = Lockfile::parse(&text.replace("source:", "origin:"), path).unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "assay.packs.lock:10:5: unknown field \"origin\" (in packs[0].origin)"
//! );
//! # Ok(())
//! # }
//! ```

mod error;
mod file;
mod lockfile;
mod mismatch;
mod operations;
mod pack;
mod parse;
mod position;
mod render;

pub use crate::error::{Error, LockFault, Result};
pub use crate::lockfile::{
    GENERATED_BY, LOCKFILE_NAME, LOCKFILE_VERSION, Lockfile, MAX_LOCKFILE_SIZE,
};
pub use crate::mismatch::{LockMismatch, VerifyLockResult};
pub use crate::operations::{
    CheckOutcome, check_lockfile, generate_lockfile, locked_pack, reference_of, update_lockfile,
    verify_lockfile,
};
pub use crate::pack::{LockKey, LockOrigin, LockSignature, LockSource, LockedPack, RegistryOrigin};
