//! The data types of the protocol under the seed's names, and the plain values and wire
//! bodies of registry-types.
//!
//! The seed's names map onto this implementation's types as follows:
//!
//! | seed name | type here |
//! |---|---|
//! | [`DsseEnvelope`] | registry-verify's `Envelope` (parse, sign, verify, encode) |
//! | [`DsseSignature`] | registry-verify's `EnvelopeSignature` (`keyid`, `sig`) |
//! | [`FetchResult`] | registry-http's `FetchResult` (`body`, `headers`, `computed_digest`, …) |
//! | [`PackHeaders`] | registry-http's `PackHeaders` (digest, policy, signature, key id, ETag, …) |
//! | [`RegistryConfig`] | registry-http's `RegistryConfig` |
//! | [`KeysManifest`] | registry-verify's `VerifiedManifest` (see [`crate::trust`]) |
//! | [`TrustedKey`] | registry-verify's `TrustedKey` |
//! | [`VersionsResponse`] | the `GET /packs/{name}/versions` body, [`wire::PackVersions`] |
//! | [`VersionInfo`] | one entry of it, [`wire::VersionInfo`] |
//! | [`PackMeta`] | the registry's metadata of one pack in its pack list, [`wire::PackSummary`] (name, namespace, latest version, versions); the cache's own per-entry metadata is [`crate::CacheMeta`] |

pub use registry_http::{FetchResult, PackHeaders, RegistryConfig};
pub use registry_types::wire;
pub use registry_types::wire::{
    PackSummary as PackMeta, PackVersions as VersionsResponse, VersionInfo,
};
pub use registry_types::{
    BaseUrl, CoreNumber, Digest, Error, Namespace, PackName, Policy, Result, Timestamp,
    UntrustedText, UrlFault, UrlScheme, Version, VersionSection, base64,
};
pub use registry_verify::{
    Envelope as DsseEnvelope, EnvelopeSignature as DsseSignature, TrustedKey,
    VerifiedManifest as KeysManifest,
};
