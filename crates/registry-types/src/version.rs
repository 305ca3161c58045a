//! Exact SemVer 2.0.0 versions, ordered by SemVer precedence.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::error::{InvalidVersionSnafu, Result};

/// An exact SemVer 2.0.0 version, such as `1.2.0`, `1.2.0-rc.1` or `1.2.0+build.5`.
///
/// There are no ranges, no `latest`, no leading `v` and no whitespace. The
/// original text is kept, so display after parse is the identity (SemVer's
/// grammar admits only one spelling per version anyway).
///
/// # Ordering and equality
///
/// [`Ord`] is SemVer precedence ([`Version::cmp_precedence`]), with the build
/// metadata compared as a plain string to break ties. Precedence alone ignores
/// build metadata, which would make `1.0.0+a` and `1.0.0+b` equal under `Ord`
/// but unequal under `Eq`; the tiebreak keeps `Ord` total and consistent with
/// `Eq`, which compares the whole version. A version without build metadata
/// sorts before the same version with it.
///
/// Serde reads and writes the version string; deserializing validates it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Version {
    text: String,
    major: u64,
    minor: u64,
    patch: u64,
    pre_release: Option<String>,
    build: Option<String>,
}

impl Version {
    /// Parses an exact SemVer 2.0.0 version.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidVersion`](crate::Error::InvalidVersion) naming the
    /// broken rule when `text` is not an exact SemVer 2.0.0 version.
    pub fn parse(text: &str) -> Result<Self> {
        Self::try_from(text.to_owned())
    }

    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The major number.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor number.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch number.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The pre-release identifiers after `-` (without the `-`), if any.
    pub fn pre_release(&self) -> Option<&str> {
        self.pre_release.as_deref()
    }

    /// The build metadata after `+` (without the `+`), if any.
    pub fn build(&self) -> Option<&str> {
        self.build.as_deref()
    }

    /// Compares by SemVer 2.0.0 precedence only, ignoring build metadata.
    ///
    /// `1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta < 1.0.0-beta.2 <
    /// 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0`.
    pub fn cmp_precedence(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (&self.pre_release, &other.pre_release) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(mine), Some(theirs)) => cmp_pre_release(mine, theirs),
            })
    }
}

/// Compares two dot-separated pre-release lists by SemVer rule 11.
fn cmp_pre_release(mine: &str, theirs: &str) -> Ordering {
    let mut mine = mine.split('.');
    let mut theirs = theirs.split('.');
    loop {
        match (mine.next(), theirs.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(a), Some(b)) => {
                let order = cmp_identifier(a, b);
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Numeric identifiers compare as numbers and sort before alphanumeric ones.
/// They have no leading zeros, so a longer one is larger, which avoids any
/// overflow on identifiers longer than a `u64`.
fn cmp_identifier(a: &str, b: &str) -> Ordering {
    match (is_numeric(a), is_numeric(b)) {
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

fn is_numeric(identifier: &str) -> bool {
    identifier.bytes().all(|byte| byte.is_ascii_digit())
}

/// Checks the whole text and returns the validated parts.
fn parse_parts(text: &str) -> Result<Version, VersionFault> {
    let first = text.chars().next().ok_or(VersionFault::Empty)?;
    if text.eq_ignore_ascii_case("latest") {
        return Err(VersionFault::Latest);
    }
    if matches!(first, '^' | '~' | '=' | '<' | '>' | '*') {
        return Err(VersionFault::Range { operator: first });
    }
    if matches!(first, 'v' | 'V') {
        return Err(VersionFault::LeadingV { letter: first });
    }
    if let Some(index) = text.chars().position(char::is_whitespace) {
        return Err(VersionFault::Whitespace {
            position: index + 1,
        });
    }

    let (rest, build) = match text.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (text, None),
    };
    let (core, pre_release) = match rest.split_once('-') {
        Some((core, pre_release)) => (core, Some(pre_release)),
        None => (rest, None),
    };

    // `-1.2.3` splits into an empty core and a pre-release; say what is missing.
    if core.is_empty() {
        return Err(VersionFault::EmptyCoreNumber {
            number: CoreNumber::Major,
        });
    }
    let numbers: Vec<&str> = core.split('.').collect();
    let [major, minor, patch] = numbers[..] else {
        return Err(VersionFault::WrongCoreCount {
            found: numbers.len(),
        });
    };
    let major = parse_core_number(major, CoreNumber::Major)?;
    let minor = parse_core_number(minor, CoreNumber::Minor)?;
    let patch = parse_core_number(patch, CoreNumber::Patch)?;

    // Character positions count from 1 over the whole text: the pre-release
    // starts after the core and its '-', the build after everything before '+'.
    if let Some(pre_release) = pre_release {
        let offset = core.chars().count() + 1;
        check_identifiers(pre_release, VersionSection::PreRelease, offset)?;
    }
    if let Some(build) = build {
        let offset = rest.chars().count() + 1;
        check_identifiers(build, VersionSection::Build, offset)?;
    }

    Ok(Version {
        text: text.to_owned(),
        major,
        minor,
        patch,
        pre_release: pre_release.map(str::to_owned),
        build: build.map(str::to_owned),
    })
}

fn parse_core_number(text: &str, number: CoreNumber) -> Result<u64, VersionFault> {
    if text.is_empty() {
        return Err(VersionFault::EmptyCoreNumber { number });
    }
    let owned = || text.to_owned();
    if !is_numeric(text) {
        return Err(VersionFault::NotANumber {
            number,
            text: owned(),
        });
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(VersionFault::LeadingZero {
            number,
            text: owned(),
        });
    }
    // The text is all ASCII digits, so the only possible failure is overflow.
    text.parse().map_err(|_| VersionFault::Overflow {
        number,
        text: owned(),
    })
}

/// Checks a dot-separated identifier list that starts `offset` characters
/// into the version text.
fn check_identifiers(
    list: &str,
    section: VersionSection,
    offset: usize,
) -> Result<(), VersionFault> {
    let mut position = offset;
    for identifier in list.split('.') {
        if identifier.is_empty() {
            return Err(VersionFault::EmptyIdentifier { section });
        }
        for character in identifier.chars() {
            position += 1;
            if !(character.is_ascii_alphanumeric() || character == '-') {
                return Err(VersionFault::InvalidCharacter {
                    section,
                    character,
                    position,
                });
            }
        }
        let numeric_with_leading_zero =
            identifier.len() > 1 && identifier.starts_with('0') && is_numeric(identifier);
        if section == VersionSection::PreRelease && numeric_with_leading_zero {
            return Err(VersionFault::NumericLeadingZero {
                identifier: identifier.to_owned(),
            });
        }
        // Skip the '.' that follows this identifier.
        position += 1;
    }
    Ok(())
}

impl TryFrom<String> for Version {
    type Error = crate::Error;

    fn try_from(text: String) -> Result<Self> {
        match parse_parts(&text) {
            Ok(version) => Ok(version),
            Err(reason) => InvalidVersionSnafu {
                version: text,
                reason,
            }
            .fail(),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for Version {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl From<Version> for String {
    fn from(version: Version) -> Self {
        version.text
    }
}

// Every field is determined by the text, so the text alone decides equality.
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_precedence(other)
            .then_with(|| self.build.cmp(&other.build))
    }
}

crate::text_form::impl_parse_traits!(Version);

/// One of the three numbers of a version's core `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreNumber {
    /// The first number.
    Major,
    /// The second number.
    Minor,
    /// The third number.
    Patch,
}

impl fmt::Display for CoreNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Major => "major",
            Self::Minor => "minor",
            Self::Patch => "patch",
        })
    }
}

/// One of the two identifier lists that may follow a version's core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionSection {
    /// The identifiers after `-`.
    PreRelease,
    /// The identifiers after `+`.
    Build,
}

