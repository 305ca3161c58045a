//! Connections: keep-alive reuse counted at the server, HTTP/2 by prior knowledge, the request log, and shutdown.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Version};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

use registry_server::{MAX_COUNTED_PATH_BYTES, MAX_RECORDED_BYTES};

use crate::support::{Client, fetch, is_h2, start, text};

const BASELINE: &str = "/v1/packs/eu-ai-act-baseline/1.0.0";

fn get(path: &str) -> Request<Empty<Bytes>> {
    Request::get(path)
        .header("host", "127.0.0.1")
        .header("authorization", "Bearer t")
        .body(Empty::new())
        .unwrap()
}

#[tokio::test]
async fn keep_alive_serves_many_requests_on_one_connection() {
    let server = start().await;
    let tcp = TcpStream::connect(server.local_addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(connection);
    for _ in 0..5 {
        let response = sender.send_request(get(BASELINE)).await.unwrap();
        assert_eq!(response.status(), 200);
        response.into_body().collect().await.unwrap();
    }
    let stats = server.stats();
    assert_eq!(stats.connections_accepted, 1);
    assert_eq!(stats.requests, 5);
    assert_eq!(stats.version_count(Version::HTTP_11), 5);
    assert!(
        server
            .requests()
            .iter()
            .all(|request| request.connection == 1)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn http2_multiplexes_concurrent_streams_on_one_connection() {
    let server = start().await;
    let tcp = TcpStream::connect(server.local_addr()).await.unwrap();
    let (sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(connection);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let mut sender = sender.clone();
        tasks.push(tokio::spawn(async move {
            let response = sender.send_request(get(BASELINE)).await.unwrap();
            assert_eq!(response.version(), Version::HTTP_2);
            let status = response.status();
            response.into_body().collect().await.unwrap();
            status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let stats = server.stats();
    assert_eq!(stats.connections_accepted, 1);
    assert_eq!(stats.version_count(Version::HTTP_2), 20);
    assert_eq!(stats.path_count(BASELINE), 20);
    let recorded = &server.requests()[0];
    assert_eq!(recorded.version, Version::HTTP_2);
    assert_eq!(recorded.authorization(), Some("Bearer t"));
    assert_eq!(recorded.path_and_query, BASELINE);

    let client = Client {
        http2: true,
        tls: None,
    };
    let response = fetch(server.local_addr(), &client, BASELINE, &[])
        .await
        .unwrap();
    assert!(is_h2(&response));
    assert_eq!(text(response.headers(), "x-pack-policy"), Some("open"));
    server.reset_stats();
    assert_eq!(server.stats().requests, 0);
    assert!(server.requests().is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_the_port_and_dropping_stops_the_server() {
    let server = start().await;
    let addr = server.local_addr();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert!(server.base_url().ends_with("/v1"));
    assert!(server.ca_cert_pem().is_none());
    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());

    let server = start().await;
    let addr = server.local_addr();
    drop(server);
    let mut closed = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(closed);
}

#[tokio::test]
async fn huge_requests_do_not_grow_the_request_log_or_the_path_counts_without_bound() {
    let server = start().await;
    let tcp = TcpStream::connect(server.local_addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(connection);
    // Each request carries about 300 KiB (hyper takes up to about 400 KiB of head, and
    // URIs up to 64 KiB), all on distinct paths; together well over the log's budget.
    let long = "a".repeat(60 * 1024);
    let header = "h".repeat(240 * 1024);
    let count = MAX_RECORDED_BYTES / (300 * 1024) + 16;
    for index in 0..count {
        let request = Request::get(format!("/v1/{index}-{long}"))
            .header("host", "127.0.0.1")
            .header("x-filler", header.as_str())
            .body(Empty::<Bytes>::new())
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 404);
        response.into_body().collect().await.unwrap();
    }
    let stats = server.stats();
    assert_eq!(stats.requests, count as u64);
    assert!(
        stats
            .paths
            .keys()
            .all(|path| path.len() <= MAX_COUNTED_PATH_BYTES)
    );
    let requests = server.requests();
    let kept: usize = requests.iter().map(|request| request.size()).sum();
    assert!(kept <= MAX_RECORDED_BYTES, "{kept} bytes kept");
    assert!(requests.len() < count);
    let last = requests.last().unwrap();
    assert!(last.path().starts_with(&format!("/v1/{}-", count - 1)));
    server.shutdown().await;
}
