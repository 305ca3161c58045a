//! The CLI's error type, the exit status of each error, and how it is shown to the user.

use std::path::PathBuf;
use std::process::ExitCode;

use registry_canon::CanonicalizeError;
use snafu::Snafu;

use crate::commands::cache::CacheAction;
use crate::commands::demo::expectation::{DemoFault, Step};
use crate::exit::ExitStatus;
use crate::input::{InputKind, InputSize};

/// What can go wrong in a command.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
pub(crate) enum Error {
    /// A local input could not be read.
    #[snafu(display("cannot read {}", path.display()))]
    ReadInput {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A local input is larger than any pack may be.
    #[snafu(display(
        "{} is {size} bytes, more than the limit of {} bytes for {kind}",
        path.display(),
        kind.limit()
    ))]
    InputTooLarge {
        path: PathBuf,
        size: InputSize,
        /// What the input is, and so its limit.
        kind: InputKind,
    },

    /// The input has no canonical form.
    #[snafu(display("{} has no canonical form", path.display()))]
    Canonicalize {
        path: PathBuf,
        #[snafu(source(from(CanonicalizeError, Box::new)))]
        source: Box<CanonicalizeError>,
    },

    /// Several inputs were processed and some failed (each was reported already).
    #[snafu(display("{failed} of {total} inputs failed"))]
    SomeInputsFailed {
        failed: usize,
        total: usize,
        /// The exit status of the first failure.
        status: ExitStatus,
    },

    /// A key file could not be read as a key.
    #[snafu(display("{} is not a usable key", path.display()))]
    ReadKey {
        path: PathBuf,
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// A root given on the command line is neither a key id nor a public key.
    #[snafu(display("root {root:?} is neither a key id nor a public key"))]
    ReadRoot {
        root: String,
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// An envelope file is not a DSSE envelope.
    #[snafu(display("{} is not a DSSE envelope", path.display()))]
    ReadEnvelope {
        path: PathBuf,
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// A command-line value is malformed.
    #[snafu(display("invalid value for {option}"))]
    InvalidArgument {
        option: &'static str,
        source: registry_types::Error,
    },

    /// The pack or its signature did not verify.
    #[snafu(display("{} did not verify", path.display()))]
    Verify {
        path: PathBuf,
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// The keys manifest did not verify.
    #[snafu(display("keys manifest {} did not verify", path.display()))]
    VerifyManifest {
        path: PathBuf,
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// Signing failed.
    #[snafu(display("cannot sign {}", path.display()))]
    Sign {
        path: PathBuf,
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// Key generation failed.
    #[snafu(display("cannot generate a key"))]
    GenerateKey {
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// An output file could not be written.
    #[snafu(display("cannot write {}", path.display()))]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },

    /// Standard output could not be written.
    #[snafu(display("cannot write to standard output"))]
    WriteOutput { source: std::io::Error },

    /// `--cache-dir` is not valid UTF-8 (cache paths are UTF-8).
    #[snafu(display("cache directory {} is not valid UTF-8", path.display()))]
    NonUtf8CacheDir { path: PathBuf },

    /// A registry reference (or another reference) is malformed.
    #[snafu(display("invalid reference {reference:?}"))]
    InvalidReference {
        reference: String,
        source: registry_types::Error,
    },

    /// The `--output-dir` directory could not be created.
    #[snafu(display("cannot create output directory {}", path.display()))]
    CreateOutputDir {
        path: PathBuf,
        source: std::io::Error,
    },

    /// `fetch` takes registry references only.
    #[snafu(display(
        "{reference:?} is not a registry reference (NAME@VERSION); use `assay-pack resolve` for paths and names"
    ))]
    NotARegistryRef { reference: String },

    /// A registry command was asked for something it cannot do.
    #[snafu(display("{problem}"))]
    FetchUsage { problem: &'static str },

    /// A registry option on the command line is malformed.
    #[snafu(display("invalid {option}"))]
    RegistryOption {
        option: &'static str,
        #[snafu(source(from(registry_http::Error, Box::new)))]
        source: Box<registry_http::Error>,
    },

    /// The resolver could not be set up (an environment variable, a trust root, the cache).
    #[snafu(display("registry settings"))]
    ResolverSettings {
        source: Box<registry_resolve::Error>,
    },

    /// A pack could not be resolved or did not verify.
    #[snafu(display("{source}"))]
    Resolve {
        source: Box<registry_resolve::Error>,
    },

    /// The lockfile path is not UTF-8.
    #[snafu(display("lockfile path {} is not valid UTF-8", path.display()))]
    NonUtf8Lockfile { path: PathBuf },

    /// The lockfile could not be read, parsed or written.
    #[snafu(display("lockfile"))]
    Lockfile { source: Box<registry_lock::Error> },

    /// A lock operation could not resolve a pack.
    #[snafu(display("lock"))]
    LockOperation { source: Box<registry_lock::Error> },

    /// Locked packs do not match what resolves now.
    #[snafu(display(
        "{path}: {count} locked pack(s) do not match what resolves now; run `assay-pack lock --update` if the change is intended"
    ))]
    LockMismatch {
        path: camino::Utf8PathBuf,
        count: usize,
    },

    /// The lockfile would change (and the mode forbids it).
    #[snafu(display("{path} is out of date; {hint}"))]
    LockOutdated {
        path: camino::Utf8PathBuf,
        hint: &'static str,
    },

    /// A registry listing failed.
    #[snafu(display("cannot list {what}"))]
    Listing {
        what: String,
        source: Box<registry_http::Error>,
    },

    /// No cache directory is configured and none can be derived.
    #[snafu(display("cannot locate the pack cache; pass --cache-dir or set ASSAY_CACHE_DIR"))]
    LocateCache {
        #[snafu(source(from(registry_cache::Error, Box::new)))]
        source: Box<registry_cache::Error>,
    },

    /// The pack cache could not be read or changed.
    #[snafu(display("cannot {action} the pack cache in {root}"))]
    Cache {
        action: CacheAction,
        root: camino::Utf8PathBuf,
        #[snafu(source(from(registry_cache::Error, Box::new)))]
        source: Box<registry_cache::Error>,
    },

    /// `cache verify` evicted entries or could not check some (each was reported already).
    #[snafu(display(
        "{evicted} of {total} cache entries failed verification and were evicted, \
         {unreadable} could not be checked"
    ))]
    CacheEntriesFailed {
        evicted: usize,
        unreadable: usize,
        total: usize,
    },

    /// The registry server could not start.
    #[snafu(display("cannot serve {}", dir.display()))]
    Serve {
        dir: PathBuf,
        #[snafu(source(from(registry_server::Error, Box::new)))]
        source: Box<registry_server::Error>,
    },

    /// The async runtime for `serve` could not be started.
    #[snafu(display("cannot start the async runtime"))]
    StartRuntime { source: std::io::Error },

    /// The demo's temporary folder could not be created.
    #[snafu(display("cannot create the demo's temporary folder {}", path.display()))]
    CreateScratch {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The demo's temporary folder could not be removed.
    #[snafu(display("cannot remove the demo's temporary folder {}", path.display()))]
    RemoveScratch {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A step of the demo saw something the system must never do.
    #[snafu(display("demo step {step} did not behave as expected"))]
    DemoStep {
        step: Step,
        #[snafu(source(from(DemoFault, Box::new)))]
        source: Box<DemoFault>,
    },

    /// A step of the demo failed where it should have succeeded (or was refused for
    /// another reason than the one it demonstrates).
    #[snafu(display("demo step {step} failed"))]
    DemoResolve {
        step: Step,
        source: Box<registry_resolve::Error>,
    },

    /// The demo's lockfile step failed to write, read or verify its lockfile.
    #[snafu(display("demo step {step} failed"))]
    DemoLock {
        step: Step,
        source: Box<registry_lock::Error>,
    },

    /// Waiting for Ctrl-C or SIGTERM failed.
    #[snafu(display("cannot wait for a stop signal"))]
    WaitForSignal { source: std::io::Error },
}

impl Error {
    /// The exit status for this error.
    pub(crate) fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Canonicalize { .. }
            | Error::InputTooLarge { .. }
            | Error::ReadEnvelope { .. }
            | Error::Verify { .. }
            | Error::VerifyManifest { .. }
            | Error::CacheEntriesFailed { .. }
            | Error::DemoStep { .. } => ExitStatus::IntegrityFailure,
            // Signing a pack that has no canonical form is a strict-YAML rejection; one that
            // is not a pack fails a pack-level check: both are the input's integrity.
            Error::Sign { source, .. } if source.is_invalid_pack() => ExitStatus::IntegrityFailure,
            Error::ReadInput { .. }
            | Error::ReadKey { .. }
            | Error::ReadRoot { .. }
            | Error::InvalidArgument { .. }
            | Error::Sign { .. }
            | Error::GenerateKey { .. }
            | Error::WriteFile { .. }
            | Error::WriteOutput { .. }
            | Error::NonUtf8CacheDir { .. }
            | Error::LocateCache { .. }
            | Error::Cache { .. }
            | Error::CreateScratch { .. }
            | Error::RemoveScratch { .. } => ExitStatus::Usage,
            Error::SomeInputsFailed { status, .. } => *status,
            Error::InvalidReference { .. }
            | Error::NotARegistryRef { .. }
            | Error::FetchUsage { .. }
            | Error::CreateOutputDir { .. }
            | Error::RegistryOption { .. } => ExitStatus::Usage,
            Error::ResolverSettings { source }
            | Error::Resolve { source }
            | Error::DemoResolve { source, .. } => resolve_status(source),
            Error::Listing { source, .. } => http_status(source),
            Error::NonUtf8Lockfile { .. } => ExitStatus::Usage,
            Error::Lockfile { source } if source.is_invalid_content() => {
                ExitStatus::IntegrityFailure
            }
            Error::Lockfile { .. } => ExitStatus::Usage,
            Error::LockOperation { source } => match &**source {
                registry_lock::Error::LockedResolve { source, .. } => resolve_status(source),
                _ => ExitStatus::Usage,
            },
            Error::DemoLock { source, .. } => match &**source {
                registry_lock::Error::LockedResolve { source, .. } => resolve_status(source),
                // The demo reads back the lockfile it wrote: content that does not parse
                // is the system misbehaving.
                invalid if invalid.is_invalid_content() => ExitStatus::IntegrityFailure,
                _ => ExitStatus::Usage,
            },
            Error::LockMismatch { .. } | Error::LockOutdated { .. } => ExitStatus::IntegrityFailure,
            // The address is taken or not ours: the network is unavailable.
            Error::Serve { source, .. }
                if matches!(**source, registry_server::Error::Bind { .. }) =>
            {
                ExitStatus::Unavailable
            }
            Error::Serve { .. } | Error::StartRuntime { .. } | Error::WaitForSignal { .. } => {
                ExitStatus::Usage
            }
        }
    }

    /// Prints the error and its causes on standard error; returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        let status = self.exit_status();
        print_stderr(format_args!(
            "assay-pack: {}",
            snafu::Report::from_error(self)
        ));
        status.into()
    }
}