impl fmt::Display for VersionSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PreRelease => "pre-release",
            Self::Build => "build metadata",
        })
    }
}

/// The rule of SemVer 2.0.0 (or of exact references) that a version text breaks.
///
/// Positions count characters from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersionFault {
    /// The text is empty.
    Empty,
    /// The text is `latest` (in any case), which references never use.
    Latest,
    /// The text starts with a range operator such as `^`, `~`, `>=` or `*`.
    Range {
        /// The operator character it starts with.
        operator: char,
    },
    /// The text starts with `v` or `V`.
    LeadingV {
        /// The letter.
        letter: char,
    },
    /// The text contains whitespace.
    Whitespace {
        /// The position of the first whitespace character.
        position: usize,
    },
    /// The core does not have exactly three dot-separated numbers.
    WrongCoreCount {
        /// How many it has.
        found: usize,
    },
    /// A core number is empty.
    EmptyCoreNumber {
        /// Which one.
        number: CoreNumber,
    },
    /// A core number contains something other than decimal digits.
    NotANumber {
        /// Which one.
        number: CoreNumber,
        /// Its text.
        text: String,
    },
    /// A core number has a leading zero.
    LeadingZero {
        /// Which one.
        number: CoreNumber,
        /// Its text.
        text: String,
    },
    /// A core number does not fit in a `u64`.
    Overflow {
        /// Which one.
        number: CoreNumber,
        /// Its text.
        text: String,
    },
    /// A pre-release or build identifier is empty.
    EmptyIdentifier {
        /// Where.
        section: VersionSection,
    },
    /// A pre-release or build identifier contains a character outside `0-9A-Za-z-`.
    InvalidCharacter {
        /// Where.
        section: VersionSection,
        /// The first such character.
        character: char,
        /// Its position in the whole version text.
        position: usize,
    },
    /// A numeric pre-release identifier has a leading zero.
    NumericLeadingZero {
        /// The identifier.
        identifier: String,
    },
}

impl fmt::Display for VersionFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "is empty"),
            Self::Latest => write!(
                f,
                "is not a version: there is no `latest`; name an exact version such as 1.2.0"
            ),
            Self::Range { operator } => write!(
                f,
                "is a range (starts with {operator:?}); a reference names one exact version"
            ),
            Self::LeadingV { letter } => {
                write!(f, "starts with {letter:?}; write the version without it")
            }
            Self::Whitespace { position } => {
                write!(f, "contains whitespace at position {position}")
            }
            Self::WrongCoreCount { found } => write!(
                f,
                "does not have three dot-separated core numbers (major.minor.patch); it has {found}"
            ),
            Self::EmptyCoreNumber { number } => write!(f, "has an empty {number} number"),
            Self::NotANumber { number, text } => {
                write!(
                    f,
                    "has a {number} number {text:?} that is not a decimal number"
                )
            }
            Self::LeadingZero { number, text } => {
                write!(f, "has a {number} number {text:?} with a leading zero")
            }
            Self::Overflow { number, text } => {
                write!(
                    f,
                    "has a {number} number {text:?} that does not fit in 64 bits"
                )
            }
            Self::EmptyIdentifier { section } => write!(f, "has an empty {section} identifier"),
            Self::InvalidCharacter {
                section,
                character,
                position,
            } => write!(
                f,
                "contains {character:?} at position {position} in the {section}; \
                 identifiers use 0-9, A-Z, a-z and '-'"
            ),
            Self::NumericLeadingZero { identifier } => write!(
                f,
                "has a numeric pre-release identifier {identifier:?} with a leading zero"
            ),
        }
    }
}

#[cfg(test)]
mod tests;
