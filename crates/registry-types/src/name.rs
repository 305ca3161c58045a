//! Pack names: `a-z`, `0-9` and `-`, validated before any file-system or network use.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{InvalidPackNameSnafu, Result};

/// A valid pack name, such as `eu-ai-act-baseline`.
///
/// The grammar: only `a-z`, `0-9` and `-`; not empty; no leading or trailing
/// `-`; at most [`PackName::MAX_LEN`] characters. Consecutive hyphens (`a--b`)
/// are allowed. Because the grammar has no `.`, `/` or `\`, a `PackName` can
/// never traverse out of a directory when used as a path segment.
///
/// Serde reads and writes the plain string; deserializing validates it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PackName(String);

impl PackName {
    /// The longest allowed name, in characters (a limit this project adds to the protocol).
    pub const MAX_LEN: usize = 128;

    /// Parses a pack name.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPackName`](crate::Error::InvalidPackName) naming the
    /// broken rule when `text` is not a valid pack name.
    pub fn parse(text: &str) -> Result<Self> {
        Self::try_from(text.to_owned())
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as an owned `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Checks `text` against the grammar shared by pack names and namespaces.
///
/// The first offending character wins over a length problem, so the message
/// points at the character a user has to fix.
pub(crate) fn check_name_grammar(text: &str, max_len: usize) -> Result<(), NameFault> {
    if text.is_empty() {
        return Err(NameFault::Empty);
    }
    let mut length = 0;
    for (index, character) in text.chars().enumerate() {
        length += 1;
        let position = index + 1;
        match character {
            'a'..='z' | '0'..='9' | '-' => {}
            'A'..='Z' => {
                return Err(NameFault::UppercaseLetter {
                    letter: character,
                    position,
                });
            }
            _ => {
                return Err(NameFault::ForbiddenCharacter {
                    character,
                    position,
                });
            }
        }
    }
    if length > max_len {
        return Err(NameFault::TooLong {
            length,
            max: max_len,
        });
    }
    if text.starts_with('-') {
        return Err(NameFault::LeadingHyphen);
    }
    if text.ends_with('-') {
        return Err(NameFault::TrailingHyphen);
    }
    Ok(())
}

impl TryFrom<String> for PackName {
    type Error = crate::Error;

    fn try_from(text: String) -> Result<Self> {
        match check_name_grammar(&text, Self::MAX_LEN) {
            Ok(()) => Ok(Self(text)),
            Err(reason) => InvalidPackNameSnafu { name: text, reason }.fail(),
        }
    }
}

crate::text_form::impl_parse_traits!(PackName);
crate::text_form::impl_string_newtype!(PackName);

/// The rule of the name grammar (pack names and namespaces) that a text breaks.
///
/// Positions count characters from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameFault {
    /// The text is empty.
    Empty,
    /// The text is longer than the limit.
    TooLong {
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// The text contains an uppercase ASCII letter.
    UppercaseLetter {
        /// The first uppercase letter.
        letter: char,
        /// Its position.
        position: usize,
    },
    /// The text contains a character outside `a-z`, `0-9` and `-`.
    ForbiddenCharacter {
        /// The first such character.
        character: char,
        /// Its position.
        position: usize,
    },
    /// The text starts with `-`.
    LeadingHyphen,
    /// The text ends with `-`.
    TrailingHyphen,
}

impl fmt::Display for NameFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ALPHABET: &str = "names use a-z, 0-9 and '-'";
        match self {
            Self::Empty => write!(f, "is empty"),
            Self::TooLong { length, max } => {
                write!(f, "is {length} characters long; the limit is {max}")
            }
            Self::UppercaseLetter { letter, position } => write!(
                f,
                "contains an uppercase letter {letter:?} at position {position}; {ALPHABET}"
            ),
            Self::ForbiddenCharacter {
                character,
                position,
            } => write!(
                f,
                "contains {character:?} at position {position}; {ALPHABET}"
            ),
            Self::LeadingHyphen => write!(f, "starts with '-'; names start with a-z or 0-9"),
            Self::TrailingHyphen => write!(f, "ends with '-'; names end with a-z or 0-9"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, NameFault, PackName};

    fn reason(text: &str) -> NameFault {
        match PackName::parse(text) {
            Err(Error::InvalidPackName { name, reason }) => {
                assert_eq!(name, text);
                reason
            }
            other => panic!("expected InvalidPackName for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn accepts_valid_names() {
        for text in [
            "a",
            "0",
            "eu-ai-act-baseline",
            "a--b",
            "a-b-c",
            "9lives",
            "x1",
        ] {
            let name = PackName::parse(text).expect("valid name");
            assert_eq!(name.as_str(), text);
            assert_eq!(name.to_string(), text);
        }
    }

    #[test]
    fn accepts_exactly_max_len() {
        let text = "a".repeat(PackName::MAX_LEN);
        assert_eq!(PackName::parse(&text).expect("128 chars").as_str(), text);
    }

    #[test]
    fn rejects_one_over_max_len() {
        let text = "a".repeat(PackName::MAX_LEN + 1);
        assert_eq!(
            reason(&text),
            NameFault::TooLong {
                length: 129,
                max: 128
            }
        );
    }

    #[test]
    fn rejects_empty() {
        assert_eq!(reason(""), NameFault::Empty);
    }

    #[test]
    fn rejects_leading_and_trailing_hyphen() {
        assert_eq!(reason("-a"), NameFault::LeadingHyphen);
        assert_eq!(reason("a-"), NameFault::TrailingHyphen);
        assert_eq!(reason("-"), NameFault::LeadingHyphen);
    }

    #[test]
    fn rejects_uppercase_with_position() {
        assert_eq!(
            reason("Foo"),
            NameFault::UppercaseLetter {
                letter: 'F',
                position: 1
            }
        );
        assert_eq!(
            reason("foO"),
            NameFault::UppercaseLetter {
                letter: 'O',
                position: 3
            }
        );
    }

    #[test]
    fn rejects_path_characters() {
        for (text, character, position) in [
            ("..", '.', 1),
            ("a/b", '/', 2),
            ("a\\b", '\\', 2),
            ("../etc", '.', 1),
            ("a.yaml", '.', 2),
            ("a_b", '_', 2),
            ("a b", ' ', 2),
            ("a@1", '@', 2),
        ] {
            assert_eq!(
                reason(text),
                NameFault::ForbiddenCharacter {
                    character,
                    position
                },
                "{text:?}"
            );
        }
    }

    #[test]
    fn rejects_unicode_and_nul() {
        assert_eq!(
            reason("café"),
            NameFault::ForbiddenCharacter {
                character: 'é',
                position: 4
            }
        );
        assert_eq!(
            reason("a\0"),
            NameFault::ForbiddenCharacter {
                character: '\0',
                position: 2
            }
        );
        // A full-width letter looks like ASCII but is not.
        assert!(matches!(reason("ａ"), NameFault::ForbiddenCharacter { .. }));
    }

    #[test]
    fn a_bad_character_wins_over_length() {
        let text = format!("{}/", "a".repeat(200));
        assert!(matches!(
            reason(&text),
            NameFault::ForbiddenCharacter {
                character: '/',
                position: 201
            }
        ));
    }

    #[test]
    fn message_names_the_text_and_the_rule() {
        let err = PackName::parse("Foo").expect_err("uppercase");
        assert_eq!(
            err.to_string(),
            "pack name \"Foo\" contains an uppercase letter 'F' at position 1; \
             names use a-z, 0-9 and '-'"
        );
        let err = PackName::parse("a\0").expect_err("nul");
        assert_eq!(
            err.to_string(),
            "pack name \"a\\0\" contains '\\0' at position 2; names use a-z, 0-9 and '-'"
        );
        let err = PackName::parse(&"a".repeat(129)).expect_err("long");
        assert!(
            err.to_string()
                .ends_with("is 129 characters long; the limit is 128")
        );
    }

    #[test]
    fn conversions_agree() {
        let parsed: PackName = "abc".parse().expect("valid");
        assert_eq!(PackName::try_from("abc").expect("valid"), parsed);
        assert_eq!(
            PackName::try_from(String::from("abc")).expect("valid"),
            parsed
        );
        assert_eq!(String::from(parsed.clone()), "abc");
        assert_eq!(parsed.clone().into_string(), "abc");
        let set: std::collections::HashSet<PackName> = [parsed].into_iter().collect();
        assert!(set.contains("abc"));
    }
}
