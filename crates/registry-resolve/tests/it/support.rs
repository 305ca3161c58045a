//! Shared plumbing: scratch folders, reference servers, resolver configurations.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use camino::Utf8PathBuf;
use registry_http::RegistryConfig;
use registry_resolve::{FixedClock, ResolverConfig};
use registry_server::{RunningServer, ServerConfig};
use registry_types::{BaseUrl, Timestamp};
use registry_verify::{Algorithm, PrivateKey, RootSpec};

/// A fresh, empty scratch directory for one test.
pub(crate) fn scratch(name: &str) -> Utf8PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("registry-resolve")
        .join(format!("{name}-{}-{unique}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The example registry folder.
pub(crate) fn example_registry() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/registry")
}

/// Writes `packs/{name}/{version}/pack.yaml` (and `meta.json` when given) below `root`.
pub(crate) fn put_pack(root: &Path, name: &str, version: &str, yaml: &str, meta: Option<&str>) {
    let dir = root.join("packs").join(name).join(version);
    std::fs::create_dir_all(&dir).expect("pack dir");
    std::fs::write(dir.join("pack.yaml"), yaml).expect("pack.yaml");
    match meta {
        Some(meta) => std::fs::write(dir.join("meta.json"), meta).expect("meta.json"),
        None => {
            let _ = std::fs::remove_file(dir.join("meta.json"));
        }
    }
}

/// Keys that stay the same across server restarts (kept as PKCS#8 PEM, since a private
/// key is deliberately not `Clone`).
pub(crate) struct ServerKeys {
    root: String,
    signing: String,
}

impl ServerKeys {
    pub(crate) fn generate() -> Self {
        let pem = |key: PrivateKey| key.to_pkcs8_pem().expose_secret().to_owned();
        ServerKeys {
            root: pem(PrivateKey::generate(Algorithm::Ed25519).expect("root key")),
            signing: pem(PrivateKey::generate(Algorithm::Ed25519).expect("signing key")),
        }
    }

    fn load(pem: &str) -> PrivateKey {
        PrivateKey::from_pkcs8_pem(pem).expect("test key")
    }
}

/// A reference server on `dir`, with `adjust` applied.
pub(crate) async fn serve(dir: &Path, adjust: impl FnOnce(&mut ServerConfig)) -> RunningServer {
    let mut config = ServerConfig::new(dir.to_path_buf());
    adjust(&mut config);
    registry_server::start(config).await.expect("server starts")
}

/// A server on `dir` with fixed keys, optionally on a fixed address (to restart "the same"
/// registry with other contents).
pub(crate) async fn serve_keyed(
    dir: &Path,
    keys: &ServerKeys,
    addr: Option<SocketAddr>,
    adjust: impl FnOnce(&mut ServerConfig),
) -> RunningServer {
    serve(dir, |config| {
        config.root_key = Some(ServerKeys::load(&keys.root));
        config.signing_key = Some(ServerKeys::load(&keys.signing));
        if let Some(addr) = addr {
            config.addr = addr;
        }
        adjust(config);
    })
    .await
}

/// The time tests run at (a fixed clock: the real time when the test binary started, as
/// the servers stamp their manifests with the real time), and offsets from it.
pub(crate) fn at(hours_from_base: i64) -> Timestamp {
    static BASE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    let base = *BASE.get_or_init(|| {
        let elapsed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970");
        i64::try_from(elapsed.as_secs()).expect("seconds")
    });
    Timestamp::from_unix_seconds(base + hours_from_base * 3600).expect("time")
}

/// A resolver configuration for `base_url` with the cache in `cache`, the server's root
/// trusted, fast retries, and the clock fixed at `at(hours)`.
pub(crate) fn resolver_config(
    base_url: &str,
    root: Option<&RegistryRoot>,
    cache: &Utf8PathBuf,
    hours: i64,
) -> ResolverConfig {
    let mut registry = RegistryConfig::new(BaseUrl::parse(base_url).expect("base URL"));
    registry.retry.base_delay = Duration::from_millis(5);
    registry.retry.max_delay = Duration::from_millis(20);
    registry.timeouts.total = Duration::from_secs(10);
    let mut config = ResolverConfig::new(registry, cache.clone());
    if let Some(root) = root {
        config.trust.roots.push(root.0.clone());
    }
    config.clock = Arc::new(FixedClock(at(hours)));
    config.local_dir = registry_resolve::LocalDir::Disabled;
    config
}

/// A trust root, as a test configures it.
pub(crate) struct RegistryRoot(pub(crate) RootSpec);

impl RegistryRoot {
    pub(crate) fn of(server: &RunningServer) -> Self {
        RegistryRoot(RootSpec::Key(server.root_public_key()))
    }
}

/// The number of requests for `path` (below the base URL) the server saw.
pub(crate) fn hits(server: &RunningServer, path: &str) -> u64 {
    server.stats().path_count(&format!("/v1{path}"))
}

/// Every regular file below `dir`, as relative paths (a cache snapshot).
pub(crate) fn files(dir: &Utf8PathBuf) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = next.read_dir_utf8() else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path().to_owned();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).expect("below").to_string());
            }
        }
    }
    found.sort();
    found
}
