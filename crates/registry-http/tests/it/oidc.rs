//! The OIDC exchange against the reference server, with a fake GitHub ID-token endpoint on
//! another origin.

use std::time::Duration;

use registry_http::{
    IdTokenSource, OidcConfig, OidcFault, RequestFault, SecretToken, TokenProvider,
};
use registry_server::{OidcConfig as ServerOidc, RunningServer};

use crate::config::{SECRET, assert_debug_hides_the_token};
use crate::support::{Scripted, client_with, count, name, respond, start_with, version};

const EXCHANGE: &str = "/v1/auth/oidc/exchange";
const PRO: &str = "/v1/packs/eu-ai-act-pro/1.2.0";
const REQUEST_TOKEN: &str = "github-request-token";

/// Percent-decodes a query value.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            out.push(u8::from_str_radix(&text[index + 1..index + 3], 16).unwrap());
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A fake GitHub Actions ID-token endpoint minting tokens with the server's issuer key for
/// the audience asked for; it answers 503 to the first `failures` requests.
async fn github(issuer: ServerOidc, failures: usize) -> Scripted {
    let served = std::sync::atomic::AtomicUsize::new(0);
    Scripted::start(move |parts, _| {
        if served.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < failures {
            return respond(503, &[], "");
        }
        let authorized = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some(&format!("Bearer {REQUEST_TOKEN}"));
        if !authorized {
            return respond(401, &[], "");
        }
        let query = parts.uri.query().unwrap_or_default();
        let audience = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("audience="))
            .map(decode)
            .unwrap_or_default();
        let token = issuer
            .mint_id_token(&audience, Duration::from_secs(300))
            .unwrap();
        respond(
            200,
            &[("content-type", "application/json")],
            format!("{{\"count\":1,\"value\":\"{token}\"}}"),
        )
    })
    .await
}

async fn registry(ttl: Duration) -> (RunningServer, ServerOidc) {
    let mut issuer = ServerOidc::generate().unwrap();
    issuer.access_token_ttl = ttl;
    let copy = issuer.clone();
    (start_with(|config| config.oidc = Some(copy)).await, issuer)
}

fn github_provider(github: &Scripted) -> OidcConfig {
    let mut config = OidcConfig::new(IdTokenSource::GitHubActions {
        request_url: format!("{}/_apis/token?api-version=2.0", github.origin()),
        request_token: SecretToken::new(REQUEST_TOKEN, "test").unwrap(),
    });
    config.backoff_unit = Duration::from_millis(5);
    config
}

async fn fetch_pro(client: &registry_http::RegistryClient) -> registry_http::Result<()> {
    client
        .fetch_pack_in(None, &name("eu-ai-act-pro"), &version("1.2.0"), None)
        .await
        .map(|result| assert!(result.is_some()))
}

#[tokio::test]
async fn github_actions_happy_path() {
    let (server, issuer) = registry(Duration::from_secs(3600)).await;
    let github = github(issuer, 0).await;
    let client = client_with(&server, |config| {
        config.token = TokenProvider::oidc(github_provider(&github))
    });
    fetch_pro(&client).await.unwrap();
    fetch_pro(&client).await.unwrap();
    client.fetch_keys().await.unwrap();

    // One ID token, one exchange, the access token cached for every later request.
    let asked = github.seen();
    assert_eq!(asked.len(), 1);
    let audience = format!(
        "audience={}",
        server.origin().replace(':', "%3A").replace('/', "%2F")
    );
    assert!(
        asked[0]
            .path_and_query
            .ends_with(&format!("?api-version=2.0&{audience}")),
        "{}",
        asked[0].path_and_query
    );
    assert_eq!(
        asked[0].headers["authorization"],
        format!("Bearer {REQUEST_TOKEN}").as_str()
    );
    assert_eq!(count(&server, EXCHANGE), 1);
    let requests = server.requests();
    let exchange = requests
        .iter()
        .find(|request| request.path() == EXCHANGE)
        .unwrap();
    assert_eq!(exchange.authorization(), None);
    for request in requests.iter().filter(|request| request.path() != EXCHANGE) {
        let authorization = request.authorization().unwrap_or_default();
        assert!(
            authorization.starts_with("Bearer oidc-"),
            "{}: {authorization}",
            request.path()
        );
    }
    assert!(
        requests
            .iter()
            .all(|request| !format!("{:?}", request.headers).contains(REQUEST_TOKEN))
    );
}

