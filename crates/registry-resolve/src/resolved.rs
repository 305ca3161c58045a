//! What resolving a reference hands back: verified bytes and where they came from.

use std::fmt;

use camino::Utf8PathBuf;
use registry_types::{ByosRef, Digest, Namespace, PackName, Policy, Timestamp, Version};
use registry_verify::{Algorithm, KeyId};

/// Which step of the resolution order produced a pack.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveSource {
    /// An existing file (or a directory's `pack.yaml`), given as a path.
    Path(Utf8PathBuf),
    /// A built-in pack registered by the embedding program.
    BuiltIn,
    /// A pack of the local configuration directory (the real path of its file).
    Local(Utf8PathBuf),
    /// A registry pack.
    Registry(RegistryOrigin),
    /// An object of the caller's object storage.
    Byos(ByosRef),
}

impl ResolveSource {
    /// A short word for the source: `path`, `built-in`, `local`, `registry` or `byos`.
    pub fn label(&self) -> &'static str {
        match self {
            ResolveSource::Path(_) => "path",
            ResolveSource::BuiltIn => "built-in",
            ResolveSource::Local(_) => "local",
            ResolveSource::Registry(_) => "registry",
            ResolveSource::Byos(_) => "byos",
        }
    }
}

impl fmt::Display for ResolveSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveSource::Path(path) => write!(f, "path {path}"),
            ResolveSource::BuiltIn => f.write_str("built-in pack"),
            ResolveSource::Local(path) => write!(f, "local pack {path}"),
            ResolveSource::Registry(origin) => {
                write!(f, "registry {} ({})", origin.registry_url, origin.delivery)
            }
            ResolveSource::Byos(reference) => write!(f, "object {reference}"),
        }
    }
}

/// Where a registry pack came from and how it was delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryOrigin {
    /// The registry's base URL.
    pub registry_url: String,
    /// The namespace, `None` for the global one.
    pub namespace: Option<Namespace>,
    /// The policy the registry announced (or the cache recorded).
    pub policy: Policy,
    /// The ETag, when the registry sent one.
    pub etag: Option<String>,
    /// When the bytes were fetched from the registry.
    pub fetched_at: Timestamp,
    /// Cache or network.
    pub delivery: Delivery,
}

/// How a registry pack reached the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Delivery {
    /// From a fresh cache entry, verified again; no request was made.
    CacheHit,
    /// From a stale cache entry the registry confirmed unchanged (304).
    Revalidated,
    /// From a stale cache entry that could not be revalidated because the resolver is
    /// offline.
    StaleOffline,
    /// Fetched from the registry (and written to the cache unless bypassed).
    Fetched,
    /// A cached copy of a pack the registry now calls revoked, handed back only because
    /// allow-revoked was set.
    RevokedCachedCopy,
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Delivery::CacheHit => "cache hit",
            Delivery::Revalidated => "revalidated",
            Delivery::StaleOffline => "stale cache entry, offline",
            Delivery::Fetched => "fetched",
            Delivery::RevokedCachedCopy => "revoked, cached copy",
        })
    }
}

/// What verification established about a pack's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// Signed by these distinct trusted keys (at least the threshold).
    Signed {
        /// The keys whose signatures verified, in envelope order.
        signers: Vec<Signer>,
    },
    /// An open pack without a signature (allowed for open packs).
    UnsignedOpen,
    /// A commercial pack without a signature, let through by the insecure development
    /// setting.
    MissingAllowedInsecurely,
    /// A pack from the caller's own files or binary (path, built-in, local directory):
    /// its digest was computed, no signature is expected.
    LocalFile,
    /// An object-storage pack whose digest matched the pin (or the lockfile) and that
    /// has no signature.
    PinnedDigest,
    /// An object-storage pack with neither pin nor signature, allowed with a warning.
    Unpinned,
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verification::Signed { signers } => {
                f.write_str("signed by ")?;
                for (index, signer) in signers.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} ({})", signer.key_id, signer.algorithm)?;
                }
                Ok(())
            }
            Verification::UnsignedOpen => f.write_str("unsigned (open pack)"),
            Verification::MissingAllowedInsecurely => {
                f.write_str("UNSIGNED commercial pack allowed by ASSAY_ALLOW_UNSIGNED_PACKS")
            }
            Verification::LocalFile => f.write_str("local file, digest only"),
            Verification::PinnedDigest => f.write_str("digest matches the pin"),
            Verification::Unpinned => f.write_str("UNPINNED, digest not checked against anything"),
        }
    }
}

