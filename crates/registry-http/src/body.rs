//! Response bodies read frame by frame under a size limit, gzip decoded as the bytes arrive.
//!
//! Nothing is buffered before the limit is checked: a plain body is refused as soon as its
//! `Content-Length` or its running total passes the limit, and a gzip body is fed to an
//! incremental decoder whose output sink refuses the byte that would pass the limit (or the
//! compression ratio), so a gzip bomb costs at most the limit in memory.

use std::fmt;
use std::io::{self, Write};

use bytes::Bytes;
use flate2::write::MultiGzDecoder;
use http::HeaderMap;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use registry_types::UntrustedText;

use crate::request_fault::RequestFault;

/// Decoded output below this size is never judged by the compression ratio.
const RATIO_FLOOR: usize = 1024 * 1024;

/// Content codings are shown in errors cut to this many characters.
const MAX_CODING_CHARS: usize = 64;

/// Which size limit was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SizeLimit {
    /// The server answered 413.
    RejectedByServer,
    /// A body over this many bytes after decompression.
    Body {
        /// The limit in bytes.
        max: usize,
    },
    /// A gzip body that expands more than this ratio (past the first MiB).
    CompressionRatio {
        /// The ratio.
        max: u32,
    },
    /// The `X-Pack-Signature` header over this many bytes.
    SignatureHeader {
        /// The limit in bytes.
        max: usize,
    },
    /// A response head (status line and headers) larger than the client reads.
    ResponseHead {
        /// The limit in bytes ([`crate::Limits::max_response_header_bytes`]).
        max_bytes: usize,
        /// The most header fields an HTTP/1.1 response may have.
        max_fields: usize,
    },
    /// A pack listing longer than this many pages.
    ListPages {
        /// The limit in pages.
        max: usize,
    },
}

impl fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeLimit::RejectedByServer => f.write_str("the registry answered 413"),
            SizeLimit::Body { max } => write!(f, "the body exceeds {max} bytes"),
            SizeLimit::CompressionRatio { max } => {
                write!(f, "the gzip body expands more than {max} times")
            }
            SizeLimit::SignatureHeader { max } => {
                write!(f, "the X-Pack-Signature header exceeds {max} bytes")
            }
            SizeLimit::ResponseHead {
                max_bytes,
                max_fields,
            } => write!(
                f,
                "the response headers exceed {max_bytes} bytes or {max_fields} fields"
            ),
            SizeLimit::ListPages { max } => write!(f, "the listing goes on past {max} pages"),
        }
    }
}

fn too_large(limit: SizeLimit) -> RequestFault {
    RequestFault::TooLarge { limit }
}

/// How the body is encoded on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coding {
    Identity,
    Gzip,
}

fn coding(headers: &HeaderMap) -> Result<Coding, RequestFault> {
    let mut coding = Coding::Identity;
    for value in headers.get_all(CONTENT_ENCODING) {
        let text = value.to_str().unwrap_or("\u{fffd}");
        for token in text
            .split(',')
            .map(str::trim)
            .filter(|token| !token.is_empty())
        {
            match token.to_ascii_lowercase().as_str() {
                "identity" => {}
                "gzip" | "x-gzip" if coding == Coding::Identity => coding = Coding::Gzip,
                _ => {
                    return Err(RequestFault::UnsupportedContentEncoding {
                        encoding: UntrustedText::with_max_chars(token, MAX_CODING_CHARS),
                    });
                }
            }
        }
    }
    Ok(coding)
}

/// Reads a whole body: at most `max` bytes after decoding, gzip bodies expanding at most
/// `max_ratio` times once past the first MiB.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    mut body: Incoming,
    max: usize,
    max_ratio: u32,
) -> Result<Bytes, RequestFault> {
    let coding = coding(headers)?;
    if coding == Coding::Identity {
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.parse::<u64>().ok());
        if declared.is_some_and(|length| length > max as u64) {
            return Err(too_large(SizeLimit::Body { max }));
        }
    }
    let mut sink = match coding {
        Coding::Identity => Sink::Plain(LimitedBuffer::new(max, max_ratio)),
        Coding::Gzip => Sink::Gzip(Box::new(MultiGzDecoder::new(LimitedBuffer::new(
            max, max_ratio,
        )))),
    };
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|source| RequestFault::ReadBody { source })?;
        if let Ok(data) = frame.into_data() {
            sink.write(&data)?;
        }
    }
    sink.finish()
}

enum Sink {
    Plain(LimitedBuffer),
    Gzip(Box<MultiGzDecoder<LimitedBuffer>>),
}

impl Sink {
    fn write(&mut self, data: &[u8]) -> Result<(), RequestFault> {
        match self {
            Sink::Plain(buffer) => {
                buffer.compressed = buffer.compressed.saturating_add(data.len());
                buffer.write_all(data).map_err(|_| buffer.exceeded_error())
            }
            Sink::Gzip(decoder) => {
                decoder.get_mut().compressed =
                    decoder.get_ref().compressed.saturating_add(data.len());
                decoder
                    .write_all(data)
                    .map_err(|source| gzip_fault(decoder.get_ref(), source))
            }
        }
    }

