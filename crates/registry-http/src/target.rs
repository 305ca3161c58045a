//! What a request is about, so that every error can name the pack and the registry.

use std::fmt;
use std::sync::Arc;

use registry_types::{Namespace, PackName, Version};

/// The thing a registry request concerns, as errors name it.
///
/// `Display` writes a short noun phrase: `pack 'acme/eu-ai-act-pro@1.2.0'`,
/// `signature of pack 'eu-ai-act-pro@1.2.0'`, `versions of pack 'eu-ai-act-pro'`,
/// `pack list`, `keys manifest`, `OIDC token exchange`, `CI ID token`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target(Arc<TargetKind>);

/// The kinds of [`Target`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TargetKind {
    /// A pack body or its headers.
    Pack(PackCoordinates),
    /// A pack's detached signature (sidecar or header).
    Signature(PackCoordinates),
    /// The version list of a pack.
    Versions {
        /// The organisation, or `None` for the global namespace.
        namespace: Option<Namespace>,
        /// The pack name.
        name: PackName,
    },
    /// The paginated pack list of a namespace.
    Listing {
        /// The organisation, or `None` for the global namespace.
        namespace: Option<Namespace>,
    },
    /// The signed keys manifest (`GET /keys`).
    Keys,
    /// The OIDC exchange of an ID token for a registry access token. Requested only with
    /// the `oidc` feature; the kind exists in every build, as the endpoint exists in the
    /// protocol.
    TokenExchange,
    /// The CI system's ID token (GitHub Actions' token endpoint, a file or a variable).
    /// Requested only with the `oidc` feature.
    IdToken,
}

/// A pack as the registry addresses it: optional namespace, name and exact version.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PackCoordinates {
    /// The organisation, or `None` for the global namespace.
    pub namespace: Option<Namespace>,
    /// The pack name.
    pub name: PackName,
    /// The exact version.
    pub version: Version,
}

impl PackCoordinates {
    /// Coordinates from their parts.
    pub fn new(namespace: Option<&Namespace>, name: &PackName, version: &Version) -> Self {
        PackCoordinates {
            namespace: namespace.cloned(),
            name: name.clone(),
            version: version.clone(),
        }
    }
}

impl fmt::Display for PackCoordinates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(namespace) = &self.namespace {
            write!(f, "{namespace}/")?;
        }
        write!(f, "{}@{}", self.name, self.version)
    }
}

impl Target {
    /// A target of the given kind.
    pub fn new(kind: TargetKind) -> Self {
        Target(Arc::new(kind))
    }

    /// A pack body or its headers.
    pub fn pack(coordinates: PackCoordinates) -> Self {
        Target::new(TargetKind::Pack(coordinates))
    }

    /// A pack's signature.
    pub fn signature(coordinates: PackCoordinates) -> Self {
        Target::new(TargetKind::Signature(coordinates))
    }

    /// What the target is.
    pub fn kind(&self) -> &TargetKind {
        &self.0
    }

    /// The pack the target concerns, when it concerns one pack version.
    pub fn pack_coordinates(&self) -> Option<&PackCoordinates> {
        match self.kind() {
            TargetKind::Pack(pack) | TargetKind::Signature(pack) => Some(pack),
            _ => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            TargetKind::Pack(pack) => write!(f, "pack '{pack}'"),
            TargetKind::Signature(pack) => write!(f, "signature of pack '{pack}'"),
            TargetKind::Versions { namespace, name } => match namespace {
                Some(namespace) => write!(f, "versions of pack '{namespace}/{name}'"),
                None => write!(f, "versions of pack '{name}'"),
            },
            TargetKind::Listing { namespace } => match namespace {
                Some(namespace) => write!(f, "pack list of organisation '{namespace}'"),
                None => f.write_str("pack list"),
            },
            TargetKind::Keys => f.write_str("keys manifest"),
            TargetKind::TokenExchange => f.write_str("OIDC token exchange"),
            TargetKind::IdToken => f.write_str("CI ID token"),
        }
    }
}

/// What to check after a 404, for the kind of thing that was not found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotFoundHint {
    /// A pack or its signature: the name and version.
    PackNameAndVersion,
    /// A version list: the pack name (and organisation).
    PackName,
    /// An organisation's pack list: the organisation.
    Organisation,
    /// The global pack list: the registry URL.
    RegistryUrl,
    /// The keys manifest: the registry URL (this registry may publish none).
    KeysManifest,
    /// The OIDC exchange: the registry URL (this registry may offer none).
    TokenExchange,
    /// The CI's ID-token endpoint: its URL.
    IdTokenEndpoint,
}

impl NotFoundHint {
    /// The hint for a 404 to a request about `target`.
    pub fn for_target(target: &Target) -> Self {
        match target.kind() {
            TargetKind::Pack(_) | TargetKind::Signature(_) => NotFoundHint::PackNameAndVersion,
            TargetKind::Versions { .. } => NotFoundHint::PackName,
            TargetKind::Listing { namespace: Some(_) } => NotFoundHint::Organisation,
            TargetKind::Listing { namespace: None } => NotFoundHint::RegistryUrl,
            TargetKind::Keys => NotFoundHint::KeysManifest,
            TargetKind::TokenExchange => NotFoundHint::TokenExchange,
            TargetKind::IdToken => NotFoundHint::IdTokenEndpoint,
        }
    }
}

impl fmt::Display for NotFoundHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotFoundHint::PackNameAndVersion => "check the pack name and version",
            NotFoundHint::PackName => "check the pack name and organisation",
            NotFoundHint::Organisation => "check the organisation name",
            NotFoundHint::RegistryUrl => "check the registry URL",
            NotFoundHint::KeysManifest => {
                "check the registry URL; this registry may publish no keys manifest at /keys"
            }
            NotFoundHint::TokenExchange => {
                "check the registry URL; this registry may offer no OIDC token exchange"
            }
            NotFoundHint::IdTokenEndpoint => "check the CI's ID-token endpoint URL",
        })
    }
}

/// The registry a request went to, as errors name it: its base URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegistryName(Arc<str>);

impl RegistryName {
    pub(crate) fn new(base_url: &str) -> Self {
        RegistryName(Arc::from(base_url))
    }

    /// The registry's base URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegistryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Context selectors take `impl Into<Target>`; these let call sites pass references.
impl From<&Target> for Target {
    fn from(target: &Target) -> Self {
        target.clone()
    }
}

impl From<&RegistryName> for RegistryName {
    fn from(registry: &RegistryName) -> Self {
        registry.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coordinates(namespace: Option<&str>) -> PackCoordinates {
        PackCoordinates {
            namespace: namespace.map(|org| Namespace::parse(org).unwrap()),
            name: PackName::parse("eu-ai-act-pro").unwrap(),
            version: Version::parse("1.2.0").unwrap(),
        }
    }

    #[test]
    fn targets_read_as_noun_phrases() {
        assert_eq!(
            Target::pack(coordinates(Some("acme"))).to_string(),
            "pack 'acme/eu-ai-act-pro@1.2.0'"
        );
        assert_eq!(
            Target::signature(coordinates(None)).to_string(),
            "signature of pack 'eu-ai-act-pro@1.2.0'"
        );
        let versions = Target::new(TargetKind::Versions {
            namespace: None,
            name: PackName::parse("eu-ai-act-pro").unwrap(),
        });
        assert_eq!(versions.to_string(), "versions of pack 'eu-ai-act-pro'");
        assert_eq!(Target::new(TargetKind::Keys).to_string(), "keys manifest");
        assert!(Target::new(TargetKind::Keys).pack_coordinates().is_none());
    }
}
