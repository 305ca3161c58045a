//! The OIDC token exchange bodies (PROTOCOL §7) and GitHub Actions' ID-token answer.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The scope a client asks for in every exchange, and the one a registry grants for reading.
pub const PACKS_READ_SCOPE: &str = "packs:read";

/// The `token_type` of an exchanged access token.
pub const BEARER_TOKEN_TYPE: &str = "Bearer";

/// `POST /auth/oidc/exchange`: `{"id_token", "scope"}`.
///
/// `Debug` never shows the ID token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcExchangeRequest {
    /// The CI system's ID token (a compact JWS).
    pub id_token: String,
    /// The scope asked for ([`PACKS_READ_SCOPE`]); a registry may assume it when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for OidcExchangeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcExchangeRequest")
            .field("id_token", &"<redacted>")
            .field("scope", &self.scope)
            .finish()
    }
}

/// The answer of a successful exchange:
/// `{"access_token", "token_type": "Bearer", "expires_in", "scope"}`.
///
/// `Debug` never shows the access token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcExchangeAnswer {
    /// The bearer token for registry requests.
    pub access_token: String,
    /// [`BEARER_TOKEN_TYPE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Its lifetime in seconds; absent means 0 (use it once, then exchange again).
    #[serde(default)]
    pub expires_in: u64,
    /// The scope granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for OidcExchangeAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcExchangeAnswer")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

/// GitHub Actions' ID-token endpoint answer: `{"value": <ID token>}`.
///
/// `Debug` never shows the ID token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GithubIdTokenAnswer {
    /// The ID token.
    pub value: String,
}

impl fmt::Debug for GithubIdTokenAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GithubIdTokenAnswer(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_bodies_in_the_protocol_shape() {
        let request = OidcExchangeRequest {
            id_token: "s3cret".into(),
            scope: Some(PACKS_READ_SCOPE.into()),
        };
        let text = serde_json::to_string(&request).unwrap();
        assert_eq!(text, r#"{"id_token":"s3cret","scope":"packs:read"}"#);
        assert!(!format!("{request:?}").contains("s3cret"));
        let answer: OidcExchangeAnswer =
            serde_json::from_str(r#"{"access_token":"s3cret","extra":[]}"#).unwrap();
        assert_eq!((answer.expires_in, answer.token_type.as_deref()), (0, None));
        assert!(!format!("{answer:?}").contains("s3cret"));
        let id: GithubIdTokenAnswer = serde_json::from_str(r#"{"value":"s3cret"}"#).unwrap();
        assert!(!format!("{id:?}").contains("s3cret"));
    }
}
