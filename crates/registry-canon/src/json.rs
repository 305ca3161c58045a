//! JSON in and out of [`Value`]: strict RFC 8785 input (no duplicate names) and serde support.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use snafu::ResultExt;

use crate::error::{InvalidJsonSnafu, Result};
use crate::value::{Map, Number, Value};

impl Value {
    /// Parses JSON text as RFC 8785 input: numbers become doubles (so floats are allowed),
    /// and an object with a repeated member name is an error, as I-JSON requires.
    ///
    /// # Errors
    /// Returns [`crate::CanonicalizeError::InvalidJson`] with the line and column of the
    /// problem: malformed JSON, a duplicate name, a number out of the double range, or
    /// nesting beyond 128 levels.
    pub fn from_json_str(json: &str) -> Result<Value> {
        serde_json::from_str(json).context(InvalidJsonSnafu)
    }

    /// Like [`Value::from_json_str`], for bytes that must be UTF-8.
    ///
    /// # Errors
    /// As [`Value::from_json_str`]; invalid UTF-8 is reported with its line and column.
    pub fn from_json_slice(json: &[u8]) -> Result<Value> {
        serde_json::from_slice(json).context(InvalidJsonSnafu)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        // JCS treats every number as a double; large integers round as JavaScript would.
        self.visit_f64(value as f64)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        self.visit_f64(value as f64)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((name, value)) = access.next_entry::<String, Value>()? {
            entries.push((name, value));
        }
        Map::from_entries(entries)
            .map(Value::Object)
            .map_err(|duplicate| {
                de::Error::custom(format!("duplicate member name {:?}", duplicate.0))
            })
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(value) => serializer.serialize_bool(*value),
            Value::Number(number) => {
                let value = number.as_f64();
                // Integral doubles within ±2^53 serialize as integers, as JSON readers expect.
                if value.fract() == 0.0 && value.abs() <= 9_007_199_254_740_992.0 {
                    serializer.serialize_i64(value as i64)
                } else {
                    serializer.serialize_f64(value)
                }
            }
            Value::String(value) => serializer.serialize_str(value),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (name, value) in map.iter() {
                    out.serialize_entry(name, value)?;
                }
                out.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Rule;
    use crate::jcs::to_canonical_jcs_bytes;

    #[test]
    fn duplicate_names_are_rejected() {
        let error = Value::from_json_str(r#"{"a": 1, "b": {"x": 1, "x": 2}}"#).unwrap_err();
        assert_eq!(error.rule(), Rule::Syntax);
        assert!(error.to_string().contains("invalid JSON"));
        let source = snafu::ErrorCompat::iter_chain(&error)
            .nth(1)
            .unwrap()
            .to_string();
        assert!(source.contains("duplicate member name \"x\""), "{source}");
    }

    #[test]
    fn json_round_trips_through_jcs() {
        let value = Value::from_json_str(r#"{"b": [1.5, -0, 1e21], "a": "\u0001"}"#).unwrap();
        assert_eq!(
            to_canonical_jcs_bytes(&value),
            br#"{"a":"\u0001","b":[1.5,0,1e+21]}"#
        );
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(Value::from_json_str(&json).unwrap(), value);
    }
}
