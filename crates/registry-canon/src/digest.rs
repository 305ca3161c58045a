//! Canonical bytes and the canonical digest of a pack.

use registry_types::Digest;

use crate::error::{InvalidUtf8Snafu, Result};
use crate::source::position_of_utf8_error;
use crate::strict_yaml::{StrictOptions, canonical_yaml_bytes, canonicalize};

/// A pack's canonical form: its RFC 8785 bytes and their SHA-256 digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalPack {
    bytes: Vec<u8>,
    digest: Digest,
}

impl CanonicalPack {
    /// Wraps canonical bytes, computing their digest.
    pub fn from_canonical_bytes(bytes: Vec<u8>) -> Self {
        let digest = digest_of_canonical_bytes(&bytes);
        Self { bytes, digest }
    }

    /// The canonical JCS bytes (what a DSSE envelope signs).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The canonical digest, `sha256:<hex>` of [`Self::bytes`].
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The canonical bytes, consuming `self`.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// The digest of bytes that are already canonical: `sha256:` + hex SHA-256.
pub fn digest_of_canonical_bytes(bytes: &[u8]) -> Digest {
    let hash = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut raw = [0u8; 32];
    raw.copy_from_slice(hash.as_ref());
    Digest::from_sha256_bytes(raw)
}

/// The canonical digest of a pack given as YAML text.
///
/// A rejected pack has no digest: this never falls back to hashing the raw bytes.
///
/// # Errors
/// Returns the first rule of the strict profile that `yaml` breaks.
pub fn compute_canonical_digest(yaml: &str) -> Result<Digest> {
    canonicalize(yaml, StrictOptions::default()).map(|canonical| canonical.digest())
}

/// The canonical bytes and digest of a pack given as YAML text.
///
/// # Errors
/// Returns the first rule of the strict profile that `yaml` breaks.
pub fn compute_canonical_digest_result(yaml: &str) -> Result<CanonicalPack> {
    canonical_yaml_bytes(yaml, StrictOptions::default()).map(CanonicalPack::from_canonical_bytes)
}

/// The canonical bytes and digest of a pack given as raw bytes, which must be UTF-8.
///
/// # Errors
/// Returns [`crate::CanonicalizeError::InvalidUtf8`] with the position of the first bad
/// byte, or the first rule of the strict profile that the text breaks.
pub fn canonicalize_pack_bytes(input: &[u8], options: StrictOptions) -> Result<CanonicalPack> {
    let text = std::str::from_utf8(input).map_err(|error| {
        InvalidUtf8Snafu {
            position: position_of_utf8_error(input, error.valid_up_to()),
        }
        .build()
    })?;
    canonical_yaml_bytes(text, options).map(CanonicalPack::from_canonical_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Rule;

    #[test]
    fn golden_pack_digest() {
        let digest = compute_canonical_digest(
            "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance",
        )
        .unwrap();
        assert_eq!(
            digest.to_string(),
            "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070"
        );
    }

    #[test]
    fn invalid_utf8_has_no_digest() {
        let error = canonicalize_pack_bytes(b"a: \xc3\x28", StrictOptions::default()).unwrap_err();
        assert_eq!(error.rule(), Rule::Utf8);
        assert_eq!(error.position().map(|p| (p.line, p.column)), Some((1, 4)));
    }
}
