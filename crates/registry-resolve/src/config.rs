//! The resolver's settings, and how they are read from the environment.

use std::ffi::OsString;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use camino::Utf8PathBuf;
use registry_http::RegistryConfig;
use registry_verify::{MissingSignature, PublicKey, RootSpec, TrustMode};
use snafu::{OptionExt, ResultExt};

use crate::byos::{NoObjectStores, ObjectSource};
use crate::clock::{Clock, SystemClock};
use crate::error::{InvalidEnvironmentSnafu, InvalidTrustRootSnafu, RegistrySettingsSnafu, Result};
use crate::local_dir::LocalDir;

/// `ASSAY_REGISTRY_TRUST_ROOTS`: comma-separated trust roots (key ids, or SPKI public keys
/// in PEM or base64).
pub const ASSAY_REGISTRY_TRUST_ROOTS: &str = "ASSAY_REGISTRY_TRUST_ROOTS";
/// `ASSAY_REGISTRY_DEADLINE`: seconds one pack may take across all its requests and
/// retries (default [`DEFAULT_DEADLINE`]).
pub const ASSAY_REGISTRY_DEADLINE: &str = "ASSAY_REGISTRY_DEADLINE";
/// `ASSAY_ALLOW_REVOKED`: must be `forensics` for allow-revoked to work under CI.
pub const ASSAY_ALLOW_REVOKED: &str = "ASSAY_ALLOW_REVOKED";
/// `ASSAY_ALLOW_UNSIGNED_PACKS`: development only; tolerates a *missing* signature on a
/// commercial pack (never an invalid one), with a warning.
pub use registry_http::ASSAY_ALLOW_UNSIGNED_PACKS;

/// How long one pack may take, all requests and retries together, unless
/// `ASSAY_REGISTRY_DEADLINE` says otherwise: two minutes.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// How many packs [`PackResolver::resolve_all`](crate::PackResolver::resolve_all) works on
/// at once by default.
pub const DEFAULT_CONCURRENCY: NonZeroUsize = NonZeroUsize::new(8).unwrap();

/// How far the clock may lag behind the latest time seen for a registry before the
/// resolver refuses to go on (freeze protection): five minutes.
pub const CLOCK_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Whether the resolver may use the network.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NetworkMode {
    /// Fetch, revalidate and refresh the keys manifest as needed (the default).
    #[default]
    Online,
    /// Never open a socket: only verified cache entries and the persisted keys manifest
    /// are used; anything missing is an error saying so.
    Offline,
}

/// Whether registry packs go through the cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CacheMode {
    /// Read verified entries, write fetched packs (the default).
    #[default]
    ReadWrite,
    /// Neither read nor write pack entries (`--no-cache`); the keys manifest is still
    /// persisted, so rollback protection keeps working.
    Bypass,
}

/// What to do when the registry says a pack was revoked (410).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RevokedPolicy {
    /// Fail with the registry's reason and safe version (the default).
    #[default]
    Refuse,
    /// Hand back a copy already in the cache, verified as usual, with a warning; fail
    /// when there is none. Under CI (`CI=true` or `GITHUB_ACTIONS=true`) this also needs
    /// `ASSAY_ALLOW_REVOKED=forensics`.
    AllowCachedCopyForForensics,
}

/// Whether the freeze check runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FreezeCheck {
    /// Refuse to go on when the clock is more than [`CLOCK_TOLERANCE`] behind the latest
    /// time seen for the registry (the default).
    #[default]
    Enforce,
    /// Skip the check, for recovering a machine whose clock was wrong in the future. The
    /// other way out is clearing the registry from the cache, which resets its state.
    IgnoreClockRollback,
}

/// Whether an object-storage pack needs an expected digest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ByosPins {
    /// Without a pin or lockfile digest, resolve with a warning (the default).
    #[default]
    WarnWhenMissing,
    /// Refuse an object-storage pack without an expected digest (`--strict`).
    Require,
}

/// Whether a pack fetched from the registry is looked up in its version listing to warn
/// when it is deprecated (one more request per fetched pack; never for cache hits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DeprecationCheck {
    /// No lookup (the default for library callers).
    #[default]
    Skip,
    /// Look the version up after a fetch and warn when it is deprecated (the CLI's choice).
    Warn,
}

/// What the process environment says about CI, for the allow-revoked gate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CiGate {
    /// Not running under CI.
    #[default]
    NotCi,
    /// Under CI, with `ASSAY_ALLOW_REVOKED=forensics`.
    CiForensicsAcknowledged,
    /// Under CI, without the acknowledgement.
    CiWithoutAcknowledgement,
}

/// The trust configuration: roots that sign keys manifests, and pack keys trusted directly.
#[derive(Clone, Debug, Default)]
pub struct TrustConfig {
    /// Configured roots (added to the embedded ones, or replacing them in override mode).
    pub roots: Vec<RootSpec>,
    /// Union with the embedded roots (default) or override.
    pub mode: TrustMode,
    /// Pack-signing keys trusted directly.
    pub pack_keys: Vec<PublicKey>,
}

