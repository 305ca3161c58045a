//! Crash safety: a writer killed with SIGKILL at random points leaves only whole,
//! verifiable entries, and its leftovers are never read as entries.

use std::time::Duration;

use registry_cache::{Audit, CacheRead, EntryKey, NewEntry, Refresh, ttl};
use registry_types::Policy;
use registry_verify::compute_digest;

use crate::support::{
    Rng, Scratch, Signer, child_role, expect_fresh, key, now, pack, save_key, spawn_role,
    store_signed,
};

const ROLE: &str = "crash-writer";
const TEST: &str = "crash::writer_child";
const VERSIONS: [&str; 3] = ["1.0.0", "1.0.1", "2.0.0-rc.1"];
const ROUNDS: usize = 50;

/// A pack of some kilobytes, so that a kill often lands in the middle of a write.
fn sizeable_pack(version: &str, note: &str) -> Vec<u8> {
    let mut bytes = pack("crash-pack", version, note);
    for rule in 0..300 {
        bytes.extend_from_slice(
            format!("  - id: extra-{rule}\n    check:\n      type: regex\n").as_bytes(),
        );
    }
    bytes
}

/// The child: writes, refreshes and evicts entries until it is killed.
#[test]
fn writer_child() {
    let Some((cache, signer)) = child_role(ROLE) else {
        return;
    };
    let mut rng = Rng::new();
    for counter in 0u64.. {
        let version = VERSIONS[(rng.next() % 3) as usize];
        let k = key("crash-pack", version);
        let bytes = sizeable_pack(version, &format!("{}-{counter}", std::process::id()));
        let envelope = signer.sign(&bytes);
        let digest = compute_digest(&bytes).expect("digest");
        cache
            .write(
                &k,
                &NewEntry {
                    pack: &bytes,
                    envelope: Some(&envelope),
                    digest,
                    policy: Policy::Commercial,
                    key_id: Some(signer.key.key_id().clone()),
                    etag: Some(format!("\"{digest}\"")),
                    fetched_at: now(),
                    expires_at: ttl::expires_at(now(), Some("max-age=60")),
                },
            )
            .expect("write");
        if counter.is_multiple_of(3) {
            let later = ttl::expires_at(now(), Some("max-age=120"));
            assert_eq!(
                cache.refresh(&k, &digest, later).expect("refresh"),
                Refresh::Updated
            );
        }
        if counter.is_multiple_of(7) {
            cache.evict(k.location()).expect("evict");
        }
    }
}

/// Leftovers of interrupted writes beside the entries of the random-kill writer's pack.
fn leftovers(scratch: &Scratch) -> usize {
    leftovers_of(scratch, &key("crash-pack", "1.0.0"))
}

#[test]
fn a_writer_killed_at_random_points_leaves_only_whole_entries() {
    let scratch = Scratch::new("crash");
    let signer = Signer::new();
    let key_file = save_key(&scratch, &signer);
    let options = signer.options();
    let mut rng = Rng::new();
    let (mut leftovers_seen, mut entries_seen) = (0, 0);
    for round in 0..ROUNDS {
        let mut child = spawn_role(TEST, ROLE, scratch.root(), &key_file, &[]);
        std::thread::sleep(Duration::from_millis(rng.between(1, 50)));
        // `Child::kill` sends SIGKILL on Unix: no destructor, no unwinding, no unlock.
        child.kill().expect("kill the writer");
        let status = child.wait().expect("reap the writer");
        assert!(!status.success(), "the writer never ends by itself");

        // Listing never shows a temporary or displaced directory as an entry, and every
        // listed entry has its metadata.
        for listed in scratch.cache.list().expect("list") {
            assert!(
                VERSIONS.contains(&listed.location.version().as_str()),
                "round {round}: {listed:?}"
            );
            assert!(
                listed.meta.is_some(),
                "round {round}: incomplete entry {listed:?}"
            );
        }
        leftovers_seen += leftovers(&scratch);
        // Every entry on disk is whole and verifies.
        for version in VERSIONS {
            match scratch
                .cache
                .read(&key("crash-pack", version), &options)
                .expect("read")
            {
                CacheRead::Miss => {}
                CacheRead::Fresh(entry) | CacheRead::Stale(entry) => {
                    entries_seen += 1;
                    assert_eq!(
                        compute_digest(entry.pack()).expect("digest"),
                        entry.meta().digest
                    );
                }
                CacheRead::Evicted(reason) => {
                    panic!("round {round}: a killed writer left a bad entry: {reason}")
                }
            }
        }
        if round % 10 == 9 {
            let report = scratch
                .cache
                .verify_all(&Audit::Full(signer.options()))
                .expect("verify");
            assert!(report.is_clean(), "round {round}: {report:?}");
            assert_eq!(leftovers(&scratch), 0, "verify_all sweeps leftovers");
        }
    }
    scratch.cache.sweep().expect("sweep");
    assert_eq!(leftovers(&scratch), 0);
    assert!(entries_seen > 0, "the writer never got to write anything");
    eprintln!(
        "crash test: {entries_seen} entries read, {leftovers_seen} leftovers found after kills"
    );
}

