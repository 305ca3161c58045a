//! Points in time, as RFC 3339 text on the wire and in files.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use snafu::ResultExt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{InvalidTimestampSnafu, Result};

/// A point in time with second precision or finer, normalised to UTC.
///
/// Nothing in this crate reads the clock: callers pass "now" in as a `Timestamp`
/// (see [`Timestamp::from_unix_seconds`]). Parsing accepts any RFC 3339 offset and converts
/// to UTC; display writes RFC 3339 in UTC with a `Z` (`2026-01-29T10:00:00Z`), with
/// fractional seconds only when there are some. Serde uses the same text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(OffsetDateTime::UNIX_EPOCH);

    /// Parses an RFC 3339 date-time (`2026-01-29T10:00:00Z`, `2026-01-29T11:00:00+01:00`).
    ///
    /// # Errors
    /// [`Error::InvalidTimestamp`](crate::Error::InvalidTimestamp) with the parser's reason.
    pub fn parse(text: &str) -> Result<Self> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(|at| Timestamp(at.to_offset(time::UtcOffset::UTC)))
            .context(InvalidTimestampSnafu { timestamp: text })
    }

    /// The time `seconds` after 1970-01-01T00:00:00Z, or `None` outside years 1–9999.
    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .ok()
            .map(Timestamp)
    }

    /// Seconds since 1970-01-01T00:00:00Z, rounded down.
    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// This time plus `duration`, or `None` past year 9999.
    pub fn checked_add(self, duration: Duration) -> Option<Self> {
        let duration = time::Duration::try_from(duration).ok()?;
        self.0.checked_add(duration).map(Timestamp)
    }

    /// This time minus `duration`, or `None` before year 1.
    pub fn checked_sub(self, duration: Duration) -> Option<Self> {
        let duration = time::Duration::try_from(duration).ok()?;
        self.0.checked_sub(duration).map(Timestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every value lies in years 1–9999 (what parsing and the constructors allow), which
        // RFC 3339 formatting accepts.
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => write!(f, "{}", self.0.unix_timestamp()),
        }
    }
}

impl TryFrom<String> for Timestamp {
    type Error = crate::Error;

    fn try_from(text: String) -> Result<Self> {
        Self::parse(&text)
    }
}

impl From<Timestamp> for String {
    fn from(timestamp: Timestamp) -> Self {
        timestamp.to_string()
    }
}

crate::text_form::impl_parse_traits!(Timestamp);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn parses_and_normalises_to_utc() {
        let at = Timestamp::parse("2026-01-29T11:30:00+01:30").expect("valid");
        assert_eq!(at.to_string(), "2026-01-29T10:00:00Z");
        assert_eq!(at, Timestamp::parse("2026-01-29T10:00:00Z").expect("valid"));
        assert_eq!(
            Timestamp::parse("2026-01-29T10:00:00.250Z")
                .expect("valid")
                .to_string(),
            "2026-01-29T10:00:00.25Z"
        );
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        for text in [
            "",
            "2026-01-29",
            "10:00:00Z",
            "yesterday",
            "2026-13-01T00:00:00Z",
        ] {
            match Timestamp::parse(text) {
                Err(Error::InvalidTimestamp { timestamp, .. }) => assert_eq!(timestamp, text),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn arithmetic_and_unix_seconds() {
        let at = Timestamp::from_unix_seconds(1_769_680_800).expect("in range");
        assert_eq!(at.to_string(), "2026-01-29T10:00:00Z");
        assert_eq!(at.unix_seconds(), 1_769_680_800);
        let later = at
            .checked_add(Duration::from_secs(86_400))
            .expect("in range");
        assert_eq!(later.to_string(), "2026-01-30T10:00:00Z");
        assert!(later > at);
        assert_eq!(later.checked_sub(Duration::from_secs(86_400)), Some(at));
        assert_eq!(Timestamp::from_unix_seconds(i64::MAX), None);
    }

    #[test]
    fn serde_uses_the_text_form() {
        let at = Timestamp::parse("2026-01-29T10:00:00Z").expect("valid");
        let json = serde_json::to_string(&at).expect("serialize");
        assert_eq!(json, "\"2026-01-29T10:00:00Z\"");
        let back: Timestamp = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, at);
        assert!(serde_json::from_str::<Timestamp>("\"soon\"").is_err());
    }
}
