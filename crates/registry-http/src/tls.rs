//! The rustls client configuration: ring as the provider (passed explicitly, never the
//! process-wide default), the root store, and TLS errors found in a client error's chain.

use std::error::Error as StdError;
use std::sync::{Arc, OnceLock};

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use snafu::ResultExt;

use crate::config::{CaBundle, RootCertificates};
use crate::error::{
    EmptyCaBundleSnafu, InvalidCaBundleSnafu, InvalidCaCertificateSnafu, NoRootCertificatesSnafu,
    Result, TlsSetupSnafu,
};

/// The platform's root certificates, loaded once per process (reading and parsing the
/// system store takes a while, and it does not change under a running program).
fn platform_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

fn bundled_roots(store: &mut RootCertStore) {
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
}

/// The root store for `roots` plus the extra bundle.
///
/// # Errors
/// A bundle without certificates or with one that cannot be an anchor, or an empty store.
pub(crate) fn root_store(
    roots: RootCertificates,
    bundle: Option<&CaBundle>,
) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match roots {
        RootCertificates::SystemWithBundledFallback => {
            let (added, _ignored) =
                store.add_parsable_certificates(platform_roots().iter().cloned());
            if added == 0 {
                bundled_roots(&mut store);
            }
        }
        RootCertificates::Bundled => bundled_roots(&mut store),
        RootCertificates::ExtraBundleOnly => {}
    }
    if let Some(bundle) = bundle {
        let mut count = 0;
        for (index, certificate) in CertificateDer::pem_slice_iter(bundle.pem()).enumerate() {
            let certificate = certificate.context(InvalidCaBundleSnafu {
                origin: bundle.origin(),
            })?;
            store.add(certificate).context(InvalidCaCertificateSnafu {
                origin: bundle.origin(),
                index,
            })?;
            count += 1;
        }
        if count == 0 {
            return EmptyCaBundleSnafu {
                origin: bundle.origin(),
            }
            .fail();
        }
    }
    if store.is_empty() {
        return NoRootCertificatesSnafu.fail();
    }
    Ok(store)
}

/// A client configuration over ring with the safe default protocol versions; the connector
/// sets ALPN.
///
/// # Errors
/// [`crate::Error::TlsSetup`] when rustls refuses the protocol versions (it does not with
/// ring), or the errors of [`root_store`].
pub(crate) fn client_config(
    roots: RootCertificates,
    bundle: Option<&CaBundle>,
) -> Result<ClientConfig> {
    let store = root_store(roots, bundle)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context(TlsSetupSnafu)?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(config)
}

/// The rustls error somewhere in an error's chain, when the failure was TLS.
///
/// hyper-rustls reports handshake failures as an `io::Error` wrapping the rustls error
/// (sometimes inside another `io::Error`); `io::Error::source` skips the wrapped error
/// itself, so each `io::Error` is opened with `get_ref` too.
pub(crate) fn tls_error_in(error: &(dyn StdError + 'static)) -> Option<rustls::Error> {
    let mut pending: Vec<&(dyn StdError + 'static)> = vec![error];
    while let Some(error) = pending.pop() {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls.clone());
        }
        if let Some(inner) = error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            pending.push(inner);
        }
        pending.extend(error.source());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_errors_are_typed() {
        let empty = CaBundle::from_pem("no certificates here");
        assert!(matches!(
            root_store(RootCertificates::ExtraBundleOnly, Some(&empty)),
            Err(crate::Error::EmptyCaBundle { .. })
        ));
        assert!(matches!(
            root_store(RootCertificates::ExtraBundleOnly, None),
            Err(crate::Error::NoRootCertificates)
        ));
        let garbage =
            CaBundle::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assert!(matches!(
            root_store(RootCertificates::ExtraBundleOnly, Some(&garbage)),
            Err(crate::Error::InvalidCaCertificate { index: 0, .. })
        ));
        assert!(root_store(RootCertificates::Bundled, None).unwrap().len() > 100);
    }

    #[test]
    fn config_uses_ring() {
        let config = client_config(RootCertificates::Bundled, None).unwrap();
        assert!(!config.crypto_provider().cipher_suites.is_empty());
    }
}
