//! HTTP statuses mapped to the errors of PROTOCOL §11, with the JSON error bodies read for
//! their codes, reasons and safe versions.

use std::fmt;

use http::StatusCode;
use registry_types::UntrustedText;
use registry_types::wire::{ErrorBody, ErrorCode, RevocationBody};

use crate::body::SizeLimit;
use crate::error::Error;
use crate::request_fault::RequestFault;
use crate::retry::retry_after;
use crate::target::{NotFoundHint, RegistryName, Target};
use crate::transport::Reply;

/// The `error` code of a JSON error body, when it has one the protocol names.
pub(crate) fn error_code(body: &[u8]) -> Option<ErrorCode> {
    serde_json::from_slice::<ErrorBody>(body).ok()?.code()
}

/// Passes a 2xx reply through; maps every other status to its error.
///
/// # Errors
/// The §11 error for the status (see [`error_for`]).
pub(crate) fn success(
    reply: Reply,
    target: &Target,
    registry: &RegistryName,
) -> Result<Reply, Error> {
    if reply.status.is_success() {
        Ok(reply)
    } else {
        Err(error_for(&reply, target, registry))
    }
}

/// The error for a reply whose status is not a success.
///
/// 401 → authentication required, or the token refused when one was sent; 403 → not
/// licensed (`license_expired`, `pack_not_licensed`); 404 → not found, with a hint that
/// fits the target; 410 → revoked with reason and safe version; 413 → too large; 429 →
/// rate limited; 408 and 5xx → server error; anything else (including a 304 that was not
/// asked for) → unexpected status.
pub(crate) fn error_for(reply: &Reply, target: &Target, registry: &RegistryName) -> Error {
    let status = reply.status;
    let fault = match status {
        StatusCode::UNAUTHORIZED if reply.sent_token => RequestFault::TokenRefused,
        StatusCode::UNAUTHORIZED => RequestFault::AuthenticationRequired,
        StatusCode::FORBIDDEN => RequestFault::NotLicensed {
            fault: match error_code(&reply.body) {
                Some(ErrorCode::LicenseExpired) => LicenseFault::LicenseExpired,
                Some(ErrorCode::PackNotLicensed) => LicenseFault::PackNotLicensed,
                _ => LicenseFault::Forbidden,
            },
        },
        StatusCode::NOT_FOUND => RequestFault::NotFound {
            hint: NotFoundHint::for_target(target),
        },
        StatusCode::GONE => {
            // A 410 is a revocation whatever its body says; a body that cannot be read
            // only loses the reason and the safe version.
            let body: RevocationBody = serde_json::from_slice(&reply.body).unwrap_or_default();
            let reason = body
                .reason
                .as_deref()
                .map(UntrustedText::new)
                .filter(|reason| !reason.is_empty())
                .unwrap_or_else(|| UntrustedText::new("no reason given"));
            RequestFault::Revoked {
                reason,
                safe_version: body.safe_version.as_deref().map(UntrustedText::new),
            }
        }
        StatusCode::PAYLOAD_TOO_LARGE => RequestFault::TooLarge {
            limit: SizeLimit::RejectedByServer,
        },
        StatusCode::TOO_MANY_REQUESTS => RequestFault::RateLimited {
            retry_after: retry_after(&reply.headers, std::time::SystemTime::now()),
        },
        _ if status == StatusCode::REQUEST_TIMEOUT || status.is_server_error() => {
            RequestFault::ServerError { status }
        }
        _ => RequestFault::UnexpectedStatus { status },
    };
    fault.at(target, registry, reply.attempts)
}

/// Why a 403 was returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LicenseFault {
    /// `license_expired`.
    LicenseExpired,
    /// `pack_not_licensed`.
    PackNotLicensed,
    /// Another or no error code.
    Forbidden,
}

