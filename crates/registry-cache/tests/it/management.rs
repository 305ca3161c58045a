//! Managing the whole cache: listing, sizes, eviction, clearing, `verify_all`, sweeping
//! leftovers, and choosing the root.

use std::ffi::OsString;

use camino::Utf8PathBuf;
use registry_cache::{
    Audit, AuditOutcome, CacheRead, Error, PackCache, RegistryId, SignatureRequirement,
};
use registry_types::Policy;
use registry_verify::SignatureStatus;

use crate::support::{
    Scratch, Signer, edit_metadata, key, key_in, pack, store, store_open, store_signed,
};

#[test]
fn list_size_and_evict() {
    let scratch = Scratch::new("list");
    let signer = Signer::new();
    assert!(scratch.cache.list().expect("list of nothing").is_empty());
    let a = key("alpha", "1.0.0");
    let b = key_in("https://other.example", Some("acme"), "beta", "2.0.0");
    let digest_a = store_signed(&scratch.cache, &signer, &a, "a");
    store_open(&scratch.cache, &b, "b");

    let listed = scratch.cache.list().expect("list");
    assert_eq!(listed.len(), 2);
    let alpha = listed
        .iter()
        .find(|entry| entry.location == *a.location())
        .expect("alpha listed");
    let meta = alpha.meta.as_ref().expect("metadata");
    assert_eq!(
        (meta.digest, meta.policy, meta.signed),
        (digest_a, Policy::Commercial, true)
    );
    let on_disk: u64 = ["pack.yaml", "metadata.json", "signature.json"]
        .iter()
        .map(|file| {
            std::fs::metadata(scratch.entry_dir(&a).join(file))
                .expect("file")
                .len()
        })
        .sum();
    assert_eq!(alpha.size, on_disk);
    let size = scratch.cache.size().expect("size");
    assert_eq!(size.entries, 2);
    assert_eq!(
        size.bytes,
        listed.iter().map(|entry| entry.size).sum::<u64>()
    );

    assert!(scratch.cache.evict(a.location()).expect("evict"));
    assert!(!scratch.cache.evict(a.location()).expect("evict again"));
    assert!(matches!(
        scratch.cache.read(&a, &signer.options()).expect("read"),
        CacheRead::Miss
    ));
    assert_eq!(scratch.cache.list().expect("list").len(), 1);
}

#[test]
fn clear_one_registry_or_everything_but_never_foreign_files() {
    let scratch = Scratch::new("clear");
    let one = "https://one.example/v1";
    let two = "https://two.example/v1";
    for registry in [one, two] {
        store_open(&scratch.cache, &key_in(registry, None, "p", "1.0.0"), "x");
        store_open(
            &scratch.cache,
            &key_in(registry, Some("acme"), "p", "1.0.0"),
            "x",
        );
    }
    let foreign = scratch.root().join("notes.txt");
    std::fs::write(&foreign, b"mine").expect("write");

    let removed = scratch
        .cache
        .clear_registry(&RegistryId::from_url(one))
        .expect("clear one");
    assert_eq!(removed.entries, 2);
    assert!(removed.bytes > 0);
    let left = scratch.cache.list().expect("list");
    assert_eq!(left.len(), 2);
    assert!(
        left.iter()
            .all(|entry| *entry.location.registry() == RegistryId::from_url(two))
    );

    let removed = scratch.cache.clear_all().expect("clear all");
    assert_eq!(removed.entries, 2);
    assert!(scratch.cache.list().expect("list").is_empty());
    assert!(
        foreign.is_file(),
        "clear_all leaves files it did not create"
    );
    let names: Vec<_> = std::fs::read_dir(scratch.root())
        .expect("root")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![OsString::from("notes.txt")]);
}

