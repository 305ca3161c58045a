//! The environment variables, read through a lookup closure, and secrets that never show.

use std::collections::HashMap;
use std::ffi::OsString;
use std::time::Duration;

use registry_http::{
    DEFAULT_REGISTRY_URL, EnvFault, Error, RegistryClient, RegistryConfig, SecretToken,
    TokenProvider,
};
use registry_types::{BaseUrl, UrlFault};

pub(crate) const SECRET: &str = "tok-5ecret-value-0123456789";

/// GitHub Actions' two variables, as a job with `id-token: write` has them.
const GITHUB: [(&str, &str); 2] = [
    (
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "https://token.actions.example/x?api-version=2.0",
    ),
    ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", SECRET),
];

pub(crate) fn from(pairs: &[(&str, &str)]) -> registry_http::Result<RegistryConfig> {
    let map: HashMap<String, OsString> = pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), OsString::from(value)))
        .collect();
    RegistryConfig::from_lookup(|name| map.get(name).cloned())
}

fn fault_of(result: registry_http::Result<RegistryConfig>) -> (&'static str, EnvFault) {
    match result {
        Err(Error::InvalidEnvironment { variable, fault }) => (variable, fault),
        other => panic!("expected InvalidEnvironment, got {other:?}"),
    }
}

#[test]
fn defaults_without_variables() {
    let config = from(&[]).unwrap();
    assert_eq!(config.base_url.as_str(), DEFAULT_REGISTRY_URL);
    assert_eq!(config.timeouts.total, Duration::from_secs(30));
    assert_eq!(config.retry.max_retries, 3);
    assert_eq!(config.retry.retry_after_cap, Duration::from_secs(60));
    assert_eq!(config.limits.max_body_bytes, 10 * 1024 * 1024);
    assert_eq!(config.limits.max_json_bytes, 1024 * 1024);
    assert_eq!(config.limits.max_signature_header_bytes, 64 * 1024);
    assert!(config.token.is_none());
    assert!(config.ca_bundle.is_none());
    // Blank values count as unset.
    let blank = from(&[("ASSAY_REGISTRY_URL", " "), ("ASSAY_REGISTRY_TOKEN", "")]).unwrap();
    assert_eq!(blank.base_url.as_str(), DEFAULT_REGISTRY_URL);
    assert!(blank.token.is_none());
}

#[test]
fn every_variable_is_read() {
    let ca = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let path = std::env::temp_dir().join(format!("registry-http-ca-{}.pem", std::process::id()));
    std::fs::write(&path, ca.cert.pem()).unwrap();
    let config = from(&[
        ("ASSAY_REGISTRY_URL", "https://packs.example.com/v1/"),
        ("ASSAY_REGISTRY_TOKEN", SECRET),
        ("ASSAY_REGISTRY_TIMEOUT", "7"),
        ("ASSAY_REGISTRY_MAX_RETRIES", "0"),
        // Resolver policy: registry-http leaves it alone, whatever its value.
        ("ASSAY_ALLOW_UNSIGNED_PACKS", "maybe"),
        ("ASSAY_REGISTRY_CA_BUNDLE", path.to_str().unwrap()),
    ])
    .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(config.base_url.as_str(), "https://packs.example.com/v1");
    assert_eq!(config.timeouts.total, Duration::from_secs(7));
    assert_eq!(config.retry.max_retries, 0);
    assert!(!config.token.is_none());
    assert_eq!(
        config.ca_bundle.as_ref().unwrap().origin(),
        path.display().to_string()
    );
    let shown = format!("{config:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    // The bundle is usable.
    assert!(RegistryClient::new(config).is_ok());
}

#[test]
fn malformed_values_are_typed_errors() {
    for value in ["abc", "0", "-1", "1.5", "100000"] {
        assert_eq!(
            fault_of(from(&[("ASSAY_REGISTRY_TIMEOUT", value)])),
            ("ASSAY_REGISTRY_TIMEOUT", EnvFault::NotPositiveSeconds),
            "{value}"
        );
    }
    for value in ["x", "-1", "101"] {
        assert_eq!(
            fault_of(from(&[("ASSAY_REGISTRY_MAX_RETRIES", value)])),
            ("ASSAY_REGISTRY_MAX_RETRIES", EnvFault::NotRetryCount),
            "{value}"
        );
    }
    let error = from(&[("ASSAY_REGISTRY_TIMEOUT", "abc")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "environment variable ASSAY_REGISTRY_TIMEOUT is malformed: expected a whole number of seconds greater than 0"
    );
    let error = from(&[("ASSAY_REGISTRY_URL", "ftp://x/v1")]).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::InvalidBaseUrl {
                source: registry_types::Error::InvalidUrl {
                    reason: UrlFault::UnsupportedScheme,
                    ..
                }
            }
        ),
        "{error:?}"
    );
    let report = snafu::Report::from_error(&error).to_string();
    assert!(report.contains("ftp://x/v1"), "{report}");
    assert!(matches!(
        from(&[("ASSAY_REGISTRY_CA_BUNDLE", "/nonexistent/bundle.pem")]),
        Err(Error::ReadCaBundle { .. })
    ));
    let error = from(&[("ASSAY_REGISTRY_TOKEN", "has spaces inside")]).unwrap_err();
    assert!(matches!(error, Error::InvalidToken { .. }), "{error:?}");
    assert!(!error.to_string().contains("spaces"));
}

