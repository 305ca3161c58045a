//! The folder of packs, read once at start-up: validated, canonicalized and signed.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use registry_canon::CanonicalPack;
use registry_types::wire::sidecar_path;
use registry_types::{Digest, Namespace, PackName, Policy, Timestamp, Version};
use registry_verify::{PackPayloadType, PrivateKey};
use serde::Deserialize;
use snafu::{IntoError, ResultExt, ensure};

use crate::error::{
    CanonicalizeSnafu, DuplicatePackSnafu, Error, IdentityMismatchSnafu, InvalidFolderNameSnafu,
    InvalidLicenseSnafu, NoPacksFolderSnafu, ParseMetaSnafu, ReadFolderSnafu, ReadMetaSnafu,
    ReadPackSnafu, Result, SignPackSnafu,
};
use crate::route::API_PREFIX;
use crate::signature::PackSignature;

/// A pack that is in the folder but is not served, and why.
#[derive(Debug)]
pub struct StartupProblem {
    /// The file or folder at fault.
    pub path: PathBuf,
    /// What is wrong with it.
    pub error: Error,
}

impl fmt::Display for StartupProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", snafu::Report::from_error(&self.error))
    }
}

/// The optional `meta.json` next to a `pack.yaml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackMeta {
    /// `commercial` (the default when absent) or `open`.
    #[serde(default)]
    pub(crate) policy: Option<Policy>,
    /// `X-Pack-License`.
    #[serde(default)]
    pub(crate) license: Option<String>,
    /// Listed as deprecated in `/versions`.
    #[serde(default)]
    pub(crate) deprecated: bool,
    /// `released` in `/versions`.
    #[serde(default)]
    pub(crate) released: Option<Timestamp>,
    /// Answered with 410.
    #[serde(default)]
    pub(crate) revoked: Option<Revocation>,
    /// Commercial pack whose licence has lapsed: 403 `license_expired` for any token.
    #[serde(default)]
    pub(crate) license_expired: bool,
}

/// Why a pack version was withdrawn, and what to use instead.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Revocation {
    /// Why.
    pub(crate) reason: String,
    /// The version to move to.
    #[serde(default)]
    pub(crate) safe_version: Option<Version>,
}

/// One servable pack version.
#[derive(Debug)]
pub(crate) struct PackEntry {
    pub(crate) namespace: Option<Namespace>,
    pub(crate) name: PackName,
    pub(crate) version: Version,
    /// `pack.yaml` exactly as it is on disk.
    pub(crate) body: Bytes,
    pub(crate) digest: Digest,
    /// `Content-Digest` of [`Self::body`].
    pub(crate) content_digest: String,
    pub(crate) policy: Policy,
    pub(crate) meta: PackMeta,
    pub(crate) signature: PackSignature,
    gzip: OnceLock<Bytes>,
}

impl PackEntry {
    /// The body compressed with gzip, computed on first use.
    pub(crate) fn gzip_body(&self) -> Bytes {
        self.gzip
            .get_or_init(|| crate::body::gzip(&self.body))
            .clone()
    }

    /// The path of the sidecar, from the origin (`/v1/…/{version}.sig`).
    pub(crate) fn sidecar_path(&self) -> String {
        let path = sidecar_path(self.namespace.as_ref(), &self.name, &self.version);
        format!("{API_PREFIX}{path}")
    }
}

/// The versions of one pack, in precedence order.
pub(crate) type Versions = BTreeMap<Version, Arc<PackEntry>>;

/// Every served pack, by namespace (`None` = global), name and version.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    namespaces: BTreeMap<Option<Namespace>, BTreeMap<PackName, Versions>>,
}

impl Catalog {
    /// Reads `root`, returning the catalog and the packs that are not served.
    ///
    /// # Errors
    /// Only when `root` itself cannot be listed; everything else is a [`StartupProblem`].
    pub(crate) fn load(root: &Path, key: &PrivateKey) -> Result<(Catalog, Vec<StartupProblem>)> {
        fs::read_dir(root).context(ReadFolderSnafu { path: root })?;
        let mut loader = Loader {
            key,
            catalog: Catalog::default(),
            problems: Vec::new(),
        };
        let global = root.join("packs");
        let orgs = root.join("orgs");
        if !global.is_dir() && !orgs.is_dir() {
            loader.report(root, NoPacksFolderSnafu { path: root }.build());
        }
        if global.is_dir() {
            loader.load_namespace(&global, None);
        }
        if orgs.is_dir() {
            for (path, org) in loader.named_folders(&orgs, "namespace", Namespace::parse) {
                let packs = path.join("packs");
                if packs.is_dir() {
                    loader.load_namespace(&packs, Some(org));
                }
            }
        }
        Ok((loader.catalog, loader.problems))
    }

    /// One pack version.
    pub(crate) fn pack(
        &self,
        namespace: Option<&Namespace>,
        name: &PackName,
        version: &Version,
    ) -> Option<&Arc<PackEntry>> {
        self.versions(namespace, name)?.get(version)
    }

    /// All versions of one pack.
    pub(crate) fn versions(
        &self,
        namespace: Option<&Namespace>,
        name: &PackName,
    ) -> Option<&Versions> {
        self.namespaces.get(&namespace.cloned())?.get(name)
    }

