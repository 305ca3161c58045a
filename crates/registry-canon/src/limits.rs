//! The size limits of the strict YAML profile (PROTOCOL §3).

/// Deepest allowed nesting of sequences and mappings; a top-level mapping is depth 1.
pub const MAX_DEPTH: usize = 50;

/// Most keys allowed in one mapping.
pub const MAX_KEYS_PER_MAPPING: usize = 10_000;

/// Longest allowed string (keys included), in UTF-8 bytes: 1 MiB.
pub const MAX_STRING_LENGTH: usize = 1024 * 1024;

/// Largest accepted input, in bytes (a leading BOM included): 10 MiB.
pub const MAX_TOTAL_SIZE: usize = 10 * 1024 * 1024;

/// Largest integer magnitude accepted in a pack: 2^53, as the reference implementation
/// accepts it (one more than JavaScript's `Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: i64 = 1 << 53;

/// Most negative integer accepted in a pack: −2^53.
pub const MIN_SAFE_INTEGER: i64 = -(1 << 53);
