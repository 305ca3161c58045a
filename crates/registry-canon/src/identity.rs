//! A pack's own identity (its top-level `name` and `version`) and the one check that it is
//! the pack that was asked for.

use std::fmt;

use registry_types::{PackName, UntrustedText, Version};

/// What a pack says it is: its top-level `name` and `version` members, when they are
/// strings.
///
/// Every place that receives a pack for a known name and version (the HTTP client, the
/// cache, the reference server) checks it with [`PackIdentity::ensure_matches`], so a
/// validly signed pack served or stored under another name or version (mix and match) is
/// refused. The strings are the pack's own and may hold anything: `Display` shows them as
/// [`UntrustedText`] (control characters dropped, bounded), with `?` for a member that is
/// missing or not a string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PackIdentity {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
}

impl PackIdentity {
    /// The top-level `name`, when it is a string.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The top-level `version`, when it is a string.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Checks that the pack is `name@version`: both members are strings equal to the
    /// requested ones.
    ///
    /// # Errors
    /// An [`IdentityMismatch`] naming what was expected and what the pack says; each caller
    /// wraps it in its own error with its context (the request, the cache entry, the file).
    pub fn ensure_matches(
        &self,
        name: &PackName,
        version: &Version,
    ) -> Result<(), IdentityMismatch> {
        let field = if self.name() != Some(name.as_str()) {
            IdentityField::Name
        } else if self.version() != Some(version.as_str()) {
            IdentityField::Version
        } else {
            return Ok(());
        };
        Err(IdentityMismatch(Box::new(Mismatch {
            field,
            expected_name: name.clone(),
            expected_version: version.clone(),
            found: self.clone(),
        })))
    }
}

impl fmt::Display for PackIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!(
            "{}@{}",
            self.name().unwrap_or("?"),
            self.version().unwrap_or("?")
        );
        UntrustedText::new(&text).fmt(f)
    }
}

/// Which member of a pack's identity differs (the first one, `name` before `version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdentityField {
    /// The top-level `name`.
    Name,
    /// The top-level `version`.
    Version,
}

impl IdentityField {
    /// `name` or `version`, as the member is spelled in the pack.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityField::Name => "name",
            IdentityField::Version => "version",
        }
    }
}

impl fmt::Display for IdentityField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pack that is not the one requested: what was expected, and what the pack says.
///
/// `Display` reads `the pack names itself 'b@1.0.0', not 'a@1.0.0'`, with the pack's side
/// shown as [`UntrustedText`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityMismatch(Box<Mismatch>);

/// The parts of an [`IdentityMismatch`], boxed so that results carrying one stay small.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Mismatch {
    field: IdentityField,
    expected_name: PackName,
    expected_version: Version,
    found: PackIdentity,
}

impl IdentityMismatch {
    /// The first member that differs.
    pub fn field(&self) -> IdentityField {
        self.0.field
    }

    /// The name that was asked for.
    pub fn expected_name(&self) -> &PackName {
        &self.0.expected_name
    }

    /// The version that was asked for.
    pub fn expected_version(&self) -> &Version {
        &self.0.expected_version
    }

    /// What the pack says it is.
    pub fn found(&self) -> &PackIdentity {
        &self.0.found
    }
}

impl fmt::Display for IdentityMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the pack names itself '{}', not '{}@{}'",
            self.0.found, self.0.expected_name, self.0.expected_version
        )
    }
}

impl std::error::Error for IdentityMismatch {}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(name: Option<&str>, version: Option<&str>) -> PackIdentity {
        PackIdentity {
            name: name.map(str::to_owned),
            version: version.map(str::to_owned),
        }
    }

    #[test]
    fn only_the_requested_name_and_version_match() {
        let name = PackName::parse("a").unwrap();
        let version = Version::parse("1.0.0").unwrap();
        assert!(
            identity(Some("a"), Some("1.0.0"))
                .ensure_matches(&name, &version)
                .is_ok()
        );
        for (found, field, shown) in [
            (
                identity(Some("b"), Some("1.0.0")),
                IdentityField::Name,
                "b@1.0.0",
            ),
            (
                identity(Some("a"), Some("1.0.1")),
                IdentityField::Version,
                "a@1.0.1",
            ),
            (identity(Some("a"), None), IdentityField::Version, "a@?"),
            (identity(None, None), IdentityField::Name, "?@?"),
        ] {
            let mismatch = found.ensure_matches(&name, &version).unwrap_err();
            assert_eq!(mismatch.field(), field, "{found:?}");
            assert_eq!(mismatch.found().to_string(), shown);
            assert_eq!(
                mismatch.to_string(),
                format!("the pack names itself '{shown}', not 'a@1.0.0'")
            );
        }
    }

    #[test]
    fn display_never_carries_control_characters_or_unbounded_text() {
        let hostile = identity(Some("\u{1b}[2Ja\u{9b}"), Some(&"9".repeat(10_000)));
        let shown = hostile.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.starts_with("[2Ja@999"), "{shown}");
        assert!(shown.chars().count() <= UntrustedText::MAX_CHARS + 1);
        assert!(shown.ends_with('…'));
    }
}
