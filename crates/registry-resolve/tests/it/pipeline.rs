//! The registry step: cache hit, miss, revalidation, pins, policy downgrade, revocation,
//! offline mode, attacks from the server.

use registry_resolve::{
    CacheMode, CiGate, Delivery, Error, ErrorClass, NetworkMode, PackResolver, ResolveWarning,
    RevokedAdvice, RevokedPolicy, Verification,
};
use registry_server::Faults;
use registry_types::{Digest, PackRef};

use crate::support::{
    RegistryRoot, ServerKeys, example_registry, files, hits, put_pack, resolver_config, scratch,
    serve, serve_keyed,
};

fn registry_ref(text: &str) -> PackRef {
    PackRef::parse(text).expect("reference")
}

const PRO: &str = "/packs/eu-ai-act-pro/1.2.0";

#[tokio::test]
async fn a_miss_is_fetched_verified_and_cached_then_served_from_the_cache() {
    let server = serve(&example_registry(), |_| {}).await;
    let cache = scratch("miss-then-hit");
    let resolver = PackResolver::new(resolver_config(
        &server.base_url(),
        Some(&RegistryRoot::of(&server)),
        &cache,
        0,
    ))
    .expect("resolver");
    let first = resolver
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect("fetched");
    assert_eq!(first.name.as_str(), "eu-ai-act-pro");
    assert_eq!(first.version.as_str(), "1.2.0");
    assert_eq!(
        first.verification,
        Verification::Signed {
            signers: vec![registry_resolve::Signer {
                key_id: server.signing_key_id(),
                algorithm: registry_verify::Algorithm::Ed25519,
            }]
        }
    );
    let origin = first.registry_origin().expect("registry origin");
    assert_eq!(origin.delivery, Delivery::Fetched);
    assert_eq!(origin.policy, registry_types::Policy::Commercial);
    assert_eq!(hits(&server, PRO), 1);
    assert_eq!(hits(&server, "/keys"), 1);
    assert!(
        files(&cache)
            .iter()
            .any(|file| file.ends_with("eu-ai-act-pro/1.2.0/pack.yaml")),
        "{:?}",
        files(&cache)
    );

    // A second resolver (a new process) reads the same cache: no pack request, and the
    // persisted keys manifest spares the /keys request too.
    let again = PackResolver::new(resolver_config(
        &server.base_url(),
        Some(&RegistryRoot::of(&server)),
        &cache,
        0,
    ))
    .expect("resolver");
    let second = again.resolve("eu-ai-act-pro@1.2.0").await.expect("cached");
    assert_eq!(
        second.registry_origin().map(|o| o.delivery),
        Some(Delivery::CacheHit)
    );
    assert_eq!(second.digest, first.digest);
    assert_eq!(second.bytes, first.bytes);
    assert_eq!(hits(&server, PRO), 1);
    assert_eq!(hits(&server, "/keys"), 1);
}

#[tokio::test]
async fn a_stale_entry_is_revalidated_with_304() {
    let server = serve(&example_registry(), |_| {}).await;
    let cache = scratch("revalidate");
    let root = RegistryRoot::of(&server);
    PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect("fetched");
    // The server's packs live an hour; two hours later the entry is stale.
    let later = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 2))
        .expect("resolver");
    let pack = later
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect("revalidated");
    assert_eq!(
        pack.registry_origin().map(|o| o.delivery),
        Some(Delivery::Revalidated)
    );
    let revalidation = server
        .requests()
        .into_iter()
        .filter(|request| request.path() == format!("/v1{PRO}"))
        .nth(1)
        .expect("a second pack request");
    assert_eq!(
        revalidation.header("if-none-match"),
        Some(format!("\"{}\"", pack.digest).as_str())
    );
    // Refreshed: a third run in the same hour is a cache hit.
    let third = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 2))
        .expect("resolver");
    let pack = third.resolve("eu-ai-act-pro@1.2.0").await.expect("hit");
    assert_eq!(
        pack.registry_origin().map(|o| o.delivery),
        Some(Delivery::CacheHit)
    );
    assert_eq!(hits(&server, PRO), 2);
}

