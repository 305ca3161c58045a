//! Strict YAML canonicalization (placeholder).
