//! The input text and how to turn parser markers into byte-correct positions.

use std::cell::Cell;

use crate::error::Position;

/// The text handed to the YAML parser, and the length of the BOM stripped before it.
pub(crate) struct Source<'a> {
    text: &'a str,
    bom_len: usize,
    /// Whether every character is one byte, so character indexes are byte offsets.
    ascii: bool,
    /// The character index and byte offset of the character found last by
    /// [`Self::byte_offset`]: parser markers mostly come in order, so the next search
    /// starts there instead of at the beginning.
    cursor: Cell<(usize, usize)>,
}

impl<'a> Source<'a> {
    /// Strips one leading BOM, if any.
    pub(crate) fn new(input: &'a str) -> Self {
        let (text, bom_len) = match input.strip_prefix('\u{FEFF}') {
            Some(text) => (text, '\u{FEFF}'.len_utf8()),
            None => (input, 0),
        };
        Source {
            text,
            bom_len,
            ascii: text.is_ascii(),
            cursor: Cell::new((0, 0)),
        }
    }

    /// The text without its BOM.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The byte offset (in the BOM-less text) of the character with index `char_index`, or
    /// the text's length past its end; yaml-rust2's markers count characters, not bytes.
    pub(crate) fn byte_offset(&self, char_index: usize) -> usize {
        let bytes = self.text.as_bytes();
        if self.ascii {
            return char_index.min(bytes.len());
        }
        // A character starts at every byte that is not a UTF-8 continuation byte
        // (0b10xx_xxxx). Whole blocks are counted first, which the compiler vectorises.
        let is_start = |byte: &u8| (*byte as i8) >= -0x40;
        let (mut seen, mut offset) = match self.cursor.get() {
            (seen, offset) if seen <= char_index => (seen, offset),
            _ => (0, 0),
        };
        for block in bytes[offset..].chunks(64) {
            let starts = block.iter().filter(|b| is_start(b)).count();
            if seen + starts > char_index {
                break;
            }
            seen += starts;
            offset += block.len();
        }
        for (i, byte) in bytes[offset..].iter().enumerate() {
            if is_start(byte) {
                if seen == char_index {
                    self.cursor.set((seen, offset + i));
                    return offset + i;
                }
                seen += 1;
            }
        }
        bytes.len()
    }

    /// The position of the character with index `char_index`.
    pub(crate) fn position_of_char(&self, char_index: usize) -> Position {
        self.position_of_byte(self.byte_offset(char_index))
    }

    /// The position of byte `offset` of the BOM-less text. Lines break at `\n`, `\r\n` and a
    /// lone `\r`, as in YAML.
    pub(crate) fn position_of_byte(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let before = &self.text.as_bytes()[..offset];
        let mut line = 1;
        let mut line_start = 0;
        for (i, &byte) in before.iter().enumerate() {
            let is_break = byte == b'\n' || (byte == b'\r' && before.get(i + 1) != Some(&b'\n'));
            if is_break {
                line += 1;
                line_start = i + 1;
            }
        }
        // `line_start` follows an ASCII line break, so it is a char boundary; `offset` is
        // one by construction (it comes from `char_indices` or a UTF-8 error).
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, |prefix| prefix.chars().count())
            + 1;
        Position {
            line,
            column,
            offset: offset + self.bom_len,
        }
    }

    /// Whether the line holding byte `offset` starts at `offset` with the document marker
    /// `marker` (`---` or `...`) followed by white space or the end of the input.
    pub(crate) fn has_marker_at(&self, offset: usize, marker: &str) -> bool {
        let at_line_start =
            offset == 0 || matches!(self.text.as_bytes()[offset - 1], b'\n' | b'\r');
        let rest = &self.text.as_bytes()[offset.min(self.text.len())..];
        at_line_start
            && rest.starts_with(marker.as_bytes())
            && matches!(
                rest.get(marker.len()),
                None | Some(b' ' | b'\t' | b'\n' | b'\r')
            )
    }

    /// The offset of the first line before `offset` that starts with `%` (a directive).
    ///
    /// Only the text before the first document may be scanned this way: there, a line can
    /// hold nothing but comments, directives and document markers.
    pub(crate) fn directive_before(&self, offset: usize) -> Option<usize> {
        self.first_line_before(offset, |line| line.starts_with('%'))
    }

    /// The offset of the first `...` document-end marker line before `offset`; the same
    /// caveat as for [`Self::directive_before`] applies.
    pub(crate) fn document_end_before(&self, offset: usize) -> Option<usize> {
        self.first_line_before(offset, |line| {
            line.starts_with("...")
                && matches!(
                    line.as_bytes().get(3),
                    None | Some(b' ' | b'\t' | b'\n' | b'\r')
                )
        })
    }

    fn first_line_before(&self, offset: usize, matches: impl Fn(&str) -> bool) -> Option<usize> {
        let mut line_start = 0;
        for line in self.text[..offset.min(self.text.len())].split_inclusive(['\n', '\r']) {
            if matches(line) {
                return Some(line_start);
            }
            line_start += line.len();
        }
        None
    }
}

