//! The OIDC token exchange for CI (PROTOCOL §7), compiled only with the `oidc` feature: an ID
//! token from GitHub Actions, a file or a value, exchanged at the registry for a cached
//! access token.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode, Uri};
use registry_types::wire::{
    ErrorCode, GithubIdTokenAnswer, JSON_MEDIA_TYPE, OIDC_EXCHANGE_PATH, OidcExchangeAnswer,
    OidcExchangeRequest, PACKS_READ_SCOPE,
};
use snafu::ResultExt;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::endpoint::{Origin, join, percent_encode};
use crate::error::{Error, ReadIdTokenSnafu, Result};
use crate::request_fault::{InvalidJsonSnafu, RequestFault};
use crate::retry::{exponential, is_retryable_status};
use crate::secret::SecretToken;
use crate::status::error_code;
use crate::target::{RegistryName, Target, TargetKind};
use crate::transport::{Auth, Call, Redirects, Transport};

/// The longest an exchanged access token is cached, whatever its `expires_in` says: a huge
/// value from a broken or hostile registry must not overflow the expiry instant (a panic).
const MAX_CACHED_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How the OIDC provider gets ID tokens and how it caches and retries.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct OidcConfig {
    /// Where the ID token comes from.
    pub id_token: IdTokenSource,
    /// The scope asked for ([`registry_types::wire::PACKS_READ_SCOPE`]).
    pub scope: String,
    /// An access token is used until this long before it expires (60 s).
    pub refresh_margin: Duration,
    /// The first back-off step after a failed exchange (1 s; tests scale it down). Steps
    /// double up to 30 units.
    pub backoff_unit: Duration,
    /// Attempts per exchange, the first included (4: waits of 1, 2 and 4 units).
    pub max_attempts: u32,
}

impl OidcConfig {
    /// The protocol's defaults for an ID token from `id_token`.
    pub fn new(id_token: IdTokenSource) -> Self {
        OidcConfig {
            id_token,
            scope: PACKS_READ_SCOPE.to_owned(),
            refresh_margin: Duration::from_secs(60),
            backoff_unit: Duration::from_secs(1),
            max_attempts: 4,
        }
    }
}

/// Where ID tokens come from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum IdTokenSource {
    /// GitHub Actions: `GET {request_url}&audience=<registry origin>` with the request token
    /// (`ACTIONS_ID_TOKEN_REQUEST_URL`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN`) answers
    /// `{"value": <ID token>}`. A fresh ID token is asked for at each exchange.
    GitHubActions {
        /// The token endpoint URL.
        request_url: String,
        /// The bearer token for that endpoint.
        request_token: SecretToken,
    },
    /// A file holding the ID token, read at each exchange (`ASSAY_OIDC_ID_TOKEN_FILE`;
    /// CI systems that rotate a projected token file).
    File(PathBuf),
    /// This ID token (`ASSAY_OIDC_ID_TOKEN`).
    Value(SecretToken),
}

/// An exchanged access token and when to stop using it.
#[derive(Clone)]
struct Cached {
    token: SecretToken,
    refresh_at: Instant,
}

/// The OIDC provider's state: its configuration and the cached access token.
pub(crate) struct OidcExchange {
    config: OidcConfig,
    cached: Mutex<Option<Cached>>,
}

/// A failed exchange attempt and whether another may succeed.
struct Attempt {
    error: Error,
    retryable: bool,
}

impl From<Error> for Attempt {
    fn from(error: Error) -> Self {
        Attempt {
            error,
            retryable: false,
        }
    }
}

impl OidcExchange {
    pub(crate) fn new(config: OidcConfig) -> Self {
        OidcExchange {
            config,
            cached: Mutex::new(None),
        }
    }

    pub(crate) fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The cached access token, or a new one. Concurrent callers wait for one exchange.
    pub(crate) async fn current(&self, transport: &Transport) -> Result<SecretToken> {
        let mut cached = self.cached.lock().await;
        if let Some(entry) = cached
            .as_ref()
            .filter(|entry| Instant::now() < entry.refresh_at)
        {
            return Ok(entry.token.clone());
        }
        let fresh = self.exchange(transport).await?;
        *cached = Some(fresh.clone());
        Ok(fresh.token)
    }

