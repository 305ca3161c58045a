//! `Content-Digest` (RFC 9530): a strict RFC 8941 dictionary parser and the check of a
//! decoded body against every supported digest in it.

use std::fmt;

use data_encoding::{BASE64, BASE64_NOPAD};
use ring::digest::{SHA256, SHA512, digest};

/// A digest algorithm this client checks (the two "Active" ones of the IANA registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// `sha-256`.
    Sha256,
    /// `sha-512`.
    Sha512,
}

impl DigestAlgorithm {
    fn from_key(key: &str) -> Option<Self> {
        match key {
            "sha-256" => Some(DigestAlgorithm::Sha256),
            "sha-512" => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    fn digest(self, body: &[u8]) -> ring::digest::Digest {
        match self {
            DigestAlgorithm::Sha256 => digest(&SHA256, body),
            DigestAlgorithm::Sha512 => digest(&SHA512, body),
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DigestAlgorithm::Sha256 => "sha-256",
            DigestAlgorithm::Sha512 => "sha-512",
        })
    }
}

/// Why a `Content-Digest` value cannot be checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentDigestFault {
    /// Not an RFC 8941 dictionary; the byte offset of the first bad character.
    Syntax {
        /// 0-based byte offset.
        offset: usize,
    },
    /// A supported algorithm whose value is not a strict base64 byte sequence.
    NotByteSequence {
        /// The algorithm.
        algorithm: DigestAlgorithm,
    },
    /// A supported algorithm whose value has the wrong length.
    WrongLength {
        /// The algorithm.
        algorithm: DigestAlgorithm,
        /// The number of bytes found.
        length: usize,
    },
    /// Only unknown or deprecated algorithms (md5, sha, crc32c, …): nothing to check, so
    /// the client fails closed.
    NoSupportedAlgorithm,
}

impl fmt::Display for ContentDigestFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContentDigestFault::Syntax { offset } => {
                write!(f, "not a structured-field dictionary (at byte {offset})")
            }
            ContentDigestFault::NotByteSequence { algorithm } => {
                write!(f, "the {algorithm} value is not a base64 byte sequence")
            }
            ContentDigestFault::WrongLength { algorithm, length } => {
                write!(
                    f,
                    "the {algorithm} value has {length} bytes, expected {}",
                    algorithm.output_len()
                )
            }
            ContentDigestFault::NoSupportedAlgorithm => {
                f.write_str("no sha-256 or sha-512 digest (other algorithms are refused)")
            }
        }
    }
}

/// A parsed `Content-Digest` header: the supported digests, in header order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentDigest {
    digests: Vec<(DigestAlgorithm, Vec<u8>)>,
}

impl ContentDigest {
    /// Parses a header value. Byte sequences must be strict base64 (padding may be
    /// omitted, as RFC 8941 asks parsers to tolerate; extra padding is refused). Members
    /// with other algorithms are skipped; a key given twice keeps its last value (RFC 8941).
    ///
    /// # Errors
    /// A syntax error, a malformed value for `sha-256`/`sha-512`, or no supported algorithm.
    pub fn parse(value: &str) -> Result<ContentDigest, ContentDigestFault> {
        let mut parser = Parser {
            text: value.as_bytes(),
            at: 0,
        };
        let mut digests: Vec<(DigestAlgorithm, Vec<u8>)> = Vec::new();
        parser.skip_spaces();
        while !parser.done() {
            let key = parser.key()?;
            let item = if parser.eat(b'=') {
                parser.bare_item()?
            } else {
                Item::Other
            };
            parser.parameters()?;
            if let Some(algorithm) = DigestAlgorithm::from_key(key) {
                let Item::Bytes(encoded) = item else {
                    return Err(ContentDigestFault::NotByteSequence { algorithm });
                };
                let bytes = BASE64
                    .decode(encoded.as_bytes())
                    .or_else(|_| BASE64_NOPAD.decode(encoded.as_bytes()))
                    .map_err(|_| ContentDigestFault::NotByteSequence { algorithm })?;
                if bytes.len() != algorithm.output_len() {
                    return Err(ContentDigestFault::WrongLength {
                        algorithm,
                        length: bytes.len(),
                    });
                }
                digests.retain(|(known, _)| *known != algorithm);
                digests.push((algorithm, bytes));
            }
            parser.skip_optional_whitespace();
            if parser.done() {
                break;
            }
            if !parser.eat(b',') {
                return Err(parser.fault());
            }
            parser.skip_optional_whitespace();
            if parser.done() {
                return Err(parser.fault());
            }
        }
        if digests.is_empty() {
            return Err(ContentDigestFault::NoSupportedAlgorithm);
        }
        Ok(ContentDigest { digests })
    }

    /// The supported digests, in header order.
    pub fn digests(&self) -> impl Iterator<Item = (DigestAlgorithm, &[u8])> {
        self.digests
            .iter()
            .map(|(algorithm, bytes)| (*algorithm, bytes.as_slice()))
    }

    /// Checks `body` (the content after content-coding is removed) against every digest.
    ///
    /// # Errors
    /// The first algorithm whose digest differs.
    pub fn verify(&self, body: &[u8]) -> Result<(), DigestAlgorithm> {
        for (algorithm, expected) in &self.digests {
            if algorithm.digest(body).as_ref() != expected.as_slice() {
                return Err(*algorithm);
            }
        }
        Ok(())
    }
}

