//! The parsing traits every type with a text form implements the same way.

/// Implements `TryFrom<&str>` and `FromStr` for a type with
/// `fn parse(&str) -> crate::Result<Self>`, so every entry point validates alike.
macro_rules! impl_parse_traits {
    ($type:ty) => {
        impl TryFrom<&str> for $type {
            type Error = crate::Error;

            fn try_from(text: &str) -> crate::Result<Self> {
                Self::parse(text)
            }
        }

        impl std::str::FromStr for $type {
            type Err = crate::Error;

            fn from_str(text: &str) -> crate::Result<Self> {
                Self::parse(text)
            }
        }
    };
}

/// Implements `Display`, `AsRef<str>`, `Borrow<str>` and `From<T> for String` for a
/// newtype over a validated `String` (its field `0`).
macro_rules! impl_string_newtype {
    ($type:ty) => {
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        // Hash, Eq and Ord all come from the inner `String`, so they agree with `str`.
        impl std::borrow::Borrow<str> for $type {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }
    };
}

pub(crate) use {impl_parse_traits, impl_string_newtype};
