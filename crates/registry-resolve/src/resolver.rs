//! The resolution order (PROTOCOL §8): path → built-in → local directory → registry →
//! object storage → not found. A step that does not match passes on silently; a step that
//! matches and then fails stops with its error.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::Arc;

use camino::{Utf8Path, Utf8PathBuf};
use registry_cache::{PackCache, SignatureRequirement};
use registry_canon::{CanonicalPack, MAX_TOTAL_SIZE, StrictOptions};
use registry_http::RegistryClient;
use registry_types::{Digest, PackName, PackRef, Version};
use snafu::ResultExt;
use tokio::sync::{OnceCell, Semaphore};

use crate::builtin::BuiltinPacks;
use crate::config::ResolverConfig;
use crate::error::{
    DirectoryWithoutPackSnafu, Error, InvalidPackSnafu, InvalidReferenceSnafu,
    RegistrySettingsSnafu, Result,
};
use crate::local_dir::{self, LocalFault};
use crate::resolved::{ResolveSource, ResolvedPack, Verification};
use crate::suggest::closest;
use crate::trust_state::{RegistryTrust, registry_trust};

/// Resolves pack references in the protocol's order, verifying everything it hands back.
///
/// One resolver talks to one registry (its [`RegistryClient`] pools connections, HTTP/2
/// when the registry offers it) and one cache. It is cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct PackResolver {
    pub(crate) config: ResolverConfig,
    pub(crate) client: RegistryClient,
    pub(crate) cache: Arc<PackCache>,
    builtins: BuiltinPacks,
    trust: OnceCell<Arc<RegistryTrust>>,
}

impl PackResolver {
    /// A resolver for `config`. No request is sent and no file is touched until the first
    /// resolution.
    ///
    /// # Errors
    /// [`Error::RegistrySettings`] when the registry client cannot be built (a plain
    /// `http://` URL that is not loopback, an unusable CA bundle).
    pub fn new(config: ResolverConfig) -> Result<Self> {
        let client = RegistryClient::new(config.registry.clone()).context(RegistrySettingsSnafu)?;
        let cache = Arc::new(PackCache::new(config.cache_root.clone()));
        Ok(PackResolver {
            config,
            client,
            cache,
            builtins: BuiltinPacks::default(),
            trust: OnceCell::new(),
        })
    }

    /// The same resolver with these built-in packs (step 2).
    pub fn with_builtins(mut self, builtins: BuiltinPacks) -> Self {
        self.builtins = builtins;
        self
    }

    /// The settings.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    /// The registry client.
    pub fn client(&self) -> &RegistryClient {
        &self.client
    }

    /// The cache.
    pub fn cache(&self) -> &PackCache {
        &self.cache
    }

    /// Parses `reference` and resolves it in the full order.
    ///
    /// # Errors
    /// [`Error::InvalidReference`] for malformed text, else as [`PackResolver::resolve_ref`].
    pub async fn resolve(&self, reference: &str) -> Result<ResolvedPack> {
        let parsed = PackRef::parse(reference).context(InvalidReferenceSnafu { reference })?;
        self.resolve_ref(&parsed, None).await
    }

    /// Resolves a parsed reference in the full order. `expected` is a digest the pack must
    /// have besides any pin of the reference (a lockfile's).
    ///
    /// # Errors
    /// The error of the step that matched (an unreadable file, an invalid pack, a digest
    /// or signature failure, a registry refusal, a revocation), or [`Error::NotFound`]
    /// with the closest built-in or local name.
    #[tracing::instrument(level = "debug", skip(self, expected), fields(pack = %reference))]
    pub async fn resolve_ref(
        &self,
        reference: &PackRef,
        expected: Option<&Digest>,
    ) -> Result<ResolvedPack> {
        self.resolve_with(reference, expected, SignatureRequirement::AsRecorded)
            .await
    }

