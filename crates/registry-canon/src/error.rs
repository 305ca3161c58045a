//! The one error type of this crate, and where in the input an error happened.

use std::fmt;

use snafu::Snafu;

/// A place in the input: 1-based line and column, and the 0-based byte offset.
///
/// Columns count Unicode scalar values (characters) from the start of the line, as editors
/// show them; `offset` counts bytes from the start of the input, a leading BOM included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub column: usize,
    /// Byte offset from the start of the input, starting at 0.
    pub offset: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One step of a [`KeyPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A mapping key.
    Key(String),
    /// A sequence index, starting at 0.
    Index(usize),
}

/// Where in the document tree an error happened, written like `rules[3].check.type`.
///
/// Keys made only of ASCII letters, digits, `_` and `-` are written bare; any other key is
/// written as a JSON string in brackets (`["key with spaces"]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyPath {
    segments: Vec<PathSegment>,
}

impl KeyPath {
    /// Builds a path from its segments, outermost first.
    pub fn new(segments: Vec<PathSegment>) -> Self {
        Self { segments }
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> &[PathSegment] {
        &self.segments
    }

    /// Whether this is the document root.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("the document root");
        }
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                PathSegment::Index(index) => write!(f, "[{index}]")?,
                PathSegment::Key(key) if is_bare_key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                PathSegment::Key(key) => write!(f, "[{}]", QuotedKey(key))?,
            }
        }
        Ok(())
    }
}

fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Writes a key as a JSON string literal.
struct QuotedKey<'a>(&'a str);

impl fmt::Display for QuotedKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                c if c.is_control() => write!(f, "\\u{:04x}", c as u32)?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("\"")
    }
}

/// A position together with the key path that leads to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// Line, column and byte offset.
    pub position: Position,
    /// The key path of the offending node.
    pub path: KeyPath,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (in {})", self.position, self.path)
    }
}

/// The rule of the strict profile that an input broke; lets callers and tests branch on the
/// kind of an error without matching on text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// Input larger than [`crate::MAX_TOTAL_SIZE`].
    InputSize,
    /// Input that is not UTF-8.
    Utf8,
    /// Input that is not well-formed YAML (or JSON, for JSON input).
    Syntax,
    /// An anchor `&a`.
    Anchor,
    /// An alias `*a`.
    Alias,
    /// An explicit tag.
    Tag,
    /// A document marker `---` or `...`.
    DocumentMarker,
    /// A directive `%YAML` or `%TAG`.
    Directive,
    /// A merge key `<<`.
    MergeKey,
    /// The same key twice in one mapping.
    DuplicateKey,
    /// A key that is not a string.
    NonStringKey,
    /// A float the float policy does not accept.
    Float,
    /// An integer outside ±2^53.
    IntegerRange,
    /// Nesting deeper than [`crate::MAX_DEPTH`].
    Depth,
    /// More than [`crate::MAX_KEYS_PER_MAPPING`] keys in one mapping.
    KeyCount,
    /// A string longer than [`crate::MAX_STRING_LENGTH`].
    StringLength,
}

/// Why an input has no canonical form.
///
/// Every variant says which rule was broken and, where the input has one, the line, column
/// and key path of the offending node, so that a pack author can fix the file from the
/// message alone.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum CanonicalizeError {
    /// The input is larger than the profile allows.
    #[snafu(display("input is {size} bytes, more than the limit of {limit} bytes"))]
    InputTooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// The input is not UTF-8.
    #[snafu(display("input is not valid UTF-8: invalid byte sequence at {position}"))]
    InvalidUtf8 {
        /// Where the first invalid byte is.
        position: Position,
    },

    /// The YAML parser rejected the input.
    #[snafu(display("invalid YAML at {position}: {message}"))]
    Syntax {
        /// Where the parser stopped.
        position: Position,
        /// The parser's description of the problem.
        message: String,
    },

    /// The JSON input is malformed or breaks a rule of RFC 8785 input (I-JSON).
    #[snafu(display("invalid JSON input"))]
    InvalidJson {
        /// The JSON parser's error, with line and column.
        source: serde_json::Error,
    },

    /// An anchor (`&name`) was found.
    #[snafu(display("anchors (`&name`) are not allowed, found one at {at}"))]
    Anchor {
        /// Where the anchored node is.
        at: Location,
    },

    /// An alias (`*name`) was found.
    #[snafu(display("aliases (`*name`) are not allowed, found one at {at}"))]
    Alias {
        /// Where the alias is.
        at: Location,
    },

    /// An explicit tag was found.
    #[snafu(display("tags are not allowed, found `{tag}` at {at}"))]
    Tag {
        /// The tag as written after resolving its handle.
        tag: String,
        /// Where the tagged node is.
        at: Location,
    },

    /// A document marker was found: a pack is one document without markers.
    #[snafu(display(
        "document marker `{marker}` at {position} is not allowed: a pack is a single document without `---` or `...`"
    ))]
    DocumentMarker {
        /// `---` or `...`.
        marker: &'static str,
        /// Where the marker is.
        position: Position,
    },

    /// A directive (`%YAML`, `%TAG`) was found.
    #[snafu(display("directives (`%YAML`, `%TAG`) are not allowed, found one at {position}"))]
    Directive {
        /// Where the directive is.
        position: Position,
    },

    /// A plain `<<` merge key was found.
    #[snafu(display("merge keys (`<<`) are not allowed, found one at {at}"))]
    MergeKey {
        /// Where the merge key is.
        at: Location,
    },

    /// A mapping holds the same key twice (after scalar resolution).
    #[snafu(display("duplicate key {key:?} at {at}; it first appears at {first}"))]
    DuplicateKey {
        /// The key.
        key: String,
        /// The second occurrence.
        at: Location,
        /// The first occurrence.
        first: Position,
    },

    /// A mapping key is not a string.
    #[snafu(display(
        "mapping keys must be strings, found {kind} key at {at} (quote it to make it a string)"
    ))]
    NonStringKey {
        /// What the key is: `an integer`, `a null`, `a sequence`, ...
        kind: &'static str,
        /// Where the key is.
        at: Location,
    },

    /// A float was found and the float policy rejects it.
    #[snafu(display(
        "floats are not allowed, found `{text}` at {at} (quote it to make it a string)"
    ))]
    FloatNotAllowed {
        /// The scalar as written.
        text: String,
        /// Where it is.
        at: Location,
    },

    /// A float is accepted by the policy but has no exact JCS form (it is infinite, not a
    /// number, or JCS would print a different number).
    #[snafu(display(
        "float `{text}` at {at} does not survive a JCS round trip (JCS would write {jcs})"
    ))]
    FloatNotRepresentable {
        /// The scalar as written.
        text: String,
        /// What JCS would print, or `nothing` when the value is not finite.
        jcs: String,
        /// Where it is.
        at: Location,
    },

    /// An integer lies outside ±2^53.
    #[snafu(display(
        "integer `{text}` at {at} is outside the range ±9007199254740992 (quote it to make it a string)"
    ))]
    IntegerOutOfRange {
        /// The scalar as written.
        text: String,
        /// Where it is.
        at: Location,
    },

    /// Nesting is deeper than the limit.
    #[snafu(display("nesting deeper than {limit} levels at {at}"))]
    TooDeep {
        /// The limit.
        limit: usize,
        /// Where the first too-deep node starts.
        at: Location,
    },

    /// A mapping has more keys than the limit.
    #[snafu(display("mapping has more than {limit} keys; key number {} is at {at}", limit + 1))]
    TooManyKeys {
        /// The limit.
        limit: usize,
        /// Where the first key over the limit is.
        at: Location,
    },

    /// A string is longer than the limit.
    #[snafu(display("string of {length} bytes at {at} is longer than the limit of {limit} bytes"))]
    StringTooLong {
        /// Length of the string in UTF-8 bytes.
        length: usize,
        /// The limit.
        limit: usize,
        /// Where the string is.
        at: Location,
    },
}

