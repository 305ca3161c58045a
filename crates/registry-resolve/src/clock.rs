//! Where the resolver's notion of "now" comes from: the system clock, or a fixed time in tests.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use registry_types::Timestamp;

/// A source of the current time. The pure crates take time as a parameter; the resolver
/// reads it here once per decision, so tests (and replays) can fix it.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The system clock, to the second.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

/// The last second of year 9999, the latest time a [`Timestamp`] holds.
const LATEST_SECOND: i64 = 253_402_300_799;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let seconds = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(LATEST_SECOND),
            // A clock before 1970 is as wrong as a clock can be; the freeze check reports it.
            Err(_) => 0,
        };
        // Cannot panic: the clamp keeps the seconds in the range every Timestamp holds.
        Timestamp::from_unix_seconds(seconds.clamp(0, LATEST_SECOND))
            .expect("seconds between 1970 and 9999 are a timestamp")
    }
}

/// A clock stopped at one time (tests, replays of a recorded run).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}
