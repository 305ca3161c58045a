//! Comparing a lockfile with resolved packs: every kind of mismatch, and what is not one.

use registry_lock::{LockMismatch, LockOrigin, LockSource, Lockfile, RegistryOrigin};
use registry_types::BaseUrl;

use crate::sample::{at, bundled, byos, digest, registry};

fn lockfile() -> Lockfile {
    Lockfile::new(
        at("2026-01-29T10:00:00Z"),
        [
            registry("eu-ai-act-pro", "1.2.0", None),
            bundled("eu-ai-act-baseline", "1.0.0"),
            byos("custom-rules", "s3://bucket/custom.yaml"),
        ],
    )
}

fn resolved_as_locked() -> Vec<registry_lock::LockedPack> {
    lockfile().packs().cloned().collect()
}

#[test]
fn identical_packs_match() {
    let result = lockfile().compare(&resolved_as_locked());
    assert!(result.is_ok() && result.is_exact());
    let matched: Vec<String> = result.matched().iter().map(ToString::to_string).collect();
    assert_eq!(
        matched,
        [
            "custom-rules@1.0.0",
            "eu-ai-act-baseline@1.0.0",
            "eu-ai-act-pro@1.2.0"
        ]
    );
}

#[test]
fn a_new_fetch_time_or_etag_is_not_a_mismatch() {
    let mut resolved = resolved_as_locked();
    if let LockOrigin::Registry(origin) = &mut resolved[2].origin {
        origin.fetched_at = Some(at("2027-01-01T00:00:00Z"));
        origin.etag = None;
    }
    assert!(lockfile().compare(&resolved).is_exact());
}

#[test]
fn a_changed_digest_is_a_mismatch_with_both_digests_never_a_missing_pack() {
    let mut resolved = resolved_as_locked();
    resolved[2].digest = digest('d');
    let result = lockfile().compare(&resolved);
    assert!(!result.is_ok());
    assert_eq!(
        result.mismatches(),
        [LockMismatch::DigestDiffers {
            key: resolved[2].key(),
            locked: digest('a'),
            resolved: digest('d'),
        }]
    );
    let message = result.mismatches()[0].to_string();
    assert!(
        message.starts_with("eu-ai-act-pro@1.2.0: digest differs"),
        "{message}"
    );
    assert!(
        message.contains(&digest('a').to_string()) && message.contains(&digest('d').to_string())
    );
    assert!(message.contains("update the lockfile"), "{message}");
}

#[test]
fn a_changed_source_is_a_mismatch() {
    let mut resolved = resolved_as_locked();
    resolved[1].origin = LockOrigin::Local;
    let result = lockfile().compare(&resolved);
    assert_eq!(
        result.mismatches(),
        [LockMismatch::SourceDiffers {
            key: resolved[1].key(),
            locked: LockSource::Bundled,
            resolved: LockSource::Local,
        }]
    );
    assert!(result.mismatches()[0].is_error());
}

#[test]
fn a_changed_or_dropped_signing_key_is_a_mismatch() {
    let mut resolved = resolved_as_locked();
    resolved[2].signature.as_mut().expect("signed").key_id = digest('e');
    let result = lockfile().compare(&resolved);
    assert!(matches!(
        result.mismatches(),
        [LockMismatch::KeyIdDiffers { locked: Some(_), resolved: Some(id), .. }] if *id == digest('e')
    ));

    resolved[2].signature = None;
    let result = lockfile().compare(&resolved);
    assert!(matches!(
        result.mismatches(),
        [LockMismatch::KeyIdDiffers {
            locked: Some(_),
            resolved: None,
            ..
        }]
    ));
    assert!(!result.is_ok());
    assert!(
        result.mismatches()[0]
            .to_string()
            .ends_with("resolved unsigned")
    );
}

#[test]
fn requested_but_not_locked_is_an_error_and_locked_but_not_requested_a_warning() {
    let mut resolved = resolved_as_locked();
    resolved.remove(1);
    // Another version of a locked pack is another pack.
    resolved.push(registry("eu-ai-act-pro", "1.3.0", None));
    let result = lockfile().compare(&resolved);
    let kinds: Vec<(String, bool)> = result
        .mismatches()
        .iter()
        .map(|m| (m.key().to_string(), m.is_error()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("eu-ai-act-baseline@1.0.0".to_owned(), false),
            ("eu-ai-act-pro@1.3.0".to_owned(), true),
        ]
    );
    assert!(matches!(
        result.mismatches()[0],
        LockMismatch::NotRequested { .. }
    ));
    assert!(matches!(
        result.mismatches()[1],
        LockMismatch::NotLocked { .. }
    ));
    assert!(!result.is_ok());

    let only_warning = lockfile().compare(&resolved_as_locked()[..2]);
    assert!(only_warning.is_ok() && !only_warning.is_exact());
    assert_eq!(only_warning.warnings().count(), 1);
}

#[test]
fn a_namespaced_pack_is_another_pack() {
    let resolved = [registry("eu-ai-act-pro", "1.2.0", Some("acme"))];
    let result = Lockfile::new(
        at("2026-01-29T10:00:00Z"),
        [registry("eu-ai-act-pro", "1.2.0", None)],
    )
    .compare(&resolved);
    assert!(matches!(
        result.mismatches(),
        [
            LockMismatch::NotRequested { .. },
            LockMismatch::NotLocked { .. }
        ]
    ));
    assert_eq!(
        result.mismatches()[1].key().to_string(),
        "acme/eu-ai-act-pro@1.2.0"
    );
}

#[test]
fn a_moved_pack_with_the_same_digest_is_a_warning() {
    let mut resolved = resolved_as_locked();
    resolved[0] = byos("custom-rules", "gs://other/custom.yaml");
    if let LockOrigin::Registry(origin) = &mut resolved[2].origin {
        origin.registry_url = Some(BaseUrl::parse("https://mirror.example/v1").expect("url"));
    }
    let result = lockfile().compare(&resolved);
    assert!(matches!(
        result.mismatches(),
        [
            LockMismatch::ByosUrlDiffers { .. },
            LockMismatch::RegistryUrlDiffers { .. }
        ]
    ));
    assert!(result.is_ok());

    // A version 1 entry records no registry, so any registry matches it.
    let mut v1 = registry("eu-ai-act-pro", "1.2.0", None);
    v1.origin = LockOrigin::Registry(RegistryOrigin::default());
    let locked = Lockfile::new(at("2026-01-29T10:00:00Z"), [v1]);
    assert!(
        locked
            .compare(&[registry("eu-ai-act-pro", "1.2.0", None)])
            .is_exact()
    );
}
