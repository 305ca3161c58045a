//! Each rule of the strict profile, with the exact rule, position and key path reported,
//! and the look-alikes a line-based pre-scan would wrongly reject.

use registry_canon::{
    CanonicalPack, CanonicalizeError, FloatPolicy, MAX_DEPTH, MAX_KEYS_PER_MAPPING,
    MAX_STRING_LENGTH, MAX_TOTAL_SIZE, Rule, StrictOptions, compute_canonical_digest,
    compute_canonical_digest_result,
};

fn reject(yaml: &str) -> CanonicalizeError {
    compute_canonical_digest(yaml).expect_err(yaml)
}

fn canonical(yaml: &str) -> String {
    let pack = compute_canonical_digest_result(yaml).unwrap_or_else(|e| panic!("{yaml:?}: {e}"));
    String::from_utf8(pack.into_bytes()).expect("UTF-8")
}

/// Asserts the rule, the 1-based line and column, and the key path of a rejection.
fn assert_rejected(yaml: &str, rule: Rule, line: usize, column: usize, path: &str) {
    let error = reject(yaml);
    assert_eq!(error.rule(), rule, "{yaml:?}: {error}");
    let position = error.position().expect("position");
    assert_eq!(
        (position.line, position.column),
        (line, column),
        "{yaml:?}: {error}"
    );
    let actual = error.path().map(ToString::to_string).unwrap_or_default();
    assert_eq!(actual, path, "{yaml:?}: {error}");
}

#[test]
fn rejections_name_rule_line_column_and_path() {
    // (input, rule, line, column, key path; "" for rules that apply to no node)
    let cases: &[(&str, Rule, usize, usize, &str)] = &[
        // An anchored or tagged node is reported where its content starts.
        ("a: 1\nb: &x 2\n", Rule::Anchor, 2, 7, "b"),
        ("a: 1\nb: *x\n", Rule::Alias, 2, 4, "b"),
        ("rules:\n  - !!str x\n", Rule::Tag, 2, 11, "rules[0]"),
        ("a: 1\n---\nb: 2\n", Rule::DocumentMarker, 2, 1, ""),
        ("a: 1\n...\n", Rule::DocumentMarker, 2, 1, ""),
        ("%YAML 1.2\n---\na: 1\n", Rule::Directive, 1, 1, ""),
        ("a:\n  <<: {b: 1}\n", Rule::MergeKey, 2, 3, "a"),
        (
            "rules:\n  - id: r\n    check:\n      type: a\n      type: b\n",
            Rule::DuplicateKey,
            5,
            7,
            "rules[0].check.type",
        ),
        ("a: {x: 1, \"x\": 2}\n", Rule::DuplicateKey, 1, 11, "a.x"),
        ("1: a\n", Rule::NonStringKey, 1, 1, "the document root"),
        ("x:\n  true: a\n", Rule::NonStringKey, 2, 3, "x"),
        ("null: a\n", Rule::NonStringKey, 1, 1, "the document root"),
        (
            "? [a]\n: b\n",
            Rule::NonStringKey,
            1,
            3,
            "the document root",
        ),
        ("a:\n  - w: 1.5\n", Rule::Float, 2, 8, "a[0].w"),
        ("a: 9007199254740993\n", Rule::IntegerRange, 1, 4, "a"),
    ];
    for &(yaml, rule, line, column, path) in cases {
        assert_rejected(yaml, rule, line, column, path);
    }
}

#[test]
fn duplicate_key_message_names_both_places() {
    let error = reject("name: a\nversion: \"1\"\n\"name\": b\n");
    assert_eq!(
        error.to_string(),
        "duplicate key \"name\" at line 3, column 1 (in name); it first appears at line 1, column 1"
    );
}

#[test]
fn positions_are_character_and_byte_correct_after_multibyte_text() {
    // 'é' is two bytes; the float starts at character 9, byte 10, of line 2.
    let error = reject("t: é\nbeschrijving: x\nvé: 1.5\n");
    let position = error.position().expect("position");
    assert_eq!((position.line, position.column), (3, 5));
    assert_eq!(position.offset, "t: é\nbeschrijving: x\nvé: ".len());
    // A BOM is skipped but counted in the byte offset.
    let error = CanonicalPack::from_yaml("\u{FEFF}a: 1.5".as_bytes(), &StrictOptions::default())
        .expect_err("float");
    let position = error.position().expect("position");
    assert_eq!((position.line, position.column, position.offset), (1, 4, 6));
}

