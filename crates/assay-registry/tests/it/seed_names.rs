//! Every name of the seed's list, imported from the crate root in one `use` and each one
//! used, so that a name that disappears or changes meaning fails to compile or fails here.

use std::any::type_name;
use std::marker::PhantomData;

use assay_registry::{
    CacheEntry, CacheMeta, CanonicalizeError, DsseEnvelope, DsseSignature, FetchResult,
    KeyMetadata, KeysManifest, LOCKFILE_NAME, LOCKFILE_VERSION, LockMismatch, LockSignature,
    LockSource, LockedPack, Lockfile, MAX_DEPTH, MAX_KEYS_PER_MAPPING, MAX_SAFE_INTEGER,
    MAX_STRING_LENGTH, MAX_TOTAL_SIZE, MIN_SAFE_INTEGER, PackCache, PackHeaders, PackMeta, PackRef,
    PackResolver, REGISTRY_USER_AGENT, RegistryClient, RegistryConfig, RegistryError,
    RegistryResult, ResolveSource, ResolvedPack, ResolverConfig, TokenProvider, TrustStore,
    TrustedKey, VerifyLockResult, VerifyOptions, VerifyResult, VersionInfo, VersionsResponse,
    compute_canonical_digest, compute_canonical_digest_result, compute_digest, generate_lockfile,
    parse_yaml_strict, to_canonical_jcs_bytes, verify_digest, verify_lockfile, verify_pack,
};

/// Compiles only when both are markers of the same type.
fn same<T>(_: PhantomData<T>, _: PhantomData<T>) {}

fn of<T>() -> PhantomData<T> {
    PhantomData
}

#[test]
fn every_seed_type_is_the_type_it_maps_to() {
    // Types re-exported under their own names.
    same(of::<TokenProvider>(), of::<registry_http::TokenProvider>());
    same(of::<CacheEntry>(), of::<registry_cache::CacheEntry>());
    same(of::<CacheMeta>(), of::<registry_cache::CacheMeta>());
    same(of::<PackCache>(), of::<registry_cache::PackCache>());
    same(
        of::<RegistryClient>(),
        of::<registry_http::RegistryClient>(),
    );
    same(
        of::<RegistryConfig>(),
        of::<registry_http::RegistryConfig>(),
    );
    same(of::<FetchResult>(), of::<registry_http::FetchResult>());
    same(of::<PackHeaders>(), of::<registry_http::PackHeaders>());
    same(of::<LockMismatch>(), of::<registry_lock::LockMismatch>());
    same(of::<LockSignature>(), of::<registry_lock::LockSignature>());
    same(of::<LockSource>(), of::<registry_lock::LockSource>());
    same(of::<LockedPack>(), of::<registry_lock::LockedPack>());
    same(of::<Lockfile>(), of::<registry_lock::Lockfile>());
    same(
        of::<VerifyLockResult>(),
        of::<registry_lock::VerifyLockResult>(),
    );
    same(of::<PackRef>(), of::<registry_types::PackRef>());
    same(of::<PackResolver>(), of::<registry_resolve::PackResolver>());
    same(
        of::<ResolveSource>(),
        of::<registry_resolve::ResolveSource>(),
    );
    same(of::<ResolvedPack>(), of::<registry_resolve::ResolvedPack>());
    same(
        of::<ResolverConfig>(),
        of::<registry_resolve::ResolverConfig>(),
    );
    same(of::<TrustStore>(), of::<registry_verify::TrustStore>());
    same(of::<TrustedKey>(), of::<registry_verify::TrustedKey>());
    same(
        of::<VerifyOptions>(),
        of::<registry_verify::VerifyOptions>(),
    );
    same(of::<VerifyResult>(), of::<registry_verify::VerifyResult>());
    same(
        of::<VersionInfo>(),
        of::<registry_types::wire::VersionInfo>(),
    );
    same(
        of::<CanonicalizeError>(),
        of::<registry_canon::CanonicalizeError>(),
    );

    // Seed names for types that have another name here.
    same(of::<DsseEnvelope>(), of::<registry_verify::Envelope>());
    same(
        of::<DsseSignature>(),
        of::<registry_verify::EnvelopeSignature>(),
    );
    same(
        of::<VersionsResponse>(),
        of::<registry_types::wire::PackVersions>(),
    );
    same(
        of::<KeysManifest>(),
        of::<registry_verify::VerifiedManifest>(),
    );
    same(
        of::<KeyMetadata>(),
        of::<registry_verify::ManifestKeyDraft>(),
    );
    same(of::<PackMeta>(), of::<registry_types::wire::PackSummary>());

    // The facade's own error type, and its result alias.
    same(
        of::<RegistryResult<()>>(),
        of::<Result<(), RegistryError>>(),
    );
    assert!(type_name::<RegistryError>().starts_with("assay_registry::"));
}

/// Compiles only when both are the same function: every function item has a type of its
/// own, so two different functions, even of one signature, do not unify.
fn same_function<F>(_: &F, _: &F) {}

#[test]
fn every_seed_function_is_the_lower_crate_function() {
    same_function(&compute_digest, &registry_verify::compute_digest);
    same_function(&verify_digest, &registry_verify::verify_digest);
    same_function(&verify_pack, &registry_verify::verify_pack);
    same_function(
        &compute_canonical_digest,
        &registry_canon::compute_canonical_digest,
    );
    same_function(
        &compute_canonical_digest_result,
        &registry_canon::compute_canonical_digest_result,
    );
    same_function(&parse_yaml_strict, &registry_canon::parse_yaml_strict);
    same_function(
        &to_canonical_jcs_bytes,
        &registry_canon::to_canonical_jcs_bytes,
    );
    same_function(&generate_lockfile, &registry_lock::generate_lockfile);
    same_function(&verify_lockfile, &registry_lock::verify_lockfile);
}

#[test]
fn every_seed_constant_has_the_seed_value() {
    assert_eq!(LOCKFILE_NAME, "assay.packs.lock");
    assert_eq!(LOCKFILE_VERSION, 2);
    assert!(
        REGISTRY_USER_AGENT.starts_with("assay-registry/"),
        "{REGISTRY_USER_AGENT}"
    );
    assert_eq!(MAX_DEPTH, 50);
    assert_eq!(MAX_KEYS_PER_MAPPING, 10_000);
    assert_eq!(MAX_STRING_LENGTH, 1024 * 1024);
    assert_eq!(MAX_TOTAL_SIZE, 10 * 1024 * 1024);
    assert_eq!(MAX_SAFE_INTEGER, 1_i64 << 53);
    assert_eq!(MIN_SAFE_INTEGER, -MAX_SAFE_INTEGER);
}

#[test]
fn the_seed_functions_work_through_the_facade() -> RegistryResult<()> {
    let pack = "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance\n";
    let expected = "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070";
    assert_eq!(compute_canonical_digest(pack)?.to_string(), expected);
    let canonical = compute_canonical_digest_result(pack)?;
    let value = parse_yaml_strict(pack)?;
    assert_eq!(to_canonical_jcs_bytes(&value), canonical.bytes());
    let digest = compute_digest(pack.as_bytes())?;
    assert_eq!(digest.to_string(), expected);
    assert_eq!(verify_digest(pack.as_bytes(), &digest)?.digest(), &digest);
    Ok(())
}