/// The exit status of a resolver error, by its class.
fn resolve_status(error: &registry_resolve::Error) -> ExitStatus {
    use registry_resolve::ErrorClass;
    match error.class() {
        ErrorClass::Integrity => ExitStatus::IntegrityFailure,
        ErrorClass::LocalInput => ExitStatus::Usage,
        ErrorClass::Unavailable => ExitStatus::Unavailable,
        ErrorClass::NotFoundOrDenied => ExitStatus::NotFound,
        _ => ExitStatus::Unavailable,
    }
}

/// The exit status of a registry-layer error, by its §11 kind.
fn http_status(error: &registry_http::Error) -> ExitStatus {
    use registry_http::ErrorKind;
    match error.kind() {
        ErrorKind::Configuration => ExitStatus::Usage,
        ErrorKind::NotFound
        | ErrorKind::AuthenticationRequired
        | ErrorKind::NotLicensed
        | ErrorKind::Revoked => ExitStatus::NotFound,
        ErrorKind::Integrity | ErrorKind::Protocol | ErrorKind::TooLarge => {
            ExitStatus::IntegrityFailure
        }
        _ => ExitStatus::Unavailable,
    }
}

/// Prints a line on standard error. Unlike `eprintln!` it never panics: when standard error
/// cannot be written there is nobody left to tell, and the exit code still says what happened.
pub(crate) fn print_stderr(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Result with the CLI's [`Error`].
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
