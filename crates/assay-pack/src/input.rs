//! Reading a local input file (or standard input) within a size limit.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use registry_canon::MAX_TOTAL_SIZE;
use registry_verify::MAX_ENVELOPE_BYTES;
use snafu::{ResultExt, ensure};

use crate::error::{InputTooLargeSnafu, ReadInputSnafu, Result};

/// What a local input is, and so how large it may be.
#[derive(Clone, Copy, Debug)]
pub(crate) enum InputKind {
    /// A pack (or a key or certificate file): at most [`MAX_TOTAL_SIZE`] bytes.
    Pack,
    /// A DSSE envelope or a keys manifest: at most [`MAX_ENVELOPE_BYTES`] bytes, since the
    /// base64 payload of a pack near the pack limit is a third larger than the pack.
    Envelope,
}

impl InputKind {
    fn limit(self) -> usize {
        match self {
            InputKind::Pack => MAX_TOTAL_SIZE,
            InputKind::Envelope => MAX_ENVELOPE_BYTES,
        }
    }

    fn name(self) -> &'static str {
        match self {
            InputKind::Pack => "a pack",
            InputKind::Envelope => "an envelope",
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
                size: size.to_string(),
                limit: max,
                what: kind.name(),
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
            size: format!("more than {max}"),
            limit: max,
            what: kind.name(),
        }
    );
    Ok(bytes)
}
