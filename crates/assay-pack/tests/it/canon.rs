//! `assay-pack canon [--json] FILE`.

use crate::cli::{SAMPLE, run, scratch};

#[test]
fn prints_canonical_bytes_without_trailing_newline() {
    let out = run(
        &["canon", "-"],
        b"name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        br#"{"kind":"compliance","name":"eu-ai-act-baseline","version":"1.0.0"}"#
    );
    let sample = run(&["canon", SAMPLE], b"");
    assert_eq!(sample.code, 0, "{}", sample.stderr);
    assert!(!sample.stdout.ends_with(b"\n"));
    assert!(
        sample
            .stdout
            .starts_with(br#"{"author":"Assay sample packs""#)
    );
}

#[test]
fn json_mode_canonicalizes_arbitrary_json_floats_included() {
    let out = run(
        &["canon", "--json", "-"],
        br#"{"b": [1.50, 1e21, -0], "a": "\u00e9"}"#,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), r#"{"a":"é","b":[1.5,1e+21,0]}"#);
    let dup = run(&["canon", "--json", "-"], br#"{"a": 1, "a": 2}"#);
    assert_eq!(dup.code, 1);
    dup.assert_clean_error();
    assert!(
        dup.stderr.contains("duplicate member name \"a\""),
        "{}",
        dup.stderr
    );
}

#[test]
fn strict_yaml_rejection_exits_1_with_place_and_path() {
    let dir = scratch("canon-reject");
    let path = dir.join("pack.yaml");
    std::fs::write(
        &path,
        "name: p\nrules:\n  - id: r1\n    check:\n      limit: 2.5\n",
    )
    .expect("write");
    let out = run(&["canon", path.to_str().expect("UTF-8 path")], b"");
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    out.assert_clean_error();
    assert!(
        out.stderr.contains("has no canonical form"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("found `2.5` at line 5, column 14 (in rules[0].check.limit)"),
        "{}",
        out.stderr
    );
}

#[test]
fn unreadable_or_oversized_input_exits_2_or_1() {
    let missing = run(&["canon", "does/not/exist.yaml"], b"");
    assert_eq!(missing.code, 2);
    missing.assert_clean_error();
    assert!(
        missing.stderr.contains("cannot read does/not/exist.yaml"),
        "{}",
        missing.stderr
    );

    let dir = scratch("canon-size");
    let directory = run(&["canon", dir.to_str().expect("UTF-8 path")], b"");
    assert_eq!(directory.code, 2);
    directory.assert_clean_error();

    let big = dir.join("big.yaml");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(10 * 1024 * 1024 + 1).expect("sparse file");
    let out = run(&["canon", big.to_str().expect("UTF-8 path")], b"");
    assert_eq!(out.code, 1);
    out.assert_clean_error();
    assert!(
        out.stderr
            .contains("10485761 bytes, more than the limit of 10485760"),
        "{}",
        out.stderr
    );

    let piped = run(&["canon", "-"], &vec![b' '; 10 * 1024 * 1024 + 1]);
    assert_eq!(piped.code, 1);
    assert!(
        piped.stderr.contains("more than 10485760"),
        "{}",
        piped.stderr
    );
}

#[test]
fn invalid_utf8_exits_1_with_position() {
    let out = run(&["canon", "-"], b"a: ok\nb: \xff\n");
    assert_eq!(out.code, 1);
    out.assert_clean_error();
    assert!(
        out.stderr
            .contains("invalid byte sequence at line 2, column 4"),
        "{}",
        out.stderr
    );
}
