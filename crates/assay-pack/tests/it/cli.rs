//! Running the built binary and reading what it printed, and the checks that need a
//! special device (`/dev/full`) rather than a case under `testdata/cli/`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// What one run of `assay-pack` did.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn stdout_text(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    /// Asserts the user-facing rules for errors: a message on stderr, no panic, no
    /// `Debug` dump.
    pub(crate) fn assert_clean_error(&self) {
        assert!(self.stderr.starts_with("assay-pack: "), "{}", self.stderr);
        for banned in ["panicked", "RUST_BACKTRACE", "Error {", "Some(", "source:"] {
            assert!(
                !self.stderr.contains(banned),
                "{banned:?} in {}",
                self.stderr
            );
        }
    }
}

/// Runs `assay-pack` with `args`, feeding `stdin`.
pub(crate) fn run(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay-pack"))
        .args(args)
        .current_dir(workspace())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start assay-pack");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("write stdin");
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("wait for assay-pack");
    Run {
        code: status.code().expect("exited, not killed"),
        stdout,
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// The workspace root, where `testdata/` is.
pub(crate) fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh temporary directory for one test.
pub(crate) fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("assay-pack-it-{}-{test}", std::process::id()));
    // A leftover from an earlier run with the same pid is stale.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

pub(crate) const SAMPLE: &str = "testdata/packs/eu-ai-act-baseline.yaml";
pub(crate) const SAMPLE_DIGEST: &str =
    "sha256:5cba27096c34ede34c2d56ed917073d5c707c9da8be4a66611382de36895c09d";

/// Runs `assay-pack` with standard output or standard error going to `/dev/full`.
#[cfg(target_os = "linux")]
fn run_into_full_device(args: &[&str], stream: &str) -> (i32, String) {
    let full = || {
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_assay-pack"));
    command
        .args(args)
        .current_dir(workspace())
        .stdin(Stdio::null());
    let output = if stream == "stdout" {
        command.stdout(full()).stderr(Stdio::piped()).output()
    } else {
        command.stdout(Stdio::piped()).stderr(full()).output()
    }
    .expect("run assay-pack");
    (
        output.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
#[cfg(target_os = "linux")]
fn keygen_reports_an_unwritable_stdout_instead_of_panicking() {
    let dir = scratch("keygen-full-stdout");
    let prefix = dir.join("k");
    let (code, stderr) = run_into_full_device(
        &["keygen", "--out", prefix.to_str().expect("UTF-8")],
        "stdout",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.starts_with("assay-pack: cannot write to standard output"),
        "{stderr}"
    );
}

#[test]
#[cfg(target_os = "linux")]
fn an_unwritable_stderr_keeps_the_documented_exit_code() {
    // A panic while reporting would exit 101 instead.
    let (code, _) = run_into_full_device(&["canon", "does/not/exist.yaml"], "stderr");
    assert_eq!(code, 2);
    let (code, _) = run_into_full_device(&["digest", "does/not/exist.yaml", SAMPLE], "stderr");
    assert_eq!(code, 2);
}