#[test]
fn verify_all_reports_every_bad_entry_and_keeps_the_good_ones() {
    let scratch = Scratch::new("verify-all");
    let signer = Signer::new();
    let good_signed = key("good-signed", "1.0.0");
    let good_open = key("good-open", "1.0.0");
    let flipped = key("flipped", "1.0.0");
    let unsigned = key("unsigned-now", "1.0.0");
    store_signed(&scratch.cache, &signer, &good_signed, "x");
    store_open(&scratch.cache, &good_open, "x");
    store_signed(&scratch.cache, &signer, &flipped, "x");
    store_signed(&scratch.cache, &signer, &unsigned, "x");
    let path = scratch.entry_dir(&flipped).join("pack.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("note: \"x\"", "note: \"y\"")).expect("write");
    std::fs::remove_file(scratch.entry_dir(&unsigned).join("signature.json")).expect("remove");

    let report = scratch
        .cache
        .verify_all(&Audit::Full(signer.options()))
        .expect("verify all");
    assert_eq!(report.entries.len(), 4);
    let evicted: Vec<_> = report.evicted().collect();
    assert_eq!(evicted.len(), 2);
    assert!(
        evicted
            .iter()
            .any(|(location, reason)| *location == flipped.location()
                && matches!(reason, Error::PackDigestMismatch { .. }))
    );
    assert!(
        evicted
            .iter()
            .any(|(location, reason)| *location == unsigned.location()
                && matches!(reason, Error::SignatureMissing { .. }))
    );
    for audited in &report.entries {
        if audited.location == *good_signed.location() {
            assert!(matches!(
                &audited.outcome,
                AuditOutcome::Verified(SignatureStatus::Verified { .. })
            ));
        }
        if audited.location == *good_open.location() {
            assert!(matches!(
                &audited.outcome,
                AuditOutcome::Verified(SignatureStatus::Unsigned)
            ));
        }
    }
    assert_eq!(scratch.cache.list().expect("list").len(), 2);
    assert!(!report.is_clean());
    assert!(
        scratch
            .cache
            .verify_all(&Audit::Full(signer.options()))
            .expect("again")
            .is_clean()
    );
}

#[test]
fn verify_all_without_a_trust_store_checks_all_but_the_signer() {
    let scratch = Scratch::new("verify-all-untrusted");
    let signer = Signer::new();
    let signed = key("signed", "1.0.0");
    let open = key("open", "1.0.0");
    let broken = key("broken", "1.0.0");
    store_signed(&scratch.cache, &signer, &signed, "x");
    store_open(&scratch.cache, &open, "x");
    // A signature over other bytes: caught without any key.
    let other = signer.sign(&pack("broken", "1.0.0", "other"));
    let bytes = pack("broken", "1.0.0", "x");
    store(
        &scratch.cache,
        &broken,
        &bytes,
        Some(&signer.sign(&bytes)),
        Policy::Commercial,
        Some(&signer),
    );
    std::fs::write(
        scratch.entry_dir(&broken).join("signature.json"),
        other.to_json(),
    )
    .expect("write");
    edit_metadata(&scratch.entry_dir(&broken), |meta| {
        meta["digest"] = registry_verify::compute_digest(&pack("broken", "1.0.0", "other"))
            .expect("digest")
            .to_string()
            .into();
    });

    let report = scratch
        .cache
        .verify_all(&Audit::WithoutSignerCheck)
        .expect("verify all");
    for audited in &report.entries {
        let location = &audited.location;
        match &audited.outcome {
            AuditOutcome::SignerNotChecked { key_id } => {
                assert_eq!(location, signed.location());
                assert_eq!(key_id.as_ref(), Some(signer.key.key_id()));
            }
            AuditOutcome::Verified(SignatureStatus::Unsigned) => {
                assert_eq!(location, open.location())
            }
            AuditOutcome::Evicted(Error::PackDigestMismatch { .. }) => {
                assert_eq!(location, broken.location());
            }
            other => panic!("{location}: {other:?}"),
        }
    }
    assert_eq!(report.entries.len(), 3);
    assert_eq!(scratch.cache.list().expect("list").len(), 2);
    // The signed entry was neither evicted nor trusted: a full check still applies.
    let mut always = signer.options();
    always.signature = SignatureRequirement::Always;
    assert!(matches!(
        scratch.cache.read(&signed, &always).expect("read"),
        CacheRead::Fresh(_)
    ));
}

#[test]
fn sweep_removes_leftovers_unless_their_writer_is_alive() {
    let scratch = Scratch::new("sweep");
    let k = key("left", "1.0.0");
    store_open(&scratch.cache, &k, "x");
    let name_dir = scratch.entry_dir(&k).parent().expect("name dir").to_owned();
    for leftover in [
        ".tmp-00ff00ff00ff00ff-1.0.0",
        ".old-00ff00ff00ff00ff-1.0.0",
        ".tmp-1234-2.0.0",
    ] {
        std::fs::create_dir(name_dir.join(leftover)).expect("leftover");
        std::fs::write(name_dir.join(leftover).join("pack.yaml"), b"half").expect("write");
    }
    std::fs::write(scratch.entry_dir(&k).join(".tmp-abcd-metadata.json"), b"{").expect("write");
    let listed = scratch.cache.list().expect("list");
    assert_eq!(listed.len(), 1, "leftovers are never entries: {listed:?}");

    // A live writer of 2.0.0 holds its lock: its temporary directory must survive.
    let lock = std::fs::File::create(name_dir.join(".lock-2.0.0")).expect("lock file");
    lock.lock().expect("lock");
    assert_eq!(scratch.cache.sweep().expect("sweep"), 3);
    assert!(name_dir.join(".tmp-1234-2.0.0").is_dir());
    drop(lock);
    assert_eq!(scratch.cache.sweep().expect("sweep"), 1);
    let names: Vec<_> = std::fs::read_dir(&name_dir)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .filter(|name| !name.starts_with(".lock-"))
        .collect();
    assert_eq!(names, vec!["1.0.0".to_owned()]);
    assert_eq!(
        std::fs::read_dir(scratch.entry_dir(&k))
            .expect("entry")
            .count(),
        2
    );
}

