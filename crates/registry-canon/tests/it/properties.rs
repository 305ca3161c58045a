//! Property tests of the canonical form: YAML written in any style canonicalizes to the JCS
//! of the value it denotes, member order never changes the digest, arbitrary input never
//! panics and yields well-formed results, and hostile nesting ends in the depth error.
//!
//! Property 1 generates a JSON-like [`Model`] and writes it as YAML with a test-local emitter
//! that picks, per node, among block and flow collections (compact or not, any indentation,
//! explicit `?` keys, comments, tabs as separators, CRLF, a BOM) and for strings among plain,
//! single-quoted, double-quoted (every escape), literal and folded styles, single- or
//! multi-line, each only where it is sure the text round-trips. The expected JCS comes from
//! the model through serde JSON and [`Value::from_json_str`], cross-checked against a tiny
//! JCS writer in this file. When to write a string plain is decided by a resolution oracle
//! written from PROTOCOL §3 and checked against the reference table.
//!
//! A node's style choices come from `seeds[id % len]`, where `id` is its place in the model
//! (not where the emitter writes it), so reordering members keeps every style; shrinking a
//! seed to 0 gives the default style (block, plain when safe, decimal). Failures print the
//! YAML text.
//!
//! The emitter steers clear of four spots where yaml-rust2 rejects valid YAML (it never
//! returns a wrong value there): a flow plain scalar ending in ` -` right before `,]}`
//! (`[a -]`), a tab right after `:` before a plain scalar (`a:\tb`), any tab after `?`
//! (`? \tb`), and a collection as the value of a single-pair mapping in a flow sequence
//! (`[a: [1]]`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use registry_canon::{
    CanonicalPack, CanonicalizeError, KeyPath, MAX_DEPTH, MAX_SAFE_INTEGER, MAX_TOTAL_SIZE,
    MIN_SAFE_INTEGER, PathSegment, Position, Rule, StrictOptions, Value, compute_canonical_digest,
    digest_of_canonical_bytes, parse_yaml_strict, to_canonical_jcs_bytes,
};

use crate::testdata::json;

mod model;
mod robustness;
mod yaml_writer;

use model::*;
use yaml_writer::*;
// Named, so that it wins over the `Rng` of proptest's prelude.
use yaml_writer::Rng;

// ---------------------------------------------------------------------------------------
// Strategies.
// ---------------------------------------------------------------------------------------

/// Strings a YAML writer must be careful with.
#[rustfmt::skip]
const TRICKY: &[&str] = &[
    // Null, booleans and their look-alikes.
    "", " ", "  ", "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False",
    "FALSE", "tRue", "nUll", "yes", "no", "on", "off", "y", "n", "Yes",
    // Numbers and their look-alikes (the reference table's cases).
    "0", "-0", "+0", "00", "017", "08", "1_000", "0x1F", "0X1F", "0x", "0o17", "0o8", "0b101",
    "0b", "+5", "-5", "+-5", "9007199254740993", "1e3", "1.0", ".5", "5.", "0.", ".inf",
    "-.inf", ".nan", "nan", "inf", "2001-12-14", "12:30:45", "1:20", "=", "+", "-", "1,000",
    "\u{661}\u{662}",
    // Indicators, markers, comments.
    "---", "...", "- x", "-x", "? x", "?x", ": x", "a: b", "a:b", "a #b", "a#b", "#x", "# x",
    "&a", "*a", "!x", "!!str", "!<t>", "%YAML 1.2", "@x", "`x", "|", "|-", ">", "'", "''",
    "\"", "\\", "<<", "a, b", "[a]", "{a: 1}", "x: [", "k: {",
    // White space, line breaks, control and special characters.
    " lead", "trail ", "a b  c", "\n", "\n\n", "a\nb", "a\n", "a\n\n", " a\nb", "a\n  b\n",
    "\n a", "\ta", "a\tb", "\r\n", "\u{0}", "\u{7f}", "\u{85}", "\u{a0}", "\u{2028}",
    "\u{feff}", "\u{1F600}", "\u{E000}", "é",
];

/// Characters that make YAML parsers work.
const ALPHABET: &str = "-:?&*!|>'\"#%@`{}[],  \n\tab01x.~\\+é\u{1F600}\u{7}\r\u{85}";

fn alphabet() -> Vec<char> {
    ALPHABET.chars().collect()
}

