//! PEM (RFC 7468) blocks around DER keys: `PUBLIC KEY` (SPKI) and `PRIVATE KEY` (PKCS#8).
//!
//! Reading is lenient where tools differ and strict where it matters: text before and
//! after the block is ignored (RFC 7468 §2 allows explanatory text), line length and line
//! endings do not matter, and the first block with the expected label is used; but the
//! labels must match exactly, the END line must be there, and the body must be base64
//! without encapsulated headers. Writing follows RFC 7468 §3 strictly: standard base64 in
//! lines of 64 characters, LF line endings, a final line break.

use registry_types::base64;
use snafu::{OptionExt, ResultExt};

use crate::error::{
    MissingPemBlockSnafu, PemBase64Snafu, Result, UnexpectedPemLabelSnafu, UnterminatedPemSnafu,
};

/// Characters per line of written PEM.
const LINE_WIDTH: usize = 64;

/// The DER bytes of the first PEM block labelled `label` in `text`.
///
/// # Errors
///
/// [`Error::MissingPemBlock`](crate::Error::MissingPemBlock) when the text has no PEM block,
/// [`Error::UnexpectedPemLabel`](crate::Error::UnexpectedPemLabel) when it has blocks but
/// none labelled `label`, [`Error::UnterminatedPem`](crate::Error::UnterminatedPem) without
/// the END line and [`Error::PemBase64`](crate::Error::PemBase64) when the body is not base64.
pub(crate) fn decode(text: &str, label: &'static str) -> Result<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(start) = text.find(&begin) else {
        return match first_label(text) {
            Some(found) => UnexpectedPemLabelSnafu {
                expected: label,
                found,
            }
            .fail(),
            None => MissingPemBlockSnafu { label }.fail(),
        };
    };
    // `find` returns positions of ASCII markers, so every index below is in bounds and on
    // a character boundary.
    let body_start = start + begin.len();
    let body_len = text[body_start..]
        .find(&end)
        .context(UnterminatedPemSnafu { label })?;
    let body: String = text[body_start..body_start + body_len]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::decode_lenient(&body).context(PemBase64Snafu { label })
}

/// The label of the first `-----BEGIN …-----` line, if there is one.
fn first_label(text: &str) -> Option<String> {
    const BEGIN: &str = "-----BEGIN ";
    // As in `decode`, the indices come from `find` on ASCII markers.
    let rest = &text[text.find(BEGIN)? + BEGIN.len()..];
    let label = &rest[..rest.find("-----")?];
    Some(label.chars().take(80).collect())
}

/// `der` as a PEM block labelled `label`.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let base64 = base64::encode_standard(der);
    let mut out =
        String::with_capacity(base64.len() + base64.len() / LINE_WIDTH + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // Standard base64 is ASCII, so splitting the bytes never splits a character.
    for line in base64.as_bytes().chunks(LINE_WIDTH) {
        out.extend(line.iter().map(|&b| char::from(b)));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    const SPEC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZ805D3eqNZywjCI19lInBJOp7YMr\nCrzAH3CVTAOQ0jgMeCvVTiaRJaRPRDOv8UMs6U4SvKc6pnrIDOoSYI3fdA==\n-----END PUBLIC KEY-----\n";

    #[test]
    fn encode_then_decode_round_trips_and_wraps_at_64() {
        let der = decode(SPEC_KEY_PEM, "PUBLIC KEY").unwrap();
        assert_eq!(der.len(), 91);
        assert_eq!(encode("PUBLIC KEY", &der), SPEC_KEY_PEM);
    }

    #[test]
    fn crlf_other_widths_and_surrounding_text_are_accepted() {
        let der = decode(SPEC_KEY_PEM, "PUBLIC KEY").unwrap();
        let body = base64::encode_standard(&der);
        let (a, b) = body.split_at(40);
        let text = format!(
            "key for the registry\r\n-----BEGIN PUBLIC KEY-----\r\n{a}\r\n{b}\r\n-----END PUBLIC KEY-----\r\ntrailer"
        );
        assert_eq!(decode(&text, "PUBLIC KEY").unwrap(), der);
    }

    #[test]
    fn wrong_label_missing_block_and_missing_end_are_named() {
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let error = decode(sec1, "PRIVATE KEY").unwrap_err();
        assert!(
            matches!(&error, Error::UnexpectedPemLabel { expected: "PRIVATE KEY", found } if found == "EC PRIVATE KEY"),
            "{error:?}"
        );
        let error = decode("MCowBQYDK2VwAyEA", "PUBLIC KEY").unwrap_err();
        assert!(matches!(
            error,
            Error::MissingPemBlock {
                label: "PUBLIC KEY"
            }
        ));
        let error = decode("-----BEGIN PUBLIC KEY-----\nAAAA\n", "PUBLIC KEY").unwrap_err();
        assert!(matches!(
            error,
            Error::UnterminatedPem {
                label: "PUBLIC KEY"
            }
        ));
    }

    #[test]
    fn headers_inside_the_block_are_not_base64() {
        let text = "-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END PRIVATE KEY-----\n";
        let error = decode(text, "PRIVATE KEY").unwrap_err();
        assert!(matches!(
            error,
            Error::PemBase64 {
                label: "PRIVATE KEY",
                ..
            }
        ));
    }
}
