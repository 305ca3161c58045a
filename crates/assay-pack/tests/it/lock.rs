//! `assay-pack lock` against `assay-pack serve`: create, verify, check, update, and the
//! cargo-like modes.

use std::path::Path;

use crate::cli::{Run, run};
use crate::fetch::{Registry, registry, scratch};

fn lock(registry: &Registry, dir: &Path, args: &[&str]) -> Run {
    let lockfile = dir.join("assay.packs.lock");
    let cache = dir.join("cache");
    let mut all = vec![
        "lock",
        "--registry",
        &registry.url,
        "--trust-root",
        &registry.root,
        "--lockfile",
        lockfile.to_str().expect("utf-8"),
        "--cache-dir",
        cache.to_str().expect("utf-8"),
    ];
    all.extend_from_slice(args);
    run(&all, b"")
}

#[test]
fn lock_creates_then_verify_check_and_update_keep_it_honest() {
    let registry = registry();
    let dir = scratch("lock");
    let lockfile = dir.join("assay.packs.lock");

    let missing = lock(&registry, &dir, &["--locked", "eu-ai-act-pro@1.2.0"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(!lockfile.exists());

    let created = lock(
        &registry,
        &dir,
        &["eu-ai-act-pro@1.2.0", "eu-ai-act-baseline@1.0.0"],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert_eq!(
        created.stdout_text(),
        format!("locked 2 pack(s) in {}\n", lockfile.display())
    );
    let text = std::fs::read_to_string(&lockfile).expect("lockfile");
    assert!(text.starts_with("# This file is generated"), "{text}");
    assert!(
        text.contains("name: \"eu-ai-act-pro\"") && text.contains("algorithm: \"Ed25519\""),
        "{text}"
    );

    for mode in [
        &["--verify"][..],
        &["--check", "eu-ai-act-pro@1.2.0", "eu-ai-act-baseline@1.0.0"],
        &["--frozen", "--verify"],
    ] {
        let result = lock(&registry, &dir, mode);
        assert_eq!(result.code, 0, "{mode:?}: {}", result.stderr);
        assert!(
            result
                .stdout_text()
                .starts_with("ok: 2 locked pack(s) match"),
            "{mode:?}"
        );
    }
    // Asking for fewer packs than are locked: --check says the file is out of date.
    let fewer = lock(&registry, &dir, &["--check", "eu-ai-act-pro@1.2.0"]);
    assert_eq!(fewer.code, 1, "{}", fewer.stderr);
    assert!(
        fewer.stderr.contains("locked but no longer requested")
            && fewer.stderr.contains("out of date"),
        "{}",
        fewer.stderr
    );

    // A locked digest that no longer matches: a mismatch with both digests, exit 1, and the
    // file is left as it was until --update.
    let real = "sha256:0df1baafed9e6ff634e71d71a2436cd09fcda349f0d155ed2efa6b6b44dfd161";
    let wrong = "sha256:1df1baafed9e6ff634e71d71a2436cd09fcda349f0d155ed2efa6b6b44dfd161";
    assert!(text.contains(real), "{text}");
    std::fs::write(&lockfile, text.replace(real, wrong)).expect("edit");
    let mismatch = lock(&registry, &dir, &["--verify"]);
    assert_eq!(mismatch.code, 1, "{}", mismatch.stderr);
    assert!(
        mismatch.stderr.contains(real) && mismatch.stderr.contains(wrong),
        "{}",
        mismatch.stderr
    );
    assert!(
        mismatch.stderr.contains("lock --update"),
        "{}",
        mismatch.stderr
    );
    let locked_update = lock(&registry, &dir, &["--update", "--locked"]);
    assert_eq!(locked_update.code, 1, "{}", locked_update.stderr);
    assert!(
        std::fs::read_to_string(&lockfile)
            .expect("lockfile")
            .contains(wrong)
    );
    let updated = lock(&registry, &dir, &["--update"]);
    assert_eq!(updated.code, 0, "{}", updated.stderr);
    assert!(
        std::fs::read_to_string(&lockfile)
            .expect("lockfile")
            .contains(real)
    );
    // Updating an unchanged lockfile leaves the bytes as they are.
    let before = std::fs::read(&lockfile).expect("lockfile");
    let again = lock(&registry, &dir, &["--update"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout_text().starts_with("up to date:"),
        "{}",
        again.stdout_text()
    );
    assert_eq!(std::fs::read(&lockfile).expect("lockfile"), before);
}

#[test]
fn a_malformed_lockfile_is_refused_with_its_line() {
    let registry = registry();
    let dir = scratch("lock-malformed");
    std::fs::write(
        dir.join("assay.packs.lock"),
        "version: 2\ngenerated_at: \"2026-01-29T10:00:00Z\"\ngenerated_by: \"x\"\npacks:\n  - name: \"../../etc\"\n    version: \"1.0.0\"\n",
    )
    .expect("write");
    let result = lock(&registry, &dir, &["--verify"]);
    assert_eq!(result.code, 1, "{}", result.stderr);
    result.assert_clean_error();
    assert!(result.stderr.contains(":5:"), "{}", result.stderr);
}