    /// Forgets the cached token if it is the one the registry refused (a concurrent
    /// request may already have replaced it).
    pub(crate) async fn invalidate(&self, failed: &SecretToken) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|entry| &entry.token == failed) {
            *cached = None;
        }
    }

    /// Exchanges with back-off: 1, 2, 4 … units, at most 30 units, `max_attempts` in all.
    async fn exchange(&self, transport: &Transport) -> Result<Cached> {
        let unit = self.config.backoff_unit;
        let cap = unit.saturating_mul(30);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_exchange(transport, attempt).await {
                Ok(cached) => return Ok(cached),
                Err(failed) if failed.retryable && attempt < self.config.max_attempts.max(1) => {
                    tokio::time::sleep(exponential(unit, cap, attempt)).await;
                }
                Err(failed) => return Err(failed.error),
            }
        }
    }

    async fn try_exchange(&self, transport: &Transport, attempt: u32) -> Result<Cached, Attempt> {
        let id_token = self.id_token(transport, attempt).await?;
        let target = Target::new(TargetKind::TokenExchange);
        let registry = &transport.registry;
        let body = OidcExchangeRequest {
            id_token: id_token.expose_secret().to_owned(),
            scope: Some(self.config.scope.clone()),
        };
        // A struct of two strings always serializes.
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let call = Call {
            method: Method::POST,
            uri: join(&transport.config.base_url, OIDC_EXCHANGE_PATH),
            target: &target,
            registry,
            accept: JSON_MEDIA_TYPE,
            if_none_match: None,
            json_body: Some(Bytes::from(body)),
            max_body: transport.config.limits.max_json_bytes,
            auth: Auth::Anonymous,
            redirects: Redirects::Refuse,
        };
        let reply = self.send(transport, &call, attempt).await?;
        let answer: OidcExchangeAnswer = serde_json::from_slice(&reply.body)
            .context(InvalidJsonSnafu)
            .map_err(|fault| fault.at(&target, registry, attempt))?;
        let token = SecretToken::new(&answer.access_token, "exchanged access token")?;
        let lifetime = Duration::from_secs(answer.expires_in)
            .min(MAX_CACHED_LIFETIME)
            .saturating_sub(self.config.refresh_margin);
        Ok(Cached {
            token,
            refresh_at: Instant::now() + lifetime,
        })
    }

    /// One request of the exchange: 2xx is returned, retryable statuses and failures are
    /// marked so, refusals carry the protocol's error code.
    async fn send(
        &self,
        transport: &Transport,
        call: &Call<'_>,
        attempt: u32,
    ) -> Result<crate::transport::Reply, Attempt> {
        match transport.attempt(call, None).await {
            Ok(reply) if reply.status.is_success() => Ok(reply),
            Ok(reply) => {
                let status = reply.status;
                let fault = match status {
                    StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                        let code = match error_code(&reply.body) {
                            Some(ErrorCode::InvalidRequest) => OidcFault::InvalidRequest,
                            Some(ErrorCode::InvalidToken) => OidcFault::InvalidToken,
                            Some(ErrorCode::AccessDenied) => OidcFault::AccessDenied,
                            _ => OidcFault::Other,
                        };
                        RequestFault::TokenRejected { status, code }
                    }
                    _ if is_retryable_status(status) => RequestFault::ServerError { status },
                    _ => RequestFault::UnexpectedStatus { status },
                };
                Err(Attempt {
                    error: fault.at(call.target, call.registry, attempt),
                    retryable: is_retryable_status(status),
                })
            }
            Err(fault) => Err(Attempt {
                retryable: fault.is_retryable(),
                error: fault.at(call.target, call.registry, attempt),
            }),
        }
    }

    async fn id_token(&self, transport: &Transport, attempt: u32) -> Result<SecretToken, Attempt> {
        match &self.config.id_token {
            IdTokenSource::Value(token) => Ok(token.clone()),
            IdTokenSource::File(path) => {
                let text = std::fs::read_to_string(path).context(ReadIdTokenSnafu { path })?;
                Ok(SecretToken::new(&text, "ID token file")?)
            }
            IdTokenSource::GitHubActions {
                request_url,
                request_token,
            } => {
                let separator = if request_url.contains('?') { '&' } else { '?' };
                let audience = percent_encode(&transport.config.base_url.origin());
                let url = format!("{request_url}{separator}audience={audience}");
                let target = Target::new(TargetKind::IdToken);
                let uri = url
                    .parse::<Uri>()
                    .ok()
                    .filter(|uri| Origin::of(uri).is_some());
                let Some(uri) = uri else {
                    return Err(Error::InvalidUrl {
                        url: request_url.clone(),
                        fault: registry_types::UrlFault::NotAbsolute,
                    }
                    .into());
                };
                let origin = Origin::of(&uri);
                let registry = RegistryName::new(
                    &origin.as_ref().map(ToString::to_string).unwrap_or_default(),
                );
                if !origin.is_some_and(|origin| origin.allowed_by(transport.config.plain_http)) {
                    return Err(Error::InsecureUrl {
                        url: request_url.clone(),
                    }
                    .into());
                }
                let call = Call {
                    method: Method::GET,
                    uri,
                    target: &target,
                    registry: &registry,
                    accept: JSON_MEDIA_TYPE,
                    if_none_match: None,
                    json_body: None,
                    max_body: transport.config.limits.max_json_bytes,
                    auth: Auth::Bearer(request_token),
                    redirects: Redirects::Refuse,
                };
                let reply = self.send(transport, &call, attempt).await?;
                let answer: GithubIdTokenAnswer = serde_json::from_slice(&reply.body)
                    .context(InvalidJsonSnafu)
                    .map_err(|fault| fault.at(&target, &registry, attempt))?;
                Ok(SecretToken::new(&answer.value, "GitHub Actions ID token")?)
            }
        }
    }
}

/// The error code of a refused OIDC exchange (PROTOCOL §7), or of a refused ID-token request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OidcFault {
    /// `invalid_request` (400).
    InvalidRequest,
    /// `invalid_token` (401): the ID token was not accepted.
    InvalidToken,
    /// `access_denied` (403).
    AccessDenied,
    /// Another or no code.
    Other,
}

impl fmt::Display for OidcFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OidcFault::InvalidRequest => "invalid_request",
            OidcFault::InvalidToken => "invalid_token (the ID token was not accepted)",
            OidcFault::AccessDenied => "access_denied",
            OidcFault::Other => "the request was refused",
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::oidc::{IdTokenSource, OidcConfig};
    use crate::secret::SecretToken;
    use crate::token::TokenProvider;

    #[test]
    fn debug_of_an_oidc_provider_never_shows_a_token() {
        let secret = "tok-0123456789abcdef";
        let providers = [
            TokenProvider::oidc(OidcConfig::new(IdTokenSource::Value(
                SecretToken::new(secret, "ID token").unwrap(),
            ))),
            TokenProvider::oidc(OidcConfig::new(IdTokenSource::GitHubActions {
                request_url: "https://token.example/x?a=1".into(),
                request_token: SecretToken::new(secret, "request token").unwrap(),
            })),
        ];
        for provider in providers {
            let shown = format!("{provider:?} {provider:#?}");
            assert!(shown.starts_with("TokenProvider::Oidc("), "{shown}");
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
