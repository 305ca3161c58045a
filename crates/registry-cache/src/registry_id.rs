//! Registry ids: the file-name-safe directory name that stands for one registry base URL.

use std::borrow::Cow;
use std::fmt;

use registry_types::BaseUrl;
use ring::digest::{SHA256, digest};
use snafu::ensure;

use crate::error::{InvalidRegistryIdSnafu, Result};

/// How many hex digits of the URL's SHA-256 a registry id keeps (48 bits).
const HASH_HEX_LEN: usize = 12;

/// The longest host label kept in a registry id, in characters.
const MAX_HOST_LEN: usize = 63;

/// The label of a text that is not a base URL, or whose host leaves nothing usable.
const FALLBACK_HOST: &str = "registry";

/// The directory name of one registry in the cache: the base URL's authority (host and
/// port), made safe as a file name, a `-`, and the first 12 hex digits of the SHA-256 of
/// the whole base URL (`registry.getassay.dev-3f1c0a9b27de`).
///
/// The base URL is taken in [`BaseUrl`]'s normal form (lowercase scheme and host, no
/// trailing `/`), so `https://Registry.example/v1/` and `https://registry.example/v1` share
/// one id. The host makes the directory recognisable; the hash makes it unique per base
/// URL, so two registries on one host (`https://host/v1`, `https://host/v2`) never share
/// entries. Any text gives a valid id: only `a-z`, `0-9`, `.`, `-` and `_` appear, never a
/// leading `.` or `-`, and never more than 76 characters, so an id can neither escape the
/// cache root nor collide with the dot-prefixed names the cache uses for its own files.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistryId(String);

impl RegistryId {
    /// The id of the registry at `base_url`.
    pub fn from_base_url(base_url: &BaseUrl) -> RegistryId {
        RegistryId::new(&host_label(base_url.authority()), base_url.as_str())
    }

    /// The id of the registry at `base_url` (any text; nothing is rejected). A text that
    /// [`BaseUrl::parse`] accepts gives [`RegistryId::from_base_url`]; any other text (an
    /// entry recorded by hand, a URL with credentials) is hashed as written, without
    /// trailing `/`, under the label `registry`.
    pub fn from_url(base_url: &str) -> RegistryId {
        match BaseUrl::parse(base_url) {
            Ok(url) => RegistryId::from_base_url(&url),
            Err(_) => RegistryId::new(FALLBACK_HOST, base_url.trim_end_matches('/')),
        }
    }

    fn new(label: &str, url: &str) -> RegistryId {
        let hash = digest(&SHA256, url.as_bytes());
        let mut id = label.to_owned();
        id.push('-');
        for byte in hash.as_ref().iter().take(HASH_HEX_LEN / 2) {
            id.push_str(&format!("{byte:02x}"));
        }
        RegistryId(id)
    }

    /// Parses a registry id as found on disk (a directory name under the cache root).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRegistryId`](crate::Error::InvalidRegistryId) when `text` is not
    /// the form [`RegistryId::from_url`] produces.
    pub fn parse(text: &str) -> Result<RegistryId> {
        let well_formed = text.rsplit_once('-').is_some_and(|(host, hash)| {
            hash.len() == HASH_HEX_LEN
                && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                && is_host_label(host)
        });
        ensure!(well_formed, InvalidRegistryIdSnafu { text });
        Ok(RegistryId(text.to_owned()))
    }

    /// The id as text (a single path component).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegistryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RegistryId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The base URL as the cache records and hashes it: [`BaseUrl`]'s normal form, or, for a
/// text that is not a base URL, the text without trailing `/` characters.
pub(crate) fn normalize_registry_url(base_url: &str) -> Cow<'_, str> {
    match BaseUrl::parse(base_url) {
        Ok(url) => Cow::Owned(url.as_str().to_owned()),
        Err(_) => Cow::Borrowed(base_url.trim_end_matches('/')),
    }
}

