//! `assay-pack demo`: a guided tour of the whole client against a registry started for the
//! run, which doubles as a smoke test.
//!
//! The reference registry is started in-process on 127.0.0.1 over the sample packs
//! compiled into the binary (`demo/sample.rs`), with signing and root keys generated for
//! the run; the resolver is configured explicitly (never from `ASSAY_*` variables), trusts
//! only that run's root, and keeps its cache in the demo's temporary folder
//! (`demo/scratch.rs`), which is removed at the end, also on failure. Every step goes
//! through the library's real paths and checks its outcome (`demo/expectation.rs`): a
//! step that sees anything else stops the demo with an error and a non-zero exit status.

pub(crate) mod expectation;
mod sample;
mod scratch;

use std::error::Error as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use camino::Utf8PathBuf;
use registry_cache::{EntryFile, EntryKey};
use registry_http::RegistryConfig;
use registry_lock::{LOCKFILE_NAME, Lockfile, generate_lockfile, verify_lockfile};
use registry_resolve::{
    Delivery, Error as ResolveError, ErrorClass, LocalDir, PackResolver, ResolveWarning,
    ResolvedPack, ResolverConfig,
};
use registry_server::{Faults, RunningServer, ServerConfig};
use registry_types::{BaseUrl, PackRef, Policy};
use registry_verify::{RootSpec, TrustMode};
use snafu::{OptionExt, ResultExt};

use crate::cli::DemoArgs;
use crate::commands::demo::expectation::{
    AttackAcceptedSnafu, CachedAfterRefusalSnafu, DemoFault, LockIncompleteSnafu,
    LockedOtherwiseSnafu, NotRepairedSnafu, NotSignedByRunKeySnafu, NothingToTamperSnafu,
    RequestOnCacheHitSnafu, RevokedAcceptedSnafu, SamplesNotServedSnafu, ServerUrlSnafu,
    ShownDelivery, ShownVersion, Step, TamperNotCaughtSnafu, UnexpectedWarningSnafu,
    WrongBytesSnafu, WrongDeliverySnafu, WrongPolicySnafu, WrongSafeVersionSnafu,
};
use crate::commands::demo::sample::{COMMERCIAL, OPEN, REVOKED, SAFE, SamplePack};
use crate::commands::demo::scratch::{Keep, Scratch};
use crate::commands::registry_session::runtime;
use crate::error::{
    DemoLockSnafu, DemoResolveSnafu, DemoStepSnafu, NonUtf8CacheDirSnafu, ReadInputSnafu,
    ResolverSettingsSnafu, Result, ServeSnafu, WriteFileSnafu,
};
use crate::output::print;

/// Runs `assay-pack demo`.
pub(crate) fn run(args: &DemoArgs) -> Result<()> {
    let keep = if args.keep { Keep::Keep } else { Keep::Remove };
    let scratch = Scratch::create(keep)?;
    let toured = runtime().and_then(|runtime| runtime.block_on(tour(scratch.path())));
    // The runtime, with the server's and the resolvers' tasks, is gone by now: nothing
    // uses the folder any more.
    let finished = scratch.finish();
    if let Ok(Some(kept)) = &finished {
        say(&format!("The temporary folder is kept: {}", kept.display()))?;
    }
    toured?;
    let removed = match finished? {
        Some(_) => "",
        None => "; the temporary folder was removed",
    };
    say(&format!(
        "\nAll {} steps behaved as expected{removed}.",
        Step::ALL.len()
    ))
}

/// The tour: starts the registry, runs the steps in the order of [`Step::ALL`], stops the
/// registry.
async fn tour(dir: &Path) -> Result<()> {
    say(
        "assay-pack demo: the registry client at work, against a registry started for this run.\n\
         No configuration is read and nothing leaves 127.0.0.1; every file goes to a temporary folder.\n",
    )?;
    let registry_dir = dir.join("registry");
    sample::write_registry(&registry_dir)?;
    let server = registry_server::start(ServerConfig::new(&registry_dir))
        .await
        .context(ServeSnafu { dir: &registry_dir })?;
    let toured = steps(&server, dir).await;
    server.shutdown().await;
    toured
}

