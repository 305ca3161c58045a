//! The strict YAML profile: one pull loop over yaml-rust2's events that enforces every rule
//! of PROTOCOL §3 and builds the [`Value`] in the same pass.
//!
//! The loop keeps an explicit stack of open collections, so nesting costs heap, not call
//! stack: 100,000 nested `- ` lines end with the depth error, not a stack overflow. Nothing
//! looks at lines of text except to tell an explicit `---`/`...` from the implicit document
//! start and end, which yaml-rust2 reports as the same events.

use yaml_rust2::parser::{Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::{Event, ScanError};

use crate::error::{
    AliasSnafu, AnchorSnafu, CanonicalizeError, DirectiveSnafu, DocumentMarkerSnafu,
    DuplicateKeySnafu, FloatNotAllowedSnafu, FloatNotRepresentableSnafu, InputTooLargeSnafu,
    IntegerOutOfRangeSnafu, KeyPath, Location, MergeKeySnafu, NonStringKeySnafu, PathSegment,
    Result, StringTooLongSnafu, SyntaxSnafu, TagSnafu, TooDeepSnafu, TooManyKeysSnafu,
};
use crate::limits::{MAX_DEPTH, MAX_KEYS_PER_MAPPING, MAX_STRING_LENGTH, MAX_TOTAL_SIZE};
use crate::scalar::{PlainScalar, resolve_plain, same_decimal};
use crate::source::Source;
use crate::value::{Map, Number, Value, jcs_key_order};

/// What to do with a float in the input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FloatPolicy {
    /// Reject every float (the pack profile; the default).
    #[default]
    Reject,
    /// Accept a finite float whose value JCS writes back without losing or inventing a
    /// digit (`0.1`, `1.5e3`); reject `.inf`, `.nan` and floats such as
    /// `0.30000000000000001` that a double cannot hold.
    AcceptRoundTripping,
}

/// Options of the strict YAML front end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StrictOptions {
    /// What to do with floats.
    pub floats: FloatPolicy,
}

impl StrictOptions {
    /// The options with `floats` as float policy.
    pub fn with_floats(mut self, floats: FloatPolicy) -> Self {
        self.floats = floats;
        self
    }
}

/// Parses `input` under the strict profile with default options (floats rejected).
///
/// An empty input, or one holding only comments, is `Value::Null`.
///
/// # Errors
/// Returns the first rule the input breaks, with its line, column and key path.
pub fn parse_yaml_strict(input: &str) -> Result<Value> {
    parse_yaml_strict_with(input, StrictOptions::default())
}

/// Parses `input` under the strict profile with the given options.
///
/// # Errors
/// Returns the first rule the input breaks, with its line, column and key path.
pub fn parse_yaml_strict_with(input: &str, options: StrictOptions) -> Result<Value> {
    snafu::ensure!(
        input.len() <= MAX_TOTAL_SIZE,
        InputTooLargeSnafu {
            size: input.len(),
            limit: MAX_TOTAL_SIZE,
        }
    );
    let source = Source::new(input);
    let mut parser = Parser::new_from_str(source.text());
    let mut builder = Builder {
        source: &source,
        options,
        frames: Vec::new(),
        root: None,
    };
    let mut documents = 0;
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(next) => next,
            Err(error) => return Err(builder.scan_error(&error)),
        };
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => {
                // yaml-rust2 skips a `...` that ends no document without an event.
                if documents == 0 {
                    check_no_document_end_before(&source, source.text().len())?;
                }
                break;
            }
            Event::DocumentStart => {
                documents += 1;
                check_document_start(&source, mark, documents)?;
            }
            Event::DocumentEnd => {
                let offset = source.byte_offset(mark.index());
                snafu::ensure!(
                    !source.has_marker_at(offset, "..."),
                    DocumentMarkerSnafu {
                        marker: "...",
                        position: source.position_of_byte(offset),
                    }
                );
            }
            Event::Alias(_) => {
                return AliasSnafu {
                    at: builder.here(mark.index()),
                }
                .fail();
            }
            Event::Scalar(text, style, anchor, tag) => {
                builder.check_node_properties(anchor, tag.as_ref(), mark)?;
                builder.scalar(text, style, mark)?;
            }
            Event::SequenceStart(anchor, tag) => {
                builder.check_node_properties(anchor, tag.as_ref(), mark)?;
                builder.open(Frame::Sequence(Vec::new()), mark)?;
            }
            Event::MappingStart(anchor, tag) => {
                builder.check_node_properties(anchor, tag.as_ref(), mark)?;
                builder.open(Frame::Mapping(MappingFrame::default()), mark)?;
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
        }
    }
    Ok(builder.root.unwrap_or(Value::Null))
}

