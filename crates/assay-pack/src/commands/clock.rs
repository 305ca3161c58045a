//! The CLI's one reading of the clock, and `--at`-style time options.

use std::time::{SystemTime, UNIX_EPOCH};

use registry_types::Timestamp;
use snafu::ResultExt;

use crate::error::{InvalidArgumentSnafu, Result};

/// The time given with `option`, or now.
pub(crate) fn time_or_now(text: Option<&str>, option: &'static str) -> Result<Timestamp> {
    match text {
        Some(text) => Timestamp::parse(text).context(InvalidArgumentSnafu { option }),
        None => Ok(now()),
    }
}

/// The current time. The libraries never read the clock; the CLI does, here.
pub(crate) fn now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        });
    // Any clock between 1970 and 9999 fits; outside that, the epoch is as good a guess.
    Timestamp::from_unix_seconds(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}
