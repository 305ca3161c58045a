//! Starting, running and stopping the server: keys, the folder, the socket, TLS and the connection tasks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use registry_types::Timestamp;
use registry_verify::{
    Algorithm, KeyId, KeyUsage, ManifestDraft, ManifestKeyDraft, PrivateKey, PublicKey,
    sign_manifest,
};
use snafu::ResultExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::bearer::TokenHash;
use crate::catalog::{Catalog, StartupProblem};
use crate::config::{ServerConfig, SigningKeyListing};
use crate::dispatch::{self, Settings, Shared};
use crate::error::{BindSnafu, GenerateKeySnafu, Result, SignManifestSnafu};
use crate::fault::{FaultState, Faults};
use crate::oidc::{AccessTokens, GITHUB_TOKEN_PATH};
use crate::record::{RecordedRequest, Recorder, ServerStats};
use crate::route::API_PREFIX;
use crate::tls;

/// How long connections may take to finish once shutdown starts, before they are cut.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// How long a TLS handshake may take.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A server that is listening. Dropping it stops the server too, without waiting.
#[derive(Debug)]
pub struct RunningServer {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    root_public_key: PublicKey,
    signing_key_id: KeyId,
    ca_cert_pem: Option<String>,
    startup_report: Vec<StartupProblem>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Loads and signs the folder, binds the address and starts serving in a tokio task.
///
/// Invalid packs do not stop the start: they are listed in
/// [`RunningServer::startup_report`] and not served.
///
/// # Errors
/// The folder cannot be listed ([`crate::Error::ReadFolder`]), a key, certificate or the
/// keys manifest cannot be made, the TLS material is unusable, or the address cannot be
/// bound ([`crate::Error::Bind`]).
pub async fn start(config: ServerConfig) -> Result<RunningServer> {
    let requires_auth = config.requires_auth();
    let signing_key = key_or_generate(config.signing_key, "signing")?;
    let root_key = key_or_generate(config.root_key, "root")?;
    let (catalog, startup_report) = Catalog::load(&config.packs_dir, &signing_key)?;
    let tls = tls::configure(&config.tls)?;
    let listener = TcpListener::bind(config.addr)
        .await
        .context(BindSnafu { addr: config.addr })?;
    let local_addr = listener
        .local_addr()
        .context(BindSnafu { addr: config.addr })?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let origin = format!("{scheme}://{}", connectable(local_addr));
    let keys_manifest = keys_manifest(
        &signing_key,
        &root_key,
        config.manifest_version,
        config.manifest_ttl,
        config.signing_key_listing,
    )?;
    let shared = Arc::new(Shared {
        catalog,
        faults: FaultState::new(config.faults),
        recorder: Recorder::default(),
        access_tokens: AccessTokens::default(),
        settings: Settings {
            requires_auth,
            tokens: config
                .tokens
                .iter()
                .map(|token| TokenHash::of(token))
                .collect(),
            unlicensed_tokens: config
                .unlicensed_tokens
                .iter()
                .map(|token| TokenHash::of(token))
                .collect(),
            oidc: config.oidc,
            signature_header_max: config.signature_header_max,
            sidecar_advertisement: config.sidecar_advertisement,
            pack_max_age: config.pack_max_age,
            keys_max_age: config.keys_max_age,
        },
        keys_manifest,
        origin,
    });
    let (stop, stopped) = watch::channel(false);
    let (acceptor, ca_cert_pem) = match tls {
        Some(tls) => (Some(tls.acceptor), tls.ca_cert_pem),
        None => (None, None),
    };
    let task = tokio::spawn(accept_loop(
        listener,
        Arc::clone(&shared),
        acceptor,
        stopped,
    ));
    Ok(RunningServer {
        shared,
        local_addr,
        root_public_key: root_key.public_key(),
        signing_key_id: signing_key.key_id().clone(),
        ca_cert_pem,
        startup_report,
        stop,
        task,
    })
}

impl RunningServer {
    /// The base URL of the API, `http://127.0.0.1:PORT/v1` or `https://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("{}{API_PREFIX}", self.shared.origin)
    }

    /// The origin, `scheme://host:port`: the OIDC audience, and what
    /// [`Faults::redirect_to`] expects.
    pub fn origin(&self) -> String {
        self.shared.origin.clone()
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The key id of the root that signs the keys manifest: what clients pin.
    pub fn root_key_id(&self) -> KeyId {
        self.root_public_key.key_id().clone()
    }

    /// The root's public key.
    pub fn root_public_key(&self) -> PublicKey {
        self.root_public_key.clone()
    }

    /// The key id of the key that signs the packs.
    pub fn signing_key_id(&self) -> KeyId {
        self.signing_key_id.clone()
    }

    /// The PEM certificate of the CA that signed the server certificate, in
    /// [`crate::TlsMode::SelfSigned`] mode.
    pub fn ca_cert_pem(&self) -> Option<String> {
        self.ca_cert_pem.clone()
    }

    /// The packs in the folder that are not served, and why.
    pub fn startup_report(&self) -> &[StartupProblem] {
        &self.startup_report
    }

    /// How many pack versions are served.
    pub fn pack_count(&self) -> usize {
        self.shared.catalog.len()
    }

    /// Replaces the faults; requests that arrive from now on see the new set (with full
    /// countdowns).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults);
    }