/// The steps after the registry's start.
async fn steps(server: &RunningServer, dir: &Path) -> Result<()> {
    let tour = Tour::start(server, dir)?;
    let commercial = tour
        .fetch(Step::FetchCommercial, &COMMERCIAL, Policy::Commercial)
        .await?;
    let open = tour.fetch(Step::FetchOpen, &OPEN, Policy::Open).await?;
    tour.lockfile([(&COMMERCIAL, &commercial), (&OPEN, &open)])
        .await?;
    tour.cache_hit().await?;
    tour.tamper(&commercial).await?;
    tour.attack().await?;
    tour.revoked().await
}

/// What the steps share: the registry, and a resolver with the demo's cache.
struct Tour<'a> {
    server: &'a RunningServer,
    dir: &'a Path,
    resolver: Arc<PackResolver>,
}

impl<'a> Tour<'a> {
    /// Step 1: checks that the registry serves every sample pack, and configures the
    /// resolver.
    fn start(server: &'a RunningServer, dir: &'a Path) -> Result<Self> {
        let step = Step::Registry;
        let served = server.pack_count();
        ensure_step(
            step,
            server.startup_report().is_empty() && served == sample::ALL.len(),
            SamplesNotServedSnafu {
                served,
                expected: sample::ALL.len(),
            },
        )?;
        let resolver = demo_resolver(step, server, &dir.join("cache"))?;
        line(
            step,
            &format!(
                "started at {} with {served} sample packs and keys generated for this run; its \
                 root key {} is the only trust root, for this run only",
                server.base_url(),
                server.root_key_id()
            ),
        )?;
        Ok(Tour {
            server,
            dir,
            resolver: Arc::new(resolver),
        })
    }

    /// Steps 2 and 3: a pack fetched and verified.
    async fn fetch(&self, step: Step, sample: &SamplePack, policy: Policy) -> Result<ResolvedPack> {
        let pack = resolve(step, &self.resolver, sample).await?;
        self.expect_verified(step, sample, &pack, Delivery::Fetched, policy)?;
        expect_no_warning(step, sample, &pack)?;
        line(
            step,
            &format!(
                "{}: {} and verified: digest {}, policy {policy}, {}, this run's signing key",
                sample.reference,
                Delivery::Fetched,
                pack.digest,
                pack.verification
            ),
        )?;
        Ok(pack)
    }

    /// Step 4: the fetched packs locked in a lockfile, which is read back and verified
    /// against what resolves now.
    async fn lockfile(&self, fetched: [(&SamplePack, &ResolvedPack); 2]) -> Result<()> {
        let step = Step::Lockfile;
        let path = self.dir.join(LOCKFILE_NAME);
        let path = Utf8PathBuf::from_path_buf(path)
            .map_err(|path| DemoFault::LockfilePath { path })
            .context(DemoStepSnafu { step })?;
        let refs = fetched
            .iter()
            .map(|(sample, _)| registry_ref(step, sample))
            .collect::<Result<Vec<_>>>()?;
        let generated = lock_step(step, generate_lockfile(&self.resolver, &refs).await)?;
        lock_step(step, generated.save(&path))?;
        let lockfile = lock_step(step, Lockfile::load(&path))?;
        let signing_key = self.server.signing_key_id().to_string();
        for (sample, pack) in fetched {
            let pinned = lockfile.packs().any(|locked| {
                locked.name == pack.name
                    && locked.version == pack.version
                    && locked.digest == pack.digest
                    && locked
                        .signature
                        .as_ref()
                        .is_some_and(|signature| signature.key_id.to_string() == signing_key)
            });
            ensure_step(
                step,
                pinned,
                LockedOtherwiseSnafu {
                    pack: sample.reference,
                },
            )?;
        }
        let result = lock_step(step, verify_lockfile(&self.resolver, &lockfile).await)?;
        if let Some(first) = result.mismatches().first() {
            return Err(DemoFault::LockNotExact {
                count: result.mismatches().len(),
                first: Box::new(first.clone()),
            })
            .context(DemoStepSnafu { step });
        }
        let matched = result.matched().len();
        ensure_step(
            step,
            matched == fetched.len(),
            LockIncompleteSnafu {
                matched,
                expected: fetched.len(),
            },
        )?;
        line(
            step,
            &format!(
                "wrote {LOCKFILE_NAME} pinning {} (digest, registry, signing key), read it back \
                 and verified it: {matched} of {} locked packs match what resolves now",
                fetched.map(|(sample, _)| sample.reference).join(" and "),
                lockfile.len()
            ),
        )
    }

