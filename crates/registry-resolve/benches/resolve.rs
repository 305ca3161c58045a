//! The registry pipeline on 100 different 100 KiB signed (commercial) packs served by the
//! loopback reference registry over TLS with HTTP/2 (ALPN):
//!
//! - `cold_fetch_100`: an empty cache each iteration — the keys manifest is fetched and
//!   verified, every pack and its signature are fetched concurrently (16 at a time),
//!   verified (Content-Digest, canonical digest, identity, Ed25519 signature against the
//!   manifest's key) and written to the cache;
//! - `warm_resolve_100`: a new resolver on a full cache each iteration — every entry is
//!   read and verified again (digest and signature), no request is made;
//! - `revalidate_100`: every entry stale (the clock moves two hours per iteration, packs
//!   live one): 100 conditional requests answered 304, each entry refreshed on disk.
//!
//! `cargo bench -p registry-resolve -- --quick` gives a fast, rougher run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use camino::Utf8PathBuf;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use registry_http::{CaBundle, RegistryConfig};
use registry_resolve::{FixedClock, LocalDir, PackResolver, ResolverConfig};
use registry_server::{RunningServer, ServerConfig, TlsMode};
use registry_types::{BaseUrl, PackName, PackRef, Policy, Timestamp};
use registry_verify::RootSpec;
use tokio::runtime::Runtime;

const PACKS: usize = 100;
const PACK_BYTES: usize = 100 * 1024;

fn names() -> Vec<PackName> {
    (0..PACKS)
        .map(|index| PackName::parse(&format!("resolve-bench-{index:03}")).expect("name"))
        .collect()
}

fn write_packs() -> PathBuf {
    let root = std::env::temp_dir().join(format!("registry-resolve-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    registry_server::write_generated_packs(&root, &names(), PACK_BYTES, Policy::Commercial)
        .expect("write packs");
    root
}

fn refs() -> Vec<PackRef> {
    names()
        .into_iter()
        .map(|name| PackRef::parse(&format!("{name}@1.0.0")).expect("reference"))
        .collect()
}

fn now_seconds() -> i64 {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(elapsed.as_secs()).expect("seconds")
}

fn resolver(server: &RunningServer, cache: &Utf8PathBuf, at: i64) -> Arc<PackResolver> {
    let mut registry = RegistryConfig::new(BaseUrl::parse(&server.base_url()).expect("base URL"));
    if let Some(ca) = server.ca_cert_pem() {
        registry.ca_bundle = Some(CaBundle::from_pem(ca));
    }
    let mut config = ResolverConfig::new(registry, cache.clone());
    config
        .trust
        .roots
        .push(RootSpec::Key(server.root_public_key()));
    config.clock = Arc::new(FixedClock(Timestamp::from_unix_seconds(at).expect("time")));
    config.local_dir = LocalDir::Disabled;
    config.concurrency = std::num::NonZeroUsize::new(16).expect("16");
    Arc::new(PackResolver::new(config).expect("resolver"))
}

fn resolve_all(runtime: &Runtime, resolver: &Arc<PackResolver>) {
    let results = runtime.block_on(resolver.resolve_all(refs()));
    for result in results {
        result.expect("resolved");
    }
}

fn benches(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    let packs = write_packs();
    let server = runtime.block_on(async {
        let mut config = ServerConfig::new(packs.clone());
        config.tls = TlsMode::SelfSigned;
        config.pack_max_age = Duration::from_secs(3600);
        config.keys_max_age = Duration::from_secs(10 * 365 * 24 * 3600);
        registry_server::start(config).await.expect("server")
    });
    let scratch = Utf8PathBuf::from_path_buf(std::env::temp_dir())
        .expect("utf-8 temp dir")
        .join(format!(
            "registry-resolve-bench-cache-{}",
            std::process::id()
        ));
    let start = now_seconds();

    let mut group = c.benchmark_group("resolve");
    group.throughput(Throughput::Elements(PACKS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));

    let cold = scratch.join("cold");
    group.bench_function("cold_fetch_100", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let _ = std::fs::remove_dir_all(&cold);
                let resolver = resolver(&server, &cold, start);
                let began = Instant::now();
                resolve_all(&runtime, &resolver);
                total += began.elapsed();
            }
            total
        });
    });

    let warm = scratch.join("warm");
    let _ = std::fs::remove_dir_all(&warm);
    resolve_all(&runtime, &resolver(&server, &warm, start));
    group.bench_function("warm_resolve_100", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let resolver = resolver(&server, &warm, start);
                let began = Instant::now();
                resolve_all(&runtime, &resolver);
                total += began.elapsed();
            }
            total
        });
    });

    let stale = scratch.join("stale");
    let _ = std::fs::remove_dir_all(&stale);
    resolve_all(&runtime, &resolver(&server, &stale, start));
    let clock = AtomicI64::new(start);
    group.bench_function("revalidate_100", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let at = clock.fetch_add(2 * 3600, Ordering::Relaxed) + 2 * 3600;
                let resolver = resolver(&server, &stale, at);
                let began = Instant::now();
                resolve_all(&runtime, &resolver);
                total += began.elapsed();
            }
            total
        });
    });
    group.finish();
    runtime.block_on(server.shutdown());
    let _ = std::fs::remove_dir_all(&scratch);
    let _ = std::fs::remove_dir_all(&packs);
}

criterion_group!(resolve, benches);
criterion_main!(resolve);
