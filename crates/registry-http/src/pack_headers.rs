//! The headers of a pack response, parsed and bounded: digest, policy, ETag, Content-Digest,
//! key id, licence, caching and the signature's two places.

use std::fmt;
use std::time::Duration;

use http::HeaderMap;
use http::header::{CACHE_CONTROL, ETAG};
use registry_types::base64::decode_lenient;
use registry_types::wire::{
    CONTENT_DIGEST, X_PACK_DIGEST, X_PACK_KEY_ID, X_PACK_LICENSE, X_PACK_POLICY, X_PACK_SIGNATURE,
    X_PACK_SIGNATURE_ENDPOINT,
};
use registry_types::{Digest, Policy};
use registry_verify::{Envelope, MAX_KEY_ID_CHARS};

use crate::body::SizeLimit;
use crate::content_digest::ContentDigest;
use crate::request_fault::RequestFault;
use crate::signature::SignaturePlace;

/// Texts the client keeps from headers are cut to this many characters.
const MAX_TEXT_CHARS: usize = 1024;

/// Whether a response may be kept in shared caches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheScope {
    /// `Cache-Control: public`.
    Public,
    /// `Cache-Control: private` (commercial packs).
    Private,
}

/// `Cache-Control` as far as the client uses it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CacheControl {
    /// `max-age`, when given.
    pub max_age: Option<Duration>,
    /// `public` or `private`, when given.
    pub scope: Option<CacheScope>,
    /// `no-store`.
    pub no_store: bool,
}

impl CacheControl {
    /// Reads every `Cache-Control` header; unknown directives are ignored, and a malformed
    /// `max-age` counts as absent.
    pub fn from_headers(headers: &HeaderMap) -> CacheControl {
        let mut control = CacheControl::default();
        for value in headers.get_all(CACHE_CONTROL) {
            let Ok(text) = value.to_str() else { continue };
            for directive in text.split(',').map(str::trim) {
                let (name, argument) = directive.split_once('=').unwrap_or((directive, ""));
                match name.trim().to_ascii_lowercase().as_str() {
                    "max-age" => {
                        control.max_age = argument
                            .trim()
                            .trim_matches('"')
                            .parse::<u64>()
                            .ok()
                            .map(Duration::from_secs);
                    }
                    "public" => control.scope = Some(CacheScope::Public),
                    "private" => control.scope = Some(CacheScope::Private),
                    "no-store" => control.no_store = true,
                    _ => {}
                }
            }
        }
        control
    }
}

/// The headers of a pack response (`GET` or `HEAD`), parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackHeaders {
    /// `X-Pack-Digest`: the canonical digest the registry announces (required).
    pub digest: Digest,
    /// `X-Pack-Policy`; a missing header means [`Policy::Commercial`].
    pub policy: Policy,
    /// Whether `X-Pack-Policy` was present (a missing one is treated as commercial).
    pub policy_announced: bool,
    /// `ETag`, as sent (quoted), for `If-None-Match` later.
    pub etag: Option<String>,
    /// `Content-Digest`, parsed (checked against the body by `fetch_pack`).
    pub content_digest: Option<ContentDigest>,
    /// `X-Pack-Key-Id`: the key the registry says signed the pack (a hint only).
    pub key_id: Option<String>,
    /// `X-Pack-License`.
    pub license: Option<String>,
    /// `Cache-Control`.
    pub cache_control: CacheControl,
    /// `X-Pack-Signature`, decoded into an envelope (not verified here).
    pub signature: Option<Envelope>,
    /// `X-Pack-Signature-Endpoint`: where the sidecar is, when the registry advertises it.
    pub signature_endpoint: Option<String>,
}

/// A header's value as visible ASCII, `None` when absent.
fn text<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, RequestFault> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(|text| Some(text.trim()))
            .map_err(|_| invalid(name, HeaderFault::NotText)),
    }
}

