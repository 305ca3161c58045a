//! The paths, JSON bodies and header names of the registry wire protocol (PROTOCOL §5–§7).
//!
//! The client (registry-http) reads these bodies and the reference server (registry-server)
//! writes them (and the paths the client asks for are the ones the server routes), so each
//! shape is written down once, here. They are plain serde data: no
//! I/O, no HTTP types. Reading is as lenient as the protocol allows and no more: unknown
//! fields are ignored, optional fields may be absent, and a field with a malformed value
//! fails the whole body, except `released` ([`Released`]), which is informational.

mod error_body;
mod headers;
mod keys;
mod listing;
mod oidc;
mod path;

pub use error_body::{ErrorBody, ErrorCode, RevocationBody};
pub use headers::{
    CONTENT_DIGEST, JSON_MEDIA_TYPE, PACK_MEDIA_TYPE, X_PACK_DIGEST, X_PACK_KEY_ID, X_PACK_LICENSE,
    X_PACK_POLICY, X_PACK_SIGNATURE, X_PACK_SIGNATURE_ENDPOINT,
};
pub use keys::KeysBody;
pub use listing::{PackPage, PackSummary, PackVersions, Released, VersionInfo};
pub use oidc::{
    BEARER_TOKEN_TYPE, GithubIdTokenAnswer, OidcExchangeAnswer, OidcExchangeRequest,
    PACKS_READ_SCOPE,
};
pub use path::{
    KEYS_PATH, OIDC_EXCHANGE_PATH, SIDECAR_SUFFIX, pack_path, packs_path, sidecar_path,
    versions_path,
};
