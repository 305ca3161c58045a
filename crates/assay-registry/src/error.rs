//! [`RegistryError`]: the one error every lower crate's error converts into, and how to tell
//! a retryable failure from a final one and an integrity failure from an access failure.

use snafu::Snafu;

/// Any error of the registry client, whichever layer it came from.
///
/// Each variant holds one lower crate's error unchanged and is *transparent*: its
/// `Display` and [`source`](std::error::Error::source) are that error's, so a
/// [`snafu::Report`] (or `anyhow`'s `{:#}`) prints the same chain as the lower error would.
/// `?` converts every lower error into it (`From` is implemented for each), so a program can
/// call the client, the resolver, the cache and the lockfile functions in one function
/// returning [`RegistryResult`].
///
/// Callers decide with the methods ([`RegistryError::is_retryable`],
/// [`RegistryError::is_integrity_failure`], [`RegistryError::is_access_failure`]), which ask
/// the lower crate's own classification, never the text. For finer decisions, match the
/// variant and use the lower error's methods (`registry_http::Error::kind`,
/// `registry_resolve::Error::class`, `registry_verify::Error::is_untrusted_signer`, …).
#[derive(Debug, Snafu)]
#[non_exhaustive]
pub enum RegistryError {
    /// A name, version, namespace, digest, reference, URL or timestamp does not parse
    /// (registry-types).
    #[snafu(transparent)]
    Types {
        /// The parse error.
        source: registry_types::Error,
    },

    /// A pack has no canonical form under the strict YAML profile (registry-canon).
    #[snafu(transparent)]
    Canonicalize {
        /// The rule the pack breaks, with its position and key path.
        source: registry_canon::CanonicalizeError,
    },

    /// A digest, an envelope, a signature, a key or a keys manifest failed
    /// (registry-verify).
    #[snafu(transparent)]
    Verify {
        /// The verification error.
        source: registry_verify::Error,
    },

    /// The on-disk cache failed, or an entry in it was corrupt and has been evicted
    /// (registry-cache).
    #[snafu(transparent)]
    Cache {
        /// The cache error.
        source: registry_cache::Error,
    },

    /// A registry request, the client's configuration or a token failed (registry-http).
    #[snafu(transparent)]
    Http {
        /// The client error.
        source: registry_http::Error,
    },

    /// A reference could not be resolved (registry-resolve).
    #[snafu(transparent)]
    Resolve {
        /// The resolver's error.
        source: registry_resolve::Error,
    },

    /// A lockfile could not be read, written, or resolved (registry-lock).
    #[snafu(transparent)]
    Lock {
        /// The lockfile error.
        source: registry_lock::Error,
    },
}

/// A `Result` with [`RegistryError`].
pub type RegistryResult<T> = Result<T, RegistryError>;

impl RegistryError {
    /// Whether trying again later may succeed: the network, a timeout, rate limiting, a
    /// server error, or a pack's deadline. The client has already retried as configured;
    /// this is for a caller deciding whether to try much later or to fall back.
    ///
    /// Asks registry-http's `Error::is_retryable` and registry-resolve's
    /// `Error::is_retryable` (a lockfile operation that failed to resolve asks the
    /// resolver's error). Errors of parsing, canonicalization, verification and the cache
    /// are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            RegistryError::Http { source } => source.is_retryable(),
            RegistryError::Resolve { source } => source.is_retryable(),
            RegistryError::Lock { source } => {
                resolve_error_of(source).is_some_and(registry_resolve::Error::is_retryable)
            }
            RegistryError::Types { .. }
            | RegistryError::Canonicalize { .. }
            | RegistryError::Verify { .. }
            | RegistryError::Cache { .. } => false,
        }
    }

    /// Whether bytes, a signature or a keys manifest failed verification, so that nothing
    /// that came with them may be used: a pack with no canonical form, a digest mismatch,
    /// a signature that does not verify or is not from enough trusted keys, a refused keys
    /// manifest, a malformed envelope, a cache entry that was tampered with, a response
    /// that is not the pack asked for, a rollback or a freeze.
    ///
    /// Asks each crate's classification: registry-canon (every rejection), registry-verify
    /// (`is_integrity_failure`, `is_untrusted_signer`, `is_manifest_rejected`,
    /// `is_malformed_envelope`), registry-cache (`is_corrupt_entry`), registry-http
    /// (`is_integrity_failure`), registry-resolve (`class()` is `ErrorClass::Integrity`) and,
    /// through the resolver's error, registry-lock.
    pub fn is_integrity_failure(&self) -> bool {
        match self {
            RegistryError::Types { .. } => false,
            RegistryError::Canonicalize { .. } => true,
            RegistryError::Verify { source } => {
                source.is_integrity_failure()
                    || source.is_untrusted_signer()
                    || source.is_manifest_rejected()
                    || source.is_malformed_envelope()
            }
            RegistryError::Cache { source } => source.is_corrupt_entry(),
            RegistryError::Http { source } => source.is_integrity_failure(),
            RegistryError::Resolve { source } => is_integrity_class(source),
            RegistryError::Lock { source } => {
                resolve_error_of(source).is_some_and(is_integrity_class)
            }
        }
    }

    /// Whether the registry refused access: the pack (or version) is not there, a token is
    /// missing or refused, the licence does not cover it, or it was revoked.
    ///
    /// Asks registry-http's `Error::kind` (`NotFound`, `AuthenticationRequired`,
    /// `NotLicensed`, `Revoked`), registry-resolve's `class()` (`ErrorClass::NotFoundOrDenied`)
    /// and, through the resolver's error, registry-lock.
    pub fn is_access_failure(&self) -> bool {
        match self {
            RegistryError::Http { source } => is_access_kind(source.kind()),
            RegistryError::Resolve { source } => is_access_class(source),
            RegistryError::Lock { source } => resolve_error_of(source).is_some_and(is_access_class),
            RegistryError::Types { .. }
            | RegistryError::Canonicalize { .. }
            | RegistryError::Verify { .. }
            | RegistryError::Cache { .. } => false,
        }
    }
}

/// The resolver's error under a lockfile operation's, when a pack did not resolve.
fn resolve_error_of(error: &registry_lock::Error) -> Option<&registry_resolve::Error> {
    match error {
        registry_lock::Error::LockedResolve { source, .. } => Some(source),
        _ => None,
    }
}

fn is_integrity_class(error: &registry_resolve::Error) -> bool {
    error.class() == registry_resolve::ErrorClass::Integrity
}

fn is_access_class(error: &registry_resolve::Error) -> bool {
    error.class() == registry_resolve::ErrorClass::NotFoundOrDenied
}

fn is_access_kind(kind: registry_http::ErrorKind) -> bool {
    use registry_http::ErrorKind;
    matches!(
        kind,
        ErrorKind::NotFound
            | ErrorKind::AuthenticationRequired
            | ErrorKind::NotLicensed
            | ErrorKind::Revoked
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `anyhow`, `Box<dyn Error + Send + Sync>` and threads require.
    const fn assert_error_send_sync_static<E: std::error::Error + Send + Sync + 'static>() {}
    const _: () = assert_error_send_sync_static::<RegistryError>();

    #[test]
    fn stays_small_enough_to_return() {
        // clippy's `result_large_err` fires on functions returning `Err` over 128 bytes.
        assert!(
            size_of::<RegistryError>() <= 128,
            "RegistryError is {} bytes",
            size_of::<RegistryError>()
        );
    }
}
