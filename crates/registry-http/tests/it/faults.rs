//! Each fault of the reference server produces its own error, and the bad bytes never come
//! back as a result.

use std::time::Duration;

use registry_http::{
    DigestAlgorithm, Error, ErrorKind, HeaderFault, RequestFault, SignatureLookup, SizeLimit,
};
use registry_server::Faults;
use registry_verify::{Algorithm, PrivateKey};

use crate::support::{
    Scripted, assert_names_pack, client_with, count, fetch_error, name, report, respond, start_with,
};

const BASELINE: &str = "/v1/packs/eu-ai-act-baseline/1.0.0";

/// Fetches eu-ai-act-baseline@1.0.0 from a server with `faults`; returns the error and how
/// many times the server was asked.
async fn fetch_with(
    faults: Faults,
    adjust: impl FnOnce(&mut registry_http::RegistryConfig),
) -> (Error, u64) {
    let server = start_with(|config| config.faults = faults).await;
    let client = client_with(&server, adjust);
    let outcome = client.fetch_pack("eu-ai-act-baseline", "1.0.0", None).await;
    let error = match outcome {
        Err(error) => error,
        Ok(result) => panic!("a faulty response was handed back: {result:?}"),
    };
    assert_names_pack(&error, "eu-ai-act-baseline@1.0.0", &server.base_url());
    (error, count(&server, BASELINE))
}

#[tokio::test]
async fn wrong_digest_header() {
    let (error, asked) = fetch_with(
        Faults {
            wrong_digest_header: true,
            ..Faults::default()
        },
        |_| {},
    )
    .await;
    let Some(RequestFault::DigestMismatch { expected, actual }) = error.fault() else {
        panic!("{error:?}")
    };
    assert_ne!(expected, actual);
    assert!(error.is_integrity_failure());
    let text = report(&error);
    assert!(
        text.contains(&format!("expected {expected}, got {actual}")),
        "{text}"
    );
    assert_eq!(asked, 1, "integrity failures are not retried");
}

