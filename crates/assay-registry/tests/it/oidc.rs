//! The facade's `oidc` feature (`cargo test -p assay-registry --features oidc`): it turns on
//! registry-http's exchange, so a configuration read from the variables exchanges an ID
//! token for an access token and fetches a commercial pack with it.

use std::ffi::OsString;
use std::time::Duration;

use assay_registry::auth::{ASSAY_OIDC_ID_TOKEN, IdTokenSource, OidcConfig, SecretToken};
use assay_registry::client::ASSAY_REGISTRY_URL;
use assay_registry::{RegistryClient, RegistryConfig, TokenProvider};
use registry_server::OidcConfig as ServerOidc;

use crate::support::example_registry;

async fn registry_with_oidc() -> (registry_server::RunningServer, ServerOidc) {
    let issuer = ServerOidc::generate().expect("issuer key");
    let mut config = registry_server::ServerConfig::new(example_registry());
    config.oidc = Some(issuer.clone());
    let server = registry_server::start(config).await.expect("server starts");
    (server, issuer)
}

#[tokio::test]
async fn an_id_token_from_the_variables_is_exchanged_and_used() -> anyhow::Result<()> {
    let (server, issuer) = registry_with_oidc().await;
    let id_token = issuer.mint_id_token(&server.origin(), Duration::from_secs(300))?;
    let base_url = server.base_url();
    let config = RegistryConfig::from_lookup(|name| match name {
        ASSAY_REGISTRY_URL => Some(OsString::from(&base_url)),
        ASSAY_OIDC_ID_TOKEN => Some(OsString::from(&id_token)),
        _ => None,
    })?;
    let client = RegistryClient::new(config)?;
    let pack = client.fetch_pack("eu-ai-act-pro", "1.2.0", None).await?;
    assert!(pack.is_some());
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|request| request.path_and_query.clone())
        .collect();
    assert_eq!(
        paths,
        ["/v1/auth/oidc/exchange", "/v1/packs/eu-ai-act-pro/1.2.0"]
    );
    Ok(())
}

#[test]
fn the_oidc_names_are_reachable_through_the_facade() {
    let token = SecretToken::new("an-id-token", "test").expect("token");
    let provider = TokenProvider::oidc(OidcConfig::new(IdTokenSource::Value(token)));
    assert!(!provider.is_none());
}
