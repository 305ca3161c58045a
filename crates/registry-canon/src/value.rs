//! The JSON data model that canonicalization produces and the JCS writer consumes.

use std::cmp::Ordering;

/// A JSON value as RFC 8785 sees it: numbers are IEEE-754 doubles, object members are unique
/// and kept in JCS order.
///
/// Values are built by [`crate::parse_yaml_strict`], by [`Value::from_json_str`], or by hand;
/// every constructor keeps the invariants, so [`crate::to_canonical_jcs_bytes`] cannot fail.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A finite number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::String(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::String(value)
    }
}

impl From<Number> for Value {
    fn from(value: Number) -> Self {
        Value::Number(value)
    }
}

impl From<Map> for Value {
    fn from(value: Map) -> Self {
        Value::Object(value)
    }
}

impl From<Vec<Value>> for Value {
    fn from(value: Vec<Value>) -> Self {
        Value::Array(value)
    }
}

/// A finite IEEE-754 double: the only kind of number JCS knows.
///
/// Integers are stored as doubles too; every integer the strict YAML profile accepts
/// (|n| ≤ 2^53) is exact.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Number(f64);

impl Number {
    /// The number `value`, or `None` when it is NaN or infinite (JSON has neither).
    pub fn from_f64(value: f64) -> Option<Self> {
        value.is_finite().then_some(Number(value))
    }

    /// The number as a double.
    pub fn as_f64(self) -> f64 {
        self.0
    }
}

impl From<i32> for Number {
    fn from(value: i32) -> Self {
        Number(f64::from(value))
    }
}

impl From<u32> for Number {
    fn from(value: u32) -> Self {
        Number(f64::from(value))
    }
}

/// A JSON object: members with unique names, sorted by the UTF-16 code units of the names
/// (the order RFC 8785 writes them in).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

/// The member name that appears more than once, returned by [`Map::from_entries`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateName(pub String);

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an object from members in any order.
    ///
    /// # Errors
    /// Returns the first duplicated name (in JCS order) when two members share a name.
    pub fn from_entries(mut entries: Vec<(String, Value)>) -> Result<Self, DuplicateName> {
        entries.sort_unstable_by(|a, b| jcs_key_order(&a.0, &b.0));
        if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(DuplicateName(pair[0].0.clone()));
        }
        Ok(Self { entries })
    }

    /// Adds or replaces a member, keeping the order.
    pub fn insert(&mut self, name: String, value: Value) -> Option<Value> {
        match self
            .entries
            .binary_search_by(|(probe, _)| jcs_key_order(probe, &name))
        {
            Ok(index) => Some(std::mem::replace(&mut self.entries[index].1, value)),
            Err(index) => {
                self.entries.insert(index, (name, value));
                None
            }
        }
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries
            .binary_search_by(|(probe, _)| jcs_key_order(probe, name))
            .ok()
            .map(|index| &self.entries[index].1)
    }

    /// The members in JCS order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the object has no members.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Orders member names by their UTF-16 code units, as RFC 8785 §3.2.3 requires.
///
/// UTF-8 byte order equals code point order, which differs from UTF-16 order only between a
/// supplementary character (UTF-8 lead byte 0xF0–0xF4; surrogates 0xD800–0xDFFF in UTF-16)
/// and a character in U+E000–U+FFFF (lead byte 0xEE or 0xEF). So the first differing byte
/// decides, unless it is such a lead byte: then the rest is compared as UTF-16.
pub fn jcs_key_order(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let Some(at) = x.iter().zip(y).position(|(p, q)| p != q) else {
        return x.len().cmp(&y.len());
    };
    if x[at] < 0xEE && y[at] < 0xEE {
        return x[at].cmp(&y[at]);
    }
    // Both strings agree up to `at`; back up to the start of the character holding it.
    let mut start = at;
    while !a.is_char_boundary(start) {
        start -= 1;
    }
    a[start..].encode_utf16().cmp(b[start..].encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_order_puts_surrogates_before_private_use() {
        // U+1F600 is D83D DE00 in UTF-16, which sorts before U+E000; in UTF-8 it sorts after.
        assert_eq!(jcs_key_order("\u{1F600}", "\u{E000}"), Ordering::Less);
        assert_eq!(jcs_key_order("a\u{1F600}", "a\u{FFFF}"), Ordering::Less);
        assert_eq!(jcs_key_order("ab", "a"), Ordering::Greater);
        assert_eq!(jcs_key_order("é", "z"), Ordering::Greater);
        assert_eq!(jcs_key_order("same", "same"), Ordering::Equal);
    }

    #[test]
    fn order_agrees_with_utf16_on_mixed_strings() {
        let words = [
            "",
            "a",
            "ab",
            "é",
            "\u{E000}",
            "\u{1F600}",
            "\u{FFFF}x",
            "\u{10000}",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    jcs_key_order(a, b),
                    a.encode_utf16().cmp(b.encode_utf16()),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn from_entries_sorts_and_rejects_duplicates() {
        let map = Map::from_entries(vec![
            ("b".into(), Value::Null),
            ("a".into(), Value::Bool(true)),
        ])
        .unwrap();
        assert_eq!(map.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(map.get("a"), Some(&Value::Bool(true)));
        let dup = Map::from_entries(vec![("x".into(), Value::Null), ("x".into(), Value::Null)]);
        assert_eq!(dup, Err(DuplicateName("x".into())));
    }

    #[test]
    fn insert_keeps_order() {
        let mut map = Map::new();
        assert_eq!(map.insert("z".into(), Value::Null), None);
        assert_eq!(map.insert("a".into(), Value::Null), None);
        assert_eq!(
            map.insert("z".into(), Value::Bool(false)),
            Some(Value::Null)
        );
        assert_eq!(map.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "z"]);
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn numbers_are_finite() {
        assert!(Number::from_f64(f64::NAN).is_none());
        assert!(Number::from_f64(f64::INFINITY).is_none());
        assert_eq!(Number::from_f64(1.5).map(Number::as_f64), Some(1.5));
    }
}