/// A dictionary member's value, as far as this parser cares.
enum Item<'a> {
    Bytes(&'a str),
    Other,
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn done(&self) -> bool {
        self.at >= self.text.len()
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn fault(&self) -> ContentDigestFault {
        ContentDigestFault::Syntax { offset: self.at }
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn skip_optional_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// Consumes bytes while `accept` holds, returning them as text (always ASCII).
    fn take_while(&mut self, accept: impl Fn(u8) -> bool) -> &'a str {
        let start = self.at;
        while self.peek().is_some_and(&accept) {
            self.at += 1;
        }
        std::str::from_utf8(&self.text[start..self.at]).unwrap_or_default()
    }

    /// `key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )`.
    fn key(&mut self) -> Result<&'a str, ContentDigestFault> {
        if !self
            .peek()
            .is_some_and(|byte| byte.is_ascii_lowercase() || byte == b'*')
        {
            return Err(self.fault());
        }
        Ok(self.take_while(|byte| {
            byte.is_ascii_lowercase()
                || byte.is_ascii_digit()
                || matches!(byte, b'_' | b'-' | b'.' | b'*')
        }))
    }

    fn bare_item(&mut self) -> Result<Item<'a>, ContentDigestFault> {
        match self.peek() {
            Some(b':') => {
                self.at += 1;
                let encoded = self.take_while(|byte| {
                    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=')
                });
                if !self.eat(b':') {
                    return Err(self.fault());
                }
                Ok(Item::Bytes(encoded))
            }
            Some(b'"') => {
                self.at += 1;
                loop {
                    match self.peek() {
                        Some(b'"') => {
                            self.at += 1;
                            return Ok(Item::Other);
                        }
                        Some(b'\\') if matches!(self.text.get(self.at + 1), Some(b'"' | b'\\')) => {
                            self.at += 2;
                        }
                        Some(byte) if (0x20..0x7f).contains(&byte) && byte != b'\\' => self.at += 1,
                        _ => return Err(self.fault()),
                    }
                }
            }
            Some(b'?') => {
                self.at += 1;
                if self.eat(b'0') || self.eat(b'1') {
                    Ok(Item::Other)
                } else {
                    Err(self.fault())
                }
            }
            Some(byte) if byte.is_ascii_digit() || byte == b'-' => {
                self.at += 1;
                self.take_while(|byte| byte.is_ascii_digit() || byte == b'.');
                Ok(Item::Other)
            }
            Some(byte) if byte.is_ascii_alphabetic() || byte == b'*' => {
                self.take_while(|byte| {
                    byte.is_ascii_graphic()
                        && !matches!(byte, b',' | b';' | b'"' | b'(' | b')' | b'=' | b'\\')
                });
                Ok(Item::Other)
            }
            _ => Err(self.fault()),
        }
    }

    /// `*( ";" *SP key [ "=" bare-item ] )`.
    fn parameters(&mut self) -> Result<(), ContentDigestFault> {
        while self.eat(b';') {
            self.skip_spaces();
            self.key()?;
            if self.eat(b'=') {
                self.bare_item()?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &[u8] = b"{\"hello\": \"world\"}\n";
    const HELLO_256: &str = "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:";

    #[test]
    fn parses_and_verifies() {
        let parsed = ContentDigest::parse(HELLO_256).unwrap();
        assert_eq!(parsed.digests().count(), 1);
        assert_eq!(parsed.verify(HELLO), Ok(()));
        assert_eq!(parsed.verify(b"other"), Err(DigestAlgorithm::Sha256));
        // Unpadded is tolerated; parameters and unknown members are skipped.
        let relaxed = "md5=:Sd/dVLAcvNLSq16eXua5uQ==:;x=1, sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg:, foo=bar, flag";
        assert_eq!(ContentDigest::parse(relaxed).unwrap().verify(HELLO), Ok(()));
    }

    #[test]
    fn rejects_malformed_values() {
        for (value, fault) in [
            ("", ContentDigestFault::NoSupportedAlgorithm),
            (
                "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg==:",
                ContentDigestFault::NotByteSequence {
                    algorithm: DigestAlgorithm::Sha256,
                },
            ),
            (
                "sha-256=:AAAA:",
                ContentDigestFault::WrongLength {
                    algorithm: DigestAlgorithm::Sha256,
                    length: 3,
                },
            ),
            (
                "sha-256=abc",
                ContentDigestFault::NotByteSequence {
                    algorithm: DigestAlgorithm::Sha256,
                },
            ),
            ("sha-256=:AAAA", ContentDigestFault::Syntax { offset: 13 }),
            ("SHA-256=:AAAA:", ContentDigestFault::Syntax { offset: 0 }),
            (
                "sha-256=:AAAA:,",
                ContentDigestFault::WrongLength {
                    algorithm: DigestAlgorithm::Sha256,
                    length: 3,
                },
            ),
            ("a=1,", ContentDigestFault::Syntax { offset: 4 }),
            ("a=1 b=2", ContentDigestFault::Syntax { offset: 4 }),
        ] {
            assert_eq!(ContentDigest::parse(value), Err(fault), "{value:?}");
        }
    }
}
