//! The signers an error names: the trusted keys that did sign, or the hints of those that did not.

use std::fmt;

use crate::key_id::KeyId;

/// What a message says for an empty list.
const NONE: &str = "no key";

/// What a message says for a signature without a key id hint.
const NO_HINT: &str = "(no key id)";

/// Distinct trusted keys whose signatures verified, in envelope order.
///
/// Displayed as the ids joined with `, `, or `no key` when there is none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SignerIds(Vec<KeyId>);

impl SignerIds {
    /// The key ids.
    pub fn as_slice(&self) -> &[KeyId] {
        &self.0
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<KeyId>> for SignerIds {
    fn from(ids: Vec<KeyId>) -> Self {
        SignerIds(ids)
    }
}

impl fmt::Display for SignerIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        join(f, self.0.iter().map(KeyId::as_str))
    }
}

/// The `keyid` hints of signatures that no trusted key vouched for, as the envelope gives
/// them: unauthenticated text, or nothing (`None`) for a signature without a hint.
///
/// Displayed as the hints joined with `, ` (`(no key id)` for a missing one), or `no key`
/// when there is none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SignerHints(Vec<Option<String>>);

impl SignerHints {
    /// The hints, `None` for a signature without one.
    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> {
        self.0.iter().map(Option::as_deref)
    }

    /// How many hints there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no hint.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Option<String>> for SignerHints {
    fn from_iter<I: IntoIterator<Item = Option<String>>>(hints: I) -> Self {
        SignerHints(hints.into_iter().collect())
    }
}

impl fmt::Display for SignerHints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        join(f, self.iter().map(|hint| hint.unwrap_or(NO_HINT)))
    }
}

/// Writes `items` joined with `, `, or [`NONE`] when there is none.
fn join<'a>(f: &mut fmt::Formatter<'_>, items: impl Iterator<Item = &'a str>) -> fmt::Result {
    let mut empty = true;
    for (index, item) in items.enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        f.write_str(item)?;
        empty = false;
    }
    if empty {
        f.write_str(NONE)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_text() {
        let id = KeyId::of_spki_der(b"k");
        assert_eq!(SignerIds::default().to_string(), "no key");
        assert_eq!(
            SignerIds::from(vec![id.clone(), id.clone()]).to_string(),
            format!("{id}, {id}")
        );
        let hints: SignerHints = [None, Some("abc".to_owned())].into_iter().collect();
        assert_eq!(hints.to_string(), "(no key id), abc");
        assert_eq!(SignerHints::default().to_string(), "no key");
    }
}
