//! The data-driven cases under `testdata/lock/`: each folder holds a `lock.in` and an
//! `expected.txt`, which is either the lockfile as this crate re-renders it (an accepted
//! case) or the variant, the line and the error report (a rejected one). `UPDATE_EXPECT=1`
//! (what `cargo xtask bless` sets) rewrites `expected.txt` instead of comparing.

use std::path::{Path, PathBuf};

use camino::Utf8PathBuf;
use registry_lock::{Error, Lockfile};

fn lock_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/lock")
}

fn case_dirs() -> Vec<PathBuf> {
    let dir = lock_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    cases
}

/// Compares `actual` with the file `expected`, or rewrites it under `UPDATE_EXPECT=1`.
fn check_expectation(expected: &Path, actual: &str) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(expected, actual).expect("write expectation");
        return;
    }
    let wanted = std::fs::read_to_string(expected).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `cargo xtask bless` to create it)",
            expected.display()
        )
    });
    assert_eq!(actual, wanted, "{}", expected.display());
}

/// The variant of a rejection, with the fault or rule inside it.
fn variant(error: &Error) -> String {
    let debug = match error {
        Error::Invalid { fault, .. } => format!("Invalid/{fault:?}"),
        Error::Syntax { source, .. } => format!("Syntax/{:?}", source.rule()),
        other => format!("{other:?}"),
    };
    let end = debug.find([' ', '{', '(']).unwrap_or(debug.len());
    debug[..end].to_owned()
}

#[test]
fn lock_cases_render_or_report_as_expected() {
    for dir in case_dirs() {
        let name = dir.file_name().and_then(|n| n.to_str()).expect("case name");
        let input = std::fs::read_to_string(dir.join("lock.in"))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let path = Utf8PathBuf::from(format!("lock/{name}/lock.in"));
        let actual = match Lockfile::parse(&input, &path) {
            Ok(lockfile) => {
                let rendered = lockfile.to_yaml();
                // What is written reads back equal (as version 2) and renders identically.
                let again = Lockfile::parse(&rendered, &path).unwrap_or_else(|e| {
                    panic!("{name}: re-parse: {}", snafu::Report::from_error(e))
                });
                assert_eq!(again.format_version(), 2, "{name}");
                assert_eq!(
                    again.packs().collect::<Vec<_>>(),
                    lockfile.packs().collect::<Vec<_>>(),
                    "{name}"
                );
                assert_eq!(again.to_yaml(), rendered, "{name}: not deterministic");
                rendered
            }
            Err(error) => {
                assert!(error.is_invalid_content(), "{name}: {error}");
                assert_eq!(error.path(), Some(path.as_path()), "{name}");
                let line = error.line().expect("a content error names its line");
                format!(
                    "rejected: {}\nline: {line}\n{}\n",
                    variant(&error),
                    snafu::Report::from_error(error)
                )
            }
        };
        check_expectation(&dir.join("expected.txt"), &actual);
    }
}