/// Every line of a list-valued header as one value, joined with `, ` (RFC 9110 §5.3), so
/// that a second `Content-Digest` line is checked too; `None` when absent.
fn joined(headers: &HeaderMap, name: &'static str) -> Result<Option<String>, RequestFault> {
    let mut lines = Vec::new();
    for value in headers.get_all(name) {
        let text = value
            .to_str()
            .map_err(|_| invalid(name, HeaderFault::NotText))?;
        lines.push(text.trim());
    }
    Ok((!lines.is_empty()).then(|| lines.join(", ")))
}

fn invalid(header: &'static str, fault: HeaderFault) -> RequestFault {
    RequestFault::InvalidHeader { header, fault }
}

fn bounded(text: &str) -> String {
    text.chars().take(MAX_TEXT_CHARS).collect()
}

impl PackHeaders {
    /// Parses the headers of a pack response.
    ///
    /// # Errors
    /// A missing `X-Pack-Digest`; a malformed digest, policy, `Content-Digest`, key id or
    /// signature envelope; an `X-Pack-Signature` over `max_signature_header_bytes`.
    pub(crate) fn parse(
        headers: &HeaderMap,
        max_signature_header_bytes: usize,
    ) -> Result<PackHeaders, RequestFault> {
        let read = |name| text(headers, name);
        let digest = read(X_PACK_DIGEST)?.ok_or(RequestFault::MissingHeader {
            header: X_PACK_DIGEST,
        })?;
        let digest =
            Digest::parse(digest).map_err(|source| RequestFault::InvalidDigestHeader { source })?;
        let announced = read(X_PACK_POLICY)?;
        let policy = match announced {
            None => Policy::default_when_missing(),
            Some(text) => Policy::parse(&text.to_ascii_lowercase())
                .map_err(|_| invalid(X_PACK_POLICY, HeaderFault::NotPolicy))?,
        };
        let content_digest = match joined(headers, CONTENT_DIGEST)? {
            None => None,
            Some(value) => Some(
                ContentDigest::parse(&value)
                    .map_err(|fault| RequestFault::InvalidContentDigest { fault })?,
            ),
        };
        let key_id = read(X_PACK_KEY_ID)?.map(str::to_owned);
        if key_id
            .as_ref()
            .is_some_and(|id| id.chars().count() > MAX_KEY_ID_CHARS)
        {
            return Err(invalid(X_PACK_KEY_ID, HeaderFault::TooLong));
        }
        let signature = match headers.get(X_PACK_SIGNATURE) {
            None => None,
            Some(value) if value.len() > max_signature_header_bytes => {
                return Err(RequestFault::TooLarge {
                    limit: SizeLimit::SignatureHeader {
                        max: max_signature_header_bytes,
                    },
                });
            }
            Some(_) => {
                let encoded = read(X_PACK_SIGNATURE)?.unwrap_or_default();
                let json = decode_lenient(encoded)
                    .map_err(|_| invalid(X_PACK_SIGNATURE, HeaderFault::NotBase64))?;
                let envelope = Envelope::from_json(&json).map_err(|source| {
                    RequestFault::InvalidSignature {
                        place: SignaturePlace::Header,
                        source,
                    }
                })?;
                Some(envelope)
            }
        };
        Ok(PackHeaders {
            digest,
            policy,
            policy_announced: announced.is_some(),
            etag: read(ETAG.as_str())?.map(bounded),
            content_digest,
            key_id,
            license: read(X_PACK_LICENSE)?.map(bounded),
            cache_control: CacheControl::from_headers(headers),
            signature,
            signature_endpoint: read(X_PACK_SIGNATURE_ENDPOINT)?
                .filter(|endpoint| !endpoint.is_empty())
                .map(bounded),
        })
    }
}

