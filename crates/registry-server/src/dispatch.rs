//! Dispatch: status faults first, then the route, the method and the authorization.

use std::convert::Infallible;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderValue, LOCATION};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Incoming};
use registry_types::wire::ErrorCode;

use crate::bearer::{TokenHash, bearer_token};
use crate::body::ResponseBody;
use crate::catalog::{Catalog, PackEntry};
use crate::config::SidecarAdvertisement;
use crate::fault::{FaultState, StatusFault, origin_of};
use crate::oidc::{self, AccessTokens, OidcConfig};
use crate::record::Recorder;
use crate::reply::{self, Reply};
use crate::route::{self, Route, RouteFault};
use crate::{listing, pack_reply};

/// The largest request body read (the OIDC exchange's JSON); larger ones get 413.
pub const MAX_REQUEST_BODY_BYTES: usize = 64 * 1024;

/// What every request handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) catalog: Catalog,
    pub(crate) faults: FaultState,
    pub(crate) recorder: Recorder,
    pub(crate) access_tokens: AccessTokens,
    pub(crate) settings: Settings,
    /// The signed keys manifest (a bare DSSE envelope).
    pub(crate) keys_manifest: Bytes,
    /// `scheme://host:port`.
    pub(crate) origin: String,
}

/// The parts of the configuration that handlers read. Tokens are kept only as hashes, so
/// that they are compared in constant time and never shown by `Debug`.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) tokens: Vec<TokenHash>,
    pub(crate) unlicensed_tokens: Vec<TokenHash>,
    pub(crate) requires_auth: bool,
    pub(crate) oidc: Option<OidcConfig>,
    pub(crate) signature_header_max: usize,
    pub(crate) sidecar_advertisement: SidecarAdvertisement,
    pub(crate) pack_max_age: Duration,
    pub(crate) keys_max_age: Duration,
}

/// Answers one request.
pub(crate) async fn handle(
    shared: &Shared,
    connection: u64,
    request: Request<Incoming>,
) -> Result<Reply, Infallible> {
    shared.recorder.request(&request, connection);
    let head = request.method() == Method::HEAD;
    let mut response = answer(shared, request).await;
    if head {
        strip_body(&mut response);
    }
    Ok(response)
}

async fn answer(shared: &Shared, request: Request<Incoming>) -> Reply {
    let path = request.uri().path().to_owned();
    let route = match route::parse(&path) {
        Ok(route) => route,
        Err(RouteFault::Unknown) => return reply::not_found(format!("path {path}")),
        Err(RouteFault::InvalidName(name)) => {
            return reply::bad_request(format!("{name:?} is not a valid pack name or namespace"));
        }
    };
    if route != Route::GithubIdToken
        && let Some(fault) = shared.faults.next_status_fault()
    {
        return status_fault(fault, &request);
    }
    let read_only = matches!(*request.method(), Method::GET | Method::HEAD);
    let query = request.uri().query();
    match route {
        Route::OidcExchange => {
            if request.method() != Method::POST {
                return reply::method_not_allowed("POST");
            }
            exchange(shared, request).await
        }
        _ if !read_only => reply::method_not_allowed("GET, HEAD"),
        Route::GithubIdToken => {
            let Some(config) = &shared.settings.oidc else {
                return reply::not_found("the GitHub ID-token endpoint");
            };
            let audience = match route::query_param(query, "audience") {
                None => None,
                Some(Some(audience)) => Some(audience),
                Some(None) => return reply::bad_request("the audience is not percent-encoded"),
            };
            oidc::github_id_token(config, authorization(&request), audience, &shared.origin)
        }
        Route::Keys => listing::keys(shared),
        Route::List { namespace } => listing::list(shared, namespace.as_ref(), query),
        Route::Versions { namespace, name } => listing::versions(shared, namespace.as_ref(), &name),
        Route::Pack {
            namespace,
            name,
            segment,
        } => pack_reply::pack_or_sidecar(shared, &request, namespace.as_ref(), &name, &segment),
    }
}

/// The answer to an injected status fault.
fn status_fault(fault: StatusFault, request: &Request<Incoming>) -> Reply {
    match fault {
        StatusFault::TooManyRequests(retry_after) => {
            reply::too_many_requests(retry_after.header_value(SystemTime::now()))
        }
        StatusFault::ServiceUnavailable => reply::service_unavailable(),
        StatusFault::Redirect(target) => {
            let path_and_query = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
            let location = format!("{}{path_and_query}", origin_of(&target));
            let mut response = reply::empty(StatusCode::TEMPORARY_REDIRECT);
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(LOCATION, value);
            }
            response
        }
    }
}

/// Reads the exchange body within [`MAX_REQUEST_BODY_BYTES`] and exchanges the token.
async fn exchange(shared: &Shared, request: Request<Incoming>) -> Reply {
    let Some(config) = &shared.settings.oidc else {
        return reply::not_found("the OIDC exchange");
    };
    let body = request.into_body();
    let too_large = || {
        reply::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the body is over {MAX_REQUEST_BODY_BYTES} bytes"),
        )
    };
    if body
        .size_hint()
        .lower()
        .try_into()
        .is_ok_and(|lower: usize| lower > MAX_REQUEST_BODY_BYTES)
    {
        return too_large();
    }
    let body = match Limited::new(body, MAX_REQUEST_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return too_large(),
    };
    oidc::exchange(config, &shared.access_tokens, &body, &shared.origin)
}

/// The `Authorization` header, when it is text.
pub(crate) fn authorization<B>(request: &Request<B>) -> Option<&str> {
    request.headers().get(AUTHORIZATION)?.to_str().ok()
}

/// The refusal, if `request` may not read `entry`: open packs are always readable;
/// commercial packs need a licensed token when the server requires tokens, and a licence
/// that has not lapsed.
pub(crate) fn authorize<B>(
    shared: &Shared,
    request: &Request<B>,
    entry: &PackEntry,
) -> Option<Reply> {
    if !entry.policy.requires_signature() {
        return None;
    }
    let settings = &shared.settings;
    if settings.requires_auth {
        let Some(token) = authorization(request).and_then(bearer_token) else {
            return Some(reply::unauthorized(
                ErrorCode::AuthenticationRequired,
                format!("pack '{}' requires authentication", entry.name),
            ));
        };
        if TokenHash::is_any_of(token, &settings.unlicensed_tokens) {
            return Some(reply::error(
                StatusCode::FORBIDDEN,
                ErrorCode::PackNotLicensed,
                format!("this token holds no licence for pack '{}'", entry.name),
            ));
        }
        // Both checks run every time, so that timing does not tell which kind of token
        // was guessed.
        let configured = TokenHash::is_any_of(token, &settings.tokens);
        let issued = shared.access_tokens.is_valid(token);
        let known = configured | issued;
        if !known {
            return Some(reply::unauthorized(
                ErrorCode::InvalidToken,
                "the token is unknown or has expired",
            ));
        }
    }
    if entry.meta.license_expired {
        return Some(reply::error(
            StatusCode::FORBIDDEN,
            ErrorCode::LicenseExpired,
            format!("the licence for pack '{}' has expired", entry.name),
        ));
    }
    None
}

/// Turns a GET answer into the HEAD answer: same headers, no body, and the length the body
/// would have had (except on a 304, which has no body to measure, as for GET).
fn strip_body(response: &mut Reply) {
    let length = hyper::body::Body::size_hint(response.body()).exact();
    if let Some(length) = length
        && response.status() != StatusCode::NOT_MODIFIED
        && !response.headers().contains_key(CONTENT_LENGTH)
    {
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    *response.body_mut() = ResponseBody::empty();
}