/// What separates the words of prose: mostly a space, sometimes one or two line feeds.
const GAPS: &[&str] = &[" ", " ", "\n", "\n\n"];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(TRICKY).prop_map(str::to_owned),
        3 => prop::collection::vec(prop::sample::select(alphabet()), 0..10)
            .prop_map(|chars| chars.into_iter().collect()),
        2 => prop::collection::vec(any::<char>(), 0..8)
            .prop_map(|chars| chars.into_iter().collect()),
        2 => "[a-z0-9]{1,6}( [a-z#:.-]{1,6}){0,3}",
        2 => (prop::collection::vec("[ a-z#:'-]{0,6}", 1..4), 0..3usize)
            .prop_map(|(lines, breaks)| lines.join("\n") + &"\n".repeat(breaks)),
        // Prose: words separated by one space or line feeds, which every multi-line style
        // can write.
        2 => prop::collection::vec(("[a-z0-9]{1,5}", prop::sample::select(GAPS)), 1..6)
            .prop_map(|words| {
                let text: String = words.iter().map(|(word, gap)| format!("{word}{gap}")).collect();
                text.trim_end_matches(' ').to_owned()
            }),
    ]
}

fn integer() -> impl Strategy<Value = i64> {
    prop_oneof![
        -300i64..300,
        MIN_SAFE_INTEGER..=MAX_SAFE_INTEGER,
        prop::sample::select(vec![
            0,
            MAX_SAFE_INTEGER,
            MIN_SAFE_INTEGER,
            MAX_SAFE_INTEGER - 1,
            i64::from(u32::MAX),
        ]),
    ]
}

fn leaf() -> impl Strategy<Value = Model> {
    prop_oneof![
        1 => Just(Model::Null),
        1 => any::<bool>().prop_map(Model::Bool),
        2 => integer().prop_map(Model::Int),
        5 => text().prop_map(Model::Str),
    ]
}

fn model() -> impl Strategy<Value = Model> {
    leaf().prop_recursive(6, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Model::Seq),
            prop::collection::btree_map(text(), inner, 0..5).prop_map(Model::Map),
        ]
    })
}

fn seeds() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 0..32)
}

// ---------------------------------------------------------------------------------------
// Property 1: every style reads back as the value it was written from.
// ---------------------------------------------------------------------------------------

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// Parses `yaml` and checks its JCS against the model's, both ways of computing it.
fn assert_canonical(yaml: &str, model: &Model) -> Result<Vec<u8>, TestCaseError> {
    let expected_value = model.to_value();
    let expected = to_canonical_jcs_bytes(&expected_value);
    let mut independent = String::new();
    independent_jcs(model, &mut independent);
    prop_assert_eq!(
        String::from_utf8_lossy(&expected),
        independent.as_str(),
        "the JCS writer disagrees with the independent one"
    );
    let parsed = parse_yaml_strict(yaml).map_err(|e| fail(format!("rejected {yaml:?}: {e}")))?;
    let actual = to_canonical_jcs_bytes(&parsed);
    prop_assert_eq!(
        String::from_utf8_lossy(&actual),
        independent.as_str(),
        "YAML: {:?}",
        yaml
    );
    prop_assert_eq!(&parsed, &expected_value, "YAML: {:?}", yaml);
    Ok(actual)
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn yaml_in_any_style_canonicalizes_to_the_jcs_of_its_value(
        model in model(),
        seeds in seeds(),
        order_seed in any::<u64>(),
    ) {
        let yaml = Emitter { seeds: &seeds, order_seed, reversed: false }.document(&model);
        assert_canonical(&yaml, &model)?;
    }
}

// ---------------------------------------------------------------------------------------
// Property 2: key order never changes the digest.
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn member_order_never_changes_the_digest(
        map in prop::collection::btree_map(text(), model(), 2..6),
        seeds in seeds(),
        order_seed in any::<u64>(),
    ) {
        let model = Model::Map(map);
        let forward = Emitter { seeds: &seeds, order_seed, reversed: false }.document(&model);
        let backward = Emitter { seeds: &seeds, order_seed, reversed: true }.document(&model);
        prop_assert_ne!(&forward, &backward);
        let expected = digest_of_canonical_bytes(&assert_canonical(&forward, &model)?);
        let digest = |yaml: &str| {
            compute_canonical_digest(yaml).map_err(|e| fail(format!("rejected {yaml:?}: {e}")))
        };
        prop_assert_eq!(digest(&forward)?, expected, "YAML: {:?}", forward);
        prop_assert_eq!(digest(&backward)?, expected, "YAML: {:?}", backward);
    }
}

