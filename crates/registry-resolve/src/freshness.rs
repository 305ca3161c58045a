//! How long a registry response stays fresh: `Cache-Control` as registry-http parsed it,
//! with the cache's default when the registry says nothing.

use registry_cache::ttl::{DEFAULT_TTL, ttl_from};
use registry_http::CacheControl;
use registry_types::Timestamp;

/// When a response fetched at `fetched_at` with `cache_control` must be revalidated:
/// `max-age` when given, at once for `no-store`, else after the default 24 hours. A time
/// past the end of the calendar is clamped to `fetched_at` plus the default.
pub(crate) fn expires_at(fetched_at: Timestamp, cache_control: &CacheControl) -> Timestamp {
    // registry-http keeps `no-store` (not `no-cache`) of the directives that force revalidation.
    let ttl = ttl_from(cache_control.max_age, cache_control.no_store);
    fetched_at
        .checked_add(ttl)
        .or_else(|| fetched_at.checked_add(DEFAULT_TTL))
        .unwrap_or(fetched_at)
}
