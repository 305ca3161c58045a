//! One pooled hyper client and the request loop: timeouts, manual redirects that never carry
//! a token to another origin, retries with back-off, and one re-authentication on a 401.

use std::error::Error as StdError;
use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{
    ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_TYPE, IF_NONE_MATCH, LOCATION, USER_AGENT,
};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use registry_types::UntrustedText;
use registry_types::wire::JSON_MEDIA_TYPE;
use tokio::sync::Semaphore;

use crate::body::{SizeLimit, read_limited};
use crate::config::{HttpVersions, REGISTRY_USER_AGENT, RegistryConfig};
use crate::endpoint::{Origin, check_plain_http, resolve_reference};
use crate::error::Result;
use crate::request_fault::RequestFault;
use crate::retry::{backoff, is_retryable_status, retry_after};
use crate::secret::SecretToken;
use crate::target::{RegistryName, Target};
use crate::tls::{client_config, tls_error_in};

type HyperClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Which token a request carries.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(
    not(feature = "oidc"),
    expect(
        dead_code,
        reason = "only the OIDC exchange sends a request without the registry token"
    )
)]
pub(crate) enum Auth<'a> {
    /// The registry token from the provider, only on hops to the registry's origin.
    Registry,
    /// This token, only on hops to the origin of the request's first URL (a CI system's
    /// ID-token endpoint).
    Bearer(&'a SecretToken),
    /// None.
    Anonymous,
}

/// Whether redirects are followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Redirects {
    /// Followed up to the limit, GET and HEAD only.
    Follow,
    /// Refused (token exchanges).
    Refuse,
}

/// One logical request.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) target: &'a Target,
    /// The registry (or endpoint) that errors name.
    pub(crate) registry: &'a RegistryName,
    pub(crate) accept: &'static str,
    pub(crate) if_none_match: Option<HeaderValue>,
    pub(crate) json_body: Option<Bytes>,
    /// The body limit for a 2xx answer (error bodies get the JSON limit).
    pub(crate) max_body: usize,
    pub(crate) auth: Auth<'a>,
    pub(crate) redirects: Redirects,
}

/// A response with its whole (decoded) body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// The URL that answered (after redirects).
    pub(crate) url: Uri,
    /// How many attempts it took.
    pub(crate) attempts: u32,
    /// Whether the request that got this answer carried a bearer token.
    pub(crate) sent_token: bool,
}

/// The most header fields of an HTTP/1.1 response the client reads (hyper's default).
const MAX_RESPONSE_HEADER_FIELDS: usize = 100;

/// The response-head limit in bytes: the configured one, at least hyper's minimum buffer.
fn response_head_limit(config: &RegistryConfig) -> usize {
    config.limits.max_response_header_bytes.max(8192)
}

/// The pooled client and the configuration it was built from.
#[derive(Debug)]
pub(crate) struct Transport {
    client: HyperClient,
    pub(crate) config: RegistryConfig,
    pub(crate) registry: RegistryName,
    /// The base URL's origin: the only one the registry token is sent to.
    origin: Origin,
    permits: Semaphore,
}

