//! The reference assay pack registry: serves a folder of packs over HTTP/1.1 and HTTP/2,
//! exactly as PROTOCOL §5–§7 describe, and misbehaves on request for tests.
//!
//! It is what the workspace's HTTP tests talk to (over real sockets on 127.0.0.1) and what
//! pack authors run locally (`assay-pack serve DIR`); the bodies and header names it
//! writes are registry-types' `wire` module, the ones the client reads. It is a shell crate: it owns a tokio runtime's tasks, hyper,
//! rustls (always with the ring provider passed explicitly, never the process default) and
//! the clock. Library crates may use it only as a dev-dependency; only the CLI depends on it
//! normally (`cargo xtask check-layers` enforces both).
//!
//! # The folder
//!
//! ```text
//! DIR/packs/{name}/{version}/pack.yaml        served at /v1/packs/{name}/{version}
//! DIR/packs/{name}/{version}/meta.json        optional, see below
//! DIR/orgs/{org}/packs/{name}/{version}/…     served at /v1/orgs/{org}/packs/{name}/{version}
//! ```
//!
//! `meta.json` (every field optional, unknown fields rejected): `policy` (`"commercial"`
//! or `"open"`; **absent means commercial**, the stricter reading that PROTOCOL §6 also
//! gives a missing header, and the server always sends `X-Pack-Policy`), `license`
//! (`X-Pack-License`), `deprecated` (bool, in `/versions`), `released` (RFC 3339, in
//! `/versions`), `revoked: {"reason", "safe_version"}` (answered with 410), and
//! `license_expired` (bool: a commercial pack answered with 403 `license_expired`).
//!
//! At start-up every folder name is validated as a pack name, namespace or version, every
//! pack is canonicalized (registry-canon), its top-level `name` and `version` are checked
//! against its folder, and it is signed with the signing key (a DSSE envelope over the
//! canonical bytes). A pack that fails any step is not served and is listed, with the
//! typed reason, in [`RunningServer::startup_report`]; start-up itself fails only when the
//! folder cannot be read at all.
//!
//! # The wire
//!
//! | request | answer |
//! |---|---|
//! | `GET`/`HEAD /v1/packs/{name}/{version}` | the `pack.yaml` bytes as stored; 304 on a matching `If-None-Match`; 401/403/404/410 |
//! | `GET /v1/packs/{name}/{version}.sig` | the DSSE envelope (JSON) |
//! | `GET /v1/packs/{name}/versions` | `{"name", "versions": [{"version", "released"?, "deprecated", "digest", "policy", "revoked"?}], "latest"?}` |
//! | `GET /v1/packs?limit=&cursor=` | `{"packs": [{"name", "latest"?, "versions"}], "next_cursor"?, "has_more"}`; limit 1–100 (default 50, larger values lowered to 100), opaque cursor |
//! | `GET /v1/keys` | the keys manifest, a bare DSSE envelope signed by the root; lists the signing key (`pack-signing`) and the root (`manifest-signing`) |
//! | `POST /v1/auth/oidc/exchange` | `{"id_token", "scope"?}` → `{"access_token", "token_type": "Bearer", "expires_in", "scope"}` ([`OidcConfig`]) |
//! | `/v1/orgs/{org}/packs/…` | the same, in namespace `org` |
//!
//! Pack headers: `ETag` (`"` + digest + `"`), `X-Pack-Digest`, `Content-Digest`
//! (`sha-256=:…:` over the body with the content coding removed, as PROTOCOL §6 says),
//! `X-Pack-Policy`, `X-Pack-License` (when set), `X-Pack-Key-Id`, `X-Pack-Signature`
//! (base64 of the envelope, when its JSON is at most
//! [`ServerConfig::signature_header_max`] bytes), `X-Pack-Signature-Endpoint` (the
//! sidecar's path from the origin, `/v1/…/{version}.sig`; when it is sent, see
//! [`SidecarAdvertisement`]), `Cache-Control` (`private, max-age=N` for commercial,
//! `public, max-age=N` for open), `Vary` (`Accept-Encoding`, plus `Authorization` for
//! commercial packs), `Content-Type: application/x-yaml`, and `Content-Encoding: gzip`
//! when `Accept-Encoding` allows it. Errors are JSON `{"error": code, "message"}`; a
//! revoked pack answers 410 `{"error": "security_revocation", "reason", "safe_version",
//! "message"}`; 401 carries `WWW-Authenticate: Bearer`.
//!
//! Tokens: when [`ServerConfig::tokens`], [`ServerConfig::unlicensed_tokens`] or
//! [`ServerConfig::oidc`] is set, commercial packs and their sidecars need `Authorization:
//! Bearer <token>` with a configured token or one the OIDC exchange issued (401
//! `authentication_required` without one, 401 `invalid_token` for an unknown or expired
//! one, 403 `pack_not_licensed` for an unlicensed one). Open packs, listings and `/keys`
//! never need a token. The server keeps only SHA-256 hashes of tokens, compares them in
//! constant time, and never shows a token (or a TLS key) in `Debug` output.
//!
//! # Faults
//!
//! [`Faults`] is set in the config or changed at run time with
//! [`RunningServer::set_faults`]. On the wire:
//!
//! | fault | effect |
//! |---|---|
//! | `wrong_digest_header` | `X-Pack-Digest` and `ETag` name the digest of other content; body and signature are honest |
//! | `tamper_body` | [`TAMPER_SUFFIX`] appended to the body (same name and version, other digest); digest and signature headers describe the original; `Content-Digest` matches the bytes sent |
//! | `bad_signature` | one bit flipped in every signature of the envelope, in `X-Pack-Signature` and the sidecar |
//! | `missing_signature` | no `X-Pack-Signature`, `X-Pack-Signature-Endpoint` or `X-Pack-Key-Id`; the sidecar is 404 |
//! | `wrong_content_digest` | `Content-Digest` is the SHA-256 of other bytes |
//! | `too_many_requests: n` | the next n requests (any endpoint) get 429 `rate_limited` with `retry_after` ([`RetryAfter`]: seconds, an IMF-fixdate, or no header) |
//! | `service_unavailable: n` | then the next n requests get 503 `service_unavailable` with `Retry-After: 0` |
//! | `slow_body: Some(d)` | headers at once, then the body in [`SLOW_CHUNK_BYTES`]-byte chunks, each after a pause of d |
//! | `endless_body` | chunked body of YAML comment lines that never ends (no `Content-Length`, no `Content-Digest`) |
//! | `oversized_body` | an [`OVERSIZED_BODY_BYTES`] (11 MiB) body, the pack followed by comment lines, with `Content-Length`, never gzipped |
//! | `gzip_bomb` | `Content-Encoding: gzip` (whatever was asked) of about 64 KiB that inflates to [`GZIP_BOMB_INFLATED_BYTES`] (64 MiB) of zeros |
//! | `redirect_to: Some(url)` | every request gets 307 with `Location` = the origin of `url` + the same path and query |
//! | `oversized_headers` | an [`OVERSIZED_SIGNATURE_HEADER_BYTES`] (80 KiB) `X-Pack-Signature` and 40 filler headers of 1 KiB |
//! | `mix_and_match` | a pack path (and its sidecar) answers with another served pack, honestly signed and labelled |
//! | `downgrade_policy` | commercial packs say `X-Pack-Policy: open` and lose their signature headers; their sidecars are 404 |
//!
//! The status faults (429, 503, 307) apply to every `/v1` request before routing; the
//! others to pack responses (header faults to `HEAD` too). Counts restart on every
//! `set_faults`. The fake GitHub ID-token endpoint ([`GITHUB_TOKEN_PATH`]) is never faulted.
//!
//! # Example
//!
//! ```
//! use registry_server::{Faults, RetryAfter, ServerConfig};
//!
//! # fn main() -> registry_server::Result<()> {
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # runtime.block_on(async {
//! let mut config = ServerConfig::new("../../testdata/registry");
//! config.tokens = vec!["test-token".to_owned()];
//! let server = registry_server::start(config).await?;
//! // A client would use these two: the base URL, and the root key id to pin.
//! assert!(server.base_url().starts_with("http://127.0.0.1:"));
//! let _pin = server.root_key_id();
//! // The example folder holds invalid packs on purpose; they are reported, not served.
//! assert!(server.startup_report().iter().any(|p| p.path.ends_with("broken-float/1.0.0")));
//!
//! server.set_faults(Faults {
//!     too_many_requests: 2,
//!     retry_after: RetryAfter::Seconds(1),
//!     ..Faults::default()
//! });
//! assert_eq!(server.stats().requests, 0);
//! server.shutdown().await;
//! # Ok(())
//! # })
//! # }
//! ```

