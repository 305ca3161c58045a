//! DSSE pre-authentication encoding (PAE): the exact bytes that are signed and verified.
//!
//! ```text
//! PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//! ```
//!
//! `LEN` is the byte length in ASCII decimal without leading zeros and `SP` is one space
//! (0x20). The body is the *decoded* payload, never its base64 text. Because both lengths
//! are spelled out, no choice of type and body can produce the PAE of another pair, which
//! is what stops a signature over one payload type from being replayed as another.

/// Builds the DSSE pre-authentication encoding of a payload type and a payload.
///
/// ```
/// assert_eq!(
///     registry_verify::pae("http://example.com/HelloWorld", b"hello world"),
///     b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
/// );
/// ```
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let payload_len = payload.len().to_string();
    let mut out = Vec::with_capacity(
        b"DSSEv1".len()
            + 4
            + type_len.len()
            + payload_type.len()
            + payload_len.len()
            + payload.len(),
    );
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_type_and_body() {
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn lengths_count_bytes_not_characters() {
        assert_eq!(pae("té", "éé".as_bytes()), "DSSEv1 3 té 4 éé".as_bytes());
    }

    #[test]
    fn multi_digit_lengths_and_spaces_in_the_body() {
        assert_eq!(pae("t", b"0123456789"), b"DSSEv1 1 t 10 0123456789");
        assert_eq!(pae("x", b"a b 1 2"), b"DSSEv1 1 x 7 a b 1 2");
    }
}