impl Transport {
    /// Builds the one client: rustls over ring, ALPN as configured, keep-alive pool.
    ///
    /// # Errors
    /// The plain-HTTP rule for the base URL, or the TLS configuration.
    pub(crate) fn new(config: RegistryConfig) -> Result<Transport> {
        check_plain_http(&config.base_url, config.plain_http)?;
        let tls = client_config(config.roots, config.ca_bundle.as_ref())?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.timeouts.connect));
        let builder = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        let connector = match config.http_versions {
            HttpVersions::Negotiate => builder.enable_http1().enable_http2().wrap_connector(http),
            HttpVersions::Http1Only => builder.enable_http1().wrap_connector(http),
            HttpVersions::Http2Only => builder.enable_http2().wrap_connector(http),
        };
        let header_limit = response_head_limit(&config);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(config.limits.max_concurrent_requests.max(1))
            .http2_only(config.http_versions == HttpVersions::Http2Only)
            .http1_max_buf_size(header_limit)
            .http2_max_header_list_size(u32::try_from(header_limit).unwrap_or(u32::MAX))
            .build(connector);
        let permits = Semaphore::new(config.limits.max_concurrent_requests.max(1));
        let registry = RegistryName::new(config.base_url.as_str());
        let origin = Origin::of_base(&config.base_url);
        Ok(Transport {
            client,
            config,
            registry,
            origin,
            permits,
        })
    }

    /// Sends `call`, retrying as the policy says and re-authenticating once on a 401.
    /// Returns any response that is not retried (the caller maps its status); a response
    /// that was retried to the end is returned as well, with its attempt count.
    ///
    /// # Errors
    /// Transport failures after the retries, a `Retry-After` past the cap, token errors.
    pub(crate) async fn execute(&self, call: &Call<'_>) -> Result<Reply> {
        let policy = self.config.retry;
        let max_attempts = policy.max_retries.saturating_add(1);
        let mut attempts = 0;
        #[cfg(feature = "oidc")]
        let mut reauthenticated = false;
        loop {
            attempts += 1;
            let token = match call.auth {
                Auth::Registry => self.config.token.current(self).await?,
                Auth::Bearer(_) | Auth::Anonymous => None,
            };
            let wait = match self.attempt(call, token.as_ref()).await {
                Ok(mut reply) => {
                    reply.attempts = attempts;
                    // An OIDC access token the registry refuses is exchanged again, once;
                    // the retry does not count as an attempt.
                    #[cfg(feature = "oidc")]
                    if reply.status == StatusCode::UNAUTHORIZED
                        && !reauthenticated
                        && let Some(token) = &token
                        && self.config.token.invalidate(token).await
                    {
                        reauthenticated = true;
                        attempts -= 1;
                        continue;
                    }
                    if !is_retryable_status(reply.status) {
                        return Ok(reply);
                    }
                    let requested = retry_after(&reply.headers, SystemTime::now());
                    if let Some(wait) = requested.filter(|wait| *wait > policy.retry_after_cap) {
                        let cap = policy.retry_after_cap;
                        let fault = RequestFault::RetryAfterTooLong { wait, cap };
                        return Err(fault.at(call.target, call.registry, attempts));
                    }
                    if attempts >= max_attempts {
                        return Ok(reply);
                    }
                    requested.unwrap_or_else(|| backoff(&policy, attempts))
                }
                Err(fault) => {
                    if !fault.is_retryable() || attempts >= max_attempts {
                        return Err(fault.at(call.target, call.registry, attempts));
                    }
                    backoff(&policy, attempts)
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt within the total timeout, redirects included.
    pub(crate) async fn attempt(
        &self,
        call: &Call<'_>,
        token: Option<&SecretToken>,
    ) -> Result<Reply, RequestFault> {
        // The semaphore is never closed, so acquiring only waits.
        let _permit = self.permits.acquire().await.ok();
        let total = self.config.timeouts.total;
        match tokio::time::timeout(total, self.follow(call, token)).await {
            Ok(result) => result,
            Err(_) => Err(RequestFault::Timeout { after: total }),
        }
    }

    async fn follow(
        &self,
        call: &Call<'_>,
        token: Option<&SecretToken>,
    ) -> Result<Reply, RequestFault> {
        let limits = self.config.limits;
        let registry_origin = &self.origin;
        let first_origin = Origin::of(&call.uri);
        let mut uri = call.uri.clone();
        let mut method = call.method.clone();
        let mut redirects = 0;
        loop {
            let origin = Origin::of(&uri);
            let authorization = match call.auth {
                Auth::Registry => token.filter(|_| origin.as_ref() == Some(registry_origin)),
                Auth::Bearer(token) => Some(token).filter(|_| origin == first_origin),
                Auth::Anonymous => None,
            };
            let request = self.request(call, &method, &uri, authorization);
            let response = self
                .client
                .request(request)
                .await
                .map_err(|error| self.classify(error))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default();
                let refused = |fault| RequestFault::RefusedRedirect {
                    location: UntrustedText::new(location),
                    fault,
                };
                if call.redirects == Redirects::Refuse {
                    return Err(refused(RedirectFault::NotFollowed));
                }
                redirects += 1;
                if redirects > limits.max_redirects {
                    return Err(RequestFault::TooManyRedirects {
                        max: limits.max_redirects,
                    });
                }
                let Some(next) = resolve_reference(&uri, location) else {
                    return Err(refused(RedirectFault::BadLocation));
                };
                let (from, to) = (Origin::of(&uri), Origin::of(&next));
                if from.as_ref().is_some_and(Origin::is_secure)
                    && !to.as_ref().is_some_and(Origin::is_secure)
                {
                    return Err(refused(RedirectFault::Downgrade));
                }
                if !to.is_some_and(|to| to.allowed_by(self.config.plain_http)) {
                    return Err(refused(RedirectFault::Insecure));
                }
                if status == StatusCode::SEE_OTHER {
                    method = Method::GET;
                }
                uri = next;
                continue;
            }
            let (parts, body) = response.into_parts();
            let no_body = method == Method::HEAD
                || status == StatusCode::NOT_MODIFIED
                || status == StatusCode::NO_CONTENT;
            let body = if no_body {
                Bytes::new()
            } else if status.is_success() {
                read_limited(
                    &parts.headers,
                    body,
                    call.max_body,
                    limits.max_compression_ratio,
                )
                .await?
            } else {
                // An error body is only read for its JSON error code; one that is too large,
                // oddly encoded or cut off is dropped, not an error of its own. The status is
                // the answer: a 404 whose body breaks off is still a final 404, not a network
                // error to retry.
                read_limited(
                    &parts.headers,
                    body,
                    limits.max_json_bytes,
                    limits.max_compression_ratio,
                )
                .await
                .unwrap_or_default()
            };
            return Ok(Reply {
                status,
                headers: parts.headers,
                body,
                url: uri,
                attempts: 1,
                sent_token: authorization.is_some(),
            });
        }
    }

    fn request(
        &self,
        call: &Call<'_>,
        method: &Method,
        uri: &Uri,
        token: Option<&SecretToken>,
    ) -> Request<Full<Bytes>> {
        let body = match (method, &call.json_body) {
            (&Method::POST, Some(body)) => body.clone(),
            _ => Bytes::new(),
        };
        let has_body = !body.is_empty();
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method.clone();
        *request.uri_mut() = uri.clone();
        let headers = request.headers_mut();
        headers.insert(USER_AGENT, HeaderValue::from_static(REGISTRY_USER_AGENT));
        headers.insert(ACCEPT, HeaderValue::from_static(call.accept));
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        if has_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_MEDIA_TYPE));
        }
        if let Some(etag) = &call.if_none_match {
            headers.insert(IF_NONE_MATCH, etag.clone());
        }
        if let Some(token) = token {
            headers.insert(AUTHORIZATION, token.bearer_header());
        }
        request
    }

    /// Sorts a client error into TLS, a response head over the limit, a malformed
    /// response, a connect timeout or a network error (only the last two are retried).
    fn classify(&self, error: hyper_util::client::legacy::Error) -> RequestFault {
        if let Some(source) = tls_error_in(&error) {
            return RequestFault::Tls { source };
        }
        let mut current: Option<&(dyn StdError + 'static)> = Some(&error);
        while let Some(cause) = current {
            if let Some(parse) = cause
                .downcast_ref::<hyper::Error>()
                .filter(|hyper| hyper.is_parse())
            {
                // Headers over the size or count limit are a size limit, not bad HTTP.
                if parse.is_parse_too_large() {
                    let limit = SizeLimit::ResponseHead {
                        max_bytes: response_head_limit(&self.config),
                        max_fields: MAX_RESPONSE_HEADER_FIELDS,
                    };
                    return RequestFault::TooLarge { limit };
                }
                return RequestFault::MalformedResponse { source: error };
            }
            if error.is_connect()
                && cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
            {
                let after = self.config.timeouts.connect;
                return RequestFault::Timeout { after };
            }
            current = cause.source();
        }
        RequestFault::Network { source: error }
    }
}

/// Why a redirect was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedirectFault {
    /// From https to http.
    Downgrade,
    /// To plain http on a host that is not loopback, without the insecure opt-in.
    Insecure,
    /// No `Location`, or one that is not a URL.
    BadLocation,
    /// The request (a token exchange) is never redirected.
    NotFollowed,
}

impl fmt::Display for RedirectFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedirectFault::Downgrade => "redirects from https to http are never followed",
            RedirectFault::Insecure => "plain http is only allowed for loopback hosts",
            RedirectFault::BadLocation => "the Location header is missing or not a URL",
            RedirectFault::NotFollowed => "this request is never redirected",
        })
    }
}