    fn finish(self) -> Result<Bytes, RequestFault> {
        match self {
            Sink::Plain(buffer) => Ok(Bytes::from(buffer.bytes)),
            Sink::Gzip(mut decoder) => {
                decoder
                    .try_finish()
                    .map_err(|source| gzip_fault(decoder.get_ref(), source))?;
                let buffer = std::mem::replace(decoder.get_mut(), LimitedBuffer::new(0, 0));
                Ok(Bytes::from(buffer.bytes))
            }
        }
    }
}

/// A decoder's failure: the limit its sink passed, else a corrupt stream.
fn gzip_fault(sink: &LimitedBuffer, source: io::Error) -> RequestFault {
    match sink.exceeded {
        Some(limit) => too_large(limit),
        None => RequestFault::CorruptGzip { source },
    }
}

/// A growable buffer that refuses to pass a size limit or a compression ratio.
struct LimitedBuffer {
    bytes: Vec<u8>,
    max: usize,
    max_ratio: u32,
    /// Bytes received on the wire so far.
    compressed: usize,
    /// The limit that was passed, once one was.
    exceeded: Option<SizeLimit>,
}

impl LimitedBuffer {
    fn new(max: usize, max_ratio: u32) -> Self {
        LimitedBuffer {
            bytes: Vec::new(),
            max,
            max_ratio,
            compressed: 0,
            exceeded: None,
        }
    }

    fn exceeded_error(&self) -> RequestFault {
        too_large(self.exceeded.unwrap_or(SizeLimit::Body { max: self.max }))
    }
}

impl Write for LimitedBuffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let total = self.bytes.len().saturating_add(data.len());
        if total > self.max {
            self.exceeded = Some(SizeLimit::Body { max: self.max });
            return Err(io::Error::other("body size limit"));
        }
        let ratio = usize::try_from(self.max_ratio).unwrap_or(usize::MAX);
        if total > RATIO_FLOOR && total / self.compressed.max(1) > ratio {
            self.exceeded = Some(SizeLimit::CompressionRatio {
                max: self.max_ratio,
            });
            return Err(io::Error::other("compression ratio limit"));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn decode(
        compressed: &[u8],
        max: usize,
        ratio: u32,
        chunk: usize,
    ) -> Result<Bytes, RequestFault> {
        let mut sink = Sink::Gzip(Box::new(MultiGzDecoder::new(LimitedBuffer::new(
            max, ratio,
        ))));
        for piece in compressed.chunks(chunk) {
            sink.write(piece)?;
        }
        sink.finish()
    }

    #[test]
    fn gzip_decodes_in_any_chunking() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let compressed = gzip(&data);
        for chunk in [1, 7, 4096, compressed.len()] {
            let decoded = decode(&compressed, 10 << 20, 100, chunk).unwrap();
            assert_eq!(decoded.as_ref(), data.as_slice());
        }
    }

    #[test]
    fn gzip_bomb_stops_at_the_ratio() {
        let compressed = gzip(&vec![0u8; 8 << 20]);
        match decode(&compressed, 10 << 20, 100, 512) {
            Err(RequestFault::TooLarge {
                limit: SizeLimit::CompressionRatio { max: 100 },
            }) => {}
            other => panic!("{other:?}"),
        }
        match decode(&compressed, 1 << 20, 100_000, 512) {
            Err(RequestFault::TooLarge {
                limit: SizeLimit::Body { max },
            }) => assert_eq!(max, 1 << 20),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_or_trailing_gzip_is_corrupt() {
        let compressed = gzip(b"name: a\nversion: 1.0.0\n");
        let truncated = &compressed[..compressed.len() - 4];
        assert!(matches!(
            decode(truncated, 1024, 100, 3),
            Err(RequestFault::CorruptGzip { .. })
        ));
        assert!(matches!(
            decode(b"not gzip", 1024, 100, 3),
            Err(RequestFault::CorruptGzip { .. })
        ));
        assert!(matches!(
            decode(b"", 1024, 100, 3),
            Err(RequestFault::CorruptGzip { .. })
        ));
    }

    #[test]
    fn plain_bodies_stop_at_the_limit() {
        let mut sink = Sink::Plain(LimitedBuffer::new(10, 100));
        sink.write(b"0123456789").unwrap();
        assert!(matches!(
            sink.write(b"x"),
            Err(RequestFault::TooLarge {
                limit: SizeLimit::Body { max: 10 }
            })
        ));
    }

    #[test]
    fn codings() {
        let mut headers = HeaderMap::new();
        assert_eq!(coding(&headers).unwrap(), Coding::Identity);
        headers.insert(CONTENT_ENCODING, "GZIP".parse().unwrap());
        assert_eq!(coding(&headers).unwrap(), Coding::Gzip);
        headers.insert(CONTENT_ENCODING, "br".parse().unwrap());
        assert!(
            matches!(coding(&headers), Err(RequestFault::UnsupportedContentEncoding { encoding }) if encoding == "br")
        );
        headers.insert(CONTENT_ENCODING, "gzip, gzip".parse().unwrap());
        assert!(matches!(
            coding(&headers),
            Err(RequestFault::UnsupportedContentEncoding { .. })
        ));
    }
}
