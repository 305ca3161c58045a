//! Concurrency: processes and threads writing and reading the same and different entries.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use registry_cache::{Audit, CacheRead, EntryKey, PackCache, Refresh, ttl};
use registry_verify::compute_digest;

use crate::support::{
    REGISTRY, Rng, Scratch, Signer, child_role, key, key_in, now, save_key, spawn_role,
    store_signed,
};

const ROLE: &str = "mixer";
const TEST: &str = "concurrency::mixer_child";
const PROCESSES: usize = 8;
const ID_VARIABLE: &str = "REGISTRY_CACHE_IT_MIXER";

/// Writes, reads and refreshes shared and private entries until `run_for` has passed;
/// panics on any error, any eviction, any read of a written entry that misses, and any
/// bytes that do not have the digest their metadata records. Returns the operations done.
fn mix(cache: &PackCache, signer: &Signer, id: &str, run_for: Duration) -> usize {
    let shared = [
        key("shared", "1.0.0"),
        key_in(REGISTRY, Some("acme"), "shared", "1.0.0"),
    ];
    let own = key(&format!("own-{id}"), "1.0.0");
    let options = signer.options();
    let mut rng = Rng::new();
    let mut written: HashSet<EntryKey> = HashSet::new();
    let deadline = Instant::now() + run_for;
    let mut operations = 0;
    while Instant::now() < deadline {
        let k = match rng.next() % 3 {
            0 => &shared[0],
            1 => &shared[1],
            _ => &own,
        };
        operations += 1;
        if rng.next().is_multiple_of(3) {
            store_signed(cache, signer, k, &format!("{id}-{operations}"));
            written.insert(k.clone());
            continue;
        }
        match cache.read(k, &options).expect("read") {
            CacheRead::Miss => assert!(!written.contains(k), "{id}: {k} vanished"),
            CacheRead::Fresh(entry) | CacheRead::Stale(entry) => {
                assert_eq!(
                    compute_digest(entry.pack()).expect("digest"),
                    entry.meta().digest,
                    "{id}: {k}"
                );
                if rng.next().is_multiple_of(4) {
                    let expires = ttl::expires_at(now(), Some("max-age=7200"));
                    // Another writer may have replaced the entry since the read.
                    let _: Refresh = cache.refresh(k, entry.digest(), expires).expect("refresh");
                }
            }
            CacheRead::Evicted(reason) => panic!("{id}: corrupt read of {k}: {reason}"),
        }
    }
    operations
}

/// The child: one of the processes of the test below.
#[test]
fn mixer_child() {
    let Some((cache, signer)) = child_role(ROLE) else {
        return;
    };
    let id = std::env::var(ID_VARIABLE).expect("mixer id");
    let operations = mix(&cache, &signer, &id, Duration::from_secs(3));
    eprintln!("mixer {id}: {operations} operations");
}

#[test]
fn eight_processes_writing_and_reading_never_see_a_corrupt_entry() {
    let scratch = Scratch::new("processes");
    let signer = Signer::new();
    let key_file = save_key(&scratch, &signer);
    let children: Vec<_> = (0..PROCESSES)
        .map(|id| {
            spawn_role(
                TEST,
                ROLE,
                scratch.root(),
                &key_file,
                &[(ID_VARIABLE, id.to_string())],
            )
        })
        .collect();
    for (id, child) in children.into_iter().enumerate() {
        let output = child.wait_with_output().expect("wait for a mixer");
        assert!(
            output.status.success(),
            "mixer {id} failed ({:?}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report = scratch
        .cache
        .verify_all(&Audit::Full(signer.options()))
        .expect("verify all");
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.entries.len(), 2 + PROCESSES);
}

#[test]
fn threads_share_a_cache_like_processes() {
    let scratch = Scratch::new("threads");
    let signer = Signer::new();
    std::thread::scope(|scope| {
        for id in 0..4 {
            let (cache, signer) = (&scratch.cache, &signer);
            scope.spawn(move || {
                mix(
                    cache,
                    signer,
                    &format!("thread-{id}"),
                    Duration::from_millis(700),
                )
            });
        }
    });
    let report = scratch
        .cache
        .verify_all(&Audit::Full(signer.options()))
        .expect("verify all");
    assert!(report.is_clean(), "{report:?}");
}
