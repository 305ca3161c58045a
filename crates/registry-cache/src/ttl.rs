//! Time to live: `expires_at` from a `Cache-Control` header value, pure functions only.
//!
//! An entry expires `max-age` seconds after it was fetched, or [`DEFAULT_TTL`] after when
//! the header gives no `max-age`. `no-cache` and `no-store` make an entry stale at once:
//! the cache still keeps the verified bytes (their identity is their digest), but every
//! use revalidates them with `If-None-Match` first.

use std::time::Duration;

use registry_types::Timestamp;

/// The time to live without a usable `max-age`: 24 hours (PROTOCOL §9).
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The largest `max-age` honoured, in seconds: 2^31, as RFC 9111 §1.2.2 asks of caches
/// that meet a larger value.
pub const MAX_AGE_CAP_SECONDS: u64 = 1 << 31;

/// The `max-age` of a `Cache-Control` header value, if it has a valid one.
///
/// Directives are separated by commas, names are case-insensitive, and the value may be
/// quoted (`max-age="60"`). The first `max-age` counts (RFC 9111 §4.2.1 allows that); a
/// value that is not a decimal number is ignored; a huge value is capped at
/// [`MAX_AGE_CAP_SECONDS`].
pub fn parse_max_age(cache_control: &str) -> Option<Duration> {
    directives(cache_control)
        .find(|(name, _)| name.eq_ignore_ascii_case("max-age"))
        .and_then(|(_, value)| value)
        .and_then(delta_seconds)
        .map(Duration::from_secs)
}

/// The time to live a `Cache-Control` header value gives (`None`: no header).
///
/// `max-age` wins; otherwise `no-cache` or `no-store` give zero; otherwise
/// [`DEFAULT_TTL`].
pub fn time_to_live(cache_control: Option<&str>) -> Duration {
    let Some(header) = cache_control else {
        return DEFAULT_TTL;
    };
    let must_revalidate = directives(header).any(|(name, _)| {
        name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store")
    });
    ttl_from(parse_max_age(header), must_revalidate)
}

/// The rule [`time_to_live`] applies, for callers that parsed `Cache-Control` already:
/// `max-age` when given, else zero when the response must be revalidated (`no-cache`,
/// `no-store`), else [`DEFAULT_TTL`].
pub fn ttl_from(max_age: Option<Duration>, must_revalidate: bool) -> Duration {
    match (max_age, must_revalidate) {
        (Some(max_age), _) => max_age,
        (None, true) => Duration::ZERO,
        (None, false) => DEFAULT_TTL,
    }
}

/// When an entry fetched (or revalidated) at `fetched_at` with this `Cache-Control`
/// header value expires.
///
/// If adding the time to live would pass year 9999, the default TTL is tried, and
/// failing that the entry expires at `fetched_at` (stale at once, the safe side).
pub fn expires_at(fetched_at: Timestamp, cache_control: Option<&str>) -> Timestamp {
    fetched_at
        .checked_add(time_to_live(cache_control))
        .or_else(|| fetched_at.checked_add(DEFAULT_TTL))
        .unwrap_or(fetched_at)
}

/// The `name[=value]` directives of a header value, trimmed, value unquoted.
fn directives(header: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    header.split(',').filter_map(|directive| {
        let directive = directive.trim();
        if directive.is_empty() {
            return None;
        }
        Some(match directive.split_once('=') {
            Some((name, value)) => {
                let value = value.trim();
                let value = value
                    .strip_prefix('"')
                    .and_then(|inner| inner.strip_suffix('"'))
                    .unwrap_or(value);
                (name.trim(), Some(value))
            }
            None => (directive, None),
        })
    })
}

/// RFC 9111 delta-seconds: one or more ASCII digits, capped.
fn delta_seconds(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits, so the only possible parse failure is overflow: cap it.
    Some(text.parse::<u64>().map_or(MAX_AGE_CAP_SECONDS, |seconds| {
        seconds.min(MAX_AGE_CAP_SECONDS)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_max_age_in_its_usual_forms() {
        for (header, seconds) in [
            ("max-age=300", Some(300)),
            ("public, max-age=60", Some(60)),
            ("Max-Age=60, must-revalidate", Some(60)),
            ("max-age = 60", Some(60)),
            ("max-age=\"120\"", Some(120)),
            ("max-age=0", Some(0)),
            ("max-age=1, max-age=2", Some(1)),
            ("max-age=99999999999999999999999", Some(MAX_AGE_CAP_SECONDS)),
            ("max-age=", None),
            ("max-age=-1", None),
            ("max-age=1.5", None),
            ("max-age", None),
            ("s-maxage=60", None),
            ("", None),
        ] {
            assert_eq!(
                parse_max_age(header),
                seconds.map(Duration::from_secs),
                "{header:?}"
            );
        }
    }

    #[test]
    fn time_to_live_defaults_and_revalidation() {
        assert_eq!(time_to_live(None), DEFAULT_TTL);
        assert_eq!(time_to_live(Some("public")), DEFAULT_TTL);
        assert_eq!(time_to_live(Some("no-cache")), Duration::ZERO);
        assert_eq!(time_to_live(Some("No-Store")), Duration::ZERO);
        assert_eq!(
            time_to_live(Some("no-cache, max-age=30")),
            Duration::from_secs(30)
        );
        assert_eq!(DEFAULT_TTL, Duration::from_secs(86_400));
    }

    #[test]
    fn expiry_is_fetch_time_plus_ttl() {
        let fetched = Timestamp::parse("2026-01-29T10:00:00Z").expect("valid");
        assert_eq!(
            expires_at(fetched, Some("max-age=60")).to_string(),
            "2026-01-29T10:01:00Z"
        );
        assert_eq!(
            expires_at(fetched, None).to_string(),
            "2026-01-30T10:00:00Z"
        );
        let late = Timestamp::parse("9999-12-31T00:00:00Z").expect("valid");
        assert_eq!(expires_at(late, Some("max-age=99999999999")), late);
    }
}
