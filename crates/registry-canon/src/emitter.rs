//! Writes the canonical JCS bytes of a document while its events stream in, enforcing the
//! node-level rules of the strict profile on the way.
//!
//! No tree is built. Sequences are written in place. A mapping's members are written in
//! input order, each remembered as a byte range together with its key; when the mapping
//! ends, duplicate keys are rejected and, only if the keys were not already in JCS order,
//! the members are copied back in sorted order. The cost of sorting is a copy of each
//! unsorted mapping's bytes, instead of a heap object per node.

use std::ops::Range;

use registry_types::Digest;
use yaml_rust2::ScanError;
use yaml_rust2::parser::Tag;
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::block_scalar;
use crate::error::{
    AliasSnafu, AnchorSnafu, CanonicalizeError, DuplicateKeySnafu, FloatNotAllowedSnafu,
    FloatNotRepresentableSnafu, IntegerOutOfRangeSnafu, KeyPath, Location, MergeKeySnafu,
    NonStringKeySnafu, PathSegment, Result, StringTooLongSnafu, SyntaxSnafu, TagSnafu,
    TooDeepSnafu, TooManyKeysSnafu,
};
use crate::identity::PackIdentity;
use crate::jcs::{write_integer, write_number, write_string};
use crate::limits::{MAX_DEPTH, MAX_KEYS_PER_MAPPING, MAX_STRING_LENGTH};
use crate::scalar::{PlainScalar, resolve_plain, same_decimal};
use crate::source::Source;
use crate::strict_yaml::{FloatPolicy, StrictOptions};
use crate::value::{Number, jcs_key_order};

/// A collection whose closing bracket has not been seen yet.
enum Frame {
    Sequence {
        /// Items written so far; also the index of the item being read.
        items: usize,
    },
    Mapping(MappingFrame),
}

/// A mapping being written.
struct MappingFrame {
    /// Offset in the output just after the `{`.
    start: usize,
    /// The members written so far, in input order.
    entries: Vec<Entry>,
    /// The key whose value is being read, with the character index of the key.
    pending_key: Option<(String, usize)>,
    /// Where the pending member's bytes start (after its separating comma).
    member_start: usize,
    /// Whether every key so far is greater than the one before it in JCS order.
    in_order: bool,
}

/// One member of a mapping: its key, where the key is, and its `"key":value` bytes.
struct Entry {
    key: String,
    key_index: usize,
    bytes: Range<usize>,
}

/// Where the root mapping's members are, in JCS order.
struct RootOrder {
    /// Offset just after the root's `{`.
    start: usize,
    /// Offset of the root's `}`.
    end: usize,
    /// Each member's `"key":value` bytes, in JCS order.
    members: Vec<Range<usize>>,
}

/// The canonical form of a document: its bytes, except that the root mapping's members may
/// still be in input order, with their JCS order beside them; and its identity, noted as
/// the root's members went by.
pub(crate) struct Canonical {
    out: Vec<u8>,
    root_order: Option<RootOrder>,
    identity: PackIdentity,
}

impl Canonical {
    /// Hands the canonical bytes to `sink`, piece by piece, in order.
    fn for_each_piece(&self, mut sink: impl FnMut(&[u8])) {
        let Some(order) = &self.root_order else {
            sink(&self.out);
            return;
        };
        sink(&self.out[..order.start]);
        for (i, member) in order.members.iter().enumerate() {
            if i > 0 {
                sink(b",");
            }
            sink(&self.out[member.clone()]);
        }
        sink(&self.out[order.end..]);
    }

    /// The canonical bytes.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.into_parts().0
    }

    /// The canonical bytes and the identity.
    pub(crate) fn into_parts(self) -> (Vec<u8>, PackIdentity) {
        if self.root_order.is_none() {
            return (self.out, self.identity);
        }
        let mut bytes = Vec::with_capacity(self.out.len());
        self.for_each_piece(|piece| bytes.extend_from_slice(piece));
        (bytes, self.identity)
    }

    /// The SHA-256 digest of the canonical bytes, hashed without assembling them.
    pub(crate) fn digest(&self) -> Digest {
        let mut context = ring::digest::Context::new(&ring::digest::SHA256);
        self.for_each_piece(|piece| context.update(piece));
        let mut raw = [0u8; 32];
        raw.copy_from_slice(context.finish().as_ref());
        Digest::from_sha256_bytes(raw)
    }
}

