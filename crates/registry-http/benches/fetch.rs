//! Cold fetches of 100 different 100 KiB packs from the loopback reference server, with one
//! client: serially, and 16 at a time.
//!
//! Each iteration builds a new [`RegistryClient`] (an empty connection pool, so connection
//! set-up is included) and fetches the 100 packs without validators, so every fetch is a
//! full `200`: gzip decoding, `Content-Digest`, the canonical digest and the identity check
//! included. Throughput is reported in packs (= requests) per second. The packs are
//! generated into a temporary folder when the benchmark starts.
//!
//! The `serial` and `concurrency_16` runs use plain HTTP/1.1 on loopback; `https_h2_*` run
//! the same fetches over TLS (a CA generated for the run) with HTTP/2 chosen by ALPN, so
//! one connection carries every request and the handshake is part of each iteration.
//!
//! `cargo bench -p registry-http -- --quick` gives a fast, rougher run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use registry_http::{CaBundle, RegistryClient, RegistryConfig};
use registry_server::{RunningServer, ServerConfig, TlsMode};
use registry_types::BaseUrl;
use registry_types::{PackName, Policy, Version};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;

/// How many packs, and how large each is.
const PACKS: usize = 100;
const PACK_BYTES: usize = 100 * 1024;

/// Writes the packs into a fresh folder under the system temp dir.
fn write_packs() -> PathBuf {
    let root = std::env::temp_dir().join(format!("registry-http-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let names: Vec<PackName> = pack_ids().into_iter().map(|(name, _)| name).collect();
    registry_server::write_generated_packs(&root, &names, PACK_BYTES, Policy::Open)
        .expect("write packs");
    root
}

fn pack_ids() -> Vec<(PackName, Version)> {
    let version = Version::parse("1.0.0").expect("version");
    (0..PACKS)
        .map(|index| {
            let name = PackName::parse(&format!("bench-pack-{index:03}")).expect("name");
            (name, version.clone())
        })
        .collect()
}

fn client(server: &RunningServer) -> RegistryClient {
    let mut config = RegistryConfig::new(BaseUrl::parse(&server.base_url()).expect("base URL"));
    if let Some(ca) = server.ca_cert_pem() {
        config.ca_bundle = Some(CaBundle::from_pem(ca));
    }
    RegistryClient::new(config).expect("client")
}

/// Fetches every pack with at most `concurrency` in flight, with a new client.
async fn fetch_all(
    server: &RunningServer,
    packs: &Arc<Vec<(PackName, Version)>>,
    concurrency: usize,
) -> Duration {
    let client = client(server);
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut tasks = Vec::with_capacity(packs.len());
    for index in 0..packs.len() {
        let (client, packs, permits) = (client.clone(), Arc::clone(packs), Arc::clone(&permits));
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire().await.expect("semaphore open");
            let (name, version) = &packs[index];
            let fetched = client
                .fetch_pack_in(None, name, version, None)
                .await
                .expect("fetch");
            assert!(fetched.is_some_and(|pack| pack.body.len() >= PACK_BYTES));
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    started.elapsed()
}

fn cold_fetch(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let root = write_packs();
    let plain = start_server(&runtime, &root, TlsMode::Plain);
    let tls = start_server(&runtime, &root, TlsMode::SelfSigned);
    let packs = Arc::new(pack_ids());

    let mut group = c.benchmark_group("cold_fetch_100_packs_of_100KiB");
    group.throughput(Throughput::Elements(PACKS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for (label, server, concurrency) in [
        ("serial", &plain, 1),
        ("concurrency_16", &plain, 16),
        ("https_h2_serial", &tls, 1),
        ("https_h2_concurrency_16", &tls, 16),
    ] {
        group.bench_function(label, |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    total += runtime.block_on(fetch_all(server, &packs, concurrency));
                }
                total
            });
        });
    }
    group.finish();
    runtime.block_on(plain.shutdown());
    runtime.block_on(tls.shutdown());
    let _ = std::fs::remove_dir_all(&root);
}

fn start_server(runtime: &Runtime, root: &Path, tls: TlsMode) -> RunningServer {
    let mut config = ServerConfig::new(root);
    config.tls = tls;
    let server = runtime
        .block_on(registry_server::start(config))
        .expect("server starts");
    assert_eq!(server.pack_count(), PACKS, "every generated pack is served");
    server
}

criterion_group!(benches, cold_fetch);
criterion_main!(benches);
