//! The end of a block scalar (`|`, `>`) that reaches the end of the input.
//!
//! There yaml-rust2 departs from the YAML grammar and from libyaml, which the deployed
//! reference implementation parses with, so the canonical bytes (and the digest) would differ:
//!
//! - when the last line of an input without a final line break belongs to a block scalar,
//!   yaml-rust2 adds a line feed that is not in the input (`a: |\n  x` gives `"x\n"`); YAML 1.2
//!   lets the last line end at the end of input with no line feed (production 165,
//!   `b-chomped-last`), and libyaml gives `"x"`;
//! - a block scalar without content lines that reaches the end of the input keeps the line
//!   break of its header (`a: |\n` gives `"\n"`); that break is not content, so clipping or
//!   stripping gives `""`, and keeping gives only the empty lines that follow (§8.1.1.2).
//!
//! [`repair`] undoes both on the scalar's text.

use crate::source::Source;

/// Corrects `value`, the text yaml-rust2 gives for a block scalar whose event marker is the
/// character `char_index`, in column `column` (0-based).
pub(crate) fn repair(source: &Source<'_>, char_index: usize, column: usize, value: &mut String) {
    if value.bytes().any(|byte| byte != b'\n') {
        // The scalar has content lines; its marker is the first content character, so its
        // column is the scalar's indentation.
        if value.ends_with('\n') && ends_inside(source, char_index, column) {
            value.pop();
        }
    } else if !value.is_empty() && keeps_no_header_break(source, char_index) {
        value.clear();
    }
}

/// Whether the scalar whose first content line starts at character `char_index`, indented by
/// `indent`, runs to the end of an input that has no final line break, with a last line that
/// reaches the indentation (only then does yaml-rust2 add its line feed).
fn ends_inside(source: &Source<'_>, char_index: usize, indent: usize) -> bool {
    let text = source.text();
    if text.is_empty() || text.ends_with(['\n', '\r']) {
        return false;
    }
    let offset = source.byte_offset(char_index);
    // The marker follows `indent` spaces (ASCII), so the line starts `indent` bytes before.
    let Some(line_start) = offset.checked_sub(indent) else {
        return false;
    };
    let mut lines = text[line_start..].split(['\n', '\r']).peekable();
    while let Some(line) = lines.next() {
        let blank = line.bytes().all(|byte| byte == b' ');
        let indented = line.len() >= indent && line.as_bytes()[..indent].iter().all(|&b| b == b' ');
        let document_end = indent == 0
            && line.starts_with("...")
            && matches!(line.as_bytes().get(3), None | Some(b' ' | b'\t'));
        if document_end || !(blank || indented) {
            // A less indented line ends the scalar before the end of the input.
            return false;
        }
        if lines.peek().is_none() {
            return line.chars().count() >= indent.max(1);
        }
    }
    false
}

/// Whether the block scalar whose header indicator is the character `char_index` has no
/// content lines and reaches the end of the input, and its chomping keeps no line break that
/// yaml-rust2 returned: clip and strip keep none, keep keeps only the empty lines after the
/// header line (yaml-rust2 gives the header's break when there are none).
fn keeps_no_header_break(source: &Source<'_>, char_index: usize) -> bool {
    let text = source.text();
    let header = &text[source.byte_offset(char_index)..];
    if !header.starts_with(['|', '>']) {
        return false;
    }
    let Some(break_at) = header.find(['\n', '\r']) else {
        return false;
    };
    let after = &header[break_at..];
    // The break is one ASCII byte, or `\r\n`.
    let body = after.strip_prefix("\r\n").unwrap_or(&after[1..]);
    if !body
        .bytes()
        .all(|byte| matches!(byte, b' ' | b'\n' | b'\r'))
    {
        return false;
    }
    // The chomping indicator is one of the (at most two) characters after `|` or `>`.
    let keep = header[1..]
        .bytes()
        .take(2)
        .take_while(|byte| matches!(byte, b'+' | b'-' | b'1'..=b'9'))
        .any(|byte| byte == b'+');
    !keep || !body.contains(['\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(input: &str, char_index: usize, column: usize, value: &str) -> String {
        let source = Source::new(input);
        let mut value = value.to_owned();
        repair(&source, char_index, column, &mut value);
        value
    }

    #[test]
    fn no_line_feed_is_added_at_the_end_of_input() {
        // (input, marker index, column, yaml-rust2's text, the YAML/libyaml text)
        let cases = [
            ("a: |\n  x", 7, 2, "x\n", "x"),
            ("a: |\n  x\n  ", 7, 2, "x\n\n", "x\n"),
            ("a: |\n  x\n   ", 7, 2, "x\n \n", "x\n "),
            ("a: |\n  x\n ", 7, 2, "x\n", "x\n"),
            ("a: |\n  x\n", 7, 2, "x\n", "x\n"),
            ("a: |\n  x\n# c", 7, 2, "x\n", "x\n"),
            ("a: |\n  x\nb: |\n  y", 7, 2, "x\n", "x\n"),
            ("|\nfoo", 2, 0, "foo\n", "foo"),
        ];
        for (input, index, column, ours, expected) in cases {
            assert_eq!(repaired(input, index, column, ours), expected, "{input:?}");
        }
    }

    #[test]
    fn the_header_break_is_not_content() {
        let cases = [
            ("a: |\n", 3, "\n", ""),
            ("a: >\n\n\n", 3, "\n", ""),
            ("a: |+\n", 3, "\n", ""),
            ("a: |+\r\n  ", 3, "\n", ""),
            ("a: |+\n\n", 3, "\n", "\n"),
            ("a: |+\n\n\n", 3, "\n\n", "\n\n"),
            // Not at the end of the input: yaml-rust2 is right.
            ("a: |+\n\nb: 1", 7, "\n", "\n"),
        ];
        for (input, index, ours, expected) in cases {
            assert_eq!(repaired(input, index, 3, ours), expected, "{input:?}");
        }
    }
}