/// Everything a [`PackResolver`](crate::PackResolver) needs.
#[derive(Clone, Debug)]
pub struct ResolverConfig {
    /// The registry client's settings (URL, token, timeouts, limits).
    pub registry: RegistryConfig,
    /// The cache root.
    pub cache_root: Utf8PathBuf,
    /// Whether registry packs go through the cache.
    pub cache: CacheMode,
    /// Online or offline.
    pub network: NetworkMode,
    /// Roots and directly trusted pack keys.
    pub trust: TrustConfig,
    /// How many distinct trusted keys must sign a signed pack.
    pub threshold: NonZeroUsize,
    /// Whether a missing signature on a commercial pack is tolerated (development only).
    pub missing_signature: MissingSignature,
    /// What a revoked pack does.
    pub revoked: RevokedPolicy,
    /// The CI gate for [`RevokedPolicy::AllowCachedCopyForForensics`].
    pub ci: CiGate,
    /// The local pack directory.
    pub local_dir: LocalDir,
    /// `XDG_CONFIG_HOME` and `HOME`, read once, for [`LocalDir::Standard`].
    pub config_home: (Option<OsString>, Option<OsString>),
    /// How many packs are worked on at once.
    pub concurrency: NonZeroUsize,
    /// How long one pack may take, all requests and retries together.
    pub deadline: Duration,
    /// Whether the freeze check runs.
    pub freeze: FreezeCheck,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The object-storage reader.
    pub byos: Arc<dyn ObjectSource>,
    /// Whether object-storage packs need an expected digest.
    pub byos_pins: ByosPins,
    /// Whether fetched packs are checked for deprecation.
    pub deprecation: DeprecationCheck,
}

impl ResolverConfig {
    /// Settings for `registry` with the cache at `cache_root` and every other setting at
    /// its default: online, cache read and written, no configured trust, threshold 1,
    /// signatures required for commercial packs, revoked packs refused, the standard local
    /// directory (with no `HOME` known), the system clock, no object stores.
    pub fn new(registry: RegistryConfig, cache_root: Utf8PathBuf) -> Self {
        ResolverConfig {
            registry,
            cache_root,
            cache: CacheMode::default(),
            network: NetworkMode::default(),
            trust: TrustConfig::default(),
            threshold: NonZeroUsize::MIN,
            missing_signature: MissingSignature::Reject,
            revoked: RevokedPolicy::default(),
            ci: CiGate::default(),
            local_dir: LocalDir::default(),
            config_home: (None, None),
            concurrency: DEFAULT_CONCURRENCY,
            deadline: DEFAULT_DEADLINE,
            freeze: FreezeCheck::default(),
            clock: Arc::new(SystemClock),
            byos: Arc::new(NoObjectStores),
            byos_pins: ByosPins::default(),
            deprecation: DeprecationCheck::default(),
        }
    }

    /// Settings from the process environment: every `ASSAY_*` variable registry-http
    /// reads, plus `ASSAY_CACHE_DIR`, `ASSAY_REGISTRY_TRUST_ROOTS`,
    /// `ASSAY_REGISTRY_DEADLINE`, `ASSAY_ALLOW_UNSIGNED_PACKS`, `ASSAY_ALLOW_REVOKED`,
    /// `CI`, `GITHUB_ACTIONS`, `XDG_CONFIG_HOME` and `HOME`.
    ///
    /// # Errors
    /// A malformed variable, named with its value's problem.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// [`ResolverConfig::from_env`] with the variables looked up by `lookup`.
    ///
    /// # Errors
    /// As [`ResolverConfig::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Self> {
        let registry = RegistryConfig::from_lookup(&lookup).context(RegistrySettingsSnafu)?;
        let cache_root = registry_cache::PackCache::root_from(
            lookup(registry_cache::CACHE_DIR_VARIABLE),
            lookup("HOME"),
        )
        .context(crate::error::CacheRootSnafu)?;
        let mut config = ResolverConfig::new(registry, cache_root);
        config.config_home = (lookup("XDG_CONFIG_HOME"), lookup("HOME"));
        if let Some(roots) = text_variable(&lookup, ASSAY_REGISTRY_TRUST_ROOTS)? {
            for root in roots
                .split(',')
                .map(str::trim)
                .filter(|root| !root.is_empty())
            {
                let spec = RootSpec::parse(root).context(InvalidTrustRootSnafu {
                    origin: ASSAY_REGISTRY_TRUST_ROOTS,
                })?;
                config.trust.roots.push(spec);
            }
        }
        if let Some(deadline) = text_variable(&lookup, ASSAY_REGISTRY_DEADLINE)? {
            let seconds: u64 = deadline
                .trim()
                .parse()
                .ok()
                .filter(|seconds| *seconds > 0)
                .context(InvalidEnvironmentSnafu {
                    variable: ASSAY_REGISTRY_DEADLINE,
                    expected: "a whole number of seconds, at least 1",
                })?;
            config.deadline = Duration::from_secs(seconds);
        }
        if let Some(allow) = text_variable(&lookup, ASSAY_ALLOW_UNSIGNED_PACKS)?
            && is_true(&allow).context(InvalidEnvironmentSnafu {
                variable: ASSAY_ALLOW_UNSIGNED_PACKS,
                expected: "1, true, yes, 0, false or no",
            })?
        {
            config.missing_signature = MissingSignature::AllowInsecureForDevelopment;
        }
        let under_ci = ["CI", "GITHUB_ACTIONS"].into_iter().any(|variable| {
            lookup(variable).is_some_and(|value| value.eq_ignore_ascii_case("true") || value == "1")
        });
        config.ci = if !under_ci {
            CiGate::NotCi
        } else if lookup(ASSAY_ALLOW_REVOKED).is_some_and(|value| value == "forensics") {
            CiGate::CiForensicsAcknowledged
        } else {
            CiGate::CiWithoutAcknowledgement
        };
        Ok(config)
    }

    /// The local pack directory these settings name, if any.
    pub fn local_dir_path(&self) -> Option<Utf8PathBuf> {
        self.local_dir
            .path(self.config_home.0.clone(), self.config_home.1.clone())
    }
}

