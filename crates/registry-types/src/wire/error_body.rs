//! The JSON error bodies: `{"error": code, "message"?}`, and the 410 revocation body.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The `error` codes the protocol names (PROTOCOL §6, §7) and the reference server sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 400: the request is malformed (also an OIDC exchange refusal).
    InvalidRequest,
    /// 401: a token is needed.
    AuthenticationRequired,
    /// 401: the token (or the OIDC ID token) is unknown, expired or invalid.
    InvalidToken,
    /// 403: the OIDC exchange refuses the subject or scope.
    AccessDenied,
    /// 403: the licence has lapsed.
    LicenseExpired,
    /// 403: the token holds no licence for this pack.
    PackNotLicensed,
    /// 404.
    NotFound,
    /// 405.
    MethodNotAllowed,
    /// 410: the pack was revoked ([`RevocationBody`]).
    SecurityRevocation,
    /// 413.
    PayloadTooLarge,
    /// 429.
    RateLimited,
    /// 500.
    InternalError,
    /// 503.
    ServiceUnavailable,
}

impl ErrorCode {
    /// Every code, for tests and tables.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::InvalidRequest,
        ErrorCode::AuthenticationRequired,
        ErrorCode::InvalidToken,
        ErrorCode::AccessDenied,
        ErrorCode::LicenseExpired,
        ErrorCode::PackNotLicensed,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::SecurityRevocation,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RateLimited,
        ErrorCode::InternalError,
        ErrorCode::ServiceUnavailable,
    ];

    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::AuthenticationRequired => "authentication_required",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::LicenseExpired => "license_expired",
            ErrorCode::PackNotLicensed => "pack_not_licensed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::SecurityRevocation => "security_revocation",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::ServiceUnavailable => "service_unavailable",
        }
    }

    /// The code with this exact spelling, if the protocol names one.
    pub fn from_wire(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == text)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every refusal: `{"error": code, "message"?}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The code, as sent (see [`ErrorBody::code`]).
    #[serde(default)]
    pub error: Option<String>,
    /// Text for people; never branched on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ErrorBody {
    /// A body with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            error: Some(code.as_str().to_owned()),
            message: Some(message.into()),
        }
    }

    /// The code, when it is one the protocol names.
    pub fn code(&self) -> Option<ErrorCode> {
        self.error.as_deref().and_then(ErrorCode::from_wire)
    }
}

/// The body of a 410 for a revoked pack:
/// `{"error": "security_revocation", "reason", "safe_version", "message"?}`.
///
/// Every field may be absent when read: a revocation without a reason is still a
/// revocation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationBody {
    /// [`ErrorCode::SecurityRevocation`], as sent.
    #[serde(default)]
    pub error: Option<String>,
    /// Why the pack was revoked.
    #[serde(default)]
    pub reason: Option<String>,
    /// The version to use instead (written as `null` when there is none).
    #[serde(default)]
    pub safe_version: Option<String>,
    /// Text for people; never branched on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl RevocationBody {
    /// A revocation for `reason`, naming `safe_version` when there is one.
    pub fn new(reason: &str, safe_version: Option<String>, message: impl Into<String>) -> Self {
        RevocationBody {
            error: Some(ErrorCode::SecurityRevocation.as_str().to_owned()),
            reason: Some(reason.to_owned()),
            safe_version,
            message: Some(message.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_wire(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_wire("License_Expired"), None);
    }

    #[test]
    fn bodies_in_the_protocol_shape() {
        let body = ErrorBody::new(ErrorCode::LicenseExpired, "lapsed");
        let text = serde_json::to_string(&body).unwrap();
        assert_eq!(text, r#"{"error":"license_expired","message":"lapsed"}"#);
        let read: ErrorBody = serde_json::from_str(r#"{"error":"x","extra":1}"#).unwrap();
        assert_eq!((read.error.as_deref(), read.code()), (Some("x"), None));
        let revoked = RevocationBody::new("key leak", None, "pack 'a@1.0.0' was revoked");
        assert_eq!(
            serde_json::to_string(&revoked).unwrap(),
            r#"{"error":"security_revocation","reason":"key leak","safe_version":null,"message":"pack 'a@1.0.0' was revoked"}"#
        );
        let read: RevocationBody = serde_json::from_str(r#"{"safe_version":"1.2.1"}"#).unwrap();
        assert_eq!(
            (read.reason, read.safe_version.as_deref()),
            (None, Some("1.2.1"))
        );
    }
}