#[tokio::test]
async fn a_pin_that_differs_fails_and_caches_nothing() {
    let server = serve(&example_registry(), |_| {}).await;
    let cache = scratch("pin-mismatch");
    let resolver = PackResolver::new(resolver_config(
        &server.base_url(),
        Some(&RegistryRoot::of(&server)),
        &cache,
        0,
    ))
    .expect("resolver");
    let wrong = format!("sha256:{}", "0".repeat(64));
    let error = resolver
        .resolve(&format!("eu-ai-act-pro@1.2.0#{wrong}"))
        .await
        .expect_err("pin mismatch");
    match &error {
        Error::PinMismatch { pack, expected, .. } => {
            assert_eq!(pack.to_string(), format!("eu-ai-act-pro@1.2.0#{wrong}"));
            assert_eq!(*expected, Digest::parse(&wrong).expect("digest"));
        }
        other => panic!("expected PinMismatch, got {other:?}"),
    }
    assert_eq!(error.class(), ErrorClass::Integrity);
    assert!(error.to_string().contains("eu-ai-act-pro@1.2.0"), "{error}");
    assert!(
        !files(&cache).iter().any(|file| file.ends_with("pack.yaml")),
        "{:?}",
        files(&cache)
    );
}

#[tokio::test]
async fn without_a_trusted_key_a_signed_pack_is_refused_with_a_hint_or_the_signer_named() {
    let server = serve(&example_registry(), |_| {}).await;
    let cache = scratch("untrusted");
    let resolver =
        PackResolver::new(resolver_config(&server.base_url(), None, &cache, 0)).expect("resolver");
    let error = resolver
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("untrusted");
    assert!(
        matches!(&error, Error::NoTrustAnchor { pack, .. } if pack.to_string() == "eu-ai-act-pro@1.2.0"),
        "{error:?}"
    );
    assert!(error.to_string().contains("--trust-root"), "{error}");
    assert_eq!(error.class(), ErrorClass::Integrity);
    assert!(!files(&cache).iter().any(|file| file.ends_with("pack.yaml")));

    // A configured pack key that is not the signer: the signature is refused as untrusted.
    let mut config = resolver_config(&server.base_url(), None, &cache, 0);
    let other =
        registry_verify::PrivateKey::generate(registry_verify::Algorithm::Ed25519).expect("key");
    config.trust.pack_keys.push(other.public_key());
    let error = PackResolver::new(config)
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("other key");
    assert!(
        matches!(&error, Error::Verify { source, .. } if source.is_untrusted_signer()),
        "{error:?}"
    );
    assert!(!files(&cache).iter().any(|file| file.ends_with("pack.yaml")));
}

#[tokio::test]
async fn attacks_from_the_server_are_refused_and_never_cached() {
    let server = serve(&example_registry(), |_| {}).await;
    let root = RegistryRoot::of(&server);
    type Expected = fn(&Error) -> bool;
    let cases: Vec<(&str, Faults, Expected)> = vec![
        (
            "tampered body",
            Faults {
                tamper_body: true,
                ..Faults::default()
            },
            |e| matches!(e, Error::Registry { .. }),
        ),
        (
            "wrong digest header",
            Faults {
                wrong_digest_header: true,
                ..Faults::default()
            },
            |e| matches!(e, Error::Registry { .. }),
        ),
        (
            "another pack under this name",
            Faults {
                mix_and_match: true,
                ..Faults::default()
            },
            |e| matches!(e, Error::Registry { .. }),
        ),
        (
            "bad signature",
            Faults {
                bad_signature: true,
                ..Faults::default()
            },
            |e| matches!(e, Error::Verify { .. }),
        ),
        (
            "missing signature",
            Faults {
                missing_signature: true,
                ..Faults::default()
            },
            |e| matches!(e, Error::Verify { .. }),
        ),
    ];
    for (label, faults, expected) in cases {
        server.set_faults(faults);
        let cache = scratch("attack");
        let resolver =
            PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
                .expect("resolver");
        let error = resolver
            .resolve("eu-ai-act-pro@1.2.0")
            .await
            .expect_err(label);
        assert!(expected(&error), "{label}: {error:?}");
        assert_eq!(error.class(), ErrorClass::Integrity, "{label}: {error:?}");
        assert!(
            error.to_string().contains("eu-ai-act-pro@1.2.0"),
            "{label}: {error}"
        );
        assert!(
            !files(&cache).iter().any(|file| file.ends_with("pack.yaml")),
            "{label}: {:?}",
            files(&cache)
        );
    }
}

