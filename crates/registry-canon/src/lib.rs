//! Strict YAML → RFC 8785 JCS → `sha256:` digest: the canonical form of an assay pack.
//!
//! A pack's identity is the SHA-256 of its canonical bytes. This crate turns pack YAML into
//! those bytes under a strict profile (PROTOCOL §3): one document, no anchors, aliases, tags,
//! markers, directives or merge keys, unique string keys, no floats, integers within ±2^53,
//! and limits on depth, mapping size, string length and input size. Every rejection names
//! the rule, the line and column, and the key path (`rules[3].check.type`). A rejected pack
//! has no digest: nothing here ever falls back to hashing raw bytes.
//!
//! The YAML front end pulls yaml-rust2's events one at a time with an explicit stack, so
//! hostile nesting costs heap rather than call stack. The JCS writer is general: it also
//! canonicalizes arbitrary JSON ([`Value::from_json_str`]), floats included.
//!
//! This crate never does I/O, never touches the network, and never reads the clock; its
//! only dependencies are the YAML event parser, serde for JSON, a float formatter and
//! `ring` for SHA-256.
//!
//! ```
//! use registry_canon::{compute_canonical_digest_result, CanonicalizeError, Rule};
//!
//! # fn main() -> Result<(), CanonicalizeError> {
//! let pack = "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance\n";
//! let canonical = compute_canonical_digest_result(pack)?;
//! assert_eq!(
//!     canonical.bytes(),
//!     br#"{"kind":"compliance","name":"eu-ai-act-baseline","version":"1.0.0"}"#
//! );
//! assert_eq!(
//!     canonical.digest().to_string(),
//!     "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070"
//! );
//!
//! let error = compute_canonical_digest_result("rules:\n  - id: r1\n    weight: 1.5\n")
//!     .unwrap_err();
//! assert_eq!(error.rule(), Rule::Float);
//! assert_eq!(
//!     error.to_string(),
//!     "floats are not allowed, found `1.5` at line 3, column 13 (in rules[0].weight) \
//!      (quote it to make it a string)"
//! );
//! # Ok(())
//! # }
//! ```

mod block_scalar;
mod digest;
mod emitter;
mod error;
mod identity;
mod jcs;
mod json;
mod limits;
mod scalar;
mod source;
mod strict_yaml;
mod value;

pub use crate::digest::{
    CanonicalPack, compute_canonical_digest, compute_canonical_digest_result,
    digest_of_canonical_bytes,
};
pub use crate::error::{CanonicalizeError, KeyPath, Location, PathSegment, Position, Result, Rule};
pub use crate::identity::{IdentityField, IdentityMismatch, PackIdentity};
pub use crate::jcs::{to_canonical_jcs_bytes, write_canonical_jcs};
pub use crate::limits::{
    MAX_DEPTH, MAX_KEYS_PER_MAPPING, MAX_SAFE_INTEGER, MAX_STRING_LENGTH, MAX_TOTAL_SIZE,
    MIN_SAFE_INTEGER,
};
pub use crate::strict_yaml::{FloatPolicy, StrictOptions, parse_yaml_strict};
pub use crate::value::{DuplicateName, Map, Number, Value, jcs_key_order};
