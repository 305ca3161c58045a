//! Typed reasons that say which rule a rejected text breaks.

use std::fmt;

/// The rule of the name grammar (pack names and namespaces) that a text breaks.
///
/// Positions count characters from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameFault {
    /// The text is empty.
    Empty,
    /// The text is longer than the limit.
    TooLong {
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// The text contains an uppercase ASCII letter.
    UppercaseLetter {
        /// The first uppercase letter.
        letter: char,
        /// Its position.
        position: usize,
    },
    /// The text contains a character outside `a-z`, `0-9` and `-`.
    ForbiddenCharacter {
        /// The first such character.
        character: char,
        /// Its position.
        position: usize,
    },
    /// The text starts with `-`.
    LeadingHyphen,
    /// The text ends with `-`.
    TrailingHyphen,
}

impl fmt::Display for NameFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ALPHABET: &str = "names use a-z, 0-9 and '-'";
        match self {
            Self::Empty => write!(f, "is empty"),
            Self::TooLong { length, max } => {
                write!(f, "is {length} characters long; the limit is {max}")
            }
            Self::UppercaseLetter { letter, position } => write!(
                f,
                "contains an uppercase letter {letter:?} at position {position}; {ALPHABET}"
            ),
            Self::ForbiddenCharacter {
                character,
                position,
            } => write!(
                f,
                "contains {character:?} at position {position}; {ALPHABET}"
            ),
            Self::LeadingHyphen => write!(f, "starts with '-'; names start with a-z or 0-9"),
            Self::TrailingHyphen => write!(f, "ends with '-'; names end with a-z or 0-9"),
        }
    }
}

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

/// The rule of the digest form `sha256:<64 lowercase hex>` that a text breaks.
///
/// Positions count characters from 1 over the whole digest text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestFault {
    /// There is no `algorithm:` prefix at all.
    MissingAlgorithm,
    /// The algorithm is not exactly `sha256`.
    UnsupportedAlgorithm {
        /// The algorithm text before the first `:`.
        algorithm: String,
    },
    /// The hex part contains an uppercase hex digit.
    UppercaseHex {
        /// The first uppercase digit.
        character: char,
        /// Its position.
        position: usize,
    },
    /// The hex part contains a character that is not a hex digit.
    NotHex {
        /// The first such character.
        character: char,
        /// Its position.
        position: usize,
    },
    /// The hex part does not have 64 characters.
    WrongLength {
        /// How many it has.
        length: usize,
    },
}

impl fmt::Display for DigestFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingAlgorithm => write!(
                f,
                "has no algorithm prefix; expected `sha256:` and 64 lowercase hex characters"
            ),
            Self::UnsupportedAlgorithm { algorithm } => write!(
                f,
                "uses algorithm {algorithm:?}; only `sha256` (lowercase) is supported"
            ),
            Self::UppercaseHex {
                character,
                position,
            } => write!(
                f,
                "has an uppercase hex digit {character:?} at position {position}; \
                 digests use lowercase hex"
            ),
            Self::NotHex {
                character,
                position,
            } => write!(
                f,
                "contains {character:?} at position {position}, which is not a hex digit"
            ),
            Self::WrongLength { length } => write!(
                f,
                "has {length} hex characters after `sha256:`; expected 64"
            ),
        }
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
