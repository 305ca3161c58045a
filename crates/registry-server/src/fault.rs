//! Fault injection: a typed set of ways to misbehave, for testing clients against a bad registry.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;

/// Faults to inject. `Faults::default()` injects none.
///
/// Status faults (`too_many_requests`, `service_unavailable`, `redirect_to`) apply to every
/// request, before routing, in that order. The others change pack responses (`GET` and,
/// for header faults, `HEAD` of `/packs/{name}/{version}`) and, for the signature faults,
/// the sidecar. The crate docs list what each one does on the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// `X-Pack-Digest` and `ETag` name a digest that is not the pack's.
    pub wrong_digest_header: bool,
    /// The body has an extra top-level key; every header still describes the original pack
    /// (except `Content-Digest`, which matches the bytes sent, as a tampering proxy would
    /// make it).
    pub tamper_body: bool,
    /// The envelope (header and sidecar) carries a signature that does not verify.
    pub bad_signature: bool,
    /// No `X-Pack-Signature`, no `X-Pack-Signature-Endpoint`, and the sidecar answers 404.
    pub missing_signature: bool,
    /// `Content-Digest` is the SHA-256 of other bytes.
    pub wrong_content_digest: bool,
    /// The next N requests answer 429 with [`Self::retry_after`].
    pub too_many_requests: u32,
    /// The `Retry-After` of the 429 answers.
    pub retry_after: RetryAfter,
    /// The next N requests (after the 429s) answer 503, with `Retry-After: 0`.
    pub service_unavailable: u32,
    /// The body is sent in 256-byte chunks, each after a pause this long.
    pub slow_body: Option<Duration>,
    /// The body never ends (chunked, YAML comment lines forever).
    pub endless_body: bool,
    /// The body is 11 MiB (more than the 10 MiB limit), with a `Content-Length`.
    pub oversized_body: bool,
    /// The body is `Content-Encoding: gzip` that inflates to 64 MiB (whatever the request's
    /// `Accept-Encoding`).
    pub gzip_bomb: bool,
    /// Every request answers 307 to the same path and query on this origin (scheme, host and
    /// port are taken from the URL; its path is ignored, so a `base_url()` works too).
    pub redirect_to: Option<String>,
    /// Pack responses carry an 80 KiB `X-Pack-Signature` (over the 64 KiB client limit) and
    /// 40 filler headers of 1 KiB each.
    pub oversized_headers: bool,
    /// A request for one pack gets another served pack (another name), with that pack's own
    /// honest headers and valid signature: a mix-and-match attack.
    pub mix_and_match: bool,
    /// Commercial packs arrive as `X-Pack-Policy: open` with no signature headers, and their
    /// sidecars answer 404: a policy downgrade.
    pub downgrade_policy: bool,
}

/// The `Retry-After` value of injected 429 answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <IMF-fixdate>`, this long from the moment of the answer (rounded up to a
    /// whole second).
    HttpDate(Duration),
    /// No `Retry-After` header.
    Absent,
}

impl Default for RetryAfter {
    /// `Retry-After: 0`, so that retries in tests do not wait.
    fn default() -> Self {
        RetryAfter::Seconds(0)
    }
}

impl RetryAfter {
    /// The header value at `now`, or `None` for [`RetryAfter::Absent`].
    pub(crate) fn header_value(self, now: SystemTime) -> Option<String> {
        match self {
            RetryAfter::Seconds(seconds) => Some(seconds.to_string()),
            RetryAfter::HttpDate(wait) => {
                let at = now + wait;
                let seconds = at
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map(|since| since.as_secs() + u64::from(since.subsec_nanos() > 0))
                    .unwrap_or(0);
                Some(http_date(seconds))
            }
            RetryAfter::Absent => None,
        }
    }
}

/// An IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) fn http_date(unix_seconds: u64) -> String {
    let at = i64::try_from(unix_seconds)
        .ok()
        .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let weekday = at.weekday().to_string();
    let month = at.month().to_string();
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        &weekday[..3],
        at.day(),
        &month[..3],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A fault that replaces the whole answer, decided before routing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StatusFault {
    /// 429 with this `Retry-After`.
    TooManyRequests(RetryAfter),
    /// 503.
    ServiceUnavailable,
    /// 307 to this origin.
    Redirect(String),
}

/// The faults in force and the countdowns of the repeated ones.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    inner: Mutex<Countdown>,
}

#[derive(Debug, Default)]
struct Countdown {
    faults: Faults,
    too_many_requests_left: u32,
    service_unavailable_left: u32,
}

impl FaultState {
    /// State for `faults`, with full countdowns.
    pub(crate) fn new(faults: Faults) -> Self {
        let state = FaultState::default();
        state.set(faults);
        state
    }

    /// Replaces the faults and restarts the countdowns.
    pub(crate) fn set(&self, faults: Faults) {
        let mut inner = self.lock();
        inner.too_many_requests_left = faults.too_many_requests;
        inner.service_unavailable_left = faults.service_unavailable;
        inner.faults = faults;
    }

    /// The faults in force.
    pub(crate) fn current(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// The status fault for the next request, counting it down.
    pub(crate) fn next_status_fault(&self) -> Option<StatusFault> {
        let mut inner = self.lock();
        if inner.too_many_requests_left > 0 {
            inner.too_many_requests_left -= 1;
            return Some(StatusFault::TooManyRequests(inner.faults.retry_after));
        }
        if inner.service_unavailable_left > 0 {
            inner.service_unavailable_left -= 1;
            return Some(StatusFault::ServiceUnavailable);
        }
        inner.faults.redirect_to.clone().map(StatusFault::Redirect)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Countdown> {
        // The lock is never held across code that can panic, but a poisoned lock still
        // holds consistent data, so recover it rather than fail every later request.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The origin (`scheme://host[:port]`) of an absolute URL, or the text as it is when it has
/// no `://`.
pub(crate) fn origin_of(url: &str) -> &str {
    match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            &url[..scheme_end + 3 + authority_len]
        }
        None => url.trim_end_matches('/'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_date_is_imf_fixdate() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn countdowns_run_out_in_order() {
        let state = FaultState::new(Faults {
            too_many_requests: 2,
            service_unavailable: 1,
            ..Faults::default()
        });
        let seen: Vec<_> = (0..4).map(|_| state.next_status_fault()).collect();
        assert_eq!(
            seen,
            [
                Some(StatusFault::TooManyRequests(RetryAfter::Seconds(0))),
                Some(StatusFault::TooManyRequests(RetryAfter::Seconds(0))),
                Some(StatusFault::ServiceUnavailable),
                None
            ]
        );
    }

    #[test]
    fn origin_drops_the_path() {
        assert_eq!(origin_of("http://127.0.0.1:9/v1"), "http://127.0.0.1:9");
        assert_eq!(origin_of("https://h:1"), "https://h:1");
        assert_eq!(origin_of("https://h:1/?x"), "https://h:1");
    }
}