/// What is wrong with a response header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderFault {
    /// Not visible ASCII.
    NotText,
    /// Not `commercial` or `open`.
    NotPolicy,
    /// Not a number where one is expected.
    NotNumber,
    /// Longer than the protocol allows.
    TooLong,
    /// Not base64.
    NotBase64,
    /// Not a URL or path.
    NotUrl,
    /// A plain `http://` URL that may not be used: not loopback (without the insecure
    /// opt-in), or advertised by a response that came over https.
    InsecureUrl,
}

impl fmt::Display for HeaderFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderFault::NotText => "it is not visible ASCII text",
            HeaderFault::NotPolicy => "expected `commercial` or `open`",
            HeaderFault::NotNumber => "expected a number",
            HeaderFault::TooLong => "it is too long",
            HeaderFault::NotBase64 => "it is not base64",
            HeaderFault::NotUrl => "it is not a URL or path",
            HeaderFault::InsecureUrl => "it points to plain http, which is refused here",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070";

    fn parse(pairs: &[(&'static str, &str)]) -> Result<PackHeaders, RequestFault> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        PackHeaders::parse(&headers, 64)
    }

    #[test]
    fn minimal_headers_default_to_commercial() {
        let headers = parse(&[(X_PACK_DIGEST, DIGEST)]).unwrap();
        assert_eq!(headers.digest.to_string(), DIGEST);
        assert_eq!(headers.policy, Policy::Commercial);
        assert!(!headers.policy_announced);
        assert_eq!(headers.signature, None);
    }

    #[test]
    fn full_headers() {
        let headers = parse(&[
            (X_PACK_DIGEST, DIGEST),
            (X_PACK_POLICY, "open"),
            ("etag", "\"x\""),
            ("cache-control", "public, max-age=3600"),
            (X_PACK_LICENSE, "MIT"),
            (X_PACK_SIGNATURE_ENDPOINT, "/v1/packs/a/1.0.0.sig"),
        ])
        .unwrap();
        assert_eq!(headers.policy, Policy::Open);
        assert_eq!(
            headers.cache_control.max_age,
            Some(Duration::from_secs(3600))
        );
        assert_eq!(headers.cache_control.scope, Some(CacheScope::Public));
        assert_eq!(headers.license.as_deref(), Some("MIT"));
        assert_eq!(headers.etag.as_deref(), Some("\"x\""));
    }

    #[test]
    fn malformed_headers_are_typed_errors() {
        assert!(matches!(
            parse(&[]),
            Err(RequestFault::MissingHeader {
                header: X_PACK_DIGEST,
            })
        ));
        // The digest's own typed fault is kept, not replaced by a generic one.
        assert!(matches!(
            parse(&[(X_PACK_DIGEST, "sha256:ABC")]),
            Err(RequestFault::InvalidDigestHeader {
                source: registry_types::Error::InvalidDigest {
                    reason: registry_types::DigestFault::UppercaseHex { position: 8, .. },
                    ..
                }
            })
        ));
        assert!(matches!(
            parse(&[(X_PACK_DIGEST, DIGEST), (X_PACK_POLICY, "free")]),
            Err(RequestFault::InvalidHeader {
                fault: HeaderFault::NotPolicy,
                ..
            })
        ));
        let long = "A".repeat(65);
        assert!(matches!(
            parse(&[(X_PACK_DIGEST, DIGEST), (X_PACK_SIGNATURE, &long)]),
            Err(RequestFault::TooLarge {
                limit: SizeLimit::SignatureHeader { max: 64 },
            })
        ));
        assert!(matches!(
            parse(&[(X_PACK_DIGEST, DIGEST), (X_PACK_SIGNATURE, "e30=")]),
            Err(RequestFault::InvalidSignature {
                place: SignaturePlace::Header,
                ..
            })
        ));
        assert!(matches!(
            parse(&[(X_PACK_DIGEST, DIGEST), (CONTENT_DIGEST, "md5=:AAAA:")]),
            Err(RequestFault::InvalidContentDigest { .. })
        ));
    }
}
