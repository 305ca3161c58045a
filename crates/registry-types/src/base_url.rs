//! Registry base URLs: parsed, validated and normalised without any I/O or URL library.

use std::fmt;

use crate::error::{Error, Result};

/// The scheme of a [`BaseUrl`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrlScheme {
    /// `https`.
    Https,
    /// `http`; whether a client may use it is the client's decision (loopback hosts, or an
    /// explicit insecure opt-in).
    Http,
}

impl UrlScheme {
    /// `https` or `http`.
    pub fn as_str(self) -> &'static str {
        match self {
            UrlScheme::Https => "https",
            UrlScheme::Http => "http",
        }
    }

    /// The port used when the URL names none: 443 or 80.
    pub fn default_port(self) -> u16 {
        match self {
            UrlScheme::Https => 443,
            UrlScheme::Http => 80,
        }
    }
}

/// A registry's base URL, such as `https://registry.getassay.dev/v1`.
///
/// The normal form: the scheme and the authority in lowercase, no trailing `/`. Two texts
/// that differ only there (`https://Registry.example/v1/`, `https://registry.example/v1`)
/// give equal values, so everything keyed by a registry (cache directories, lockfile
/// entries, token audiences) agrees on it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    /// The normal form.
    text: String,
    scheme: UrlScheme,
    /// Where the host ends in `text`; it starts after `scheme://`.
    host_end: usize,
    /// The port as written, or the scheme's default.
    port: u16,
}

impl BaseUrl {
    /// Parses an absolute `https://` (or `http://`) URL without user information, query or
    /// fragment; the scheme and authority are lowercased and a trailing `/` is dropped.
    ///
    /// Hosts are registered names (letters, digits, `-`, `.`, `_`, `~`, percent escapes
    /// and RFC 3986's sub-delimiters) or bracketed IP literals; the path uses RFC 3986's
    /// path characters only.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] naming the broken rule; the URL it quotes has its user
    /// information, query and fragment replaced by `<redacted>`, since credentials hide
    /// there.
    pub fn parse(text: &str) -> Result<BaseUrl> {
        BaseUrl::parse_text(text).map_err(|reason| Error::InvalidUrl {
            url: redacted(text),
            reason,
        })
    }

    fn parse_text(text: &str) -> Result<BaseUrl, UrlFault> {
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(UrlFault::NotAbsolute);
        };
        if scheme.is_empty()
            || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            return Err(UrlFault::NotAbsolute);
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, after) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(UrlFault::HasUserInfo);
        }
        if after.contains(['?', '#']) {
            return Err(UrlFault::HasQuery);
        }
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "https" => UrlScheme::Https,
            "http" => UrlScheme::Http,
            _ => return Err(UrlFault::UnsupportedScheme),
        };
        let (host, port) = split_port(authority)?;
        if !is_host(host) {
            return Err(UrlFault::InvalidHost);
        }
        let path = after.trim_end_matches('/');
        if !is_path(path) {
            return Err(UrlFault::InvalidPath);
        }
        let prefix = format!("{}://", scheme.as_str());
        let text = format!("{prefix}{}{path}", authority.to_ascii_lowercase());
        Ok(BaseUrl {
            text,
            scheme,
            host_end: prefix.len() + host.len(),
            port: port.unwrap_or(scheme.default_port()),
        })
    }

    /// The URL in its normal form, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The scheme.
    pub fn scheme(&self) -> UrlScheme {
        self.scheme
    }

    /// The host, lowercase; an IP literal keeps its brackets (`[::1]`).
    pub fn host(&self) -> &str {
        &self.text[self.scheme.as_str().len() + 3..self.host_end]
    }

    /// The authority: the host and, when one is written, `:port` (`registry.example:8443`).
    pub fn authority(&self) -> &str {
        let start = self.scheme.as_str().len() + 3;
        &self.text[start..self.text.len() - self.path().len()]
    }

    /// The port: the one written, or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path below the authority, without a trailing `/` (empty for a bare origin).
    pub fn path(&self) -> &str {
        let authority_end = self.text[self.host_end..]
            .find('/')
            .map_or(self.text.len(), |slash| self.host_end + slash);
        &self.text[authority_end..]
    }

    /// `scheme://host[:port]`, the port left out when it is the scheme's default: the
    /// OIDC audience, and the only origin a client sends tokens to.
    pub fn origin(&self) -> String {
        if self.port == self.scheme.default_port() {
            format!("{}://{}", self.scheme.as_str(), self.host())
        } else {
            format!("{}://{}:{}", self.scheme.as_str(), self.host(), self.port)
        }
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({})", self.text)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for BaseUrl {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        BaseUrl::parse(&text)
    }
}