/// The canonical bytes of one document, built event by event.
pub(crate) struct Emitter<'s, 'a> {
    source: &'s Source<'a>,
    options: StrictOptions,
    frames: Vec<Frame>,
    /// For each open collection, whether it is in flow style or inside one.
    flow: Vec<bool>,
    out: Vec<u8>,
    /// Reused buffer for reordering a mapping's members.
    scratch: Vec<u8>,
    /// Member lists of closed mappings, reused by the next ones.
    spare_entries: Vec<Vec<Entry>>,
    /// The JCS order of the root mapping's members, when they are not in it already.
    root_order: Option<RootOrder>,
    /// The root's `name` and `version` strings, noted as they are written.
    identity: PackIdentity,
}

impl<'s, 'a> Emitter<'s, 'a> {
    pub(crate) fn new(source: &'s Source<'a>, options: StrictOptions) -> Self {
        Emitter {
            source,
            options,
            frames: Vec::new(),
            flow: Vec::new(),
            // Canonical output is usually a little smaller than the YAML it comes from.
            out: Vec::with_capacity(source.text().len() + 16),
            scratch: Vec::new(),
            spare_entries: Vec::new(),
            root_order: None,
            identity: PackIdentity::default(),
        }
    }

    /// The canonical form; `null` for a stream without a document.
    pub(crate) fn finish(mut self) -> Canonical {
        if self.out.is_empty() {
            self.out.extend_from_slice(b"null");
        }
        Canonical {
            out: self.out,
            root_order: self.root_order,
            identity: self.identity,
        }
    }

