//! Canonical bytes and the canonical digest of a pack.

use registry_types::Digest;

use crate::emitter::Canonical;
use crate::error::{InvalidUtf8Snafu, Result};
use crate::identity::PackIdentity;
use crate::source::position_of_utf8_error;
use crate::strict_yaml::{StrictOptions, canonicalize};

/// A pack's canonical form: its RFC 8785 bytes, their SHA-256 digest, and the pack's own
/// identity (its top-level `name` and `version`).
///
/// A value exists only for input that passed the strict profile: the one constructor is
/// [`CanonicalPack::from_yaml`] (and [`compute_canonical_digest_result`] for text with the
/// default options). There is no way to wrap arbitrary bytes as "canonical".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalPack {
    bytes: Vec<u8>,
    digest: Digest,
    identity: PackIdentity,
}

impl CanonicalPack {
    /// The canonical form of pack bytes, which must be UTF-8 YAML under the strict profile.
    ///
    /// A rejected pack has no canonical form: this never falls back to the raw bytes.
    ///
    /// # Errors
    /// [`crate::CanonicalizeError::InvalidUtf8`] with the position of the first bad byte, or
    /// the first rule of the strict profile that the text breaks.
    pub fn from_yaml(input: &[u8], options: &StrictOptions) -> Result<Self> {
        let text = std::str::from_utf8(input).map_err(|error| {
            InvalidUtf8Snafu {
                position: position_of_utf8_error(input, error.valid_up_to()),
            }
            .build()
        })?;
        canonicalize(text, *options).map(CanonicalPack::from_canonical)
    }

    /// The canonical form of a document just canonicalized; its identity was noted while
    /// its events streamed, so nothing is parsed again.
    fn from_canonical(canonical: Canonical) -> Self {
        let (bytes, identity) = canonical.into_parts();
        let digest = digest_of_canonical_bytes(&bytes);
        Self {
            bytes,
            digest,
            identity,
        }
    }

    /// What the pack says it is: its top-level `name` and `version`, when they are strings.
    /// Check it against a request with [`PackIdentity::ensure_matches`].
    pub fn identity(&self) -> &PackIdentity {
        &self.identity
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
///
/// This canonicalizes nothing; it is for bytes someone else claims are canonical (a DSSE
/// payload, a recorded entry), whose digest is reported or compared. To get the digest of
/// a pack, use [`CanonicalPack::from_yaml`] or [`compute_canonical_digest`].
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

/// The canonical bytes and digest of a pack given as YAML text, with the default options
/// ([`CanonicalPack::from_yaml`] takes bytes and options).
///
/// # Errors
/// Returns the first rule of the strict profile that `yaml` breaks.
pub fn compute_canonical_digest_result(yaml: &str) -> Result<CanonicalPack> {
    canonicalize(yaml, StrictOptions::default()).map(CanonicalPack::from_canonical)
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
    fn identity_is_the_top_level_name_and_version_strings() {
        for (yaml, name, version) in [
            ("name: a\nversion: \"1.0.0\"\n", Some("a"), Some("1.0.0")),
            // Out of JCS order, plain, and a nested `name` that must not count.
            (
                "version: 1.0.0\nrules:\n  - name: inner\nname: 'a'\n",
                Some("a"),
                Some("1.0.0"),
            ),
            ("name: a\nversion: 1\n", Some("a"), None),
            ("name: [a]\nversion: null\n", None, None),
            ("- name: a\n", None, None),
            ("x: {name: a, version: b}\n", None, None),
            ("\"name\": \"a\\u00e9\"\n", Some("a\u{e9}"), None),
        ] {
            let streamed = compute_canonical_digest_result(yaml).unwrap();
            let identity = streamed.identity();
            assert_eq!(
                (identity.name(), identity.version()),
                (name, version),
                "{yaml}"
            );
        }
    }

    #[test]
    fn invalid_utf8_has_no_digest() {
        let error =
            CanonicalPack::from_yaml(b"a: \xc3\x28", &StrictOptions::default()).unwrap_err();
        assert_eq!(error.rule(), Rule::Utf8);
        assert_eq!(error.position().map(|p| (p.line, p.column)), Some((1, 4)));
    }
}
