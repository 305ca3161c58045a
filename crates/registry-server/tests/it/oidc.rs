//! The OIDC exchange: ID tokens minted by a test issuer in, access tokens out; every refusal; the fake GitHub endpoint.

use std::time::Duration;

use registry_server::{IdTokenClaims, OidcConfig, RunningServer};
use registry_verify::{Algorithm, PrivateKey};

use crate::support::{raw, raw_with_body, start_with};

const PRO: &str = "/v1/packs/eu-ai-act-pro/1.2.0";
const EXCHANGE: &str = "/v1/auth/oidc/exchange";

async fn with_oidc(adjust: impl FnOnce(&mut OidcConfig)) -> (RunningServer, OidcConfig) {
    let mut oidc = OidcConfig::generate().unwrap();
    adjust(&mut oidc);
    let server = start_with(|config| config.oidc = Some(oidc.clone())).await;
    (server, oidc)
}

async fn exchange(server: &RunningServer, body: &str) -> crate::support::RawResponse {
    raw_with_body(
        server.local_addr(),
        "POST",
        EXCHANGE,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
        usize::MAX,
    )
    .await
}

fn request(id_token: &str) -> String {
    serde_json::json!({ "id_token": id_token, "scope": "packs:read" }).to_string()
}

#[tokio::test]
async fn an_id_token_for_the_origin_buys_an_access_token() {
    let (server, oidc) = with_oidc(|oidc| oidc.access_token_ttl = Duration::from_secs(900)).await;
    assert_eq!(server.oidc_audience(), server.origin());
    let id_token = oidc
        .mint_id_token(&server.origin(), Duration::from_secs(60))
        .unwrap();
    let response = exchange(&server, &request(&id_token)).await;
    assert_eq!(
        response.status,
        200,
        "{:?}",
        String::from_utf8_lossy(&response.body)
    );
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["scope"], "packs:read");
    let token = body["access_token"].as_str().unwrap();

    let bearer = format!("Bearer {token}");
    let pack = raw(&server, "GET", PRO, &[("Authorization", &bearer)]).await;
    assert_eq!(pack.status, 200);
    assert_eq!(raw(&server, "GET", PRO, &[]).await.status, 401);

    // Revoked tokens are refused, so clients must exchange again.
    server.revoke_access_tokens();
    let pack = raw(&server, "GET", PRO, &[("Authorization", &bearer)]).await;
    assert_eq!(pack.status, 401);
    assert_eq!(pack.json()["error"], "invalid_token");
    server.shutdown().await;
}

#[tokio::test]
async fn access_tokens_expire() {
    let (server, oidc) = with_oidc(|oidc| oidc.access_token_ttl = Duration::from_secs(1)).await;
    let id_token = oidc
        .mint_id_token(&server.origin(), Duration::from_secs(60))
        .unwrap();
    let body = exchange(&server, &request(&id_token)).await.json();
    assert_eq!(body["expires_in"], 1);
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        raw(&server, "GET", PRO, &[("Authorization", &bearer)])
            .await
            .status,
        401
    );
    server.shutdown().await;
}

