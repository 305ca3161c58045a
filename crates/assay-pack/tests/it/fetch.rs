//! `assay-pack fetch`, `resolve`, `versions` and `search` against `assay-pack serve`:
//! output, exit codes, files left (or not) behind, killed and concurrent fetches.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::cli::{Run, run, workspace};
use crate::serve::{Served, serve};

/// A served example registry: its URL and root key id.
pub(crate) struct Registry {
    _served: Served,
    pub(crate) url: String,
    pub(crate) root: String,
}

pub(crate) fn registry() -> Registry {
    let mut served = serve(&[]);
    let url = served
        .line()
        .strip_prefix("listening on ")
        .expect("URL line")
        .to_owned();
    let root = served
        .line()
        .strip_prefix("root key id: ")
        .expect("root line")
        .to_owned();
    Registry {
        _served: served,
        url,
        root,
    }
}

/// A fresh scratch directory.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("assay-pack-fetch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn fetch(registry: &Registry, cache: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "fetch",
        "--registry",
        &registry.url,
        "--cache-dir",
        cache.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    run(&args, b"")
}

/// The three packs the kill and concurrency tests fetch.
const THREE: [&str; 3] = [
    "eu-ai-act-pro@1.2.0",
    "eu-ai-act-baseline@1.0.0",
    "eu-ai-act-pro@1.1.0",
];

/// Fetches [`THREE`] with a JSON report (so no pack goes to stdout), trusting the root.
fn fetch_three(registry: &Registry, cache: &Path, extra: &[&str]) -> Run {
    let mut args = THREE.to_vec();
    args.extend(["--trust-root", registry.root.as_str(), "--json"]);
    args.extend_from_slice(extra);
    fetch(registry, cache, &args)
}

fn example(path: &str) -> Vec<u8> {
    std::fs::read(workspace().join("testdata/registry/packs").join(path)).expect("example pack")
}

fn cached_packs(cache: &Path) -> usize {
    fn walk(dir: &Path, count: &mut usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, count);
            } else if path.file_name().is_some_and(|name| name == "pack.yaml") {
                *count += 1;
            }
        }
    }
    let mut count = 0;
    walk(cache, &mut count);
    count
}