#[tokio::test]
async fn access_tokens_are_exchanged_again_before_they_expire() {
    // 61 s tokens are used for 1 s (the 60 s margin).
    let (server, issuer) = registry(Duration::from_secs(61)).await;
    let github = github(issuer, 0).await;
    let client = client_with(&server, |config| {
        config.token = TokenProvider::oidc(github_provider(&github))
    });
    fetch_pro(&client).await.unwrap();
    fetch_pro(&client).await.unwrap();
    assert_eq!(count(&server, EXCHANGE), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    fetch_pro(&client).await.unwrap();
    assert_eq!(count(&server, EXCHANGE), 2);
    assert_eq!(github.seen().len(), 2);
}

#[tokio::test]
async fn a_401_triggers_one_re_exchange() {
    let (server, issuer) = registry(Duration::from_secs(3600)).await;
    let github = github(issuer, 0).await;
    let client = client_with(&server, |config| {
        config.token = TokenProvider::oidc(github_provider(&github))
    });
    fetch_pro(&client).await.unwrap();
    server.revoke_access_tokens();
    fetch_pro(&client).await.unwrap();
    assert_eq!(count(&server, EXCHANGE), 2);
    assert_eq!(
        count(&server, PRO),
        3,
        "the refused request was sent again once"
    );
}

#[tokio::test]
async fn exchange_failures_back_off_then_succeed() {
    let (server, issuer) = registry(Duration::from_secs(3600)).await;
    let github = github(issuer, 2).await;
    let client = client_with(&server, |config| {
        config.token = TokenProvider::oidc(github_provider(&github))
    });
    fetch_pro(&client).await.unwrap();
    assert_eq!(github.seen().len(), 3);
    assert_eq!(count(&server, EXCHANGE), 1);
}

#[tokio::test]
async fn id_tokens_from_a_value_or_a_file() {
    let (server, issuer) = registry(Duration::from_secs(3600)).await;
    let id_token = issuer
        .mint_id_token(&server.origin(), Duration::from_secs(300))
        .unwrap();
    let value = OidcConfig::new(IdTokenSource::Value(
        SecretToken::new(&id_token, "test").unwrap(),
    ));
    let client = client_with(&server, |config| config.token = TokenProvider::oidc(value));
    fetch_pro(&client).await.unwrap();

    let file = std::env::temp_dir().join(format!("registry-http-id-token-{}", std::process::id()));
    std::fs::write(&file, format!("{id_token}\n")).unwrap();
    let from_file = OidcConfig::new(IdTokenSource::File(file.clone()));
    let client = client_with(&server, |config| {
        config.token = TokenProvider::oidc(from_file)
    });
    fetch_pro(&client).await.unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(count(&server, EXCHANGE), 2);
}

#[tokio::test]
async fn refused_id_tokens_are_not_retried() {
    let (server, issuer) = registry(Duration::from_secs(3600)).await;
    let foreign = issuer
        .mint_id_token("https://other.example", Duration::from_secs(300))
        .unwrap();
    let config = OidcConfig::new(IdTokenSource::Value(
        SecretToken::new(&foreign, "test").unwrap(),
    ));
    let client = client_with(&server, |c| c.token = TokenProvider::oidc(config));
    let error = fetch_pro(&client).await.unwrap_err();
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::TokenRejected {
                code: OidcFault::InvalidToken,
                ..
            })
        ),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?}").contains(&foreign));
    assert_eq!(count(&server, EXCHANGE), 1);
    assert_eq!(count(&server, PRO), 0);
}

#[tokio::test]
async fn a_huge_expires_in_is_not_a_panic() {
    // A registry announcing a lifetime of u64::MAX seconds must not overflow the expiry
    // instant; the token is used, and cached.
    let registry = Scripted::start(|parts, _| match parts.uri.path() {
        "/v1/auth/oidc/exchange" => respond(
            200,
            &[("content-type", "application/json")],
            format!(
                "{{\"access_token\":\"forever-token\",\"token_type\":\"Bearer\",\
                 \"expires_in\":{},\"scope\":\"packs:read\"}}",
                u64::MAX
            ),
        ),
        _ => respond(200, &[("content-type", "application/json")], "{}"),
    })
    .await;
    let mut config = crate::support::fast_config(&registry.base_url());
    config.token = TokenProvider::oidc(OidcConfig::new(IdTokenSource::Value(
        SecretToken::new("an-id-token", "test").unwrap(),
    )));
    let client = registry_http::RegistryClient::new(config).unwrap();
    client.fetch_keys().await.unwrap();
    client.fetch_keys().await.unwrap();
    let seen = registry.seen();
    let paths: Vec<&str> = seen.iter().map(|s| s.path_and_query.as_str()).collect();
    assert_eq!(paths, [EXCHANGE, "/v1/keys", "/v1/keys"]);
    assert_eq!(seen[2].headers["authorization"], "Bearer forever-token");
}

#[test]
fn debug_of_every_oidc_provider_hides_the_token() {
    let secret = || SecretToken::new(SECRET, "test").unwrap();
    for provider in [
        TokenProvider::oidc(OidcConfig::new(IdTokenSource::Value(secret()))),
        TokenProvider::oidc(OidcConfig::new(IdTokenSource::GitHubActions {
            request_url: "https://token.example/x".into(),
            request_token: secret(),
        })),
        TokenProvider::oidc(OidcConfig::new(IdTokenSource::File("/tmp/id".into()))),
    ] {
        assert_debug_hides_the_token(&provider);
    }
    let oidc = OidcConfig::new(IdTokenSource::Value(secret()));
    assert!(!format!("{oidc:?}").contains(SECRET));
}
