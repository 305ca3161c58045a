//! `assay-pack cache list | verify | clear` on caches filled through the library: output,
//! exit codes, `--cache-dir` and `ASSAY_CACHE_DIR`.

use std::path::Path;
use std::process::{Command, Stdio};

use camino::Utf8PathBuf;
use registry_cache::{EntryKey, NewEntry, PackCache, ttl};
use registry_types::{Namespace, PackName, Policy, Timestamp, Version};
use registry_verify::{Algorithm, PackPayloadType, PrivateKey, compute_digest, sign_pack};

use crate::cli::{Run, scratch};

const ONE: &str = "https://one.example/v1";
const TWO: &str = "https://two.example/v1";

/// Runs `assay-pack` with `ASSAY_CACHE_DIR` set to `env_dir` (or unset) and no `HOME`
/// pointing at a real cache.
fn run_cache(args: &[&str], env_dir: Option<&Path>, home: &Path) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_assay-pack"));
    command
        .args(args)
        .env("HOME", home)
        .env_remove("ASSAY_CACHE_DIR")
        .stdin(Stdio::null());
    if let Some(dir) = env_dir {
        command.env("ASSAY_CACHE_DIR", dir);
    }
    let output = command.output().expect("run assay-pack");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: output.stdout,
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn entry_key(registry: &str, namespace: Option<&str>, name: &str) -> EntryKey {
    EntryKey::new(
        registry,
        namespace.map(|org| Namespace::parse(org).expect("valid org")),
        PackName::parse(name).expect("valid name"),
        Version::parse("1.0.0").expect("valid version"),
    )
    .expect("valid key")
}

/// A cache with a signed commercial pack and an open one in registry ONE, and an open
/// one in registry TWO; returns the cache and the public key file of the signer.
fn filled_cache(dir: &Path) -> (PackCache, String) {
    let root = Utf8PathBuf::from_path_buf(dir.join("cache")).expect("UTF-8 path");
    let cache = PackCache::new(root);
    let key = PrivateKey::generate(Algorithm::Ed25519).expect("key generation");
    let public = dir.join("signer.pub");
    std::fs::write(&public, key.public_key().to_pem()).expect("write public key");
    let fetched_at = Timestamp::parse("2026-01-29T10:00:00Z").expect("valid time");
    for (registry, namespace, name, signed) in [
        (ONE, None, "signed-pack", true),
        (ONE, Some("acme"), "open-pack", false),
        (TWO, None, "open-pack", false),
    ] {
        let pack = format!("name: {name}\nversion: \"1.0.0\"\nkind: compliance\n").into_bytes();
        let envelope =
            signed.then(|| sign_pack(&pack, &[&key], PackPayloadType::Jcs).expect("signing"));
        cache
            .write(
                &entry_key(registry, namespace, name),
                &NewEntry {
                    pack: &pack,
                    envelope: envelope.as_ref(),
                    digest: compute_digest(&pack).expect("digest"),
                    policy: if signed {
                        Policy::Commercial
                    } else {
                        Policy::Open
                    },
                    key_id: signed.then(|| key.key_id().clone()),
                    etag: None,
                    fetched_at,
                    expires_at: ttl::expires_at(fetched_at, None),
                },
            )
            .expect("write");
    }
    (cache, public.display().to_string())
}