// ---------------------------------------------------------------------------------------
// Properties 2b–2d (beyond the list, cheap): the rules hold in every spelling.
// ---------------------------------------------------------------------------------------

/// Where the mapping with the duplicate sits: at the root or under `outer`, block or flow.
#[derive(Clone, Copy, Debug)]
enum Layout {
    Block,
    NestedBlock,
    Flow,
    NestedFlow,
}

fn layout() -> impl Strategy<Value = Layout> {
    prop::sample::select(vec![
        Layout::Block,
        Layout::NestedBlock,
        Layout::Flow,
        Layout::NestedFlow,
    ])
}

/// A mapping whose members are `keys[i]: i`, with the key spellings given, in a layout.
fn mapping_text(spellings: &[String], layout: Layout) -> String {
    let members = spellings
        .iter()
        .enumerate()
        .map(|(i, key)| format!("{key}: {i}"));
    match layout {
        Layout::Block => members.map(|m| m + "\n").collect(),
        Layout::NestedBlock => {
            "outer:\n".to_owned() + &members.map(|m| format!("  {m}\n")).collect::<String>()
        }
        Layout::Flow => format!("{{{}}}\n", members.collect::<Vec<_>>().join(", ")),
        Layout::NestedFlow => format!("outer: {{{}}}\n", members.collect::<Vec<_>>().join(", ")),
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// The same key written twice, each time in a random style (plain, single- or
    /// double-quoted with random escapes), is a duplicate: scalars are compared after
    /// resolution. The error names the key, its path, and both places.
    #[test]
    fn a_key_spelled_twice_in_any_style_is_a_duplicate(
        keys in prop::collection::btree_set(text(), 1..5),
        duplicate in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        seeds in prop::collection::vec(1..u32::MAX, 2),
        layout in layout(),
    ) {
        let keys: Vec<String> = keys.into_iter().collect();
        let in_flow = matches!(layout, Layout::Flow | Layout::NestedFlow);
        let mut first_rng = Rng::new(u64::from(seeds[0]), 7);
        let mut second_rng = Rng::new(u64::from(seeds[1]), 11);
        let mut spellings: Vec<String> = keys
            .iter()
            .map(|key| scalar_text(key, in_flow, true, None, &mut first_rng))
            .collect();
        let first = duplicate.index(keys.len());
        let key = &keys[first];
        // The second spelling goes anywhere after the first.
        let second = first + 1 + at.index(keys.len() - first);
        spellings.insert(second, scalar_text(key, in_flow, true, None, &mut second_rng));
        let yaml = mapping_text(&spellings, layout);

        let error = match parse_yaml_strict(&yaml) {
            Ok(_) => return Err(fail(format!("accepted {yaml:?}"))),
            Err(error) => error,
        };
        prop_assert_eq!(error.rule(), Rule::DuplicateKey, "{}\nYAML: {:?}", error, yaml);
        let mut expected_path = Vec::new();
        if matches!(layout, Layout::NestedBlock | Layout::NestedFlow) {
            expected_path.push(PathSegment::Key("outer".to_owned()));
        }
        expected_path.push(PathSegment::Key(key.clone()));
        prop_assert_eq!(error.path().map(KeyPath::segments), Some(expected_path.as_slice()));
        if let CanonicalizeError::DuplicateKey { key: reported, at, first: first_position, .. } = &error {
            prop_assert_eq!(reported, key);
            if matches!(layout, Layout::Block | Layout::NestedBlock) {
                let header = usize::from(matches!(layout, Layout::NestedBlock));
                prop_assert_eq!(at.position.line, second + 1 + header, "{}", error);
                prop_assert_eq!(first_position.line, first + 1 + header, "{}", error);
            } else {
                prop_assert!(first_position.offset < at.position.offset, "{}", error);
            }
        } else {
            prop_assert!(false, "not a DuplicateKey error: {:?}", error);
        }
    }

    /// A plain key that resolves to null, a boolean, an integer (in any notation, in range
    /// or not) or a float is not a string key; a plain `<<` is a merge key. Quoted, each is
    /// an ordinary string key.
    #[test]
    fn plain_keys_that_are_not_strings_are_rejected(
        key in prop_oneof![
            prop::sample::select(vec!["~", "null", "Null", "NULL", "true", "True", "TRUE",
                "false", "False", "FALSE", "<<", ".inf", "-.Inf", ".NaN", "1.5", "1e3", "0."])
                .prop_map(str::to_owned),
            (any::<bool>(), any::<u64>(), 1..u32::MAX)
                .prop_map(|(negative, magnitude, seed)| {
                    int_text_of(negative, magnitude, &mut Rng::new(u64::from(seed), 3))
                }),
            "[-+]?([0-9]{1,4}\\.[0-9]{0,3}|\\.[0-9]{1,3})([eE][-+]?[0-9]{1,2})?",
        ],
        layout in layout(),
        seed in 1..u32::MAX,
    ) {
        let yaml = mapping_text(&["ok".to_owned(), key.clone()], layout);
        let error = match parse_yaml_strict(&yaml) {
            Ok(_) => return Err(fail(format!("accepted {yaml:?}"))),
            Err(error) => error,
        };
        let expected = if key == "<<" { Rule::MergeKey } else { Rule::NonStringKey };
        prop_assert_eq!(error.rule(), expected, "{}\nYAML: {:?}", error, yaml);
        let mut rng = Rng::new(u64::from(seed), 5);
        let quoted = if rng.one_in(2) {
            single_quoted(&key, None, &mut rng)
        } else {
            double_quoted(&key, None, &mut rng)
        };
        let yaml = mapping_text(&["ok".to_owned(), quoted], layout);
        let value = parse_yaml_strict(&yaml).map_err(|e| fail(format!("rejected {yaml:?}: {e}")))?;
        let members = match (&value, layout) {
            (Value::Object(map), Layout::Block | Layout::Flow) => Some(map),
            (Value::Object(outer), _) => match outer.get("outer") {
                Some(Value::Object(map)) => Some(map),
                _ => None,
            },
            _ => None,
        };
        prop_assert!(members.is_some_and(|map| map.get(&key).is_some()), "{:?}", value);
    }

    /// Integers beyond ±2^53 are rejected in every notation; floats are rejected by default.
    #[test]
    fn out_of_range_integers_and_floats_are_rejected_in_every_notation(
        negative in any::<bool>(),
        magnitude in prop_oneof![
            (MAX_SAFE_INTEGER.unsigned_abs() + 1)..=(MAX_SAFE_INTEGER.unsigned_abs() + 3),
            (MAX_SAFE_INTEGER.unsigned_abs() + 1)..=u64::MAX,
        ],
        float in "[-+]?([0-9]{1,4}\\.[0-9]{0,3}|\\.[0-9]{1,3})([eE][-+]?[0-9]{1,2})?|[-+]?[0-9]{1,3}[eE][-+]?[0-9]{1,2}|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)",
        seed in 1..u32::MAX,
        in_flow in any::<bool>(),
    ) {
        let mut rng = Rng::new(u64::from(seed), 9);
        let integer = int_text_of(negative, magnitude, &mut rng);
        for (text, rule) in [(integer, Rule::IntegerRange), (float, Rule::Float)] {
            let yaml = if in_flow { format!("v: [{text}]\n") } else { format!("v:\n  - {text}\n") };
            let error = match parse_yaml_strict(&yaml) {
                Ok(_) => return Err(fail(format!("accepted {yaml:?}"))),
                Err(error) => error,
            };
            prop_assert_eq!(error.rule(), rule, "{}\nYAML: {:?}", error, yaml);
            prop_assert_eq!(
                error.path().map(ToString::to_string),
                Some("v[0]".to_owned()),
                "{}",
                error
            );
        }
        // At the bounds, in any notation, integers are accepted.
        let bound = int_text_of(negative, MAX_SAFE_INTEGER.unsigned_abs(), &mut rng);
        let value = parse_yaml_strict(&format!("v: {bound}\n"))
            .map_err(|e| fail(format!("rejected {bound}: {e}")))?;
        let expected = if negative { "{\"v\":-9007199254740992}" } else { "{\"v\":9007199254740992}" };
        let actual = to_canonical_jcs_bytes(&value);
        prop_assert_eq!(String::from_utf8_lossy(&actual), expected);
    }
}