    /// Step 5: the commercial pack again, from the cache, verified again, no request sent.
    async fn cache_hit(&self) -> Result<()> {
        let step = Step::CacheHit;
        let pack_path = format!("/v1/packs/{}/{}", COMMERCIAL.name, COMMERCIAL.version);
        let before = self.server.stats().path_count(&pack_path);
        let pack = resolve(step, &self.resolver, &COMMERCIAL).await?;
        let requests = self.server.stats().path_count(&pack_path) - before;
        self.expect_verified(
            step,
            &COMMERCIAL,
            &pack,
            Delivery::CacheHit,
            Policy::Commercial,
        )?;
        expect_no_warning(step, &COMMERCIAL, &pack)?;
        ensure_step(
            step,
            requests == 0,
            RequestOnCacheHitSnafu {
                pack: COMMERCIAL.reference,
                requests,
            },
        )?;
        line(
            step,
            &format!(
                "{} again: {}, no request sent; verified again on read: same digest, same signature",
                COMMERCIAL.reference,
                Delivery::CacheHit
            ),
        )
    }

    /// Step 6: one bit of the cached commercial pack flipped; the next read catches it,
    /// evicts the entry and fetches the pack again.
    async fn tamper(&self, commercial: &ResolvedPack) -> Result<()> {
        let step = Step::Tamper;
        let cached = cached_pack_file(step, &self.resolver, commercial)?;
        let flipped = flip_one_bit(step, &cached)?;
        let pack = resolve(step, &self.resolver, &COMMERCIAL).await?;
        let reason = pack
            .warnings
            .iter()
            .find_map(|warning| match warning {
                ResolveWarning::EvictedCacheEntry { reason } => Some(reason.clone()),
                _ => None,
            })
            .context(TamperNotCaughtSnafu {
                pack: COMMERCIAL.reference,
            })
            .context(DemoStepSnafu { step })?;
        self.expect_verified(
            step,
            &COMMERCIAL,
            &pack,
            Delivery::Fetched,
            Policy::Commercial,
        )?;
        let repaired = std::fs::read(&cached).context(ReadInputSnafu { path: &cached })?;
        ensure_step(
            step,
            repaired == COMMERCIAL.yaml.as_bytes(),
            NotRepairedSnafu {
                pack: COMMERCIAL.reference,
                path: &cached,
            },
        )?;
        line(
            step,
            &format!(
                "{flipped} in the cached pack.yaml of {}: caught on read, entry evicted ({}); \
                 repaired: fetched again and verified, digest {}",
                COMMERCIAL.reference,
                one_line(&reason),
                pack.digest
            ),
        )
    }

    /// Step 7: the registry answers with another validly signed pack (mix and match), to
    /// a client with a fresh cache; the pack is refused and nothing is cached.
    async fn attack(&self) -> Result<()> {
        let step = Step::Attack;
        let attacked = demo_resolver(step, self.server, &self.dir.join("cache-attack"))?;
        self.server.set_faults(Faults {
            mix_and_match: true,
            ..Faults::default()
        });
        let outcome = attacked.resolve(COMMERCIAL.reference).await;
        self.server.set_faults(Faults::default());
        let refusal = match outcome {
            Ok(pack) => {
                return Err(AttackAcceptedSnafu {
                    pack: COMMERCIAL.reference,
                    served: format!("{}@{}", pack.name, pack.version),
                }
                .build())
                .context(DemoStepSnafu { step });
            }
            Err(error @ ResolveError::Registry { .. })
                if error.class() == ErrorClass::Integrity =>
            {
                error
            }
            Err(error) => return Err(Box::new(error)).context(DemoResolveSnafu { step }),
        };
        let planted = find_pack_file(attacked.cache().root().as_std_path());
        ensure_step(
            step,
            planted.is_none(),
            CachedAfterRefusalSnafu {
                pack: COMMERCIAL.reference,
                path: planted.unwrap_or_default(),
            },
        )?;
        line(
            step,
            &format!(
                "the registry answers {} with another validly signed pack (mix and match): \
                 refused: {}; nothing cached",
                COMMERCIAL.reference,
                error_line(&refusal)
            ),
        )
    }