#[test]
fn list_prints_every_entry_as_text_or_json() {
    let dir = scratch("cache-list");
    let (cache, _) = filled_cache(&dir);
    let root = cache.root().as_str();

    let text = run_cache(&["cache", "list", "--cache-dir", root], None, &dir);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let out = text.stdout_text();
    assert!(
        out.contains("/_global/signed-pack/1.0.0  commercial signed "),
        "{out}"
    );
    assert!(
        out.contains("/orgs/acme/open-pack/1.0.0  open unsigned"),
        "{out}"
    );
    assert!(out.ends_with(&format!(" bytes in {root}\n")), "{out}");
    assert!(out.contains("3 entries, "), "{out}");

    let json = run_cache(&["cache", "list", "--json"], Some(Path::new(root)), &dir);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["root"], root);
    assert_eq!(value["total_entries"], 3);
    let entries = value["entries"].as_array().expect("entries");
    let signed = entries
        .iter()
        .find(|entry| entry["name"] == "signed-pack")
        .expect("signed entry");
    assert_eq!(signed["policy"], "commercial");
    assert_eq!(signed["signed"], true);
    assert_eq!(signed["registry_url"], ONE);
    assert_eq!(signed["namespace"], serde_json::Value::Null);
    assert!(
        signed["digest"]
            .as_str()
            .expect("digest")
            .starts_with("sha256:")
    );
    assert!(signed["size_bytes"].as_u64().expect("size") > 0);
    assert!(entries.iter().any(|entry| entry["namespace"] == "acme"));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn cache_dir_wins_over_the_environment_which_wins_over_home() {
    let dir = scratch("cache-root");
    let (cache, _) = filled_cache(&dir);
    let empty = dir.join("empty");

    let from_env = run_cache(&["cache", "list"], Some(cache.root().as_std_path()), &dir);
    assert!(
        from_env.stdout_text().contains("3 entries"),
        "{}",
        from_env.stdout_text()
    );
    let flag_wins = run_cache(
        &[
            "cache",
            "--cache-dir",
            empty.to_str().expect("UTF-8"),
            "list",
        ],
        Some(cache.root().as_std_path()),
        &dir,
    );
    assert!(
        flag_wins.stdout_text().starts_with("0 entries"),
        "{}",
        flag_wins.stdout_text()
    );
    let from_home = run_cache(&["cache", "list"], None, &dir);
    assert!(
        from_home
            .stdout_text()
            .ends_with(&format!("{}/.assay/cache/packs\n", dir.display())),
        "{}",
        from_home.stdout_text()
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn verify_without_keys_checks_integrity_and_leaves_signers_unchecked() {
    let dir = scratch("cache-verify-nokeys");
    let (cache, _) = filled_cache(&dir);
    let out = run_cache(&["cache", "verify"], Some(cache.root().as_std_path()), &dir);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.stdout_text();
    assert!(text.contains("unchecked"), "{text}");
    assert!(
        text.contains("/_global/signed-pack/1.0.0: signed (key sha256:"),
        "{text}"
    );
    assert_eq!(
        text.matches("\nok ").count() + usize::from(text.starts_with("ok ")),
        2,
        "{text}"
    );
    assert!(
        text.contains("3 entries checked, 0 evicted, 0 not checked"),
        "{text}"
    );
    assert!(out.stderr.contains("--trusted-key"), "{}", out.stderr);
    assert_eq!(cache.list().expect("list").len(), 3, "nothing was evicted");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn verify_with_keys_evicts_bad_entries_and_exits_1() {
    let dir = scratch("cache-verify-keys");
    let (cache, public) = filled_cache(&dir);
    let root = cache.root().as_str();
    let clean = run_cache(
        &[
            "cache",
            "verify",
            "--cache-dir",
            root,
            "--trusted-key",
            &public,
            "--json",
        ],
        None,
        &dir,
    );
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let value: serde_json::Value = serde_json::from_slice(&clean.stdout).expect("JSON");
    assert_eq!(value["evicted"], 0);
    assert!(
        value["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|entry| entry["status"] == "ok"),
        "{value}"
    );

    // Tamper with the signed entry: its signature file disappears.
    let signed = cache.entry_dir(entry_key(ONE, None, "signed-pack").location());
    std::fs::remove_file(signed.join("signature.json")).expect("remove");
    let bad = run_cache(
        &[
            "cache",
            "verify",
            "--cache-dir",
            root,
            "--trusted-key",
            &public,
        ],
        None,
        &dir,
    );
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    bad.assert_clean_error();
    assert!(
        bad.stdout_text().contains("evicted   ")
            && bad
                .stdout_text()
                .contains("was recorded as signed, but signature.json is gone"),
        "{}",
        bad.stdout_text()
    );
    assert!(
        bad.stderr
            .contains("1 of 3 cache entries failed verification and were evicted"),
        "{}",
        bad.stderr
    );
    assert!(!signed.exists());
    assert_eq!(cache.list().expect("list").len(), 2);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn clear_one_registry_then_everything() {
    let dir = scratch("cache-clear");
    let (cache, _) = filled_cache(&dir);
    let root = cache.root().as_str();
    let one = run_cache(
        &["cache", "clear", "--registry", ONE, "--cache-dir", root],
        None,
        &dir,
    );
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert!(
        one.stdout_text().starts_with("removed 2 entries ("),
        "{}",
        one.stdout_text()
    );
    let left = cache.list().expect("list");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].meta.as_ref().expect("metadata").registry_url, TWO);
    let all = run_cache(&["cache", "clear"], Some(cache.root().as_std_path()), &dir);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert!(
        all.stdout_text().starts_with("removed 1 entries ("),
        "{}",
        all.stdout_text()
    );
    assert!(cache.list().expect("list").is_empty());
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn unusable_roots_and_keys_exit_2() {
    let dir = scratch("cache-usage");
    let no_home = Command::new(env!("CARGO_BIN_EXE_assay-pack"))
        .args(["cache", "list"])
        .env_remove("HOME")
        .env_remove("ASSAY_CACHE_DIR")
        .output()
        .expect("run");
    assert_eq!(no_home.status.code(), Some(2));
    let stderr = String::from_utf8(no_home.stderr).expect("UTF-8");
    assert!(
        stderr.contains("pass --cache-dir or set ASSAY_CACHE_DIR"),
        "{stderr}"
    );

    let missing_key = run_cache(
        &["cache", "verify", "--trusted-key", "/nonexistent/key.pub"],
        Some(&dir),
        &dir,
    );
    assert_eq!(missing_key.code, 2, "{}", missing_key.stderr);
    missing_key.assert_clean_error();

    let usage = run_cache(&["cache", "frob"], Some(&dir), &dir);
    assert_eq!(usage.code, 2);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
