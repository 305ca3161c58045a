//! Fixtures shared by the integration tests: scratch caches, packs, keys and assertions.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::process::{Child, Command, Stdio};

use camino::{Utf8Path, Utf8PathBuf};
use registry_cache::{
    CacheRead, EntryKey, EntryLocation, Error, NewEntry, PackCache, ReadOptions, ttl,
};
use registry_types::{Digest, Namespace, PackName, Policy, Timestamp, Version};
use registry_verify::{
    Algorithm, Envelope, PackPayloadType, PrivateKey, TrustStore, compute_digest, sign_pack,
};

/// The registry most tests use.
pub(crate) const REGISTRY: &str = "https://registry.example/v1";

/// The environment variable that selects the role of a re-executed test binary.
pub(crate) const ROLE_VARIABLE: &str = "REGISTRY_CACHE_IT_ROLE";

/// The environment variable that hands a child its cache root.
pub(crate) const ROOT_VARIABLE: &str = "REGISTRY_CACHE_IT_ROOT";

/// The environment variable that hands a child the signing key file.
pub(crate) const KEY_VARIABLE: &str = "REGISTRY_CACHE_IT_KEY";

/// A cache in a fresh temporary directory, removed when dropped.
pub(crate) struct Scratch {
    pub(crate) cache: PackCache,
    pub(crate) dir: Utf8PathBuf,
}

impl Scratch {
    pub(crate) fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("registry-cache-it-{}-{test}", std::process::id()));
        // A leftover from an earlier run with the same pid is stale.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        let dir = Utf8PathBuf::from_path_buf(dir).expect("UTF-8 temp dir");
        Scratch {
            cache: PackCache::new(dir.join("cache")),
            dir,
        }
    }

    pub(crate) fn root(&self) -> &Utf8Path {
        self.cache.root()
    }

    pub(crate) fn entry_dir(&self, key: &EntryKey) -> Utf8PathBuf {
        self.cache.entry_dir(key.location())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A test signing key and a trust store that trusts it.
pub(crate) struct Signer {
    pub(crate) key: PrivateKey,
    pub(crate) trust: TrustStore,
}

impl Signer {
    pub(crate) fn new() -> Signer {
        Signer::from_key(PrivateKey::generate(Algorithm::Ed25519).expect("key generation"))
    }

    pub(crate) fn from_key(key: PrivateKey) -> Signer {
        let mut trust = TrustStore::default();
        trust.add_pack_key(key.public_key());
        Signer { key, trust }
    }

    pub(crate) fn sign(&self, pack: &[u8]) -> Envelope {
        sign_pack(pack, &[&self.key], PackPayloadType::Jcs).expect("signing")
    }

    pub(crate) fn options(&self) -> ReadOptions<'_> {
        ReadOptions::new(&self.trust, now())
    }
}

/// The fixed "now" of the tests.
pub(crate) fn now() -> Timestamp {
    Timestamp::parse("2026-01-29T10:00:00Z").expect("valid time")
}

/// A key in `registry` and `namespace` (`None`: global).
pub(crate) fn key_in(
    registry: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
) -> EntryKey {
    EntryKey::new(
        registry,
        namespace.map(|org| Namespace::parse(org).expect("valid org")),
        PackName::parse(name).expect("valid name"),
        Version::parse(version).expect("valid version"),
    )
    .expect("valid key")
}

/// A key in the global namespace of [`REGISTRY`].
pub(crate) fn key(name: &str, version: &str) -> EntryKey {
    key_in(REGISTRY, None, name, version)
}

/// A small valid pack naming `name@version`, with a line that makes it distinct.
pub(crate) fn pack(name: &str, version: &str, note: &str) -> Vec<u8> {
    format!(
        "name: {name}\nversion: \"{version}\"\nkind: compliance\nnote: \"{note}\"\nrules:\n  - id: r1\n    check:\n      type: regex\n"
    )
    .into_bytes()
}

/// Stores `pack` under `key`, fetched now with a one-hour TTL; returns its digest.
pub(crate) fn store(
    cache: &PackCache,
    key: &EntryKey,
    pack: &[u8],
    envelope: Option<&Envelope>,
    policy: Policy,
    key_id: Option<&Signer>,
) -> Digest {
    let digest = compute_digest(pack).expect("pack has a digest");
    cache
        .write(
            key,
            &NewEntry {
                pack,
                envelope,
                digest,
                policy,
                key_id: key_id.map(|signer| signer.key.key_id().clone()),
                etag: Some(format!("\"{digest}\"")),
                fetched_at: now(),
                expires_at: ttl::expires_at(now(), Some("max-age=3600")),
            },
        )
        .expect("write");
    digest
}