/// A trusted key whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    /// The key's id.
    pub key_id: KeyId,
    /// The key's algorithm.
    pub algorithm: Algorithm,
}

/// Something the caller should tell the user, though resolution succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveWarning {
    /// A cache entry failed verification and was evicted (then fetched again).
    EvictedCacheEntry {
        /// Why it was evicted.
        reason: String,
    },
    /// A revoked pack was handed back from the cache for forensics.
    RevokedForensics {
        /// The registry's reason.
        reason: String,
        /// The version to move to, when named.
        safe_version: Option<String>,
    },
    /// A commercial pack without a signature was allowed by `ASSAY_ALLOW_UNSIGNED_PACKS`.
    UnsignedAllowed,
    /// An object-storage pack had no expected digest (no pin, no lockfile entry).
    Unpinned,
    /// A stale entry was used without revalidation because the resolver is offline.
    StaleOffline,
    /// The registry lists this version as deprecated.
    Deprecated {
        /// The version the registry calls latest, when it names one.
        latest: Option<Version>,
    },
}

impl fmt::Display for ResolveWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveWarning::EvictedCacheEntry { reason } => {
                write!(f, "a cache entry failed verification and was evicted: {reason}")
            }
            ResolveWarning::RevokedForensics { reason, safe_version } => {
                write!(f, "using a REVOKED pack for forensics (reason: {reason}")?;
                if let Some(safe) = safe_version {
                    write!(f, "; safe version {safe}")?;
                }
                f.write_str(")")
            }
            ResolveWarning::UnsignedAllowed => f.write_str(
                "the pack is commercial but unsigned; allowed only because ASSAY_ALLOW_UNSIGNED_PACKS is set (development only)",
            ),
            ResolveWarning::Unpinned => f.write_str(
                "no expected digest (pin the reference with #sha256:… or lock it); the object's bytes were not checked against anything",
            ),
            ResolveWarning::StaleOffline => {
                f.write_str("the cache entry is stale and could not be revalidated (offline)")
            }
            ResolveWarning::Deprecated { latest } => {
                f.write_str("this version is deprecated")?;
                match latest {
                    Some(latest) => write!(f, "; use @{latest} instead"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// A resolved, verified pack.
#[derive(Clone)]
pub struct ResolvedPack {
    /// The pack's bytes exactly as received or read (the bytes the digest covers once
    /// canonicalized).
    pub bytes: Vec<u8>,
    /// The canonical digest.
    pub digest: Digest,
    /// The pack's own name.
    pub name: PackName,
    /// The pack's own version.
    pub version: Version,
    /// Which step produced it.
    pub source: ResolveSource,
    /// What verification established.
    pub verification: Verification,
    /// What the caller should tell the user.
    pub warnings: Vec<ResolveWarning>,
}

impl Verification {
    /// The key ids of the signers, when signed.
    pub fn key_ids(&self) -> impl Iterator<Item = &KeyId> {
        let signers: &[Signer] = match self {
            Verification::Signed { signers } => signers,
            _ => &[],
        };
        signers.iter().map(|signer| &signer.key_id)
    }
}

impl ResolvedPack {
    /// The registry origin, for registry packs.
    pub fn registry_origin(&self) -> Option<&RegistryOrigin> {
        match &self.source {
            ResolveSource::Registry(origin) => Some(origin),
            _ => None,
        }
    }
}

impl fmt::Debug for ResolvedPack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bytes are the pack's content: their length is what a log needs.
        f.debug_struct("ResolvedPack")
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("digest", &self.digest)
            .field("name", &self.name)
            .field("version", &self.version)
            .field("source", &self.source)
            .field("verification", &self.verification)
            .field("warnings", &self.warnings)
            .finish()
    }
}