mod bearer;
mod body;
mod catalog;
mod config;
mod dispatch;
mod error;
mod fault;
mod generated;
mod id_token;
mod listing;
mod oidc;
mod pack_reply;
mod record;
mod reply;
mod route;
mod server;
mod signature;
mod tls;

pub use crate::body::{GZIP_BOMB_INFLATED_BYTES, SLOW_CHUNK_BYTES};
pub use crate::catalog::StartupProblem;
pub use crate::config::{
    DEFAULT_SIGNATURE_HEADER_MAX, ServerConfig, SidecarAdvertisement, SigningKeyListing, TlsMode,
};
pub use crate::dispatch::MAX_REQUEST_BODY_BYTES;
pub use crate::error::{Error, Result};
pub use crate::fault::{Faults, RetryAfter};
pub use crate::generated::{generated_pack, write_generated_packs};
pub use crate::id_token::{IdTokenClaims, MAX_ID_TOKEN_BYTES};
pub use crate::listing::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};
pub use crate::oidc::{DEFAULT_SUBJECT, GITHUB_ISSUER, GITHUB_TOKEN_PATH, OidcConfig};
pub use crate::pack_reply::{
    OVERSIZED_BODY_BYTES, OVERSIZED_SIGNATURE_HEADER_BYTES, TAMPER_SUFFIX,
};
pub use crate::record::{
    MAX_COUNTED_PATH_BYTES, MAX_COUNTED_PATHS, MAX_RECORDED_BYTES, MAX_RECORDED_REQUESTS,
    RecordedRequest, ServerStats,
};
pub use crate::server::{RunningServer, SHUTDOWN_GRACE, start};
pub use crate::tls::SELF_SIGNED_NAMES;
