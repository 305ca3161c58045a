//! Authentication to a registry: a bearer token that is static, read from the environment,
//! or (with the `oidc` feature) exchanged for a CI job's OIDC ID token.
//!
//! A [`TokenProvider`] goes into [`RegistryConfig::token`](crate::RegistryConfig::token);
//! [`RegistryConfig::from_env`](crate::RegistryConfig::from_env) chooses one from the
//! environment. Tokens are [`SecretToken`]s, whose `Debug` and `Display` are redacted, and
//! they are sent only to the registry's own origin.

pub use registry_http::{
    ACTIONS_ID_TOKEN_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_URL, ASSAY_OIDC_ID_TOKEN,
    ASSAY_OIDC_ID_TOKEN_FILE, IdTokenSource, OidcConfig, OidcFault,
};
pub use registry_http::{ASSAY_REGISTRY_TOKEN, SecretToken, TokenProvider};
