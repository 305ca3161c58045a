//! `assay-pack demo`: the guided tour runs from any folder with no configuration, every
//! step reports what it must, and nothing is left behind or read from the environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A fresh, empty scratch directory.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("assay-pack-demo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

/// Runs `assay-pack demo ARGS` in `cwd` with `TMPDIR` and `HOME` set, and `ASSAY_*`
/// variables that would break every step if the demo read them.
fn demo(args: &[&str], cwd: &Path, tmpdir: &Path, home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assay-pack"))
        .arg("demo")
        .args(args)
        .current_dir(cwd)
        .env("TMPDIR", tmpdir)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("ASSAY_REGISTRY_URL", "https://registry.invalid/v1")
        .env("ASSAY_REGISTRY_TRUST_ROOTS", "not-a-key")
        .env("ASSAY_CACHE_DIR", home.join("cache"))
        .env("ASSAY_REGISTRY_TOKEN", "should-not-be-sent")
        .env("ASSAY_ALLOW_UNSIGNED_PACKS", "maybe")
        .stdin(Stdio::null())
        .output()
        .expect("run assay-pack demo")
}

/// The names in `dir`.
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn the_tour_passes_every_step_and_leaves_nothing_behind() {
    let root = scratch("tour");
    let (tmpdir, home, cwd) = (root.join("tmp"), root.join("home"), root.join("cwd"));
    for dir in [&tmpdir, &home, &cwd] {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    let output = demo(&[], &cwd, &tmpdir, &home);
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(stderr, "");

    // One line per step, numbered, each saying what was checked.
    let steps: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let expected: [(&str, &[&str]); 8] = [
        (
            "1. registry  started at http://127.0.0.1:",
            &["4 sample packs", "root key sha256:", "for this run only"],
        ),
        (
            "2. fetch     eu-ai-act-pro@1.2.0: fetched and verified: digest sha256:",
            &[
                "policy commercial, signed by sha256:",
                "(Ed25519), this run's signing key",
            ],
        ),
        (
            "3. fetch     eu-ai-act-baseline@1.0.0: fetched and verified: digest sha256:",
            &["policy open, signed by sha256:", "this run's signing key"],
        ),
        (
            "4. lockfile  wrote assay.packs.lock pinning eu-ai-act-pro@1.2.0 and eu-ai-act-baseline@1.0.0",
            &["verified it: 2 of 2 locked packs match what resolves now"],
        ),
        (
            "5. cache     eu-ai-act-pro@1.2.0 again: cache hit, no request sent",
            &["verified again on read"],
        ),
        (
            "6. tamper    one bit flipped ('E' became 'e' at byte ",
            &[
                "caught on read, entry evicted (",
                "but metadata.json records sha256:",
                "repaired: fetched again and verified, digest sha256:",
            ],
        ),
        (
            "7. attack    the registry answers eu-ai-act-pro@1.2.0 with another validly signed pack",
            &[
                "refused: eu-ai-act-pro@1.2.0:",
                "the pack names itself 'eu-ai-act-baseline@1.0.0'",
                "nothing cached",
            ],
        ),
        (
            "8. revoked   soc2-starter@0.9.0: refused, revoked by the registry",
            &[
                "reason: rule soc2-001 matched every event; safe version 0.9.1",
                "soc2-starter@0.9.1: fetched and verified",
            ],
        ),
    ];
    assert_eq!(steps.len(), expected.len(), "{stdout}");
    for (line, (prefix, words)) in steps.iter().zip(expected) {
        assert!(
            line.starts_with(prefix),
            "{line:?} should start with {prefix:?}"
        );
        for word in words {
            assert!(line.contains(word), "{line:?} should contain {word:?}");
        }
    }
    // The digests are the sample packs' (the same on every run), and the same pack has
    // the same digest after its repair.
    let pro = "sha256:0df1baafed9e6ff634e71d71a2436cd09fcda349f0d155ed2efa6b6b44dfd161";
    assert!(
        steps[1].contains(pro) && steps[5].ends_with(pro),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("\nAll 8 steps behaved as expected; the temporary folder was removed.\n"),
        "{stdout}"
    );

    // Nothing left in the temporary folder, and nothing written to HOME, the configured
    // cache or the working directory.
    assert_eq!(entries(&tmpdir), Vec::<String>::new());
    assert_eq!(entries(&home), Vec::<String>::new());
    assert_eq!(entries(&cwd), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn keep_leaves_the_temporary_folder_and_names_it() {
    let root = scratch("keep");
    let tmpdir = root.join("tmp");
    std::fs::create_dir_all(&tmpdir).expect("mkdir");
    let output = demo(&["--keep"], &root, &tmpdir, &root);
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let kept = entries(&tmpdir);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let folder = tmpdir.join(&kept[0]);
    assert!(
        stdout.contains(&format!(
            "The temporary folder is kept: {}\n",
            folder.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("\nAll 8 steps behaved as expected.\n"),
        "{stdout}"
    );
    // The sample registry in the server's layout, and the caches the steps used.
    for path in [
        "registry/packs/eu-ai-act-pro/1.2.0/pack.yaml",
        "registry/packs/soc2-starter/0.9.0/meta.json",
        "assay.packs.lock",
        "cache",
        "cache-attack",
    ] {
        assert!(folder.join(path).exists(), "{path} in {kept:?}");
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_unusable_temporary_folder_is_a_clean_usage_error() {
    let root = scratch("no-tmp");
    let missing = root.join("missing");
    let output = demo(&[], &root, &missing, &root);
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "assay-pack: cannot create the demo's temporary folder {}",
            missing.display()
        )),
        "{stderr}"
    );
    for banned in ["panicked", "RUST_BACKTRACE", "Error {", "Some(", "source:"] {
        assert!(!stderr.contains(banned), "{banned:?} in {stderr}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
