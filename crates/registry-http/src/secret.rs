//! Bearer tokens kept out of logs: `Debug` and `Display` never show them.

use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use snafu::ensure;

use crate::error::{InvalidTokenSnafu, Result};

/// A bearer token (a registry access token, an ID token or a CI request token).
///
/// `Debug` and `Display` print `<redacted>`; the only way to the text is
/// [`SecretToken::expose_secret`], used where the `Authorization` header is built. The
/// header value is marked sensitive, so HTTP/2 never indexes it in HPACK tables. Cloning
/// shares the text rather than copying it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(Arc<str>);

impl SecretToken {
    /// Wraps a token; `origin` names where it came from for the error message
    /// (`"value of ASSAY_REGISTRY_TOKEN"`, `"static token"`, …).
    ///
    /// Surrounding whitespace (a trailing newline in a file or variable) is removed.
    ///
    /// # Errors
    /// [`crate::Error::InvalidToken`] when the token is empty or holds anything but visible
    /// ASCII, so that it could not travel in a header (the token is not shown).
    pub fn new(token: &str, origin: &'static str) -> Result<Self> {
        let token = token.trim();
        ensure!(
            !token.is_empty() && token.bytes().all(|byte| byte.is_ascii_graphic()),
            InvalidTokenSnafu { origin }
        );
        Ok(SecretToken(Arc::from(token)))
    }

    /// The token text. Never log it or put it in an error.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The `Authorization: Bearer …` value, marked sensitive.
    pub(crate) fn bearer_header(&self) -> HeaderValue {
        let text = format!("Bearer {}", self.0);
        // `new` admits only visible ASCII, which is always a valid header value.
        let mut value =
            HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""));
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

impl fmt::Display for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let token = SecretToken::new("  s3cr3t-token-value\n", "static token").unwrap();
        assert_eq!(token.expose_secret(), "s3cr3t-token-value");
        let shown = format!("{token:?} {token} {token:#?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        let header = token.bearer_header();
        assert!(header.is_sensitive());
        assert_eq!(header.to_str().unwrap(), "Bearer s3cr3t-token-value");
        assert!(!format!("{header:?}").contains("s3cr3t"));
    }

    #[test]
    fn rejects_tokens_that_cannot_be_headers() {
        for bad in ["", "   ", "two words", "tab\tinside", "é"] {
            let error = SecretToken::new(bad, "static token").unwrap_err();
            assert!(matches!(
                error,
                crate::Error::InvalidToken {
                    origin: "static token"
                }
            ));
            assert!(!error.to_string().contains(bad.trim()) || bad.trim().is_empty());
        }
    }
}
