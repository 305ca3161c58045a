//! `assay-pack serve`: the reference registry on a folder of packs, until interrupted.

use std::io::Write;
use std::path::Path;

use registry_server::{RunningServer, ServerConfig, TlsMode};
use snafu::ResultExt;

use crate::cli::ServeArgs;
use crate::error::{
    Result, ServeSnafu, StartRuntimeSnafu, WaitForSignalSnafu, WriteOutputSnafu, print_stderr,
};
use crate::input::keys::private_key;
use crate::input::read_input;
use crate::output::replace_file;

/// Runs the command: starts the server, prints `listening on <URL>` and `root key id: <id>`
/// on standard output (in that order, flushed), warns about packs that are not served, and
/// serves until SIGINT or SIGTERM, then shuts down gracefully.
pub(crate) fn run(args: &ServeArgs) -> Result<()> {
    let mut config = ServerConfig::new(&args.dir);
    config.addr = args.addr;
    config.signing_key = args.key.as_deref().map(private_key).transpose()?;
    config.root_key = args.root_key.as_deref().map(private_key).transpose()?;
    config.tls = tls_mode(args)?;
    config.tokens = args.tokens.clone();
    let generated = [args.key.is_none(), args.root_key.is_none()];
    // The CLI is synchronous; only this command needs an async runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context(StartRuntimeSnafu)?;
    runtime.block_on(async {
        // Listen for the signals before anyone learns the URL: a client that stops the
        // server as soon as it has read it must not kill the process instead.
        let mut signals = StopSignals::listen().context(WaitForSignalSnafu)?;
        let server = registry_server::start(config)
            .await
            .context(ServeSnafu { dir: &args.dir })?;
        announce(&server, args, generated)?;
        let waited = signals.recv().await;
        server.shutdown().await;
        waited.context(WaitForSignalSnafu)
    })
}

/// The TLS mode from the flags (clap rules out contradictory ones).
fn tls_mode(args: &ServeArgs) -> Result<TlsMode> {
    if args.self_signed {
        return Ok(TlsMode::SelfSigned);
    }
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Ok(TlsMode::Pem {
            cert_chain_pem: read_text(cert)?,
            key_pem: read_text(key)?,
        }),
        _ => Ok(TlsMode::Plain),
    }
}

/// A PEM file as text (PEM is ASCII; anything else fails to parse later, with a reason).
fn read_text(path: &Path) -> Result<String> {
    Ok(String::from_utf8_lossy(&read_input(path)?).into_owned())
}

/// Writes the CA if asked, prints the URL and root key id, and reports skipped packs.
///
/// The CA is written first, so that a client that reads the URL finds the whole CA file.
fn announce(server: &RunningServer, args: &ServeArgs, generated: [bool; 2]) -> Result<()> {
    if let (Some(path), Some(ca)) = (&args.ca_out, server.ca_cert_pem()) {
        // The CA is new on every run, so a CA file from an earlier run is replaced.
        replace_file(path, ca.as_bytes())?;
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", server.base_url()).context(WriteOutputSnafu)?;
        writeln!(out, "root key id: {}", server.root_key_id()).context(WriteOutputSnafu)?;
        out.flush().context(WriteOutputSnafu)?;
    }
    match generated {
        [true, true] => print_stderr(format_args!(
            "assay-pack: signing and root keys generated for this run"
        )),
        [true, false] => print_stderr(format_args!(
            "assay-pack: signing key generated for this run"
        )),
        [false, true] => print_stderr(format_args!("assay-pack: root key generated for this run")),
        [false, false] => {}
    }
    for problem in server.startup_report() {
        // The error names the file or folder; say it once.
        print_stderr(format_args!("assay-pack: warning: not served: {problem}"));
    }
    print_stderr(format_args!(
        "assay-pack: serving {} pack versions from {}; stop with Ctrl-C",
        server.pack_count(),
        args.dir.display()
    ));
    Ok(())
}

/// SIGINT (Ctrl-C) and, on Unix, SIGTERM, listened for from the moment they are created
/// (the default action, ending the process, no longer applies).
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Starts listening.
    fn listen() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    /// Resolves on the first signal.
    async fn recv(&mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Ok(()),
                _ = self.terminate.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    }
}
