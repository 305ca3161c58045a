//! `RegistryClient`: fetch a pack (verified against its announced digests), its headers,
//! its sidecar signature, its versions, and the keys manifest.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, Uri};
use registry_canon::{CanonicalPack, CanonicalizeError, StrictOptions};
use registry_types::wire::{
    JSON_MEDIA_TYPE, KEYS_PATH, PACK_MEDIA_TYPE, PackVersions, pack_path, sidecar_path,
    versions_path,
};
use registry_types::{BaseUrl, Digest, Namespace, PackName, Version};
use registry_verify::Envelope;
use serde::de::DeserializeOwned;
use snafu::ResultExt;

use crate::config::RegistryConfig;
use crate::endpoint::join;
use crate::error::{InvalidArgumentSnafu, Result};
use crate::pack_headers::{CacheControl, PackHeaders};
use crate::request_fault::{InvalidJsonSnafu, RequestFault};
use crate::signature::SignaturePlace;
use crate::status::success;
use crate::target::{PackCoordinates, RegistryName, Target, TargetKind};
use crate::transport::{Auth, Call, Redirects, Reply, Transport};

/// A client for one registry: one pooled HTTP/1.1 + HTTP/2 connection pool, its token
/// provider and its limits. Cloning is cheap and shares the pool.
#[derive(Clone, Debug)]
pub struct RegistryClient {
    transport: Arc<Transport>,
}

/// A fetched pack whose bytes passed every check the wire allows: `Content-Digest` (when
/// sent) over the decoded body, the canonical digest against `X-Pack-Digest`, and the pack's
/// own `name` and `version` against the ones requested. Signatures are not checked here;
/// see [`RegistryClient::discover_signature`].
///
/// Only the client builds a `FetchResult` (the struct is `#[non_exhaustive]`, so no other
/// crate can write one out with a body and a digest that do not belong together): the
/// pairing of `body` and `computed_digest` is established here, once. The fields stay
/// public and readable (`pack.computed_digest`, `pack.body`) rather than behind accessors,
/// because reading them is the point of a fetch; a caller that changes its own copy
/// changes only that copy.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FetchResult {
    /// The pack that was requested.
    pub coordinates: PackCoordinates,
    /// The body as received, after gzip decoding.
    pub body: Bytes,
    /// The response headers, parsed.
    pub headers: PackHeaders,
    /// The canonical digest of `body`, computed here (equal to `headers.digest`).
    pub computed_digest: Digest,
    /// The URL that served the body (after redirects), against which a relative
    /// `X-Pack-Signature-Endpoint` is resolved.
    pub url: Uri,
}

/// The raw keys manifest (`GET /keys`), to be verified by registry-verify.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct KeysManifestResponse {
    /// The body exactly as received (decoded from gzip): a DSSE envelope or an object
    /// carrying one.
    pub body: Bytes,
    /// `Cache-Control` (its `max-age` is the manifest's cache TTL; 24 h when absent).
    pub cache_control: CacheControl,
    /// `ETag`, when sent.
    pub etag: Option<String>,
}

impl RegistryClient {
    /// A client for `config`. Nothing is sent until the first request.
    ///
    /// # Errors
    /// A plain `http://` base URL to a host that is not loopback without
    /// [`crate::PlainHttp::AllowInsecure`], or an unusable TLS configuration (CA bundle).
    pub fn new(config: RegistryConfig) -> Result<RegistryClient> {
        Ok(RegistryClient {
            transport: Arc::new(Transport::new(config)?),
        })
    }

