//! The air-gapped claim of the crate documentation: a verifier that depends on
//! registry-types, registry-canon and registry-verify links no network, TLS or runtime code.
//!
//! The dependency tree comes from `cargo tree` for those three packages alone (normal
//! edges, every target platform, all features), as `cargo xtask check-layers` reads it:
//! `cargo metadata`'s resolve graph unifies features across the whole workspace, so it
//! would show dependencies that no build of these crates uses. `--offline` keeps the test
//! hermetic; the lockfile is already resolved.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// What the air-gapped crates name in their documentation.
const AIR_GAPPED: &[&str] = &["registry-types", "registry-canon", "registry-verify"];

/// Runtime, network and TLS crates that must not appear below them.
const NETWORK_CRATES: &[&str] = &[
    "tokio",
    "hyper",
    "hyper-util",
    "hyper-rustls",
    "h2",
    "http",
    "rustls",
    "tokio-rustls",
    "mio",
    "socket2",
    "reqwest",
    "ureq",
    "async-std",
    "smol",
    "native-tls",
    "openssl",
    "curl",
];

/// The names of the packages in the normal dependency tree of `packages` (themselves
/// included), for every platform and with all features.
fn normal_dependency_names(packages: &[&str]) -> BTreeSet<String> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let mut command = Command::new(env!("CARGO"));
    command.arg("tree").arg("--manifest-path").arg(&workspace);
    for package in packages {
        command.args(["--package", package]);
    }
    command.args([
        "--edges",
        "normal",
        "--target",
        "all",
        "--all-features",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--charset",
        "ascii",
        "--color",
        "never",
        "--offline",
    ]);
    let output = command.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_air_gapped_crates_have_no_network_code_below_them() {
    let names = normal_dependency_names(AIR_GAPPED);
    for package in AIR_GAPPED {
        assert!(
            names.contains(*package),
            "{package} is in its own tree: {names:?}"
        );
    }
    let found: Vec<&str> = NETWORK_CRATES
        .iter()
        .copied()
        .filter(|forbidden| names.contains(*forbidden))
        .collect();
    assert!(
        found.is_empty(),
        "network or runtime crates below {AIR_GAPPED:?}: {found:?}"
    );
}

#[test]
fn the_same_check_sees_the_network_stack_of_the_facade() {
    // The control: read the same way, the facade's own tree has the HTTP stack, so an
    // empty result above is not a parsing accident.
    let names = normal_dependency_names(&["assay-registry"]);
    for expected in ["tokio", "hyper", "rustls"] {
        assert!(
            names.contains(expected),
            "{expected} missing from {names:?}"
        );
    }
}
