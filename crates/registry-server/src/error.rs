//! The one error type of this crate: what stops the server from starting, or a pack from being served.

use std::net::SocketAddr;
use std::path::PathBuf;

use registry_canon::CanonicalizeError;
use registry_types::PackName;
use snafu::Snafu;

/// Why the server could not start, or why a pack in the folder is not served.
///
/// Start-up fails only for problems of the server as a whole (the folder cannot be read,
/// the address cannot be bound, a key or certificate cannot be made). A broken pack is
/// never fatal: it is reported in [`crate::RunningServer::startup_report`] with one of the
/// pack variants below, and not served.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
#[non_exhaustive]
pub enum Error {
    /// The packs folder (or a folder inside it) cannot be listed.
    #[snafu(display("cannot read folder {}", path.display()))]
    ReadFolder {
        /// The folder.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },

    /// The packs folder has neither a `packs/` nor an `orgs/` folder, so it serves nothing.
    #[snafu(display("{} has no packs/ or orgs/ folder, so no pack is served", path.display()))]
    NoPacksFolder {
        /// The packs folder.
        path: PathBuf,
    },

    /// A folder name is not a valid pack name, namespace or version.
    #[snafu(display("{} is not named after a valid {what}", path.display()))]
    InvalidFolderName {
        /// The folder.
        path: PathBuf,
        /// `pack name`, `namespace` or `version`.
        what: &'static str,
        /// Why the name is rejected.
        source: registry_types::Error,
    },

    /// A version folder has no `pack.yaml`, or it cannot be read.
    #[snafu(display("cannot read {}", path.display()))]
    ReadPack {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },

    /// A pack has no canonical form.
    #[snafu(display("{} has no canonical form", path.display()))]
    Canonicalize {
        /// The pack file.
        path: PathBuf,
        /// The strict-profile rule it breaks.
        #[snafu(source(from(CanonicalizeError, Box::new)))]
        source: Box<CanonicalizeError>,
    },

    /// A pack's top-level `name` or `version` is missing or differs from its folder.
    #[snafu(display("{} is not the pack its folder names", path.display()))]
    IdentityMismatch {
        /// The pack file.
        path: PathBuf,
        /// What the folder layout says and what the pack says.
        source: registry_canon::IdentityMismatch,
    },

    /// A `meta.json` cannot be read or does not follow the documented format.
    #[snafu(display("{} is not a valid meta.json", path.display()))]
    ParseMeta {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: serde_json::Error,
    },

    /// A `meta.json` names a licence that cannot be sent as an `X-Pack-License` header
    /// (a control character such as a line break).
    #[snafu(display("{} has license {license:?}, which is not a valid header value", path.display()))]
    InvalidLicense {
        /// The file.
        path: PathBuf,
        /// The licence as written.
        license: String,
    },

    /// A `meta.json` cannot be read.
    #[snafu(display("cannot read {}", path.display()))]
    ReadMeta {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },

    /// The same pack version appears twice (two folders whose versions are equal).
    #[snafu(display("{} duplicates pack {name}", path.display()))]
    DuplicatePack {
        /// The second folder.
        path: PathBuf,
        /// The pack.
        name: PackName,
    },

    /// A key could not be generated.
    #[snafu(display("cannot generate the {role} key"))]
    GenerateKey {
        /// `signing` or `root`.
        role: &'static str,
        /// Why.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// A pack could not be signed.
    #[snafu(display("cannot sign {}", path.display()))]
    SignPack {
        /// The pack file.
        path: PathBuf,
        /// Why.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// The keys manifest could not be signed.
    #[snafu(display("cannot sign the keys manifest"))]
    SignManifest {
        /// Why.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// An ID token could not be signed.
    #[snafu(display("cannot sign an ID token"))]
    SignIdToken {
        /// Why.
        #[snafu(source(from(registry_verify::Error, Box::new)))]
        source: Box<registry_verify::Error>,
    },

    /// The listening socket could not be opened.
    #[snafu(display("cannot listen on {addr}"))]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// The self-signed CA or server certificate could not be generated.
    #[snafu(display("cannot generate the {what} certificate"))]
    GenerateCertificate {
        /// `CA` or `server`.
        what: &'static str,
        /// Why.
        source: rcgen::Error,
    },

    /// A PEM certificate chain or private key given for TLS is unreadable.
    #[snafu(display("the TLS {what} is not valid PEM"))]
    ParseTlsPem {
        /// `certificate chain` or `private key`.
        what: &'static str,
        /// Why.
        source: rustls_pki_types::pem::Error,
    },

    /// The PEM certificate chain given for TLS holds no certificate.
    #[snafu(display("the TLS certificate chain holds no certificate"))]
    EmptyCertificateChain,

    /// rustls rejected the certificate and key.
    #[snafu(display("cannot configure TLS"))]
    ConfigureTls {
        /// Why.
        source: rustls::Error,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