/// Stores a signed commercial pack `name@version`; returns its digest.
pub(crate) fn store_signed(
    cache: &PackCache,
    signer: &Signer,
    key: &EntryKey,
    note: &str,
) -> Digest {
    let location = key.location();
    let bytes = pack(location.name().as_str(), location.version().as_str(), note);
    let envelope = signer.sign(&bytes);
    store(
        cache,
        key,
        &bytes,
        Some(&envelope),
        Policy::Commercial,
        Some(signer),
    )
}

/// Stores an unsigned open pack `name@version`; returns its digest.
pub(crate) fn store_open(cache: &PackCache, key: &EntryKey, note: &str) -> Digest {
    let location = key.location();
    let bytes = pack(location.name().as_str(), location.version().as_str(), note);
    store(cache, key, &bytes, None, Policy::Open, None)
}

/// Reads `key`, expecting an eviction; checks that the entry is gone, that a second read
/// misses, and that the reason is an entry fault naming the entry. Returns the reason.
pub(crate) fn expect_evicted(
    scratch: &Scratch,
    key: &EntryKey,
    options: &ReadOptions<'_>,
) -> Error {
    let reason = match scratch.cache.read(key, options).expect("read") {
        CacheRead::Evicted(reason) => reason,
        other => panic!("expected an eviction of {key}, got {other:?}"),
    };
    assert!(reason.is_corrupt_entry(), "{reason:?}");
    assert_eq!(reason.entry(), Some(key.location()), "{reason:?}");
    assert!(
        reason.to_string().contains(&key.location().to_string()),
        "the message names the entry: {reason}"
    );
    assert!(
        scratch.entry_dir(key).symlink_metadata().is_err(),
        "{key} is still on disk"
    );
    assert!(matches!(
        scratch.cache.read(key, options).expect("second read"),
        CacheRead::Miss
    ));
    reason
}

/// Reads `key`, expecting a fresh entry; returns its pack bytes.
pub(crate) fn expect_fresh(
    cache: &PackCache,
    key: &EntryKey,
    options: &ReadOptions<'_>,
) -> Vec<u8> {
    match cache.read(key, options).expect("read") {
        CacheRead::Fresh(entry) => entry.into_pack(),
        other => panic!("expected a fresh entry for {key}, got {other:?}"),
    }
}

/// Edits `metadata.json` of an entry as JSON.
pub(crate) fn edit_metadata(dir: &Utf8Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("metadata.json");
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read metadata")).expect("JSON");
    edit(&mut value);
    std::fs::write(&path, serde_json::to_vec_pretty(&value).expect("encode")).expect("write");
}

/// The entry's location, for comparing with errors.
pub(crate) fn location(key: &EntryKey) -> Box<EntryLocation> {
    Box::new(key.location().clone())
}

/// A small random number generator seeded by the standard library's hasher keys.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new() -> Rng {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        Rng(hasher.finish() | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// Re-executes this test binary to run only `test` in the role `role`.
pub(crate) fn spawn_role(
    test: &str,
    role: &str,
    root: &Utf8Path,
    key_file: &Utf8Path,
    extra: &[(&str, String)],
) -> Child {
    let mut command = Command::new(std::env::current_exe().expect("test binary path"));
    command
        .args(["--exact", test, "--nocapture", "--test-threads=1", "-q"])
        .env(ROLE_VARIABLE, role)
        .env(ROOT_VARIABLE, root.as_str())
        .env(KEY_VARIABLE, key_file.as_str())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in extra {
        command.env(name, value);
    }
    command.spawn().expect("spawn child test process")
}

/// The role of this process, if it was started by [`spawn_role`] for `role`.
pub(crate) fn child_role(role: &str) -> Option<(PackCache, Signer)> {
    if std::env::var(ROLE_VARIABLE).ok()? != role {
        return None;
    }
    let root = std::env::var(ROOT_VARIABLE).expect("child root");
    let pem =
        std::fs::read_to_string(std::env::var(KEY_VARIABLE).expect("child key")).expect("read key");
    let key = PrivateKey::from_pkcs8_pem(&pem).expect("key");
    Some((PackCache::new(root), Signer::from_key(key)))
}

/// Writes the signer's private key where children can read it.
pub(crate) fn save_key(scratch: &Scratch, signer: &Signer) -> Utf8PathBuf {
    let path = scratch.dir.join("signing.key");
    std::fs::write(&path, signer.key.to_pkcs8_pem().expose_secret()).expect("write key");
    path
}
