//! Locating and reading the files under the workspace's `testdata/`.

use std::path::PathBuf;

/// The path of `relative` under the workspace's `testdata/vectors/`.
pub(crate) fn vectors(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors")
        .join(relative)
}

/// The bytes of a vector file; a missing file fails the test with its path.
pub(crate) fn read(relative: &str) -> Vec<u8> {
    let path = vectors(relative);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// A vector file parsed as JSON.
pub(crate) fn json(relative: &str) -> serde_json::Value {
    serde_json::from_slice(&read(relative))
        .unwrap_or_else(|error| panic!("{relative} is not JSON: {error}"))
}
