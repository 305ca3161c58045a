//! Building responses: JSON bodies, the JSON error format, and the header values shared by all.

use http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use registry_types::wire::{ErrorBody, ErrorCode, JSON_MEDIA_TYPE};
use serde::Serialize;

use crate::body::ResponseBody;

/// A response as this server builds it.
pub(crate) type Reply = Response<ResponseBody>;

/// A response with `status` and no body.
pub(crate) fn empty(status: StatusCode) -> Reply {
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = status;
    response
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Reply {
    // Serializing the server's own response types cannot fail.
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_MEDIA_TYPE));
    response
}

/// An error in the JSON format of PROTOCOL §6: `{"error": code, "message": text}`.
pub(crate) fn error(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Reply {
    json(status, &ErrorBody::new(code, message))
}

/// 400 `invalid_request`.
pub(crate) fn bad_request(message: impl Into<String>) -> Reply {
    error(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, message)
}

/// 404 `not_found`.
pub(crate) fn not_found(what: impl std::fmt::Display) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        format!("{what} not found"),
    )
}

/// 401 with `WWW-Authenticate: Bearer`.
pub(crate) fn unauthorized(code: ErrorCode, message: impl Into<String>) -> Reply {
    let mut response = error(StatusCode::UNAUTHORIZED, code, message);
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"assay-registry\""),
    );
    response
}

/// 405 for a method that the path does not support.
pub(crate) fn method_not_allowed(allow: &'static str) -> Reply {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("use {allow}"),
    );
    response
        .headers_mut()
        .insert(http::header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// 429 with an optional `Retry-After`.
pub(crate) fn too_many_requests(retry_after: Option<String>) -> Reply {
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        "too many requests (injected fault)",
    );
    if let Some(value) = retry_after.and_then(|value| HeaderValue::from_str(&value).ok()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// 503 with `Retry-After: 0`.
pub(crate) fn service_unavailable() -> Reply {
    let mut response = error(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::ServiceUnavailable,
        "service unavailable (injected fault)",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("0"));
    response
}

/// Inserts a header whose value is built from registry data; a value that is not a valid
/// header value is left out rather than failing the response.
pub(crate) fn set_header(response: &mut Reply, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}
