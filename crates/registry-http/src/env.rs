//! The environment variables of PROTOCOL §6–§7, read through a lookup function so that
//! tests never touch the process environment.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use registry_types::BaseUrl;
use snafu::ResultExt;

use crate::config::{CaBundle, DEFAULT_REGISTRY_URL, RegistryConfig};
use crate::error::{Error, InvalidBaseUrlSnafu, Result};
#[cfg(feature = "oidc")]
use crate::oidc::{IdTokenSource, OidcConfig};
use crate::secret::SecretToken;
use crate::token::TokenProvider;

/// The registry's base URL (default [`DEFAULT_REGISTRY_URL`]).
pub const ASSAY_REGISTRY_URL: &str = "ASSAY_REGISTRY_URL";
/// A static bearer token; wins over every OIDC source (`oidc` feature).
pub const ASSAY_REGISTRY_TOKEN: &str = "ASSAY_REGISTRY_TOKEN";
/// The per-attempt timeout in whole seconds (default 30).
pub const ASSAY_REGISTRY_TIMEOUT: &str = "ASSAY_REGISTRY_TIMEOUT";
/// Retries after the first attempt (default 3, at most 100).
pub const ASSAY_REGISTRY_MAX_RETRIES: &str = "ASSAY_REGISTRY_MAX_RETRIES";
/// `1`/`true`/`yes` tolerates a *missing* signature (development only). Verification policy,
/// so the resolver reads it; [`RegistryConfig::from_lookup`] does not.
pub const ASSAY_ALLOW_UNSIGNED_PACKS: &str = "ASSAY_ALLOW_UNSIGNED_PACKS";
/// A PEM file of extra CA certificates for a private registry.
pub const ASSAY_REGISTRY_CA_BUNDLE: &str = "ASSAY_REGISTRY_CA_BUNDLE";
/// A file holding an OIDC ID token (CI systems other than GitHub Actions). Read only with
/// the `oidc` feature.
pub const ASSAY_OIDC_ID_TOKEN_FILE: &str = "ASSAY_OIDC_ID_TOKEN_FILE";
/// An OIDC ID token (CI systems other than GitHub Actions). Read only with the `oidc`
/// feature.
pub const ASSAY_OIDC_ID_TOKEN: &str = "ASSAY_OIDC_ID_TOKEN";
/// GitHub Actions' ID-token endpoint (set when the job has `id-token: write`). Read only
/// with the `oidc` feature.
pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// GitHub Actions' bearer token for that endpoint. Read only with the `oidc` feature.
pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

/// The longest `ASSAY_REGISTRY_TIMEOUT` accepted: one day.
const MAX_TIMEOUT_SECONDS: u64 = 24 * 3600;
/// The largest `ASSAY_REGISTRY_MAX_RETRIES` accepted.
const MAX_RETRIES: u32 = 100;

fn malformed(variable: &'static str, fault: EnvFault) -> Error {
    Error::InvalidEnvironment { variable, fault }
}

impl RegistryConfig {
    /// The configuration the process environment describes; see
    /// [`RegistryConfig::from_lookup`]. The OIDC variables are read only with the `oidc`
    /// feature; without it they are ignored.
    ///
    /// # Errors
    /// As [`RegistryConfig::from_lookup`].
    pub fn from_env() -> Result<RegistryConfig> {
        RegistryConfig::from_lookup(|name| std::env::var_os(name))
    }

