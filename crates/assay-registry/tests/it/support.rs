//! Shared plumbing: scratch folders, the reference registry, fast client and resolver
//! configurations built in code (never from the process environment).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use assay_registry::resolver::{FixedClock, LocalDir};
use assay_registry::trust::RootSpec;
use assay_registry::types::{BaseUrl, Timestamp};
use assay_registry::{RegistryClient, RegistryConfig, ResolverConfig};
use camino::Utf8PathBuf;
use registry_server::{RunningServer, ServerConfig};

/// A fresh, empty scratch directory for one test.
pub(crate) fn scratch(name: &str) -> Utf8PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("assay-registry")
        .join(format!("{name}-{}-{unique}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The example registry folder of `testdata/`.
pub(crate) fn example_registry() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/registry")
}

/// The reference registry on the example folder, on 127.0.0.1 (an ephemeral port), with
/// `tokens` accepted for commercial packs.
pub(crate) async fn serve(tokens: &[&str]) -> RunningServer {
    let mut config = ServerConfig::new(example_registry());
    config.tokens = tokens.iter().map(|token| (*token).to_owned()).collect();
    registry_server::start(config).await.expect("server starts")
}

/// A registry configuration for `server` with fast retries.
pub(crate) fn registry_config(server: &RunningServer) -> RegistryConfig {
    let mut config = RegistryConfig::new(BaseUrl::parse(&server.base_url()).expect("base URL"));
    config.retry.base_delay = Duration::from_millis(5);
    config.retry.max_delay = Duration::from_millis(20);
    config.timeouts.total = Duration::from_secs(10);
    config
}

/// A client for `server`, built with `RegistryClient::new` (not `from_env`).
pub(crate) fn client(server: &RunningServer) -> RegistryClient {
    RegistryClient::new(registry_config(server)).expect("client")
}

/// A resolver configuration for `server` with its root trusted, the cache in `cache`, no
/// local directory, and the clock fixed at the time the test runs.
pub(crate) fn resolver_config(server: &RunningServer, cache: &Utf8PathBuf) -> ResolverConfig {
    let mut config = ResolverConfig::new(registry_config(server), cache.clone());
    config
        .trust
        .roots
        .push(RootSpec::Key(server.root_public_key()));
    config.local_dir = LocalDir::Disabled;
    config.clock = Arc::new(FixedClock(now()));
    config
}

/// The time now, whole seconds (the server stamps its keys manifest with the real time).
pub(crate) fn now() -> Timestamp {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    Timestamp::from_unix_seconds(i64::try_from(elapsed.as_secs()).expect("seconds")).expect("time")
}
