//! HTTPS: a generated CA and server certificate, HTTP/2 by ALPN, a client that does not trust the CA, and given PEM material.

use registry_server::TlsMode;

use crate::support::{Client, fetch, is_h2, start_with, text};

const BASELINE: &str = "/v1/packs/eu-ai-act-baseline/1.0.0";

#[tokio::test]
async fn self_signed_serves_http2_and_http1_to_clients_trusting_the_ca() {
    let server = start_with(|config| config.tls = TlsMode::SelfSigned).await;
    assert!(server.base_url().starts_with("https://127.0.0.1:"));
    let ca = server.ca_cert_pem().unwrap();
    for name in ["localhost", "127.0.0.1"] {
        let h2 = Client {
            http2: true,
            tls: Some((ca.clone(), name.to_owned())),
        };
        let response = fetch(server.local_addr(), &h2, BASELINE, &[])
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(is_h2(&response), "ALPN picks h2");
        assert_eq!(text(response.headers(), "x-pack-policy"), Some("open"));
    }
    let h1 = Client {
        http2: false,
        tls: Some((ca, "localhost".to_owned())),
    };
    let response = fetch(server.local_addr(), &h1, BASELINE, &[])
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(!is_h2(&response));
    assert_eq!(server.stats().connections_accepted, 3);
    server.shutdown().await;
}

#[tokio::test]
async fn a_client_trusting_another_ca_fails_the_handshake() {
    let server = start_with(|config| config.tls = TlsMode::SelfSigned).await;
    let other = start_with(|config| config.tls = TlsMode::SelfSigned).await;
    let wrong = Client {
        http2: true,
        tls: Some((other.ca_cert_pem().unwrap(), "localhost".to_owned())),
    };
    let error = fetch(server.local_addr(), &wrong, BASELINE, &[])
        .await
        .unwrap_err();
    assert!(error.contains("certificate"), "{error}");
    let bad_name = Client {
        http2: true,
        tls: Some((server.ca_cert_pem().unwrap(), "registry.example".to_owned())),
    };
    let error = fetch(server.local_addr(), &bad_name, BASELINE, &[])
        .await
        .unwrap_err();
    assert!(error.contains("certificate"), "{error}");
    server.shutdown().await;
    other.shutdown().await;
}

#[tokio::test]
async fn given_pem_material_is_served() {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let server = start_with(|config| {
        config.tls = TlsMode::Pem {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    })
    .await;
    assert!(server.ca_cert_pem().is_none());
    let client = Client {
        http2: false,
        tls: Some((cert.pem(), "localhost".to_owned())),
    };
    let response = fetch(server.local_addr(), &client, BASELINE, &[])
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.shutdown().await;

    let mut config = registry_server::ServerConfig::new(crate::support::registry_dir());
    config.tls = TlsMode::Pem {
        cert_chain_pem: String::new(),
        key_pem: key.serialize_pem(),
    };
    let error = registry_server::start(config).await.unwrap_err();
    assert!(
        matches!(error, registry_server::Error::EmptyCertificateChain),
        "{error:?}"
    );
}
