//! Canonical pack digests: `sha256:` followed by 64 lowercase hex characters.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{InvalidDigestSnafu, Result};

/// A SHA-256 digest in the protocol's one accepted spelling, `sha256:<64 lowercase hex>`.
///
/// The 32 bytes are stored; the text form is rebuilt on display, and since
/// parsing accepts only lowercase hex, display after parse is the identity.
/// No other algorithm (`sha512:` and friends) and no uppercase hex is
/// accepted. This crate does no hashing itself: callers hash and hand over
/// the bytes with [`Digest::from_sha256_bytes`].
///
/// Serde reads and writes the `sha256:<hex>` string; deserializing validates it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Digest([u8; 32]);

impl Digest {
    /// The only algorithm name accepted, as written before the `:`.
    pub const ALGORITHM: &'static str = "sha256";

    /// The number of hex characters after `sha256:`.
    pub const HEX_LEN: usize = 64;

    /// Wraps the 32 bytes of a SHA-256 hash.
    pub const fn from_sha256_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses `sha256:<64 lowercase hex>`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidDigest`](crate::Error::InvalidDigest) naming the broken
    /// rule when `text` is not exactly that form.
    pub fn parse(text: &str) -> Result<Self> {
        match decode(text) {
            Ok(bytes) => Ok(Self(bytes)),
            Err(reason) => InvalidDigestSnafu {
                digest: text,
                reason,
            }
            .fail(),
        }
    }

    /// The 32 hash bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64 lowercase hex characters, without the `sha256:` prefix.
    pub fn to_hex(&self) -> String {
        let mut hex = String::with_capacity(Self::HEX_LEN);
        for byte in self.0 {
            hex.push(hex_digit(byte >> 4));
            hex.push(hex_digit(byte & 0x0f));
        }
        hex
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

fn hex_value(character: char) -> Option<u8> {
    match character {
        '0'..='9' => Some(character as u8 - b'0'),
        'a'..='f' => Some(character as u8 - b'a' + 10),
        _ => None,
    }
}

fn decode(text: &str) -> Result<[u8; 32], DigestFault> {
    let Some((algorithm, hex)) = text.split_once(':') else {
        return Err(DigestFault::MissingAlgorithm);
    };
    if algorithm != Digest::ALGORITHM {
        return Err(DigestFault::UnsupportedAlgorithm {
            algorithm: algorithm.to_owned(),
        });
    }
    // Positions count characters of the whole text; the prefix is ASCII.
    let prefix_len = Digest::ALGORITHM.len() + 1;
    let mut nibbles = Vec::with_capacity(Digest::HEX_LEN);
    for (index, character) in hex.chars().enumerate() {
        let position = prefix_len + index + 1;
        match hex_value(character) {
            Some(value) => nibbles.push(value),
            None if character.is_ascii_hexdigit() => {
                return Err(DigestFault::UppercaseHex {
                    character,
                    position,
                });
            }
            None => {
                return Err(DigestFault::NotHex {
                    character,
                    position,
                });
            }
        }
    }
    if nibbles.len() != Digest::HEX_LEN {
        return Err(DigestFault::WrongLength {
            length: nibbles.len(),
        });
    }
    let mut bytes = [0u8; 32];
    for (byte, pair) in bytes.iter_mut().zip(nibbles.chunks_exact(2)) {
        if let [high, low] = pair {
            *byte = (high << 4) | low;
        }
    }
    Ok(bytes)
}

impl TryFrom<String> for Digest {
    type Error = crate::Error;

    fn try_from(text: String) -> Result<Self> {
        Self::parse(&text)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", Self::ALGORITHM)?;
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl From<Digest> for String {
    fn from(digest: Digest) -> Self {
        digest.to_string()
    }
}

crate::text_form::impl_parse_traits!(Digest);

/// The rule of the digest form `sha256:<64 lowercase hex>` that a text breaks.
///
/// Positions count characters from 1 over the whole digest text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestFault {
    /// There is no `algorithm:` prefix at all.
    MissingAlgorithm,
    /// The algorithm is not exactly `sha256`.
    UnsupportedAlgorithm {
        /// The algorithm text before the first `:`.
        algorithm: String,
    },
    /// The hex part contains an uppercase hex digit.
    UppercaseHex {
        /// The first uppercase digit.
        character: char,
        /// Its position.
        position: usize,
    },
    /// The hex part contains a character that is not a hex digit.
    NotHex {
        /// The first such character.
        character: char,
        /// Its position.
        position: usize,
    },
    /// The hex part does not have 64 characters.
    WrongLength {
        /// How many it has.
        length: usize,
    },
}

impl fmt::Display for DigestFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingAlgorithm => write!(
                f,
                "has no algorithm prefix; expected `sha256:` and 64 lowercase hex characters"
            ),
            Self::UnsupportedAlgorithm { algorithm } => write!(
                f,
                "uses algorithm {algorithm:?}; only `sha256` (lowercase) is supported"
            ),
            Self::UppercaseHex {
                character,
                position,
            } => write!(
                f,
                "has an uppercase hex digit {character:?} at position {position}; \
                 digests use lowercase hex"
            ),
            Self::NotHex {
                character,
                position,
            } => write!(
                f,
                "contains {character:?} at position {position}, which is not a hex digit"
            ),
            Self::WrongLength { length } => write!(
                f,
                "has {length} hex characters after `sha256:`; expected 64"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Digest, DigestFault, Error};

    /// The digest of the protocol's known interop vector.
    const KNOWN: &str = "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070";

    fn reason(text: &str) -> DigestFault {
        match Digest::parse(text) {
            Err(Error::InvalidDigest { digest, reason }) => {
                assert_eq!(digest, text);
                reason
            }
            other => panic!("expected InvalidDigest for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn round_trips_the_known_vector() {
        let digest = Digest::parse(KNOWN).expect("valid");
        assert_eq!(digest.to_string(), KNOWN);
        assert_eq!(format!("sha256:{}", digest.to_hex()), KNOWN);
        assert_eq!(digest.as_bytes()[0], 0xf4);
        assert_eq!(digest.as_bytes()[31], 0x70);
        assert_eq!(Digest::from_sha256_bytes(*digest.as_bytes()), digest);
        assert_eq!(format!("{digest:?}"), format!("Digest({KNOWN})"));
    }

    #[test]
    fn from_bytes_displays_lowercase_hex() {
        let digest = Digest::from_sha256_bytes([0xab; 32]);
        assert_eq!(digest.to_string(), format!("sha256:{}", "ab".repeat(32)));
    }

    #[test]
    fn rejects_uppercase_hex() {
        let upper = format!("sha256:{}", "A".repeat(64));
        assert_eq!(
            reason(&upper),
            DigestFault::UppercaseHex {
                character: 'A',
                position: 8
            }
        );
    }

    #[test]
    fn rejects_wrong_lengths() {
        assert_eq!(
            reason(&format!("sha256:{}", "a".repeat(63))),
            DigestFault::WrongLength { length: 63 }
        );
        assert_eq!(
            reason(&format!("sha256:{}", "a".repeat(65))),
            DigestFault::WrongLength { length: 65 }
        );
        assert_eq!(reason("sha256:"), DigestFault::WrongLength { length: 0 });
    }

    #[test]
    fn rejects_other_algorithms_and_missing_prefix() {
        let hex = "a".repeat(64);
        for algorithm in ["sha512", "SHA256", "sha-256", "", "sha256 "] {
            assert_eq!(
                reason(&format!("{algorithm}:{hex}")),
                DigestFault::UnsupportedAlgorithm {
                    algorithm: algorithm.into()
                },
                "{algorithm:?}"
            );
        }
        assert_eq!(reason(&hex), DigestFault::MissingAlgorithm);
        assert_eq!(reason(""), DigestFault::MissingAlgorithm);
    }

    #[test]
    fn rejects_non_hex_characters() {
        for (hex, character) in [("g", 'g'), (" ", ' '), ("é", 'é'), (":", ':'), ("\0", '\0')] {
            let text = format!("sha256:{}{hex}", "0".repeat(10));
            assert_eq!(
                reason(&text),
                DigestFault::NotHex {
                    character,
                    position: 18
                },
                "{text:?}"
            );
        }
    }

    #[test]
    fn messages_name_the_text_and_the_rule() {
        let err = Digest::parse("sha512:00").expect_err("other algorithm");
        assert_eq!(
            err.to_string(),
            "digest \"sha512:00\" uses algorithm \"sha512\"; only `sha256` (lowercase) is supported"
        );
        let err = Digest::parse("sha256:abc").expect_err("short");
        assert_eq!(
            err.to_string(),
            "digest \"sha256:abc\" has 3 hex characters after `sha256:`; expected 64"
        );
    }

    #[test]
    fn conversions_agree() {
        let parsed: Digest = KNOWN.parse().expect("valid");
        assert_eq!(Digest::try_from(KNOWN).expect("valid"), parsed);
        assert_eq!(Digest::try_from(KNOWN.to_owned()).expect("valid"), parsed);
        assert_eq!(String::from(parsed), KNOWN);
    }
}
