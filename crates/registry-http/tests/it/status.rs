//! Every status the protocol gives a meaning to, and which of them are retried.

use registry_http::{
    Error, ErrorKind, LicenseFault, RequestFault, SecretToken, SizeLimit, TokenProvider,
};

use crate::support::{
    Scripted, assert_names_pack, client_for, client_with, count, fast_config, fetch_error, name,
    raw_server, report, respond, start_with, version,
};

const PRO: &str = "/v1/packs/eu-ai-act-pro/1.2.0";

fn token(text: &str) -> TokenProvider {
    TokenProvider::from_token(SecretToken::new(text, "test").unwrap())
}

#[tokio::test]
async fn unauthorized_forbidden_not_found_and_gone_are_final() {
    let server = start_with(|config| {
        config.tokens = vec!["good".into()];
        config.unlicensed_tokens = vec!["unlicensed".into()];
    })
    .await;
    let registry = server.base_url();
    let pro = (name("eu-ai-act-pro"), version("1.2.0"));

    let anonymous = client_for(&server);
    let error = anonymous
        .fetch_pack_in(None, &pro.0, &pro.1, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error.fault(), Some(RequestFault::AuthenticationRequired)),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::AuthenticationRequired);
    assert_names_pack(&error, "eu-ai-act-pro@1.2.0", &registry);
    assert!(report(&error).contains("ASSAY_REGISTRY_TOKEN"));

    // Issue 8: a token that was sent and refused is not "set ASSAY_REGISTRY_TOKEN".
    let wrong = client_with(&server, |config| config.token = token("wrong"));
    let error = wrong
        .fetch_pack_in(None, &pro.0, &pro.1, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error.fault(), Some(RequestFault::TokenRefused)),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::AuthenticationRequired);
    let text = report(&error);
    assert!(text.contains("refused the token"), "{text}");
    assert!(!text.contains("set ASSAY_REGISTRY_TOKEN"), "{text}");
    assert!(!format!("{text} {error:?}").contains("wrong"));

    let unlicensed = client_with(&server, |config| config.token = token("unlicensed"));
    let error = unlicensed
        .fetch_pack_in(None, &pro.0, &pro.1, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::NotLicensed {
                fault: LicenseFault::PackNotLicensed,
            })
        ),
        "{error:?}"
    );
    assert_names_pack(&error, "eu-ai-act-pro@1.2.0", &registry);

    let client = client_with(&server, |config| config.token = token("good"));
    let error = client
        .fetch_pack_in(None, &pro.0, &version("9.9.9"), None)
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    assert_names_pack(&error, "eu-ai-act-pro@9.9.9", &registry);
    assert!(report(&error).contains("check the pack name and version"));

    let error = fetch_error(&client, "soc2-starter", "0.9.0").await;
    assert_eq!(
        error.revocation(),
        Some(("rule soc2-001 matched every event", Some("0.9.1")))
    );
    assert_names_pack(&error, "soc2-starter@0.9.0", &registry);
    assert!(!error.is_retryable());

    // Each was asked exactly once: 401, 403, 404 and 410 are never retried.
    assert_eq!(count(&server, PRO), 3);
    assert_eq!(count(&server, "/v1/packs/eu-ai-act-pro/9.9.9"), 1);
    assert_eq!(count(&server, "/v1/packs/soc2-starter/0.9.0"), 1);
}

#[tokio::test]
async fn license_expired_is_its_own_problem() {
    let scripted = Scripted::start(|_, _| {
        respond(
            403,
            &[("content-type", "application/json")],
            r#"{"error":"license_expired"}"#,
        )
    })
    .await;
    let client = scripted.client();
    let error = fetch_error(&client, "eu-ai-act-pro", "1.2.0").await;
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::NotLicensed {
                fault: LicenseFault::LicenseExpired,
            })
        ),
        "{error:?}"
    );
    assert!(report(&error).contains("license has expired"));
}

#[tokio::test]
async fn payload_too_large_is_final() {
    let scripted = Scripted::start(|_, _| respond(413, &[], "")).await;
    let client = scripted.client();
    let error = fetch_error(&client, "big", "1.0.0").await;
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::TooLarge {
                limit: SizeLimit::RejectedByServer,
            })
        ),
        "{error:?}"
    );
    assert_names_pack(&error, "big@1.0.0", &scripted.base_url());
    assert_eq!(scripted.seen().len(), 1);
}

