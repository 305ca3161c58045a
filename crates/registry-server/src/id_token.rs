//! ID tokens as compact JWS (EdDSA or ES256): minted for tests acting as a CI issuer, and verified by the exchange.

use std::fmt;

use data_encoding::BASE64URL_NOPAD;
use registry_verify::{Algorithm, PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};
use snafu::ResultExt;

use crate::error::{Result, SignIdTokenSnafu};

/// The longest ID token the exchange reads, in bytes.
pub const MAX_ID_TOKEN_BYTES: usize = 16 * 1024;

/// The claims of an ID token that this server looks at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// `iss`: who issued it.
    #[serde(rename = "iss")]
    pub issuer: String,
    /// `sub`: whom it is about (on GitHub, `repo:owner/name:ref:…`).
    #[serde(rename = "sub")]
    pub subject: String,
    /// `aud`: whom it is for (the registry origin).
    #[serde(rename = "aud")]
    pub audience: String,
    /// `iat`, in seconds since the Unix epoch.
    #[serde(rename = "iat")]
    pub issued_at: i64,
    /// `exp`, in seconds since the Unix epoch.
    #[serde(rename = "exp")]
    pub expires_at: i64,
}

/// The JWS `alg` for a key.
fn jws_algorithm(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Ed25519 => "EdDSA",
        Algorithm::EcdsaP256Sha256 => "ES256",
        // An algorithm added later has no JWS name here yet, so its tokens are refused.
        _ => "unsupported",
    }
}

/// Signs `claims` as a compact JWS with `key`.
///
/// # Errors
/// [`crate::Error::SignIdToken`] when the key fails to sign.
pub(crate) fn mint(key: &PrivateKey, claims: &IdTokenClaims) -> Result<String> {
    let header = serde_json::json!({
        "alg": jws_algorithm(key.algorithm()),
        "typ": "JWT",
        "kid": key.key_id().as_str(),
    });
    // Serializing a `json!` value or a struct of strings and integers cannot fail.
    let header = serde_json::to_vec(&header).unwrap_or_default();
    let claims = serde_json::to_vec(claims).unwrap_or_default();
    let signing_input = format!(
        "{}.{}",
        BASE64URL_NOPAD.encode(&header),
        BASE64URL_NOPAD.encode(&claims)
    );
    let signature = key
        .sign(signing_input.as_bytes())
        .context(SignIdTokenSnafu)?;
    let signature = match key.algorithm() {
        // JWS wants ES256 signatures as the 64-byte `r ‖ s`; ring writes DER.
        Algorithm::EcdsaP256Sha256 => der_to_fixed(&signature).unwrap_or(signature),
        _ => signature,
    };
    Ok(format!(
        "{signing_input}.{}",
        BASE64URL_NOPAD.encode(&signature)
    ))
}

/// Why an ID token is refused (answered with 401 `invalid_token`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IdTokenFault {
    TooLong,
    Malformed,
    Algorithm(String),
    Signature,
    Issuer(String),
    Audience(String),
    Expired,
}

impl fmt::Display for IdTokenFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdTokenFault::TooLong => write!(f, "the ID token is over {MAX_ID_TOKEN_BYTES} bytes"),
            IdTokenFault::Malformed => {
                f.write_str("the ID token is not a compact JWS with JSON claims")
            }
            IdTokenFault::Algorithm(alg) => write!(f, "the ID token's alg {alg:?} is not accepted"),
            IdTokenFault::Signature => f.write_str("the ID token's signature does not verify"),
            IdTokenFault::Issuer(iss) => write!(f, "the ID token's issuer {iss:?} is not trusted"),
            IdTokenFault::Audience(aud) => write!(f, "the ID token is for audience {aud:?}"),
            IdTokenFault::Expired => f.write_str("the ID token has expired"),
        }
    }
}

/// The claims that matter once a token is accepted.
#[derive(Clone, Debug)]
pub(crate) struct Accepted {
    pub(crate) subject: String,
}

