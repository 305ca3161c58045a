//! The demo's steps, and what each one expects: a step that sees anything else stops the
//! demo with a [`DemoFault`], so that the tour doubles as a smoke test.

use std::fmt;
use std::path::PathBuf;

use registry_lock::LockMismatch;
use registry_resolve::{Delivery, ResolveWarning, Verification};
use registry_types::Policy;
use registry_verify::KeyId;
use snafu::Snafu;

/// One step of the tour, in the order they run (their numbers follow from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// The registry starts over the sample packs.
    Registry,
    /// The commercial pack is fetched and verified.
    FetchCommercial,
    /// The open pack is fetched and verified.
    FetchOpen,
    /// Both packs are locked in a lockfile, which is read back and verified.
    Lockfile,
    /// The commercial pack is read again, from the cache.
    CacheHit,
    /// A cached file is changed; the change is caught and repaired.
    Tamper,
    /// The registry serves another pack under the requested name.
    Attack,
    /// A revoked pack is refused; its safe version resolves.
    Revoked,
}

impl Step {
    /// Every step, in order.
    pub(crate) const ALL: [Step; 8] = [
        Step::Registry,
        Step::FetchCommercial,
        Step::FetchOpen,
        Step::Lockfile,
        Step::CacheHit,
        Step::Tamper,
        Step::Attack,
        Step::Revoked,
    ];

    /// The step's number, from 1.
    pub(crate) fn number(self) -> usize {
        Step::ALL
            .iter()
            .position(|step| *step == self)
            .map_or(0, |index| index + 1)
    }

    /// The one word the tour shows after the number.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Step::Registry => "registry",
            Step::FetchCommercial | Step::FetchOpen => "fetch",
            Step::Lockfile => "lockfile",
            Step::CacheHit => "cache",
            Step::Tamper => "tamper",
            Step::Attack => "attack",
            Step::Revoked => "revoked",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.number(), self.title())
    }
}

/// How a step's outcome differed from what the system promises.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
pub(crate) enum DemoFault {
    /// The server's URL is not a registry base URL.
    #[snafu(display("the registry's URL {url} is not a base URL"))]
    ServerUrl {
        url: String,
        source: registry_types::Error,
    },

    /// The cache location of a pack could not be named.
    #[snafu(display("the cache location of a pack could not be named"))]
    CacheLocation { source: registry_cache::Error },

    /// The server did not serve every sample pack.
    #[snafu(display("the registry serves {served} of the {expected} sample packs"))]
    SamplesNotServed { served: usize, expected: usize },

    /// A pack arrived another way than expected.
    #[snafu(display("{pack} was delivered as {actual}, expected {expected}"))]
    WrongDelivery {
        pack: &'static str,
        expected: Delivery,
        actual: ShownDelivery,
    },

    /// A pack's bytes are not the sample's.
    #[snafu(display("the bytes handed back for {pack} are not the sample pack's"))]
    WrongBytes { pack: &'static str },

    /// A pack was not signed by this run's signing key.
    #[snafu(display("{pack} was accepted as {verification}, expected signed by {expected}"))]
    NotSignedByRunKey {
        pack: &'static str,
        verification: Verification,
        expected: KeyId,
    },

    /// A pack has another policy than its sample's.
    #[snafu(display("{pack} came with policy {actual}, expected {expected}"))]
    WrongPolicy {
        pack: &'static str,
        expected: Policy,
        actual: Policy,
    },

    /// Resolution warned where it should not have.
    #[snafu(display("{pack} came with an unexpected warning: {warning}"))]
    UnexpectedWarning {
        pack: &'static str,
        warning: ResolveWarning,
    },

    /// A sample pack's reference does not parse.
    #[snafu(display("the sample reference {reference:?} is invalid"))]
    SampleReference {
        reference: &'static str,
        source: registry_types::Error,
    },

    /// The lockfile's path is not UTF-8 (lockfile paths are).
    #[snafu(display("the lockfile path {} is not valid UTF-8", path.display()))]
    LockfilePath { path: PathBuf },

    /// The lockfile does not pin a pack to what was fetched.
    #[snafu(display(
        "the lockfile does not pin {pack} to the digest and signing key it was fetched with"
    ))]
    LockedOtherwise { pack: &'static str },

    /// The lockfile, read back, does not match what resolves now.
    #[snafu(display(
        "the lockfile does not match what resolves now ({count} mismatch(es)): {first}"
    ))]
    LockNotExact {
        count: usize,
        first: Box<LockMismatch>,
    },

    /// The lockfile, read back, did not verify the packs it was written with.
    #[snafu(display("the lockfile verified {matched} pack(s), expected {expected}"))]
    LockIncomplete { matched: usize, expected: usize },

    /// A cache hit sent a request to the registry.
    #[snafu(display("reading {pack} from the cache sent {requests} request(s) to the registry"))]
    RequestOnCacheHit { pack: &'static str, requests: u64 },

    /// The cached pack file has nothing to change.
    #[snafu(display("the cached file {} has no letter to change", path.display()))]
    NothingToTamper { path: PathBuf },

    /// A changed cache entry was handed back without being evicted.
    #[snafu(display("the changed cache entry of {pack} was not evicted"))]
    TamperNotCaught { pack: &'static str },

    /// The cache entry was not repaired after the eviction.
    #[snafu(display("the cache entry of {pack} was not repaired: {} differs from the sample", path.display()))]
    NotRepaired { pack: &'static str, path: PathBuf },

    /// The registry's attack was accepted.
    #[snafu(display("{pack} was accepted although the registry served {served} under its name"))]
    AttackAccepted { pack: &'static str, served: String },

    /// Something was cached although the pack was refused.
    #[snafu(display("{pack} was refused but {} was cached", path.display()))]
    CachedAfterRefusal { pack: &'static str, path: PathBuf },

    /// A revoked pack was handed back.
    #[snafu(display("the revoked pack {pack} was handed back"))]
    RevokedAccepted { pack: &'static str },

    /// A revocation did not name the expected safe version.
    #[snafu(display("the revocation of {pack} names safe version {actual}, expected {expected}"))]
    WrongSafeVersion {
        pack: &'static str,
        expected: &'static str,
        actual: ShownVersion,
    },
}

/// A delivery, or its absence for a pack that did not come from a registry.
#[derive(Debug)]
pub(crate) struct ShownDelivery(pub(crate) Option<Delivery>);

impl fmt::Display for ShownDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(delivery) => write!(f, "{delivery}"),
            None => f.write_str("not a registry pack"),
        }
    }
}

/// A safe version as the registry named it, or its absence.
#[derive(Debug)]
pub(crate) struct ShownVersion(pub(crate) Option<String>);

impl fmt::Display for ShownVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(version) => write!(f, "{version:?}"),
            None => f.write_str("none"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::demo::expectation::Step;

    #[test]
    fn steps_are_numbered_in_order_from_one() {
        let numbers: Vec<usize> = Step::ALL.iter().map(|step| step.number()).collect();
        assert_eq!(numbers, (1..=Step::ALL.len()).collect::<Vec<_>>());
        assert_eq!(Step::Tamper.to_string(), "6 (tamper)");
    }
}