    /// A client configured from the environment ([`RegistryConfig::from_env`]).
    ///
    /// # Errors
    /// A malformed variable, or the errors of [`RegistryClient::new`].
    pub fn from_env() -> Result<RegistryClient> {
        RegistryClient::new(RegistryConfig::from_env()?)
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &RegistryConfig {
        &self.transport.config
    }

    /// The registry's base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.transport.config.base_url
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    fn registry(&self) -> &RegistryName {
        &self.transport.registry
    }

    pub(crate) fn call<'a>(&'a self, method: Method, path: &str, target: &'a Target) -> Call<'a> {
        Call {
            method,
            uri: join(self.base_url(), path),
            target,
            registry: self.registry(),
            accept: JSON_MEDIA_TYPE,
            if_none_match: None,
            json_body: None,
            max_body: self.config().limits.max_json_bytes,
            auth: Auth::Registry,
            redirects: Redirects::Follow,
        }
    }

    /// Fetches `name@version` of the global namespace, both given as text (the convenience
    /// of the protocol's quick start); see [`RegistryClient::fetch_pack_in`], which takes
    /// parsed values and a namespace.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when `name` is not a pack
    /// name or `version` not a SemVer version (nothing is sent), and otherwise as
    /// [`RegistryClient::fetch_pack_in`].
    pub async fn fetch_pack(
        &self,
        name: &str,
        version: &str,
        etag: Option<&str>,
    ) -> Result<Option<FetchResult>> {
        let name = PackName::parse(name).context(InvalidArgumentSnafu { what: "pack name" })?;
        let version = Version::parse(version).context(InvalidArgumentSnafu { what: "version" })?;
        self.fetch_pack_in(None, &name, &version, etag).await
    }

    /// Fetches `[org/]name@version`. With `etag` (an `ETag` seen before, or a bare digest,
    /// which is quoted) the request revalidates: `Ok(None)` means 304, not modified. An
    /// `etag` that cannot be a header value is not sent.
    ///
    /// # Errors
    /// The §11 error of a refused request (not found, authentication required, not
    /// licensed, revoked, rate limited, too large, server error, network, timeout, TLS), and
    /// integrity errors that never hand back the bytes: `Content-Digest` mismatch, a body
    /// that is not a pack under the strict profile, a canonical digest other than
    /// `X-Pack-Digest`, or a pack that names itself differently (mix-and-match).
    pub async fn fetch_pack_in(
        &self,
        namespace: Option<&Namespace>,
        name: &PackName,
        version: &Version,
        etag: Option<&str>,
    ) -> Result<Option<FetchResult>> {
        let coordinates = PackCoordinates::new(namespace, name, version);
        let target = Target::pack(coordinates.clone());
        let registry = self.registry();
        let mut call = self.call(Method::GET, &pack_path(namespace, name, version), &target);
        call.accept = PACK_MEDIA_TYPE;
        call.max_body = self.config().limits.max_body_bytes;
        call.if_none_match = etag.and_then(if_none_match);
        let reply = self.transport.execute(&call).await?;
        if reply.status == StatusCode::NOT_MODIFIED && call.if_none_match.is_some() {
            return Ok(None);
        }
        let reply = success(reply, &target, registry)?;
        let fail = |fault: RequestFault| fault.at(&target, registry, reply.attempts);
        let limit = self.config().limits.max_signature_header_bytes;
        let headers = PackHeaders::parse(&reply.headers, limit).map_err(fail)?;
        if let Some(content_digest) = &headers.content_digest {
            content_digest
                .verify(&reply.body)
                .map_err(|algorithm| fail(RequestFault::ContentDigestMismatch { algorithm }))?;
        }
        let canonical = canonicalize_off_the_reactor(&reply.body)
            .await
            .map_err(|source| {
                fail(RequestFault::PackRejected {
                    source: Box::new(source),
                })
            })?;
        if *canonical.digest() != headers.digest {
            return Err(fail(RequestFault::DigestMismatch {
                expected: headers.digest,
                actual: *canonical.digest(),
            }));
        }
        canonical
            .identity()
            .ensure_matches(name, version)
            .map_err(|mismatch| fail(RequestFault::PackIdentityMismatch { source: mismatch }))?;
        Ok(Some(FetchResult {
            coordinates,
            body: reply.body,
            headers,
            computed_digest: *canonical.digest(),
            url: reply.url,
        }))
    }

    /// The headers of a pack of the global namespace; see [`RegistryClient::head_pack_in`].
    ///
    /// # Errors
    /// As [`RegistryClient::head_pack_in`].
    pub async fn head_pack(&self, name: &PackName, version: &Version) -> Result<PackHeaders> {
        self.head_pack_in(None, name, version).await
    }

    /// `HEAD` of `[org/]name@version`: its headers without the body (`Content-Digest` is
    /// parsed but cannot be checked).
    ///
    /// # Errors
    /// The §11 error of a refused request, or malformed pack headers.
    pub async fn head_pack_in(
        &self,
        namespace: Option<&Namespace>,
        name: &PackName,
        version: &Version,
    ) -> Result<PackHeaders> {
        let target = Target::pack(PackCoordinates::new(namespace, name, version));
        let mut call = self.call(Method::HEAD, &pack_path(namespace, name, version), &target);
        call.accept = PACK_MEDIA_TYPE;
        let reply = success(
            self.transport.execute(&call).await?,
            &target,
            self.registry(),
        )?;
        let limit = self.config().limits.max_signature_header_bytes;
        PackHeaders::parse(&reply.headers, limit)
            .map_err(|fault| fault.at(&target, self.registry(), reply.attempts))
    }

    /// The sidecar envelope of a pack of the global namespace; see
    /// [`RegistryClient::fetch_sidecar_in`].
    ///
    /// # Errors
    /// As [`RegistryClient::fetch_sidecar_in`].
    pub async fn fetch_sidecar(
        &self,
        name: &PackName,
        version: &Version,
    ) -> Result<Option<Envelope>> {
        self.fetch_sidecar_in(None, name, version).await
    }

    /// `GET [org/]packs/{name}/{version}.sig`: the detached envelope, or `Ok(None)` when
    /// the registry has none (404). The envelope is parsed, not verified.
    ///
    /// # Errors
    /// The §11 error of a refused request (other than 404), or a body that is not a DSSE
    /// envelope.
    pub async fn fetch_sidecar_in(
        &self,
        namespace: Option<&Namespace>,
        name: &PackName,
        version: &Version,
    ) -> Result<Option<Envelope>> {
        let target = Target::signature(PackCoordinates::new(namespace, name, version));
        let uri = join(self.base_url(), &sidecar_path(namespace, name, version));
        self.sidecar_at(uri, &target).await
    }

    /// Fetches a sidecar envelope from `uri`; 404 is `Ok(None)`.
    pub(crate) async fn sidecar_at(&self, uri: Uri, target: &Target) -> Result<Option<Envelope>> {
        let mut call = self.call(Method::GET, "", target);
        call.uri = uri;
        call.max_body = self.config().limits.max_sidecar_bytes;
        let reply = self.transport.execute(&call).await?;
        if reply.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let reply = success(reply, target, self.registry())?;
        Envelope::from_json(&reply.body)
            .map(Some)
            .map_err(|source| {
                let place = SignaturePlace::Sidecar;
                let fault = RequestFault::InvalidSignature { place, source };
                fault.at(target, self.registry(), reply.attempts)
            })
    }

    /// The versions of a pack of the global namespace; see [`RegistryClient::versions_in`].
    ///
    /// # Errors
    /// As [`RegistryClient::versions_in`].
    pub async fn versions(&self, name: &PackName) -> Result<PackVersions> {
        self.versions_in(None, name).await
    }

    /// `GET [org/]packs/{name}/versions`.
    ///
    /// # Errors
    /// The §11 error of a refused request, a malformed body, or a list for another pack.
    pub async fn versions_in(
        &self,
        namespace: Option<&Namespace>,
        name: &PackName,
    ) -> Result<PackVersions> {
        let target = Target::new(TargetKind::Versions {
            namespace: namespace.cloned(),
            name: name.clone(),
        });
        let call = self.call(Method::GET, &versions_path(namespace, name), &target);
        let versions: PackVersions = self.json(&call).await?;
        if versions.name != *name {
            let found = versions.name;
            let fault = RequestFault::VersionsMismatch { found };
            return Err(fault.at(&target, self.registry(), 1));
        }
        Ok(versions)
    }

    /// `GET /keys`: the keys manifest as received, with its caching headers. Verify it with
    /// `registry_verify::verify_manifest` before using any key in it.
    ///
    /// # Errors
    /// The §11 error of a refused request, or a body over the JSON limit.
    pub async fn fetch_keys(&self) -> Result<KeysManifestResponse> {
        let target = Target::new(TargetKind::Keys);
        let call = self.call(Method::GET, KEYS_PATH, &target);
        let reply = success(
            self.transport.execute(&call).await?,
            &target,
            self.registry(),
        )?;
        Ok(KeysManifestResponse {
            cache_control: CacheControl::from_headers(&reply.headers),
            etag: reply
                .headers
                .get(http::header::ETAG)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            body: reply.body,
        })
    }

    /// Sends `call` and parses its 2xx JSON body.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T> {
        let reply: Reply = success(
            self.transport.execute(call).await?,
            call.target,
            call.registry,
        )?;
        serde_json::from_slice(&reply.body)
            .context(InvalidJsonSnafu)
            .map_err(|fault| fault.at(call.target, call.registry, reply.attempts))
    }
}

