//! Response bodies: whole, slow (paced chunks) or endless; their gzip coding and RFC 9530 digests.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io::Write;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use data_encoding::BASE64;
use flate2::Compression;
use flate2::write::GzEncoder;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// The size of the chunks of a slow body.
pub const SLOW_CHUNK_BYTES: usize = 256;

/// The body of every response this server sends.
#[derive(Debug)]
pub(crate) struct ResponseBody {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// All at once (or nothing left).
    Full(Option<Bytes>),
    /// Chunks, each after a pause.
    Slow {
        chunks: VecDeque<Bytes>,
        remaining: u64,
        pause: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
    },
    /// Filler forever.
    Endless,
}

impl ResponseBody {
    /// No body.
    pub(crate) fn empty() -> Self {
        ResponseBody {
            kind: Kind::Full(None),
        }
    }

    /// The whole body at once.
    pub(crate) fn full(data: impl Into<Bytes>) -> Self {
        let data = data.into();
        ResponseBody {
            kind: Kind::Full((!data.is_empty()).then_some(data)),
        }
    }

    /// `data` in [`SLOW_CHUNK_BYTES`] chunks, each sent after `pause`.
    pub(crate) fn slow(data: Bytes, pause: Duration) -> Self {
        let mut chunks = VecDeque::new();
        let mut rest = data.clone();
        while !rest.is_empty() {
            let take = rest.len().min(SLOW_CHUNK_BYTES);
            chunks.push_back(rest.split_to(take));
        }
        ResponseBody {
            kind: Kind::Slow {
                chunks,
                remaining: data.len() as u64,
                pause,
                sleep: None,
            },
        }
    }

    /// Filler YAML comment lines that never end.
    pub(crate) fn endless() -> Self {
        ResponseBody {
            kind: Kind::Endless,
        }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut self.get_mut().kind {
            Kind::Full(data) => Poll::Ready(data.take().map(|data| Ok(Frame::data(data)))),
            Kind::Slow {
                chunks,
                remaining,
                pause,
                sleep,
            } => {
                if chunks.is_empty() {
                    return Poll::Ready(None);
                }
                let timer = sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(*pause)));
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *sleep = None;
                match chunks.pop_front() {
                    Some(chunk) => {
                        *remaining -= chunk.len() as u64;
                        Poll::Ready(Some(Ok(Frame::data(chunk))))
                    }
                    None => Poll::Ready(None),
                }
            }
            Kind::Endless => Poll::Ready(Some(Ok(Frame::data(filler_chunk())))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(data) => data.is_none(),
            Kind::Slow { chunks, .. } => chunks.is_empty(),
            Kind::Endless => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Kind::Slow { remaining, .. } => SizeHint::with_exact(*remaining),
            Kind::Endless => SizeHint::default(),
        }
    }
}

/// How far a gzip bomb inflates: 64 MiB of zeros, far past the 10 MiB client limit.
pub const GZIP_BOMB_INFLATED_BYTES: usize = 64 * 1024 * 1024;

/// Compresses `data` with gzip.
pub(crate) fn gzip(data: &[u8]) -> Bytes {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    Bytes::from(encoder.finish().unwrap_or_default())
}

/// A gzip stream of [`GZIP_BOMB_INFLATED_BYTES`] zeros (about 64 KiB), built once.
pub(crate) fn gzip_bomb() -> Bytes {
    static BOMB: OnceLock<Bytes> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..GZIP_BOMB_INFLATED_BYTES / zeros.len() {
            // Writing to a Vec cannot fail.
            let _ = encoder.write_all(&zeros);
        }
        Bytes::from(encoder.finish().unwrap_or_default())
    })
    .clone()
}

/// Whether an `Accept-Encoding` value accepts gzip (RFC 9110 §12.5.3): `gzip` or `x-gzip`
/// with a non-zero q-value, or else `*` with one. A coding named explicitly overrides `*`,
/// so `gzip;q=0, *` refuses gzip; a malformed q-value counts as zero.
pub(crate) fn accepts_gzip(accept_encoding: &str) -> bool {
    let mut gzip: Option<bool> = None;
    let mut any: Option<bool> = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let slot = match coding.as_str() {
            "gzip" | "x-gzip" => &mut gzip,
            "*" => &mut any,
            _ => continue,
        };
        let mut acceptable = true;
        for param in parts {
            let param = param.trim();
            if let Some(q) = param
                .strip_prefix("q=")
                .or_else(|| param.strip_prefix("Q="))
            {
                acceptable = q.trim().parse::<f32>().is_ok_and(|q| q > 0.0);
            }
        }
        *slot = Some(slot.unwrap_or(false) || acceptable);
    }
    gzip.or(any).unwrap_or(false)
}

/// The `Content-Digest` value (RFC 9530) for `data`: `sha-256=:<base64>:`.
pub(crate) fn content_digest(data: &[u8]) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, data);
    format!("sha-256=:{}:", BASE64.encode(hash.as_ref()))
}

/// One chunk of filler YAML: comment lines, so that any prefix of a stream of them is
/// still a (meaningless) YAML document.
pub(crate) fn filler_chunk() -> Bytes {
    static CHUNK: OnceLock<Bytes> = OnceLock::new();
    CHUNK
        .get_or_init(|| {
            let line = "# filler filler filler filler filler filler filler filler filler fill\n";
            Bytes::from(line.repeat(64 * 1024 / line.len()))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn accept_encoding_is_parsed() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("br, GZIP;q=0.5"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("gzip;q=0, *"));
        assert!(!accepts_gzip("*;q=0.5, x-gzip;q=0.000"));
        assert!(!accepts_gzip("gzip;q=nan"));
        assert!(!accepts_gzip("*;q=0"));
        assert!(accepts_gzip("*;q=0, gzip"));
        assert!(accepts_gzip("identity;q=0, *"));
        assert!(!accepts_gzip("identity, br"));
        assert!(!accepts_gzip(""));
    }

    #[test]
    fn content_digest_matches_rfc_9530_example() {
        // RFC 9530 appendix B.1: the body `{"hello": "world"}` with a trailing newline.
        assert_eq!(
            content_digest(b"{\"hello\": \"world\"}\n"),
            "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"
        );
    }

    #[test]
    fn gzip_round_trips() {
        let compressed = gzip(b"name: x\n");
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"name: x\n");
    }
}
