//! Authentication to a registry: a bearer token that is static, read from the environment,
//! or (with the `oidc` feature) exchanged for a CI job's OIDC ID token.
//!
//! A [`TokenProvider`] goes into [`RegistryConfig::token`](crate::RegistryConfig::token);
//! [`RegistryConfig::from_env`](crate::RegistryConfig::from_env) chooses one from the
//! environment. Tokens are [`SecretToken`]s, whose `Debug` and `Display` are redacted, and
//! they are sent only to the registry's own origin.
//!
//! The names of the OIDC variables are here with or without the feature (they are only
//! names); `OidcConfig`, `IdTokenSource`, `OidcFault` and `TokenProvider::oidc` exist only
//! with it, and only with it does `RegistryConfig::from_env` read those variables.

pub use registry_http::{
    ACTIONS_ID_TOKEN_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_URL, ASSAY_OIDC_ID_TOKEN,
    ASSAY_OIDC_ID_TOKEN_FILE, ASSAY_REGISTRY_TOKEN, SecretToken, TokenProvider,
};
#[cfg(feature = "oidc")]
pub use registry_http::{IdTokenSource, OidcConfig, OidcFault};
