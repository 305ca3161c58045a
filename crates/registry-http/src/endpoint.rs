//! Registry URLs as the client uses them: origins, endpoint paths below the base URL,
//! redirect targets and the plain-HTTP rule.

use std::fmt;
use std::net::IpAddr;

use http::Uri;
use http::uri::Scheme;
use registry_types::wire::packs_path;
use registry_types::{BaseUrl, Namespace, UrlScheme};
use snafu::ensure;

use crate::config::PlainHttp;
use crate::error::{InsecureUrlSnafu, Result};

/// The scheme, host and port of a URL: the unit that tokens are bound to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    secure: bool,
    /// The host, lowercase; IPv6 addresses keep their brackets.
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of an absolute `http` or `https` URI.
    pub(crate) fn of(uri: &Uri) -> Option<Origin> {
        let secure = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return None,
        };
        let host = uri.host()?.to_ascii_lowercase();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        Some(Origin { secure, host, port })
    }

    pub(crate) fn is_secure(&self) -> bool {
        self.secure
    }

    /// Whether the host is `localhost` or a loopback address.
    pub(crate) fn is_loopback(&self) -> bool {
        if self.host == "localhost" {
            return true;
        }
        let bare = self.host.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
    }

    /// Whether a request to this origin is allowed by the plain-HTTP rule.
    pub(crate) fn allowed_by(&self, plain_http: PlainHttp) -> bool {
        self.secure || self.is_loopback() || plain_http == PlainHttp::AllowInsecure
    }
}

