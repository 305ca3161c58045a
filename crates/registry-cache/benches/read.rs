//! Warm reads: open and re-verify cached packs (100 KiB each, one Ed25519 signature).
//!
//! Run with `cargo bench -p registry-cache --bench read`. `warm_read/100_packs` reads all
//! 100 entries once per iteration, so its time is the total and its throughput
//! (`elem/s`) is packs per second; `warm_read/one_pack` is the time of one read. Each read
//! takes the entry's shared lock, reads three files without following symlinks, checks
//! the metadata, canonicalizes the pack (strict YAML → JCS → SHA-256), verifies the
//! signature and checks the pack's name and version. `warm_read/verify_pack_only` is
//! registry-verify's `verify_pack` on the same bytes in memory, for comparison.

use std::hint::black_box;

use camino::Utf8PathBuf;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use registry_cache::{CacheRead, EntryKey, NewEntry, PackCache, ReadOptions};
use registry_types::{PackName, Policy, Timestamp, Version};
use registry_verify::{
    Algorithm, PackPayloadType, PrivateKey, TrustStore, VerifyOptions, compute_digest, sign_pack,
    verify_pack,
};

const PACKS: usize = 100;
const PACK_BYTES: usize = 100 * 1024;

/// A pack of about [`PACK_BYTES`] bytes of realistic rules.
fn pack(name: &str) -> Vec<u8> {
    let mut text = format!("name: {name}\nversion: \"1.0.0\"\nkind: compliance\nrules:\n");
    let mut rule = 0;
    while text.len() < PACK_BYTES {
        text.push_str(&format!(
            "  - id: rule-{rule:05}\n    description: \"Records of processing activity {rule} are kept and reviewed\"\n    severity: high\n    check:\n      type: regex\n      field: \"spec.controls[{rule}].evidence\"\n      pattern: \"^(approved|reviewed)-[0-9]+$\"\n"
        ));
        rule += 1;
    }
    text.into_bytes()
}

fn read(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("registry-cache-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let root = Utf8PathBuf::from_path_buf(dir).expect("UTF-8 temp dir");
    let cache = PackCache::new(root.clone());
    let key = PrivateKey::generate(Algorithm::Ed25519).expect("key generation");
    let mut trust = TrustStore::default();
    trust.add_pack_key(key.public_key());
    let now = Timestamp::parse("2026-01-29T10:00:00Z").expect("valid time");
    let expires_at = Timestamp::parse("2026-01-30T10:00:00Z").expect("valid time");

    let mut keys = Vec::new();
    for index in 0..PACKS {
        let name = format!("bench-pack-{index}");
        let bytes = pack(&name);
        let envelope = sign_pack(&bytes, &[&key], PackPayloadType::Jcs).expect("signing");
        let entry_key = EntryKey::new(
            "https://registry.example/v1",
            None,
            PackName::parse(&name).expect("valid name"),
            Version::parse("1.0.0").expect("valid version"),
        )
        .expect("valid key");
        cache
            .write(
                &entry_key,
                &NewEntry {
                    pack: &bytes,
                    envelope: Some(&envelope),
                    digest: compute_digest(&bytes).expect("digest"),
                    policy: Policy::Commercial,
                    key_id: Some(key.key_id().clone()),
                    etag: None,
                    fetched_at: now,
                    expires_at,
                },
            )
            .expect("write");
        keys.push(entry_key);
    }
    let options = ReadOptions::new(&trust, now);
    let read_one = |entry_key: &EntryKey| match cache.read(entry_key, &options).expect("read") {
        CacheRead::Fresh(entry) => black_box(entry.pack().len()),
        other => panic!("expected a fresh entry, got {other:?}"),
    };

    let mut group = c.benchmark_group("warm_read");
    group.sample_size(20);
    group.throughput(Throughput::Elements(PACKS as u64));
    group.bench_function("100_packs", |b| {
        b.iter(|| keys.iter().map(read_one).sum::<usize>());
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("one_pack", |b| b.iter(|| read_one(&keys[0])));
    // The same check without the cache, for comparison: what the cache adds is file
    // access, locking, metadata checks and the name/version check.
    let bytes = pack("bench-pack-0");
    let envelope = sign_pack(&bytes, &[&key], PackPayloadType::Jcs).expect("signing");
    let mut verify_options = VerifyOptions::new(Policy::Commercial, now);
    verify_options.expected_digest = Some(compute_digest(&bytes).expect("digest"));
    group.bench_function("verify_pack_only", |b| {
        b.iter(|| verify_pack(&bytes, Some(&envelope), &trust, &verify_options).expect("valid"));
    });
    group.finish();

    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(benches, read);
criterion_main!(benches);