    /// [`PackResolver::resolve_ref`] with a cache signature requirement: a caller that
    /// knows a pack is signed (a lockfile) asks for [`SignatureRequirement::Always`], so
    /// rewritten cache metadata cannot downgrade it.
    ///
    /// # Errors
    /// As [`PackResolver::resolve_ref`].
    pub async fn resolve_with(
        &self,
        reference: &PackRef,
        expected: Option<&Digest>,
        requirement: SignatureRequirement,
    ) -> Result<ResolvedPack> {
        // Step 1: an existing path beats every other reading of the text.
        if let Some(path) = existing_path(reference) {
            return self.path_pack(reference, &path).await;
        }
        match reference {
            PackRef::Path(text) => Err(Error::NotFound {
                reference: text.clone(),
                suggestion: None,
            }),
            PackRef::Name(name) => self.by_name(reference, name).await,
            PackRef::Registry(registry) => {
                self.resolve_registry(registry, expected, requirement).await
            }
            PackRef::Byos(byos) => self.resolve_byos(reference, byos, expected).await,
            PackRef::Oci(_) => Err(Error::OciUnsupported {
                pack: Box::new(reference.clone()),
                reason: reference
                    .unsupported_reason()
                    .unwrap_or("oci:// references are not supported yet"),
            }),
        }
    }

    /// Resolves registry references only (what `assay-pack fetch` does): no path, built-in
    /// or local step.
    ///
    /// # Errors
    /// As [`PackResolver::resolve_ref`] for the registry step.
    pub async fn fetch(&self, reference: &registry_types::RegistryRef) -> Result<ResolvedPack> {
        self.resolve_registry(reference, None, SignatureRequirement::AsRecorded)
            .await
    }

    /// Resolves many references with at most `concurrency` at once; results come back in
    /// the order of `references`.
    pub async fn resolve_all(
        self: &Arc<Self>,
        references: Vec<PackRef>,
    ) -> Vec<Result<ResolvedPack>> {
        let permits = Arc::new(Semaphore::new(self.config.concurrency.get()));
        let mut tasks = tokio::task::JoinSet::new();
        let mut index_of = HashMap::new();
        let count = references.len();
        for (index, reference) in references.into_iter().enumerate() {
            let resolver = Arc::clone(self);
            let permits = Arc::clone(&permits);
            let handle = tasks.spawn(async move {
                // The semaphore is never closed, so acquiring cannot fail.
                let _permit = permits.acquire_owned().await;
                resolver.resolve_ref(&reference, None).await
            });
            index_of.insert(handle.id(), index);
        }
        let mut results: Vec<Option<Result<ResolvedPack>>> = (0..count).map(|_| None).collect();
        while let Some(joined) = tasks.join_next_with_id().await {
            let (id, result) = match joined {
                Ok((id, result)) => (id, result),
                Err(join) => (join.id(), Err(Error::Task { source: join })),
            };
            if let Some(slot) = index_of.get(&id).and_then(|index| results.get_mut(*index)) {
                *slot = Some(result);
            }
        }
        // Every task ends in exactly one join, so every slot is filled.
        results.into_iter().flatten().collect()
    }

    /// The trust store of the registry, built once per resolver.
    pub(crate) async fn trust(&self) -> Result<Arc<RegistryTrust>> {
        self.trust
            .get_or_try_init(|| async {
                registry_trust(&self.config, &self.client, &self.cache)
                    .await
                    .map(Arc::new)
            })
            .await
            .cloned()
    }

    /// Steps 2, 3 and 6 for a bare name.
    async fn by_name(&self, reference: &PackRef, name: &PackName) -> Result<ResolvedPack> {
        if let Some(yaml) = self.builtins.get(name) {
            let pack = local_pack(reference, yaml.as_bytes(), Some(name))?;
            return Ok(pack.into_resolved(yaml.as_bytes().to_vec(), ResolveSource::BuiltIn));
        }
        let local_dir = self.config.local_dir_path();
        if let Some(dir) = &local_dir {
            let found = {
                let dir = dir.clone();
                let name = name.clone();
                tokio::task::spawn_blocking(move || local_dir::find(&dir, &name))
                    .await
                    .context(crate::error::TaskSnafu)?
            };
            match found {
                Ok(Some(found)) => {
                    let bytes = read_limited(&found.path).await?;
                    let pack = local_pack(reference, &bytes, Some(name))?;
                    return Ok(pack.into_resolved(bytes, ResolveSource::Local(found.path)));
                }
                Ok(None) => {}
                Err(LocalFault::Escapes { path, target }) => {
                    return Err(Error::LocalPackEscapes { path, target });
                }
                Err(LocalFault::Io { path, source }) => {
                    return Err(Error::ReadPath { path, source });
                }
            }
        }
        let mut known: Vec<String> = self
            .builtins
            .names()
            .map(|n| n.as_str().to_owned())
            .collect();
        if let Some(dir) = &local_dir {
            known.extend(local_dir::names(dir));
        }
        Err(Error::NotFound {
            reference: name.to_string(),
            suggestion: closest(name.as_str(), known.iter().map(String::as_str)).map(str::to_owned),
        })
    }

