//! How a plain (unquoted) YAML scalar resolves: null, boolean, integer, float or string.
//!
//! The table is the deployed reference implementation's (PROTOCOL §3 and
//! `assay-reference/plain-scalars.json`), not the plain YAML 1.2 core schema: `017` and `0X1F`
//! are strings, `0b101` is an integer, `-0` is `0`.

use crate::limits::MAX_SAFE_INTEGER;

/// What a plain scalar means.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum PlainScalar {
    /// `~`, `null`, `Null`, `NULL` or empty.
    Null,
    /// `true`/`True`/`TRUE` or `false`/`False`/`FALSE`.
    Bool(bool),
    /// An integer within ±2^53.
    Integer(i64),
    /// Integer syntax with a magnitude beyond 2^53.
    IntegerOutOfRange,
    /// Float syntax; the value (possibly infinite or NaN) for policies that accept floats.
    Float(f64),
    /// Anything else.
    String,
}

impl PlainScalar {
    /// What the scalar is, for error messages about keys: `an integer`, `a null`, ...
    pub(crate) fn kind(self) -> &'static str {
        match self {
            PlainScalar::Null => "a null",
            PlainScalar::Bool(_) => "a boolean",
            PlainScalar::Integer(_) | PlainScalar::IntegerOutOfRange => "an integer",
            PlainScalar::Float(_) => "a float",
            PlainScalar::String => "a string",
        }
    }
}

/// Resolves the text of a plain scalar.
pub(crate) fn resolve_plain(text: &str) -> PlainScalar {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return PlainScalar::Null,
        "true" | "True" | "TRUE" => return PlainScalar::Bool(true),
        "false" | "False" | "FALSE" => return PlainScalar::Bool(false),
        _ => {}
    }
    // Everything numeric starts with a sign, a digit or a dot; most strings stop here.
    match text.as_bytes()[0] {
        b'+' | b'-' | b'.' | b'0'..=b'9' => {}
        _ => return PlainScalar::String,
    }
    if let Some(integer) = resolve_integer(text) {
        return integer;
    }
    if is_leading_zero_digits(text) {
        return PlainScalar::String;
    }
    if let Some(float) = resolve_float(text) {
        return PlainScalar::Float(float);
    }
    PlainScalar::String
}

/// `[-+]?(0|[1-9][0-9]*)`, or a lowercase `0x`/`0o`/`0b` prefix after the optional sign.
fn resolve_integer(text: &str) -> Option<PlainScalar> {
    let (negative, body) = split_sign(text);
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = body.strip_prefix("0b") {
        (2, rest)
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.bytes().all(|b| char::from(b).is_digit(radix)) {
        return None;
    }
    if radix == 10 && digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    let mut magnitude: u64 = 0;
    for byte in digits.bytes() {
        // Every byte was checked to be a digit of `radix` above.
        let digit = u64::from(char::from(byte).to_digit(radix).unwrap_or(0));
        magnitude = match magnitude
            .checked_mul(u64::from(radix))
            .and_then(|m| m.checked_add(digit))
        {
            Some(m) => m,
            None => return Some(PlainScalar::IntegerOutOfRange),
        };
    }
    if magnitude > MAX_SAFE_INTEGER.unsigned_abs() {
        return Some(PlainScalar::IntegerOutOfRange);
    }
    // `magnitude` ≤ 2^53 fits in an i64.
    let value = magnitude as i64;
    Some(PlainScalar::Integer(if negative { -value } else { value }))
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// Digits with a leading zero (`00`, `017`, `-08`): a string, never a number.
fn is_leading_zero_digits(text: &str) -> bool {
    let (_, body) = split_sign(text);
    body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit())
}

/// YAML 1.2 core-schema float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`,
/// `[-+]?\.(inf|Inf|INF)` and `\.(nan|NaN|NAN)`.
fn resolve_float(text: &str) -> Option<f64> {
    let (negative, body) = split_sign(text);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let bytes = body.as_bytes();
    let mut i = 0;
    let integer_digits = count_digits(&bytes[i..]);
    i += integer_digits;
    let mut fraction_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        fraction_digits = count_digits(&bytes[i..]);
        i += fraction_digits;
    }
    if integer_digits + fraction_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exponent_digits = count_digits(&bytes[i..]);
        if exponent_digits == 0 {
            return None;
        }
        i += exponent_digits;
    }
    if i != bytes.len() {
        return None;
    }
    // The syntax above is a subset of what Rust's float parser accepts.
    text.parse::<f64>().ok()
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// Whether the decimal number written as `text` is exactly the number JCS writes as `jcs`:
/// a float "survives a JCS round trip" when no digit of it is lost or invented.
pub(crate) fn same_decimal(text: &str, jcs: &str) -> bool {
    match (Decimal::parse(text), Decimal::parse(jcs)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// A decimal number as sign, significant digits (no leading or trailing zeros) and the
/// position of the decimal point relative to the first digit. Zero has no digits and no sign.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, body) = split_sign(text);
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(at) => (&body[..at], body[at + 1..].parse::<i64>().ok()?),
            None => (body, 0),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut digits: Vec<u8> = integer.bytes().chain(fraction.bytes()).collect();
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut point = i64::try_from(integer.len()).ok()?.checked_add(exponent)?;
        let leading = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..leading);
        point -= i64::try_from(leading).ok()?;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                point: 0,
            });
        }
        Some(Decimal {
            negative,
            digits,
            point,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_the_reference_table() {
        assert_eq!(resolve_plain("0"), PlainScalar::Integer(0));
        assert_eq!(resolve_plain("-0"), PlainScalar::Integer(0));
        assert_eq!(resolve_plain("+0x1F"), PlainScalar::Integer(31));
        assert_eq!(resolve_plain("-0o17"), PlainScalar::Integer(-15));
        assert_eq!(resolve_plain("0b101"), PlainScalar::Integer(5));
        assert_eq!(resolve_plain("017"), PlainScalar::String);
        assert_eq!(resolve_plain("0X1F"), PlainScalar::String);
        assert_eq!(resolve_plain("0x"), PlainScalar::String);
        assert_eq!(resolve_plain("+-5"), PlainScalar::String);
        assert_eq!(
            resolve_plain("0x20000000000001"),
            PlainScalar::IntegerOutOfRange
        );
        assert_eq!(
            resolve_plain("99999999999999999999999999"),
            PlainScalar::IntegerOutOfRange
        );
    }

    #[test]
    fn floats_follow_the_core_schema_syntax() {
        for text in [
            "1.0", ".5", "5.", "-.5", "1e3", "1E3", "1.5e-3", "+.inf", ".NaN",
        ] {
            assert!(
                matches!(resolve_plain(text), PlainScalar::Float(_)),
                "{text}"
            );
        }
        for text in ["nan", "inf", "-.nan", ".", "e3", "1e", "1.5.2", "1,5", "00"] {
            assert_eq!(resolve_plain(text), PlainScalar::String, "{text}");
        }
    }

    #[test]
    fn decimal_equality_ignores_notation_but_not_digits() {
        assert!(same_decimal("0.1", "0.1"));
        assert!(same_decimal("1.10", "1.1"));
        assert!(same_decimal("1e21", "1e+21"));
        assert!(same_decimal("-0.0", "0"));
        assert!(same_decimal("100", "1e2"));
        assert!(same_decimal(".5", "0.5"));
        assert!(!same_decimal("0.30000000000000001", "0.3"));
        assert!(!same_decimal("1e-400", "0"));
        assert!(!same_decimal("-1", "1"));
    }
}
