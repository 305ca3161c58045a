//! Shared test plumbing: starting servers on testdata/registry, a raw HTTP/1.1 exchange, and a hyper client for HTTP/2 and TLS.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, Version};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use registry_server::{RunningServer, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The example registry folder.
pub(crate) fn registry_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/registry")
}

/// The bytes of a pack in the example folder.
pub(crate) fn pack_file(relative: &str) -> Vec<u8> {
    std::fs::read(registry_dir().join(relative).join("pack.yaml")).expect("read pack")
}

/// A server on the example folder with `adjust` applied to the default config.
pub(crate) async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> RunningServer {
    let mut config = ServerConfig::new(registry_dir());
    adjust(&mut config);
    registry_server::start(config).await.expect("server starts")
}

/// A server on the example folder with the default config.
pub(crate) async fn start() -> RunningServer {
    start_with(|_| {}).await
}

/// A response read off the wire by [`raw`].
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    /// The first value of a header (names compared case-insensitively).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "body is not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Sends one HTTP/1.1 request with `Connection: close` and reads the whole answer.
pub(crate) async fn raw(
    server: &RunningServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> RawResponse {
    raw_with_body(server.local_addr(), method, path, headers, b"", usize::MAX).await
}

/// Sends one request and reads the answer, stopping once `body_limit` body bytes arrived.
pub(crate) async fn raw_with_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    body_limit: usize,
) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).await.expect("send request");

    let mut received = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let head_end = loop {
        if let Some(end) = find(&received, b"\r\n\r\n") {
            break end;
        }
        let read = read_some(&mut stream, &mut buffer).await;
        assert!(read > 0, "connection closed before the head ended");
        received.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8(received[..head_end].to_vec()).expect("head is text");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let mut body = received[head_end + 4..].to_vec();
    while body.len() < body_limit {
        let read = read_some(&mut stream, &mut buffer).await;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&buffer[..read]);
    }
    let mut response = RawResponse {
        status,
        head,
        headers,
        body,
    };
    if response.header("transfer-encoding") == Some("chunked") && body_limit == usize::MAX {
        response.body = dechunk(&response.body);
    }
    response
}

async fn read_some(stream: &mut TcpStream, buffer: &mut [u8]) -> usize {
    tokio::time::timeout(Duration::from_secs(30), stream.read(buffer))
        .await
        .expect("the server answers within 30 s")
        .expect("read")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n").expect("chunk size line");
        let size_text = std::str::from_utf8(&data[..line_end]).expect("chunk size is text");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("chunk size is hex");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// How [`fetch`] connects.
#[derive(Clone, Debug, Default)]
pub(crate) struct Client {
    /// HTTP/2 (by prior knowledge on plain TCP; on TLS, ALPN decides whatever this says).
    pub(crate) http2: bool,
    /// TLS trusting this CA (PEM), with this server name.
    pub(crate) tls: Option<(String, String)>,
}

/// A GET with hyper's connection-level client; returns the response with its body read,
/// or the error text when the connection or handshake fails.
pub(crate) async fn fetch(
    addr: SocketAddr,
    client: &Client,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<Response<Bytes>, String> {
    let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let mut request = Request::get(path).header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    match &client.tls {
        None => send(TokioIo::new(tcp), client.http2, request).await,
        Some((ca_pem, server_name)) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
                roots
                    .add(cert.map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = if client.http2 {
                vec![b"h2".to_vec(), b"http/1.1".to_vec()]
            } else {
                vec![b"http/1.1".to_vec()]
            };
            let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
            let name = ServerName::try_from(server_name.clone()).map_err(|e| e.to_string())?;
            let stream = connector
                .connect(name, tcp)
                .await
                .map_err(|e| e.to_string())?;
            let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
            send(TokioIo::new(stream), h2, request).await
        }
    }
}

async fn send<I>(
    io: I,
    http2: bool,
    request: Request<Empty<Bytes>>,
) -> Result<Response<Bytes>, String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let response = if http2 {
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        sender.send_request(request).await
    } else {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        sender.send_request(request).await
    }
    .map_err(|e| e.to_string())?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok(Response::from_parts(parts, body))
}

/// The `HeaderMap` value as text.
pub(crate) fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

/// The version, for assertions.
pub(crate) fn is_h2(response: &Response<Bytes>) -> bool {
    response.version() == Version::HTTP_2
}
