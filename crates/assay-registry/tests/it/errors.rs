//! `RegistryError`: every lower error converts into it with `?`, keeps its message, and is
//! classified by the lower crate's own methods. Each case builds a real error of one crate.

use std::error::Error as StdError;

use assay_registry::cache::{CacheRead, EntryKey, NewEntry, ReadOptions};
use assay_registry::types::{PackName, Policy, Version};
use assay_registry::verify::{Algorithm, PackPayloadType, PrivateKey, PublicKey, sign_pack};
use assay_registry::{
    Lockfile, PackCache, PackRef, RegistryError, RegistryResult, TrustStore, VerifyOptions,
    compute_canonical_digest, compute_digest, verify_digest, verify_pack,
};
use camino::Utf8Path;

use crate::support::{now, scratch};

const PACK: &str = "name: eu-ai-act-baseline\nversion: \"1.0.0\"\n";

/// The error of `result`, converted with `?` as a caller's function would.
fn through_question_mark<T, E>(result: Result<T, E>) -> RegistryError
where
    RegistryError: From<E>,
{
    let convert = || -> RegistryResult<T> { Ok(result?) };
    match convert() {
        Ok(_) => panic!("expected an error"),
        Err(error) => error,
    }
}

/// (retryable, integrity, access) of `error`.
fn classes(error: &RegistryError) -> (bool, bool, bool) {
    (
        error.is_retryable(),
        error.is_integrity_failure(),
        error.is_access_failure(),
    )
}

#[test]
fn registry_error_is_a_thread_safe_std_error() {
    fn takes<E: StdError + Send + Sync + 'static>(_: &E) {}
    let error = through_question_mark(PackRef::parse("eu-ai-act-pro@latest"));
    takes(&error);
    let boxed: Box<dyn StdError + Send + Sync> = Box::new(error);
    let via_anyhow = anyhow::Error::from_boxed(boxed);
    assert!(via_anyhow.to_string().contains("eu-ai-act-pro@latest"));
}

#[test]
fn a_parse_error_is_final_and_neither_integrity_nor_access() {
    let lower = PackRef::parse("eu-ai-act-pro@latest").unwrap_err();
    let message = lower.to_string();
    let error = through_question_mark::<(), _>(Err(lower));
    assert!(matches!(error, RegistryError::Types { .. }), "{error:?}");
    // Transparent: the message is the lower error's, naming the input.
    assert_eq!(error.to_string(), message);
    assert!(message.contains("eu-ai-act-pro@latest"), "{message}");
    assert_eq!(classes(&error), (false, false, false));
}

#[test]
fn a_pack_without_canonical_form_is_an_integrity_failure() {
    let error = through_question_mark(compute_canonical_digest("rules:\n  - weight: 1.5\n"));
    let RegistryError::Canonicalize { source } = &error else {
        panic!("expected Canonicalize, got {error:?}");
    };
    assert_eq!(source.rule(), assay_registry::canonicalize::Rule::Float);
    assert!(error.to_string().contains("1.5"), "{error}");
    assert_eq!(classes(&error), (false, true, false));
}

#[test]
fn verification_failures_are_integrity_failures_and_unusable_keys_are_not() {
    // A digest mismatch.
    let wrong = compute_digest(b"name: other\nversion: \"1.0.0\"\n").unwrap();
    let error = through_question_mark(verify_digest(PACK.as_bytes(), &wrong));
    assert!(
        matches!(
            &error,
            RegistryError::Verify {
                source: assay_registry::verify::Error::DigestMismatch { .. }
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains(&wrong.to_string()), "{error}");
    assert_eq!(classes(&error), (false, true, false));

    // A signature by a key nobody trusts.
    let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let envelope = sign_pack(PACK.as_bytes(), &[&key], PackPayloadType::Jcs).unwrap();
    let untrusted = verify_pack(
        PACK.as_bytes(),
        Some(&envelope),
        &TrustStore::default(),
        &VerifyOptions::new(Policy::Commercial, now()),
    )
    .unwrap_err();
    assert!(untrusted.is_untrusted_signer(), "{untrusted:?}");
    let error = through_question_mark::<(), _>(Err(untrusted));
    assert_eq!(classes(&error), (false, true, false));

    // A key that cannot be read is a local input problem, not an integrity failure.
    let unreadable = PublicKey::parse("not a key").unwrap_err();
    assert!(unreadable.is_key_unusable(), "{unreadable:?}");
    let error = through_question_mark::<(), _>(Err(unreadable));
    assert_eq!(classes(&error), (false, false, false));
}

#[test]
fn a_tampered_cache_entry_is_an_integrity_failure() {
    let root = scratch("tampered-cache");
    let cache = PackCache::new(root.clone());
    let key = EntryKey::new(
        "https://registry.example/v1",
        None,
        PackName::parse("eu-ai-act-baseline").unwrap(),
        Version::parse("1.0.0").unwrap(),
    )
    .unwrap();
    let fetched_at = now();
    cache
        .write(
            &key,
            &NewEntry {
                pack: PACK.as_bytes(),
                envelope: None,
                digest: compute_digest(PACK.as_bytes()).unwrap(),
                policy: Policy::Open,
                key_id: None,
                etag: None,
                fetched_at,
                expires_at: assay_registry::cache::ttl::expires_at(fetched_at, None),
            },
        )
        .unwrap();
    let pack_file = find_file(root.as_std_path(), "pack.yaml");
    assert!(
        pack_file.exists(),
        "the entry's pack.yaml is below the cache root"
    );
    std::fs::write(&pack_file, PACK.replace("1.0.0", "1.0.1")).unwrap();

    let trust = TrustStore::default();
    let CacheRead::Evicted(reason) = cache.read(&key, &ReadOptions::new(&trust, now())).unwrap()
    else {
        panic!("a tampered entry is evicted");
    };
    assert!(reason.is_corrupt_entry());
    let error = through_question_mark::<(), _>(Err(reason));
    assert!(matches!(error, RegistryError::Cache { .. }), "{error:?}");
    assert_eq!(classes(&error), (false, true, false));
}

fn find_file(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            let found = find_file(&path, name);
            if found.exists() {
                return found;
            }
        } else if path.file_name().is_some_and(|file| file == name) {
            return path;
        }
    }
    dir.join("not-found")
}

#[test]
fn a_malformed_lockfile_is_final_and_names_the_file() {
    let error = through_question_mark(Lockfile::parse(
        "version: 2\npacks: []\nsurprise: 1\n",
        Utf8Path::new("assay.packs.lock"),
    ));
    let RegistryError::Lock { source } = &error else {
        panic!("expected Lock, got {error:?}");
    };
    assert!(source.is_invalid_content());
    assert!(error.to_string().contains("assay.packs.lock"), "{error}");
    assert_eq!(classes(&error), (false, false, false));
}