/// An authority as a file name: every character outside `a-z0-9.-` replaced by `_`, no
/// leading `.`/`-`, at most [`MAX_HOST_LEN`] characters, and [`FALLBACK_HOST`] if nothing
/// is left.
fn host_label(authority: &str) -> String {
    let label: String = authority
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '-') => c,
            _ => '_',
        })
        .skip_while(|c| matches!(c, '.' | '-'))
        .take(MAX_HOST_LEN)
        .collect();
    if label.is_empty() {
        FALLBACK_HOST.to_owned()
    } else {
        label
    }
}

fn is_host_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_HOST_LEN
        && !text.starts_with(['.', '-'])
        && text
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn host_and_short_hash() {
        let id = RegistryId::from_url("https://registry.getassay.dev/v1");
        let (host, hash) = id.as_str().rsplit_once('-').expect("a hyphen");
        assert_eq!(host, "registry.getassay.dev");
        assert_eq!(hash.len(), HASH_HEX_LEN);
        assert_eq!(RegistryId::parse(id.as_str()).expect("round trip"), id);
    }

    #[test]
    fn stable_per_base_url_and_distinct_across_urls() {
        let a = RegistryId::from_url("https://example.com/v1");
        assert_eq!(a, RegistryId::from_url("https://example.com/v1"));
        assert_eq!(a, RegistryId::from_url("https://example.com/v1/"));
        assert_eq!(
            a,
            RegistryId::from_base_url(&BaseUrl::parse("https://example.com/v1").unwrap())
        );
        for other in [
            "https://example.com/v2",
            "http://example.com/v1",
            "https://example.com:8443/v1",
        ] {
            assert_ne!(a, RegistryId::from_url(other), "{other}");
        }
    }

    #[test]
    fn case_in_scheme_and_host_does_not_make_a_second_id() {
        let lower = RegistryId::from_url("https://registry.example/v1");
        for text in [
            "https://Registry.example/v1",
            "HTTPS://REGISTRY.EXAMPLE/v1/",
        ] {
            assert_eq!(RegistryId::from_url(text), lower, "{text}");
            assert_eq!(normalize_registry_url(text), "https://registry.example/v1");
        }
        // The path is case-sensitive, as in every URL.
        assert_ne!(RegistryId::from_url("https://registry.example/V1"), lower);
    }

    #[test]
    fn ids_of_normal_base_urls_are_unchanged() {
        // Entries cached before base URLs were normalised keep their directory.
        let id = RegistryId::from_url("http://127.0.0.1:8080/v1");
        let hash = digest(&SHA256, b"http://127.0.0.1:8080/v1");
        let hex: String = hash.as_ref()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(id.as_str(), format!("127.0.0.1_8080-{hex}"));
    }

    #[test]
    fn any_text_gives_a_safe_file_name() {
        let long = format!("https://{}/v1", "a".repeat(500));
        for url in [
            "",
            "/",
            "..",
            "https://../..",
            "https://user:secret@host.example/v1",
            "https://[::1]:8443/v1",
            "https://HOST.Example/v1",
            "https://ex\u{e4}mple.com\0/\\..",
            "-rf",
            ".hidden",
            long.as_str(),
        ] {
            let id = RegistryId::from_url(url);
            let text = id.as_str();
            assert!(RegistryId::parse(text).is_ok(), "{url:?} -> {text:?}");
            assert!(!text.contains(['/', '\\', '\0', ':', '@']), "{text:?}");
            assert!(!text.starts_with(['.', '-']), "{text:?}");
            assert!(text.len() <= MAX_HOST_LEN + 1 + HASH_HEX_LEN, "{text:?}");
            assert!(!text.contains("secret"), "{text:?}");
        }
        assert!(
            RegistryId::from_url("https://[::1]:8443/v1")
                .as_str()
                .starts_with("_")
        );
        assert!(
            RegistryId::from_url("https://HOST.Example/v1")
                .as_str()
                .starts_with("host.example-")
        );
    }

    #[test]
    fn parse_refuses_other_names() {
        for text in [
            "",
            "host",
            "host-0123456789a",
            "host-0123456789AB",
            ".tmp-0123456789ab",
            "-x-0123456789ab",
            "a/b-0123456789ab",
            "..-0123456789ab",
        ] {
            assert!(
                matches!(RegistryId::parse(text), Err(Error::InvalidRegistryId { text: ref t }) if t == text),
                "{text:?}"
            );
        }
    }
}
