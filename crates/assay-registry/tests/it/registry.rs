//! The facade against the reference registry on 127.0.0.1: `fetch_pack` as the quick start
//! calls it, the resolver and the lockfile, and how their errors classify.

use std::sync::Arc;
use std::time::Duration;

use assay_registry::auth::SecretToken;
use assay_registry::resolver::Verification;
use assay_registry::types::BaseUrl;
use assay_registry::{
    LOCKFILE_NAME, Lockfile, PackRef, PackResolver, RegistryClient, RegistryConfig, RegistryError,
    RegistryResult, ResolveSource, TokenProvider, generate_lockfile, verify_lockfile,
};

use crate::support::{client, registry_config, resolver_config, scratch, serve};

const TOKEN: &str = "facade-test-token";

/// The quick start's calls, against a client built in code.
async fn fetch_digest(
    client: &RegistryClient,
    name: &str,
    version: &str,
) -> anyhow::Result<String> {
    let result = client.fetch_pack(name, version, None).await?;
    let pack = result.ok_or_else(|| anyhow::anyhow!("304 without an ETag"))?;
    Ok(pack.computed_digest.to_string())
}

#[tokio::test]
async fn fetch_pack_takes_text_and_hands_back_a_checked_pack() -> anyhow::Result<()> {
    let server = serve(&[TOKEN]).await;
    let mut config = registry_config(&server);
    config.token = TokenProvider::from_token(SecretToken::new(TOKEN, "test")?);
    let client = RegistryClient::new(config)?;

    let digest = fetch_digest(&client, "eu-ai-act-pro", "1.2.0").await?;
    assert!(digest.starts_with("sha256:"), "{digest}");
    let pack = client
        .fetch_pack("eu-ai-act-pro", "1.2.0", None)
        .await?
        .expect("200");
    assert_eq!(pack.computed_digest, pack.headers.digest);
    assert_eq!(pack.computed_digest.to_string(), digest);
    // Revalidation with the ETag: `None` is 304.
    let etag = pack.headers.etag.clone().expect("ETag");
    assert!(
        client
            .fetch_pack("eu-ai-act-pro", "1.2.0", Some(&etag))
            .await?
            .is_none()
    );
    let request = server.requests().pop().expect("a request");
    assert!(
        request
            .header("user-agent")
            .is_some_and(|agent| agent.starts_with("assay-registry/"))
    );
    Ok(())
}

#[tokio::test]
async fn a_malformed_name_is_a_typed_error_and_no_request() {
    let server = serve(&[]).await;
    let client = client(&server);
    let lower = client
        .fetch_pack("../../etc/passwd", "1.0.0", None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            lower,
            assay_registry::client::Error::InvalidArgument {
                what: "pack name",
                ..
            }
        ),
        "{lower:?}"
    );
    let error = RegistryError::from(lower);
    let report = snafu::Report::from_error(&error).to_string();
    assert!(report.contains("../../etc/passwd"), "{report}");
    assert!(!error.is_retryable());
    assert!(!error.is_integrity_failure());
    assert!(!error.is_access_failure());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn refusals_by_the_registry_are_access_failures() {
    let server = serve(&[TOKEN]).await;
    let client = client(&server);
    let missing = RegistryError::from(
        client
            .fetch_pack("eu-ai-act-pro", "9.9.9", None)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&missing, RegistryError::Http { source } if source.is_not_found()),
        "{missing:?}"
    );
    assert!(missing.is_access_failure());
    assert!(!missing.is_retryable() && !missing.is_integrity_failure());

    // A commercial pack without a token.
    let unauthenticated = RegistryError::from(
        client
            .fetch_pack("eu-ai-act-pro", "1.2.0", None)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&unauthenticated, RegistryError::Http { source }
            if source.kind() == assay_registry::client::ErrorKind::AuthenticationRequired),
        "{unauthenticated:?}"
    );
    assert!(unauthenticated.is_access_failure());
    assert!(unauthenticated.to_string().contains("eu-ai-act-pro"));
}

#[tokio::test]
async fn an_unreachable_registry_is_retryable() {
    // A port that was free a moment ago: connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let mut config = RegistryConfig::new(
        BaseUrl::parse(&format!("http://127.0.0.1:{port}/v1")).expect("base URL"),
    );
    config.retry.max_retries = 1;
    config.retry.base_delay = Duration::from_millis(5);
    config.retry.max_delay = Duration::from_millis(10);
    let client = RegistryClient::new(config).expect("client");
    let error = RegistryError::from(
        client
            .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
            .await
            .unwrap_err(),
    );
    assert!(error.is_retryable(), "{error:?}");
    assert!(!error.is_access_failure() && !error.is_integrity_failure());
}

#[tokio::test]
async fn resolve_and_lock_through_the_facade() -> RegistryResult<()> {
    let server = serve(&[]).await;
    let cache = scratch("resolve-and-lock");
    let resolver = Arc::new(PackResolver::new(resolver_config(&server, &cache))?);

    let pack = resolver.resolve("eu-ai-act-baseline@1.0.0").await?;
    assert_eq!(pack.name.as_str(), "eu-ai-act-baseline");
    assert!(matches!(pack.source, ResolveSource::Registry(_)));
    assert!(
        matches!(&pack.verification, Verification::Signed { .. }),
        "{}",
        pack.verification
    );

    let refs = [PackRef::parse("eu-ai-act-baseline@1.0.0")?];
    let lockfile = generate_lockfile(&resolver, &refs).await?;
    let path = cache.join(LOCKFILE_NAME);
    lockfile.save(&path)?;
    let loaded = Lockfile::load(&path)?;
    assert_eq!(loaded, lockfile);
    assert!(verify_lockfile(&resolver, &loaded).await?.is_exact());

    // A pack the registry does not have: the resolver's (and the lockfile's) error is an
    // access failure, through `?` into `RegistryError`.
    let missing = [PackRef::parse("eu-ai-act-baseline@9.9.9")?];
    let error = match generate_lockfile(&resolver, &missing).await {
        Ok(_) => panic!("a missing pack cannot be locked"),
        Err(error) => RegistryError::from(error),
    };
    assert!(matches!(error, RegistryError::Lock { .. }), "{error:?}");
    assert!(error.is_access_failure(), "{error:?}");
    let report = snafu::Report::from_error(&error).to_string();
    assert!(report.contains("eu-ai-act-baseline"), "{report}");

    let error = RegistryError::from(
        resolver
            .resolve("eu-ai-act-baseline@9.9.9")
            .await
            .unwrap_err(),
    );
    assert!(matches!(error, RegistryError::Resolve { .. }), "{error:?}");
    assert!(error.is_access_failure() && !error.is_retryable());
    Ok(())
}
