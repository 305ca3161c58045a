//! The OIDC token exchange (PROTOCOL §7): ID tokens from a configured issuer in, access tokens out.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use data_encoding::HEXLOWER;
use http::StatusCode;
use registry_types::wire::{
    BEARER_TOKEN_TYPE, ErrorCode, GithubIdTokenAnswer, OidcExchangeAnswer, OidcExchangeRequest,
    PACKS_READ_SCOPE,
};
use registry_verify::{Algorithm, PrivateKey};
use ring::rand::{SecureRandom, SystemRandom};
use snafu::ResultExt;

use crate::bearer::{TokenHash, bearer_token};
use crate::error::{GenerateKeySnafu, Result};
use crate::id_token::{self, IdTokenClaims};
use crate::reply::{self, Reply};

/// GitHub Actions' issuer, the default `iss` of minted and accepted ID tokens.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The subject of minted ID tokens.
pub const DEFAULT_SUBJECT: &str = "repo:acme/app:ref:refs/heads/main";

/// The path of the fake GitHub ID-token endpoint (outside `/v1`).
pub const GITHUB_TOKEN_PATH: &str = "/_github/oidc/token";

/// The OIDC exchange: which ID tokens are accepted, and what access tokens are issued.
///
/// Cloning shares the issuer key, so a test can keep a copy to mint tokens while the server
/// holds the other. `Debug` never shows [`Self::github_request_token`].
#[derive(Clone)]
pub struct OidcConfig {
    /// The issuer's key: ID tokens must be signed by it (EdDSA for Ed25519, ES256 for P-256).
    pub issuer_key: Arc<PrivateKey>,
    /// The `iss` ID tokens must carry (default [`GITHUB_ISSUER`]).
    pub issuer: String,
    /// The `aud` ID tokens must carry; `None` (the default) means the server's origin
    /// ([`crate::RunningServer::origin`]), as PROTOCOL §7 says.
    pub audience: Option<String>,
    /// The `expires_in` of issued access tokens (default one hour); they are refused after it.
    pub access_token_ttl: Duration,
    /// Scopes that may be asked for (default `packs:read`); others get 403 `access_denied`.
    pub allowed_scopes: Vec<String>,
    /// Subjects (`sub`) answered with 403 `access_denied`.
    pub denied_subjects: Vec<String>,
    /// When set, the server also plays GitHub's ID-token endpoint at [`GITHUB_TOKEN_PATH`]
    /// (see [`crate::RunningServer::github_token_request_url`]): `GET` with this bearer token
    /// and `&audience=…` answers `{"value": <ID token>}`.
    pub github_request_token: Option<String>,
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer_key", &self.issuer_key)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("allowed_scopes", &self.allowed_scopes)
            .field("denied_subjects", &self.denied_subjects)
            .field(
                "github_request_token",
                &self.github_request_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl OidcConfig {
    /// Accepts ID tokens signed by `issuer_key`, with the defaults above.
    pub fn new(issuer_key: PrivateKey) -> Self {
        OidcConfig {
            issuer_key: Arc::new(issuer_key),
            issuer: GITHUB_ISSUER.to_owned(),
            audience: None,
            access_token_ttl: Duration::from_secs(3600),
            allowed_scopes: vec![PACKS_READ_SCOPE.to_owned()],
            denied_subjects: Vec::new(),
            github_request_token: None,
        }
    }

    /// [`Self::new`] with a fresh Ed25519 issuer key.
    ///
    /// # Errors
    /// [`crate::Error::GenerateKey`] if the random number generator fails.
    pub fn generate() -> Result<Self> {
        let key = PrivateKey::generate(Algorithm::Ed25519).context(GenerateKeySnafu {
            role: "OIDC issuer",
        })?;
        Ok(Self::new(key))
    }

    /// An ID token for `audience` (the registry origin) valid for `ttl` from now, with
    /// subject [`DEFAULT_SUBJECT`].
    ///
    /// # Errors
    /// [`crate::Error::SignIdToken`] if the key fails to sign.
    pub fn mint_id_token(&self, audience: &str, ttl: Duration) -> Result<String> {
        let now = unix_now();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
        self.mint_id_token_with(&IdTokenClaims {
            issuer: self.issuer.clone(),
            subject: DEFAULT_SUBJECT.to_owned(),
            audience: audience.to_owned(),
            issued_at: now,
            expires_at: now.saturating_add(ttl),
        })
    }

    /// An ID token with exactly these claims (for expired, early or foreign tokens).
    ///
    /// # Errors
    /// [`crate::Error::SignIdToken`] if the key fails to sign.
    pub fn mint_id_token_with(&self, claims: &IdTokenClaims) -> Result<String> {
        id_token::mint(&self.issuer_key, claims)
    }
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Access tokens issued by the exchange, with their expiry (Unix seconds). Only their
/// hashes are kept, so a lookup's timing says nothing about the token looked up.
#[derive(Debug, Default)]
pub(crate) struct AccessTokens {
    issued: Mutex<HashMap<TokenHash, i64>>,
}

impl AccessTokens {
    /// Issues a new random token valid for `ttl`.
    fn issue(&self, ttl: Duration) -> String {
        let mut raw = [0u8; 24];
        // The system generator only fails when the OS has no randomness; a fixed-looking
        // token then still works for a test server, and is unique by the counter below.
        let _ = SystemRandom::new().fill(&mut raw);
        let mut issued = self.lock();
        let token = format!("oidc-{}-{}", HEXLOWER.encode(&raw), issued.len());
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
        issued.insert(TokenHash::of(&token), unix_now().saturating_add(ttl));
        token
    }

    /// Whether `token` was issued and has not expired.
    pub(crate) fn is_valid(&self, token: &str) -> bool {
        self.lock()
            .get(&TokenHash::of(token))
            .is_some_and(|expires_at| *expires_at > unix_now())
    }

    /// Forgets every issued token, so that clients get 401 and must exchange again.
    pub(crate) fn revoke_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TokenHash, i64>> {
        // Nothing panics while the lock is held; a poisoned map is still a valid map.
        self.issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Handles an exchange request body; `origin` is the default audience.
pub(crate) fn exchange(
    config: &OidcConfig,
    tokens: &AccessTokens,
    body: &[u8],
    origin: &str,
) -> Reply {
    let Ok(request) = serde_json::from_slice::<OidcExchangeRequest>(body) else {
        return reply::bad_request("the body must be JSON with a string \"id_token\"");
    };
    let audience = config.audience.as_deref().unwrap_or(origin);
    let accepted = match id_token::verify(
        &request.id_token,
        &config.issuer_key.public_key(),
        &config.issuer,
        audience,
        unix_now(),
    ) {
        Ok(accepted) => accepted,
        Err(fault) => {
            return reply::error(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidToken,
                fault.to_string(),
            );
        }
    };
    let scope = request.scope.unwrap_or_else(|| PACKS_READ_SCOPE.to_owned());
    if !config.allowed_scopes.contains(&scope) {
        return reply::error(
            StatusCode::FORBIDDEN,
            ErrorCode::AccessDenied,
            format!("scope {scope:?} is not granted"),
        );
    }
    if config.denied_subjects.contains(&accepted.subject) {
        return reply::error(
            StatusCode::FORBIDDEN,
            ErrorCode::AccessDenied,
            format!("subject {:?} may not read packs", accepted.subject),
        );
    }
    reply::json(
        StatusCode::OK,
        &OidcExchangeAnswer {
            access_token: tokens.issue(config.access_token_ttl),
            token_type: Some(BEARER_TOKEN_TYPE.to_owned()),
            expires_in: config.access_token_ttl.as_secs(),
            scope: Some(scope),
        },
    )
}

/// Handles the fake GitHub ID-token endpoint: checks the request token and mints an ID
/// token for the `audience` query parameter (default: `origin`), valid for five minutes.
pub(crate) fn github_id_token(
    config: &OidcConfig,
    authorization: Option<&str>,
    audience: Option<String>,
    origin: &str,
) -> Reply {
    let Some(expected) = &config.github_request_token else {
        return reply::not_found("the GitHub ID-token endpoint");
    };
    let presented = authorization.and_then(bearer_token);
    if !presented.is_some_and(|token| TokenHash::of(token).matches(&TokenHash::of(expected))) {
        return reply::unauthorized(ErrorCode::InvalidToken, "a valid request token is required");
    }
    let audience = audience.unwrap_or_else(|| origin.to_owned());
    match config.mint_id_token(&audience, Duration::from_secs(300)) {
        Ok(value) => reply::json(StatusCode::OK, &GithubIdTokenAnswer { value }),
        Err(error) => reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            snafu::Report::from_error(error).to_string(),
        ),
    }
}
