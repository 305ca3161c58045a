//! The input text and how to turn parser markers into byte-correct positions.

use crate::error::Position;

/// The text handed to the YAML parser, and the length of the BOM stripped before it.
pub(crate) struct Source<'a> {
    text: &'a str,
    bom_len: usize,
    /// Whether every character is one byte, so character indexes are byte offsets.
    ascii: bool,
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
        let mut seen = 0;
        let mut offset = 0;
        for block in bytes.chunks(64) {
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
