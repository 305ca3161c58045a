//! The data-driven cases under `testdata/canon/`: accepted packs and their canonical bytes,
//! rejected packs and the error report an author sees. `UPDATE_EXPECT=1` (what `cargo
//! xtask bless` sets) rewrites the expectations instead of comparing.

use std::path::{Path, PathBuf};

use registry_canon::{CanonicalPack, StrictOptions};

fn cases_dir(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/canon")
        .join(kind)
}

fn yaml_cases(kind: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir(kind))
        .unwrap_or_else(|e| panic!("testdata/canon/{kind}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in testdata/canon/{kind}");
    cases
}

/// Compares `actual` with the file `expected`, or rewrites it under `UPDATE_EXPECT=1`.
fn check_expectation(expected: &Path, actual: &[u8]) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(expected, actual).expect("write expectation");
        return;
    }
    let wanted = std::fs::read(expected).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `cargo xtask bless` to create it)",
            expected.display()
        )
    });
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&wanted),
        "{}",
        expected.display()
    );
}

#[test]
fn accepted_cases_give_their_canonical_bytes() {
    for case in yaml_cases("accept") {
        let input = std::fs::read(&case).expect("read case");
        let canonical = CanonicalPack::from_yaml(&input, &StrictOptions::default())
            .unwrap_or_else(|e| panic!("{}: {}", case.display(), snafu::Report::from_error(e)));
        check_expectation(&case.with_extension("canon"), canonical.bytes());
    }
}

#[test]
fn rejected_cases_give_their_error_report() {
    for case in yaml_cases("reject") {
        let input = std::fs::read(&case).expect("read case");
        let Err(error) = CanonicalPack::from_yaml(&input, &StrictOptions::default()) else {
            panic!("{}: accepted, expected a rejection", case.display());
        };
        let rendered = format!(
            "rule: {:?}\n{}\n",
            error.rule(),
            snafu::Report::from_error(error)
        );
        check_expectation(&case.with_extension("expected"), rendered.as_bytes());
    }
}
