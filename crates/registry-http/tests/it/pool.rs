//! One client, many concurrent fetches: connections are pooled and reused, counted at the
//! server.

use registry_http::{CaBundle, HttpVersions, RegistryClient};
use registry_server::TlsMode;

use crate::support::{client_with, start, start_with};

async fn fetch_concurrently(client: &RegistryClient, count: usize) {
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
                    .await
                    .map(|result| result.is_some())
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_multiplexes_one_connection() {
    let server = start_with(|config| config.tls = TlsMode::SelfSigned).await;
    let ca = server.ca_cert_pem().unwrap();
    let client = client_with(&server, |config| {
        config.ca_bundle = Some(CaBundle::from_pem(ca))
    });
    fetch_concurrently(&client, 1).await;
    fetch_concurrently(&client, 100).await;
    let stats = server.stats();
    assert_eq!(stats.requests, 101);
    assert_eq!(stats.version_count(http::Version::HTTP_2), 101);
    assert_eq!(stats.connections_accepted, 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_reuses_a_bounded_set_of_connections() {
    let server = start().await;
    let client = client_with(&server, |config| {
        config.http_versions = HttpVersions::Http1Only;
        config.limits.max_concurrent_requests = 8;
    });
    fetch_concurrently(&client, 100).await;
    let stats = server.stats();
    assert_eq!(stats.requests, 100);
    assert_eq!(stats.version_count(http::Version::HTTP_11), 100);
    // At most 8 requests are in flight, so without a pool there would be 100 connections.
    // A checkout that loses the race to a connection coming back idle still completes its
    // connect in the background, and on a loaded machine connections come back late, so
    // the bound leaves room for that; it still proves reuse.
    assert!(stats.connections_accepted <= 25, "{stats:?}");
    // A second round reuses the pooled connections: 200 requests, far fewer connections.
    fetch_concurrently(&client, 100).await;
    let again = server.stats();
    assert_eq!(again.requests, 200);
    assert!(again.connections_accepted <= 40, "{again:?}");
}