    /// Step 8: a revoked pack is refused with the version to move to, which resolves.
    async fn revoked(&self) -> Result<()> {
        let step = Step::Revoked;
        let (reason, safe) = match self.resolver.resolve(REVOKED.reference).await {
            Ok(_) => {
                return Err(RevokedAcceptedSnafu {
                    pack: REVOKED.reference,
                }
                .build())
                .context(DemoStepSnafu { step });
            }
            Err(ResolveError::Revoked {
                reason,
                safe_version,
                ..
            }) => (reason, safe_version),
            Err(error) => return Err(Box::new(error)).context(DemoResolveSnafu { step }),
        };
        ensure_step(
            step,
            safe.as_deref() == Some(SAFE.version),
            WrongSafeVersionSnafu {
                pack: REVOKED.reference,
                expected: SAFE.version,
                actual: ShownVersion(safe.clone()),
            },
        )?;
        let pack = resolve(step, &self.resolver, &SAFE).await?;
        self.expect_verified(step, &SAFE, &pack, Delivery::Fetched, Policy::Open)?;
        line(
            step,
            &format!(
                "{}: refused, revoked by the registry (reason: {}; safe version {}); {}: fetched \
                 and verified, digest {}, policy {}",
                REVOKED.reference,
                one_line(&reason),
                SAFE.version,
                SAFE.reference,
                pack.digest,
                Policy::Open
            ),
        )
    }

    /// Checks that `pack` is the sample's bytes, delivered as `delivery`, with the sample's
    /// policy, signed by the run's signing key.
    fn expect_verified(
        &self,
        step: Step,
        sample: &SamplePack,
        pack: &ResolvedPack,
        delivery: Delivery,
        policy: Policy,
    ) -> Result<()> {
        let origin = pack.registry_origin();
        ensure_step(
            step,
            origin.map(|origin| origin.delivery) == Some(delivery),
            WrongDeliverySnafu {
                pack: sample.reference,
                expected: delivery,
                actual: ShownDelivery(origin.map(|origin| origin.delivery)),
            },
        )?;
        if let Some(origin) = origin {
            ensure_step(
                step,
                origin.policy == policy,
                WrongPolicySnafu {
                    pack: sample.reference,
                    expected: policy,
                    actual: origin.policy,
                },
            )?;
        }
        ensure_step(
            step,
            pack.bytes == sample.yaml.as_bytes(),
            WrongBytesSnafu {
                pack: sample.reference,
            },
        )?;
        let signing_key = self.server.signing_key_id();
        let signed = pack
            .verification
            .key_ids()
            .any(|key_id| *key_id == signing_key);
        ensure_step(
            step,
            signed,
            NotSignedByRunKeySnafu {
                pack: sample.reference,
                verification: pack.verification.clone(),
                expected: signing_key,
            },
        )
    }
}

/// A resolver for the demo's registry: built from explicit settings (no `ASSAY_*`
/// variable, no local pack directory), trusting the run's root key only, with its cache
/// in `cache_root`.
fn demo_resolver(step: Step, server: &RunningServer, cache_root: &Path) -> Result<PackResolver> {
    let url = server.base_url();
    let base_url = BaseUrl::parse(&url)
        .context(ServerUrlSnafu { url })
        .context(DemoStepSnafu { step })?;
    let cache_root = Utf8PathBuf::from_path_buf(cache_root.to_path_buf())
        .map_err(|path| NonUtf8CacheDirSnafu { path }.build())?;
    let mut config = ResolverConfig::new(RegistryConfig::new(base_url), cache_root);
    config.trust.roots = vec![RootSpec::Key(server.root_public_key())];
    config.trust.mode = TrustMode::Override;
    config.local_dir = LocalDir::Disabled;
    PackResolver::new(config)
        .map_err(Box::new)
        .context(ResolverSettingsSnafu)
}

/// The registry reference of a sample pack.
fn registry_ref(step: Step, sample: &SamplePack) -> Result<PackRef> {
    PackRef::parse(sample.reference)
        .map_err(|source| DemoFault::SampleReference {
            reference: sample.reference,
            source,
        })
        .context(DemoStepSnafu { step })
}