#[tokio::test]
async fn retryable_statuses_are_retried_then_reported() {
    for (status, expected_kind) in [
        (408, ErrorKind::ServerError),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::ServerError),
        (502, ErrorKind::ServerError),
        (503, ErrorKind::ServerError),
        (504, ErrorKind::ServerError),
    ] {
        let scripted = Scripted::start(move |_, _| respond(status, &[], "")).await;
        let mut config = fast_config(&scripted.base_url());
        config.retry.max_retries = 2;
        let client = registry_http::RegistryClient::new(config).unwrap();
        let error = fetch_error(&client, "a", "1.0.0").await;
        assert_eq!(error.kind(), expected_kind, "{status}: {error:?}");
        assert!(error.is_retryable());
        assert!(error.to_string().contains("3"), "{error}");
        assert_eq!(scripted.seen().len(), 3, "{status}");
    }
    // Other statuses are final and unexpected.
    let scripted = Scripted::start(|_, _| respond(501, &[], "")).await;
    let client = scripted.client();
    let error = fetch_error(&client, "a", "1.0.0").await;
    assert!(
        matches!(
            error,
            Error::Request {
                attempts: 1,
                source: RequestFault::ServerError { .. },
                ..
            }
        ),
        "{error:?}"
    );
    let scripted = Scripted::start(|_, _| respond(400, &[], "")).await;
    let client = scripted.client();
    let error = fetch_error(&client, "a", "1.0.0").await;
    assert!(
        matches!(error.fault(), Some(RequestFault::UnexpectedStatus { .. })),
        "{error:?}"
    );
    assert_eq!(scripted.seen().len(), 1);
}

#[tokio::test]
async fn connection_errors_are_retried() {
    // A port nobody listens on: bind, note the port, close.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut config = fast_config(&format!("http://127.0.0.1:{port}/v1"));
    config.retry.max_retries = 2;
    let client = registry_http::RegistryClient::new(config).unwrap();
    let error = fetch_error(&client, "a", "1.0.0").await;
    assert!(
        matches!(
            error,
            Error::Request {
                attempts: 3,
                source: RequestFault::Network { .. },
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::Network);
    assert_names_pack(&error, "a@1.0.0", &format!("127.0.0.1:{port}"));
}

#[tokio::test]
async fn final_statuses_with_cut_off_bodies_are_not_retried() {
    // The status line and headers arrive, then the connection closes mid-body: the status
    // is still the answer, and 404 or 410 are never retried.
    for response in [
        &b"HTTP/1.1 404 Not Found\r\ncontent-length: 100\r\n\r\n{\"err"[..],
        b"HTTP/1.1 410 Gone\r\ncontent-length: 100\r\n\r\n{\"error\":\"security_rev",
    ] {
        let (base_url, accepted) = raw_server(response).await;
        let mut config = fast_config(&base_url);
        config.retry.max_retries = 3;
        let client = registry_http::RegistryClient::new(config).unwrap();
        let error = fetch_error(&client, "a", "1.0.0").await;
        assert!(
            matches!(
                error.fault(),
                Some(RequestFault::NotFound { .. } | RequestFault::Revoked { .. })
            ),
            "{error:?}"
        );
        assert_names_pack(&error, "a@1.0.0", &base_url);
        assert_eq!(
            accepted.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "{error:?}"
        );
    }
}

/// A 404 on `/keys` said "check the pack name and version" (issue 8): the hint fits the
/// keys manifest.
#[tokio::test]
async fn issue_8_a_404_on_keys_does_not_blame_the_pack_name() {
    let scripted = Scripted::start(|_, _| respond(404, &[], "")).await;
    let error = scripted.client().fetch_keys().await.unwrap_err();
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::NotFound {
                hint: registry_http::NotFoundHint::KeysManifest,
            })
        ),
        "{error:?}"
    );
    let text = report(&error);
    assert!(!text.contains("pack name"), "{text}");
    assert!(text.contains("keys manifest"), "{text}");
}