/// A variable's value as UTF-8 text; `None` when unset or empty.
fn text_variable(
    lookup: &impl Fn(&str) -> Option<OsString>,
    variable: &'static str,
) -> Result<Option<String>> {
    match lookup(variable) {
        None => Ok(None),
        Some(value) if value.is_empty() => Ok(None),
        Some(value) => value
            .into_string()
            .ok()
            .map(Some)
            .context(InvalidEnvironmentSnafu {
                variable,
                expected: "UTF-8 text",
            }),
    }
}

/// `1`/`true`/`yes` → true, `0`/`false`/`no` → false, anything else → `None`.
fn is_true(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<ResolverConfig> {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        ResolverConfig::from_lookup(move |name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_and_variables() {
        let plain = config(&[("HOME", "/home/u")]).expect("defaults");
        assert_eq!(plain.deadline, DEFAULT_DEADLINE);
        assert_eq!(plain.ci, CiGate::NotCi);
        assert_eq!(plain.missing_signature, MissingSignature::Reject);
        assert_eq!(
            plain.cache_root,
            Utf8PathBuf::from("/home/u/.assay/cache/packs")
        );
        assert_eq!(
            plain.local_dir_path(),
            Some(Utf8PathBuf::from("/home/u/.config/assay/packs"))
        );

        let set = config(&[
            ("HOME", "/home/u"),
            ("XDG_CONFIG_HOME", "/xdg"),
            (ASSAY_REGISTRY_DEADLINE, "7"),
            (ASSAY_ALLOW_UNSIGNED_PACKS, "yes"),
            ("GITHUB_ACTIONS", "true"),
            (ASSAY_ALLOW_REVOKED, "forensics"),
            (
                ASSAY_REGISTRY_TRUST_ROOTS,
                &format!("sha256:{}, sha256:{}", "a".repeat(64), "b".repeat(64)),
            ),
        ])
        .expect("set");
        assert_eq!(set.deadline, Duration::from_secs(7));
        assert_eq!(
            set.missing_signature,
            MissingSignature::AllowInsecureForDevelopment
        );
        assert_eq!(set.ci, CiGate::CiForensicsAcknowledged);
        assert_eq!(set.trust.roots.len(), 2);
        assert_eq!(
            set.local_dir_path(),
            Some(Utf8PathBuf::from("/xdg/assay/packs"))
        );
        assert_eq!(
            config(&[("HOME", "/h"), ("CI", "true")]).expect("ci").ci,
            CiGate::CiWithoutAcknowledgement
        );
    }

    #[test]
    fn malformed_variables_are_named() {
        for (variable, value) in [
            (ASSAY_REGISTRY_DEADLINE, "soon"),
            (ASSAY_REGISTRY_DEADLINE, "0"),
            (ASSAY_ALLOW_UNSIGNED_PACKS, "maybe"),
        ] {
            let error = config(&[("HOME", "/h"), (variable, value)]).expect_err(value);
            assert!(
                matches!(&error, crate::Error::InvalidEnvironment { variable: named, .. } if *named == variable),
                "{error:?}"
            );
        }
        let error =
            config(&[("HOME", "/h"), (ASSAY_REGISTRY_TRUST_ROOTS, "not-a-key")]).expect_err("root");
        assert!(
            matches!(error, crate::Error::InvalidTrustRoot { .. }),
            "{error:?}"
        );
    }
}