    /// The configuration that the variables returned by `lookup` describe. Unset and empty
    /// (or blank) variables mean the default.
    ///
    /// - [`ASSAY_REGISTRY_URL`], [`ASSAY_REGISTRY_TIMEOUT`], [`ASSAY_REGISTRY_MAX_RETRIES`],
    ///   [`ASSAY_REGISTRY_CA_BUNDLE`] (the file is read now);
    /// - the token: [`ASSAY_REGISTRY_TOKEN`]; else, with the `oidc` feature only, an OIDC
    ///   exchange with the ID token from [`ASSAY_OIDC_ID_TOKEN_FILE`],
    ///   [`ASSAY_OIDC_ID_TOKEN`], or GitHub Actions ([`ACTIONS_ID_TOKEN_REQUEST_URL`] and
    ///   [`ACTIONS_ID_TOKEN_REQUEST_TOKEN`], both set); else none. Without the feature those
    ///   four variables are not read at all, so even a malformed value is no error.
    ///
    /// # Errors
    /// [`Error::InvalidEnvironment`] naming the variable (a token's value is never shown),
    /// [`Error::InvalidBaseUrl`], [`Error::InvalidToken`] or [`Error::ReadCaBundle`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Result<RegistryConfig> {
        let read = |variable: &'static str| -> Result<Option<String>> {
            let Some(value) = lookup(variable) else {
                return Ok(None);
            };
            let value = value
                .into_string()
                .map_err(|_| malformed(variable, EnvFault::NotUnicode))?;
            let value = value.trim();
            Ok((!value.is_empty()).then(|| value.to_owned()))
        };
        let url = read(ASSAY_REGISTRY_URL)?;
        let base_url = BaseUrl::parse(url.as_deref().unwrap_or(DEFAULT_REGISTRY_URL))
            .context(InvalidBaseUrlSnafu)?;
        let mut config = RegistryConfig::new(base_url);
        if let Some(text) = read(ASSAY_REGISTRY_TIMEOUT)? {
            let seconds = text
                .parse::<u64>()
                .ok()
                .filter(|seconds| (1..=MAX_TIMEOUT_SECONDS).contains(seconds))
                .ok_or_else(|| malformed(ASSAY_REGISTRY_TIMEOUT, EnvFault::NotPositiveSeconds))?;
            config.timeouts.total = Duration::from_secs(seconds);
        }
        if let Some(text) = read(ASSAY_REGISTRY_MAX_RETRIES)? {
            config.retry.max_retries = text
                .parse::<u32>()
                .ok()
                .filter(|retries| *retries <= MAX_RETRIES)
                .ok_or_else(|| malformed(ASSAY_REGISTRY_MAX_RETRIES, EnvFault::NotRetryCount))?;
        }
        if let Some(path) = read(ASSAY_REGISTRY_CA_BUNDLE)? {
            config.ca_bundle = Some(CaBundle::from_file(Path::new(&path))?);
        }
        config.token = token_provider(&read)?;
        Ok(config)
    }
}

fn token_provider(read: &impl Fn(&'static str) -> Result<Option<String>>) -> Result<TokenProvider> {
    if let Some(token) = read(ASSAY_REGISTRY_TOKEN)? {
        let token = SecretToken::new(&token, "value of ASSAY_REGISTRY_TOKEN")?;
        return Ok(TokenProvider::from_token(token));
    }
    #[cfg(feature = "oidc")]
    if let Some(source) = id_token_source(read)? {
        return Ok(TokenProvider::oidc(OidcConfig::new(source)));
    }
    Ok(TokenProvider::none())
}

/// Where the OIDC variables say ID tokens come from: a file, a value, or GitHub Actions (both
/// of its variables set), in that order; `None` when none is configured.
#[cfg(feature = "oidc")]
fn id_token_source(
    read: &impl Fn(&'static str) -> Result<Option<String>>,
) -> Result<Option<IdTokenSource>> {
    if let Some(path) = read(ASSAY_OIDC_ID_TOKEN_FILE)? {
        return Ok(Some(IdTokenSource::File(path.into())));
    }
    if let Some(token) = read(ASSAY_OIDC_ID_TOKEN)? {
        let token = SecretToken::new(&token, "value of ASSAY_OIDC_ID_TOKEN")?;
        return Ok(Some(IdTokenSource::Value(token)));
    }
    let url = read(ACTIONS_ID_TOKEN_REQUEST_URL)?;
    let token = read(ACTIONS_ID_TOKEN_REQUEST_TOKEN)?;
    let (Some(request_url), Some(token)) = (url, token) else {
        return Ok(None);
    };
    Ok(Some(IdTokenSource::GitHubActions {
        request_url,
        request_token: SecretToken::new(&token, "value of ACTIONS_ID_TOKEN_REQUEST_TOKEN")?,
    }))
}

/// What is wrong with an environment variable's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvFault {
    /// The value is not valid Unicode.
    NotUnicode,
    /// Expected a whole number of seconds, greater than zero.
    NotPositiveSeconds,
    /// Expected a whole number from 0 to 100.
    NotRetryCount,
    /// The value is empty where something is required.
    Empty,
}

impl fmt::Display for EnvFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EnvFault::NotUnicode => "the value is not valid Unicode",
            EnvFault::NotPositiveSeconds => "expected a whole number of seconds greater than 0",
            EnvFault::NotRetryCount => "expected a whole number from 0 to 100",
            EnvFault::Empty => "the value is empty",
        })
    }
}