/// A character the profile does not accept unescaped, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnreadableChar {
    /// A control character (C0 but tab and line breaks, DEL, C1 but NEL) or a noncharacter
    /// (U+FFFE, U+FFFF): YAML allows only printable characters in a stream (YAML 1.2 §5.1).
    NotPrintable(char),
    /// NEL, LS or PS: line breaks for YAML 1.1 parsers such as libyaml (the reference
    /// implementation's), ordinary text for YAML 1.2 parsers, so the two read the same
    /// bytes as different values.
    AmbiguousBreak(char),
}

impl UnreadableChar {
    /// What is wrong, for the error message.
    pub(crate) fn describe(self) -> String {
        match self {
            UnreadableChar::NotPrintable(c) => format!(
                "character U+{:04X} is not printable and not allowed in YAML; write it as an escape in a double-quoted string",
                u32::from(c)
            ),
            UnreadableChar::AmbiguousBreak(c) => format!(
                "unescaped U+{:04X} is a line break for YAML 1.1 parsers and text for YAML 1.2 parsers; write it as `\\u{:04x}` in a double-quoted string",
                u32::from(c),
                u32::from(c)
            ),
        }
    }
}

/// The byte offset and kind of the first character of `text` that the profile does not
/// accept unescaped (see [`UnreadableChar`]).
pub(crate) fn first_unreadable_char(text: &str) -> Option<(usize, UnreadableChar)> {
    let bytes = text.as_bytes();
    // Bytes that are, or may start, such a character: C0 controls but tab and line breaks,
    // DEL, and the lead bytes of U+0080–U+00BF, U+2000–U+2FFF and U+F000–U+FFFF. Blocks of
    // 16 bytes are checked without an early exit, which the compiler vectorises.
    let suspect = |byte: u8| {
        (byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r'))
            | (byte == 0x7F)
            | (byte == 0xC2)
            | (byte == 0xE2)
            | (byte == 0xEF)
    };
    let mut start = 0;
    for block in bytes.chunks(16) {
        if block.iter().fold(false, |any, &byte| any | suspect(byte)) {
            for (i, &byte) in block.iter().enumerate() {
                let at = start + i;
                let next = |n: usize| bytes.get(at + n).copied();
                let found = match byte {
                    b'\t' | b'\n' | b'\r' => false,
                    0x00..=0x1F | 0x7F => true,
                    0xC2 => matches!(next(1), Some(0x80..=0x9F)),
                    0xE2 => next(1) == Some(0x80) && matches!(next(2), Some(0xA8 | 0xA9)),
                    0xEF => next(1) == Some(0xBF) && matches!(next(2), Some(0xBE | 0xBF)),
                    _ => false,
                };
                // `at` holds an ASCII byte or a lead byte, so it is a character boundary.
                if let Some(c) = text
                    .get(at..)
                    .and_then(|rest| rest.chars().next())
                    .filter(|_| found)
                {
                    let kind = match c {
                        '\u{85}' | '\u{2028}' | '\u{2029}' => UnreadableChar::AmbiguousBreak(c),
                        _ => UnreadableChar::NotPrintable(c),
                    };
                    return Some((at, kind));
                }
            }
        }
        start += block.len();
    }
    None
}

/// The position of the first invalid byte of `input`, given the error of `from_utf8`.
pub(crate) fn position_of_utf8_error(input: &[u8], valid_up_to: usize) -> Position {
    // The prefix is valid UTF-8 by definition of `valid_up_to`.
    let prefix = std::str::from_utf8(&input[..valid_up_to]).unwrap_or_default();
    let source = Source::new(prefix);
    source.position_of_byte(source.text().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_bytes() {
        let source = Source::new("é: 1\nkey: ü*x\n");
        // 'ü' is character 10 and starts at byte 11.
        assert_eq!(source.byte_offset(10), 11);
        let position = source.position_of_char(10);
        assert_eq!(
            position,
            Position {
                line: 2,
                column: 6,
                offset: 11
            }
        );
    }

    #[test]
    fn byte_offsets_agree_with_char_indices() {
        let text = "aé€😀b".repeat(40);
        let source = Source::new(&text);
        let expected: Vec<usize> = text.char_indices().map(|(offset, _)| offset).collect();
        for (index, offset) in expected.iter().enumerate() {
            assert_eq!(source.byte_offset(index), *offset, "char {index}");
        }
        assert_eq!(source.byte_offset(expected.len()), text.len());
        assert_eq!(source.byte_offset(expected.len() + 5), text.len());
        // Out of order, too (the search restarts when it would have to go back).
        for (index, offset) in expected.iter().enumerate().rev().step_by(7) {
            assert_eq!(source.byte_offset(index), *offset, "char {index}");
        }
        assert_eq!(Source::new("abc").byte_offset(7), 3);
    }

    #[test]
    fn bom_shifts_offsets_but_not_columns() {
        let source = Source::new("\u{FEFF}a: 1");
        assert_eq!(
            source.position_of_char(3),
            Position {
                line: 1,
                column: 4,
                offset: 6
            }
        );
    }

    #[test]
    fn markers_need_line_start_and_white_space() {
        let source = Source::new("---\na: ---x\n... \n");
        assert!(source.has_marker_at(0, "---"));
        assert!(!source.has_marker_at(7, "---"));
        assert!(source.has_marker_at(12, "..."));
    }

    #[test]
    fn unreadable_characters_are_found() {
        assert_eq!(
            first_unreadable_char("a: b\tc\r\nd: \"é€ \u{a0}\u{feff}\u{fffd}\""),
            None
        );
        let long = format!("{}x: \u{2028}", "k: v\n".repeat(5));
        assert_eq!(
            first_unreadable_char(&long),
            Some((long.len() - 3, UnreadableChar::AmbiguousBreak('\u{2028}')))
        );
        for (text, at, c) in [
            ("a: \u{0}", 3, '\u{0}'),
            ("a: x\u{1}", 4, '\u{1}'),
            ("\u{7f}", 0, '\u{7f}'),
            ("é\u{9f}", 2, '\u{9f}'),
            ("a\u{ffff}", 1, '\u{ffff}'),
        ] {
            assert_eq!(
                first_unreadable_char(text),
                Some((at, UnreadableChar::NotPrintable(c))),
                "{text:?}"
            );
        }
        assert_eq!(
            first_unreadable_char("# c\u{85}"),
            Some((3, UnreadableChar::AmbiguousBreak('\u{85}')))
        );
        assert_eq!(
            first_unreadable_char("\u{2029}"),
            Some((0, UnreadableChar::AmbiguousBreak('\u{2029}')))
        );
    }

    #[test]
    fn utf8_errors_are_located() {
        let input = b"a: 1\nb: \xff\n";
        // Byte 8 is the first invalid one.
        let position = position_of_utf8_error(input, 8);
        assert_eq!(
            position,
            Position {
                line: 2,
                column: 4,
                offset: 8
            }
        );
    }
}