/// Served as open to a client that never saw the pack, a commercial pack is
/// indistinguishable from an open one (the policy comes from the header only): the
/// downgrade is caught when the cache remembers it as commercial.
#[tokio::test]
async fn a_pack_cached_as_commercial_that_comes_back_open_and_unsigned_is_a_downgrade() {
    let dir = scratch("downgrade-registry");
    let keys = ServerKeys::generate();
    put_pack(
        dir.as_std_path(),
        "vendor-rules",
        "1.0.0",
        "name: vendor-rules\nversion: \"1.0.0\"\nrules: [a]\n",
        Some(r#"{"policy": "commercial"}"#),
    );
    let server = serve_keyed(dir.as_std_path(), &keys, None, |_| {}).await;
    let addr = server.local_addr();
    let root = RegistryRoot::of(&server);
    let cache = scratch("downgrade-cache");
    PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("vendor-rules@1.0.0")
        .await
        .expect("fetched");
    server.shutdown().await;
    // The same registry now serves other bytes as open, without a signature.
    put_pack(
        dir.as_std_path(),
        "vendor-rules",
        "1.0.0",
        "name: vendor-rules\nversion: \"1.0.0\"\nrules: [b]\n",
        Some(r#"{"policy": "open"}"#),
    );
    let server = serve_keyed(dir.as_std_path(), &keys, Some(addr), |config| {
        config.faults.missing_signature = true;
    })
    .await;
    let error = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 2))
        .expect("resolver")
        .resolve("vendor-rules@1.0.0")
        .await
        .expect_err("downgrade");
    assert!(
        matches!(&error, Error::PolicyDowngrade { pack } if pack.to_string() == "vendor-rules@1.0.0"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_revoked_pack_fails_with_reason_and_safe_version() {
    let server = serve(&example_registry(), |_| {}).await;
    let root = RegistryRoot::of(&server);
    let cache = scratch("revoked");
    let resolver = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver");
    let error = resolver
        .resolve("soc2-starter@0.9.0")
        .await
        .expect_err("revoked");
    match &error {
        Error::Revoked {
            reason,
            safe_version,
            advice,
            ..
        } => {
            assert_eq!(reason, "rule soc2-001 matched every event");
            assert_eq!(safe_version.as_deref(), Some("0.9.1"));
            assert_eq!(*advice, RevokedAdvice::SuggestAllowRevoked);
        }
        other => panic!("expected Revoked, got {other:?}"),
    }
    assert_eq!(error.class(), ErrorClass::NotFoundOrDenied);
    let text = error.to_string();
    assert!(
        text.contains("soc2-starter@0.9.0")
            && text.contains("0.9.1")
            && text.contains("--allow-revoked"),
        "{text}"
    );

    // Allow-revoked with nothing cached: still a failure, saying so.
    let mut config = resolver_config(&server.base_url(), Some(&root), &cache, 0);
    config.revoked = RevokedPolicy::AllowCachedCopyForForensics;
    let error = PackResolver::new(config)
        .expect("resolver")
        .resolve("soc2-starter@0.9.0")
        .await
        .expect_err("no copy");
    assert!(
        matches!(
            error,
            Error::Revoked {
                advice: RevokedAdvice::NoCachedCopy,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn allow_revoked_hands_back_the_verified_cached_copy_with_a_warning_and_needs_the_ci_acknowledgement()
 {
    let dir = scratch("revoked-later-registry");
    let keys = ServerKeys::generate();
    let yaml = "name: old-rules\nversion: \"2.0.0\"\nrules: [x]\n";
    put_pack(
        dir.as_std_path(),
        "old-rules",
        "2.0.0",
        yaml,
        Some(r#"{"policy": "open"}"#),
    );
    let server = serve_keyed(dir.as_std_path(), &keys, None, |_| {}).await;
    let addr = server.local_addr();
    let root = RegistryRoot::of(&server);
    let cache = scratch("revoked-later-cache");
    PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("old-rules@2.0.0")
        .await
        .expect("fetched");
    server.shutdown().await;
    put_pack(
        dir.as_std_path(),
        "old-rules",
        "2.0.0",
        yaml,
        Some(
            r#"{"policy": "open", "revoked": {"reason": "leaks secrets", "safe_version": "2.0.1"}}"#,
        ),
    );
    let server = serve_keyed(dir.as_std_path(), &keys, Some(addr), |_| {}).await;

    // Without the opt-in, the stale cached copy is not served silently.
    let refused = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 2))
        .expect("resolver")
        .resolve("old-rules@2.0.0")
        .await
        .expect_err("revoked");
    assert!(
        matches!(
            refused,
            Error::Revoked {
                advice: RevokedAdvice::SuggestAllowRevoked,
                ..
            }
        ),
        "{refused:?}"
    );

    // Under CI without ASSAY_ALLOW_REVOKED=forensics: refused.
    let mut config = resolver_config(&server.base_url(), Some(&root), &cache, 2);
    config.revoked = RevokedPolicy::AllowCachedCopyForForensics;
    config.ci = CiGate::CiWithoutAcknowledgement;
    let error = PackResolver::new(config)
        .expect("resolver")
        .resolve("old-rules@2.0.0")
        .await
        .expect_err("ci gate");
    assert!(
        matches!(
            error,
            Error::Revoked {
                advice: RevokedAdvice::NeedsForensicsAcknowledgement,
                ..
            }
        ),
        "{error:?}"
    );

    let mut config = resolver_config(&server.base_url(), Some(&root), &cache, 2);
    config.revoked = RevokedPolicy::AllowCachedCopyForForensics;
    config.ci = CiGate::CiForensicsAcknowledged;
    let pack = PackResolver::new(config)
        .expect("resolver")
        .resolve("old-rules@2.0.0")
        .await
        .expect("forensics copy");
    assert_eq!(
        pack.registry_origin().map(|o| o.delivery),
        Some(Delivery::RevokedCachedCopy)
    );
    assert_eq!(pack.bytes, yaml.as_bytes());
    assert_eq!(
        pack.warnings,
        vec![ResolveWarning::RevokedForensics {
            reason: "leaks secrets".into(),
            safe_version: Some("2.0.1".into())
        }]
    );
}

#[tokio::test]
async fn offline_mode_opens_no_connection() {
    let server = serve(&example_registry(), |_| {}).await;
    let root = RegistryRoot::of(&server);
    let cache = scratch("offline");
    PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect("fetched");
    server.reset_stats();
    // Days later (stale entry, expired manifest record): offline still serves the
    // verified entry, and asks nothing of the network.
    let mut config = resolver_config(&server.base_url(), Some(&root), &cache, 72);
    config.network = NetworkMode::Offline;
    let resolver = PackResolver::new(config).expect("resolver");
    let pack = resolver
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect("offline hit");
    assert_eq!(
        pack.registry_origin().map(|o| o.delivery),
        Some(Delivery::StaleOffline)
    );
    assert_eq!(pack.warnings, vec![ResolveWarning::StaleOffline]);
    let error = resolver
        .resolve("eu-ai-act-pro@1.1.0")
        .await
        .expect_err("not cached");
    assert!(
        matches!(&error, Error::Offline { pack, .. } if pack.to_string() == "eu-ai-act-pro@1.1.0"),
        "{error:?}"
    );
    assert!(error.to_string().contains("offline"), "{error}");
    assert_eq!(error.class(), ErrorClass::Unavailable);
    assert_eq!(server.stats().connections_accepted, 0);
    assert_eq!(server.stats().requests, 0);
}

#[tokio::test]
async fn no_cache_mode_neither_reads_nor_writes_entries() {
    let server = serve(&example_registry(), |_| {}).await;
    let root = RegistryRoot::of(&server);
    let cache = scratch("no-cache");
    let mut config = resolver_config(&server.base_url(), Some(&root), &cache, 0);
    config.cache = CacheMode::Bypass;
    let resolver = PackResolver::new(config).expect("resolver");
    for _ in 0..2 {
        let pack = resolver
            .resolve("eu-ai-act-baseline@1.0.0")
            .await
            .expect("fetched");
        assert_eq!(
            pack.registry_origin().map(|o| o.delivery),
            Some(Delivery::Fetched)
        );
    }
    assert_eq!(hits(&server, "/packs/eu-ai-act-baseline/1.0.0"), 2);
    assert!(!files(&cache).iter().any(|file| file.ends_with("pack.yaml")));
}

#[tokio::test]
async fn many_references_resolve_concurrently_in_order() {
    let server = serve(&example_registry(), |_| {}).await;
    let root = RegistryRoot::of(&server);
    let cache = scratch("many");
    let resolver = std::sync::Arc::new(
        PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
            .expect("resolver"),
    );
    let refs: Vec<PackRef> = [
        "eu-ai-act-pro@1.2.0",
        "no-such-pack@1.0.0",
        "eu-ai-act-baseline@1.0.0",
        "acme/acme-internal@2.0.0",
    ]
    .into_iter()
    .map(registry_ref)
    .collect();
    let results = resolver.resolve_all(refs).await;
    assert_eq!(results.len(), 4);
    assert_eq!(
        results[0].as_ref().map(|p| p.name.to_string()).ok(),
        Some("eu-ai-act-pro".into())
    );
    let missing = results[1].as_ref().expect_err("not found");
    assert_eq!(missing.class(), ErrorClass::NotFoundOrDenied, "{missing:?}");
    assert_eq!(
        results[2].as_ref().map(|p| p.name.to_string()).ok(),
        Some("eu-ai-act-baseline".into())
    );
    let internal = results[3].as_ref().expect("namespaced");
    assert_eq!(
        internal
            .registry_origin()
            .and_then(|o| o.namespace.as_ref())
            .map(|n| n.as_str()),
        Some("acme")
    );
    assert_eq!(hits(&server, "/keys"), 1, "one manifest for all");
}

#[tokio::test]
async fn one_signature_does_not_meet_a_threshold_of_two() {
    let server = serve(&example_registry(), |_| {}).await;
    let cache = scratch("threshold");
    let mut config = resolver_config(
        &server.base_url(),
        Some(&RegistryRoot::of(&server)),
        &cache,
        0,
    );
    config.threshold = std::num::NonZeroUsize::new(2).expect("two");
    let error = PackResolver::new(config)
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("below");
    assert!(matches!(&error, Error::Verify { .. }), "{error:?}");
    assert!(!files(&cache).iter().any(|file| file.ends_with("pack.yaml")));
}

#[tokio::test]
async fn an_endless_body_is_cut_off_and_a_slow_one_ends_at_the_deadline() {
    let server = serve(&example_registry(), |_| {}).await;
    let root = RegistryRoot::of(&server);
    server.set_faults(Faults {
        endless_body: true,
        ..Faults::default()
    });
    let cache = scratch("endless");
    let error = PackResolver::new(resolver_config(&server.base_url(), Some(&root), &cache, 0))
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("endless");
    assert!(matches!(&error, Error::Registry { .. }), "{error:?}");
    assert!(!files(&cache).iter().any(|file| file.ends_with("pack.yaml")));

    server.set_faults(Faults {
        slow_body: Some(std::time::Duration::from_millis(1500)),
        ..Faults::default()
    });
    let cache = scratch("slow");
    let mut config = resolver_config(&server.base_url(), Some(&root), &cache, 0);
    config.deadline = std::time::Duration::from_secs(1);
    let started = std::time::Instant::now();
    let error = PackResolver::new(config)
        .expect("resolver")
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect_err("slow");
    assert!(matches!(&error, Error::Deadline { .. }), "{error:?}");
    assert!(
        error.to_string().contains("ASSAY_REGISTRY_DEADLINE"),
        "{error}"
    );
    // The deadline bounds the whole pack, retries included (a generous margin for a busy machine).
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(!files(&cache).iter().any(|file| file.ends_with("pack.yaml")));
}

#[tokio::test]
async fn a_deprecated_version_is_fetched_with_a_warning_naming_the_latest() {
    let server = serve(&example_registry(), |_| {}).await;
    let cache = scratch("deprecated");
    let mut config = resolver_config(
        &server.base_url(),
        Some(&RegistryRoot::of(&server)),
        &cache,
        0,
    );
    config.deprecation = registry_resolve::DeprecationCheck::Warn;
    let resolver = PackResolver::new(config).expect("resolver");
    let pack = resolver
        .resolve("eu-ai-act-pro@1.1.0")
        .await
        .expect("fetched");
    let latest = registry_types::Version::parse("1.2.0").expect("version");
    assert_eq!(
        pack.warnings,
        vec![ResolveWarning::Deprecated {
            latest: Some(latest)
        }]
    );
    assert_eq!(
        pack.warnings[0].to_string(),
        "this version is deprecated; use @1.2.0 instead"
    );
    let current = resolver
        .resolve("eu-ai-act-pro@1.2.0")
        .await
        .expect("fetched");
    assert!(current.warnings.is_empty(), "{:?}", current.warnings);
}
