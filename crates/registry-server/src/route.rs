//! Request paths parsed into a `Route`: what each path under `/v1` names (names validated).

use registry_types::wire::{KEYS_PATH, OIDC_EXCHANGE_PATH};
use registry_types::{Namespace, PackName};

use crate::oidc::GITHUB_TOKEN_PATH;

/// The path of the base URL below the origin: every protocol path is served below it.
pub(crate) const API_PREFIX: &str = "/v1";

/// What a request path asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/packs/{name}/{segment}`: a version, or a version plus `.sig` (decided against the
    /// catalog, since `1.0.0-rc.sig` is itself a valid version).
    Pack {
        namespace: Option<Namespace>,
        name: PackName,
        segment: String,
    },
    /// `/packs/{name}/versions`.
    Versions {
        namespace: Option<Namespace>,
        name: PackName,
    },
    /// `/packs`.
    List { namespace: Option<Namespace> },
    /// `/keys`.
    Keys,
    /// `/auth/oidc/exchange`.
    OidcExchange,
    /// The fake GitHub ID-token endpoint.
    GithubIdToken,
}

/// Why a path names nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RouteFault {
    /// No such endpoint.
    Unknown,
    /// A segment that should be a pack name or namespace is not one.
    InvalidName(String),
}

/// Reads a request path (without the query).
pub(crate) fn parse(path: &str) -> Result<Route, RouteFault> {
    if path == GITHUB_TOKEN_PATH {
        return Ok(Route::GithubIdToken);
    }
    let rest = path
        .strip_prefix(API_PREFIX)
        .and_then(|rest| rest.strip_prefix('/'))
        .ok_or(RouteFault::Unknown)?;
    let segments = rest
        .split('/')
        .map(percent_decode)
        .collect::<Option<Vec<String>>>()
        .ok_or(RouteFault::Unknown)?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    if names(&segments, KEYS_PATH) {
        return Ok(Route::Keys);
    }
    if names(&segments, OIDC_EXCHANGE_PATH) {
        return Ok(Route::OidcExchange);
    }
    match segments.as_slice() {
        ["orgs", org, rest @ ..] => {
            let namespace =
                Namespace::parse(org).map_err(|_| RouteFault::InvalidName((*org).into()))?;
            packs_route(Some(namespace), rest)
        }
        rest => packs_route(None, rest),
    }
}

/// Whether decoded `segments` are those of the protocol path `path` (`/a/b`).
fn names(segments: &[&str], path: &str) -> bool {
    path.strip_prefix('/')
        .is_some_and(|path| path.split('/').eq(segments.iter().copied()))
}

fn packs_route(namespace: Option<Namespace>, segments: &[&str]) -> Result<Route, RouteFault> {
    let name = |text: &str| PackName::parse(text).map_err(|_| RouteFault::InvalidName(text.into()));
    match segments {
        ["packs"] => Ok(Route::List { namespace }),
        ["packs", pack, "versions"] => Ok(Route::Versions {
            namespace,
            name: name(pack)?,
        }),
        ["packs", pack, segment] if !segment.is_empty() => Ok(Route::Pack {
            namespace,
            name: name(pack)?,
            segment: (*segment).to_owned(),
        }),
        _ => Err(RouteFault::Unknown),
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            // Two hex digits exactly: `from_str_radix` alone would also take a sign (`%+1`).
            let hex = bytes.get(index + 1..index + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The decoded value of query parameter `name`; `Some(None)` when it is malformed.
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<Option<String>> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| percent_decode(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(namespace: Option<&str>, name: &str, segment: &str) -> Route {
        Route::Pack {
            namespace: namespace.map(|org| Namespace::parse(org).unwrap()),
            name: PackName::parse(name).unwrap(),
            segment: segment.into(),
        }
    }

    #[test]
    fn paths_are_routed() {
        assert_eq!(parse("/v1/keys"), Ok(Route::Keys));
        assert_eq!(parse("/v1/packs"), Ok(Route::List { namespace: None }));
        assert_eq!(parse("/v1/packs/a-b/1.0.0"), Ok(pack(None, "a-b", "1.0.0")));
        assert_eq!(
            parse("/v1/orgs/acme/packs/a/1.0.0%2Bbuild.sig"),
            Ok(pack(Some("acme"), "a", "1.0.0+build.sig"))
        );
        assert_eq!(
            parse("/v1/packs/a/versions"),
            Ok(Route::Versions {
                namespace: None,
                name: PackName::parse("a").unwrap()
            })
        );
        assert_eq!(parse("/v1/auth/oidc/exchange"), Ok(Route::OidcExchange));
    }

    #[test]
    fn bad_paths_name_nothing() {
        assert_eq!(parse("/packs/a/1.0.0"), Err(RouteFault::Unknown));
        assert_eq!(parse("/v1/packs/a/"), Err(RouteFault::Unknown));
        assert_eq!(parse("/v1/packs/a/1/2"), Err(RouteFault::Unknown));
        assert_eq!(parse("/v1/packs/a/%zz"), Err(RouteFault::Unknown));
        assert_eq!(
            parse("/v1/packs/..%2Fetc/1.0.0"),
            Err(RouteFault::InvalidName("../etc".into()))
        );
        assert_eq!(
            parse("/v1/orgs/Acme/packs"),
            Err(RouteFault::InvalidName("Acme".into()))
        );
    }

    #[test]
    fn query_parameters_are_decoded() {
        assert_eq!(
            query_param(Some("limit=2&audience=http%3A%2F%2Fh"), "audience"),
            Some(Some("http://h".into()))
        );
        assert_eq!(query_param(Some("limit=2"), "cursor"), None);
        assert_eq!(query_param(Some("cursor=%g"), "cursor"), Some(None));
        assert_eq!(percent_decode("%+1"), None);
        assert_eq!(percent_decode("%-0"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%4a%4A"), Some("JJ".into()));
        assert_eq!(parse("/v1/packs/x/%+1.0.0"), Err(RouteFault::Unknown));
    }
}