/// Rejects a second document, an explicit `---`, and the directives that may precede it.
fn check_document_start(source: &Source<'_>, mark: Marker, documents: usize) -> Result<()> {
    let offset = source.byte_offset(mark.index());
    if source.has_marker_at(offset, "---") {
        if let Some(directive) = source.directive_before(offset) {
            return DirectiveSnafu {
                position: source.position_of_byte(directive),
            }
            .fail();
        }
        return DocumentMarkerSnafu {
            marker: "---",
            position: source.position_of_byte(offset),
        }
        .fail();
    }
    if documents == 1 {
        check_no_document_end_before(source, offset)?;
    }
    // Without a `---`, a second document can only follow a `...`, which is rejected when
    // it is seen; this is a safety net.
    snafu::ensure!(
        documents == 1,
        DocumentMarkerSnafu {
            marker: "...",
            position: source.position_of_byte(offset),
        }
    );
    Ok(())
}

/// Rejects a `...` before the first document, which yaml-rust2 skips without an event.
fn check_no_document_end_before(source: &Source<'_>, offset: usize) -> Result<()> {
    match source.document_end_before(offset) {
        Some(marker) => DocumentMarkerSnafu {
            marker: "...",
            position: source.position_of_byte(marker),
        }
        .fail(),
        None => Ok(()),
    }
}

/// A collection being built.
enum Frame {
    Sequence(Vec<Value>),
    Mapping(MappingFrame),
}

/// A mapping being built: its members so far, each with the character index of its key, and
/// the key whose value comes next.
#[derive(Default)]
struct MappingFrame {
    entries: Vec<Entry>,
    pending_key: Option<(String, usize)>,
}

struct Entry {
    key: String,
    value: Value,
    key_index: usize,
}

struct Builder<'s, 'a> {
    source: &'s Source<'a>,
    options: StrictOptions,
    frames: Vec<Frame>,
    root: Option<Value>,
}

impl Builder<'_, '_> {
    /// The location of `mark`, with the key path of the node being read.
    fn here(&self, char_index: usize) -> Location {
        let segments = self
            .frames
            .iter()
            .filter_map(|frame| match frame {
                Frame::Sequence(items) => Some(PathSegment::Index(items.len())),
                Frame::Mapping(mapping) => mapping
                    .pending_key
                    .as_ref()
                    .map(|(key, _)| PathSegment::Key(key.clone())),
            })
            .collect();
        Location {
            position: self.source.position_of_char(char_index),
            path: KeyPath::new(segments),
        }
    }

    /// The location of a key of the innermost mapping: the mapping's path plus the key.
    fn at_key(&self, mark_index: usize, key: &str) -> Location {
        let mut location = self.here(mark_index);
        let mut segments = location.path.segments().to_vec();
        segments.push(PathSegment::Key(key.to_owned()));
        location.path = KeyPath::new(segments);
        location
    }

    /// Turns a parser error into ours. yaml-rust2 fails on an alias to an unknown anchor
    /// before it emits the alias event; the error points at the `*`, so that case is still
    /// reported as an alias.
    fn scan_error(&self, error: &ScanError) -> CanonicalizeError {
        let index = error.marker().index();
        let offset = self.source.byte_offset(index);
        if self.source.text()[offset..].starts_with('*') {
            return AliasSnafu {
                at: self.here(index),
            }
            .build();
        }
        SyntaxSnafu {
            position: self.source.position_of_char(index),
            message: error.info().to_owned(),
        }
        .build()
    }

    fn check_node_properties(&self, anchor: usize, tag: Option<&Tag>, mark: Marker) -> Result<()> {
        snafu::ensure!(
            anchor == 0,
            AnchorSnafu {
                at: self.here(mark.index())
            }
        );
        if let Some(tag) = tag {
            return TagSnafu {
                tag: written_tag(tag),
                at: self.here(mark.index()),
            }
            .fail();
        }
        Ok(())
    }

