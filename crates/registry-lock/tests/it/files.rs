//! Loading and saving lockfiles on disk: atomic replacement, the size limit, missing files.

use camino::{Utf8Path, Utf8PathBuf};
use registry_lock::{Error, LOCKFILE_NAME, Lockfile, MAX_LOCKFILE_SIZE};

use crate::sample::{at, bundled, registry};

/// A fresh, empty directory for one test under cargo's temporary directory.
fn scratch(test: &str) -> Utf8PathBuf {
    let dir = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("registry-lock-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch directory");
    dir
}

fn entries(dir: &Utf8Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8")
        })
        .collect();
    names.sort();
    names
}

fn sample() -> Lockfile {
    Lockfile::new(
        at("2026-01-29T10:00:00Z"),
        [
            registry("eu-ai-act-pro", "1.2.0", Some("acme")),
            bundled("eu-ai-act-baseline", "1.0.0"),
        ],
    )
}

#[test]
fn save_then_load_gives_the_same_lockfile_and_leaves_no_temporary_file() {
    let dir = scratch("save-load");
    let path = dir.join(LOCKFILE_NAME);
    let lockfile = sample();
    lockfile.save(&path).expect("save");
    assert_eq!(Lockfile::load(&path).expect("load"), lockfile);
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        lockfile.to_yaml()
    );

    // Replacing an existing lockfile works the same way.
    let mut smaller = lockfile.clone();
    smaller.remove(&registry("eu-ai-act-pro", "1.2.0", Some("acme")).key());
    smaller.save(&path).expect("save over");
    assert_eq!(Lockfile::load(&path).expect("load"), smaller);
    assert_eq!(entries(&dir), [LOCKFILE_NAME]);
}

#[test]
fn a_missing_lockfile_is_none_for_load_if_exists_and_an_error_for_load() {
    let dir = scratch("missing");
    let path = dir.join(LOCKFILE_NAME);
    assert_eq!(Lockfile::load_if_exists(&path).expect("no error"), None);
    let error = Lockfile::load(&path).unwrap_err();
    assert!(
        matches!(&error, Error::ReadLockfile { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(error.to_string().contains(path.as_str()), "{error}");
}

#[test]
fn an_oversized_lockfile_is_refused_before_parsing() {
    let dir = scratch("oversized");
    let path = dir.join(LOCKFILE_NAME);
    let mut text = sample().to_yaml();
    text.push_str(&"#".repeat(MAX_LOCKFILE_SIZE));
    std::fs::write(&path, text).expect("write");
    let error = Lockfile::load(&path).unwrap_err();
    assert!(matches!(error, Error::LockfileTooLarge { limit, .. } if limit == MAX_LOCKFILE_SIZE));
    assert!(
        error
            .to_string()
            .starts_with(&format!("lockfile {path} is larger than")),
        "{error}"
    );
}

#[test]
fn a_lockfile_that_is_not_utf8_is_refused() {
    let dir = scratch("not-utf8");
    let path = dir.join(LOCKFILE_NAME);
    std::fs::write(&path, b"version: 2\ngenerated_by: \"\xff\"\n").expect("write");
    let error = Lockfile::load_if_exists(&path).unwrap_err();
    assert!(matches!(error, Error::LockfileNotUtf8 { .. }), "{error:?}");
    assert!(error.to_string().contains(path.as_str()));
}

#[test]
fn a_path_without_a_file_name_is_refused() {
    let error = sample().save(Utf8Path::new("..")).unwrap_err();
    assert!(
        matches!(error, Error::InvalidLockfilePath { .. }),
        "{error:?}"
    );
}

#[test]
fn a_failed_save_leaves_the_old_lockfile_and_no_temporary_file() {
    let dir = scratch("failed-save");
    // The target is a non-empty directory, so the rename fails after the temporary file
    // was written.
    let path = dir.join(LOCKFILE_NAME);
    std::fs::create_dir_all(path.join("occupied")).expect("create");
    let error = sample().save(&path).unwrap_err();
    assert!(matches!(error, Error::ReplaceLockfile { .. }), "{error:?}");
    assert_eq!(entries(&dir), [LOCKFILE_NAME]);
    assert!(path.join("occupied").is_dir());
}

#[test]
fn load_errors_name_the_file_and_the_line() {
    let dir = scratch("load-error");
    let path = dir.join(LOCKFILE_NAME);
    let text = sample()
        .to_yaml()
        .replace("\"eu-ai-act-baseline\"", "\"../../etc\"");
    std::fs::write(&path, text).expect("write");
    let error = Lockfile::load(&path).unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidValue {
                what: "pack name",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.line(), Some(7));
    assert!(
        error.to_string().starts_with(&format!("{path}:7:")),
        "{error}"
    );
}
