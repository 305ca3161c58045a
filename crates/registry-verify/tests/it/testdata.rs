//! Locating and reading the files under the workspace's `testdata/`, and small decoding helpers.

use std::path::PathBuf;

use data_encoding::HEXLOWER_PERMISSIVE;
use serde_json::Value;

/// The path of `relative` under the workspace's `testdata/vectors/`.
pub(crate) fn vectors(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/vectors")
        .join(relative)
}

/// A vector file parsed as JSON; a missing or malformed file fails the test with its path.
pub(crate) fn json(relative: &str) -> Value {
    let path = vectors(relative);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|error| panic!("{relative} is not JSON: {error}"))
}

/// The bytes of a hex string (either case).
pub(crate) fn hex(text: &str) -> Vec<u8> {
    HEXLOWER_PERMISSIVE
        .decode(text.as_bytes())
        .unwrap_or_else(|error| panic!("{text:?} is not hex: {error}"))
}

/// The string at `key` of a JSON object.
pub(crate) fn str_at<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {value}"))
}

/// The array at `key` of a JSON object.
pub(crate) fn array_at<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` is not an array in {value}"))
}

/// The PKCS#8 v1 `PrivateKeyInfo` of an Ed25519 seed, as `openssl genpkey` writes it.
pub(crate) fn ed25519_pkcs8_v1(seed: &[u8]) -> Vec<u8> {
    let mut der = hex("302e020100300506032b657004220420");
    der.extend_from_slice(seed);
    der
}

/// The RFC 8032 §7.1 TEST 1 seed: the project's well-known test signing key.
pub(crate) const RFC8032_TEST1_SEED: &str =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

/// The public key of [`RFC8032_TEST1_SEED`].
pub(crate) const RFC8032_TEST1_PUBLIC: &str =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
