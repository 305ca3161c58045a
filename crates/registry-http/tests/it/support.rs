//! Shared test plumbing: reference servers on testdata/registry, fast client configs, and a
//! tiny scripted HTTP server for what the reference server cannot be made to do.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use registry_http::{RegistryClient, RegistryConfig, TargetKind};
use registry_server::{RunningServer, ServerConfig};
use registry_types::BaseUrl;
use registry_types::{Namespace, PackName, Version};
use tokio::net::TcpListener;

/// The example registry folder.
pub(crate) fn registry_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/registry")
}

/// A reference server on the example folder, with `adjust` applied.
pub(crate) async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> RunningServer {
    let mut config = ServerConfig::new(registry_dir());
    adjust(&mut config);
    registry_server::start(config).await.expect("server starts")
}

/// A reference server on the example folder.
pub(crate) async fn start() -> RunningServer {
    start_with(|_| {}).await
}

/// A configuration for `base_url` whose back-off is milliseconds, so that retry tests are fast.
pub(crate) fn fast_config(base_url: &str) -> RegistryConfig {
    let mut config = RegistryConfig::new(BaseUrl::parse(base_url).expect("base URL"));
    config.retry.base_delay = Duration::from_millis(5);
    config.retry.max_delay = Duration::from_millis(40);
    config.timeouts.total = Duration::from_secs(20);
    config.timeouts.connect = Duration::from_secs(5);
    config
}

/// A client for `server` with `adjust` applied to [`fast_config`].
pub(crate) fn client_with(
    server: &RunningServer,
    adjust: impl FnOnce(&mut RegistryConfig),
) -> RegistryClient {
    let mut config = fast_config(&server.base_url());
    adjust(&mut config);
    RegistryClient::new(config).expect("client")
}

/// A client for `server` with [`fast_config`].
pub(crate) fn client_for(server: &RunningServer) -> RegistryClient {
    client_with(server, |_| {})
}

pub(crate) fn name(text: &str) -> PackName {
    PackName::parse(text).expect("pack name")
}

pub(crate) fn version(text: &str) -> Version {
    Version::parse(text).expect("version")
}

pub(crate) fn org(text: &str) -> Namespace {
    Namespace::parse(text).expect("namespace")
}

/// Asserts that an error is about pack `label` at `registry`, and says so in its message.
pub(crate) fn assert_names_pack(error: &registry_http::Error, label: &str, registry: &str) {
    let target = error
        .target()
        .unwrap_or_else(|| panic!("no target in {error:?}"));
    match target.kind() {
        TargetKind::Pack(pack) | TargetKind::Signature(pack) => assert_eq!(pack.to_string(), label),
        other => panic!("not a pack target: {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains(&format!("'{label}'")), "{text}");
    assert!(text.contains(registry), "{text}");
}

/// The whole error chain, as the CLI prints it.
pub(crate) fn report(error: &registry_http::Error) -> String {
    snafu::Report::from_error(error).to_string()
}

/// Requests to `path` that the server saw.
pub(crate) fn count(server: &RunningServer, path: &str) -> u64 {
    server.stats().path_count(path)
}

/// What a [`Scripted`] server saw of one request.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) path_and_query: String,
    pub(crate) headers: http::HeaderMap,
}

type Handler = dyn Fn(&Parts, &Bytes) -> Response<Full<Bytes>> + Send + Sync;

/// A tiny HTTP/1.1 server on 127.0.0.1 whose answers a test scripts with a closure.
pub(crate) struct Scripted {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    /// Starts a server that answers every request with `handler`.
    pub(crate) async fn start(
        handler: impl Fn(&Parts, &Bytes) -> Response<Full<Bytes>> + Send + Sync + 'static,
    ) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let handler = Arc::clone(&handler);
                        let log = Arc::clone(&log);
                        async move {
                            let (parts, body) = request.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            log.lock().unwrap().push(Seen {
                                path_and_query: parts
                                    .uri
                                    .path_and_query()
                                    .map(ToString::to_string)
                                    .unwrap_or_default(),
                                headers: parts.headers.clone(),
                            });
                            Ok::<_, Infallible>(handler(&parts, &body))
                        }
                    });
                    let builder =
                        hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Scripted { addr, seen }
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub(crate) fn base_url(&self) -> String {
        format!("{}/v1", self.origin())
    }

    /// A client for this server with [`fast_config`].
    pub(crate) fn client(&self) -> registry_http::RegistryClient {
        registry_http::RegistryClient::new(fast_config(&self.base_url())).expect("client")
    }

    /// Every request so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// The error of fetching `pack@version`, which must fail.
pub(crate) async fn fetch_error(
    client: &registry_http::RegistryClient,
    pack: &str,
    version_text: &str,
) -> registry_http::Error {
    match client.fetch_pack(pack, version_text, None).await {
        Err(error) => error,
        Ok(result) => panic!("{pack}@{version_text} was handed back: {result:?}"),
    }
}

/// A response with `status`, `headers` and `body`.
pub(crate) fn respond(
    status: u16,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = StatusCode::from_u16(status).expect("status");
    for (name, value) in headers {
        response.headers_mut().append(
            http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            value.parse().expect("header value"),
        );
    }
    response
}

/// A raw TCP server on 127.0.0.1 that reads each request's head, writes `response` verbatim
/// and closes the connection: for answers hyper would never send (cut-off bodies, bytes that
/// are not UTF-8). Returns its base URL and the number of connections accepted.
pub(crate) async fn raw_server(
    response: &'static [u8],
) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|window| window == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => head.extend_from_slice(&buffer[..read]),
                    }
                }
                let _ = stream.write_all(response).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (format!("http://{addr}/v1"), accepted)
}