crate::text_form::impl_parse_traits!(BaseUrl);

/// The host and the port of an authority; `None` for the port when none is written.
fn split_port(authority: &str) -> Result<(&str, Option<u16>), UrlFault> {
    // A `:` after the closing bracket of an IP literal, or any `:` in a registered name.
    let host_end = if authority.starts_with('[') {
        authority
            .find(']')
            .map_or(authority.len(), |close| close + 1)
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (host, rest) = authority.split_at(host_end);
    if rest.is_empty() {
        return Ok((host, None));
    }
    let digits = rest.strip_prefix(':').ok_or(UrlFault::InvalidHost)?;
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlFault::InvalidPort);
    }
    let port = digits.parse::<u16>().map_err(|_| UrlFault::InvalidPort)?;
    Ok((host, Some(port)))
}

/// RFC 3986's unreserved characters.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986's sub-delimiters.
fn is_sub_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// Whether every byte is `allowed` or part of a `%XX` escape.
fn all_allowed(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let escape = bytes.get(index + 1..index + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            index += 3;
        } else if allowed(byte) {
            index += 1;
        } else {
            return false;
        }
    }
    true
}

/// A registered name, or an IP literal in brackets (an IPv6 address or `v…` form).
fn is_host(host: &str) -> bool {
    if let Some(literal) = host.strip_prefix('[') {
        let Some(inner) = literal.strip_suffix(']') else {
            return false;
        };
        return !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
    }
    !host.is_empty() && all_allowed(host, |b| is_unreserved(b) || is_sub_delimiter(b))
}

/// An absolute path of RFC 3986 path characters (or nothing).
fn is_path(path: &str) -> bool {
    (path.is_empty() || path.starts_with('/'))
        && all_allowed(path, |b| {
            is_unreserved(b) || is_sub_delimiter(b) || matches!(b, b'/' | b':' | b'@')
        })
}

/// A URL as errors show it: user information and the query or fragment, where credentials
/// hide (`https://user:token@host`, `?access_token=`), are replaced by `<redacted>`.
fn redacted(text: &str) -> String {
    let (main, rest) = text.split_at(text.find(['?', '#']).unwrap_or(text.len()));
    let authority_start = main.find("://").map_or(0, |at| at + 3);
    let authority_end = main[authority_start..]
        .find('/')
        .map_or(main.len(), |end| authority_start + end);
    let mut shown = match main[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}<redacted>{}",
            &main[..authority_start],
            &main[authority_start + at..]
        ),
        None => main.to_owned(),
    };
    if let Some(first) = rest.chars().next() {
        shown.push(first);
        shown.push_str("<redacted>");
    }
    shown
}

/// The rule of registry base URLs that a text breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UrlFault {
    /// Not an absolute URL (`scheme://…`).
    NotAbsolute,
    /// A scheme other than `https` or `http`.
    UnsupportedScheme,
    /// User information (`user:password@`) in the authority; credentials go in the token.
    HasUserInfo,
    /// A query or fragment in a base URL.
    HasQuery,
    /// The host is empty or has characters a host cannot have.
    InvalidHost,
    /// The port is empty, not a number, or above 65535.
    InvalidPort,
    /// The path has characters a URL path cannot have unescaped.
    InvalidPath,
}

