//! The `ci` and `bless` tasks: run cargo's checks in order and stop at the first failure.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// One command that `cargo xtask ci` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    /// A short name, used in the header and in the failure message.
    pub(crate) name: &'static str,
    /// The arguments given to cargo.
    pub(crate) args: &'static [&'static str],
    /// Extra environment variables for this step only.
    pub(crate) env: &'static [(&'static str, &'static str)],
}

/// The steps of `cargo xtask ci`, in the order they run: the static checks first,
/// the tests last.
///
/// `cargo deny` checks only bans, licences and sources: the advisories check needs
/// the advisory database from the internet, which CI machines cannot reach, so it is
/// skipped here (run `cargo deny check advisories` by hand where the network allows).
pub(crate) const CI_STEPS: &[Step] = &[
    Step {
        name: "fmt",
        args: &["fmt", "--all", "--", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    // The per-feature checks (STYLE §8). The workspace steps build registry-http with `oidc`
    // on, because the CLI enables it and cargo unifies features across the workspace (so the
    // test step runs the OIDC tests); these check registry-http alone, with no feature and
    // with `oidc`, so that each combination compiles with only the dependency features it
    // declares and lints clean. They only type-check: running the tests without `oidc`
    // (`cargo test -p registry-http --no-default-features`) would compile the whole network
    // stack a second time with registry-http's own feature set, minutes on a fresh machine.
    Step {
        name: "clippy-http-minimal",
        args: &[
            "clippy",
            "-p",
            "registry-http",
            "--no-default-features",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "clippy-http-oidc",
        args: &[
            "clippy",
            "-p",
            "registry-http",
            "--features",
            "oidc",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    // The facade's `oidc` feature: nothing in the workspace turns it on, so without this
    // step its gated re-exports and the facade's OIDC test would never be compiled in CI.
    Step {
        name: "clippy-facade-oidc",
        args: &[
            "clippy",
            "-p",
            "assay-registry",
            "--features",
            "oidc",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "doc",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
    Step {
        // `unused-wrapper` is allowed because deny.toml lists the shell crates and
        // stack crates that may wrap tokio and friends before they all exist.
        name: "deny",
        args: &[
            "deny",
            "check",
            "--allow",
            "unused-wrapper",
            "bans",
            "licenses",
            "sources",
        ],
        env: &[],
    },
    Step {
        // This includes the doc tests and xtask's own tests, so check-layers and
        // tidy run here as ordinary tests. It runs last so that cargo test's
        // "test result:" lines close the output of CI, and so that the quick
        // static checks fail before the long step.
        name: "test",
        args: &["test", "--workspace"],
        env: &[],
    },
];

/// The single step of `cargo xtask bless`.
pub(crate) const BLESS_STEP: Step = Step {
    name: "bless",
    args: &["test", "--workspace"],
    env: &[("UPDATE_EXPECT", "1")],
};

/// The single step of `cargo xtask gen-testdata`: the test-only keys and the signed inputs
/// of `testdata/verify/` are written by the test that otherwise checks them, so the
/// generator and its check are one piece of code.
pub(crate) const GEN_TESTDATA_STEP: Step = Step {
    name: "gen-testdata",
    args: &[
        "test",
        "-p",
        "registry-verify",
        "--test",
        "it",
        "--",
        "cases::fixtures",
    ],
    env: &[("GEN_TESTDATA", "1")],
};

/// Runs every CI step in order from the workspace root and returns whether all passed.
///
/// It stops at the first failing step and names it. cargo-deny is installed first
/// when `cargo deny --version` fails. Nothing is printed after the last step passes,
/// so the output ends with cargo test's own summary lines.
pub(crate) fn run_ci(root: &Path) -> bool {
    let started = Instant::now();
    let total = CI_STEPS.len();
    for (index, step) in CI_STEPS.iter().enumerate() {
        if step.name == "deny" && !ensure_cargo_deny(root) {
            eprintln!(
                "xtask ci: step `deny` failed: cargo-deny is missing and could not be installed"
            );
            return false;
        }
        let number = index + 1;
        if number == total {
            println!(
                "==> xtask ci [{number}/{total}] {}: {} (the earlier steps passed in {:.0?})",
                step.name,
                describe(step),
                started.elapsed()
            );
        } else {
            println!(
                "==> xtask ci [{number}/{total}] {}: {}",
                step.name,
                describe(step)
            );
        }
        let step_started = Instant::now();
        if !run_step(root, step) {
            eprintln!(
                "xtask ci: step `{}` failed ({}); fix it and run `cargo xtask ci` again",
                step.name,
                describe(step)
            );
            return false;
        }
        if number < total {
            println!("    {} ok in {:.0?}", step.name, step_started.elapsed());
        }
    }
    true
}

/// Runs the tests with `UPDATE_EXPECT=1` so data-driven tests rewrite their expectations.
pub(crate) fn run_bless(root: &Path) -> bool {
    println!("==> xtask bless: {}", describe(&BLESS_STEP));
    let ok = run_step(root, &BLESS_STEP);
    if ok {
        println!("==> xtask bless: done; review the changed expectations with `git diff`");
    } else {
        eprintln!("xtask bless: `{}` failed", describe(&BLESS_STEP));
    }
    ok
}

/// Regenerates the test fixtures with `GEN_TESTDATA=1`.
pub(crate) fn run_gen_testdata(root: &Path) -> bool {
    println!("==> xtask gen-testdata: {}", describe(&GEN_TESTDATA_STEP));
    let ok = run_step(root, &GEN_TESTDATA_STEP);
    if ok {
        println!(
            "==> xtask gen-testdata: done; run `cargo xtask bless` if the results changed, and review `git diff`"
        );
    } else {
        eprintln!(
            "xtask gen-testdata: `{}` failed",
            describe(&GEN_TESTDATA_STEP)
        );
    }
    ok
}

/// Renders a step as the command line a person would type.
pub(crate) fn describe(step: &Step) -> String {
    let env: String = step
        .env
        .iter()
        .map(|(key, value)| format!("{key}='{value}' "))
        .collect();
    format!("{env}cargo {}", step.args.join(" "))
}

/// Runs one step from the workspace root, with its output going straight to ours.
fn run_step(root: &Path, step: &Step) -> bool {
    let mut command = Command::new(crate::cargo());
    command.args(step.args).current_dir(root);
    for (key, value) in step.env {
        command.env(key, value);
    }
    match command.status() {
        Ok(status) if status.success() => true,
        Ok(status) => {
            eprintln!("    {} exited with {status}", step.name);
            false
        }
        Err(error) => {
            eprintln!("    {} could not start cargo: {error}", step.name);
            false
        }
    }
}

/// Makes sure `cargo deny` runs, installing it with `cargo install --locked` if not.
fn ensure_cargo_deny(root: &Path) -> bool {
    let installed = Command::new(crate::cargo())
        .args(["deny", "--version"])
        .current_dir(root)
        .output()
        .is_ok_and(|output| output.status.success());
    if installed {
        return true;
    }
    println!("==> xtask ci: cargo-deny is missing; cargo install --locked cargo-deny");
    Command::new(crate::cargo())
        .args(["install", "--locked", "cargo-deny"])
        .current_dir(root)
        .status()
        .is_ok_and(|status| status.success())
}

#[cfg(test)]
mod tests {
    use crate::ci::{BLESS_STEP, CI_STEPS, GEN_TESTDATA_STEP, describe};

    #[test]
    fn ci_runs_the_steps_in_the_agreed_order() {
        let names: Vec<&str> = CI_STEPS.iter().map(|step| step.name).collect();
        assert_eq!(
            names,
            [
                "fmt",
                "clippy",
                "clippy-http-minimal",
                "clippy-http-oidc",
                "clippy-facade-oidc",
                "doc",
                "deny",
                "test"
            ]
        );
    }

    #[test]
    fn steps_render_as_the_commands_a_person_would_type() {
        let rendered: Vec<String> = CI_STEPS.iter().map(describe).collect();
        assert_eq!(
            rendered,
            [
                "cargo fmt --all -- --check",
                "cargo clippy --workspace --all-targets -- -D warnings",
                "cargo clippy -p registry-http --no-default-features --all-targets -- -D warnings",
                "cargo clippy -p registry-http --features oidc --all-targets -- -D warnings",
                "cargo clippy -p assay-registry --features oidc --all-targets -- -D warnings",
                "RUSTDOCFLAGS='-D warnings' cargo doc --workspace --no-deps",
                "cargo deny check --allow unused-wrapper bans licenses sources",
                "cargo test --workspace",
            ]
        );
        assert_eq!(
            describe(&BLESS_STEP),
            "UPDATE_EXPECT='1' cargo test --workspace"
        );
        assert_eq!(
            describe(&GEN_TESTDATA_STEP),
            "GEN_TESTDATA='1' cargo test -p registry-verify --test it -- cases::fixtures"
        );
    }
}
