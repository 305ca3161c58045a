//! Reading a local input file (or standard input) within a size limit.
//!
//! The inputs built on it are in the child modules: keys and roots (`input/keys.rs`) and
//! DSSE envelopes (`input/envelope.rs`).

pub(crate) mod envelope;
pub(crate) mod keys;

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use registry_canon::MAX_TOTAL_SIZE;
use registry_verify::MAX_ENVELOPE_BYTES;
use snafu::{ResultExt, ensure};

use crate::error::{InputTooLargeSnafu, ReadInputSnafu, Result};

/// What a local input is, and so how large it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InputKind {
    /// A pack (or a key or certificate file): at most [`MAX_TOTAL_SIZE`] bytes.
    Pack,
    /// A DSSE envelope or a keys manifest: at most [`MAX_ENVELOPE_BYTES`] bytes, since the
    /// base64 payload of a pack near the pack limit is a third larger than the pack.
    Envelope,
}

impl InputKind {
    /// The most bytes an input of this kind may have.
    pub(crate) fn limit(self) -> usize {
        match self {
            InputKind::Pack => MAX_TOTAL_SIZE,
            InputKind::Envelope => MAX_ENVELOPE_BYTES,
        }
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Pack => "a pack",
            InputKind::Envelope => "an envelope",
        })
    }
}

/// How large a refused input was found to be, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InputSize {
    /// The file system said so before anything was read.
    Exactly(u64),
    /// A stream (standard input) went on past this many bytes and was read no further.
    MoreThan(usize),
}

impl fmt::Display for InputSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputSize::Exactly(bytes) => write!(f, "{bytes}"),
            InputSize::MoreThan(bytes) => write!(f, "more than {bytes}"),
        }
    }
}

/// Reads `path` (`-` is standard input), refusing more than [`MAX_TOTAL_SIZE`] bytes
/// without reading them all.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>> {
    read_input_as(path, InputKind::Pack)
}

/// Reads `path` (`-` is standard input), refusing more than `kind` may hold without
/// reading it all.
pub(crate) fn read_input_as(path: &Path, kind: InputKind) -> Result<Vec<u8>> {
    let max = kind.limit();
    let limit = max as u64;
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .context(ReadInputSnafu { path })?;
    } else {
        let file = File::open(path).context(ReadInputSnafu { path })?;
        let size = file.metadata().context(ReadInputSnafu { path })?.len();
        ensure!(
            size <= limit,
            InputTooLargeSnafu {
                path,
                size: InputSize::Exactly(size),
                kind,
            }
        );
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .context(ReadInputSnafu { path })?;
    }
    ensure!(
        bytes.len() <= max,
        InputTooLargeSnafu {
            path,
            size: InputSize::MoreThan(max),
            kind,
        }
    );
    Ok(bytes)
}

/// Reads a text file within the pack size limit (keys are small); text that is not UTF-8
/// cannot be read.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = read_input(path)?;
    String::from_utf8(bytes)
        .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error.utf8_error()))
        .context(ReadInputSnafu { path })
}
