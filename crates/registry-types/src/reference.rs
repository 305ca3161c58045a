//! Pack references: what a user-supplied reference string can mean (protocol §2).

use std::fmt;
use std::str::FromStr;

use snafu::{ResultExt, ensure};

use crate::byos::ByosRef;
use crate::digest::Digest;
use crate::error::{
    InvalidReferenceNameSnafu, InvalidReferenceNamespaceSnafu, InvalidReferencePinSnafu,
    InvalidReferenceSnafu, InvalidReferenceVersionSnafu, Result,
};
use crate::name::PackName;
use crate::namespace::Namespace;
use crate::version::Version;

/// The text that starts a digest pin; it is an error anywhere but on a
/// registry or BYOS reference.
const PIN_MARKER: &str = "#sha256:";

/// What a pack reference string can mean, decided from the text alone.
///
/// Parsing never touches the file system; the resolver makes the remaining
/// decisions (an existing path beats a name). The rule, applied in order:
///
/// 1. The empty string is an error.
/// 2. Text that starts with `/`, `\`, `.` or `~`, or with a drive prefix such
///    as `C:\` or `C:/`, is a [`PackRef::Path`] (no pack name, namespace or
///    URL scheme can start that way).
/// 3. Text of the form `scheme://rest`, where `scheme` is a URL scheme
///    (an ASCII letter, then letters, digits, `+`, `-` or `.`): `s3`, `gs`,
///    `az` and `azure` give [`PackRef::Byos`], `oci` gives [`PackRef::Oci`],
///    any other scheme is an error naming it.
/// 4. Text that contains `@` is *registry-shaped* when it has no `\`, no `/`
///    after the first `@`, and at most one `/` before it: `name@version` or
///    `org/name@version`, optionally followed by `#sha256:<hex>`. It must then
///    parse as a [`PackRef::Registry`]; a bad part is an error naming that
///    part. One exception keeps files such as `packs/a@1.0.0.yaml` usable:
///    registry-shaped text that fails to parse and ends in `.yaml` or `.yml`
///    falls through to step 5. Other text with `@` (`a/b/c@1.0.0`,
///    `dir@v2/pack.yaml`) is not registry-shaped and also falls through.
/// 5. Text that still contains `#sha256:` is an error: only registry and BYOS
///    references may be pinned.
/// 6. A valid [`PackName`] is a [`PackRef::Name`]; anything else is a
///    [`PackRef::Path`].
///
/// `Display` writes the reference back; for every value produced by parsing,
/// display after parse is the identity. (A hand-built `Path("foo")` displays
/// as `foo`, which parses as a `Name`: the variant is the caller's claim.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PackRef {
    /// Text that can only be a file or directory path (steps 2 and 6 of the
    /// rule), kept verbatim. The resolver reports it as not found when nothing
    /// exists there.
    Path(String),
    /// A bare valid pack name, such as `eu-ai-act-baseline`. It is an existing
    /// path if one exists, otherwise a built-in or local-config pack: the
    /// resolver decides, in that order.
    Name(PackName),
    /// A registry pack: `[org/]name@version[#sha256:<hex>]`.
    Registry(RegistryRef),
    /// A pack in the caller's own object storage: `s3://`, `gs://`, `az://`
    /// or `azure://`, optionally pinned.
    Byos(ByosRef),
    /// A reserved `oci://` reference; see [`PackRef::unsupported_reason`].
    Oci(OciRef),
}

impl PackRef {
    /// Classifies and parses a reference string, following the rule in the
    /// type's documentation.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidReference`](crate::Error::InvalidReference) for an
    ///   empty reference, an unknown URL scheme, a registry reference without
    ///   a name or version, a BYOS reference without a bucket or key, an empty
    ///   `oci://`, or a pin on a path or bare name;
    /// - [`Error::InvalidReferenceNamespace`](crate::Error::InvalidReferenceNamespace),
    ///   [`Error::InvalidReferenceName`](crate::Error::InvalidReferenceName),
    ///   [`Error::InvalidReferenceVersion`](crate::Error::InvalidReferenceVersion)
    ///   or [`Error::InvalidReferencePin`](crate::Error::InvalidReferencePin)
    ///   when that part of a registry (or BYOS, for the pin) reference is
    ///   invalid, with the part's own error as the source.
    pub fn parse(text: &str) -> Result<Self> {
        ensure!(
            !text.is_empty(),
            InvalidReferenceSnafu {
                reference: text,
                reason: ReferenceFault::Empty,
            }
        );
        if !starts_like_path(text) {
            if let Some((scheme, rest)) = split_url_scheme(text) {
                return parse_url(text, scheme, rest);
            }
            if has_registry_shape(text) {
                match RegistryRef::parse(text) {
                    Ok(registry) => return Ok(Self::Registry(registry)),
                    Err(err) if !has_pack_file_extension(text) => return Err(err),
                    // A file such as `packs/a@1.0.0.yaml` that only looks registry-shaped.
                    Err(_) => {}
                }
            }
        }
        ensure!(
            !text.contains(PIN_MARKER),
            InvalidReferenceSnafu {
                reference: text,
                reason: ReferenceFault::UnexpectedPin,
            }
        );
        Ok(match PackName::parse(text) {
            Ok(name) => Self::Name(name),
            Err(_) => Self::Path(text.to_owned()),
        })
    }

