//! Reading a local input file (or standard input) with the pack size limit.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use registry_canon::MAX_TOTAL_SIZE;
use snafu::{ResultExt, ensure};

use crate::error::{InputTooLargeSnafu, ReadInputSnafu, Result};

/// Reads `path` (`-` is standard input), refusing more than [`MAX_TOTAL_SIZE`] bytes
/// without reading them all.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>> {
    let limit = MAX_TOTAL_SIZE as u64;
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
                limit: MAX_TOTAL_SIZE,
            }
        );
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .context(ReadInputSnafu { path })?;
    }
    ensure!(
        bytes.len() <= MAX_TOTAL_SIZE,
        InputTooLargeSnafu {
            path,
            size: format!("more than {MAX_TOTAL_SIZE}"),
            limit: MAX_TOTAL_SIZE,
        }
    );
    Ok(bytes)
}
