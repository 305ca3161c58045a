//! `assay-pack digest` checked against another implementation of SHA-256 (the other digest
//! checks are cases under `testdata/cli/digest-*`).

use crate::cli::{SAMPLE, SAMPLE_DIGEST, run};

#[test]
fn digest_is_the_digest_of_the_canonical_bytes() {
    let canon = run(&["canon", SAMPLE], b"");
    let from_bytes = sha256sum_hex(&canon.stdout);
    assert_eq!(format!("sha256:{from_bytes}"), SAMPLE_DIGEST);
}

/// SHA-256 computed by coreutils' `sha256sum`, so the digest is checked by code other
/// than ours.
fn sha256sum_hex(bytes: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum is part of coreutils");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(bytes)
        .expect("write");
    let out = child.wait_with_output().expect("sha256sum ran");
    String::from_utf8(out.stdout).expect("hex")[..64].to_owned()
}
