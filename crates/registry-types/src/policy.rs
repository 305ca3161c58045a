//! The signature policy a registry declares for a pack in `X-Pack-Policy`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{InvalidPolicySnafu, Result};

/// Whether a registry pack must be signed, from the `X-Pack-Policy` header.
///
/// The policy comes from the response header only, never from anything
/// inside the pack body. A response without the header is treated as
/// [`Policy::Commercial`]: see [`Policy::default_when_missing`]. There is
/// deliberately no `Default` impl, so the fallback is always spelled out.
///
/// Serde reads and writes `commercial` / `open`; deserializing validates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Policy {
    /// `commercial`: a valid signature is required.
    Commercial,
    /// `open`: a signature is verified when present and may be absent.
    Open,
}

impl Policy {
    /// The policy to assume when the `X-Pack-Policy` header is missing:
    /// [`Policy::Commercial`], the stricter one.
    pub const fn default_when_missing() -> Self {
        Self::Commercial
    }

    /// Parses the exact lowercase header value `commercial` or `open`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPolicy`](crate::Error::InvalidPolicy) for any other
    /// text, including other spellings such as `Open`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "commercial" => Ok(Self::Commercial),
            "open" => Ok(Self::Open),
            _ => InvalidPolicySnafu { policy: text }.fail(),
        }
    }

    /// The header value: `commercial` or `open`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Commercial => "commercial",
            Self::Open => "open",
        }
    }

    /// Whether a pack under this policy must carry a valid signature.
    pub const fn requires_signature(self) -> bool {
        matches!(self, Self::Commercial)
    }
}

impl TryFrom<String> for Policy {
    type Error = crate::Error;

    fn try_from(text: String) -> Result<Self> {
        Self::parse(&text)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Policy> for String {
    fn from(policy: Policy) -> Self {
        policy.as_str().to_owned()
    }
}

crate::text_form::impl_parse_traits!(Policy);

#[cfg(test)]
mod tests {
    use crate::{Error, Policy};

    #[test]
    fn parses_and_displays_both_values() {
        for (text, policy) in [("commercial", Policy::Commercial), ("open", Policy::Open)] {
            assert_eq!(Policy::parse(text).expect("valid"), policy);
            assert_eq!(policy.to_string(), text);
            assert_eq!(String::from(policy), text);
            assert_eq!(text.parse::<Policy>().expect("valid"), policy);
            assert_eq!(Policy::try_from(text.to_owned()).expect("valid"), policy);
        }
    }

    #[test]
    fn rejects_other_spellings() {
        for text in [
            "",
            "Open",
            "OPEN",
            "Commercial",
            " open",
            "open ",
            "free",
            "open\0",
        ] {
            assert!(
                matches!(Policy::try_from(text), Err(Error::InvalidPolicy { ref policy }) if policy == text),
                "{text:?}"
            );
        }
        let err = Policy::parse("Open").expect_err("capitalised");
        assert_eq!(
            err.to_string(),
            "pack policy \"Open\" is neither `commercial` nor `open` (exact lowercase)"
        );
    }

    #[test]
    fn missing_header_means_commercial() {
        assert_eq!(Policy::default_when_missing(), Policy::Commercial);
        assert!(Policy::default_when_missing().requires_signature());
        assert!(!Policy::Open.requires_signature());
    }
}