#[tokio::test]
async fn tampered_body() {
    let (error, _) = fetch_with(
        Faults {
            tamper_body: true,
            ..Faults::default()
        },
        |_| {},
    )
    .await;
    assert!(
        matches!(error.fault(), Some(RequestFault::DigestMismatch { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn wrong_content_digest() {
    let (error, _) = fetch_with(
        Faults {
            wrong_content_digest: true,
            ..Faults::default()
        },
        |_| {},
    )
    .await;
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::ContentDigestMismatch {
                algorithm: DigestAlgorithm::Sha256,
            })
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::Integrity);
}

/// Fetches with `faults` and returns the size limit the error names, and how many times
/// the server was asked.
async fn too_large_with(faults: Faults) -> (SizeLimit, u64) {
    let (error, asked) = fetch_with(faults, |_| {}).await;
    let Some(RequestFault::TooLarge { limit }) = error.fault() else {
        panic!("not a size limit: {error:?}")
    };
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    (*limit, asked)
}

#[tokio::test]
async fn oversized_body_is_refused_by_its_length() {
    let faults = Faults {
        oversized_body: true,
        ..Faults::default()
    };
    let (limit, _) = too_large_with(faults).await;
    assert_eq!(limit, SizeLimit::Body { max: 10_485_760 });
}

#[tokio::test]
async fn endless_body_stops_at_the_limit() {
    let faults = Faults {
        endless_body: true,
        ..Faults::default()
    };
    let (limit, asked) = too_large_with(faults).await;
    assert_eq!(limit, SizeLimit::Body { max: 10_485_760 });
    assert_eq!(asked, 1, "a size limit is not retried");
}

#[tokio::test]
async fn gzip_bomb_stops_at_the_ratio() {
    let faults = Faults {
        gzip_bomb: true,
        ..Faults::default()
    };
    let (limit, _) = too_large_with(faults).await;
    assert_eq!(limit, SizeLimit::CompressionRatio { max: 100 });
}

#[tokio::test]
async fn oversized_signature_header() {
    let faults = Faults {
        oversized_headers: true,
        ..Faults::default()
    };
    let (limit, _) = too_large_with(faults).await;
    assert_eq!(limit, SizeLimit::SignatureHeader { max: 65_536 });
}

#[tokio::test]
async fn slow_body_times_out_each_attempt() {
    let faults = Faults {
        slow_body: Some(Duration::from_millis(300)),
        ..Faults::default()
    };
    let (error, asked) = fetch_with(faults, |config| {
        config.timeouts.total = Duration::from_millis(200);
        config.retry.max_retries = 1;
    })
    .await;
    assert!(
        matches!(
            error,
            Error::Request { attempts: 2, source: RequestFault::Timeout { after }, .. }
                if after == Duration::from_millis(200)
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(asked, 2);
}

#[tokio::test]
async fn bad_signature_is_found_and_does_not_verify() {
    let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let public = key.public_key();
    let server = start_with(|config| {
        config.signing_key = Some(key);
        config.faults.bad_signature = true;
    })
    .await;
    let client = client_with(&server, |_| {});
    let fetched = client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .unwrap()
        .unwrap();
    let lookup = client.discover_signature(&fetched).await.unwrap();
    let envelope = lookup.envelope().expect("an envelope");
    let outcome = envelope.verify_signature(&envelope.signatures()[0], &public);
    assert!(
        matches!(
            &outcome,
            Err(registry_verify::Error::InvalidSignature { key_id, .. }) if key_id == public.key_id()
        ),
        "{outcome:?}"
    );
    server.set_faults(Faults::default());
    let fetched = client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .unwrap()
        .unwrap();
    let SignatureLookup::Found { envelope, .. } =
        client.discover_signature(&fetched).await.unwrap()
    else {
        panic!("no signature");
    };
    envelope
        .verify_signature(&envelope.signatures()[0], &public)
        .unwrap();
}

/// A scripted registry that answers every request with `body` as an open pack, with its
/// true canonical digest.
async fn serving_any_path(body: &'static str) -> Scripted {
    let digest = registry_canon::compute_canonical_digest(body)
        .unwrap()
        .to_string();
    Scripted::start(move |_, _| {
        respond(
            200,
            &[("x-pack-digest", &digest), ("x-pack-policy", "open")],
            body,
        )
    })
    .await
}

#[tokio::test]
async fn a_pack_that_names_itself_differently_is_refused() {
    // Mix-and-match: a valid pack served for another name (the reference server refuses to
    // serve such a folder, so a scripted registry plays the attacker).
    let body = "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance\n";
    let scripted = serving_any_path(body).await;
    let client = scripted.client();
    let error = fetch_error(&client, "eu-ai-act-pro", "1.2.0").await;
    assert!(
        matches!(error.fault(), Some(RequestFault::PackIdentityMismatch { source })
            if source.found().to_string() == "eu-ai-act-baseline@1.0.0"),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::Integrity);
    let error = fetch_error(&client, "eu-ai-act-baseline", "1.0.1").await;
    assert!(
        matches!(error.fault(), Some(RequestFault::PackIdentityMismatch { source })
            if source.field() == registry_canon::IdentityField::Version),
        "{error:?}"
    );
    assert!(
        client
            .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn malformed_answers_are_protocol_errors() {
    let scripted = Scripted::start(|parts, _| match parts.uri.path() {
        "/v1/packs/no-digest/1.0.0" => respond(200, &[], "name: no-digest\nversion: 1.0.0\n"),
        "/v1/packs/not-yaml/1.0.0" => respond(
            200,
            &[(
                "x-pack-digest",
                "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            )],
            "a: 1.5\n",
        ),
        "/v1/packs/brotli/1.0.0" => respond(200, &[("content-encoding", "br")], "x"),
        "/v1/packs/bad-gzip/1.0.0" => respond(200, &[("content-encoding", "gzip")], "not gzip"),
        "/v1/packs/x/versions" => respond(200, &[], "{\"name\": 3}"),
        _ => respond(404, &[], ""),
    })
    .await;
    let client = scripted.client();
    let fetch = |pack: &'static str| {
        let client = client.clone();
        async move { client.fetch_pack(pack, "1.0.0", None).await.unwrap_err() }
    };
    assert!(matches!(
        fetch("no-digest").await.fault(),
        Some(RequestFault::MissingHeader {
            header: "x-pack-digest",
        })
    ));
    assert!(matches!(
        fetch("not-yaml").await.fault(),
        Some(RequestFault::PackRejected { .. })
    ));
    assert!(matches!(
        fetch("brotli").await.fault(),
        Some(RequestFault::UnsupportedContentEncoding { encoding }) if encoding == "br"
    ));
    assert!(matches!(
        fetch("bad-gzip").await.fault(),
        Some(RequestFault::CorruptGzip { .. })
    ));
    let error = client.versions(&name("x")).await.unwrap_err();
    assert!(
        matches!(error.fault(), Some(RequestFault::InvalidJson { .. })),
        "{error:?}"
    );
}

/// A valid pack for eu-ai-act-baseline@1.0.0 and its canonical digest.
fn baseline_pack() -> (&'static str, String) {
    let body = "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance\n";
    let digest = registry_canon::compute_canonical_digest(body)
        .unwrap()
        .to_string();
    (body, digest)
}

/// `sha-256=:…:` or `sha-512=:…:` of `body`.
fn content_digest(algorithm: &'static ring::digest::Algorithm, key: &str, body: &[u8]) -> String {
    let digest = ring::digest::digest(algorithm, body);
    format!("{key}=:{}:", data_encoding::BASE64.encode(digest.as_ref()))
}

#[tokio::test]
async fn every_content_digest_line_is_checked() {
    // Two field lines make one dictionary (RFC 9110 §5.3): a wrong sha-512 on the second
    // line is a mismatch even though the sha-256 on the first matches.
    let (body, digest) = baseline_pack();
    let good = content_digest(&ring::digest::SHA256, "sha-256", body.as_bytes());
    let bad = content_digest(&ring::digest::SHA512, "sha-512", b"another body");
    let scripted = Scripted::start(move |_, _| {
        respond(
            200,
            &[
                ("x-pack-digest", &digest),
                ("x-pack-policy", "open"),
                ("content-digest", &good),
                ("content-digest", &bad),
            ],
            body,
        )
    })
    .await;
    let client = scripted.client();
    let error = fetch_error(&client, "eu-ai-act-baseline", "1.0.0").await;
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::ContentDigestMismatch {
                algorithm: DigestAlgorithm::Sha512,
            })
        ),
        "{error:?}"
    );
    assert_names_pack(&error, "eu-ai-act-baseline@1.0.0", &scripted.base_url());
}

#[tokio::test]
async fn an_insecure_advertised_sidecar_names_the_pack() {
    let (body, digest) = baseline_pack();
    let scripted = Scripted::start(move |_, _| {
        respond(
            200,
            &[
                ("x-pack-digest", &digest),
                ("x-pack-policy", "open"),
                (
                    "x-pack-signature-endpoint",
                    "http://registry.example/v1/packs/eu-ai-act-baseline/1.0.0.sig",
                ),
            ],
            body,
        )
    })
    .await;
    let client = scripted.client();
    let fetched = client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .unwrap()
        .unwrap();
    let error = client.discover_signature(&fetched).await.unwrap_err();
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::InvalidHeader {
                header: "x-pack-signature-endpoint",
                fault: HeaderFault::InsecureUrl,
            })
        ),
        "{error:?}"
    );
    assert_names_pack(&error, "eu-ai-act-baseline@1.0.0", &scripted.base_url());
    assert_eq!(scripted.seen().len(), 1, "no sidecar request was sent");
}

#[tokio::test]
async fn hostile_headers_are_errors_not_panics() {
    let many_headers: &'static [u8] = {
        let mut response = b"HTTP/1.1 200 OK\r\n".to_vec();
        for index in 0..5000 {
            response.extend_from_slice(format!("x-filler-{index}: {index}\r\n").as_bytes());
        }
        response.extend_from_slice(b"content-length: 0\r\n\r\n");
        Box::leak(response.into_boxed_slice())
    };
    let cases: [(&'static [u8], ErrorKind); 6] = [
        (
            b"HTTP/1.1 200 OK\r\nx-pack-digest: \xff\xfe\r\ncontent-length: 0\r\n\r\n",
            ErrorKind::Protocol,
        ),
        (
            b"HTTP/1.1 302 Found\r\nlocation: /\xff\r\ncontent-length: 0\r\n\r\n",
            ErrorKind::Protocol,
        ),
        (
            b"HTTP/1.1 200 OK\r\ncontent-encoding: \xffzip\r\ncontent-length: 1\r\n\r\nx",
            ErrorKind::Protocol,
        ),
        (
            b"HTTP/1.1 429 Too Many\r\nretry-after: \xff\r\ncontent-length: 0\r\n\r\n",
            ErrorKind::RateLimited,
        ),
        (
            b"HTTP/1.1 200 OK\r\nx-pack-digest: \
              sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070\r\n\
              content-digest: sha-256=:AAAA:\r\ncontent-digest: \xff\r\ncontent-length: 0\r\n\r\n",
            ErrorKind::Protocol,
        ),
        // A head over the limit is a size limit (issue 8: it was reported as Protocol).
        (many_headers, ErrorKind::TooLarge),
    ];
    for (response, kind) in cases {
        let (base_url, _) = crate::support::raw_server(response).await;
        let client =
            registry_http::RegistryClient::new(crate::support::fast_config(&base_url)).unwrap();
        let error = fetch_error(&client, "a", "1.0.0").await;
        assert_eq!(error.kind(), kind, "{error:?}");
        assert_names_pack(&error, "a@1.0.0", &base_url);
    }
}

#[tokio::test]
async fn registry_text_in_errors_has_no_control_characters() {
    // A registry that repeats a cursor carrying a terminal escape: the error shows the
    // cursor without it.
    let scripted = Scripted::start(|_, _| {
        respond(
            200,
            &[("content-type", "application/json")],
            r#"{"packs":[],"next_cursor":"\u001b[2Jc","has_more":true}"#,
        )
    })
    .await;
    let client = scripted.client();
    let error = client.list_packs().collect_all().await.unwrap_err();
    let Some(RequestFault::CursorLoop { cursor }) = error.fault() else {
        panic!("{error:?}")
    };
    assert_eq!(cursor, "[2Jc");
    assert!(!report(&error).contains('\u{1b}'), "{error}");
    assert!(!error.to_string().contains('\u{1b}'), "{error}");
    assert!(error.to_string().contains(&scripted.base_url()), "{error}");
}

#[tokio::test]
async fn a_listing_with_ever_new_cursors_stops_at_the_page_limit() {
    let pages = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = std::sync::Arc::clone(&pages);
    let scripted = Scripted::start(move |_, _| {
        let page = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        respond(
            200,
            &[("content-type", "application/json")],
            format!(r#"{{"packs":[],"next_cursor":"c{page}","has_more":true}}"#),
        )
    })
    .await;
    let mut config = crate::support::fast_config(&scripted.base_url());
    config.limits.max_list_pages = 5;
    let client = registry_http::RegistryClient::new(config).unwrap();
    let error = client.list_packs().collect_all().await.unwrap_err();
    let Some(RequestFault::TooLarge { limit }) = error.fault() else {
        panic!("{error:?}")
    };
    assert_eq!(*limit, SizeLimit::ListPages { max: 5 });
    assert!(report(&error).contains("past 5 pages"), "{error}");
    assert_eq!(scripted.seen().len(), 5, "no request past the limit");
}

/// An oversized response head was reported as a `Protocol` error, found against an
/// independent registry; it is the size limit it is.
#[tokio::test]
async fn issue_8_an_oversized_response_head_is_a_size_limit() {
    let mut response = b"HTTP/1.1 200 OK\r\n".to_vec();
    let filler = "f".repeat(1000);
    for index in 0..20 {
        response.extend_from_slice(format!("x-filler-{index}: {filler}\r\n").as_bytes());
    }
    response.extend_from_slice(b"content-length: 0\r\n\r\n");
    let (base_url, _) = crate::support::raw_server(Box::leak(response.into_boxed_slice())).await;
    let mut config = crate::support::fast_config(&base_url);
    config.limits.max_response_header_bytes = 8192;
    let client = registry_http::RegistryClient::new(config).unwrap();
    let error = fetch_error(&client, "a", "1.0.0").await;
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::TooLarge {
                limit: SizeLimit::ResponseHead {
                    max_bytes: 8192,
                    ..
                }
            })
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    assert_names_pack(&error, "a@1.0.0", &base_url);
}

#[tokio::test]
async fn a_hostile_pack_identity_reaches_no_error_text() {
    // The pack names itself with a terminal escape (legal YAML, escaped in quotes): the
    // error shows the name without it.
    let body = "name: \"\\e[2Jevil\"\nversion: \"1.0.0\"\n";
    let client = serving_any_path(body).await.client();
    let error = fetch_error(&client, "evil", "1.0.0").await;
    let Some(RequestFault::PackIdentityMismatch { source }) = error.fault() else {
        panic!("{error:?}")
    };
    assert_eq!(source.found().name(), Some("\u{1b}[2Jevil"));
    let text = format!("{} {}", report(&error), source.found());
    // The report is one line per error in the chain; nothing else may be a control.
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(text.contains("[2Jevil@1.0.0"), "{text}");
}
