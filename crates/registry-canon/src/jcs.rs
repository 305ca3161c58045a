//! The RFC 8785 (JSON Canonicalization Scheme) writer.

use crate::value::{Number, Value};

/// The canonical JCS bytes of `value`: no whitespace, members in UTF-16 order, RFC 8785
/// string escaping and ECMAScript number form, UTF-8 without BOM or trailing newline.
///
/// This cannot fail: a [`Value`] holds only finite numbers and unique member names.
pub fn to_canonical_jcs_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(value, &mut out);
    out
}

/// Appends the canonical JCS bytes of `value` to `out`.
pub fn write_canonical_jcs(value: &Value, out: &mut Vec<u8>) {
    write_value(value, out);
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_number(*number, out),
        Value::String(string) => write_string(string, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (name, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(name, out);
                out.push(b':');
                write_value(item, out);
            }
            out.push(b'}');
        }
    }
}

/// Integers below this magnitude print the same in ECMAScript form and as plain digits.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Writes a number in ECMAScript `Number.prototype.toString` form (RFC 8785 §3.2.2.3).
pub(crate) fn write_number(number: Number, out: &mut Vec<u8>) {
    let value = number.as_f64();
    // Fast path for the integers packs are made of. The `as` cast is exact: the value is
    // integral and within ±2^53, and -0.0 becomes 0, which is what ECMAScript prints.
    if value.fract() == 0.0 && value.abs() <= EXACT_INTEGER_LIMIT {
        write_integer(value as i64, out);
        return;
    }
    let mut buffer = ryu_js::Buffer::new();
    out.extend_from_slice(buffer.format_finite(value).as_bytes());
}

/// Writes an integer of magnitude ≤ 2^53 (what ECMAScript prints for it, too).
pub(crate) fn write_integer(value: i64, out: &mut Vec<u8>) {
    let mut buffer = [0u8; 20];
    let mut magnitude = value.unsigned_abs();
    let mut start = buffer.len();
    loop {
        start -= 1;
        // `magnitude % 10` is below 10, so the cast cannot truncate.
        buffer[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if value < 0 {
        start -= 1;
        buffer[start] = b'-';
    }
    out.extend_from_slice(&buffer[start..]);
}

/// Whether RFC 8785 escapes `byte`: a control character, `"` or `\\`.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any byte of `bytes` needs an escape. Blocks of 16 bytes are checked without an
/// early exit, which the compiler turns into vector compares; most strings need no escape.
fn any_needs_escape(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block
            .iter()
            .fold(false, |any, &byte| any | needs_escape(byte))
        {
            return true;
        }
    }
    blocks.remainder().iter().any(|&byte| needs_escape(byte))
}

/// Writes a string with RFC 8785 escaping: `\"`, `\\`, the five short control escapes,
/// `\u00xx` (lowercase hex) for the other control characters, everything else as UTF-8.
pub(crate) fn write_string(string: &str, out: &mut Vec<u8>) {
    let bytes = string.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most strings need no escape: check with a table, then copy in one go.
    if !any_needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut run_start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0C => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[run_start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xF)]);
        } else {
            out.extend_from_slice(escape);
        }
        run_start = i + 1;
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    fn number(value: f64) -> String {
        let mut out = Vec::new();
        write_number(Number::from_f64(value).unwrap(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_use_ecmascript_form() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-17.0), "-17");
        assert_eq!(number(9_007_199_254_740_992.0), "9007199254740992");
        assert_eq!(number(-9_007_199_254_740_992.0), "-9007199254740992");
        assert_eq!(number(1e21), "1e+21");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(number(0.000001), "0.000001");
        assert_eq!(number(1e-7), "1e-7");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(5e-324), "5e-324");
    }

    #[test]
    fn strings_are_escaped_as_rfc8785_says() {
        let mut out = Vec::new();
        write_string(
            "a\"b\\c\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}é\u{2028}",
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}é\u{2028}\""
        );
    }

    #[test]
    fn nested_values_have_no_whitespace() {
        let map = Map::from_entries(vec![
            (
                "b".into(),
                Value::Array(vec![Value::Null, Value::Bool(true)]),
            ),
            ("a".into(), Value::Number(Number::from(1))),
        ])
        .unwrap();
        assert_eq!(
            to_canonical_jcs_bytes(&Value::Object(map)),
            b"{\"a\":1,\"b\":[null,true]}"
        );
    }
}
