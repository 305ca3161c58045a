//! Plain data types of the assay pack registry (placeholder until filled in).
