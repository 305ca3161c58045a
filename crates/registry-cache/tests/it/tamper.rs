//! Every tampering case: detected on read, evicted, and reported with its specific error.

use registry_cache::{
    CacheRead, EntryFile, Error, FileKind, MetadataFault, ReadOptions, SignatureRequirement,
};
use registry_types::Digest;
use registry_verify::{TrustStore, compute_digest};

use crate::support::{
    Scratch, Signer, edit_metadata, expect_evicted, expect_fresh, key, location, pack, store_open,
    store_signed,
};

fn other_digest() -> Digest {
    Digest::parse(&format!("sha256:{}", "ab".repeat(32))).expect("valid digest")
}

#[test]
fn a_flipped_byte_in_pack_yaml_is_a_digest_mismatch() {
    let scratch = Scratch::new("flip-byte");
    let signer = Signer::new();
    let k = key("flipped", "1.0.0");
    let recorded = store_signed(&scratch.cache, &signer, &k, "original");
    let path = scratch.entry_dir(&k).join("pack.yaml");
    let tampered = String::from_utf8(std::fs::read(&path).expect("read"))
        .expect("UTF-8")
        .replacen("original", "originaL", 1);
    std::fs::write(&path, &tampered).expect("write");
    let actual = compute_digest(tampered.as_bytes()).expect("still a pack");

    let reason = expect_evicted(&scratch, &k, &signer.options());
    match reason {
        Error::PackDigestMismatch {
            entry,
            recorded: r,
            actual: a,
        } => {
            assert_eq!(entry, location(&k));
            assert_eq!((r, a), (recorded, actual));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_pack_yaml_without_canonical_form_fails_canonicalization() {
    let scratch = Scratch::new("no-canonical-form");
    let k = key("broken", "1.0.0");
    store_open(&scratch.cache, &k, "x");
    let path = scratch.entry_dir(&k).join("pack.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    // An anchor: outside the strict profile, so the pack has no digest at all.
    std::fs::write(
        &path,
        text.replacen("kind: compliance", "kind: &a compliance", 1),
    )
    .expect("write");
    let reason = expect_evicted(&scratch, &k, &Signer::new().options());
    assert!(
        matches!(&reason, Error::VerifyPack { source, .. }
            if matches!(**source, registry_verify::Error::Canonicalize { .. })),
        "{reason:?}"
    );
}

#[test]
fn an_edited_digest_in_metadata_of_a_signed_entry_contradicts_the_signature() {
    let scratch = Scratch::new("edit-digest-signed");
    let signer = Signer::new();
    let k = key("edited", "1.0.0");
    let real = store_signed(&scratch.cache, &signer, &k, "x");
    edit_metadata(&scratch.entry_dir(&k), |meta| {
        meta["digest"] = other_digest().to_string().into();
    });
    match expect_evicted(&scratch, &k, &signer.options()) {
        Error::SignedDigestMismatch {
            recorded, signed, ..
        } => assert_eq!((recorded, signed), (other_digest(), real)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_edited_digest_in_metadata_of_an_open_entry_is_a_digest_mismatch() {
    let scratch = Scratch::new("edit-digest-open");
    let k = key("edited", "1.0.0");
    let real = store_open(&scratch.cache, &k, "x");
    edit_metadata(&scratch.entry_dir(&k), |meta| {
        meta["digest"] = other_digest().to_string().into();
    });
    match expect_evicted(&scratch, &k, &Signer::new().options()) {
        Error::PackDigestMismatch {
            recorded, actual, ..
        } => assert_eq!((recorded, actual), (other_digest(), real)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_deleted_signature_of_a_commercial_entry_is_missing() {
    let scratch = Scratch::new("delete-signature");
    let signer = Signer::new();
    let k = key("unsigned-now", "1.0.0");
    store_signed(&scratch.cache, &signer, &k, "x");
    std::fs::remove_file(scratch.entry_dir(&k).join("signature.json")).expect("remove");
    let reason = expect_evicted(&scratch, &k, &signer.options());
    assert!(
        matches!(reason, Error::SignatureMissing { ref entry } if *entry == location(&k)),
        "{reason:?}"
    );
}

#[test]
fn a_corrupt_signature_is_unreadable_or_does_not_verify() {
    let scratch = Scratch::new("corrupt-signature");
    let signer = Signer::new();

    let garbage = key("garbage-sig", "1.0.0");
    store_signed(&scratch.cache, &signer, &garbage, "x");
    std::fs::write(
        scratch.entry_dir(&garbage).join("signature.json"),
        b"{not json",
    )
    .expect("write");
    let reason = expect_evicted(&scratch, &garbage, &signer.options());
    assert!(
        matches!(&reason, Error::SignatureUnreadable { source, .. }
            if matches!(**source, registry_verify::Error::ParseEnvelope { .. })),
        "{reason:?}"
    );

    let forged = key("forged-sig", "1.0.0");
    store_signed(&scratch.cache, &signer, &forged, "x");
    let path = scratch.entry_dir(&forged).join("signature.json");
    let mut envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
    let sig = envelope["signatures"][0]["sig"]
        .as_str()
        .expect("sig")
        .to_owned();
    // Change one base64 character in the middle of the signature.
    let mut chars: Vec<char> = sig.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    envelope["signatures"][0]["sig"] = chars.into_iter().collect::<String>().into();
    std::fs::write(&path, serde_json::to_vec(&envelope).expect("encode")).expect("write");
    let reason = expect_evicted(&scratch, &forged, &signer.options());
    assert!(
        matches!(&reason, Error::VerifyPack { source, .. }
            if matches!(&**source, registry_verify::Error::UnverifiedSignature { key_id }
                if key_id == signer.key.key_id())),
        "{reason:?}"
    );
}

#[test]
fn a_signature_by_an_untrusted_key_fails_even_for_an_open_pack() {
    let scratch = Scratch::new("untrusted");
    let signer = Signer::new();
    let k = key("open-signed", "1.0.0");
    let bytes = pack("open-signed", "1.0.0", "x");
    let envelope = signer.sign(&bytes);
    crate::support::store(
        &scratch.cache,
        &k,
        &bytes,
        Some(&envelope),
        registry_types::Policy::Open,
        None,
    );
    let nobody = TrustStore::default();
    let reason = expect_evicted(
        &scratch,
        &k,
        &ReadOptions::new(&nobody, crate::support::now()),
    );
    assert!(
        matches!(&reason, Error::VerifyPack { source, .. }
            if matches!(**source, registry_verify::Error::UntrustedKey { .. })),
        "{reason:?}"
    );
}

#[test]
fn downgrading_the_policy_while_the_signature_is_gone_still_fails() {
    let scratch = Scratch::new("downgrade");
    let signer = Signer::new();
    let options = signer.options();

    // The attack as stated: policy edited to open, signature.json deleted.
    let k = key("downgraded", "1.0.0");
    store_signed(&scratch.cache, &signer, &k, "x");
    edit_metadata(&scratch.entry_dir(&k), |meta| {
        meta["policy"] = "open".into()
    });
    std::fs::remove_file(scratch.entry_dir(&k).join("signature.json")).expect("remove");
    assert!(matches!(
        expect_evicted(&scratch, &k, &options),
        Error::SignatureMissing { .. }
    ));

    // Also clearing `signed` leaves the key id as a witness.
    store_signed(&scratch.cache, &signer, &k, "x");
    edit_metadata(&scratch.entry_dir(&k), |meta| {
        meta["policy"] = "open".into();
        meta["signed"] = false.into();
    });
    std::fs::remove_file(scratch.entry_dir(&k).join("signature.json")).expect("remove");
    assert!(matches!(
        expect_evicted(&scratch, &k, &options),
        Error::MetadataInconsistent {
            fault: MetadataFault::KeyIdWithoutSignature,
            ..
        }
    ));

    // Commercial but recorded unsigned is never written either.
    store_signed(&scratch.cache, &signer, &k, "x");
    edit_metadata(&scratch.entry_dir(&k), |meta| {
        meta["signed"] = false.into();
        meta["key_id"] = serde_json::Value::Null;
    });
    std::fs::remove_file(scratch.entry_dir(&k).join("signature.json")).expect("remove");
    assert!(matches!(
        expect_evicted(&scratch, &k, &options),
        Error::MetadataInconsistent {
            fault: MetadataFault::CommercialUnsigned,
            ..
        }
    ));

    // Rewriting every field consistently turns the entry into an unsigned open pack with
    // its true digest; a caller that knows the pack is signed says so and it fails.
    store_signed(&scratch.cache, &signer, &k, "x");
    edit_metadata(&scratch.entry_dir(&k), |meta| {
        meta["policy"] = "open".into();
        meta["signed"] = false.into();
        meta["key_id"] = serde_json::Value::Null;
    });
    std::fs::remove_file(scratch.entry_dir(&k).join("signature.json")).expect("remove");
    let mut always = signer.options();
    always.signature = SignatureRequirement::Always;
    let reason = expect_evicted(&scratch, &k, &always);
    assert!(
        matches!(&reason, Error::VerifyPack { source, .. }
            if matches!(**source, registry_verify::Error::SignatureRequired)),
        "{reason:?}"
    );
}

#[test]
fn a_signature_file_that_metadata_does_not_record_is_tampering() {
    let scratch = Scratch::new("unrecorded-signature");
    let signer = Signer::new();
    let k = key("plain", "1.0.0");
    store_open(&scratch.cache, &k, "x");
    let envelope = signer.sign(&pack("plain", "1.0.0", "x"));
    std::fs::write(
        scratch.entry_dir(&k).join("signature.json"),
        envelope.to_json(),
    )
    .expect("write");
    assert!(matches!(
        expect_evicted(&scratch, &k, &signer.options()),
        Error::MetadataInconsistent {
            fault: MetadataFault::UnrecordedSignature,
            ..
        }
    ));
}

#[test]
fn swapped_entries_are_detected_at_every_depth() {
    let scratch = Scratch::new("swap");
    let signer = Signer::new();
    let options = signer.options();
    let a = key("swapped", "1.0.0");
    let b = key("swapped", "2.0.0");

    // Only the pack files swapped: the digests no longer match.
    let digest_a = store_open(&scratch.cache, &a, "a");
    let digest_b = store_open(&scratch.cache, &b, "b");
    let (dir_a, dir_b) = (scratch.entry_dir(&a), scratch.entry_dir(&b));
    let pack_a = std::fs::read(dir_a.join("pack.yaml")).expect("read");
    let pack_b = std::fs::read(dir_b.join("pack.yaml")).expect("read");
    std::fs::write(dir_a.join("pack.yaml"), pack_b).expect("write");
    std::fs::write(dir_b.join("pack.yaml"), pack_a).expect("write");
    match expect_evicted(&scratch, &a, &options) {
        Error::PackDigestMismatch {
            recorded, actual, ..
        } => assert_eq!((recorded, actual), (digest_a, digest_b)),
        other => panic!("{other:?}"),
    }

    // Whole signed entries swapped: metadata describes the other entry.
    store_signed(&scratch.cache, &signer, &a, "a");
    store_signed(&scratch.cache, &signer, &b, "b");
    let parking = scratch.dir.join("parking");
    std::fs::rename(&dir_a, &parking).expect("rename");
    std::fs::rename(&dir_b, &dir_a).expect("rename");
    std::fs::rename(&parking, &dir_b).expect("rename");
    match expect_evicted(&scratch, &a, &options) {
        Error::MetadataMismatch { recorded, .. } => assert_eq!(recorded, location(&b)),
        other => panic!("{other:?}"),
    }

    // Swapped and metadata rewritten to match the path: the signed pack names itself.
    store_signed(&scratch.cache, &signer, &a, "a");
    std::fs::remove_dir_all(&dir_b).expect("remove");
    store_signed(&scratch.cache, &signer, &b, "b");
    std::fs::remove_dir_all(&dir_a).expect("remove");
    std::fs::rename(&dir_b, &dir_a).expect("rename");
    edit_metadata(&dir_a, |meta| meta["version"] = "1.0.0".into());
    match expect_evicted(&scratch, &a, &options) {
        Error::PackIdentityMismatch { source, .. } => {
            assert_eq!(source.found().name(), Some("swapped"));
            assert_eq!(source.found().version(), Some("2.0.0"));
            assert_eq!(source.field(), registry_canon::IdentityField::Version);
        }
        other => panic!("{other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_to_a_file_outside_the_root_is_never_followed() {
    let scratch = Scratch::new("symlink");
    let signer = Signer::new();
    let k = key("linked", "1.0.0");
    store_open(&scratch.cache, &k, "x");
    // The outside file is a valid pack with the right digest: following the link would
    // even verify.
    let outside = scratch.dir.join("outside.yaml");
    let dir = scratch.entry_dir(&k);
    std::fs::rename(dir.join("pack.yaml"), &outside).expect("move pack out");
    std::os::unix::fs::symlink(&outside, dir.join("pack.yaml")).expect("symlink");
    match expect_evicted(&scratch, &k, &signer.options()) {
        Error::UnexpectedFileType {
            path,
            expected,
            found,
            ..
        } => {
            assert_eq!(path, dir.join("pack.yaml"));
            assert_eq!((expected, found), (FileKind::File, FileKind::Symlink));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        outside.is_file(),
        "eviction removed the link, not its target"
    );

    // A linked entry directory, and a linked pack-name directory.
    store_open(&scratch.cache, &k, "x");
    let outside_dir = scratch.dir.join("outside-entry");
    std::fs::rename(&dir, &outside_dir).expect("move entry out");
    std::os::unix::fs::symlink(&outside_dir, &dir).expect("symlink");
    assert!(matches!(
        expect_evicted(&scratch, &k, &signer.options()),
        Error::UnexpectedFileType {
            expected: FileKind::Directory,
            found: FileKind::Symlink,
            ..
        }
    ));
    assert!(outside_dir.join("pack.yaml").is_file());

    store_open(&scratch.cache, &k, "x");
    let name_dir = dir.parent().expect("name dir").to_owned();
    let outside_name = scratch.dir.join("outside-name");
    std::fs::rename(&name_dir, &outside_name).expect("move name dir out");
    std::os::unix::fs::symlink(&outside_name, &name_dir).expect("symlink");
    match scratch.cache.read(&k, &signer.options()).expect("read") {
        CacheRead::Evicted(Error::UnexpectedFileType { path, found, .. }) => {
            assert_eq!((path, found), (name_dir.clone(), FileKind::Symlink));
        }
        other => panic!("{other:?}"),
    }
    assert!(outside_name.join("1.0.0").join("pack.yaml").is_file());
    assert!(name_dir.symlink_metadata().is_err(), "the link is gone");
}

#[test]
fn missing_unreadable_and_oversized_files_are_reported_as_such() {
    let scratch = Scratch::new("files");
    let signer = Signer::new();
    let options = signer.options();
    let k = key("files", "1.0.0");

    store_open(&scratch.cache, &k, "x");
    std::fs::remove_file(scratch.entry_dir(&k).join("metadata.json")).expect("remove");
    assert!(matches!(
        expect_evicted(&scratch, &k, &options),
        Error::MissingFile {
            file: EntryFile::Metadata,
            ..
        }
    ));

    store_open(&scratch.cache, &k, "x");
    std::fs::remove_file(scratch.entry_dir(&k).join("pack.yaml")).expect("remove");
    assert!(matches!(
        expect_evicted(&scratch, &k, &options),
        Error::MissingFile {
            file: EntryFile::Pack,
            ..
        }
    ));

    store_open(&scratch.cache, &k, "x");
    std::fs::write(scratch.entry_dir(&k).join("metadata.json"), b"\xff garbage").expect("write");
    assert!(matches!(
        expect_evicted(&scratch, &k, &options),
        Error::MetadataUnreadable { .. }
    ));

    store_open(&scratch.cache, &k, "x");
    edit_metadata(&scratch.entry_dir(&k), |meta| meta["format"] = 2.into());
    assert!(matches!(
        expect_evicted(&scratch, &k, &options),
        Error::MetadataFormat { format: 2, .. }
    ));

    store_open(&scratch.cache, &k, "x");
    let big = std::fs::OpenOptions::new()
        .write(true)
        .open(scratch.entry_dir(&k).join("pack.yaml"))
        .expect("open");
    big.set_len(11 * 1024 * 1024).expect("grow (sparse)");
    assert!(matches!(
        expect_evicted(&scratch, &k, &options),
        Error::FileTooLarge {
            file: EntryFile::Pack,
            size: 11_534_336,
            ..
        }
    ));
}

#[test]
fn a_good_entry_reads_back_its_exact_bytes_with_its_signature_status() {
    let scratch = Scratch::new("good");
    let signer = Signer::new();
    let k = key("good", "1.0.0");
    store_signed(&scratch.cache, &signer, &k, "x");
    let bytes = expect_fresh(&scratch.cache, &k, &signer.options());
    assert_eq!(bytes, pack("good", "1.0.0", "x"));
    let entry = scratch
        .cache
        .read(&k, &signer.options())
        .expect("read")
        .into_entry()
        .expect("an entry");
    assert!(matches!(
        entry.signature(),
        registry_verify::SignatureStatus::Verified { key_ids, .. } if key_ids == &vec![signer.key.key_id().clone()]
    ));
    assert_eq!(entry.meta().key_id.as_ref(), Some(signer.key.key_id()));
    assert!(entry.envelope().is_some());
}

#[test]
fn something_planted_in_place_of_a_lock_file_does_not_lock_the_entry_out() {
    let scratch = Scratch::new("planted-lock");
    let signer = Signer::new();
    let k = key("locked-out", "1.0.0");
    store_signed(&scratch.cache, &signer, &k, "x");
    let name_dir = scratch.entry_dir(&k).parent().expect("name dir").to_owned();
    let lock_path = name_dir.join(".lock-1.0.0");
    std::fs::remove_file(&lock_path).expect("remove lock file");
    std::fs::create_dir(&lock_path).expect("plant a directory");
    std::fs::write(lock_path.join("junk"), b"junk").expect("write");

    assert_eq!(
        expect_fresh(&scratch.cache, &k, &signer.options()),
        pack("locked-out", "1.0.0", "x")
    );
    assert!(lock_path.symlink_metadata().expect("lock file").is_file());

    // The same for a writer.
    std::fs::remove_file(&lock_path).expect("remove lock file");
    std::fs::create_dir(&lock_path).expect("plant a directory");
    store_signed(&scratch.cache, &signer, &k, "y");
    assert_eq!(
        expect_fresh(&scratch.cache, &k, &signer.options()),
        pack("locked-out", "1.0.0", "y")
    );
}

#[test]
fn a_planted_pack_cannot_put_terminal_escapes_into_the_report() {
    // Someone with write access to the cache plants an open entry whose pack names itself
    // with escape sequences (legal YAML, escaped in quotes) and records its true digest:
    // the eviction report shows the name without a control character.
    let scratch = Scratch::new("hostile-identity");
    let k = key("planted", "1.0.0");
    store_open(&scratch.cache, &k, "x");
    let hostile = "name: \"\\e]0;owned\\a\\e[2Jplanted\"\nversion: \"1.0.0\"\n";
    let dir = scratch.entry_dir(&k);
    std::fs::write(dir.join("pack.yaml"), hostile).expect("write");
    let digest = compute_digest(hostile.as_bytes()).expect("still a pack");
    edit_metadata(&dir, |meta| meta["digest"] = digest.to_string().into());

    let reason = expect_evicted(&scratch, &k, &Signer::new().options());
    let Error::PackIdentityMismatch { source, .. } = &reason else {
        panic!("{reason:?}")
    };
    assert!(
        source
            .found()
            .name()
            .is_some_and(|name| name.contains('\u{1b}'))
    );
    let report = snafu::Report::from_error(&reason).to_string();
    // The report is one line per error in the chain; nothing else may be a control.
    assert!(
        !report.chars().any(|c| c.is_control() && c != '\n'),
        "{report:?}"
    );
    assert!(report.contains("]0;owned[2Jplanted@1.0.0"), "{report}");
}
