//! Base64 as the protocol uses it (PROTOCOL §4): read both alphabets with or without padding, always write standard padded.
//!
//! DSSE envelopes, the `X-Pack-Signature` header and the keys manifest's `public_key` all
//! carry base64, and the DSSE specification says verifiers MUST accept the standard and the
//! URL-safe alphabets; producers differ on padding too. The decoder therefore picks the alphabet
//! from the text itself and accepts a missing padding, but it is strict otherwise:
//!
//! - one alphabet per text: a text holding both `+`/`/` and `-`/`_` fails at the first
//!   symbol foreign to the alphabet it was decoded with;
//! - padding only at the very end, at most two `=`, and only when it completes the
//!   last four-character group (`YQ==YQ==`, `YQ=` and `YQ===` are rejected);
//! - no whitespace or line breaks;
//! - the unused low bits of the last symbol must be zero (`YR==` is rejected), so that
//!   each byte string has exactly one accepted spelling per alphabet and padding choice.
//!
//! Errors are data-encoding's [`DecodeError`] (re-exported here with its [`DecodeKind`]),
//! whose position counts bytes from the start of the text; callers attach their own
//! context (which envelope field, which header, which PEM block).

use data_encoding::{BASE64, BASE64_NOPAD, BASE64URL_NOPAD};
pub use data_encoding::{DecodeError, DecodeKind};

/// Encodes bytes as standard base64 with padding, the only form the protocol writes.
pub fn encode_standard(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Decodes standard or URL-safe base64, padded or not.
///
/// # Errors
///
/// A [`DecodeError`] when the text is not base64 under the rules of this module: its
/// kind says what is wrong and its position the byte where it is.
pub fn decode_lenient(text: &str) -> Result<Vec<u8>, DecodeError> {
    let bytes = text.as_bytes();
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    let unpadded_len = bytes.len() - padding;
    if padding > 0 && (padding > 2 || !bytes.len().is_multiple_of(4)) {
        return Err(DecodeError {
            position: unpadded_len,
            kind: DecodeKind::Padding,
        });
    }
    // `unpadded_len` is the length minus a count of bytes in the text: in bounds.
    let unpadded = &bytes[..unpadded_len];
    let url_safe = unpadded.iter().any(|&b| b == b'-' || b == b'_');
    let (encoding, extra) = if url_safe {
        (&BASE64URL_NOPAD, [b'-', b'_'])
    } else {
        (&BASE64_NOPAD, [b'+', b'/'])
    };
    // Report the first foreign symbol before data-encoding would report a length error
    // for it: "invalid symbol at 2" says more about `YW Jj` than "invalid length".
    if let Some(position) = unpadded
        .iter()
        .position(|&b| !b.is_ascii_alphanumeric() && !extra.contains(&b))
    {
        return Err(DecodeError {
            position,
            kind: DecodeKind::Symbol,
        });
    }
    encoding.decode(unpadded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<u8> {
        decode_lenient(text).unwrap_or_else(|error| panic!("{text:?} should decode: {error}"))
    }

    fn err(text: &str) -> DecodeError {
        match decode_lenient(text) {
            Ok(bytes) => panic!("{text:?} should not decode, got {bytes:?}"),
            Err(error) => error,
        }
    }

    #[test]
    fn both_alphabets_with_and_without_padding() {
        // 0xfb 0xff encodes as `+/8=` (standard) and `-_8=` (URL-safe).
        for text in ["+/8=", "+/8", "-_8=", "-_8"] {
            assert_eq!(ok(text), [0xfb, 0xff], "{text}");
        }
        assert_eq!(ok("YQ=="), b"a");
        assert_eq!(ok("YQ"), b"a");
        assert_eq!(ok("YWI="), b"ab");
        assert_eq!(ok("YWJj"), b"abc");
        assert_eq!(ok(""), b"");
    }

    #[test]
    fn mixed_alphabets_fail_at_the_foreign_symbol() {
        let error = err("ab+_");
        assert_eq!((error.kind, error.position), (DecodeKind::Symbol, 2));
    }

    #[test]
    fn padding_only_at_the_end_and_only_to_complete_a_group() {
        assert_eq!(err("YQ==YQ==").kind, DecodeKind::Symbol);
        assert_eq!(err("YQ=").kind, DecodeKind::Padding);
        assert_eq!(err("YQ===").kind, DecodeKind::Padding);
        assert_eq!(err("YWJj====").kind, DecodeKind::Padding);
        assert_eq!(err("Y===").kind, DecodeKind::Padding);
    }

    #[test]
    fn non_canonical_trailing_bits_and_bad_lengths_are_rejected() {
        assert_eq!(err("YR==").kind, DecodeKind::Trailing);
        assert_eq!(err("YR").kind, DecodeKind::Trailing);
        assert_eq!(err("Y").kind, DecodeKind::Length);
    }

    #[test]
    fn whitespace_is_rejected() {
        let error = err("YW Jj");
        assert_eq!((error.kind, error.position), (DecodeKind::Symbol, 2));
        assert_eq!(err("YWJj\n").kind, DecodeKind::Symbol);
    }

    #[test]
    fn errors_give_the_byte_position() {
        let error = err("YWJj*");
        assert_eq!((error.kind, error.position), (DecodeKind::Symbol, 4));
    }

    #[test]
    fn output_is_standard_and_padded() {
        assert_eq!(encode_standard(&[0xfb, 0xff]), "+/8=");
        assert_eq!(encode_standard(b"a"), "YQ==");
        assert_eq!(encode_standard(b""), "");
    }
}