/// The `If-None-Match` value for an ETag or a bare digest; `None` when it cannot be a header.
fn if_none_match(etag: &str) -> Option<HeaderValue> {
    let etag = etag.trim();
    let quoted = if etag.starts_with('"') || etag.starts_with("W/\"") {
        etag.to_owned()
    } else {
        format!("\"{etag}\"")
    };
    HeaderValue::from_str(&quoted).ok()
}

/// Bodies up to this size are canonicalized on the task that fetched them (about 2 ms of
/// work); larger ones on tokio's blocking pool, so that a 10 MiB pack (about 100 ms) does not
/// stall the other requests of the runtime.
const INLINE_CANONICALIZE_MAX: usize = 256 * 1024;

/// The canonical form of a fetched body, computed where it does not block the runtime.
async fn canonicalize_off_the_reactor(body: &Bytes) -> Result<CanonicalPack, CanonicalizeError> {
    let options = StrictOptions::default();
    if body.len() <= INLINE_CANONICALIZE_MAX {
        return CanonicalPack::from_yaml(body, &options);
    }
    let owned = body.clone();
    match tokio::task::spawn_blocking(move || CanonicalPack::from_yaml(&owned, &options)).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // The runtime is shutting down and dropped the task: do the same work here.
        Err(_) => CanonicalPack::from_yaml(body, &options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_quoted_once() {
        let digest = "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070";
        assert_eq!(
            if_none_match(digest).unwrap(),
            format!("\"{digest}\"").as_str()
        );
        assert_eq!(
            if_none_match(&format!("\"{digest}\"")).unwrap(),
            format!("\"{digest}\"").as_str()
        );
        assert_eq!(if_none_match("W/\"x\"").unwrap(), "W/\"x\"");
        assert!(if_none_match("bad\nvalue").is_none());
    }
}