#[test]
fn the_root_comes_from_configuration_then_environment_then_home() {
    let root = |dir: Option<&str>, home: Option<&str>| {
        PackCache::root_from(dir.map(OsString::from), home.map(OsString::from))
    };
    assert_eq!(
        root(Some("/cache"), Some("/home/u")).expect("root"),
        Utf8PathBuf::from("/cache")
    );
    assert_eq!(
        root(Some(""), Some("/home/u")).expect("root"),
        Utf8PathBuf::from("/home/u/.assay/cache/packs")
    );
    assert!(matches!(root(None, None), Err(Error::NoCacheRoot)));
    assert!(matches!(root(None, Some("")), Err(Error::NoCacheRoot)));
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![0xff]);
        assert!(matches!(
            PackCache::root_from(Some(bad), None),
            Err(Error::NonUtf8CacheRoot {
                variable: "ASSAY_CACHE_DIR"
            })
        ));
    }
    let explicit = PackCache::new("/explicit");
    assert_eq!(explicit.root(), "/explicit");
}

#[test]
fn sweeps_and_clears_leave_foreign_dot_old_files_at_the_root_alone() {
    let scratch = Scratch::new("foreign-old");
    let k = key("p", "1.0.0");
    store_open(&scratch.cache, &k, "x");
    let root = scratch.root();
    // Files the cache did not create, whose names merely start with `.old-`.
    let foreign_file = root.join(".old-notes");
    std::fs::write(&foreign_file, b"mine").expect("write");
    let foreign_dir = root.join(".old-config");
    std::fs::create_dir(&foreign_dir).expect("mkdir");
    std::fs::write(foreign_dir.join("settings"), b"mine").expect("write");
    // A registry directory an interrupted clear moved aside: the cache's own leftover.
    let registry = k.location().registry().as_str();
    let aside = root.join(format!(".old-00ff00ff00ff00ff-{registry}"));
    std::fs::create_dir(&aside).expect("mkdir");

    assert_eq!(scratch.cache.sweep().expect("sweep"), 1);
    assert!(!aside.exists(), "the cache's leftover is swept");
    std::fs::create_dir(&aside).expect("mkdir");
    let report = scratch
        .cache
        .verify_all(&Audit::WithoutSignerCheck)
        .expect("verify all");
    assert_eq!(report.swept, 1);
    scratch.cache.clear_all().expect("clear all");
    assert!(
        foreign_file.is_file(),
        "sweep or clear removed {foreign_file}"
    );
    assert!(
        foreign_dir.join("settings").is_file(),
        "sweep or clear removed {foreign_dir}"
    );
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_do_not_stop_eviction_or_clearing() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    // Anything may have written to the cache, names that are not UTF-8 included.
    let scratch = Scratch::new("non-utf8");
    let a = key("alpha", "1.0.0");
    let b = key("beta", "1.0.0");
    store_open(&scratch.cache, &a, "a");
    store_open(&scratch.cache, &b, "b");
    let odd = OsStr::from_bytes(b"planted-\xff");
    std::fs::write(scratch.entry_dir(&a).as_std_path().join(odd), b"x").expect("plant");
    std::fs::write(scratch.entry_dir(&b).as_std_path().join(odd), b"x").expect("plant");
    assert!(scratch.cache.evict(a.location()).expect("evict"));
    assert!(scratch.cache.sweep().is_ok(), "no leftover stays behind");
    let removed = scratch.cache.clear_all().expect("clear all");
    assert_eq!(removed.entries, 1);
    assert!(scratch.cache.list().expect("list").is_empty());
    assert!(scratch.cache.verify_all(&Audit::WithoutSignerCheck).is_ok());
}
