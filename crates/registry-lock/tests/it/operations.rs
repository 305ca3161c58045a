//! generate / verify / check / update against the reference registry on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use camino::Utf8PathBuf;
use registry_http::RegistryConfig;
use registry_lock::{
    Error, LockMismatch, LockSource, Lockfile, check_lockfile, generate_lockfile, update_lockfile,
    verify_lockfile,
};
use registry_resolve::{LocalDir, NetworkMode, PackResolver, ResolverConfig};
use registry_server::{RunningServer, ServerConfig};
use registry_types::{BaseUrl, PackRef};
use registry_verify::{Algorithm, PrivateKey, RootSpec};

fn scratch(name: &str) -> Utf8PathBuf {
    let dir = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("registry-lock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn put_pack(root: &Path, name: &str, version: &str, yaml: &str, meta: &str) {
    let dir = root.join("packs").join(name).join(version);
    std::fs::create_dir_all(&dir).expect("pack dir");
    std::fs::write(dir.join("pack.yaml"), yaml).expect("pack");
    std::fs::write(dir.join("meta.json"), meta).expect("meta");
}

/// Root and signing keys kept as PEM so a restarted server signs with the same keys.
struct Keys(String, String);

impl Keys {
    fn new() -> Self {
        let pem = || {
            PrivateKey::generate(Algorithm::Ed25519)
                .expect("key")
                .to_pkcs8_pem()
                .expose_secret()
                .to_owned()
        };
        Keys(pem(), pem())
    }
}

async fn serve(dir: &Path, keys: &Keys, addr: Option<std::net::SocketAddr>) -> RunningServer {
    let mut config = ServerConfig::new(PathBuf::from(dir));
    config.root_key = Some(PrivateKey::from_pkcs8_pem(&keys.0).expect("root"));
    config.signing_key = Some(PrivateKey::from_pkcs8_pem(&keys.1).expect("signing"));
    if let Some(addr) = addr {
        config.addr = addr;
    }
    registry_server::start(config).await.expect("server")
}

fn resolver(
    server: &RunningServer,
    cache: &Utf8PathBuf,
    network: NetworkMode,
) -> Arc<PackResolver> {
    let registry = RegistryConfig::new(BaseUrl::parse(&server.base_url()).expect("url"));
    let mut config = ResolverConfig::new(registry, cache.clone());
    config
        .trust
        .roots
        .push(RootSpec::Key(server.root_public_key()));
    config.local_dir = LocalDir::Disabled;
    config.network = network;
    Arc::new(PackResolver::new(config).expect("resolver"))
}

fn refs(texts: &[&str]) -> Vec<PackRef> {
    texts
        .iter()
        .map(|text| PackRef::parse(text).expect("reference"))
        .collect()
}

const PRO_V1: &str = "name: vendor-pro\nversion: \"1.0.0\"\nrules: [a]\n";
const PRO_V1_CHANGED: &str = "name: vendor-pro\nversion: \"1.0.0\"\nrules: [b]\n";
const OPEN: &str = "name: vendor-open\nversion: \"2.0.0\"\nrules: [c]\n";

#[tokio::test]
async fn generate_save_verify_check_and_update() {
    let dir = scratch("registry");
    put_pack(
        dir.as_std_path(),
        "vendor-pro",
        "1.0.0",
        PRO_V1,
        r#"{"policy": "commercial"}"#,
    );
    put_pack(
        dir.as_std_path(),
        "vendor-open",
        "2.0.0",
        OPEN,
        r#"{"policy": "open"}"#,
    );
    let keys = Keys::new();
    let server = serve(dir.as_std_path(), &keys, None).await;
    let addr = server.local_addr();
    let cache = scratch("cache");
    let wanted = refs(&["vendor-pro@1.0.0", "vendor-open@2.0.0"]);

    let lockfile = generate_lockfile(&resolver(&server, &cache, NetworkMode::Online), &wanted)
        .await
        .expect("generate");
    assert_eq!(lockfile.len(), 2);
    let pro = lockfile
        .packs()
        .find(|pack| pack.name.as_str() == "vendor-pro")
        .expect("pro");
    assert_eq!(pro.source(), LockSource::Registry);
    assert_eq!(
        pro.signature.as_ref().map(|s| s.algorithm.as_str()),
        Some("Ed25519")
    );
    assert_eq!(
        pro.key_id().map(ToString::to_string),
        Some(server.signing_key_id().to_string())
    );
    let path = scratch("lock").join("assay.packs.lock");
    lockfile.save(&path).expect("save");
    let loaded = Lockfile::load(&path).expect("load");
    assert_eq!(loaded, lockfile);

    let resolver_now = resolver(&server, &cache, NetworkMode::Online);
    let verified = verify_lockfile(&resolver_now, &loaded)
        .await
        .expect("verify");
    assert!(verified.is_exact(), "{:?}", verified.mismatches());
    let check = check_lockfile(&resolver_now, &loaded, &wanted)
        .await
        .expect("check");
    assert!(check.is_ok(), "{check:?}");
    // Regenerating an unchanged set is byte-identical.
    let same = update_lockfile(&resolver_now, &loaded, &[])
        .await
        .expect("update");
    assert_eq!(same.to_yaml(), loaded.to_yaml());

    // Requesting fewer packs: the other is locked but not requested (a warning), and the
    // file would change (check fails).
    let fewer = check_lockfile(&resolver_now, &loaded, &refs(&["vendor-pro@1.0.0"]))
        .await
        .expect("check");
    assert!(fewer.result.is_ok());
    assert!(matches!(
        fewer.result.warnings().next(),
        Some(LockMismatch::NotRequested { .. })
    ));
    assert!(!fewer.is_ok());

    // The registry now serves other bytes under the same name and version: a digest
    // mismatch with both digests, never "missing".
    server.shutdown().await;
    put_pack(
        dir.as_std_path(),
        "vendor-pro",
        "1.0.0",
        PRO_V1_CHANGED,
        r#"{"policy": "commercial"}"#,
    );
    let server = serve(dir.as_std_path(), &keys, Some(addr)).await;
    let fresh_cache = scratch("cache-after-change");
    let verified = verify_lockfile(
        &resolver(&server, &fresh_cache, NetworkMode::Online),
        &loaded,
    )
    .await
    .expect("verify");
    let errors: Vec<_> = verified.errors().collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    match errors[0] {
        LockMismatch::DigestDiffers {
            key,
            locked,
            resolved,
        } => {
            assert_eq!(key.to_string(), "vendor-pro@1.0.0");
            assert_eq!(*locked, pro.digest);
            assert_ne!(resolved, locked);
            let text = errors[0].to_string();
            assert!(
                text.contains(&locked.to_string()) && text.contains(&resolved.to_string()),
                "{text}"
            );
        }
        other => panic!("expected a digest mismatch, got {other:?}"),
    }
    let updated = update_lockfile(
        &resolver(&server, &fresh_cache, NetworkMode::Online),
        &loaded,
        &[],
    )
    .await
    .expect("update");
    assert_ne!(updated.to_yaml(), loaded.to_yaml());
    let verified = verify_lockfile(
        &resolver(&server, &fresh_cache, NetworkMode::Online),
        &updated,
    )
    .await
    .expect("verify");
    assert!(verified.is_exact(), "{:?}", verified.mismatches());
}

#[tokio::test]
async fn a_locked_signed_pack_whose_cache_metadata_was_downgraded_is_not_read_unsigned() {
    let dir = scratch("downgrade-registry");
    put_pack(
        dir.as_std_path(),
        "vendor-pro",
        "1.0.0",
        PRO_V1,
        r#"{"policy": "commercial"}"#,
    );
    let keys = Keys::new();
    let server = serve(dir.as_std_path(), &keys, None).await;
    let cache = scratch("downgrade-cache");
    let lockfile = generate_lockfile(
        &resolver(&server, &cache, NetworkMode::Online),
        &refs(&["vendor-pro@1.0.0"]),
    )
    .await
    .expect("generate");
    // Rewrite the cached entry as an unsigned open pack: policy, signed flag and key id
    // downgraded, the signature file deleted.
    let entry = find_entry(&cache, "vendor-pro");
    let meta_path = entry.join("metadata.json");
    let mut meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta_path).expect("meta")).expect("json");
    meta["policy"] = "open".into();
    meta["signed"] = false.into();
    meta["key_id"] = serde_json::Value::Null;
    std::fs::write(&meta_path, serde_json::to_vec(&meta).expect("json")).expect("write");
    std::fs::remove_file(entry.join("signature.json")).expect("remove signature");
    // Offline, so the entry cannot be quietly fetched again: the lockfile's signature
    // requirement refuses the unsigned entry instead of accepting it.
    let error = verify_lockfile(&resolver(&server, &cache, NetworkMode::Offline), &lockfile)
        .await
        .expect_err("downgraded entry");
    match &error {
        Error::LockedResolve { pack, source } => {
            assert_eq!(pack.to_string(), "vendor-pro@1.0.0");
            assert!(
                matches!(**source, registry_resolve::Error::Offline { .. }),
                "{source:?}"
            );
        }
        other => panic!("expected LockedResolve, got {other:?}"),
    }
}

