//! Fetching packs, headers, signatures, versions, lists and keys from the reference server.

use std::time::Duration;

use registry_http::{
    CacheScope, ErrorKind, REGISTRY_USER_AGENT, SecretToken, SignatureLookup, SignatureSource,
    TokenProvider,
};
use registry_server::{SidecarAdvertisement, SidecarAdvertisement as Advertise};
use registry_types::Policy;
use registry_types::wire::PackVersions;
use registry_verify::{Envelope, KEYS_MANIFEST_PAYLOAD_TYPE};

use crate::support::{client_for, client_with, count, name, org, start, start_with, version};

#[tokio::test]
async fn open_pack_with_every_header() {
    let server = start().await;
    let client = client_for(&server);
    let fetched = client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .unwrap()
        .expect("200");
    assert_eq!(fetched.computed_digest, fetched.headers.digest);
    assert_eq!(fetched.headers.policy, Policy::Open);
    assert!(fetched.headers.policy_announced);
    assert_eq!(fetched.headers.license.as_deref(), Some("MIT"));
    assert_eq!(
        fetched.headers.etag,
        Some(format!("\"{}\"", fetched.computed_digest))
    );
    assert_eq!(
        fetched.headers.cache_control.max_age,
        Some(Duration::from_secs(3600))
    );
    assert_eq!(
        fetched.headers.cache_control.scope,
        Some(CacheScope::Public)
    );
    assert!(fetched.headers.content_digest.is_some());
    assert_eq!(
        fetched.headers.key_id.as_deref(),
        Some(server.signing_key_id().as_str())
    );
    assert!(
        fetched.headers.signature.is_some(),
        "small packs carry X-Pack-Signature"
    );
    let on_disk = std::fs::read(
        crate::support::registry_dir().join("packs/eu-ai-act-baseline/1.0.0/pack.yaml"),
    )
    .unwrap();
    assert_eq!(fetched.body.as_ref(), on_disk.as_slice());

    // The request carried the protocol's headers; the body came gzip-encoded.
    let request = server.requests().pop().unwrap();
    assert_eq!(request.header("user-agent"), Some(REGISTRY_USER_AGENT));
    assert!(REGISTRY_USER_AGENT.starts_with("assay-registry/"));
    assert_eq!(request.header("accept"), Some("application/x-yaml"));
    assert_eq!(request.header("accept-encoding"), Some("gzip"));
    assert_eq!(request.authorization(), None);
}