    /// Whether the next node is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(self.frames.last(), Some(Frame::Mapping(m)) if m.pending_key.is_none())
    }

    fn open(&mut self, frame: Frame, mark: Marker) -> Result<()> {
        if self.expects_key() {
            let kind = match frame {
                Frame::Sequence(_) => "a sequence",
                Frame::Mapping(_) => "a mapping",
            };
            return NonStringKeySnafu {
                kind,
                at: self.here(mark.index()),
            }
            .fail();
        }
        snafu::ensure!(
            self.frames.len() < MAX_DEPTH,
            TooDeepSnafu {
                limit: MAX_DEPTH,
                at: self.here(mark.index()),
            }
        );
        self.frames.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        let value = match self.frames.pop() {
            Some(Frame::Sequence(items)) => Value::Array(items),
            Some(Frame::Mapping(mapping)) => Value::Object(self.finish_mapping(mapping.entries)?),
            // The parser never ends a collection it did not start.
            None => return Ok(()),
        };
        self.attach(value);
        Ok(())
    }

    /// Sorts the members into JCS order and rejects duplicate keys.
    fn finish_mapping(&self, mut entries: Vec<Entry>) -> Result<Map> {
        entries.sort_by(|a, b| jcs_key_order(&a.key, &b.key).then(a.key_index.cmp(&b.key_index)));
        let duplicate = entries
            .windows(2)
            .filter(|pair| pair[0].key == pair[1].key)
            .min_by_key(|pair| pair[1].key_index);
        if let Some(pair) = duplicate {
            // The mapping is closed, so report the key inside the path of its parent: push
            // the frame-less path back by rebuilding it from the key's own position.
            return DuplicateKeySnafu {
                key: pair[1].key.clone(),
                at: self.at_key(pair[1].key_index, &pair[1].key),
                first: self.source.position_of_char(pair[0].key_index),
            }
            .fail();
        }
        Ok(Map::from_sorted_unique(
            entries.into_iter().map(|e| (e.key, e.value)).collect(),
        ))
    }

    /// Hands a finished node to the collection that holds it.
    fn attach(&mut self, value: Value) {
        match self.frames.last_mut() {
            Some(Frame::Sequence(items)) => items.push(value),
            Some(Frame::Mapping(mapping)) => {
                if let Some((key, key_index)) = mapping.pending_key.take() {
                    mapping.entries.push(Entry {
                        key,
                        value,
                        key_index,
                    });
                }
            }
            None => self.root = Some(value),
        }
    }

    fn scalar(&mut self, text: String, style: TScalarStyle, mark: Marker) -> Result<()> {
        snafu::ensure!(
            text.len() <= MAX_STRING_LENGTH,
            StringTooLongSnafu {
                length: text.len(),
                limit: MAX_STRING_LENGTH,
                at: self.here(mark.index()),
            }
        );
        let plain = style == TScalarStyle::Plain;
        if self.expects_key() {
            return self.key(text, plain, mark);
        }
        let value = if plain {
            self.plain_value(text, mark)?
        } else {
            Value::String(text)
        };
        self.attach(value);
        Ok(())
    }

    fn key(&mut self, text: String, plain: bool, mark: Marker) -> Result<()> {
        if plain {
            snafu::ensure!(
                text != "<<",
                MergeKeySnafu {
                    at: self.here(mark.index())
                }
            );
            let resolved = resolve_plain(&text);
            snafu::ensure!(
                resolved == PlainScalar::String,
                NonStringKeySnafu {
                    kind: resolved.kind(),
                    at: self.here(mark.index()),
                }
            );
        }
        let full = matches!(
            self.frames.last(),
            Some(Frame::Mapping(m)) if m.entries.len() >= MAX_KEYS_PER_MAPPING
        );
        snafu::ensure!(
            !full,
            TooManyKeysSnafu {
                limit: MAX_KEYS_PER_MAPPING,
                at: self.here(mark.index()),
            }
        );
        if let Some(Frame::Mapping(mapping)) = self.frames.last_mut() {
            mapping.pending_key = Some((text, mark.index()));
        }
        Ok(())
    }

    fn plain_value(&self, text: String, mark: Marker) -> Result<Value> {
        Ok(match resolve_plain(&text) {
            PlainScalar::Null => Value::Null,
            PlainScalar::Bool(value) => Value::Bool(value),
            PlainScalar::Integer(value) => Value::Number(Number::from_safe_integer(value)),
            PlainScalar::IntegerOutOfRange => {
                return IntegerOutOfRangeSnafu {
                    text,
                    at: self.here(mark.index()),
                }
                .fail();
            }
            PlainScalar::Float(value) => self.float(text, value, mark)?,
            PlainScalar::String => Value::String(text),
        })
    }

    fn float(&self, text: String, value: f64, mark: Marker) -> Result<Value> {
        if self.options.floats == FloatPolicy::Reject {
            return FloatNotAllowedSnafu {
                text,
                at: self.here(mark.index()),
            }
            .fail();
        }
        let Some(number) = Number::from_f64(value) else {
            return FloatNotRepresentableSnafu {
                text,
                jcs: "nothing (JSON has no infinity or NaN)",
                at: self.here(mark.index()),
            }
            .fail();
        };
        let mut jcs = Vec::new();
        crate::jcs::write_number(number, &mut jcs);
        let jcs = String::from_utf8_lossy(&jcs).into_owned();
        if same_decimal(&text, &jcs) {
            Ok(Value::Number(number))
        } else {
            FloatNotRepresentableSnafu {
                text,
                jcs,
                at: self.here(mark.index()),
            }
            .fail()
        }
    }
}

/// A tag as a pack author would have written it: `!!str`, `!local`, or `!<uri>`.
fn written_tag(tag: &Tag) -> String {
    match tag.handle.as_str() {
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
        "!" => format!("!{}", tag.suffix),
        handle => format!("!<{handle}{}>", tag.suffix),
    }
}
