//! The keys-manifest lifecycle: persisted, reused, refreshed; rollback and freeze refused.

use registry_resolve::{Error, ErrorClass, FreezeCheck, PackResolver};

use crate::support::{
    RegistryRoot, ServerKeys, example_registry, hits, resolver_config, scratch, serve_keyed,
};

#[tokio::test]
async fn a_lower_manifest_version_is_a_rollback_and_the_accepted_one_is_kept() {
    let keys = ServerKeys::generate();
    let registry = example_registry();
    let server = serve_keyed(&registry, &keys, None, |config| config.manifest_version = 5).await;
    let addr = server.local_addr();
    let root = RegistryRoot::of(&server);
    let cache = scratch("rollback");
    PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect("fetched with manifest 5");
    server.shutdown().await;

    // The same registry later serves manifest version 3 (signed by the same root).
    let server = serve_keyed(&registry, &keys, Some(addr), |config| {
        config.manifest_version = 3
    })
    .await;
    // A day and more later the persisted manifest's record is stale: it is fetched again.
    let error = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 30))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("rollback");
    assert!(
        matches!(&error, Error::KeysManifest { source, .. } if matches!(
            **source,
            registry_verify::Error::ManifestRollback { version: 3, last_version: 5 }
        )),
        "{error:?}"
    );
    assert_eq!(error.class(), ErrorClass::Integrity);
    assert_eq!(hits(&server, "/keys"), 1);

    // The accepted record was kept: version 5 is still what a reader finds.
    let record = registry_cache::PackCache::new(cache.clone())
        .read_keys(&server.base_url())
        .expect("read")
        .expect("record");
    assert_eq!(record.version, 5);
}

#[tokio::test]
async fn a_clock_behind_the_latest_time_seen_is_refused_unless_the_check_is_waived() {
    let keys = ServerKeys::generate();
    let server = serve_keyed(&example_registry(), &keys, None, |_| {}).await;
    let root = RegistryRoot::of(&server);
    let cache = scratch("freeze");
    PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("eu-ai-act-baseline@1.0.0")
        .await
        .expect("fetched");
    // A day earlier than a time already seen: a frozen or replayed world.
    let error = PackResolver::new(resolver_config(
        &server.base_url(),
        Some(&root),
        &cache,
        -24,
    ))
    .expect("resolver")
    .resolve("eu-ai-act-baseline@1.0.0")
    .await
    .expect_err("freeze");
    assert!(matches!(&error, Error::ClockBehind { .. }), "{error:?}");
    assert!(
        error.to_string().contains("cache clear --registry"),
        "{error}"
    );
    // Within the tolerance (a few minutes of skew) it goes on.
    let mut slightly = resolver_config(&server.base_url(), Some(&root), &cache, 0);
    slightly.clock = std::sync::Arc::new(registry_resolve::FixedClock(
        registry_types::Timestamp::from_unix_seconds(crate::support::at(0).unix_seconds() - 120)
            .expect("time"),
    ));
    PackResolver::new(slightly)
        .expect("resolver")
        .resolve("eu-ai-act-baseline@1.0.0")
        .await
        .expect("skew tolerated");
    // The documented escape hatch for a library user.
    let mut waived = resolver_config(&server.base_url(), Some(&root), &cache, -24);
    waived.freeze = FreezeCheck::IgnoreClockRollback;
    PackResolver::new(waived)
        .expect("resolver")
        .resolve("eu-ai-act-baseline@1.0.0")
        .await
        .expect("waived");
}

#[tokio::test]
async fn a_manifest_not_signed_by_a_configured_root_is_refused() {
    let server = crate::support::serve(&example_registry(), |_| {}).await;
    let cache = scratch("non-root");
    let stranger =
        registry_verify::PrivateKey::generate(registry_verify::Algorithm::Ed25519).expect("key");
    let root = RegistryRoot(registry_verify::RootSpec::Key(stranger.public_key()));
    let error = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("not signed by the root");
    assert!(matches!(&error, Error::KeysManifest { .. }), "{error:?}");
    assert_eq!(error.class(), ErrorClass::Integrity);
    // Nothing was persisted and no pack was cached.
    assert!(
        crate::support::files(&cache).is_empty(),
        "{:?}",
        crate::support::files(&cache)
    );
}

#[tokio::test]
async fn an_expired_manifest_is_refused_even_when_the_registry_still_serves_it() {
    let server = crate::support::serve(&example_registry(), |config| {
        config.manifest_ttl = Some(std::time::Duration::from_secs(3600));
    })
    .await;
    let root = RegistryRoot::of(&server);
    let cache = scratch("expired-manifest");
    // Two hours after start-up the manifest's own expires_at has passed.
    let error = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 2))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("expired");
    assert!(
        matches!(&error, Error::KeysManifest { source, .. } if matches!(
            **source,
            registry_verify::Error::ManifestExpired { .. }
        )),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_unreadable_keys_state_stops_resolution_instead_of_resetting_rollback_protection() {
    let keys = ServerKeys::generate();
    let server = serve_keyed(&example_registry(), &keys, None, |_| {}).await;
    let root = RegistryRoot::of(&server);
    let cache = scratch("unreadable-state");
    PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect("fetched");
    let state = crate::support::files(&cache)
        .into_iter()
        .find(|file| file.ends_with(registry_cache::KEYS_RECORD_FILE))
        .expect("a keys record");
    std::fs::write(cache.join(&state), b"{\"format\": 1, \"truncated").expect("damage");
    let error = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("unreadable state");
    assert!(
        matches!(&error, Error::KeysStateUnreadable { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("cache clear --registry"),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Integrity);
}

#[tokio::test]
async fn a_signer_the_manifest_revokes_or_that_expired_is_not_trusted() {
    use registry_server::SigningKeyListing;
    for (label, listing, hours) in [
        ("revoked", SigningKeyListing::Revoked, 0),
        (
            "expired",
            SigningKeyListing::ExpiresAfter(std::time::Duration::from_secs(3600)),
            2,
        ),
    ] {
        let server = crate::support::serve(&example_registry(), |config| {
            config.signing_key_listing = listing
        })
        .await;
        let root = RegistryRoot::of(&server);
        let cache = scratch(label);
        let error = PackResolver::new(resolver_config(
            &server.base_url(),
            Some(&root),
            &cache,
            hours,
        ))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err(label);
        assert!(matches!(&error, Error::Verify { .. }), "{label}: {error:?}");
        let report = snafu::Report::from_error(&error).to_string();
        assert!(report.contains(label), "{label}: {report}");
        assert_eq!(error.class(), ErrorClass::Integrity);
        assert!(
            !crate::support::files(&cache)
                .iter()
                .any(|file| file.ends_with("pack.yaml")),
            "{label}"
        );
    }
}
