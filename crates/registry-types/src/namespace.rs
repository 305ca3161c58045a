//! Namespaces: the optional organisation a registry pack belongs to.

use serde::{Deserialize, Serialize};

use crate::error::{InvalidNamespaceSegmentSnafu, InvalidNamespaceSnafu, Result};
use crate::name::check_name_grammar;

/// An organisation namespace, such as `acme` in `acme/eu-ai-act-pro@1.2.0`.
///
/// A namespace has the same grammar as a [`PackName`](crate::PackName). It
/// displays as the bare organisation; the forms the protocol writes elsewhere
/// come from methods: [`Namespace::to_path_segment`] gives `orgs/{org}` (cache
/// paths and lockfiles), and [`Namespace::cache_segment`] also covers the
/// global namespace, which is `_global` in cache paths.
///
/// Callers model "no namespace" (the global one) as `Option<Namespace>`.
///
/// Serde reads and writes the bare organisation; deserializing validates it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Namespace(String);

impl Namespace {
    /// The longest allowed organisation name, in characters.
    pub const MAX_LEN: usize = 128;

    /// The cache path segment of the global namespace (no organisation).
    pub const GLOBAL_CACHE_SEGMENT: &'static str = "_global";

    /// The prefix of the `orgs/{org}` form.
    const SEGMENT_PREFIX: &'static str = "orgs/";

    /// Parses a bare organisation name.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidNamespace`](crate::Error::InvalidNamespace) naming the
    /// broken rule when `text` does not follow the name grammar.
    pub fn parse(text: &str) -> Result<Self> {
        Self::try_from(text.to_owned())
    }

    /// Parses the `orgs/{org}` form used in cache paths and lockfiles.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidNamespaceSegment`](crate::Error::InvalidNamespaceSegment)
    /// when `segment` does not start with `orgs/`, and
    /// [`Error::InvalidNamespace`](crate::Error::InvalidNamespace) when the
    /// organisation after it is invalid.
    pub fn from_path_segment(segment: &str) -> Result<Self> {
        match segment.strip_prefix(Self::SEGMENT_PREFIX) {
            Some(org) => Self::parse(org),
            None => InvalidNamespaceSegmentSnafu { segment }.fail(),
        }
    }

    /// The bare organisation name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The namespace as an owned `String` (the bare organisation).
    pub fn into_string(self) -> String {
        self.0
    }

    /// The `orgs/{org}` form used in cache paths and lockfiles.
    pub fn to_path_segment(&self) -> String {
        format!("{}{}", Self::SEGMENT_PREFIX, self.0)
    }

    /// The cache path segment of an optional namespace: `orgs/{org}`, or
    /// [`Namespace::GLOBAL_CACHE_SEGMENT`] for the global namespace.
    pub fn cache_segment(namespace: Option<&Self>) -> String {
        match namespace {
            Some(namespace) => namespace.to_path_segment(),
            None => Self::GLOBAL_CACHE_SEGMENT.to_owned(),
        }
    }
}

impl TryFrom<String> for Namespace {
    type Error = crate::Error;

    fn try_from(text: String) -> Result<Self> {
        match check_name_grammar(&text, Self::MAX_LEN) {
            Ok(()) => Ok(Self(text)),
            Err(reason) => InvalidNamespaceSnafu {
                namespace: text,
                reason,
            }
            .fail(),
        }
    }
}

crate::text_form::impl_parse_traits!(Namespace);
crate::text_form::impl_string_newtype!(Namespace);

#[cfg(test)]
mod tests {
    use crate::{Error, NameFault, Namespace};

    fn reason(text: &str) -> NameFault {
        match Namespace::parse(text) {
            Err(Error::InvalidNamespace { namespace, reason }) => {
                assert_eq!(namespace, text);
                reason
            }
            other => panic!("expected InvalidNamespace for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn accepts_the_name_grammar() {
        for text in ["acme", "a", "a--b", "org-42"] {
            assert_eq!(Namespace::parse(text).expect("valid").to_string(), text);
        }
        assert!(Namespace::parse(&"o".repeat(Namespace::MAX_LEN)).is_ok());
    }

    #[test]
    fn rejects_like_a_pack_name_but_says_namespace() {
        assert_eq!(reason(""), NameFault::Empty);
        assert_eq!(reason("-acme"), NameFault::LeadingHyphen);
        assert_eq!(reason("acme-"), NameFault::TrailingHyphen);
        assert_eq!(
            reason("Acme"),
            NameFault::UppercaseLetter {
                letter: 'A',
                position: 1
            }
        );
        assert_eq!(
            reason("orgs/acme"),
            NameFault::ForbiddenCharacter {
                character: '/',
                position: 5
            }
        );
        assert!(matches!(
            reason(&"o".repeat(129)),
            NameFault::TooLong { length: 129, .. }
        ));
        let err = Namespace::parse("Acme").expect_err("uppercase");
        assert!(err.to_string().starts_with("namespace \"Acme\" contains"));
    }

    #[test]
    fn path_segment_forms() {
        let acme = Namespace::parse("acme").expect("valid");
        assert_eq!(acme.to_path_segment(), "orgs/acme");
        assert_eq!(Namespace::cache_segment(Some(&acme)), "orgs/acme");
        assert_eq!(Namespace::cache_segment(None), "_global");
        assert_eq!(Namespace::GLOBAL_CACHE_SEGMENT, "_global");
        assert_eq!(
            Namespace::from_path_segment("orgs/acme").expect("valid"),
            acme
        );
    }

    #[test]
    fn from_path_segment_rejects_other_forms() {
        for segment in ["acme", "org/acme", "/orgs/acme", "_global", ""] {
            assert!(
                matches!(
                    Namespace::from_path_segment(segment),
                    Err(Error::InvalidNamespaceSegment { segment: ref s }) if s == segment
                ),
                "{segment:?}"
            );
        }
        assert!(matches!(
            Namespace::from_path_segment("orgs/Acme"),
            Err(Error::InvalidNamespace { .. })
        ));
        assert!(matches!(
            Namespace::from_path_segment("orgs/acme/x"),
            Err(Error::InvalidNamespace { .. })
        ));
        assert!(matches!(
            Namespace::from_path_segment("orgs/"),
            Err(Error::InvalidNamespace {
                reason: NameFault::Empty,
                ..
            })
        ));
    }

    #[test]
    fn conversions_agree() {
        let parsed: Namespace = "acme".parse().expect("valid");
        assert_eq!(Namespace::try_from("acme").expect("valid"), parsed);
        assert_eq!(String::from(parsed.clone()), "acme");
        assert_eq!(parsed.as_ref(), "acme");
        assert_eq!(parsed.into_string(), "acme");
    }
}
