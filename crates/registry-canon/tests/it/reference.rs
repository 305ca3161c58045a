//! Interop with the deployed reference implementation: its strict-YAML cases, its plain
//! scalar table, and the golden digest.

use registry_canon::{
    CanonicalizeError, MAX_TOTAL_SIZE, Rule, compute_canonical_digest,
    compute_canonical_digest_result,
};
use serde_json::Value as Json;

use crate::testdata::json;

/// The rule we report for a reference error name. `None` means the reference only says "some
/// error" and the test names our rule per case below.
fn rule_for_reference_error(name: &str) -> Option<Rule> {
    Some(match name {
        "AnchorFound" => Rule::Anchor,
        "AliasFound" => Rule::Alias,
        "TagFound" => Rule::Tag,
        // The reference calls any `---` "multi-document"; we name the marker.
        "MultiDocumentFound" => Rule::DocumentMarker,
        "FloatNotAllowed" => Rule::Float,
        "IntegerOutOfRange" => Rule::IntegerRange,
        "InputTooLarge" => Rule::InputSize,
        "NestingTooDeep" => Rule::Depth,
        name if name.starts_with("DuplicateKey") => Rule::DuplicateKey,
        _ => return None,
    })
}

/// Our rule for the cases whose reference error is unspecific.
fn rule_for_case(test: &str) -> Option<Rule> {
    Some(match test {
        t if t.contains("merge_key") => Rule::MergeKey,
        t if t.contains("complex_key") => Rule::NonStringKey,
        t if t.contains("duplicate") => Rule::DuplicateKey,
        t if t.contains("deep_nesting") => Rule::Depth,
        _ => return None,
    })
}

fn case_input(case: &Json) -> String {
    let yaml = case["yaml"].as_str().expect("yaml is a string");
    if case["upstream_test"]
        .as_str()
        .is_some_and(|t| t.contains("input_too_large"))
    {
        return "x".repeat(MAX_TOTAL_SIZE + 1);
    }
    yaml.to_owned()
}

#[test]
fn strict_yaml_cases_accept_and_reject_as_the_reference_does() {
    let vectors = json("assay-reference/strict-yaml-cases.json");
    let cases = vectors["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 62);
    let (mut accepted, mut rejected) = (0, 0);
    for case in cases {
        let test = case["upstream_test"].as_str().expect("upstream_test");
        let input = case_input(case);
        match case["expected"].as_str() {
            Some("accept") => {
                let canonical = compute_canonical_digest_result(&input)
                    .unwrap_or_else(|e| panic!("{test}: rejected: {e}"));
                assert_eq!(
                    std::str::from_utf8(canonical.bytes()).expect("UTF-8"),
                    case["computed_jcs"].as_str().expect("computed_jcs"),
                    "{test}"
                );
                assert_eq!(
                    canonical.digest().to_string(),
                    case["computed_digest"].as_str().expect("computed_digest"),
                    "{test}"
                );
                if let Some(digest) = case["upstream_asserted"]["digest"].as_str() {
                    assert_eq!(canonical.digest().to_string(), digest, "{test}");
                }
                if let Some(jcs) = case["upstream_asserted"]["jcs"].as_str() {
                    assert_eq!(canonical.bytes(), jcs.as_bytes(), "{test}");
                }
                accepted += 1;
            }
            Some("reject") => {
                let error: CanonicalizeError = compute_canonical_digest(&input)
                    .expect_err(&format!("{test}: accepted, the reference rejects it"));
                let reference = case["reference_error"].as_str().unwrap_or_default();
                let expected = rule_for_case(test)
                    .or_else(|| rule_for_reference_error(reference))
                    .unwrap_or_else(|| panic!("{test}: no expected rule for {reference}"));
                assert_eq!(error.rule(), expected, "{test}: {error}");
                rejected += 1;
            }
            other => panic!("{test}: unknown expectation {other:?}"),
        }
    }
    assert_eq!((accepted, rejected), (37, 25));
}

#[test]
fn plain_scalars_resolve_as_the_reference_table_says() {
    let table = json("assay-reference/plain-scalars.json");
    let cases = table["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 86);
    for case in cases {
        let scalar = case["plain_scalar"].as_str().expect("plain_scalar");
        let yaml = format!("v: {scalar}");
        match case["result"].as_str() {
            Some("accept") => {
                let canonical = compute_canonical_digest_result(&yaml)
                    .unwrap_or_else(|e| panic!("{scalar:?}: rejected: {e}"));
                assert_eq!(
                    std::str::from_utf8(canonical.bytes()).expect("UTF-8"),
                    case["canonical"].as_str().expect("canonical"),
                    "{scalar:?}"
                );
            }
            Some("reject") => {
                let error = compute_canonical_digest(&yaml)
                    .expect_err(&format!("{scalar:?}: accepted, the reference rejects it"));
                let reference = case["reference_error"].as_str().unwrap_or_default();
                // "ParseError" cases: the reference's YAML layer fails (`-` is a sequence
                // indicator; 2^64 overflows its integer types). We report a syntax error for
                // the first and an out-of-range integer for the others.
                let expected = match (reference, scalar) {
                    ("ParseError", "-") => Rule::Syntax,
                    ("ParseError", _) => Rule::IntegerRange,
                    (name, _) => rule_for_reference_error(name)
                        .unwrap_or_else(|| panic!("{scalar:?}: unknown error {name}")),
                };
                assert_eq!(error.rule(), expected, "{scalar:?}: {error}");
            }
            other => panic!("{scalar:?}: unknown result {other:?}"),
        }
    }
}

#[test]
fn golden_digest_is_reproduced() {
    let digest =
        compute_canonical_digest("name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance")
            .expect("golden pack");
    assert_eq!(
        digest.to_string(),
        "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070"
    );
}
