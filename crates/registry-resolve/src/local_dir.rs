//! Step 3 of the resolution order: packs in the user's local configuration directory,
//! which the resolver only ever reads.

use std::ffi::OsString;
use std::fs;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use registry_types::PackName;

/// Where the local pack directory is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LocalDir {
    /// `$XDG_CONFIG_HOME/assay/packs`, else `$HOME/.config/assay/packs` (the default).
    #[default]
    Standard,
    /// This directory.
    At(Utf8PathBuf),
    /// No local directory step.
    Disabled,
}

impl LocalDir {
    /// The directory this setting names, given the environment's `XDG_CONFIG_HOME` and
    /// `HOME`; `None` when disabled or when neither variable names a UTF-8 directory.
    pub fn path(
        &self,
        xdg_config_home: Option<OsString>,
        home: Option<OsString>,
    ) -> Option<Utf8PathBuf> {
        match self {
            LocalDir::Disabled => None,
            LocalDir::At(path) => Some(path.clone()),
            LocalDir::Standard => {
                let utf8 = |value: Option<OsString>| {
                    value
                        .filter(|value| !value.is_empty())
                        .and_then(|value| Utf8PathBuf::from_path_buf(value.into()).ok())
                };
                utf8(xdg_config_home)
                    .map(|config| config.join("assay").join("packs"))
                    .or_else(|| {
                        utf8(home).map(|home| home.join(".config").join("assay").join("packs"))
                    })
            }
        }
    }
}

/// A pack file found in the local directory.
#[derive(Debug)]
pub(crate) struct LocalPack {
    /// The file, after links were followed (inside the directory).
    pub(crate) path: Utf8PathBuf,
}

/// Why a local lookup failed after it matched.
#[derive(Debug)]
pub(crate) enum LocalFault {
    /// The file resolves (through a link) to a place outside the directory.
    Escapes {
        path: Utf8PathBuf,
        target: Utf8PathBuf,
    },
    /// The file or directory could not be examined.
    Io {
        path: Utf8PathBuf,
        source: io::Error,
    },
}

/// Looks for `{dir}/{name}.yaml`, then `{dir}/{name}/pack.yaml`. The name was validated
/// as a [`PackName`] before this runs, so it cannot climb out of the directory; a link
/// inside the directory still could, so the file is accepted only when its real path is
/// inside the directory's real path. Nothing is created or written.
pub(crate) fn find(dir: &Utf8Path, name: &PackName) -> Result<Option<LocalPack>, LocalFault> {
    let real_dir = match dir.canonicalize_utf8() {
        Ok(real) => real,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(LocalFault::Io {
                path: dir.to_owned(),
                source,
            });
        }
    };
    let candidates = [
        dir.join(format!("{name}.yaml")),
        dir.join(name.as_str()).join("pack.yaml"),
    ];
    for candidate in candidates {
        match fs::metadata(&candidate) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => continue,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(LocalFault::Io {
                    path: candidate,
                    source,
                });
            }
        }
        let real = candidate
            .canonicalize_utf8()
            .map_err(|source| LocalFault::Io {
                path: candidate.clone(),
                source,
            })?;
        if !real.starts_with(&real_dir) {
            return Err(LocalFault::Escapes {
                path: candidate,
                target: real,
            });
        }
        return Ok(Some(LocalPack { path: real }));
    }
    Ok(None)
}

/// The pack names the directory offers (`{name}.yaml` files and `{name}/` directories
/// with a valid name), for suggestions.
pub(crate) fn names(dir: &Utf8Path) -> Vec<String> {
    let Ok(entries) = dir.read_dir_utf8() else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file_name = entry.file_name();
            let stem = file_name.strip_suffix(".yaml").unwrap_or(file_name);
            PackName::parse(stem)
                .ok()
                .map(|name| name.as_str().to_owned())
        })
        .collect()
}