    /// Step 1: a file, or a directory's `pack.yaml`.
    async fn path_pack(&self, reference: &PackRef, path: &Utf8Path) -> Result<ResolvedPack> {
        let file = if path.is_dir() {
            let inner = path.join("pack.yaml");
            if !inner.is_file() {
                return DirectoryWithoutPackSnafu {
                    path: path.to_owned(),
                }
                .fail();
            }
            inner
        } else {
            path.to_owned()
        };
        let bytes = read_limited(&file).await?;
        let pack = local_pack(reference, &bytes, None)?;
        Ok(pack.into_resolved(bytes, ResolveSource::Path(file)))
    }
}

/// A pack read from the caller's own files, verified as a pack.
pub(crate) struct LocalPack {
    pub(crate) digest: Digest,
    pub(crate) name: PackName,
    pub(crate) version: Version,
}

impl LocalPack {
    fn into_resolved(self, bytes: Vec<u8>, source: ResolveSource) -> ResolvedPack {
        ResolvedPack {
            bytes,
            digest: self.digest,
            name: self.name,
            version: self.version,
            source,
            verification: Verification::LocalFile,
            warnings: Vec::new(),
        }
    }
}

/// Canonicalizes `bytes` as a pack and reads its identity; with `expected_name`, the pack
/// must declare that name.
pub(crate) fn local_pack(
    reference: &PackRef,
    bytes: &[u8],
    expected_name: Option<&PackName>,
) -> Result<LocalPack> {
    // No envelope to check: canonicalizing gives the digest and the pack's identity.
    let canonical =
        &CanonicalPack::from_yaml(bytes, &StrictOptions::default()).context(InvalidPackSnafu {
            pack: reference.clone(),
        })?;
    let identity = canonical.identity();
    // The identity's display drops control characters and truncates: it is the pack's text.
    let declared = || identity.to_string();
    let name = identity.name().and_then(|name| PackName::parse(name).ok());
    let version = identity
        .version()
        .and_then(|version| Version::parse(version).ok());
    let (Some(name), Some(version)) = (name, version) else {
        return Err(Error::NameMismatch {
            pack: Box::new(reference.clone()),
            declared: declared(),
        });
    };
    if expected_name.is_some_and(|expected| *expected != name) {
        return Err(Error::NameMismatch {
            pack: Box::new(reference.clone()),
            declared: declared(),
        });
    }
    Ok(LocalPack {
        digest: *canonical.digest(),
        name,
        version,
    })
}

/// The path a reference names, when something exists there (step 1).
fn existing_path(reference: &PackRef) -> Option<Utf8PathBuf> {
    let text = match reference {
        PackRef::Path(text) => text.clone(),
        PackRef::Name(name) => name.to_string(),
        PackRef::Registry(registry) => registry.to_string(),
        PackRef::Byos(_) | PackRef::Oci(_) => return None,
    };
    let path = Utf8PathBuf::from(text);
    path.symlink_metadata().is_ok().then_some(path)
}

/// Reads a local pack file, refusing more than a pack may be.
async fn read_limited(path: &Utf8Path) -> Result<Vec<u8>> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let read = || -> io::Result<Vec<u8>> {
            let file = std::fs::File::open(&path)?;
            let mut bytes = Vec::new();
            file.take(u64::try_from(MAX_TOTAL_SIZE).unwrap_or(u64::MAX) + 1)
                .read_to_end(&mut bytes)?;
            Ok(bytes)
        };
        let bytes = read().map_err(|source| Error::ReadPath {
            path: path.clone(),
            source,
        })?;
        if bytes.len() > MAX_TOTAL_SIZE {
            return Err(Error::FileTooLarge {
                path,
                size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
                limit: MAX_TOTAL_SIZE,
            });
        }
        Ok(bytes)
    })
    .await
    .context(crate::error::TaskSnafu)?
}