impl fmt::Display for UrlFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlFault::NotAbsolute => "it is not an absolute http(s) URL",
            UrlFault::UnsupportedScheme => "only https (and http for loopback) are supported",
            UrlFault::HasUserInfo => "it carries user information; use a token instead",
            UrlFault::HasQuery => "a base URL has no query or fragment",
            UrlFault::InvalidHost => "it has no valid host",
            UrlFault::InvalidPort => "its port is not a number from 0 to 65535",
            UrlFault::InvalidPath => "its path has characters that must be percent-encoded",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(text: &str) -> UrlFault {
        match BaseUrl::parse(text) {
            Err(Error::InvalidUrl { reason, .. }) => reason,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn base_urls_are_normalised() {
        let base = BaseUrl::parse("HTTPS://Registry.GetAssay.dev/v1/").unwrap();
        assert_eq!(base.as_str(), "https://registry.getassay.dev/v1");
        assert_eq!(base.origin(), "https://registry.getassay.dev");
        assert_eq!(base.host(), "registry.getassay.dev");
        assert_eq!(base.path(), "/v1");
        assert_eq!((base.scheme(), base.port()), (UrlScheme::Https, 443));
        assert_eq!(
            base,
            BaseUrl::parse("https://registry.getassay.dev/v1").unwrap()
        );
        let local = BaseUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(local.as_str(), "http://127.0.0.1:8080");
        assert_eq!(local.origin(), "http://127.0.0.1:8080");
        assert_eq!(
            (local.host(), local.port(), local.path()),
            ("127.0.0.1", 8080, "")
        );
        let six = BaseUrl::parse("https://[::1]:443/v1").unwrap();
        assert_eq!(
            (six.host(), six.origin().as_str()),
            ("[::1]", "https://[::1]")
        );
        assert_eq!(six.as_str(), "https://[::1]:443/v1");
        assert_eq!(
            "https://r.example/".parse::<BaseUrl>().unwrap().as_str(),
            "https://r.example"
        );
    }

    #[test]
    fn each_rule_has_its_fault() {
        for (text, expected) in [
            ("registry.example/v1", UrlFault::NotAbsolute),
            ("://registry.example/v1", UrlFault::NotAbsolute),
            ("ftp://registry.example/v1", UrlFault::UnsupportedScheme),
            ("https://user:pw@registry.example/v1", UrlFault::HasUserInfo),
            ("https://registry.example/v1?x=1", UrlFault::HasQuery),
            ("https://registry.example/v1#top", UrlFault::HasQuery),
            ("https:///v1", UrlFault::InvalidHost),
            ("https://reg istry.example/v1", UrlFault::InvalidHost),
            ("https://[::1/v1", UrlFault::InvalidHost),
            ("https://[::1]x/v1", UrlFault::InvalidHost),
            ("https://registry.example:/v1", UrlFault::InvalidPort),
            ("https://registry.example:99999/v1", UrlFault::InvalidPort),
            ("https://registry.example:8a/v1", UrlFault::InvalidPort),
            ("https://registry.example/v 1", UrlFault::InvalidPath),
            ("https://registry.example/v1/%zz", UrlFault::InvalidPath),
            ("https://registry.example/\u{e4}", UrlFault::InvalidPath),
        ] {
            assert_eq!(fault(text), expected, "{text}");
        }
    }

    #[test]
    fn url_errors_never_show_credentials() {
        for (text, shown) in [
            (
                "https://user:s3cret@registry.example/v1",
                "https://<redacted>@registry.example/v1",
            ),
            (
                "https://s3cret@registry.example",
                "https://<redacted>@registry.example",
            ),
            (
                "https://registry.example/v1?access_token=s3cret",
                "https://registry.example/v1?<redacted>",
            ),
            (
                "https://registry.example/v1#s3cret",
                "https://registry.example/v1#<redacted>",
            ),
            ("ftp://registry.example/v1", "ftp://registry.example/v1"),
            (
                "s3cret@registry.example/v1",
                "<redacted>@registry.example/v1",
            ),
        ] {
            let error = BaseUrl::parse(text).unwrap_err();
            let Error::InvalidUrl { url, .. } = &error else {
                panic!("{text}: {error:?}")
            };
            assert_eq!(url, shown);
            assert!(!format!("{error} {error:?}").contains("s3cret"), "{error}");
        }
    }
}
