//! The canonical form of a pack (registry-canon): the strict YAML profile, the RFC 8785
//! (JCS) writer and the `sha256:` digest over the canonical bytes.

pub use registry_canon::{
    CanonicalPack, CanonicalizeError, DuplicateName, FloatPolicy, IdentityField, IdentityMismatch,
    KeyPath, Location, MAX_DEPTH, MAX_KEYS_PER_MAPPING, MAX_SAFE_INTEGER, MAX_STRING_LENGTH,
    MAX_TOTAL_SIZE, MIN_SAFE_INTEGER, Map, Number, PackIdentity, PathSegment, Position, Result,
    Rule, StrictOptions, Value, compute_canonical_digest, compute_canonical_digest_result,
    digest_of_canonical_bytes, jcs_key_order, parse_yaml_strict, to_canonical_jcs_bytes,
    write_canonical_jcs,
};
