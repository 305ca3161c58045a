//! TLS for the server: rustls with the ring provider, ALPN h2 and http/1.1, and certificates made for the run.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use snafu::{OptionExt, ResultExt};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsMode;
use crate::error::{
    ConfigureTlsSnafu, EmptyCertificateChainSnafu, GenerateCertificateSnafu, ParseTlsPemSnafu,
    Result,
};

/// The names the generated server certificate is valid for.
pub const SELF_SIGNED_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// A TLS acceptor and, for generated certificates, the CA that clients must trust.
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_cert_pem: Option<String>,
}

/// The TLS set-up for `mode`, or `None` for plain HTTP.
pub(crate) fn configure(mode: &TlsMode) -> Result<Option<Tls>> {
    let (chain, key, ca_cert_pem) = match mode {
        TlsMode::Plain => return Ok(None),
        TlsMode::SelfSigned => {
            let generated = generate()?;
            (generated.chain, generated.key, Some(generated.ca_cert_pem))
        }
        TlsMode::Pem {
            cert_chain_pem,
            key_pem,
        } => {
            let chain = CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .context(ParseTlsPemSnafu {
                    what: "certificate chain",
                })?;
            let key =
                PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).context(ParseTlsPemSnafu {
                    what: "private key",
                })?;
            (chain, key, None)
        }
    };
    chain.first().context(EmptyCertificateChainSnafu)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context(ConfigureTlsSnafu)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context(ConfigureTlsSnafu)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_cert_pem,
    }))
}

/// A generated CA and a server certificate it signed.
struct Generated {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    ca_cert_pem: String,
}

/// Generates a CA and a server certificate for [`SELF_SIGNED_NAMES`] (ECDSA P-256).
fn generate() -> Result<Generated> {
    let ca_key = KeyPair::generate().context(GenerateCertificateSnafu { what: "CA" })?;
    let mut ca_params = CertificateParams::default();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "assay reference registry test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key)
        .context(GenerateCertificateSnafu { what: "CA" })?;

    let server_key = KeyPair::generate().context(GenerateCertificateSnafu { what: "server" })?;
    let names: Vec<String> = SELF_SIGNED_NAMES
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    let mut params =
        CertificateParams::new(names).context(GenerateCertificateSnafu { what: "server" })?;
    params
        .distinguished_name
        .push(DnType::CommonName, "assay reference registry");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let server = params
        .signed_by(&server_key, &ca)
        .context(GenerateCertificateSnafu { what: "server" })?;

    Ok(Generated {
        chain: vec![server.der().clone(), ca.der().clone()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        ca_cert_pem: ca.pem(),
    })
}