#[tokio::test]
async fn text_arguments_that_do_not_parse_are_typed_errors_and_send_nothing() {
    let server = start().await;
    let client = client_for(&server);
    for (pack, pack_version, what, quoted) in [
        ("Bad Name", "1.0.0", "pack name", "\"Bad Name\""),
        ("../etc/passwd", "1.0.0", "pack name", "\"../etc/passwd\""),
        ("eu-ai-act-baseline", "latest", "version", "\"latest\""),
        ("eu-ai-act-baseline", "1.0", "version", "\"1.0\""),
    ] {
        let error = client
            .fetch_pack(pack, pack_version, None)
            .await
            .expect_err("malformed argument");
        let registry_http::Error::InvalidArgument { what: seen, source } = &error else {
            panic!("expected InvalidArgument, got {error:?}");
        };
        assert_eq!(*seen, what);
        assert_eq!(error.kind(), ErrorKind::Configuration);
        assert!(!error.is_retryable());
        assert_eq!(
            error.to_string(),
            format!("the {what} argument is not valid")
        );
        assert!(
            source.to_string().contains(quoted),
            "the source names the input: {source}"
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn not_modified_round_trip() {
    let server = start().await;
    let client = client_for(&server);
    let (pack, v) = (name("eu-ai-act-baseline"), version("1.0.0"));
    let first = client
        .fetch_pack_in(None, &pack, &v, None)
        .await
        .unwrap()
        .expect("200");
    let etag = first.headers.etag.clone().expect("etag");
    assert!(
        client
            .fetch_pack_in(None, &pack, &v, Some(&etag))
            .await
            .unwrap()
            .is_none(),
        "304"
    );
    // A bare digest is quoted into the same validator.
    let digest = first.computed_digest.to_string();
    assert!(
        client
            .fetch_pack_in(None, &pack, &v, Some(&digest))
            .await
            .unwrap()
            .is_none()
    );
    // A stale validator gets the body again.
    let stale = "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"";
    assert!(
        client
            .fetch_pack_in(None, &pack, &v, Some(stale))
            .await
            .unwrap()
            .is_some()
    );
    let sent: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|request| request.header("if-none-match").map(str::to_owned))
        .collect();
    assert_eq!(
        sent,
        [None, Some(etag.clone()), Some(etag), Some(stale.to_owned())]
    );
}

#[tokio::test]
async fn commercial_and_namespaced_packs_with_a_token() {
    let server = start_with(|config| config.tokens = vec!["secret-token".into()]).await;
    let client = client_with(&server, |config| {
        config.token = TokenProvider::from_token(SecretToken::new("secret-token", "test").unwrap());
    });
    let pro = client
        .fetch_pack("eu-ai-act-pro", "1.2.0", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pro.headers.policy, Policy::Commercial);
    assert_eq!(pro.headers.cache_control.scope, Some(CacheScope::Private));
    let acme = client
        .fetch_pack_in(
            Some(&org("acme")),
            &name("acme-internal"),
            &version("2.0.0"),
            None,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(acme.coordinates.to_string(), "acme/acme-internal@2.0.0");
    // A pack without meta.json has no X-Pack-Policy… and is then commercial.
    let hipaa = client
        .fetch_pack("hipaa-core", "1.0.0-rc.1", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hipaa.headers.policy, Policy::Commercial);
    for request in server.requests() {
        assert_eq!(
            request.authorization(),
            Some("Bearer secret-token"),
            "{}",
            request.path()
        );
    }
    assert_eq!(count(&server, "/v1/orgs/acme/packs/acme-internal/2.0.0"), 1);
}

#[tokio::test]
async fn head_returns_headers_only() {
    let server = start().await;
    let client = client_for(&server);
    let headers = client
        .head_pack(&name("eu-ai-act-baseline"), &version("1.0.0"))
        .await
        .unwrap();
    let fetched = client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(headers.digest, fetched.computed_digest);
    assert_eq!(server.requests()[0].method, http::Method::HEAD);
}

#[tokio::test]
async fn signature_discovery_follows_the_protocol_order() {
    let pack = (name("eu-ai-act-baseline"), version("1.0.0"));
    for (advertise, header_max, expected) in [
        (
            Advertise::WhenHeaderOmitted,
            64 * 1024,
            SignatureSource::Header,
        ),
        (
            Advertise::Always,
            64 * 1024,
            SignatureSource::AdvertisedSidecar,
        ),
        (
            Advertise::WhenHeaderOmitted,
            10,
            SignatureSource::AdvertisedSidecar,
        ),
        (Advertise::Never, 10, SignatureSource::ConventionalSidecar),
    ] {
        let server = start_with(|config| {
            config.sidecar_advertisement = advertise;
            config.signature_header_max = header_max;
        })
        .await;
        let client = client_for(&server);
        let fetched = client
            .fetch_pack_in(None, &pack.0, &pack.1, None)
            .await
            .unwrap()
            .unwrap();
        let lookup = client.discover_signature(&fetched).await.unwrap();
        let SignatureLookup::Found { envelope, source } = lookup else {
            panic!("no signature for {advertise:?}/{header_max}");
        };
        assert_eq!(source, expected, "{advertise:?}/{header_max}");
        assert_eq!(
            envelope.signatures()[0].keyid.as_deref(),
            Some(server.signing_key_id().as_str())
        );
        let sidecar_requests = count(&server, "/v1/packs/eu-ai-act-baseline/1.0.0.sig");
        assert_eq!(
            sidecar_requests,
            u64::from(expected != SignatureSource::Header)
        );
        // The sidecar on its own.
        let sidecar = client
            .fetch_sidecar(&pack.0, &pack.1)
            .await
            .unwrap()
            .expect("sidecar");
        assert_eq!(sidecar.payload(), envelope.payload());
    }
}

#[tokio::test]
async fn a_missing_signature_is_reported_distinctly() {
    let server = start_with(|config| {
        config.faults.missing_signature = true;
        config.sidecar_advertisement = SidecarAdvertisement::Never;
    })
    .await;
    let client = client_for(&server);
    let (pack, v) = (name("eu-ai-act-baseline"), version("1.0.0"));
    let fetched = client
        .fetch_pack_in(None, &pack, &v, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fetched.headers.signature, None);
    assert_eq!(
        client.discover_signature(&fetched).await.unwrap(),
        SignatureLookup::Missing
    );
    assert_eq!(client.fetch_sidecar(&pack, &v).await.unwrap(), None);
}

#[tokio::test]
async fn versions_of_global_and_namespaced_packs() {
    let server = start_with(|config| config.tokens = vec!["t".into()]).await;
    let client = client_for(&server);
    let versions: PackVersions = client.versions(&name("eu-ai-act-pro")).await.unwrap();
    let listed: Vec<(String, bool)> = versions
        .versions
        .iter()
        .map(|entry| (entry.version.to_string(), entry.deprecated))
        .collect();
    assert_eq!(
        listed,
        [("1.1.0".to_owned(), true), ("1.2.0".to_owned(), false)]
    );
    assert_eq!(versions.latest, Some(version("1.2.0")));
    assert!(versions.versions.iter().all(|entry| entry.digest.is_some()));
    let soc2 = client.versions(&name("soc2-starter")).await.unwrap();
    assert!(soc2.versions.iter().any(|entry| entry.revoked));
    let acme = client
        .versions_in(Some(&org("acme")), &name("acme-internal"))
        .await
        .unwrap();
    assert_eq!(acme.versions.len(), 1);
    let missing = client.versions(&name("no-such-pack")).await.unwrap_err();
    assert!(missing.is_not_found());
}

#[tokio::test]
async fn listing_follows_cursors_page_by_page() {
    let server = start().await;
    let client = client_for(&server);
    let all = client
        .list_packs()
        .with_page_size(2)
        .collect_all()
        .await
        .unwrap();
    let names: Vec<&str> = all.iter().map(|pack| pack.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "eu-ai-act-baseline",
            "eu-ai-act-pro",
            "hipaa-core",
            "soc2-starter"
        ]
    );
    let pages = server
        .requests()
        .iter()
        .filter(|request| request.path() == "/v1/packs")
        .count();
    assert_eq!(pages, 2);
    // One at a time, through the same cursors.
    let mut one_by_one = client.list_packs().with_page_size(3);
    let mut seen = Vec::new();
    while let Some(pack) = one_by_one.next().await.unwrap() {
        seen.push(pack.name.to_string());
    }
    assert_eq!(seen, names);
    let acme = client
        .list_packs_in(Some(&org("acme")))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(acme.len(), 1);
    assert_eq!(acme[0].versions, [version("2.0.0")]);
}

#[tokio::test]
async fn keys_manifest_raw_with_its_max_age() {
    let server = start().await;
    let client = client_for(&server);
    let keys = client.fetch_keys().await.unwrap();
    assert_eq!(
        keys.cache_control.max_age,
        Some(Duration::from_secs(24 * 3600))
    );
    let envelope = Envelope::from_json(&keys.body).unwrap();
    assert_eq!(envelope.payload_type(), KEYS_MANIFEST_PAYLOAD_TYPE);
    let signature = &envelope.signatures()[0];
    envelope
        .verify_signature(signature, &server.root_public_key())
        .unwrap();
}

/// A folder with one open pack of about `bytes` bytes, `big-pack@1.0.0`.
fn big_pack_folder(label: &str, bytes: usize) -> std::path::PathBuf {
    let root =
        std::env::temp_dir().join(format!("registry-http-big-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("packs/big-pack/1.0.0");
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::from("name: big-pack\nversion: \"1.0.0\"\nrules:\n");
    let mut rule = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "  - id: rule-{rule:06}\n    description: check {rule} of a large pack\n"
        ));
        rule += 1;
    }
    std::fs::write(dir.join("pack.yaml"), text).unwrap();
    std::fs::write(dir.join("meta.json"), r#"{"policy": "open"}"#).unwrap();
    root
}

/// Large bodies are canonicalized on the blocking pool: the result, and the refusal of a
/// wrong digest, are the same as for small ones, on either kind of runtime.
async fn fetch_a_large_pack(label: &str) {
    let root = big_pack_folder(label, 600 * 1024);
    let server = registry_server::start(registry_server::ServerConfig::new(&root))
        .await
        .expect("server starts");
    let client = client_for(&server);
    let fetched = client
        .fetch_pack("big-pack", "1.0.0", None)
        .await
        .unwrap()
        .expect("200");
    assert!(fetched.body.len() > 600 * 1024);
    let expected =
        registry_canon::compute_canonical_digest(std::str::from_utf8(&fetched.body).unwrap())
            .unwrap();
    assert_eq!(fetched.computed_digest, expected);
    assert_eq!(fetched.headers.digest, expected);

    server.set_faults(registry_server::Faults {
        wrong_digest_header: true,
        ..registry_server::Faults::default()
    });
    let error = client
        .fetch_pack("big-pack", "1.0.0", None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.fault(),
            Some(registry_http::RequestFault::DigestMismatch { actual, .. }) if *actual == expected
        ),
        "{error:?}"
    );
    server.shutdown().await;
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_large_pack_on_a_current_thread_runtime() {
    fetch_a_large_pack("current").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_pack_on_a_multi_thread_runtime() {
    fetch_a_large_pack("multi").await;
}
