//! The protocol's header names and media types (PROTOCOL §6).
//!
//! Header names are lowercase, the form HTTP/2 sends and `http::HeaderName::from_static`
//! accepts; HTTP/1.1 compares them without regard to case.

/// The registry's canonical digest of the pack (`sha256:<hex>`); a client must verify it.
pub const X_PACK_DIGEST: &str = "x-pack-digest";
/// `commercial` or `open`; a missing header means commercial.
pub const X_PACK_POLICY: &str = "x-pack-policy";
/// Base64 of a DSSE envelope, for packs whose envelope is small.
pub const X_PACK_SIGNATURE: &str = "x-pack-signature";
/// The path (or URL) of the sidecar envelope.
pub const X_PACK_SIGNATURE_ENDPOINT: &str = "x-pack-signature-endpoint";
/// The id of the key that signed the pack (a hint only).
pub const X_PACK_KEY_ID: &str = "x-pack-key-id";
/// The pack's licence.
pub const X_PACK_LICENSE: &str = "x-pack-license";
/// RFC 9530's digest of the content after content coding is removed.
pub const CONTENT_DIGEST: &str = "content-digest";

/// The media type of a pack body (`Accept` of pack requests, `Content-Type` of packs).
pub const PACK_MEDIA_TYPE: &str = "application/x-yaml";
/// The media type of every JSON body: listings, error bodies, envelopes, token exchange.
pub const JSON_MEDIA_TYPE: &str = "application/json";
