//! RFC 8785 vectors: the cyberphone input/output pairs and 10,000 ES6 number lines.

use registry_canon::{Number, Value, to_canonical_jcs_bytes};

use crate::testdata::{read, vectors};

#[test]
fn every_rfc8785_input_gives_its_output_byte_for_byte() {
    let mut names: Vec<_> = std::fs::read_dir(vectors("jcs-rfc8785/input"))
        .expect("input directory")
        .map(|entry| entry.expect("directory entry").file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "expected the six upstream cases");
    for name in names {
        let name = name.to_string_lossy();
        let input = read(&format!("jcs-rfc8785/input/{name}"));
        let expected = read(&format!("jcs-rfc8785/output/{name}"));
        let value = Value::from_json_slice(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let actual = to_canonical_jcs_bytes(&value);
        assert_eq!(
            String::from_utf8_lossy(&actual),
            String::from_utf8_lossy(&expected),
            "case {name}"
        );
        assert_eq!(actual, expected, "case {name}");
    }
}

#[test]
fn es6_number_serialisation_matches_all_10000_lines() {
    let text = String::from_utf8(read("jcs-rfc8785/es6-numbers-10000.txt")).expect("UTF-8");
    let mut checked = 0;
    for (index, line) in text.lines().enumerate() {
        let (hex, expected) = line.split_once(',').expect("hex,expected");
        let bits = u64::from_str_radix(hex, 16).expect("hex bits");
        let value = f64::from_bits(bits);
        let Some(number) = Number::from_f64(value) else {
            // The upstream file has no non-finite values; a NaN here would be a bad vector.
            panic!("line {}: non-finite value {hex}", index + 1);
        };
        let actual = to_canonical_jcs_bytes(&Value::Number(number));
        assert_eq!(
            std::str::from_utf8(&actual).expect("ASCII"),
            expected,
            "line {} ({hex})",
            index + 1
        );
        checked += 1;
    }
    assert_eq!(checked, 10_000);
}

#[test]
fn json_input_rejects_what_i_json_forbids() {
    for (input, needle) in [
        (r#"{"a":1,"a":2}"#, "duplicate member name"),
        ("[1e400]", "number out of range"),
        ("[NaN]", "expected value"),
        (r#"["\udead"]"#, "surrogate"),
        ("{\"a\":1", "EOF"),
    ] {
        let error = Value::from_json_str(input).expect_err(input);
        let chain: Vec<String> = snafu::ErrorCompat::iter_chain(&error)
            .map(ToString::to_string)
            .collect();
        assert!(
            chain.iter().any(|message| message.contains(needle)),
            "{input}: {chain:?}"
        );
    }
}