    /// The location of the character `char_index`, with the key path of the node being read.
    pub(crate) fn here(&self, char_index: usize) -> Location {
        let segments = self
            .frames
            .iter()
            .filter_map(|frame| match frame {
                Frame::Sequence { items } => Some(PathSegment::Index(*items)),
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

    /// Turns a parser error into ours. yaml-rust2 fails on an alias to an unknown anchor
    /// before it emits the alias event; the error points at the `*`, so that case is still
    /// reported as an alias.
    pub(crate) fn scan_error(&self, error: &ScanError) -> CanonicalizeError {
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

    /// Rejects anchors and tags on a node.
    pub(crate) fn check_node_properties(
        &self,
        anchor: usize,
        tag: Option<&Tag>,
        mark: Marker,
    ) -> Result<()> {
        snafu::ensure!(
            anchor == 0,
            AnchorSnafu {
                at: self.here(mark.index()),
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

    /// Whether the node being read is inside a flow collection.
    fn in_flow(&self) -> bool {
        self.flow.last().copied().unwrap_or(false)
    }

    /// Whether the next node is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(self.frames.last(), Some(Frame::Mapping(m)) if m.pending_key.is_none())
    }

    /// Starts a sequence (`mapping == false`) or a mapping.
    pub(crate) fn open(&mut self, mapping: bool, mark: Marker) -> Result<()> {
        if self.expects_key() {
            let kind = if mapping { "a mapping" } else { "a sequence" };
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
        self.begin_value();
        if mapping {
            self.out.push(b'{');
            self.frames.push(Frame::Mapping(MappingFrame {
                start: self.out.len(),
                entries: self.spare_entries.pop().unwrap_or_default(),
                pending_key: None,
                member_start: 0,
                in_order: true,
            }));
        } else {
            self.out.push(b'[');
            self.frames.push(Frame::Sequence { items: 0 });
        }
        let offset = self.source.byte_offset(mark.index());
        let flow = self.flow.last().copied().unwrap_or(false)
            || self.source.text()[offset..].starts_with(['[', '{']);
        self.flow.push(flow);
        Ok(())
    }

    /// Ends the innermost collection.
    pub(crate) fn close(&mut self) -> Result<()> {
        self.flow.pop();
        match self.frames.pop() {
            Some(Frame::Sequence { .. }) => self.out.push(b']'),
            Some(Frame::Mapping(mapping)) => {
                let start = mapping.start;
                if let Some(sorted) = self.sorted_members(mapping)? {
                    if self.frames.is_empty() {
                        // The root's members are put in order by `Canonical`, as they are
                        // hashed or copied out, which saves copying the whole document.
                        self.root_order = Some(RootOrder {
                            start,
                            end: self.out.len(),
                            members: sorted.iter().map(|entry| entry.bytes.clone()).collect(),
                        });
                    } else {
                        self.reorder(start, &sorted);
                    }
                    self.recycle(sorted);
                }
                self.out.push(b'}');
            }
            // The parser never ends a collection it did not start.
            None => return Ok(()),
        }
        self.end_value();
        Ok(())
    }

    /// Rejects duplicate keys; returns the members in JCS order, or `None` when they are
    /// in that order already.
    fn sorted_members(&mut self, mapping: MappingFrame) -> Result<Option<Vec<Entry>>> {
        let mut entries = mapping.entries;
        if mapping.in_order {
            self.recycle(entries);
            return Ok(None);
        }
        entries.sort_unstable_by(|a, b| {
            jcs_key_order(&a.key, &b.key).then(a.key_index.cmp(&b.key_index))
        });
        let duplicate = entries
            .windows(2)
            .filter(|pair| pair[0].key == pair[1].key)
            .min_by_key(|pair| pair[1].key_index);
        if let Some(pair) = duplicate {
            // The mapping's frame is gone, so its path is the parent's current path; the
            // key is appended to it.
            let mut at = self.here(pair[1].key_index);
            let mut segments = at.path.segments().to_vec();
            segments.push(PathSegment::Key(pair[1].key.clone()));
            at.path = KeyPath::new(segments);
            return DuplicateKeySnafu {
                key: pair[1].key.clone(),
                at,
                first: self.source.position_of_char(pair[0].key_index),
            }
            .fail();
        }
        Ok(Some(entries))
    }

    /// Rewrites the members after `start` in the order of `entries`.
    fn reorder(&mut self, start: usize, entries: &[Entry]) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend_from_slice(&self.out[start..]);
        self.out.truncate(start);
        for (i, entry) in entries.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            let range = entry.bytes.start - start..entry.bytes.end - start;
            self.out.extend_from_slice(&scratch[range]);
        }
        self.scratch = scratch;
    }

    /// Keeps an emptied member list for the next mapping, so that steady-state parsing does
    /// not allocate one per mapping.
    fn recycle(&mut self, mut entries: Vec<Entry>) {
        entries.clear();
        self.spare_entries.push(entries);
    }

    /// Writes what comes before a value: the comma after a previous item, and for a
    /// mapping member its key and colon.
    fn begin_value(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Sequence { items }) if *items > 0 => self.out.push(b','),
            Some(Frame::Sequence { .. }) => {}
            Some(Frame::Mapping(mapping)) => {
                if !mapping.entries.is_empty() {
                    self.out.push(b',');
                }
                mapping.member_start = self.out.len();
                if let Some((key, _)) = &mapping.pending_key {
                    write_string(key, &mut self.out);
                }
                self.out.push(b':');
            }
            None => {}
        }
    }

    /// Records a finished value in the collection that holds it.
    fn end_value(&mut self) {
        let end = self.out.len();
        match self.frames.last_mut() {
            Some(Frame::Sequence { items }) => *items += 1,
            Some(Frame::Mapping(mapping)) => {
                if let Some((key, key_index)) = mapping.pending_key.take() {
                    if let Some(last) = mapping.entries.last() {
                        mapping.in_order &= jcs_key_order(&last.key, &key).is_lt();
                    }
                    mapping.entries.push(Entry {
                        key,
                        key_index,
                        bytes: mapping.member_start..end,
                    });
                }
            }
            None => {}
        }
    }

    /// Handles a scalar: a key, or a value written in its canonical form.
    pub(crate) fn scalar(
        &mut self,
        mut text: String,
        style: TScalarStyle,
        mark: Marker,
    ) -> Result<()> {
        if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
            block_scalar::repair(self.source, mark.index(), mark.col(), &mut text);
        }
        snafu::ensure!(
            text.len() <= MAX_STRING_LENGTH,
            StringTooLongSnafu {
                length: text.len(),
                limit: MAX_STRING_LENGTH,
                at: self.here(mark.index()),
            }
        );
        let plain = style == TScalarStyle::Plain;
        if plain && text.starts_with('?') && self.in_flow() {
            return SyntaxSnafu {
                position: self.source.position_of_char(mark.index()),
                message: "a plain scalar starting with `?` in a flow collection is an explicit \
                          key for YAML 1.1 parsers and text for YAML 1.2 parsers; quote it, or \
                          write `? key` with a space",
            }
            .fail();
        }
        if self.expects_key() {
            return self.key(text, plain, mark);
        }
        let scalar = if plain {
            self.plain_value(&text, mark)?
        } else {
            ValueScalar::String
        };
        if matches!(scalar, ValueScalar::String) {
            self.note_identity(&text);
        }
        self.begin_value();
        match scalar {
            ValueScalar::Null => self.out.extend_from_slice(b"null"),
            ValueScalar::Bool(true) => self.out.extend_from_slice(b"true"),
            ValueScalar::Bool(false) => self.out.extend_from_slice(b"false"),
            ValueScalar::Integer(value) => write_integer(value, &mut self.out),
            ValueScalar::Float(number) => write_number(number, &mut self.out),
            ValueScalar::String => write_string(&text, &mut self.out),
        }
        self.end_value();
        Ok(())
    }

    /// Keeps a string value of the root's `name` or `version` member. (A key given twice
    /// is rejected when the mapping closes, so the one noted is the only one.)
    fn note_identity(&mut self, text: &str) {
        let [Frame::Mapping(root)] = self.frames.as_slice() else {
            return;
        };
        let slot = match root.pending_key.as_ref().map(|(key, _)| key.as_str()) {
            Some("name") => &mut self.identity.name,
            Some("version") => &mut self.identity.version,
            _ => return,
        };
        *slot = Some(text.to_owned());
    }

    fn key(&mut self, text: String, plain: bool, mark: Marker) -> Result<()> {
        if plain {
            snafu::ensure!(
                text != "<<",
                MergeKeySnafu {
                    at: self.here(mark.index()),
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

    /// What a plain value scalar stands for, or why the profile rejects it.
    fn plain_value(&self, text: &str, mark: Marker) -> Result<ValueScalar> {
        Ok(match resolve_plain(text) {
            PlainScalar::Null => ValueScalar::Null,
            PlainScalar::Bool(value) => ValueScalar::Bool(value),
            PlainScalar::Integer(value) => ValueScalar::Integer(value),
            PlainScalar::IntegerOutOfRange => {
                return IntegerOutOfRangeSnafu {
                    text,
                    at: self.here(mark.index()),
                }
                .fail();
            }
            PlainScalar::Float(value) => ValueScalar::Float(self.float(text, value, mark)?),
            PlainScalar::String => ValueScalar::String,
        })
    }

    /// Applies the float policy to a plain scalar with float syntax.
    fn float(&self, text: &str, value: f64, mark: Marker) -> Result<Number> {
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
        write_number(number, &mut jcs);
        let jcs = String::from_utf8_lossy(&jcs).into_owned();
        if same_decimal(text, &jcs) {
            Ok(number)
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

/// A value scalar the profile accepted, ready to be written.
enum ValueScalar {
    Null,
    Bool(bool),
    Integer(i64),
    Float(Number),
    /// The scalar's text, as a string.
    String,
}

/// A tag as a pack author would have written it: `!!str`, `!local`, or `!<uri>`.
fn written_tag(tag: &Tag) -> String {
    match tag.handle.as_str() {
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
        "!" => format!("!{}", tag.suffix),
        handle => format!("!<{handle}{}>", tag.suffix),
    }
}