#[test]
fn one_pack_goes_to_stdout_verified_and_the_second_run_is_a_cache_hit() {
    let registry = registry();
    let cache = scratch("stdout");
    let first = fetch(
        &registry,
        &cache,
        &["eu-ai-act-pro@1.2.0", "--trust-root", &registry.root],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, example("eu-ai-act-pro/1.2.0/pack.yaml"));
    assert!(
        first
            .stderr
            .starts_with("verified eu-ai-act-pro@1.2.0 sha256:"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("signed by sha256:")
            && first.stderr.contains("commercial")
            && first.stderr.contains("(fetched)"),
        "{}",
        first.stderr
    );
    let second = fetch(
        &registry,
        &cache,
        &["eu-ai-act-pro@1.2.0", "--trust-root", &registry.root],
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stderr.contains("(cache hit)"), "{}", second.stderr);
    assert_eq!(second.stdout, first.stdout);
}

#[test]
fn output_files_are_written_only_for_verified_packs() {
    let registry = registry();
    let cache = scratch("output");
    let out = scratch("output-files");
    let file = out.join("pro.yaml");
    let ok = fetch(
        &registry,
        &cache,
        &[
            "eu-ai-act-pro@1.2.0",
            "--trust-root",
            &registry.root,
            "--output",
            file.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.is_empty());
    assert_eq!(
        std::fs::read(&file).expect("written"),
        example("eu-ai-act-pro/1.2.0/pack.yaml")
    );

    // No trust root: the signature cannot be verified; nothing is written or cached.
    let untrusted_cache = scratch("output-untrusted");
    let refused = out.join("refused.yaml");
    let failed = fetch(
        &registry,
        &untrusted_cache,
        &[
            "eu-ai-act-pro@1.2.0",
            "--output",
            refused.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    failed.assert_clean_error();
    assert!(
        failed.stderr.contains("eu-ai-act-pro@1.2.0"),
        "{}",
        failed.stderr
    );
    assert!(!refused.exists());
    assert_eq!(cached_packs(&untrusted_cache), 0);
}

#[test]
fn exit_codes_follow_the_contract() {
    let registry = registry();
    let cache = scratch("codes");
    let root = registry.root.clone();
    let cases: [(&[&str], i32, &str); 6] = [
        (&["nope@1.0.0"], 4, "(404)"),
        (&["soc2-starter@0.9.0"], 4, "0.9.1"),
        (&["eu-ai-act-pro@latest"], 2, "invalid reference"),
        (&["testdata/packs"], 2, "not a registry reference"),
        (&["eu-ai-act-pro@1.1.0", "--offline"], 3, "offline"),
        (
            &[
                "eu-ai-act-pro@1.2.0#sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ],
            1,
            "integrity",
        ),
    ];
    for (args, code, needle) in cases {
        let mut all = args.to_vec();
        all.extend(["--trust-root", root.as_str()]);
        let result = fetch(&registry, &cache, &all);
        assert_eq!(result.code, code, "{args:?}: {}", result.stderr);
        result.assert_clean_error();
        assert!(
            result.stderr.contains(needle),
            "{args:?}: {}",
            result.stderr
        );
        assert!(result.stdout.is_empty(), "{args:?}");
    }
    // A registry nobody listens on: unavailable.
    let closed = run(
        &[
            "fetch",
            "eu-ai-act-pro@1.2.0",
            "--registry",
            "http://127.0.0.1:9/v1",
            "--cache-dir",
            cache.to_str().expect("utf-8"),
            "--trust-root",
            &root,
        ],
        b"",
    );
    assert_eq!(closed.code, 3, "{}", closed.stderr);
}

#[test]
fn several_packs_go_to_a_directory_and_a_json_report() {
    let registry = registry();
    let cache = scratch("several");
    let out = scratch("several-out").join("new-dir");
    let result = fetch(
        &registry,
        &cache,
        &[
            "eu-ai-act-pro@1.2.0",
            "eu-ai-act-baseline@1.0.0",
            "--trust-root",
            &registry.root,
            "--output-dir",
            out.to_str().expect("utf-8"),
            "--json",
        ],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(
        std::fs::read(out.join("eu-ai-act-pro@1.2.0.yaml")).expect("pro"),
        example("eu-ai-act-pro/1.2.0/pack.yaml")
    );
    assert_eq!(
        std::fs::read(out.join("eu-ai-act-baseline@1.0.0.yaml")).expect("baseline"),
        example("eu-ai-act-baseline/1.0.0/pack.yaml")
    );
    let report: serde_json::Value = serde_json::from_slice(&result.stdout).expect("JSON report");
    let packs = report["packs"].as_array().expect("packs");
    assert_eq!(packs.len(), 2);
    assert_eq!(packs[0]["name"], "eu-ai-act-pro");
    assert_eq!(packs[0]["policy"], "commercial");
    assert_eq!(packs[0]["delivery"], "fetched");
    assert!(
        packs[0]["digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    assert_eq!(packs[1]["policy"], "open");

    // Several refs without a place to put them is a usage error, before any request.
    let usage = fetch(
        &registry,
        &cache,
        &["eu-ai-act-pro@1.2.0", "eu-ai-act-baseline@1.0.0"],
    );
    assert_eq!(usage.code, 2, "{}", usage.stderr);
    assert!(usage.stderr.contains("--output-dir"), "{}", usage.stderr);

    // One failure among several: the others are delivered, the status is the failure's.
    let mixed_out = scratch("mixed-out");
    let mixed = fetch(
        &registry,
        &cache,
        &[
            "eu-ai-act-baseline@1.0.0",
            "nope@1.0.0",
            "--trust-root",
            &registry.root,
            "--output-dir",
            mixed_out.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(mixed.code, 4, "{}", mixed.stderr);
    assert!(mixed_out.join("eu-ai-act-baseline@1.0.0.yaml").exists());
    assert!(mixed.stderr.contains("1 of 2"), "{}", mixed.stderr);
}

#[test]
fn resolve_versions_and_search() {
    let registry = registry();
    let cache = scratch("resolve");
    let path = run(
        &[
            "resolve",
            "testdata/packs/eu-ai-act-baseline.yaml",
            "--cache-dir",
            cache.to_str().expect("utf-8"),
        ],
        b"",
    );
    assert_eq!(path.code, 0, "{}", path.stderr);
    assert!(
        path.stdout_text()
            .contains("from path testdata/packs/eu-ai-act-baseline.yaml"),
        "{}",
        path.stdout_text()
    );
    let remote = run(
        &[
            "resolve",
            "eu-ai-act-pro@1.2.0",
            "--registry",
            &registry.url,
            "--trust-root",
            &registry.root,
            "--cache-dir",
            cache.to_str().expect("utf-8"),
        ],
        b"",
    );
    assert_eq!(remote.code, 0, "{}", remote.stderr);
    assert!(
        remote.stdout_text().contains("from registry"),
        "{}",
        remote.stdout_text()
    );
    let unknown = run(
        &[
            "resolve",
            "no-such-local-pack",
            "--cache-dir",
            cache.to_str().expect("utf-8"),
        ],
        b"",
    );
    assert_eq!(unknown.code, 4, "{}", unknown.stderr);

    let versions = run(
        &["versions", "eu-ai-act-pro", "--registry", &registry.url],
        b"",
    );
    assert_eq!(versions.code, 0, "{}", versions.stderr);
    let table = versions.stdout_text();
    assert!(
        table
            .lines()
            .any(|line| line.starts_with("1.1.0") && line.contains("deprecated")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|line| line.starts_with("1.2.0") && line.contains("latest")),
        "{table}"
    );
    let search = run(
        &["search", "eu-", "--registry", &registry.url, "--json"],
        b"",
    );
    assert_eq!(search.code, 0, "{}", search.stderr);
    let report: serde_json::Value = serde_json::from_slice(&search.stdout).expect("JSON");
    let names: Vec<&str> = report["packs"]
        .as_array()
        .expect("packs")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["eu-ai-act-baseline", "eu-ai-act-pro"]);
}

/// Runs `assay-pack fetch` and kills it with SIGKILL after `delay`.
fn killed_fetch(registry: &Registry, cache: &Path, delay: Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay-pack"))
        .args([
            "fetch",
            "eu-ai-act-pro@1.2.0",
            "eu-ai-act-baseline@1.0.0",
            "eu-ai-act-pro@1.1.0",
            "--json",
        ])
        .args([
            "--registry",
            &registry.url,
            "--trust-root",
            &registry.root,
            "--cache-dir",
        ])
        .arg(cache)
        .current_dir(workspace())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start fetch");
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_fetch_killed_at_any_point_leaves_a_cache_that_verifies() {
    let registry = registry();
    for round in 0..20u64 {
        let cache = scratch(&format!("killed-{round}"));
        // From before the first request to after the last write.
        killed_fetch(&registry, &cache, Duration::from_millis(round * 7));
        let after = fetch_three(&registry, &cache, &[]);
        assert_eq!(after.code, 0, "round {round}: {}", after.stderr);
        assert!(
            !after.stderr.contains("evicted"),
            "round {round}: a killed fetch left a bad entry: {}",
            after.stderr
        );
        let offline = fetch_three(&registry, &cache, &["--offline"]);
        assert_eq!(offline.code, 0, "round {round}: {}", offline.stderr);
    }
}

#[test]
fn processes_fetching_overlapping_packs_into_one_cache_lose_nothing() {
    let registry = registry();
    let cache = scratch("concurrent");
    let sets: [&[&str]; 4] = [
        &["eu-ai-act-pro@1.2.0", "eu-ai-act-baseline@1.0.0"],
        &["eu-ai-act-baseline@1.0.0", "eu-ai-act-pro@1.1.0"],
        &["eu-ai-act-pro@1.1.0", "eu-ai-act-pro@1.2.0"],
        &[
            "eu-ai-act-pro@1.2.0",
            "eu-ai-act-baseline@1.0.0",
            "eu-ai-act-pro@1.1.0",
        ],
    ];
    let children: Vec<_> = sets
        .iter()
        .map(|refs| {
            Command::new(env!("CARGO_BIN_EXE_assay-pack"))
                .arg("fetch")
                .args(*refs)
                .args([
                    "--json",
                    "--registry",
                    &registry.url,
                    "--trust-root",
                    &registry.root,
                    "--cache-dir",
                ])
                .arg(&cache)
                .current_dir(workspace())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start fetch")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(cached_packs(&cache), 3);
    let offline = fetch_three(&registry, &cache, &["--offline"]);
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert!(!offline.stderr.contains("evicted"), "{}", offline.stderr);
}

#[test]
fn fetching_a_deprecated_version_warns_on_stderr() {
    let registry = registry();
    let cache = scratch("deprecated");
    let result = fetch(
        &registry,
        &cache,
        &["eu-ai-act-pro@1.1.0", "--trust-root", &registry.root],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        result.stderr.contains(
            "warning: eu-ai-act-pro@1.1.0: this version is deprecated; use @1.2.0 instead"
        ),
        "{}",
        result.stderr
    );
}