#[cfg(unix)]
#[test]
fn non_unicode_values_are_refused() {
    use std::os::unix::ffi::OsStringExt;
    let error = RegistryConfig::from_lookup(|name| {
        (name == "ASSAY_REGISTRY_URL").then(|| OsString::from_vec(vec![0xff, 0xfe]))
    })
    .unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidEnvironment {
            variable: "ASSAY_REGISTRY_URL",
            fault: EnvFault::NotUnicode
        }
    ));
}

#[cfg(feature = "oidc")]
#[test]
fn the_token_source_is_chosen_in_order() {
    let config = from(&GITHUB).unwrap();
    let shown = format!("{:?}", config.token);
    assert!(shown.starts_with("TokenProvider::Oidc("), "{shown}");
    assert!(shown.contains("GitHubActions"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    // Half of GitHub's pair is not enough.
    assert!(from(&GITHUB[..1]).unwrap().token.is_none());
    // A static token wins.
    let mut both = GITHUB.to_vec();
    both.push(("ASSAY_REGISTRY_TOKEN", "static-one"));
    assert!(format!("{:?}", from(&both).unwrap().token).starts_with("TokenProvider::Static"));
    let file = from(&[("ASSAY_OIDC_ID_TOKEN_FILE", "/run/secrets/id-token")]).unwrap();
    assert!(format!("{:?}", file.token).contains("File(\"/run/secrets/id-token\")"));
    let value = from(&[("ASSAY_OIDC_ID_TOKEN", SECRET)]).unwrap();
    assert!(format!("{:?}", value.token).contains("Value(SecretToken(<redacted>))"));
}

/// Without the `oidc` feature the OIDC variables are not read at all: no provider, and not
/// even a malformed value is an error.
#[cfg(not(feature = "oidc"))]
#[test]
fn without_the_oidc_feature_the_oidc_variables_are_not_read() {
    let mut all = GITHUB.to_vec();
    all.push(("ASSAY_OIDC_ID_TOKEN_FILE", "/run/secrets/id-token"));
    all.push(("ASSAY_OIDC_ID_TOKEN", "not a valid bearer token"));
    let config = from(&all).unwrap();
    assert!(config.token.is_none(), "{:?}", config.token);
    // A static token is still read.
    all.push(("ASSAY_REGISTRY_TOKEN", "static-one"));
    let config = from(&all).unwrap();
    assert!(format!("{:?}", config.token).starts_with("TokenProvider::Static"));
}

#[test]
fn debug_of_every_config_and_provider_hides_the_token() {
    let secret = || SecretToken::new(SECRET, "test").unwrap();
    for provider in [
        TokenProvider::none(),
        TokenProvider::from_token(secret()),
        TokenProvider::from_env_var("ASSAY_REGISTRY_TOKEN"),
    ] {
        assert_debug_hides_the_token(&provider);
    }
    let token = secret();
    assert_eq!(format!("{token}"), "<redacted>");
    assert_eq!(format!("{token:?}"), "SecretToken(<redacted>)");
}

/// Asserts that `provider`, a configuration holding it and a client built from that show no
/// [`SECRET`] in their `Debug` output.
pub(crate) fn assert_debug_hides_the_token(provider: &TokenProvider) {
    let mut config = RegistryConfig::new(BaseUrl::parse("https://registry.example/v1").unwrap());
    config.token = provider.clone();
    let client = RegistryClient::new(config.clone()).unwrap();
    for shown in [
        format!("{provider:?}"),
        format!("{provider:#?}"),
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{client:?}"),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
}

#[test]
fn url_errors_never_show_credentials() {
    for url in [
        "https://user:s3cret-in-url@registry.example/v1",
        "https://registry.example/v1?access_token=s3cret-in-url",
    ] {
        let error = from(&[("ASSAY_REGISTRY_URL", url)]).unwrap_err();
        assert!(
            matches!(
                &error,
                Error::InvalidBaseUrl {
                    source: registry_types::Error::InvalidUrl { .. }
                }
            ),
            "{error:?}"
        );
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cret-in-url"), "{shown}");
        assert!(shown.contains("registry.example"), "{shown}");
    }
}
