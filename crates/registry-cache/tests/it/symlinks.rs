//! A directory on the way to an entry replaced by a symlink to a directory outside the
//! root: no operation reads, creates, changes or removes anything behind the link.
//!
//! The outside directory is the real one that was moved out, so it holds a complete,
//! valid entry named like the version, its lock file and leftovers that a sweep would
//! remove: following the link would find everything an operation looks for.

#![cfg(unix)]

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use registry_cache::{Audit, CacheRead, EntryKey, Error, FileKind, Refresh};

use crate::support::{Scratch, Signer, expect_fresh, key, key_in, store_open};

/// What is below `dir`, without following links: each path with its kind and contents.
fn snapshot(dir: &Utf8Path) -> BTreeMap<Utf8PathBuf, String> {
    fn walk(dir: &Utf8Path, found: &mut BTreeMap<Utf8PathBuf, String>) {
        for entry in dir.read_dir_utf8().expect("list") {
            let path = entry.expect("entry").into_path();
            let metadata = path.symlink_metadata().expect("metadata");
            let description = if metadata.is_symlink() {
                format!("link to {}", path.read_link_utf8().expect("link"))
            } else if metadata.is_dir() {
                walk(&path, found);
                "directory".to_owned()
            } else {
                String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned()
            };
            found.insert(path, description);
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, &mut found);
    found
}

/// The directories strictly between the root and the entry directory of `key`.
fn directories_on_the_way(scratch: &Scratch, key: &EntryKey) -> Vec<Utf8PathBuf> {
    let entry_dir = scratch.entry_dir(key);
    let mut on_the_way: Vec<Utf8PathBuf> = entry_dir
        .ancestors()
        .skip(1)
        .take_while(|dir| *dir != scratch.root())
        .map(Utf8Path::to_owned)
        .collect();
    on_the_way.reverse();
    on_the_way
}

/// A cache holding `key`, with a directory on the way (`depth` below the root) moved
/// outside the root and a symlink to it in its place. Returns the link and the outside
/// directory.
fn plant_link(scratch: &Scratch, key: &EntryKey, depth: usize) -> (Utf8PathBuf, Utf8PathBuf) {
    store_open(&scratch.cache, key, "inside");
    let entry_dir = scratch.entry_dir(key);
    let name_dir = entry_dir.parent().expect("name dir");
    let version = key.location().version().as_str();
    // Leftovers whose lock is free, and a stray temporary file: a sweep removes them.
    for leftover in [
        format!(".tmp-00ff00ff00ff00ff-{version}"),
        format!(".old-00ff00ff00ff00ff-{version}"),
    ] {
        std::fs::create_dir(name_dir.join(&leftover)).expect("leftover");
        std::fs::write(name_dir.join(&leftover).join("pack.yaml"), b"half").expect("write");
    }
    std::fs::write(entry_dir.join(".tmp-abcd-metadata.json"), b"{").expect("write");
    let link = directories_on_the_way(scratch, key)[depth].clone();
    let outside = scratch.dir.join("outside");
    std::fs::rename(&link, &outside).expect("move out");
    std::os::unix::fs::symlink(&outside, &link).expect("symlink");
    (link, outside)
}

/// Puts the link back after an operation removed it or replaced it by a directory.
fn replant(link: &Utf8Path, outside: &Utf8Path) {
    match link.symlink_metadata() {
        Ok(metadata) if metadata.is_symlink() => return,
        Ok(metadata) if metadata.is_dir() => std::fs::remove_dir_all(link).expect("remove"),
        Ok(_) => std::fs::remove_file(link).expect("remove"),
        Err(_) => {}
    }
    if let Some(parent) = link.parent() {
        std::fs::create_dir_all(parent).expect("parents");
    }
    std::os::unix::fs::symlink(outside, link).expect("symlink");
}

/// Every operation, each on a freshly planted link; the outside tree never changes.
fn every_operation_stays_inside(label: &str, key: &EntryKey, depth: usize) {
    let scratch = Scratch::new(&format!("links-{label}-{depth}"));
    let signer = Signer::new();
    let options = signer.options();
    let (link, outside) = plant_link(&scratch, key, depth);
    let before = snapshot(&outside);
    let unchanged = |operation: &str| {
        assert_eq!(
            snapshot(&outside),
            before,
            "{operation} through {link} changed the outside directory"
        );
    };
    let location = key.location();
    let digest = registry_verify::compute_digest(&crate::support::pack(
        location.name().as_str(),
        location.version().as_str(),
        "inside",
    ))
    .expect("digest");

    // A read treats the link as tampering and removes it (the link, not its target).
    match scratch.cache.read(key, &options).expect("read") {
        CacheRead::Evicted(Error::UnexpectedFileType {
            path,
            expected,
            found,
            ..
        }) => {
            assert_eq!(path, link);
            assert_eq!((expected, found), (FileKind::Directory, FileKind::Symlink));
        }
        other => panic!("read through {link}: {other:?}"),
    }
    assert!(link.symlink_metadata().is_err(), "the link is gone");
    unchanged("read");

    replant(&link, &outside);
    assert!(scratch.cache.evict(location).expect("evict"), "the link");
    assert!(link.symlink_metadata().is_err(), "the link is gone");
    unchanged("evict");

    replant(&link, &outside);
    assert_eq!(
        scratch
            .cache
            .refresh(key, &digest, crate::support::now())
            .expect("refresh"),
        Refresh::Gone
    );
    unchanged("refresh");

    // The walks of list, size, sweep and verify_all never enter a link.
    assert!(scratch.cache.list().expect("list").is_empty());
    assert_eq!(scratch.cache.size().expect("size").entries, 0);
    assert_eq!(scratch.cache.sweep().expect("sweep"), 0);
    unchanged("sweep");
    let report = scratch
        .cache
        .verify_all(&Audit::Full(options.clone()))
        .expect("verify_all");
    assert!(report.entries.is_empty(), "{report:?}");
    assert_eq!(report.swept, 0);
    unchanged("verify_all");

    // A write replaces the link by a real directory and writes there.
    store_open(&scratch.cache, key, "rewritten");
    assert!(link.symlink_metadata().expect("dir").is_dir());
    expect_fresh(&scratch.cache, key, &options);
    unchanged("write");

    replant(&link, &outside);
    let cleared = scratch
        .cache
        .clear_registry(location.registry())
        .expect("clear_registry");
    assert_eq!(cleared.entries, 0);
    assert!(scratch.entry_dir(key).symlink_metadata().is_err());
    unchanged("clear_registry");

    replant(&link, &outside);
    scratch.cache.clear_all().expect("clear_all");
    assert!(link.symlink_metadata().is_err(), "the link is gone");
    unchanged("clear_all");
}

#[test]
fn a_link_in_place_of_any_global_directory_is_never_followed() {
    let k = key("linked", "1.0.0");
    for depth in 0..3 {
        every_operation_stays_inside("global", &k, depth);
    }
}

#[test]
fn a_link_in_place_of_any_organisation_directory_is_never_followed() {
    let k = key_in(crate::support::REGISTRY, Some("acme"), "linked", "2.0.0");
    for depth in 0..4 {
        every_operation_stays_inside("org", &k, depth);
    }
}

#[test]
fn a_link_named_like_the_version_is_removed_not_followed() {
    // The entry directory itself: eviction, verify_all and writes remove the link only.
    let scratch = Scratch::new("links-version");
    let signer = Signer::new();
    let k = key("linked", "1.0.0");
    store_open(&scratch.cache, &k, "inside");
    let entry_dir = scratch.entry_dir(&k);
    let outside = scratch.dir.join("outside");
    std::fs::rename(&entry_dir, &outside).expect("move out");
    let before = snapshot(&outside);
    for operation in ["evict", "verify_all", "write"] {
        replant(&entry_dir, &outside);
        match operation {
            "evict" => assert!(scratch.cache.evict(k.location()).expect("evict")),
            "verify_all" => {
                let report = scratch
                    .cache
                    .verify_all(&Audit::Full(signer.options()))
                    .expect("verify_all");
                let evicted: Vec<_> = report.evicted().collect();
                assert_eq!(evicted.len(), 1, "{report:?}");
                assert!(matches!(
                    evicted[0].1,
                    Error::UnexpectedFileType {
                        found: FileKind::Symlink,
                        ..
                    }
                ));
            }
            _ => {
                store_open(&scratch.cache, &k, "rewritten");
            }
        }
        assert_eq!(
            snapshot(&outside),
            before,
            "{operation} changed the outside"
        );
    }
    assert!(entry_dir.symlink_metadata().expect("entry").is_dir());
}
