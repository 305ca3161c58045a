//! Generated folders of packs, for benchmarks and load tests: many distinct packs of a
//! chosen size, in the layout [`start`](crate::start) serves.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use registry_types::{PackName, Policy};

/// The text of generated pack `name@1.0.0`, number `index`: rules are added until the text
/// is at least `min_bytes` long, and they differ per pack (so digests do).
pub fn generated_pack(name: &PackName, index: usize, min_bytes: usize) -> String {
    let mut text = format!(
        "name: {name}\nversion: \"1.0.0\"\nkind: compliance\n\
         description: Generated for benchmarks.\nrules:\n"
    );
    let mut rule = 0;
    while text.len() < min_bytes {
        let _ = write!(
            text,
            "  - id: gen-{index:03}-{rule:05}\n    severity: medium\n    description: >-\n      \
             Rule {rule} of pack {index} checks that every event of kind k{rule} carries field f{index}.\n    \
             tags: [generated, pack-{index}, rule-{rule}]\n    check:\n      type: field_present\n      \
             event: k{rule}\n      field: f{index}\n"
        );
        rule += 1;
    }
    text
}

/// Writes `names` as generated packs of at least `min_bytes` each, all version `1.0.0` with
/// `policy`, into `root` (`packs/{name}/1.0.0/pack.yaml` and `meta.json`).
///
/// # Errors
/// The I/O error of a folder or file that could not be written.
pub fn write_generated_packs(
    root: &Path,
    names: &[PackName],
    min_bytes: usize,
    policy: Policy,
) -> io::Result<()> {
    for (index, name) in names.iter().enumerate() {
        let dir = root.join("packs").join(name.as_str()).join("1.0.0");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("pack.yaml"),
            generated_pack(name, index, min_bytes),
        )?;
        std::fs::write(
            dir.join("meta.json"),
            format!("{{\"policy\": \"{policy}\"}}"),
        )?;
    }
    Ok(())
}
