//! The strict YAML profile: one pull loop over yaml-rust2's events that enforces every rule
//! of PROTOCOL §3 and writes the canonical bytes in the same pass.
//!
//! The loop keeps an explicit stack of open collections, so nesting costs heap, not call
//! stack: 100,000 nested `- ` lines end with the depth error, not a stack overflow. Nothing
//! looks at lines of text except to tell an explicit `---`/`...` from the implicit document
//! start and end, which yaml-rust2 reports as the same events, and to end a block scalar at
//! the end of the input as YAML and libyaml do (`block_scalar`).
//!
//! Where YAML 1.1 parsers (libyaml, which the deployed reference implementation uses) and
//! YAML 1.2 parsers read the same bytes as different values, the profile rejects the input
//! rather than pick one: unescaped NEL, LS and PS, and a flow plain scalar starting with `?`.
//! Control characters, which YAML does not allow in a stream, are rejected too (yaml-rust2
//! would take a NUL for the end of the input and drop the rest).

use yaml_rust2::Event;
use yaml_rust2::parser::Parser;
use yaml_rust2::scanner::Marker;

use crate::emitter::{Canonical, Emitter};
use crate::error::{
    AliasSnafu, DirectiveSnafu, DocumentMarkerSnafu, InputTooLargeSnafu, Result, SyntaxSnafu,
};
use crate::limits::MAX_TOTAL_SIZE;
use crate::source::{Source, first_unreadable_char};
use crate::value::Value;

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
/// An empty input, or one holding only comments, is `Value::Null`. The value is read back
/// from the canonical bytes, so it is exactly what the digest covers.
///
/// # Errors
/// Returns the first rule the input breaks, with its line, column and key path.
pub fn parse_yaml_strict(input: &str) -> Result<Value> {
    let canonical = canonicalize(input, StrictOptions::default())?;
    Value::from_json_slice(&canonical.into_bytes())
}

/// Runs the strict profile over `input`; the canonical form can then be copied out or
/// hashed.
pub(crate) fn canonicalize(input: &str, options: StrictOptions) -> Result<Canonical> {
    snafu::ensure!(
        input.len() <= MAX_TOTAL_SIZE,
        InputTooLargeSnafu {
            size: input.len(),
            limit: MAX_TOTAL_SIZE,
        }
    );
    let source = Source::new(input);
    if let Some((offset, character)) = first_unreadable_char(source.text()) {
        return SyntaxSnafu {
            position: source.position_of_byte(offset),
            message: character.describe(),
        }
        .fail();
    }
    let mut parser = Parser::new_from_str(source.text());
    let mut emitter = Emitter::new(&source, options);
    let mut documents = 0;
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(next) => next,
            Err(error) => return Err(emitter.scan_error(&error)),
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
                    at: emitter.here(mark.index()),
                }
                .fail();
            }
            Event::Scalar(text, style, anchor, tag) => {
                emitter.check_node_properties(anchor, tag.as_ref(), mark)?;
                emitter.scalar(text, style, mark)?;
            }
            Event::SequenceStart(anchor, tag) => {
                emitter.check_node_properties(anchor, tag.as_ref(), mark)?;
                emitter.open(false, mark)?;
            }
            Event::MappingStart(anchor, tag) => {
                emitter.check_node_properties(anchor, tag.as_ref(), mark)?;
                emitter.open(true, mark)?;
            }
            Event::SequenceEnd | Event::MappingEnd => emitter.close()?,
        }
    }
    Ok(emitter.finish())
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