/// Copies the files of an entry directory into a new directory `to`.
fn copy_entry(from: &camino::Utf8Path, to: &camino::Utf8Path) {
    std::fs::create_dir(to).expect("create");
    for file in std::fs::read_dir(from).expect("list") {
        let file = file.expect("entry");
        std::fs::copy(
            file.path(),
            to.join(file.file_name().to_str().expect("UTF-8")),
        )
        .expect("copy");
    }
}

/// The state a writer killed between displacing the old entry and renaming the new one
/// into place leaves: `.old-*` (the old entry), `.tmp-*` (the new one), no entry.
fn killed_between_displace_and_rename(scratch: &Scratch, signer: &Signer, k: &EntryKey) {
    let other = Scratch::new(&format!("{}-new", scratch.dir.file_name().expect("name")));
    store_signed(&scratch.cache, signer, k, "old");
    store_signed(&other.cache, signer, k, "new");
    let dir = scratch.entry_dir(k);
    let name_dir = dir.parent().expect("name dir");
    copy_entry(
        &other.entry_dir(k),
        &name_dir.join(".tmp-00ff00ff00ff00ff-1.0.0"),
    );
    std::fs::rename(&dir, name_dir.join(".old-0123456789abcdef-1.0.0")).expect("displace");
}

#[test]
fn a_write_killed_between_displacing_and_renaming_leaves_the_new_entry() {
    let signer = Signer::new();
    let options = signer.options();
    let k = key("displaced", "1.0.0");

    // Read first: the new entry is put in place.
    let scratch = Scratch::new("displaced-read");
    killed_between_displace_and_rename(&scratch, &signer, &k);
    assert_eq!(
        expect_fresh(&scratch.cache, &k, &options),
        pack("displaced", "1.0.0", "new")
    );
    scratch.cache.sweep().expect("sweep");
    assert_eq!(leftovers_of(&scratch, &k), 0);

    // Sweep (and so verify_all) first: the new entry is put in place, not swept away.
    let scratch = Scratch::new("displaced-sweep");
    killed_between_displace_and_rename(&scratch, &signer, &k);
    let report = scratch
        .cache
        .verify_all(&Audit::Full(signer.options()))
        .expect("verify all");
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.entries.len(), 1, "{report:?}");
    assert_eq!(leftovers_of(&scratch, &k), 0);
    assert_eq!(
        expect_fresh(&scratch.cache, &k, &options),
        pack("displaced", "1.0.0", "new")
    );
}

#[test]
fn an_unfinished_or_superseded_temporary_directory_never_becomes_the_entry() {
    let signer = Signer::new();
    let options = signer.options();
    let k = key("unfinished", "1.0.0");

    // Killed while filling, with no entry before: still no entry.
    let scratch = Scratch::new("unfinished");
    store_signed(&scratch.cache, &signer, &k, "x");
    let dir = scratch.entry_dir(&k);
    let temp = dir
        .parent()
        .expect("name dir")
        .join(".tmp-00ff00ff00ff00ff-1.0.0");
    std::fs::create_dir(&temp).expect("create");
    std::fs::copy(dir.join("pack.yaml"), temp.join("pack.yaml")).expect("copy");
    std::fs::write(temp.join("metadata.json"), b"{\"format\": 1,").expect("write");
    std::fs::remove_dir_all(&dir).expect("remove");
    assert!(matches!(
        scratch.cache.read(&k, &options).expect("read"),
        CacheRead::Miss
    ));
    scratch.cache.sweep().expect("sweep");
    assert_eq!(leftovers_of(&scratch, &k), 0);

    // Killed after filling but before displacing, then evicted: stays evicted.
    let scratch = Scratch::new("superseded");
    store_signed(&scratch.cache, &signer, &k, "x");
    let dir = scratch.entry_dir(&k);
    copy_entry(
        &dir,
        &dir.parent()
            .expect("name dir")
            .join(".tmp-00ff00ff00ff00ff-1.0.0"),
    );
    assert!(scratch.cache.evict(k.location()).expect("evict"));
    assert!(matches!(
        scratch.cache.read(&k, &options).expect("read"),
        CacheRead::Miss
    ));
    assert_eq!(scratch.cache.sweep().expect("sweep"), 0);
    assert!(matches!(
        scratch.cache.read(&k, &options).expect("read"),
        CacheRead::Miss
    ));
}

/// `.tmp-*` and `.old-*` leftovers in the pack-name directory of `k` (0 when it is gone).
fn leftovers_of(scratch: &Scratch, k: &EntryKey) -> usize {
    let dir = scratch.entry_dir(k);
    std::fs::read_dir(dir.parent().expect("name dir")).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                name.starts_with(".tmp-") || name.starts_with(".old-")
            })
            .count()
    })
}