/// Verifies a compact JWS ID token against the issuer key, issuer, audience and `now`.
pub(crate) fn verify(
    token: &str,
    key: &PublicKey,
    issuer: &str,
    audience: &str,
    now: i64,
) -> Result<Accepted, IdTokenFault> {
    if token.len() > MAX_ID_TOKEN_BYTES {
        return Err(IdTokenFault::TooLong);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(IdTokenFault::Malformed);
    };
    let decode = |part: &str| {
        BASE64URL_NOPAD
            .decode(part.as_bytes())
            .map_err(|_| IdTokenFault::Malformed)
    };
    let header: serde_json::Value =
        serde_json::from_slice(&decode(header)?).map_err(|_| IdTokenFault::Malformed)?;
    let alg = header
        .get("alg")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if alg != jws_algorithm(key.algorithm()) {
        return Err(IdTokenFault::Algorithm(alg.to_owned()));
    }
    let signing_input_len = token.len() - signature.len() - 1;
    key.verify(&token.as_bytes()[..signing_input_len], &decode(signature)?)
        .map_err(|_| IdTokenFault::Signature)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&decode(claims)?).map_err(|_| IdTokenFault::Malformed)?;
    let text = |name: &str| claims.get(name).and_then(serde_json::Value::as_str);
    let iss = text("iss").unwrap_or_default();
    if iss != issuer {
        return Err(IdTokenFault::Issuer(iss.to_owned()));
    }
    let audience_matches = match claims.get("aud") {
        Some(serde_json::Value::String(aud)) => aud == audience,
        Some(serde_json::Value::Array(auds)) => auds.iter().any(|aud| aud == audience),
        _ => false,
    };
    if !audience_matches {
        let aud = claims
            .get("aud")
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(IdTokenFault::Audience(aud));
    }
    let exp = claims.get("exp").and_then(serde_json::Value::as_i64);
    if exp.is_none_or(|exp| exp <= now) {
        return Err(IdTokenFault::Expired);
    }
    let nbf = claims.get("nbf").and_then(serde_json::Value::as_i64);
    if nbf.is_some_and(|nbf| nbf > now) {
        return Err(IdTokenFault::Expired);
    }
    Ok(Accepted {
        subject: text("sub").unwrap_or_default().to_owned(),
    })
}

/// Converts a DER ECDSA signature to the 64-byte `r ‖ s` form.
fn der_to_fixed(der: &[u8]) -> Option<Vec<u8>> {
    let rest = der.strip_prefix(&[0x30])?;
    let (&len, rest) = rest.split_first()?;
    if usize::from(len) != rest.len() {
        return None;
    }
    let (r, rest) = der_integer(rest)?;
    let (s, rest) = der_integer(rest)?;
    if !rest.is_empty() || r.len() > 32 || s.len() > 32 {
        return None;
    }
    let mut fixed = vec![0u8; 64];
    fixed[32 - r.len()..32].copy_from_slice(r);
    fixed[64 - s.len()..].copy_from_slice(s);
    Some(fixed)
}

/// One DER INTEGER with its leading zero bytes removed, and what follows it.
fn der_integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = input.strip_prefix(&[0x02])?;
    let (&len, rest) = rest.split_first()?;
    let len = usize::from(len);
    if rest.len() < len {
        return None;
    }
    let (mut value, rest) = rest.split_at(len);
    while let Some((0, tail)) = value.split_first() {
        value = tail;
    }
    Some((value, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(audience: &str, expires_at: i64) -> IdTokenClaims {
        IdTokenClaims {
            issuer: "https://issuer.test".into(),
            subject: "repo:acme/app:ref:refs/heads/main".into(),
            audience: audience.into(),
            issued_at: 1_000,
            expires_at,
        }
    }

    #[test]
    fn minted_tokens_verify_for_both_algorithms() {
        for algorithm in Algorithm::ALL {
            let key = PrivateKey::generate(algorithm).unwrap();
            let token = mint(&key, &claims("http://127.0.0.1:1", 2_000)).unwrap();
            let public = key.public_key();
            let ok = verify(
                &token,
                &public,
                "https://issuer.test",
                "http://127.0.0.1:1",
                1_500,
            );
            assert_eq!(ok.unwrap().subject, "repo:acme/app:ref:refs/heads/main");
            let rejections = [
                verify(
                    &token,
                    &public,
                    "https://other",
                    "http://127.0.0.1:1",
                    1_500,
                ),
                verify(
                    &token,
                    &public,
                    "https://issuer.test",
                    "http://127.0.0.1:2",
                    1_500,
                ),
                verify(
                    &token,
                    &public,
                    "https://issuer.test",
                    "http://127.0.0.1:1",
                    2_000,
                ),
            ];
            assert!(matches!(rejections[0], Err(IdTokenFault::Issuer(_))));
            assert!(matches!(rejections[1], Err(IdTokenFault::Audience(_))));
            assert_eq!(rejections[2].clone().unwrap_err(), IdTokenFault::Expired);
        }
    }

    #[test]
    fn another_key_or_a_changed_claim_is_refused() {
        let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let other = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let token = mint(&other, &claims("a", 2_000)).unwrap();
        let result = verify(&token, &key.public_key(), "https://issuer.test", "a", 1_500);
        assert_eq!(result.unwrap_err(), IdTokenFault::Signature);

        let token = mint(&key, &claims("a", 2_000)).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims =
            BASE64URL_NOPAD.encode(&serde_json::to_vec(&claims("a", 9_999)).unwrap());
        let forged = format!("{}.{forged_claims}.{}", parts[0], parts[2]);
        let result = verify(
            &forged,
            &key.public_key(),
            "https://issuer.test",
            "a",
            1_500,
        );
        assert_eq!(result.unwrap_err(), IdTokenFault::Signature);
        let result = verify("a.b", &key.public_key(), "https://issuer.test", "a", 1_500);
        assert_eq!(result.unwrap_err(), IdTokenFault::Malformed);
    }
}