impl fmt::Display for Origin {
    /// `scheme://host[:port]`, the port omitted when it is the scheme's default: the form
    /// of an OIDC audience.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.secure { "https" } else { "http" };
        let default_port = if self.secure { 443 } else { 80 };
        if self.port == default_port {
            write!(f, "{scheme}://{}", self.host)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

impl Origin {
    /// The origin of a base URL.
    pub(crate) fn of_base(base: &BaseUrl) -> Origin {
        Origin {
            secure: base.scheme() == UrlScheme::Https,
            host: base.host().to_owned(),
            port: base.port(),
        }
    }
}

/// Checks the plain-HTTP rule for a base URL.
///
/// # Errors
/// [`crate::Error::InsecureUrl`] for plain `http://` to a host that is not loopback without
/// [`PlainHttp::AllowInsecure`].
pub(crate) fn check_plain_http(base: &BaseUrl, plain_http: PlainHttp) -> Result<()> {
    ensure!(
        Origin::of_base(base).allowed_by(plain_http),
        InsecureUrlSnafu { url: base.as_str() }
    );
    Ok(())
}

/// The absolute URI of `path` (which starts with `/`) below the base URL.
pub(crate) fn join(base: &BaseUrl, path: &str) -> Uri {
    let text = format!("{base}{path}");
    // A base URL holds only RFC 3986 characters, and every path segment this crate appends
    // is a validated name, version or percent-encoded value, so the result parses; the
    // fallback is never reached and would only yield a harmless 404.
    text.parse()
        .unwrap_or_else(|_| Uri::from_static("http://invalid.invalid/"))
}

/// `[/orgs/{org}]/packs?limit=N[&cursor=C]`.
pub(crate) fn listing_path(
    namespace: Option<&Namespace>,
    limit: u32,
    cursor: Option<&str>,
) -> String {
    let mut path = format!("{}?limit={limit}", packs_path(namespace));
    if let Some(cursor) = cursor {
        path.push_str("&cursor=");
        path.push_str(&percent_encode(cursor));
    }
    path
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Resolves a `Location` value (or a sidecar endpoint) against the URI it came from.
///
/// Absolute URLs, scheme-relative (`//host/path`), absolute-path (`/path`) and
/// relative-path references are understood; anything else is `None`.
pub(crate) fn resolve_reference(base: &Uri, reference: &str) -> Option<Uri> {
    let reference = reference.trim();
    if reference.is_empty() || reference.contains(char::is_whitespace) {
        return None;
    }
    let scheme = base.scheme().unwrap_or(&Scheme::HTTPS);
    let authority = base.authority()?;
    let text = if reference.contains("://") {
        reference.to_owned()
    } else if let Some(rest) = reference.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if reference.starts_with('/') {
        format!("{scheme}://{authority}{reference}")
    } else {
        let path = base.path();
        let directory = &path[..path.rfind('/').map_or(0, |slash| slash + 1)];
        format!("{scheme}://{authority}{directory}{reference}")
    };
    let uri = text.parse::<Uri>().ok()?;
    Origin::of(&uri)?;
    // User information in a redirect target is refused like in a base URL.
    if uri.authority()?.as_str().contains('@') {
        return None;
    }
    Some(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_against_the_plain_http_rule() {
        let base = BaseUrl::parse("https://Registry.GetAssay.dev/v1/").unwrap();
        assert_eq!(
            Origin::of_base(&base),
            Origin::of(&"https://registry.getassay.dev:443/x".parse().unwrap()).unwrap()
        );
        assert_eq!(
            join(&base, "/packs/a/1.0.0").to_string(),
            "https://registry.getassay.dev/v1/packs/a/1.0.0"
        );
        let local = BaseUrl::parse("http://127.0.0.1:8080/v1").unwrap();
        assert_eq!(Origin::of_base(&local).to_string(), "http://127.0.0.1:8080");
        assert!(check_plain_http(&local, PlainHttp::LoopbackOnly).is_ok());
        let remote = BaseUrl::parse("http://registry.example/v1").unwrap();
        assert!(matches!(
            check_plain_http(&remote, PlainHttp::LoopbackOnly),
            Err(crate::Error::InsecureUrl { .. })
        ));
        assert!(check_plain_http(&remote, PlainHttp::AllowInsecure).is_ok());
        let six = BaseUrl::parse("http://[::1]:9/v1").unwrap();
        assert!(Origin::of_base(&six).is_loopback());
    }

    #[test]
    fn loopback_hosts() {
        for url in [
            "http://localhost:1/",
            "http://127.0.0.1/",
            "http://127.8.9.1/",
            "http://[::1]:9/",
        ] {
            assert!(
                Origin::of(&url.parse().unwrap()).unwrap().is_loopback(),
                "{url}"
            );
        }
        for url in [
            "http://localhost.example/",
            "http://10.0.0.1/",
            "http://128.0.0.1/",
        ] {
            assert!(
                !Origin::of(&url.parse().unwrap()).unwrap().is_loopback(),
                "{url}"
            );
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let a = Origin::of(&"https://r.example/v1".parse().unwrap()).unwrap();
        let b = Origin::of(&"https://R.EXAMPLE:443/other".parse().unwrap()).unwrap();
        let c = Origin::of(&"http://r.example/v1".parse().unwrap()).unwrap();
        let d = Origin::of(&"https://r.example:8443/v1".parse().unwrap()).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn paths_and_redirect_targets() {
        assert_eq!(
            listing_path(None, 50, Some("a b/=")),
            "/packs?limit=50&cursor=a%20b%2F%3D"
        );
        let base: Uri = "https://r.example/v1/packs/a/1.0.0".parse().unwrap();
        let resolve = |text| resolve_reference(&base, text).map(|uri| uri.to_string());
        assert_eq!(resolve("/v1/x"), Some("https://r.example/v1/x".into()));
        assert_eq!(
            resolve("1.0.0.sig"),
            Some("https://r.example/v1/packs/a/1.0.0.sig".into())
        );
        assert_eq!(
            resolve("//cdn.example/p"),
            Some("https://cdn.example/p".into())
        );
        assert_eq!(
            resolve("http://cdn.example/p"),
            Some("http://cdn.example/p".into())
        );
        assert_eq!(resolve("ftp://cdn.example/p"), None);
        assert_eq!(resolve("https://u:p@cdn.example/p"), None);
        assert_eq!(resolve(""), None);
    }
}