    /// The counters.
    pub fn stats(&self) -> ServerStats {
        self.shared.recorder.stats()
    }

    /// Every request received, oldest first (up to [`crate::MAX_RECORDED_REQUESTS`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorder.requests()
    }

    /// Clears the counters and the request log.
    pub fn reset_stats(&self) {
        self.shared.recorder.reset();
    }

    /// Forgets every access token the OIDC exchange issued, so that their next use gets 401.
    pub fn revoke_access_tokens(&self) {
        self.shared.access_tokens.revoke_all();
    }

    /// The audience the OIDC exchange expects: the configured one, else the origin.
    pub fn oidc_audience(&self) -> String {
        self.shared
            .settings
            .oidc
            .as_ref()
            .and_then(|oidc| oidc.audience.clone())
            .unwrap_or_else(|| self.origin())
    }

    /// The URL to use as `ACTIONS_ID_TOKEN_REQUEST_URL` (it already has a query, as GitHub's
    /// does), when [`crate::OidcConfig::github_request_token`] is set.
    pub fn github_token_request_url(&self) -> Option<String> {
        let oidc = self.shared.settings.oidc.as_ref()?;
        oidc.github_request_token.as_ref()?;
        Some(format!(
            "{}{GITHUB_TOKEN_PATH}?api-version=2.0",
            self.shared.origin
        ))
    }

    /// Stops accepting, lets open connections finish for up to [`SHUTDOWN_GRACE`], then
    /// cuts the rest.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        // The task only ends by returning; a panic in it has nothing left to clean up.
        let _ = self.task.await;
    }
}

/// The key given, or a fresh Ed25519 key.
fn key_or_generate(key: Option<PrivateKey>, role: &'static str) -> Result<PrivateKey> {
    match key {
        Some(key) => Ok(key),
        None => PrivateKey::generate(Algorithm::Ed25519).context(GenerateKeySnafu { role }),
    }
}

/// An address clients can connect to: the unspecified address becomes loopback.
fn connectable(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// The keys manifest: the signing key for packs and the root (listed for manifest signing
/// only, so that a client pinning the root by key id finds its public key).
fn keys_manifest(
    signing: &PrivateKey,
    root: &PrivateKey,
    version: u64,
    ttl: Option<Duration>,
    listing: SigningKeyListing,
) -> Result<Bytes> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .and_then(|since| Timestamp::from_unix_seconds(since.as_secs().try_into().ok()?));
    let (revoked, not_after) = match listing {
        SigningKeyListing::Valid => (false, None),
        SigningKeyListing::Revoked => (true, None),
        SigningKeyListing::ExpiresAfter(after) => {
            (false, now.and_then(|now| now.checked_add(after)))
        }
    };
    let mut keys = vec![ManifestKeyDraft {
        description: Some("pack signing key of the reference registry".to_owned()),
        revoked,
        not_after,
        ..ManifestKeyDraft::new(signing.public_key())
    }];
    if root.key_id() != signing.key_id() {
        keys.push(ManifestKeyDraft {
            usage: KeyUsage::ManifestSigning,
            description: Some("root of the reference registry".to_owned()),
            ..ManifestKeyDraft::new(root.public_key())
        });
    }
    let draft = ManifestDraft {
        version,
        issued_at: now,
        expires_at: now.zip(ttl).and_then(|(now, ttl)| now.checked_add(ttl)),
        keys,
    };
    let envelope = sign_manifest(&draft, root).context(SignManifestSnafu)?;
    Ok(Bytes::from(envelope.to_json()))
}

/// Accepts connections until told to stop, then winds them down.
async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let id = shared.recorder.connection();
                    connections.spawn(serve_connection(
                        stream,
                        Arc::clone(&shared),
                        tls.clone(),
                        stop.clone(),
                        id,
                    ));
                }
                // Out of file descriptors and the like: wait a little instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            // A stop signal, or the `RunningServer` was dropped.
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}

/// Serves one TCP connection (after the TLS handshake, if any) with HTTP/1.1 or HTTP/2.
async fn serve_connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    stop: watch::Receiver<bool>,
    id: u64,
) {
    let _ = stream.set_nodelay(true);
    match tls {
        None => serve_io(TokioIo::new(stream), shared, stop, id).await,
        Some(acceptor) => {
            let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            if let Ok(Ok(stream)) = handshake.await {
                serve_io(TokioIo::new(stream), shared, stop, id).await;
            }
        }
    }
}

async fn serve_io<I>(io: I, shared: Arc<Shared>, mut stop: watch::Receiver<bool>, id: u64)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { dispatch::handle(&shared, id, request).await }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
        }
    }
}
