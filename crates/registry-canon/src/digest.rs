//! Canonical bytes and the canonical digest of a pack.

use registry_types::Digest;

use crate::emitter::{Canonical, Identity};
use crate::error::{InvalidUtf8Snafu, Result};
use crate::source::position_of_utf8_error;
use crate::strict_yaml::{StrictOptions, canonicalize};

/// A pack's canonical form: its RFC 8785 bytes, their SHA-256 digest, and the pack's
/// top-level `name` and `version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalPack {
    bytes: Vec<u8>,
    digest: Digest,
    identity: Identity,
}

impl CanonicalPack {
    /// Wraps canonical bytes, computing their digest (and reading `name` and `version` from
    /// them, which are JSON).
    pub fn from_canonical_bytes(bytes: Vec<u8>) -> Self {
        let digest = digest_of_canonical_bytes(&bytes);
        let identity = identity_of_json(&bytes);
        Self {
            bytes,
            digest,
            identity,
        }
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

    /// The pack's top-level `name`, when it is a string.
    pub fn name(&self) -> Option<&str> {
        self.identity.name.as_deref()
    }

    /// The pack's top-level `version`, when it is a string.
    pub fn version(&self) -> Option<&str> {
        self.identity.version.as_deref()
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
    canonicalize(yaml, StrictOptions::default()).map(CanonicalPack::from_canonical)
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
    canonicalize(text, options).map(CanonicalPack::from_canonical)
}

/// `name` and `version` of a JSON object's top level, when they are strings; nothing for
/// any other JSON (or bytes that are not JSON).
fn identity_of_json(bytes: &[u8]) -> Identity {
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes) {
        Ok(object) => {
            let text = |key: &str| {
                object
                    .get(key)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            };
            Identity {
                name: text("name"),
                version: text("version"),
            }
        }
        Err(_) => Identity::default(),
    }
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
            assert_eq!(
                (streamed.name(), streamed.version()),
                (name, version),
                "{yaml}"
            );
            // Read back from the bytes, the identity is the same.
            let reread = CanonicalPack::from_canonical_bytes(streamed.bytes().to_vec());
            assert_eq!(reread, streamed, "{yaml}");
        }
    }

    #[test]
    fn invalid_utf8_has_no_digest() {
        let error = canonicalize_pack_bytes(b"a: \xc3\x28", StrictOptions::default()).unwrap_err();
        assert_eq!(error.rule(), Rule::Utf8);
        assert_eq!(error.position().map(|p| (p.line, p.column)), Some((1, 4)));
    }
}
