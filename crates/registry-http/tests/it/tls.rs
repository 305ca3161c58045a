//! HTTPS with a CA the client trusts (HTTP/2 and HTTP/1.1 by ALPN), with one it does not,
//! and the plain-HTTP rule.

use registry_http::{
    CaBundle, Error, ErrorKind, HttpVersions, PlainHttp, RegistryClient, RegistryConfig,
    RootCertificates,
};
use registry_server::TlsMode;
use registry_types::BaseUrl;

use crate::support::{client_with, start, start_with};

async fn fetch_baseline(client: &RegistryClient) -> registry_http::Result<()> {
    client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .map(|result| assert!(result.is_some()))
}

#[tokio::test]
async fn trusted_ca_over_http2_and_http1() {
    let server = start_with(|config| config.tls = TlsMode::SelfSigned).await;
    assert!(server.base_url().starts_with("https://"));
    let ca = server.ca_cert_pem().expect("CA");
    for (versions, expected) in [
        (HttpVersions::Negotiate, http::Version::HTTP_2),
        (HttpVersions::Http1Only, http::Version::HTTP_11),
        (HttpVersions::Http2Only, http::Version::HTTP_2),
    ] {
        server.reset_stats();
        let client = client_with(&server, |config| {
            config.ca_bundle = Some(CaBundle::from_pem(ca.clone()));
            config.roots = RootCertificates::ExtraBundleOnly;
            config.http_versions = versions;
        });
        fetch_baseline(&client).await.unwrap();
        client.fetch_keys().await.unwrap();
        let stats = server.stats();
        assert_eq!(stats.version_count(expected), 2, "{versions:?}: {stats:?}");
        assert_eq!(stats.connections_accepted, 1, "{versions:?}: keep-alive");
    }
}

#[tokio::test]
async fn untrusted_ca_is_a_tls_error() {
    let server = start_with(|config| config.tls = TlsMode::SelfSigned).await;
    // A CA of our own, which did not sign the server's certificate.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    for roots in [
        RootCertificates::ExtraBundleOnly,
        RootCertificates::SystemWithBundledFallback,
    ] {
        let client = client_with(&server, |config| {
            config.ca_bundle = Some(CaBundle::from_pem(other.cert.pem()));
            config.roots = roots;
        });
        let error = fetch_baseline(&client).await.unwrap_err();
        assert!(
            matches!(
                error.fault(),
                Some(registry_http::RequestFault::Tls {
                    source: rustls::Error::InvalidCertificate(_),
                })
            ),
            "{error:?}"
        );
        assert_eq!(error.kind(), ErrorKind::Tls);
        assert!(!error.is_retryable());
    }
    assert_eq!(server.stats().requests, 0);
}

#[tokio::test]
async fn plain_http_only_for_loopback_or_by_opt_in() {
    let remote = BaseUrl::parse("http://registry.example/v1").unwrap();
    let error = RegistryClient::new(RegistryConfig::new(remote.clone())).unwrap_err();
    assert!(matches!(error, Error::InsecureUrl { .. }), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::Configuration);
    let mut config = RegistryConfig::new(remote);
    config.plain_http = PlainHttp::AllowInsecure;
    assert!(RegistryClient::new(config).is_ok());
    for loopback in [
        "http://127.0.0.1:1/v1",
        "http://localhost:1/v1",
        "http://[::1]:1/v1",
    ] {
        let config = RegistryConfig::new(BaseUrl::parse(loopback).unwrap());
        assert!(RegistryClient::new(config).is_ok(), "{loopback}");
    }
}

#[tokio::test]
async fn h2c_by_prior_knowledge_on_loopback() {
    let server = start().await;
    let client = client_with(&server, |config| {
        config.http_versions = HttpVersions::Http2Only
    });
    fetch_baseline(&client).await.unwrap();
    assert_eq!(server.stats().version_count(http::Version::HTTP_2), 1);
}

#[tokio::test]
async fn ca_bundle_errors_are_configuration_errors() {
    let base = BaseUrl::parse("https://registry.example/v1").unwrap();
    let mut config = RegistryConfig::new(base);
    config.ca_bundle = Some(CaBundle::from_pem("not a certificate"));
    let error = RegistryClient::new(config).unwrap_err();
    assert!(matches!(error, Error::EmptyCaBundle { .. }), "{error:?}");
    let missing = CaBundle::from_file(std::path::Path::new("/nonexistent/ca.pem")).unwrap_err();
    assert!(matches!(missing, Error::ReadCaBundle { .. }), "{missing:?}");
}