/// A lockfile operation's result; an error is a step that failed.
fn lock_step<T>(step: Step, result: registry_lock::Result<T>) -> Result<T> {
    result.map_err(Box::new).context(DemoLockSnafu { step })
}

/// Resolves a sample pack; an error is a step that failed.
async fn resolve(step: Step, resolver: &PackResolver, sample: &SamplePack) -> Result<ResolvedPack> {
    resolver
        .resolve(sample.reference)
        .await
        .map_err(Box::new)
        .context(DemoResolveSnafu { step })
}

/// Checks that resolution did not warn.
fn expect_no_warning(step: Step, sample: &SamplePack, pack: &ResolvedPack) -> Result<()> {
    match pack.warnings.first() {
        None => Ok(()),
        Some(warning) => Err(UnexpectedWarningSnafu {
            pack: sample.reference,
            warning: warning.clone(),
        }
        .build())
        .context(DemoStepSnafu { step }),
    }
}

/// The cache's `pack.yaml` of a resolved registry pack, where the resolver keeps it.
fn cached_pack_file(step: Step, resolver: &PackResolver, pack: &ResolvedPack) -> Result<PathBuf> {
    let namespace = pack
        .registry_origin()
        .and_then(|origin| origin.namespace.clone());
    let key = EntryKey::new(
        resolver.client().base_url().as_str(),
        namespace,
        pack.name.clone(),
        pack.version.clone(),
    )
    .map_err(|source| DemoFault::CacheLocation { source })
    .context(DemoStepSnafu { step })?;
    Ok(resolver
        .cache()
        .entry_dir(key.location())
        .join(EntryFile::Pack.file_name())
        .into_std_path_buf())
}

/// The first `pack.yaml` below `dir`, if any: a cache holding no pack has none.
fn find_pack_file(dir: &Path) -> Option<PathBuf> {
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                folders.push(path);
            } else if entry.file_name() == EntryFile::Pack.file_name() {
                return Some(path);
            }
        }
    }
    None
}

/// Flips one bit of the cached pack: the case of the first letter of its `description`
/// (else of its last letter), so that the YAML stays valid and only the digest tells.
/// Returns what changed, for the tour.
fn flip_one_bit(step: Step, path: &Path) -> Result<String> {
    const FIELD: &[u8] = b"\ndescription: ";
    let mut bytes = std::fs::read(path).context(ReadInputSnafu { path })?;
    let offset = bytes
        .windows(FIELD.len())
        .position(|window| window == FIELD)
        .map(|start| start + FIELD.len())
        .filter(|offset| bytes.get(*offset).is_some_and(u8::is_ascii_alphabetic))
        .or_else(|| bytes.iter().rposition(u8::is_ascii_alphabetic));
    let (offset, byte) = offset
        .and_then(|offset| Some((offset, bytes.get_mut(offset)?)))
        .context(NothingToTamperSnafu { path })
        .context(DemoStepSnafu { step })?;
    let before = *byte as char;
    // ASCII letters differ from their other case in this one bit.
    *byte ^= 0x20;
    let after = *byte as char;
    std::fs::write(path, &bytes).context(WriteFileSnafu { path })?;
    Ok(format!(
        "one bit flipped ('{before}' became '{after}' at byte {offset})"
    ))
}

/// Text from outside (a warning's reason) on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An error and its causes on one line, separated by colons.
fn error_line(error: &ResolveError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    one_line(&text)
}

/// Fails the step with `fault` unless `condition` holds.
fn ensure_step(
    step: Step,
    condition: bool,
    fault: impl snafu::IntoError<DemoFault, Source = snafu::NoneError>,
) -> Result<()> {
    if condition {
        return Ok(());
    }
    Err(fault.into_error(snafu::NoneError)).context(DemoStepSnafu { step })
}

/// Prints a step's line: its number, its title, and what happened.
fn line(step: Step, text: &str) -> Result<()> {
    say(&format!("{}. {:<10}{text}", step.number(), step.title()))
}

/// Prints a line of the tour on standard output.
fn say(text: &str) -> Result<()> {
    print(format!("{text}\n").as_bytes())
}
