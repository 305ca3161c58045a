//! Project automation, run as `cargo xtask <task>`: `ci`, `check-layers`, `tidy`, `bless` and
//! `gen-testdata`.
//!
//! The tasks live in this binary rather than in shell scripts so that they run the
//! same way on every machine, and so that `check-layers` and `tidy` can also run as
//! ordinary tests under `cargo test --workspace`.

mod ci;
mod layers;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The text printed for an unknown task or a missing one.
const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  ci             fmt check, clippy -D warnings, tests, docs with warnings denied, cargo-deny
  check-layers   enforce the crate layering of STYLE.md section 1 from `cargo metadata`
  tidy           check every .rs file for the house rules of STYLE.md (names, size, lib.rs, headers)
  bless          run the tests with UPDATE_EXPECT=1 so data-driven tests rewrite expectations
  gen-testdata   regenerate the test-only keys and signed fixtures of testdata/verify
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match args.as_slice() {
        [task] => task.as_str(),
        _ => return usage(),
    };
    let root = workspace_root();
    let ok = match task {
        "ci" => ci::run_ci(&root),
        "bless" => ci::run_bless(&root),
        "gen-testdata" => ci::run_gen_testdata(&root),
        "check-layers" => layers::run(&root),
        "tidy" => tidy::run(&root),
        _ => return usage(),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the usage text on stderr and returns exit code 2.
fn usage() -> ExitCode {
    eprint!("{USAGE}");
    ExitCode::from(2)
}

/// Returns the workspace root: the parent of this crate's manifest directory, so
/// every task works whatever the current directory is.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // xtask/ sits directly in the workspace root, so the parent always exists.
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Returns the cargo to run: the one that started us (`CARGO`), or `cargo` from `PATH`.
pub(crate) fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}
