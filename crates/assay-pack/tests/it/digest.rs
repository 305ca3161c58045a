//! `assay-pack digest FILE...`.

use crate::cli::{SAMPLE, SAMPLE_DIGEST, run, scratch};

#[test]
fn prints_one_sha256sum_style_line_per_file() {
    let out = run(
        &["digest", SAMPLE, "-"],
        b"name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout_text(),
        format!(
            "{SAMPLE_DIGEST}  {SAMPLE}\n\
             sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070  -\n"
        )
    );
}

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

#[test]
fn goes_on_after_a_bad_file_and_exits_with_the_first_failure() {
    let dir = scratch("digest-mixed");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "a: &x 1\n").expect("write");
    let bad = bad.to_str().expect("UTF-8 path");
    let out = run(&["digest", bad, "missing.yaml", SAMPLE], b"");
    assert_eq!(out.code, 1, "the first failure is an integrity failure");
    assert_eq!(out.stdout_text(), format!("{SAMPLE_DIGEST}  {SAMPLE}\n"));
    out.assert_clean_error();
    assert!(
        out.stderr.contains("anchors (`&name`) are not allowed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("cannot read missing.yaml"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("2 of 3 inputs failed"),
        "{}",
        out.stderr
    );

    let out = run(&["digest", "missing.yaml", bad], b"");
    assert_eq!(out.code, 2, "the first failure is an unreadable input");
}