    /// The pinned digest of a registry or BYOS reference, if any.
    pub fn pin(&self) -> Option<&Digest> {
        match self {
            Self::Registry(registry) => registry.pin.as_ref(),
            Self::Byos(byos) => byos.pin(),
            Self::Path(_) | Self::Name(_) | Self::Oci(_) => None,
        }
    }

    /// Why this reference cannot be resolved by this implementation, if it
    /// cannot: `Some` for [`PackRef::Oci`], `None` for everything else.
    pub fn unsupported_reason(&self) -> Option<&'static str> {
        match self {
            Self::Oci(_) => Some(OciRef::UNSUPPORTED_REASON),
            Self::Path(_) | Self::Name(_) | Self::Registry(_) | Self::Byos(_) => None,
        }
    }
}

/// Step 2 of the rule: prefixes that only paths have.
fn starts_like_path(text: &str) -> bool {
    let bytes = text.as_bytes();
    let drive_prefix =
        matches!(bytes, [letter, b':', b'/' | b'\\', ..] if letter.is_ascii_alphabetic());
    text.starts_with(['/', '\\', '.', '~']) || drive_prefix
}

/// Step 3 of the rule: splits `scheme://rest` when `scheme` is URL-scheme syntax.
fn split_url_scheme(text: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = text.split_once("://")?;
    let mut characters = scheme.chars();
    let first_is_letter = characters.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_is_valid =
        characters.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (first_is_letter && rest_is_valid).then_some((scheme, rest))
}

fn parse_url(reference: &str, scheme: &str, rest: &str) -> Result<PackRef> {
    if scheme == OciRef::SCHEME {
        return OciRef::parse(reference, rest).map(PackRef::Oci);
    }
    match ByosRef::parse(reference, scheme, rest) {
        Some(byos) => byos.map(PackRef::Byos),
        None => InvalidReferenceSnafu {
            reference,
            reason: ReferenceFault::UnknownScheme {
                scheme: scheme.to_owned(),
            },
        }
        .fail(),
    }
}

/// Step 4 of the rule: `[org/]name@…` with no other path separators.
fn has_registry_shape(text: &str) -> bool {
    let Some((head, tail)) = text.split_once('@') else {
        return false;
    };
    !text.contains('\\') && !tail.contains('/') && head.matches('/').count() <= 1
}

fn has_pack_file_extension(text: &str) -> bool {
    let ends_with = |suffix: &str| {
        text.len()
            .checked_sub(suffix.len())
            .and_then(|start| text.as_bytes().get(start..))
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix.as_bytes()))
    };
    ends_with(".yaml") || ends_with(".yml")
}

impl FromStr for PackRef {
    type Err = crate::Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

impl TryFrom<&str> for PackRef {
    type Error = crate::Error;

    fn try_from(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

impl fmt::Display for PackRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(path) => f.write_str(path),
            Self::Name(name) => name.fmt(f),
            Self::Registry(registry) => registry.fmt(f),
            Self::Byos(byos) => byos.fmt(f),
            Self::Oci(oci) => oci.fmt(f),
        }
    }
}

impl From<PackName> for PackRef {
    fn from(name: PackName) -> Self {
        Self::Name(name)
    }
}

impl From<RegistryRef> for PackRef {
    fn from(registry: RegistryRef) -> Self {
        Self::Registry(registry)
    }
}

impl From<ByosRef> for PackRef {
    fn from(byos: ByosRef) -> Self {
        Self::Byos(byos)
    }
}

/// A registry pack reference, `[org/]name@version[#sha256:<hex>]`.
///
/// Every field is already validated, so any value displays as a reference
/// that parses back to itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistryRef {
    /// The organisation, or `None` for the global namespace.
    pub namespace: Option<Namespace>,
    /// The pack name.
    pub name: PackName,
    /// The exact version.
    pub version: Version,
    /// The expected digest from a `#sha256:` pin, if any.
    pub pin: Option<Digest>,
}