impl fmt::Display for LicenseFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LicenseFault::LicenseExpired => "the license has expired (license_expired)",
            LicenseFault::PackNotLicensed => "the pack is not licensed (pack_not_licensed)",
            LicenseFault::Forbidden => "access is forbidden",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::TargetKind;
    use bytes::Bytes;
    use http::HeaderMap;

    fn reply(status: u16, body: &str, sent_token: bool) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
            url: "http://127.0.0.1/v1/keys".parse().unwrap(),
            attempts: 2,
            sent_token,
        }
    }

    fn map_for(kind: TargetKind, status: u16, body: &str, sent_token: bool) -> Error {
        error_for(
            &reply(status, body, sent_token),
            &Target::new(kind),
            &RegistryName::new("http://127.0.0.1/v1"),
        )
    }

    fn map(status: u16, body: &str) -> Error {
        map_for(TargetKind::Keys, status, body, false)
    }

    /// The whole chain, as the CLI prints it.
    fn report(error: &Error) -> String {
        snafu::Report::from_error(error).to_string()
    }

    #[test]
    fn statuses_map_to_the_protocol_errors() {
        assert!(matches!(
            map(401, "").fault(),
            Some(RequestFault::AuthenticationRequired)
        ));
        assert!(matches!(
            map(403, r#"{"error":"license_expired"}"#).fault(),
            Some(RequestFault::NotLicensed {
                fault: LicenseFault::LicenseExpired,
            })
        ));
        assert!(matches!(
            map(403, r#"{"error":"pack_not_licensed"}"#).fault(),
            Some(RequestFault::NotLicensed {
                fault: LicenseFault::PackNotLicensed,
            })
        ));
        assert!(matches!(
            map(403, "<html>").fault(),
            Some(RequestFault::NotLicensed {
                fault: LicenseFault::Forbidden,
            })
        ));
        assert!(map(404, "").is_not_found());
        assert!(matches!(
            map(413, "").fault(),
            Some(RequestFault::TooLarge {
                limit: SizeLimit::RejectedByServer,
            })
        ));
        assert!(matches!(
            map(429, ""),
            Error::Request {
                attempts: 2,
                source: RequestFault::RateLimited { retry_after: None },
                ..
            }
        ));
        assert!(matches!(
            map(503, ""),
            Error::Request {
                attempts: 2,
                source: RequestFault::ServerError { .. },
                ..
            }
        ));
        assert!(matches!(
            map(408, "").fault(),
            Some(RequestFault::ServerError { .. })
        ));
        assert!(matches!(
            map(418, "").fault(),
            Some(RequestFault::UnexpectedStatus { .. })
        ));
    }

    #[test]
    fn revocations_carry_reason_and_safe_version() {
        let error = map(
            410,
            r#"{"error":"security_revocation","reason":"key leak\u001b[31m","safe_version":"1.2.1"}"#,
        );
        assert_eq!(error.revocation(), Some(("key leak[31m", Some("1.2.1"))));
        let text = report(&error);
        assert!(text.contains("key leak[31m"), "{text}");
        assert!(text.contains("use version 1.2.1 instead"), "{text}");
        // Whether a revoked cached copy may be used is the resolver's advice to give.
        assert!(!text.contains("ASSAY_ALLOW_REVOKED"), "{text}");
        assert!(!text.contains("allow-revoked"), "{text}");
        assert_eq!(map(410, "").revocation(), Some(("no reason given", None)));
    }

    /// A 404 on `/keys` said "check the pack name and version", found against an
    /// independent registry; the hint now fits the target.
    #[test]
    fn issue_8_a_404_hint_fits_the_target() {
        let keys = report(&map(404, ""));
        assert!(!keys.contains("pack name"), "{keys}");
        assert!(keys.contains("keys manifest at /keys"), "{keys}");
        let coordinates = crate::target::PackCoordinates::new(
            None,
            &registry_types::PackName::parse("a").unwrap(),
            &registry_types::Version::parse("1.0.0").unwrap(),
        );
        let pack = report(&map_for(TargetKind::Pack(coordinates), 404, "", false));
        assert!(pack.contains("check the pack name and version"), "{pack}");
        let listing = report(&map_for(
            TargetKind::Listing { namespace: None },
            404,
            "",
            false,
        ));
        assert!(listing.contains("check the registry URL"), "{listing}");
    }

    /// A 401 after a token was sent said "set ASSAY_REGISTRY_TOKEN", found against an
    /// independent registry; it now says the token was refused.
    #[test]
    fn issue_8_a_401_to_a_sent_token_says_it_was_refused() {
        let refused = map_for(TargetKind::Keys, 401, "", true);
        assert!(
            matches!(refused.fault(), Some(RequestFault::TokenRefused)),
            "{refused:?}"
        );
        let text = report(&refused);
        assert!(text.contains("refused the token"), "{text}");
        assert!(!text.contains("set ASSAY_REGISTRY_TOKEN"), "{text}");
        let anonymous = report(&map(401, ""));
        assert!(
            anonymous.contains("set ASSAY_REGISTRY_TOKEN"),
            "{anonymous}"
        );
    }
}
