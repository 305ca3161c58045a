//! Redirects: followed by hand, never carrying the token to another origin, never to plain
//! http from https, and at most a few.

use registry_http::{RedirectFault, RequestFault, SecretToken, TokenProvider};
use registry_server::{Faults, TlsMode};

use crate::support::{
    Scripted, client_with, count, fast_config, fetch_error, respond, start, start_with,
};

const BASELINE: &str = "/v1/packs/eu-ai-act-baseline/1.0.0";

fn token() -> TokenProvider {
    TokenProvider::from_token(SecretToken::new("registry-secret", "test").unwrap())
}

#[tokio::test]
async fn cross_origin_redirect_drops_the_token() {
    let mirror = start().await;
    let registry = start_with(|config| {
        config.faults = Faults {
            redirect_to: Some(mirror.base_url()),
            ..Faults::default()
        };
    })
    .await;
    let client = client_with(&registry, |config| config.token = token());
    let fetched = client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        fetched.url.to_string(),
        format!("{}/packs/eu-ai-act-baseline/1.0.0", mirror.base_url())
    );
    let asked = registry.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].authorization(), Some("Bearer registry-secret"));
    let followed = mirror.requests();
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0].path(), BASELINE);
    assert_eq!(
        followed[0].authorization(),
        None,
        "the token went to another origin"
    );
}

#[tokio::test]
async fn same_origin_redirect_keeps_the_token() {
    let scripted = Scripted::start(|parts, _| match parts.uri.path() {
        "/v1/keys" => respond(307, &[("location", "/v1/keys-moved")], ""),
        _ => respond(200, &[], "{}"),
    })
    .await;
    let mut config = fast_config(&scripted.base_url());
    config.token = token();
    let client = registry_http::RegistryClient::new(config).unwrap();
    client.fetch_keys().await.unwrap();
    let seen = scripted.seen();
    assert_eq!(seen.len(), 2);
    for request in seen {
        assert_eq!(request.headers["authorization"], "Bearer registry-secret");
    }
}

#[tokio::test]
async fn https_to_http_is_refused() {
    let plain = start().await;
    let secure = start_with(|config| {
        config.tls = TlsMode::SelfSigned;
        config.faults.redirect_to = Some(plain.base_url());
    })
    .await;
    let ca = secure.ca_cert_pem().unwrap();
    let client = client_with(&secure, |config| {
        config.ca_bundle = Some(registry_http::CaBundle::from_pem(ca));
        config.token = token();
    });
    let error = fetch_error(&client, "eu-ai-act-baseline", "1.0.0").await;
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::RefusedRedirect {
                fault: RedirectFault::Downgrade,
                ..
            })
        ),
        "{error:?}"
    );
    assert_eq!(plain.stats().requests, 0);
}

#[tokio::test]
async fn redirect_loops_stop() {
    let server = start().await;
    server.set_faults(Faults {
        redirect_to: Some(server.base_url()),
        ..Faults::default()
    });
    let client = client_with(&server, |_| {});
    let error = fetch_error(&client, "eu-ai-act-baseline", "1.0.0").await;
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::TooManyRedirects { max: 5 })
        ),
        "{error:?}"
    );
    assert_eq!(count(&server, BASELINE), 6);
}

#[tokio::test]
async fn redirects_to_non_loopback_http_are_refused() {
    let scripted = Scripted::start(|_, _| {
        respond(302, &[("location", "http://registry.example/v1/keys")], "")
    })
    .await;
    let client = scripted.client();
    let error = client.fetch_keys().await.unwrap_err();
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::RefusedRedirect {
                fault: RedirectFault::Insecure,
                ..
            })
        ),
        "{error:?}"
    );
    let scripted = Scripted::start(|_, _| respond(302, &[], "")).await;
    let client = scripted.client();
    let error = client.fetch_keys().await.unwrap_err();
    assert!(
        matches!(
            error.fault(),
            Some(RequestFault::RefusedRedirect {
                fault: RedirectFault::BadLocation,
                ..
            })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_sidecar_advertised_on_another_origin_gets_no_token() {
    let cdn = Scripted::start(|_, _| respond(404, &[], "")).await;
    let body = "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance\n";
    let digest = registry_canon::compute_canonical_digest(body)
        .unwrap()
        .to_string();
    let endpoint = format!("{}/sigs/eu-ai-act-baseline/1.0.0.sig", cdn.origin());
    let registry = Scripted::start(move |_, _| {
        respond(
            200,
            &[
                ("x-pack-digest", &digest),
                ("x-pack-policy", "open"),
                ("x-pack-signature-endpoint", &endpoint),
            ],
            body,
        )
    })
    .await;
    let mut config = fast_config(&registry.base_url());
    config.token = token();
    let client = registry_http::RegistryClient::new(config).unwrap();
    let fetched = client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        client.discover_signature(&fetched).await.unwrap(),
        registry_http::SignatureLookup::Missing
    );
    assert_eq!(
        registry.seen()[0].headers["authorization"],
        "Bearer registry-secret"
    );
    let asked = cdn.seen();
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].path_and_query,
        "/sigs/eu-ai-act-baseline/1.0.0.sig"
    );
    assert!(
        asked[0].headers.get("authorization").is_none(),
        "the token went to the sidecar's origin"
    );
}