impl RegistryRef {
    /// Parses registry-shaped text; the parts are checked left to right.
    fn parse(reference: &str) -> Result<Self> {
        let (head, tail) = reference.split_once('@').unwrap_or((reference, ""));
        let (version, pin) = match tail.split_once('#') {
            Some((version, pin)) => (version, Some(pin)),
            None => (tail, None),
        };
        let (namespace, name) = match head.split_once('/') {
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, head),
        };
        let namespace = namespace
            .map(Namespace::parse)
            .transpose()
            .context(InvalidReferenceNamespaceSnafu { reference })?;
        ensure!(
            !name.is_empty(),
            InvalidReferenceSnafu {
                reference,
                reason: ReferenceFault::MissingName,
            }
        );
        let name = PackName::parse(name).context(InvalidReferenceNameSnafu { reference })?;
        ensure!(
            !version.is_empty(),
            InvalidReferenceSnafu {
                reference,
                reason: ReferenceFault::MissingVersion,
            }
        );
        let version =
            Version::parse(version).context(InvalidReferenceVersionSnafu { reference })?;
        let pin = pin
            .map(Digest::parse)
            .transpose()
            .context(InvalidReferencePinSnafu { reference })?;
        Ok(Self {
            namespace,
            name,
            version,
            pin,
        })
    }
}

impl fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(namespace) = &self.namespace {
            write!(f, "{namespace}/")?;
        }
        write!(f, "{}@{}", self.name, self.version)?;
        if let Some(pin) = &self.pin {
            write!(f, "#{pin}")?;
        }
        Ok(())
    }
}

/// A reserved `oci://` reference: recognised so that it can be reported as
/// "not supported yet" rather than as a malformed reference.
///
/// Nothing after `oci://` is interpreted; it only has to be non-empty.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OciRef {
    target: String,
}

impl OciRef {
    /// The URL scheme of OCI references.
    pub const SCHEME: &'static str = "oci";

    /// Why an OCI reference cannot be resolved.
    pub const UNSUPPORTED_REASON: &'static str =
        "oci:// references are reserved by the protocol and not supported yet";

    fn parse(reference: &str, target: &str) -> Result<Self> {
        ensure!(
            !target.is_empty(),
            InvalidReferenceSnafu {
                reference,
                reason: ReferenceFault::MissingOciTarget,
            }
        );
        Ok(Self {
            target: target.to_owned(),
        })
    }

    /// Everything after `oci://`, uninterpreted.
    pub fn target(&self) -> &str {
        &self.target
    }
}

impl fmt::Display for OciRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", Self::SCHEME, self.target)
    }
}

/// What is wrong with the overall shape of a pack reference.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReferenceFault {
    /// The reference is empty.
    Empty,
    /// The reference is a URL with a scheme this protocol does not know.
    UnknownScheme {
        /// The scheme before `://`.
        scheme: String,
    },
    /// A registry reference has nothing where the pack name belongs.
    MissingName,
    /// A registry reference has nothing after `@`.
    MissingVersion,
    /// A BYOS reference has no bucket (or container).
    MissingBucket {
        /// The scheme as written.
        scheme: String,
    },
    /// A BYOS reference has no object key after the bucket.
    MissingKey,
    /// An `oci://` reference has nothing after the scheme.
    MissingOciTarget,
    /// A path or a bare name carries a `#sha256:` pin, which only registry and
    /// BYOS references may carry.
    UnexpectedPin,
}

impl fmt::Display for ReferenceFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "is empty"),
            Self::UnknownScheme { scheme } => write!(
                f,
                "uses the unknown scheme {scheme:?}; known schemes are s3://, gs://, \
                 az:// (also azure://) and oci://"
            ),
            Self::MissingName => write!(f, "has no pack name before '@'"),
            Self::MissingVersion => write!(f, "has no version after '@'"),
            Self::MissingBucket { scheme } => {
                write!(f, "has no bucket after `{scheme}://`")
            }
            Self::MissingKey => write!(f, "has no object key after the bucket"),
            Self::MissingOciTarget => write!(f, "has nothing after `oci://`"),
            Self::UnexpectedPin => write!(
                f,
                "pins a digest but is not a registry or BYOS reference; \
                 pin with `name@version#sha256:<hex>`"
            ),
        }
    }
}

#[cfg(test)]
mod tests;
