//! Where each key and value of an accepted lockfile sits: line and column by key path.
//!
//! registry-canon's [`Value`](registry_canon::Value) carries no positions, so after the
//! strict profile has accepted a lockfile, one pass over yaml-rust2's events records the
//! position of every mapping key and every value under its key path. The events are those
//! the profile just accepted (one document, no aliases, unique string keys), so the paths
//! are exactly the paths of the `Value`. The pass only serves error messages: nothing is
//! decided from it.

use std::collections::HashMap;

use registry_canon::PathSegment;
use yaml_rust2::Event;
use yaml_rust2::parser::Parser;
use yaml_rust2::scanner::Marker;

/// A line and column in the lockfile, both starting at 1; columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Position {
    /// The start of the file: where errors about the whole document point.
    const START: Position = Position { line: 1, column: 1 };

    fn of(mark: Marker) -> Position {
        // yaml-rust2's lines start at 1 and its columns at 0.
        Position {
            line: mark.line(),
            column: mark.col() + 1,
        }
    }
}

/// The positions of one document's keys and values, by key path.
#[derive(Debug, Default)]
pub(crate) struct Positions {
    keys: HashMap<Vec<PathSegment>, Position>,
    values: HashMap<Vec<PathSegment>, Position>,
}

/// An open collection while the events are walked.
enum Frame {
    /// A mapping: where it started (character index), and the key whose value comes next.
    Mapping {
        start: usize,
        pending_key: Option<String>,
    },
    /// A sequence and the index of its next item.
    Sequence { next: usize },
}

impl Positions {
    /// Walks the events of `text`. A parse error ends the walk early; what was recorded
    /// until then is kept (the strict profile has accepted `text`, so this does not happen).
    pub(crate) fn scan(text: &str) -> Positions {
        let mut positions = Positions::default();
        let mut parser = Parser::new_from_str(text);
        let mut frames: Vec<Frame> = Vec::new();
        // The key path of the innermost open collection.
        let mut path: Vec<PathSegment> = Vec::new();
        while let Ok((event, mark)) = parser.next_token() {
            match event {
                Event::Scalar(text, ..) => {
                    if let Some(Frame::Mapping { start, pending_key }) = frames.last_mut()
                        && pending_key.is_none()
                    {
                        let mut key_path = path.clone();
                        key_path.push(PathSegment::Key(text.clone()));
                        positions.keys.insert(key_path, Position::of(mark));
                        // A block mapping's start event is reported after its first key;
                        // the mapping starts where that key does.
                        if mark.index() < *start {
                            *start = mark.index();
                            positions.values.insert(path.clone(), Position::of(mark));
                        }
                        *pending_key = Some(text);
                        continue;
                    }
                    let child = child_path(&mut frames, &path);
                    positions.values.insert(child, Position::of(mark));
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    let child = child_path(&mut frames, &path);
                    positions.values.insert(child.clone(), Position::of(mark));
                    path = child;
                    frames.push(match event {
                        Event::MappingStart(..) => Frame::Mapping {
                            start: mark.index(),
                            pending_key: None,
                        },
                        _ => Frame::Sequence { next: 0 },
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    frames.pop();
                    if !frames.is_empty() {
                        path.pop();
                    }
                }
                Event::StreamEnd => break,
                _ => {}
            }
        }
        positions
    }

    /// Where the key at the end of `path` is written, or the nearest recorded place.
    pub(crate) fn key(&self, path: &[PathSegment]) -> Position {
        match self.keys.get(path) {
            Some(position) => *position,
            None => self.value(path),
        }
    }

    /// Where the value at `path` starts, or where its nearest recorded ancestor does.
    pub(crate) fn value(&self, path: &[PathSegment]) -> Position {
        let mut path = path;
        loop {
            if let Some(position) = self.values.get(path) {
                return *position;
            }
            match path.split_last() {
                Some((_, parent)) => path = parent,
                None => return Position::START,
            }
        }
    }
}

/// The key path of the value about to be read in the innermost collection, advancing the
/// collection past it.
fn child_path(frames: &mut [Frame], path: &[PathSegment]) -> Vec<PathSegment> {
    let mut child = path.to_vec();
    match frames.last_mut() {
        Some(Frame::Mapping { pending_key, .. }) => {
            if let Some(key) = pending_key.take() {
                child.push(PathSegment::Key(key));
            }
        }
        Some(Frame::Sequence { next }) => {
            child.push(PathSegment::Index(*next));
            *next += 1;
        }
        None => {}
    }
    child
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> PathSegment {
        PathSegment::Key(name.to_owned())
    }

    #[test]
    fn block_and_flow_positions() {
        let text = "# c\nversion: 2\npacks:\n  - name: \"x\"\n    signature:\n      key_id: k\n  - {name: y, v: [1, 2]}\n";
        let positions = Positions::scan(text);
        let at = |line, column| Position { line, column };
        assert_eq!(positions.key(&[key("version")]), at(2, 1));
        assert_eq!(positions.value(&[key("version")]), at(2, 10));
        assert_eq!(positions.value(&[key("packs")]), at(4, 3));
        let first = [key("packs"), PathSegment::Index(0)];
        assert_eq!(positions.value(&first), at(4, 5));
        let signature = [first.to_vec(), vec![key("signature")]].concat();
        assert_eq!(positions.key(&signature), at(5, 5));
        assert_eq!(positions.value(&signature), at(6, 7));
        let second = [key("packs"), PathSegment::Index(1)];
        assert_eq!(positions.value(&second), at(7, 5));
        let v1 = [second.to_vec(), vec![key("v"), PathSegment::Index(1)]].concat();
        assert_eq!(positions.value(&v1), at(7, 22));
        // Unknown paths fall back to their nearest ancestor, then to the start.
        let missing = [first.to_vec(), vec![key("digest")]].concat();
        assert_eq!(positions.key(&missing), at(4, 5));
        assert_eq!(Positions::scan("").value(&[key("x")]), Position::START);
    }
}