#[test]
fn look_alikes_of_forbidden_constructs_are_ordinary_text() {
    assert_eq!(canonical("a: b*c\n"), r#"{"a":"b*c"}"#);
    assert_eq!(canonical("x: a&b\n"), r#"{"x":"a&b"}"#);
    assert_eq!(canonical("d: \"---\"\n"), r#"{"d":"---"}"#);
    assert_eq!(
        canonical("t: |\n  ---\n  &x *y !!str\n  ...\n"),
        r#"{"t":"---\n&x *y !!str\n...\n"}"#
    );
    assert_eq!(
        canonical("q: 'a # not a comment'  # a comment\n"),
        r#"{"q":"a # not a comment"}"#
    );
    assert_eq!(canonical("k: \"<<\"\n\"<<\": 1\n"), r#"{"<<":1,"k":"<<"}"#);
    assert_eq!(canonical("u: a---b\n"), r#"{"u":"a---b"}"#);
    assert_eq!(canonical("p: 100%\n"), r#"{"p":"100%"}"#);
}

#[test]
fn empty_and_comment_only_streams_are_null() {
    assert_eq!(canonical(""), "null");
    assert_eq!(canonical("# only a comment\n\n"), "null");
    assert_eq!(canonical("\u{FEFF}"), "null");
}

#[test]
fn bom_is_ignored() {
    assert_eq!(canonical("\u{FEFF}a: 1\n"), canonical("a: 1\n"));
}

#[test]
fn depth_limit_is_exact() {
    let nested = |depth: usize| {
        let mut yaml = String::new();
        for level in 0..depth {
            yaml.push_str(&"  ".repeat(level));
            yaml.push_str("k:\n");
        }
        yaml.push_str(&"  ".repeat(depth));
        yaml.push_str("v: 1\n");
        yaml
    };
    // `depth` keys above the leaf mapping make depth + 1 mappings.
    compute_canonical_digest(&nested(MAX_DEPTH - 1)).expect("50 levels are allowed");
    let error = reject(&nested(MAX_DEPTH));
    assert_eq!(error.rule(), Rule::Depth);
    assert_eq!(error.position().map(|p| p.line), Some(MAX_DEPTH + 1));
}

#[test]
fn hostile_nesting_is_rejected_without_overflowing_the_stack() {
    let block = "- ".repeat(100_000) + "x\n";
    assert_eq!(reject(&block).rule(), Rule::Depth);
    let mut indented = String::new();
    for level in 0..100_000 {
        indented.push_str(&" ".repeat(level % 64));
        indented.push_str("-\n");
    }
    assert_eq!(reject(&indented).rule(), Rule::Depth);
    let flow = "[".repeat(100_000);
    let error = reject(&flow);
    // yaml-rust2 scans flow tokens ahead of the events and stops at its own recursion
    // limit before the 51st level reaches the emitter: a syntax error, never a stack
    // overflow.
    assert_eq!(error.rule(), Rule::Syntax, "{error}");
    assert!(error.to_string().contains("recursion limit"), "{error}");
}

#[test]
fn key_count_limit_is_exact() {
    let mapping = |keys: usize| {
        (0..keys)
            .map(|i| format!("k{i}: {i}\n"))
            .collect::<String>()
    };
    compute_canonical_digest(&mapping(MAX_KEYS_PER_MAPPING)).expect("10,000 keys are allowed");
    let error = reject(&mapping(MAX_KEYS_PER_MAPPING + 1));
    assert_eq!(error.rule(), Rule::KeyCount);
    assert_eq!(
        error.position().map(|p| p.line),
        Some(MAX_KEYS_PER_MAPPING + 1)
    );
}

#[test]
fn string_length_limit_is_exact_for_values_and_keys() {
    let long = "x".repeat(MAX_STRING_LENGTH);
    compute_canonical_digest(&format!("a: {long}\n")).expect("1 MiB string is allowed");
    let error = reject(&format!("a: {long}y\n"));
    assert_eq!(error.rule(), Rule::StringLength);
    let error = reject(&format!("\"{long}y\": 1\n"));
    assert_eq!(error.rule(), Rule::StringLength);
}

#[test]
fn input_size_limit_counts_bytes() {
    let at_limit = format!("a: {}", "x".repeat(MAX_TOTAL_SIZE - 3));
    assert_eq!(at_limit.len(), MAX_TOTAL_SIZE);
    // Exactly 10 MiB passes the size rule (and then fails the string rule).
    assert_eq!(reject(&at_limit).rule(), Rule::StringLength);
    let error = reject(&format!("{at_limit}x"));
    assert_eq!(error.rule(), Rule::InputSize);
    assert_eq!(
        error.to_string(),
        format!(
            "input is {} bytes, more than the limit of {MAX_TOTAL_SIZE} bytes",
            MAX_TOTAL_SIZE + 1
        )
    );
}

#[test]
fn float_policy_accepts_only_round_tripping_finite_floats() {
    let options = StrictOptions::default().with_floats(FloatPolicy::AcceptRoundTripping);
    let accept = |yaml: &str| {
        let pack = CanonicalPack::from_yaml(yaml.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("{yaml}: {e}"));
        String::from_utf8(pack.into_bytes()).expect("UTF-8")
    };
    assert_eq!(
        accept("a: 1.5\nb: 1e21\nc: -0.0\nd: .25\ne: 1.0"),
        r#"{"a":1.5,"b":1e+21,"c":0,"d":0.25,"e":1}"#
    );
    for yaml in [
        "a: .inf",
        "a: -.Inf",
        "a: .nan",
        "a: 0.30000000000000001",
        "a: 1e400",
        "a: 1e-400",
    ] {
        let error = CanonicalPack::from_yaml(yaml.as_bytes(), &options).expect_err(yaml);
        assert_eq!(error.rule(), Rule::Float, "{yaml}");
        assert!(
            matches!(error, CanonicalizeError::FloatNotRepresentable { .. }),
            "{yaml}: {error}"
        );
    }
    // The default policy rejects every float, finite or not.
    assert!(matches!(
        reject("a: 0.5"),
        CanonicalizeError::FloatNotAllowed { .. }
    ));
}

#[test]
fn invalid_utf8_is_located() {
    let error = CanonicalPack::from_yaml(b"name: ok\nbad: \xff\xfe\n", &StrictOptions::default())
        .expect_err("invalid UTF-8");
    assert_eq!(error.rule(), Rule::Utf8);
    let position = error.position().expect("position");
    assert_eq!(
        (position.line, position.column, position.offset),
        (2, 6, 14)
    );
}

#[test]
fn syntax_errors_are_located() {
    let error = reject("a: [1, 2\nb: 3\n");
    assert_eq!(error.rule(), Rule::Syntax);
    assert!(error.position().is_some());
    assert!(
        error.to_string().starts_with("invalid YAML at line "),
        "{error}"
    );
}

#[test]
fn document_end_marker_before_any_document_is_rejected() {
    // yaml-rust2 skips these markers without an event (found by the yaml-test-suite run:
    // HWV9, QT73).
    for (yaml, line) in [
        ("...\n", 1),
        ("# c\n...\n", 2),
        ("...\na: 1\n", 1),
        ("... # c\nk: v\n", 1),
        ("\u{FEFF}...\nk: v\n", 1),
        ("# c\n...\n# d\n...\nx: 1\n", 2),
    ] {
        let error = reject(yaml);
        assert_eq!(error.rule(), Rule::DocumentMarker, "{yaml:?}: {error}");
        assert_eq!(error.position().map(|p| p.line), Some(line), "{yaml:?}");
    }
    // Text that only starts like a marker is content.
    assert_eq!(canonical("....: x\n"), r#"{"....":"x"}"#);
    assert_eq!(canonical("k: |\n  ...\n"), r#"{"k":"...\n"}"#);
}
