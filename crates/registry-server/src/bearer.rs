//! Bearer tokens: reading them from `Authorization`, and comparing them without leaking where they differ.

use std::fmt;

use ring::digest::{SHA256, digest};

/// The token of an `Authorization: Bearer <token>` value (the scheme is case-insensitive);
/// `None` for another scheme or an empty token.
pub(crate) fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The SHA-256 of a token: what the server keeps instead of the token, and compares.
///
/// Comparing fixed-length hashes, with every byte looked at, takes the same time whatever
/// the presented token is, so response times tell nothing about how much of a guess was
/// right. `Debug` never shows the hash either.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TokenHash([u8; 32]);

impl TokenHash {
    /// The hash of `token`.
    pub(crate) fn of(token: &str) -> Self {
        let mut hash = [0u8; 32];
        hash.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
        TokenHash(hash)
    }

    /// Whether both hashes are equal, in constant time.
    pub(crate) fn matches(&self, other: &TokenHash) -> bool {
        let difference = self
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b));
        std::hint::black_box(difference) == 0
    }

    /// Whether `token` is one of `known`; every one of them is compared, in constant time.
    pub(crate) fn is_any_of(token: &str, known: &[TokenHash]) -> bool {
        let presented = TokenHash::of(token);
        known
            .iter()
            .fold(false, |found, known| found | presented.matches(known))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_authorization() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
    }

    #[test]
    fn tokens_match_only_themselves() {
        let known = [TokenHash::of("first"), TokenHash::of("second")];
        assert!(TokenHash::is_any_of("first", &known));
        assert!(TokenHash::is_any_of("second", &known));
        assert!(!TokenHash::is_any_of("firs", &known));
        assert!(!TokenHash::is_any_of("first ", &known));
        assert!(!TokenHash::is_any_of("", &known));
        assert!(!TokenHash::is_any_of("first", &[]));
        assert!(!format!("{:?}", known).contains("first"));
    }
}
