//! Which failures are retried, how long to wait (exponential back-off with jitter), and
//! `Retry-After` in both of its forms.

use std::time::{Duration, SystemTime};

use http::header::RETRY_AFTER;
use http::{HeaderMap, StatusCode};
use ring::rand::{SecureRandom, SystemRandom};

use crate::config::RetryPolicy;

/// Whether a status is worth another attempt: 408, 429, 500, 502, 503 and 504.
///
/// 401, 403, 404, 410 and 413 are final; so is every other status.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// The back-off before retry number `retry` (1-based): `min(max_delay, base_delay × 2ʳ⁻¹)`,
/// of which a random half is kept (so that clients that failed together spread out).
pub(crate) fn backoff(policy: &RetryPolicy, retry: u32) -> Duration {
    let step = exponential(policy.base_delay, policy.max_delay, retry);
    let half = step / 2;
    half + half.mul_f64(random_fraction())
}

/// `min(cap, base × 2ⁿ⁻¹)` without overflow; `n` is 1-based.
pub(crate) fn exponential(base: Duration, cap: Duration, n: u32) -> Duration {
    let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
    base.checked_mul(factor).unwrap_or(cap).min(cap)
}

/// A number in `[0, 1)` from the system's random generator (0.5 should it fail).
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 4];
    match SystemRandom::new().fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

/// The wait a `Retry-After` header asks for, in seconds or as an HTTP date (RFC 9110
/// §10.2.3), measured from `now`. A date in the past is no wait; a malformed value is
/// ignored (`None`), so the ordinary back-off applies.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        // An absurdly long number is still a request to wait very long: saturate.
        let seconds = text.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value.parse().unwrap());
        headers
    }

    #[test]
    fn statuses() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(
                is_retryable_status(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
        for status in [200, 304, 400, 401, 403, 404, 410, 413, 501, 505] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let policy = RetryPolicy {
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            ..RetryPolicy::default()
        };
        let steps: Vec<u64> = (1..=7)
            .map(|n| exponential(policy.base_delay, policy.max_delay, n).as_secs())
            .collect();
        assert_eq!(steps, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(
            exponential(policy.base_delay, policy.max_delay, 200).as_secs(),
            30
        );
        for retry in 1..=6 {
            let step = exponential(policy.base_delay, policy.max_delay, retry);
            let wait = backoff(&policy, retry);
            assert!(wait >= step / 2 && wait <= step, "{wait:?} for {step:?}");
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            retry_after(&headers("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(retry_after(&headers("0"), now), Some(Duration::ZERO));
        assert_eq!(
            retry_after(&headers("99999999999999999999999"), now),
            Some(Duration::from_secs(u64::MAX))
        );
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777; the three RFC 9110 forms.
        for date in [
            "Sun, 06 Nov 1994 08:50:37 GMT",
            "Sunday, 06-Nov-94 08:50:37 GMT",
            "Sun Nov  6 08:50:37 1994",
        ] {
            assert_eq!(
                retry_after(&headers(date), now),
                Some(Duration::from_secs(60)),
                "{date}"
            );
        }
        assert_eq!(
            retry_after(&headers("Sun, 06 Nov 1994 08:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("-5"), now), None);
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
