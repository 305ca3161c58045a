//! What the registry commands share: settings from flags over the environment, the
//! library's logging, a runtime, and the one-line report of what was verified.

use std::path::Path;

use camino::Utf8PathBuf;
use registry_http::{SecretToken, TokenProvider};
use registry_resolve::{
    CacheMode, DeprecationCheck, NetworkMode, PackResolver, ResolvedPack, ResolverConfig,
    RevokedPolicy,
};
use registry_types::BaseUrl;
use snafu::{OptionExt, ResultExt};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::cli::RegistryArgs;
use crate::error::{
    InvalidArgumentSnafu, NonUtf8CacheDirSnafu, RegistryOptionSnafu, ResolverSettingsSnafu, Result,
    StartRuntimeSnafu, print_stderr,
};
use crate::input::keys::root;

/// A resolver configured from the command line over the environment (flags win).
pub(crate) fn resolver(args: &RegistryArgs) -> Result<PackResolver> {
    init_logging(args.verbose);
    let mut config = ResolverConfig::from_env()
        .map_err(Box::new)
        .context(ResolverSettingsSnafu)?;
    if let Some(url) = &args.registry {
        config.registry.base_url = BaseUrl::parse(url).context(InvalidArgumentSnafu {
            option: "--registry",
        })?;
    }
    if let Some(token) = &args.token {
        let token = SecretToken::new(token, "--token")
            .context(RegistryOptionSnafu { option: "--token" })?;
        config.registry.token = TokenProvider::from_token(token);
    }
    for text in &args.trust_roots {
        config.trust.roots.push(root(text)?);
    }
    if let Some(dir) = &args.cache_dir {
        config.cache_root = utf8_dir(dir)?;
    }
    if args.no_cache {
        config.cache = CacheMode::Bypass;
    }
    if args.offline {
        config.network = NetworkMode::Offline;
    }
    config.deprecation = DeprecationCheck::Warn;
    if args.allow_revoked {
        config.revoked = RevokedPolicy::AllowCachedCopyForForensics;
    }
    PackResolver::new(config)
        .map_err(Box::new)
        .context(ResolverSettingsSnafu)
}

/// A runtime for one command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context(StartRuntimeSnafu)
}

/// The library's tracing on stderr: RUST_LOG when set (`target=level,…` directives),
/// else `-v` (info) or `-vv` (debug) for the registry crates; nothing otherwise.
fn init_logging(verbose: u8) {
    let from_env: Option<Targets> = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| text.parse().ok());
    let filter = match (from_env, verbose) {
        (Some(filter), _) => filter,
        (None, 0) => return,
        (None, 1) => registry_targets(tracing::Level::INFO),
        (None, _) => registry_targets(tracing::Level::DEBUG),
    };
    // A second initialisation (never in this binary) would be refused; nothing to do then.
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false),
        )
        .with(filter)
        .try_init();
}

fn registry_targets(level: tracing::Level) -> Targets {
    Targets::new()
        .with_target("registry_resolve", level)
        .with_target("registry_http", level)
        .with_target("registry_cache", level)
}

/// A directory given on the command line, as UTF-8.
fn utf8_dir(dir: &Path) -> Result<Utf8PathBuf> {
    Utf8PathBuf::from_path_buf(dir.to_path_buf())
        .ok()
        .context(NonUtf8CacheDirSnafu {
            path: dir.to_path_buf(),
        })
}

/// The stderr line saying what was verified about a pack, and its warnings.
pub(crate) fn report_verified(pack: &ResolvedPack) {
    for warning in &pack.warnings {
        print_stderr(format_args!(
            "warning: {}@{}: {warning}",
            pack.name, pack.version
        ));
    }
    let policy = pack
        .registry_origin()
        .map(|origin| format!(", {}", origin.policy))
        .unwrap_or_default();
    print_stderr(format_args!(
        "verified {}@{} {} ({}{policy}; {})",
        pack.name, pack.version, pack.digest, pack.verification, pack.source
    ));
}
