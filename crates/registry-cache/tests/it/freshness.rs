//! Time to live: fresh and stale entries, ETags, and refreshing after a 304.

use registry_cache::{CacheRead, ReadOptions, Refresh, ttl};
use registry_types::{Digest, Timestamp};

use crate::support::{Scratch, Signer, key, now, store_signed};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("valid time")
}

#[test]
fn an_expired_entry_is_served_stale_with_its_etag_until_refreshed() {
    let scratch = Scratch::new("stale");
    let signer = Signer::new();
    let k = key("aging", "1.0.0");
    let digest = store_signed(&scratch.cache, &signer, &k, "x");

    // Stored with max-age=3600 at 10:00.
    let fresh = ReadOptions::new(&signer.trust, at("2026-01-29T10:59:59Z"));
    assert!(matches!(
        scratch.cache.read(&k, &fresh).expect("read"),
        CacheRead::Fresh(_)
    ));
    let later = ReadOptions::new(&signer.trust, at("2026-01-29T11:00:00Z"));
    let stale = match scratch.cache.read(&k, &later).expect("read") {
        CacheRead::Stale(entry) => entry,
        other => panic!("expected a stale entry, got {other:?}"),
    };
    assert_eq!(stale.etag(), Some(format!("\"{digest}\"").as_str()));
    assert_eq!(stale.digest(), &digest);

    // A 304 at 11:00 with max-age=600: metadata changes, pack.yaml is not rewritten.
    let pack_path = scratch.entry_dir(&k).join("pack.yaml");
    let before = identity(&pack_path);
    let expires = ttl::expires_at(at("2026-01-29T11:00:00Z"), Some("max-age=600"));
    assert_eq!(
        scratch
            .cache
            .refresh(&k, &digest, expires)
            .expect("refresh"),
        Refresh::Updated
    );
    assert_eq!(identity(&pack_path), before, "pack.yaml was not rewritten");
    match scratch.cache.read(&k, &later).expect("read") {
        CacheRead::Fresh(entry) => {
            assert_eq!(entry.meta().expires_at, at("2026-01-29T11:10:00Z"));
            assert_eq!(entry.meta().fetched_at, now());
        }
        other => panic!("expected a fresh entry, got {other:?}"),
    }
    let leftovers: Vec<_> = std::fs::read_dir(scratch.entry_dir(&k))
        .expect("list")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 3, "{leftovers:?}");
}

#[test]
fn refresh_changes_only_the_entry_that_was_revalidated() {
    let scratch = Scratch::new("refresh-gone");
    let signer = Signer::new();
    let k = key("moving", "1.0.0");
    let expires = at("2030-01-01T00:00:00Z");
    assert_eq!(
        scratch
            .cache
            .refresh(&k, &Digest::from_sha256_bytes([0; 32]), expires)
            .expect("refresh"),
        Refresh::Gone
    );
    store_signed(&scratch.cache, &signer, &k, "first");
    let newer = store_signed(&scratch.cache, &signer, &k, "second");
    assert_ne!(newer, Digest::from_sha256_bytes([0; 32]));
    assert_eq!(
        scratch
            .cache
            .refresh(&k, &Digest::from_sha256_bytes([0; 32]), expires)
            .expect("refresh"),
        Refresh::Gone,
        "another digest is cached now"
    );
    let read = scratch.cache.read(&k, &signer.options()).expect("read");
    assert_eq!(
        read.entry().expect("entry").meta().expires_at,
        at("2026-01-29T11:00:00Z")
    );
}

#[test]
fn the_ttl_comes_from_cache_control() {
    assert_eq!(
        ttl::expires_at(now(), Some("public, max-age=120")),
        at("2026-01-29T10:02:00Z")
    );
    assert_eq!(ttl::expires_at(now(), None), at("2026-01-30T10:00:00Z"));
    assert_eq!(ttl::expires_at(now(), Some("no-cache")), now());
}

#[cfg(unix)]
fn identity(path: &camino::Utf8Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let metadata = path.symlink_metadata().expect("stat");
    (metadata.ino(), u64::try_from(metadata.mtime()).unwrap_or(0))
}

#[cfg(not(unix))]
fn identity(path: &camino::Utf8Path) -> (u64, u64) {
    (path.symlink_metadata().expect("stat").len(), 0)
}
