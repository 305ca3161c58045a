//! The registry's HTTP client (registry-http): packs, headers, signatures, version lists,
//! the pack list and the raw keys manifest, over hyper and rustls, with every check the wire
//! allows before a pack is handed back.

pub use registry_http::{
    ASSAY_ALLOW_UNSIGNED_PACKS, ASSAY_REGISTRY_CA_BUNDLE, ASSAY_REGISTRY_MAX_RETRIES,
    ASSAY_REGISTRY_TIMEOUT, ASSAY_REGISTRY_URL, CaBundle, CacheControl, CacheScope, ContentDigest,
    ContentDigestFault, DEFAULT_PAGE_SIZE, DEFAULT_REGISTRY_URL, DigestAlgorithm, EnvFault, Error,
    ErrorKind, FetchResult, HeaderFault, HttpVersions, KeysManifestResponse, LicenseFault, Limits,
    NotFoundHint, PackCoordinates, PackHeaders, PackPages, PlainHttp, REGISTRY_USER_AGENT,
    RedirectFault, RegistryClient, RegistryConfig, RegistryName, RequestFault, Result, RetryPolicy,
    RootCertificates, SignatureLookup, SignaturePlace, SignatureSource, SizeLimit, Target,
    TargetKind, Timeouts,
};