    /// The packs of one namespace whose names sort after `after`, in name order.
    pub(crate) fn packs_after<'a>(
        &'a self,
        namespace: Option<&Namespace>,
        after: Option<&PackName>,
    ) -> impl Iterator<Item = (&'a PackName, &'a Versions)> + 'a {
        let names = self.namespaces.get(&namespace.cloned());
        let after = after.cloned();
        names
            .into_iter()
            .flat_map(|names| names.iter())
            .filter(move |(name, _)| after.as_ref().is_none_or(|after| *name > after))
    }

    /// A served, unrevoked pack with another name than `entry` (for the mix-and-match fault).
    pub(crate) fn other_than(&self, entry: &PackEntry) -> Option<Arc<PackEntry>> {
        self.namespaces
            .values()
            .flat_map(|names| names.values())
            .flat_map(|versions| versions.values())
            .find(|other| other.name != entry.name && other.meta.revoked.is_none())
            .cloned()
    }

    /// How many pack versions are served.
    pub(crate) fn len(&self) -> usize {
        self.namespaces
            .values()
            .flat_map(|names| names.values())
            .map(BTreeMap::len)
            .sum()
    }
}

/// The state of one folder walk.
struct Loader<'a> {
    key: &'a PrivateKey,
    catalog: Catalog,
    problems: Vec<StartupProblem>,
}

impl Loader<'_> {
    fn report(&mut self, path: &Path, error: Error) {
        self.problems.push(StartupProblem {
            path: path.to_path_buf(),
            error,
        });
    }

    /// The sub-folders of `dir` whose names parse, sorted; the others are reported.
    /// Hidden folders and plain files are skipped silently.
    fn named_folders<T>(
        &mut self,
        dir: &Path,
        what: &'static str,
        parse: impl Fn(&str) -> registry_types::Result<T>,
    ) -> Vec<(PathBuf, T)> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(source) => {
                self.report(dir, ReadFolderSnafu { path: dir }.into_error(source));
                return Vec::new();
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.is_dir())
            .collect();
        paths.sort();
        let mut found = Vec::new();
        for path in paths {
            let file_name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned());
            let Some(file_name) = file_name.filter(|name| !name.starts_with('.')) else {
                continue;
            };
            match parse(&file_name) {
                Ok(value) => found.push((path, value)),
                Err(source) => {
                    let error = InvalidFolderNameSnafu { path: &path, what }.into_error(source);
                    self.report(&path, error);
                }
            }
        }
        found
    }

    fn load_namespace(&mut self, dir: &Path, namespace: Option<Namespace>) {
        for (pack_dir, name) in self.named_folders(dir, "pack name", PackName::parse) {
            for (version_dir, version) in self.named_folders(&pack_dir, "version", Version::parse) {
                match self.load_pack(&version_dir, namespace.clone(), name.clone(), version) {
                    Ok(entry) => self.insert(&version_dir, entry),
                    Err(error) => self.report(&version_dir, error),
                }
            }
        }
    }

    fn insert(&mut self, path: &Path, entry: PackEntry) {
        let versions = self
            .catalog
            .namespaces
            .entry(entry.namespace.clone())
            .or_default()
            .entry(entry.name.clone())
            .or_default();
        if versions.contains_key(&entry.version) {
            let error = DuplicatePackSnafu {
                path,
                name: entry.name.clone(),
            }
            .build();
            self.report(path, error);
            return;
        }
        versions.insert(entry.version.clone(), Arc::new(entry));
    }

    fn load_pack(
        &self,
        dir: &Path,
        namespace: Option<Namespace>,
        name: PackName,
        version: Version,
    ) -> Result<PackEntry> {
        let path = dir.join("pack.yaml");
        let body = fs::read(&path).context(ReadPackSnafu { path: &path })?;
        let canonical = CanonicalPack::from_yaml(&body, &Default::default())
            .context(CanonicalizeSnafu { path: &path })?;
        canonical
            .identity()
            .ensure_matches(&name, &version)
            .context(IdentityMismatchSnafu { path: &path })?;
        let meta_path = dir.join("meta.json");
        let meta = read_meta(&meta_path)?;
        if let Some(license) = &meta.license {
            // Served as `X-Pack-License`: a value that cannot be a header would be dropped.
            ensure!(
                http::HeaderValue::from_str(license).is_ok(),
                InvalidLicenseSnafu {
                    path: &meta_path,
                    license: license.as_str(),
                }
            );
        }
        let policy = meta.policy.unwrap_or(Policy::Commercial);
        let envelope = registry_verify::sign_pack(&body, &[self.key], PackPayloadType::Jcs)
            .context(SignPackSnafu { path: &path })?;
        Ok(PackEntry {
            namespace,
            name,
            version,
            content_digest: crate::body::content_digest(&body),
            body: Bytes::from(body),
            digest: *canonical.digest(),
            policy,
            meta,
            signature: PackSignature::new(&envelope, self.key.key_id().clone()),
            gzip: OnceLock::new(),
        })
    }
}

/// Reads `meta.json` when it exists.
fn read_meta(path: &Path) -> Result<PackMeta> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).context(ParseMetaSnafu { path }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(PackMeta::default()),
        Err(error) => Err(ReadMetaSnafu { path }.into_error(error)),
    }
}
