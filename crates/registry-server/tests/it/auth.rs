//! Bearer tokens: commercial packs need one (401 otherwise), open packs never do; unlicensed tokens and lapsed licences get 403.

use crate::support::{raw, start_with};

const PRO: &str = "/v1/packs/eu-ai-act-pro/1.2.0";

#[tokio::test]
async fn commercial_packs_need_a_known_token_and_open_ones_do_not() {
    let server = start_with(|config| {
        config.tokens = vec!["secret-token".into()];
        config.unlicensed_tokens = vec!["no-licence".into()];
    })
    .await;
    let anonymous = raw(&server, "GET", PRO, &[]).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("www-authenticate"),
        Some("Bearer realm=\"assay-registry\"")
    );
    assert_eq!(anonymous.json()["error"], "authentication_required");
    let sidecar = raw(&server, "GET", &format!("{PRO}.sig"), &[]).await;
    assert_eq!(sidecar.status, 401);
    let head = raw(&server, "HEAD", PRO, &[]).await;
    assert_eq!(head.status, 401);

    let wrong = raw(&server, "GET", PRO, &[("Authorization", "Bearer guessed")]).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["error"], "invalid_token");

    let unlicensed = raw(
        &server,
        "GET",
        PRO,
        &[("Authorization", "Bearer no-licence")],
    )
    .await;
    assert_eq!(unlicensed.status, 403);
    assert_eq!(unlicensed.json()["error"], "pack_not_licensed");

    let good = raw(
        &server,
        "GET",
        PRO,
        &[("Authorization", "Bearer secret-token")],
    )
    .await;
    assert_eq!(good.status, 200);
    let lower = raw(
        &server,
        "GET",
        PRO,
        &[("Authorization", "bearer secret-token")],
    )
    .await;
    assert_eq!(lower.status, 200);
    let sidecar = raw(
        &server,
        "GET",
        &format!("{PRO}.sig"),
        &[("Authorization", "Bearer secret-token")],
    )
    .await;
    assert_eq!(sidecar.status, 200);

    let open = raw(&server, "GET", "/v1/packs/eu-ai-act-baseline/1.0.0", &[]).await;
    assert_eq!(open.status, 200);
    for path in ["/v1/packs", "/v1/keys", "/v1/packs/eu-ai-act-pro/versions"] {
        assert_eq!(raw(&server, "GET", path, &[]).await.status, 200, "{path}");
    }

    // The server records what it received, Authorization included, for tests to assert on.
    let requests = server.requests();
    let sent: Vec<_> = requests
        .iter()
        .filter(|request| request.path() == PRO)
        .map(|request| request.authorization().map(str::to_owned))
        .collect();
    assert_eq!(sent[0], None);
    assert!(sent.contains(&Some("Bearer secret-token".to_owned())));
    server.shutdown().await;
}

#[tokio::test]
async fn without_configured_tokens_everything_is_served() {
    let server = start_with(|_| {}).await;
    assert_eq!(raw(&server, "GET", PRO, &[]).await.status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn a_lapsed_licence_is_403_license_expired() {
    let dir = std::env::temp_dir().join(format!("registry-server-lapsed-{}", std::process::id()));
    let pack_dir = dir.join("packs/lapsed/1.0.0");
    std::fs::create_dir_all(&pack_dir).unwrap();
    std::fs::write(
        pack_dir.join("pack.yaml"),
        "name: lapsed\nversion: \"1.0.0\"\n",
    )
    .unwrap();
    std::fs::write(pack_dir.join("meta.json"), r#"{"license_expired": true}"#).unwrap();
    let mut config = registry_server::ServerConfig::new(&dir);
    config.tokens = vec!["t".into()];
    let server = registry_server::start(config).await.unwrap();
    let response = raw(
        &server,
        "GET",
        "/v1/packs/lapsed/1.0.0",
        &[("Authorization", "Bearer t")],
    )
    .await;
    assert_eq!(response.status, 403);
    assert_eq!(response.json()["error"], "license_expired");
    server.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn debug_output_never_shows_a_token_or_a_tls_key() {
    let mut oidc = registry_server::OidcConfig::generate().unwrap();
    oidc.github_request_token = Some("gh-request-secret".into());
    let mut config = registry_server::ServerConfig::new(crate::support::registry_dir());
    config.tokens = vec!["configured-secret".into()];
    config.unlicensed_tokens = vec!["unlicensed-secret".into()];
    config.oidc = Some(oidc);
    let secrets = [
        "configured-secret",
        "unlicensed-secret",
        "gh-request-secret",
    ];
    let shown = format!("{config:?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("tokens: <1 redacted>"), "{shown}");
    let pem = registry_server::TlsMode::Pem {
        cert_chain_pem: "-----BEGIN CERTIFICATE-----".into(),
        key_pem: "-----BEGIN PRIVATE KEY-----key-secret".into(),
    };
    assert!(!format!("{pem:?}").contains("key-secret"));

    let server = registry_server::start(config).await.unwrap();
    let bearer = "Bearer configured-secret";
    assert_eq!(
        raw(&server, "GET", PRO, &[("Authorization", bearer)])
            .await
            .status,
        200
    );
    let shown = format!("{server:?} {:?}", server.requests());
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    // What the server received is still there for tests to read.
    assert_eq!(server.requests()[0].authorization(), Some(bearer));
    server.shutdown().await;
}