#[tokio::test]
async fn a_locked_pack_now_revoked_fails_with_reason_and_safe_version() {
    let dir = scratch("revoked-registry");
    put_pack(
        dir.as_std_path(),
        "vendor-open",
        "2.0.0",
        OPEN,
        r#"{"policy": "open"}"#,
    );
    let keys = Keys::new();
    let server = serve(dir.as_std_path(), &keys, None).await;
    let addr = server.local_addr();
    let cache = scratch("revoked-cache");
    let lockfile = generate_lockfile(
        &resolver(&server, &cache, NetworkMode::Online),
        &refs(&["vendor-open@2.0.0"]),
    )
    .await
    .expect("generate");
    server.shutdown().await;
    put_pack(
        dir.as_std_path(),
        "vendor-open",
        "2.0.0",
        OPEN,
        r#"{"policy": "open", "revoked": {"reason": "wrong rule", "safe_version": "2.0.1"}}"#,
    );
    let server = serve(dir.as_std_path(), &keys, Some(addr)).await;
    let error = verify_lockfile(
        &resolver(&server, &scratch("revoked-cache-2"), NetworkMode::Online),
        &lockfile,
    )
    .await
    .expect_err("revoked");
    let report = snafu::Report::from_error(&error).to_string();
    assert!(
        matches!(&error, Error::LockedResolve { source, .. } if matches!(**source, registry_resolve::Error::Revoked { .. })),
        "{error:?}"
    );
    assert!(
        report.contains("wrong rule")
            && report.contains("2.0.1")
            && report.contains("vendor-open@2.0.0"),
        "{report}"
    );
}

fn find_entry(cache: &Utf8PathBuf, name: &str) -> Utf8PathBuf {
    let mut stack = vec![cache.clone()];
    while let Some(dir) = stack.pop() {
        for entry in dir.read_dir_utf8().expect("list").flatten() {
            let path = entry.path().to_owned();
            if path.is_dir() {
                if path.parent().and_then(|parent| parent.file_name()) == Some(name) {
                    return path;
                }
                stack.push(path);
            }
        }
    }
    panic!("no cache entry for {name}");
}
