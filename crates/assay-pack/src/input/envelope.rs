//! DSSE envelopes from local files, within the envelope size limit.

use std::path::Path;

use registry_verify::Envelope;
use snafu::ResultExt;

use crate::error::{ReadEnvelopeSnafu, Result};
use crate::input::{InputKind, read_input_as};

/// A DSSE envelope from a JSON file.
pub(crate) fn envelope(path: &Path) -> Result<Envelope> {
    Envelope::from_json(&read_input_as(path, InputKind::Envelope)?)
        .context(ReadEnvelopeSnafu { path })
}