impl CanonicalizeError {
    /// The rule that the input broke.
    pub fn rule(&self) -> Rule {
        match self {
            Self::InputTooLarge { .. } => Rule::InputSize,
            Self::InvalidUtf8 { .. } => Rule::Utf8,
            Self::Syntax { .. } | Self::InvalidJson { .. } => Rule::Syntax,
            Self::Anchor { .. } => Rule::Anchor,
            Self::Alias { .. } => Rule::Alias,
            Self::Tag { .. } => Rule::Tag,
            Self::DocumentMarker { .. } => Rule::DocumentMarker,
            Self::Directive { .. } => Rule::Directive,
            Self::MergeKey { .. } => Rule::MergeKey,
            Self::DuplicateKey { .. } => Rule::DuplicateKey,
            Self::NonStringKey { .. } => Rule::NonStringKey,
            Self::FloatNotAllowed { .. } | Self::FloatNotRepresentable { .. } => Rule::Float,
            Self::IntegerOutOfRange { .. } => Rule::IntegerRange,
            Self::TooDeep { .. } => Rule::Depth,
            Self::TooManyKeys { .. } => Rule::KeyCount,
            Self::StringTooLong { .. } => Rule::StringLength,
        }
    }

    /// Line, column and byte offset of the offending input, when there is one.
    pub fn position(&self) -> Option<Position> {
        match self {
            Self::InvalidUtf8 { position }
            | Self::Syntax { position, .. }
            | Self::DocumentMarker { position, .. }
            | Self::Directive { position } => Some(*position),
            _ => self.location().map(|at| at.position),
        }
    }

    /// The key path of the offending node, when the error has one.
    pub fn path(&self) -> Option<&KeyPath> {
        self.location().map(|at| &at.path)
    }

    /// Position and key path of the offending node, for the rules that apply to a node.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Anchor { at }
            | Self::Alias { at }
            | Self::Tag { at, .. }
            | Self::MergeKey { at }
            | Self::DuplicateKey { at, .. }
            | Self::NonStringKey { at, .. }
            | Self::FloatNotAllowed { at, .. }
            | Self::FloatNotRepresentable { at, .. }
            | Self::IntegerOutOfRange { at, .. }
            | Self::TooDeep { at, .. }
            | Self::TooManyKeys { at, .. }
            | Self::StringTooLong { at, .. } => Some(at),
            Self::InputTooLarge { .. }
            | Self::InvalidUtf8 { .. }
            | Self::Syntax { .. }
            | Self::InvalidJson { .. }
            | Self::DocumentMarker { .. }
            | Self::Directive { .. } => None,
        }
    }
}

/// Result with [`CanonicalizeError`] as the default error.
pub type Result<T, E = CanonicalizeError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_path_renders_like_a_pack_author_writes_it() {
        let path = KeyPath::new(vec![
            PathSegment::Key("rules".into()),
            PathSegment::Index(3),
            PathSegment::Key("check".into()),
            PathSegment::Key("type".into()),
        ]);
        assert_eq!(path.to_string(), "rules[3].check.type");
    }

    #[test]
    fn odd_keys_are_quoted() {
        let path = KeyPath::new(vec![
            PathSegment::Key("a b".into()),
            PathSegment::Key("x\"y".into()),
            PathSegment::Index(0),
            PathSegment::Key("".into()),
        ]);
        assert_eq!(path.to_string(), r#"["a b"]["x\"y"][0][""]"#);
    }

    #[test]
    fn root_path_is_named() {
        assert_eq!(KeyPath::default().to_string(), "the document root");
    }
}
