//! HTTP statuses mapped to the errors of PROTOCOL §11, with the JSON error bodies read for
//! their codes, reasons and safe versions.

use http::StatusCode;
use registry_types::wire::{ErrorBody, ErrorCode, RevocationBody};

use crate::error::{Error, LicenseProblem, SizeLimit};
use crate::retry::retry_after;
use crate::target::{RegistryName, Target};
use crate::transport::Reply;

/// The `error` code of a JSON error body, when it has one the protocol names.
pub(crate) fn error_code(body: &[u8]) -> Option<ErrorCode> {
    serde_json::from_slice::<ErrorBody>(body).ok()?.code()
}

/// Registry text shown in an error: at most 200 characters, control characters removed, so
/// that a hostile registry cannot forge terminal output.
pub(crate) fn shown(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
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
/// 401 → authentication required; 403 → not licensed (`license_expired`,
/// `pack_not_licensed`); 404 → not found; 410 → revoked with reason and safe version; 413 →
/// too large; 429 → rate limited; 408 and 5xx → server error; anything else (including a
/// 304 that was not asked for) → unexpected status.
pub(crate) fn error_for(reply: &Reply, target: &Target, registry: &RegistryName) -> Error {
    let (target, registry) = (target.clone(), registry.clone());
    let status = reply.status;
    match status {
        StatusCode::UNAUTHORIZED => Error::AuthenticationRequired { target, registry },
        StatusCode::FORBIDDEN => {
            let problem = match error_code(&reply.body) {
                Some(ErrorCode::LicenseExpired) => LicenseProblem::LicenseExpired,
                Some(ErrorCode::PackNotLicensed) => LicenseProblem::PackNotLicensed,
                _ => LicenseProblem::Forbidden,
            };
            Error::NotLicensed {
                target,
                registry,
                problem,
            }
        }
        StatusCode::NOT_FOUND => Error::NotFound { target, registry },
        StatusCode::GONE => {
            // A 410 is a revocation whatever its body says; a body that cannot be read
            // only loses the reason and the safe version.
            let body: RevocationBody = serde_json::from_slice(&reply.body).unwrap_or_default();
            Error::Revoked {
                target,
                registry,
                reason: body
                    .reason
                    .as_deref()
                    .map(shown)
                    .filter(|reason| !reason.is_empty())
                    .unwrap_or_else(|| "no reason given".to_owned()),
                safe_version: body.safe_version.as_deref().map(shown),
            }
        }
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge {
            target,
            registry,
            limit: SizeLimit::RejectedByServer,
        },
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
            target,
            registry,
            attempts: reply.attempts,
            retry_after: retry_after(&reply.headers, std::time::SystemTime::now()),
        },
        _ if status == StatusCode::REQUEST_TIMEOUT || status.is_server_error() => {
            Error::ServerError {
                target,
                registry,
                status,
                attempts: reply.attempts,
            }
        }
        _ => Error::UnexpectedStatus {
            target,
            registry,
            status,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::TargetKind;
    use bytes::Bytes;
    use http::HeaderMap;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
            url: "http://127.0.0.1/v1/keys".parse().unwrap(),
            attempts: 2,
        }
    }

    fn map(status: u16, body: &str) -> Error {
        let target = Target::new(TargetKind::Keys);
        error_for(
            &reply(status, body),
            &target,
            &RegistryName::new("http://127.0.0.1/v1"),
        )
    }

    #[test]
    fn statuses_map_to_the_protocol_errors() {
        assert!(matches!(map(401, ""), Error::AuthenticationRequired { .. }));
        assert!(matches!(
            map(403, r#"{"error":"license_expired"}"#),
            Error::NotLicensed {
                problem: LicenseProblem::LicenseExpired,
                ..
            }
        ));
        assert!(matches!(
            map(403, r#"{"error":"pack_not_licensed"}"#),
            Error::NotLicensed {
                problem: LicenseProblem::PackNotLicensed,
                ..
            }
        ));
        assert!(matches!(
            map(403, "<html>"),
            Error::NotLicensed {
                problem: LicenseProblem::Forbidden,
                ..
            }
        ));
        assert!(map(404, "").is_not_found());
        assert!(matches!(
            map(413, ""),
            Error::TooLarge {
                limit: SizeLimit::RejectedByServer,
                ..
            }
        ));
        assert!(matches!(
            map(429, ""),
            Error::RateLimited {
                attempts: 2,
                retry_after: None,
                ..
            }
        ));
        assert!(matches!(
            map(503, ""),
            Error::ServerError { attempts: 2, .. }
        ));
        assert!(matches!(map(408, ""), Error::ServerError { .. }));
        assert!(matches!(map(418, ""), Error::UnexpectedStatus { .. }));
    }

    #[test]
    fn revocations_carry_reason_and_safe_version() {
        let error = map(
            410,
            r#"{"error":"security_revocation","reason":"key leak\u001b[31m","safe_version":"1.2.1"}"#,
        );
        assert_eq!(error.revocation(), Some(("key leak[31m", Some("1.2.1"))));
        let text = error.to_string();
        assert!(text.contains("use version 1.2.1 instead"), "{text}");
        assert!(text.contains("ASSAY_ALLOW_REVOKED=forensics"), "{text}");
        assert_eq!(map(410, "").revocation(), Some(("no reason given", None)));
    }
}
