//! Where registry bearer tokens come from: none, a static token, an environment variable, or
//! (with the `oidc` feature) an OIDC exchange.

use std::fmt;
use std::sync::Arc;

use crate::error::Result;
#[cfg(feature = "oidc")]
use crate::oidc::{OidcConfig, OidcExchange};
use crate::secret::SecretToken;
use crate::transport::Transport;

/// The source of the registry's bearer token.
///
/// The token is sent only to the registry's own origin (scheme, host and port of the base
/// URL), on every request there (`/keys` and `.sig` included), and never after a redirect
/// to another origin. `Debug` shows the kind of provider, never a token. Cloning shares
/// the provider, and with it an OIDC provider's cached access token.
#[derive(Clone)]
pub struct TokenProvider(Arc<Source>);

enum Source {
    None,
    Static(SecretToken),
    Environment(String),
    #[cfg(feature = "oidc")]
    Oidc(OidcExchange),
}

impl TokenProvider {
    /// No token: anonymous requests (open packs only, on most registries).
    pub fn none() -> Self {
        TokenProvider(Arc::new(Source::None))
    }

    /// Always this token (`ASSAY_REGISTRY_TOKEN`, or a token from a config file).
    pub fn from_token(token: SecretToken) -> Self {
        TokenProvider(Arc::new(Source::Static(token)))
    }

    /// The value of environment variable `variable`, read at each request (unset or empty:
    /// no token).
    pub fn from_env_var(variable: impl Into<String>) -> Self {
        TokenProvider(Arc::new(Source::Environment(variable.into())))
    }

    /// Access tokens from the registry's OIDC exchange (PROTOCOL §7), cached until 60 s
    /// before they expire and exchanged again once when the registry answers 401. Only with
    /// the `oidc` feature.
    #[cfg(feature = "oidc")]
    pub fn oidc(config: OidcConfig) -> Self {
        TokenProvider(Arc::new(Source::Oidc(OidcExchange::new(config))))
    }

    /// Whether requests go without a token.
    pub fn is_none(&self) -> bool {
        matches!(*self.0, Source::None)
    }

    /// The token for the next request, exchanging one first if needed.
    pub(crate) async fn current(
        &self,
        #[cfg_attr(
            not(feature = "oidc"),
            expect(
                unused_variables,
                reason = "only an OIDC provider talks to the registry to get its token"
            )
        )]
        transport: &Transport,
    ) -> Result<Option<SecretToken>> {
        match &*self.0 {
            Source::None => Ok(None),
            Source::Static(token) => Ok(Some(token.clone())),
            Source::Environment(variable) => match std::env::var(variable) {
                Ok(value) if !value.trim().is_empty() => {
                    SecretToken::new(&value, "token from the environment").map(Some)
                }
                _ => Ok(None),
            },
            #[cfg(feature = "oidc")]
            Source::Oidc(exchange) => exchange.current(transport).await.map(Some),
        }
    }

    /// Called after the registry refused `failed` with a 401; returns whether a fresh token
    /// can be obtained (only an OIDC provider can).
    #[cfg(feature = "oidc")]
    pub(crate) async fn invalidate(&self, failed: &SecretToken) -> bool {
        match &*self.0 {
            Source::Oidc(exchange) => {
                exchange.invalidate(failed).await;
                true
            }
            Source::None | Source::Static(_) | Source::Environment(_) => false,
        }
    }
}

impl Default for TokenProvider {
    fn default() -> Self {
        TokenProvider::none()
    }
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            Source::None => f.write_str("TokenProvider::None"),
            Source::Static(token) => write!(f, "TokenProvider::Static({token:?})"),
            Source::Environment(variable) => write!(f, "TokenProvider::Environment({variable})"),
            #[cfg(feature = "oidc")]
            Source::Oidc(exchange) => write!(f, "TokenProvider::Oidc({:?})", exchange.config()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_token() {
        let secret = "tok-0123456789abcdef";
        let providers = [
            TokenProvider::none(),
            TokenProvider::from_token(SecretToken::new(secret, "static token").unwrap()),
            TokenProvider::from_env_var("ASSAY_REGISTRY_TOKEN"),
        ];
        for provider in providers {
            let shown = format!("{provider:?} {provider:#?}");
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
