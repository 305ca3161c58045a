//! The sample registry `assay-pack demo` serves: packs of `testdata/registry` compiled into
//! the binary, so the demo also runs from an installed binary, far from the source tree.

use std::path::Path;

use snafu::ResultExt;

use crate::error::{Result, WriteFileSnafu};

/// One pack version of the sample registry, as the reference server's folder holds it.
pub(crate) struct SamplePack {
    /// The reference a client asks for: `name@version`.
    pub(crate) reference: &'static str,
    /// The folder name (`packs/{name}/…`).
    pub(crate) name: &'static str,
    /// The version folder (`packs/{name}/{version}/`).
    pub(crate) version: &'static str,
    /// `pack.yaml`, exactly as in `testdata/registry`.
    pub(crate) yaml: &'static str,
    /// `meta.json`: policy, licence, revocation.
    pub(crate) meta: &'static str,
}

/// A commercial pack: signature required.
pub(crate) const COMMERCIAL: SamplePack = SamplePack {
    reference: "eu-ai-act-pro@1.2.0",
    name: "eu-ai-act-pro",
    version: "1.2.0",
    yaml: include_str!("../../../../../testdata/registry/packs/eu-ai-act-pro/1.2.0/pack.yaml"),
    meta: include_str!("../../../../../testdata/registry/packs/eu-ai-act-pro/1.2.0/meta.json"),
};

/// An open pack: a signature is checked when present.
pub(crate) const OPEN: SamplePack = SamplePack {
    reference: "eu-ai-act-baseline@1.0.0",
    name: "eu-ai-act-baseline",
    version: "1.0.0",
    yaml: include_str!("../../../../../testdata/registry/packs/eu-ai-act-baseline/1.0.0/pack.yaml"),
    meta: include_str!("../../../../../testdata/registry/packs/eu-ai-act-baseline/1.0.0/meta.json"),
};

/// A pack the registry revoked, naming [`SAFE`] as the version to move to.
pub(crate) const REVOKED: SamplePack = SamplePack {
    reference: "soc2-starter@0.9.0",
    name: "soc2-starter",
    version: "0.9.0",
    yaml: include_str!("../../../../../testdata/registry/packs/soc2-starter/0.9.0/pack.yaml"),
    meta: include_str!("../../../../../testdata/registry/packs/soc2-starter/0.9.0/meta.json"),
};

/// The safe version of [`REVOKED`].
pub(crate) const SAFE: SamplePack = SamplePack {
    reference: "soc2-starter@0.9.1",
    name: "soc2-starter",
    version: "0.9.1",
    yaml: include_str!("../../../../../testdata/registry/packs/soc2-starter/0.9.1/pack.yaml"),
    meta: include_str!("../../../../../testdata/registry/packs/soc2-starter/0.9.1/meta.json"),
};

/// Every pack of the sample registry.
pub(crate) const ALL: [&SamplePack; 4] = [&COMMERCIAL, &OPEN, &REVOKED, &SAFE];

/// Writes the sample registry below `root` in the server's layout:
/// `packs/{name}/{version}/pack.yaml` and `meta.json`.
///
/// # Errors
/// [`crate::error::Error::WriteFile`] naming the folder or file that could not be written.
pub(crate) fn write_registry(root: &Path) -> Result<()> {
    for pack in ALL {
        let dir = root.join("packs").join(pack.name).join(pack.version);
        std::fs::create_dir_all(&dir).context(WriteFileSnafu { path: &dir })?;
        for (file, contents) in [("pack.yaml", pack.yaml), ("meta.json", pack.meta)] {
            let path = dir.join(file);
            std::fs::write(&path, contents).context(WriteFileSnafu { path: &path })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::commands::demo::sample::ALL;

    /// The server checks each pack's own name and version against its folder at start-up
    /// (the demo fails if one is not served); this checks the rest without a server.
    #[test]
    fn every_sample_has_a_canonical_digest_and_a_matching_reference() {
        for pack in ALL {
            assert!(
                registry_canon::compute_canonical_digest(pack.yaml).is_ok(),
                "{}",
                pack.reference
            );
            assert_eq!(pack.reference, format!("{}@{}", pack.name, pack.version));
        }
    }
}
