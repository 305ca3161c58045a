//! The JSON-like model the property tests generate, an independent RFC 8785 writer for it,
//! and the plain-scalar resolution oracle written from PROTOCOL §3.

use super::*;

/// Test configuration: `cases` unless `PROPTEST_CASES` asks for more (or fewer).
pub(super) fn config(cases: u32) -> ProptestConfig {
    let base = ProptestConfig::default();
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        base.cases
    } else {
        cases
    };
    ProptestConfig { cases, ..base }
}

// ---------------------------------------------------------------------------------------
// The model and its expected canonical forms.
// ---------------------------------------------------------------------------------------

/// A JSON value the strict profile accepts: integers within ±2^53, unique string keys.
#[derive(Clone, Debug)]
pub(super) enum Model {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Model>),
    Map(BTreeMap<String, Model>),
}

impl Model {
    /// Number of nodes (collections and scalars; keys belong to their value's node).
    pub(super) fn size(&self) -> usize {
        match self {
            Model::Seq(items) => 1 + items.iter().map(Model::size).sum::<usize>(),
            Model::Map(map) => 1 + map.values().map(Model::size).sum::<usize>(),
            _ => 1,
        }
    }

    /// The node ids of the children, in model order: a pre-order numbering of the model
    /// that does not depend on the order the emitter writes members in.
    pub(super) fn child_ids(&self, id: usize) -> Vec<usize> {
        let sizes: Vec<usize> = match self {
            Model::Seq(items) => items.iter().map(Model::size).collect(),
            Model::Map(map) => map.values().map(Model::size).collect(),
            _ => Vec::new(),
        };
        let mut next = id + 1;
        sizes
            .into_iter()
            .map(|size| {
                let child = next;
                next += size;
                child
            })
            .collect()
    }

    pub(super) fn to_json(&self) -> serde_json::Value {
        match self {
            Model::Null => serde_json::Value::Null,
            Model::Bool(b) => serde_json::Value::Bool(*b),
            Model::Int(i) => serde_json::Value::from(*i),
            Model::Str(s) => serde_json::Value::String(s.clone()),
            Model::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Model::to_json).collect())
            }
            Model::Map(map) => serde_json::Value::Object(
                map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
            ),
        }
    }

    /// The value as the library sees JSON input.
    pub(super) fn to_value(&self) -> Value {
        let text = serde_json::to_string(&self.to_json()).expect("a model serializes");
        Value::from_json_str(&text).expect("a model is valid RFC 8785 input")
    }
}

/// An independent RFC 8785 writer for the model: members sorted by UTF-16 code units,
/// the short escapes, `\u00xx` with lowercase hex for other controls, integers in decimal.
pub(super) fn independent_jcs(model: &Model, out: &mut String) {
    match model {
        Model::Null => out.push_str("null"),
        Model::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Model::Int(i) => write!(out, "{i}").expect("writing to a String"),
        Model::Str(s) => independent_jcs_string(s, out),
        Model::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                independent_jcs(item, out);
            }
            out.push(']');
        }
        Model::Map(map) => {
            let mut members: Vec<(&String, &Model)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (name, value)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                independent_jcs_string(name, out);
                out.push(':');
                independent_jcs(value, out);
            }
            out.push('}');
        }
    }
}

pub(super) fn independent_jcs_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                write!(out, "\\u{:04x}", u32::from(c)).expect("writing to a String");
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------
// How a plain scalar resolves: an oracle written from PROTOCOL §3, checked against the
// reference table below, and used to decide when a string may be written plain.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Resolved {
    Null,
    Bool(bool),
    /// An integer; `None` when its magnitude exceeds 2^53.
    Int(Option<i64>),
    Float,
    Str,
}

pub(super) fn resolve(s: &str) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        _ => {}
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b") {
        (2, d)
    } else {
        (10, body)
    };
    let all_digits = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
    let leading_zero = radix == 10 && digits.len() > 1 && digits.starts_with('0');
    if all_digits && !leading_zero {
        let magnitude = u128::from_str_radix(digits, radix).ok();
        let value = magnitude
            .filter(|m| *m <= MAX_SAFE_INTEGER.unsigned_abs().into())
            .and_then(|m| i64::try_from(m).ok())
            .map(|m| if negative { -m } else { m });
        return Resolved::Int(value);
    }
    if all_digits {
        // `017`, `-08`: digits with a leading zero are a string in the reference table.
        return Resolved::Str;
    }
    if is_float(s) {
        return Resolved::Float;
    }
    Resolved::Str
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.(inf|Inf|INF)`,
/// `\.(nan|NaN|NAN)`.
pub(super) fn is_float(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => !fraction.is_empty() && digits(fraction),
        Some((integer, fraction)) => digits(integer) && digits(fraction),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[test]
pub(super) fn the_plain_scalar_oracle_agrees_with_the_reference_table() {
    let table = json("assay-reference/plain-scalars.json");
    let cases = table["cases"].as_array().expect("cases");
    for case in cases {
        let text = case["plain_scalar"].as_str().expect("plain_scalar");
        if text.starts_with(' ') || text == "-" {
            // Not a plain scalar on its own: leading space is indentation, `-` is an entry.
            continue;
        }
        let expected = match (case["result"].as_str(), &case["json"]) {
            (Some("accept"), serde_json::Value::Null) => Resolved::Null,
            (Some("accept"), serde_json::Value::Bool(b)) => Resolved::Bool(*b),
            (Some("accept"), serde_json::Value::Number(n)) => Resolved::Int(n.as_i64()),
            (Some("accept"), serde_json::Value::String(_)) => Resolved::Str,
            _ => match case["reference_error"].as_str() {
                Some("FloatNotAllowed") => Resolved::Float,
                // Integer syntax beyond ±2^53 (the reference calls the widest ones a parse
                // error; to us they are integers out of range all the same).
                Some("IntegerOutOfRange" | "ParseError") => Resolved::Int(None),
                other => panic!("unexpected case {text:?}: {other:?}"),
            },
        };
        assert_eq!(resolve(text), expected, "{text:?}");
    }
}