#[tokio::test]
async fn bad_id_tokens_are_401_invalid_token() {
    let (server, oidc) = with_oidc(|_| {}).await;
    let origin = server.origin();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = |audience: &str, expires_at: i64| IdTokenClaims {
        issuer: oidc.issuer.clone(),
        subject: "repo:acme/app:ref:refs/heads/main".into(),
        audience: audience.into(),
        issued_at: now - 600,
        expires_at,
    };
    let stranger = OidcConfig::generate().unwrap();
    let foreign_issuer = IdTokenClaims {
        issuer: "https://evil.example".into(),
        ..claims(&origin, now + 60)
    };
    let cases = [
        (
            "expired",
            oidc.mint_id_token_with(&claims(&origin, now - 1)).unwrap(),
        ),
        (
            "other audience",
            oidc.mint_id_token("https://registry.example", Duration::from_secs(60))
                .unwrap(),
        ),
        (
            "other key",
            stranger
                .mint_id_token(&origin, Duration::from_secs(60))
                .unwrap(),
        ),
        (
            "other issuer",
            oidc.mint_id_token_with(&foreign_issuer).unwrap(),
        ),
        ("not a JWS", "abc.def".to_owned()),
    ];
    for (case, id_token) in cases {
        let response = exchange(&server, &request(&id_token)).await;
        assert_eq!(response.status, 401, "{case}");
        assert_eq!(response.json()["error"], "invalid_token", "{case}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_are_400_and_refused_scopes_403() {
    let (server, oidc) =
        with_oidc(|oidc| oidc.denied_subjects = vec!["repo:evil/app".into()]).await;
    for body in ["", "{", r#"{"scope":"packs:read"}"#, r#"{"id_token":5}"#] {
        let response = exchange(&server, body).await;
        assert_eq!(response.status, 400, "{body}");
        assert_eq!(response.json()["error"], "invalid_request", "{body}");
    }
    let id_token = oidc
        .mint_id_token(&server.origin(), Duration::from_secs(60))
        .unwrap();
    let write = serde_json::json!({ "id_token": id_token, "scope": "packs:write" }).to_string();
    let response = exchange(&server, &write).await;
    assert_eq!(response.status, 403);
    assert_eq!(response.json()["error"], "access_denied");

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let evil = oidc
        .mint_id_token_with(&IdTokenClaims {
            issuer: oidc.issuer.clone(),
            subject: "repo:evil/app".into(),
            audience: server.origin(),
            issued_at: now,
            expires_at: now + 60,
        })
        .unwrap();
    let response = exchange(&server, &request(&evil)).await;
    assert_eq!(response.status, 403);

    let huge = "x".repeat(registry_server::MAX_REQUEST_BODY_BYTES + 1);
    let response = exchange(&server, &huge).await;
    assert_eq!(response.status, 413);
    assert_eq!(response.json()["error"], "payload_too_large");
    let get = raw(&server, "GET", EXCHANGE, &[]).await;
    assert_eq!(get.status, 405);
    server.shutdown().await;
}

#[tokio::test]
async fn es256_issuers_work_too() {
    let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let oidc = OidcConfig::new(key);
    let server = start_with(|config| config.oidc = Some(oidc.clone())).await;
    let id_token = oidc
        .mint_id_token(&server.origin(), Duration::from_secs(60))
        .unwrap();
    let header = id_token.split('.').next().unwrap();
    let header = data_encoding::BASE64URL_NOPAD
        .decode(header.as_bytes())
        .unwrap();
    assert!(String::from_utf8(header).unwrap().contains("\"ES256\""));
    assert_eq!(exchange(&server, &request(&id_token)).await.status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn the_fake_github_endpoint_mints_tokens_for_the_asked_audience() {
    let (server, _oidc) =
        with_oidc(|oidc| oidc.github_request_token = Some("gh-request".into())).await;
    let url = server.github_token_request_url().unwrap();
    let path_and_query = &url[server.origin().len()..];
    assert!(path_and_query.starts_with("/_github/oidc/token?api-version=2.0"));
    let audience: String = server
        .origin()
        .bytes()
        .map(|byte| match byte {
            b':' => "%3A".to_owned(),
            b'/' => "%2F".to_owned(),
            other => (other as char).to_string(),
        })
        .collect();
    let path = format!("{path_and_query}&audience={audience}");
    let refused = raw(&server, "GET", &path, &[("Authorization", "Bearer wrong")]).await;
    assert_eq!(refused.status, 401);
    let minted = raw(
        &server,
        "GET",
        &path,
        &[("Authorization", "Bearer gh-request")],
    )
    .await;
    assert_eq!(minted.status, 200);
    let id_token = minted.json()["value"].as_str().unwrap().to_owned();
    assert_eq!(exchange(&server, &request(&id_token)).await.status, 200);

    let elsewhere = format!("{path_and_query}&audience=https%3A%2F%2Fother.example");
    let minted = raw(
        &server,
        "GET",
        &elsewhere,
        &[("Authorization", "Bearer gh-request")],
    )
    .await;
    let id_token = minted.json()["value"].as_str().unwrap().to_owned();
    assert_eq!(exchange(&server, &request(&id_token)).await.status, 401);
    server.shutdown().await;
}

#[tokio::test]
async fn without_oidc_the_exchange_is_404() {
    let server = start_with(|_| {}).await;
    assert_eq!(exchange(&server, "{}").await.status, 404);
    assert!(server.github_token_request_url().is_none());
    server.shutdown().await;
}
