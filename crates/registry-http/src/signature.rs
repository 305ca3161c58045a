//! Signature discovery for a fetched pack (PROTOCOL §6): the advertised sidecar, else the
//! header, else the sidecar's conventional path; no signature is an answer, not an error.

use std::fmt;

use http::Uri;
use registry_types::wire::{X_PACK_SIGNATURE_ENDPOINT, sidecar_path};
use registry_types::{Namespace, PackName, Version};
use registry_verify::Envelope;

use crate::client::{FetchResult, RegistryClient};
use crate::endpoint::{Origin, join, resolve_reference};
use crate::error::Result;
use crate::pack_headers::HeaderFault;
use crate::request_fault::RequestFault;
use crate::target::{PackCoordinates, Target};

/// Where a discovered envelope came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureSource {
    /// The sidecar named by `X-Pack-Signature-Endpoint`.
    AdvertisedSidecar,
    /// The `X-Pack-Signature` header.
    Header,
    /// The sidecar at `{pack}.sig`, not advertised.
    ConventionalSidecar,
}

/// The outcome of [`RegistryClient::discover_signature`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureLookup {
    /// An envelope (parsed, not verified) and where it came from.
    Found {
        /// The envelope.
        envelope: Envelope,
        /// Its source.
        source: SignatureSource,
    },
    /// The registry has no signature for the pack: no header, and the sidecar answered 404.
    /// Whether that is acceptable is the pack policy's decision (commercial: no).
    Missing,
}

impl SignatureLookup {
    /// The envelope, when one was found.
    pub fn envelope(&self) -> Option<&Envelope> {
        match self {
            SignatureLookup::Found { envelope, .. } => Some(envelope),
            SignatureLookup::Missing => None,
        }
    }
}

impl RegistryClient {
    /// Finds the signature of a fetched pack, in the protocol's order of preference:
    ///
    /// 1. when `X-Pack-Signature-Endpoint` is present, that sidecar (resolved against the
    ///    pack's URL; the token goes along only if it is on the registry's origin); if it
    ///    answers 404, the header when there is one;
    /// 2. else the `X-Pack-Signature` header;
    /// 3. else the sidecar at the conventional path `{pack}.sig`.
    ///
    /// A 404 with no header is [`SignatureLookup::Missing`], distinct from every error.
    ///
    /// # Errors
    /// A malformed endpoint or envelope, an endpoint over plain http that the plain-HTTP
    /// rule refuses (or plain http for a pack served over https), or the §11 error of a
    /// refused sidecar request other than 404.
    pub async fn discover_signature(&self, fetched: &FetchResult) -> Result<SignatureLookup> {
        self.discover_with(fetched, None).await
    }

    /// Fetches `[org/]name@version` and its signature: the pack and the sidecar at its
    /// conventional path are requested concurrently, then the protocol's order of
    /// preference is applied as in [`RegistryClient::discover_signature`] (the sidecar
    /// answer is used only when that order asks for that very URL; a pack whose
    /// signature comes from the header or another endpoint costs one unused request).
    /// `Ok(None)` is a 304 answer to a revalidation with `etag`, which is not combined
    /// with a sidecar request.
    ///
    /// # Errors
    /// As [`RegistryClient::fetch_pack_in`] and [`RegistryClient::discover_signature`]; an
    /// error of the speculative sidecar request counts only when its answer is used.
    pub async fn fetch_signed_pack_in(
        &self,
        namespace: Option<&Namespace>,
        name: &PackName,
        version: &Version,
        etag: Option<&str>,
    ) -> Result<Option<(FetchResult, SignatureLookup)>> {
        if etag.is_some() {
            let Some(fetched) = self.fetch_pack_in(namespace, name, version, etag).await? else {
                return Ok(None);
            };
            let lookup = self.discover_signature(&fetched).await?;
            return Ok(Some((fetched, lookup)));
        }
        let target = Target::signature(PackCoordinates::new(namespace, name, version));
        let conventional = join(self.base_url(), &sidecar_path(namespace, name, version));
        let (pack, sidecar) = tokio::join!(
            self.fetch_pack_in(namespace, name, version, None),
            self.sidecar_at(conventional.clone(), &target)
        );
        let Some(fetched) = pack? else {
            return Ok(None);
        };
        let lookup = self
            .discover_with(&fetched, Some((conventional, sidecar)))
            .await?;
        Ok(Some((fetched, lookup)))
    }

    /// [`RegistryClient::discover_signature`], with the answer of a sidecar request that
    /// was already made, used when the order of preference asks for that URL.
    async fn discover_with(
        &self,
        fetched: &FetchResult,
        mut prefetched: Option<(Uri, Result<Option<Envelope>>)>,
    ) -> Result<SignatureLookup> {
        let mut sidecar = async |uri: Uri, target: &Target| match prefetched.take() {
            Some((done, answer)) if done == uri => answer,
            _ => self.sidecar_at(uri, target).await,
        };
        let coordinates = &fetched.coordinates;
        let target = Target::signature(coordinates.clone());
        let header = fetched.headers.signature.clone();
        // A refused endpoint is an error before anything is sent: 0 attempts.
        let refuse = |fault| {
            let fault = RequestFault::InvalidHeader {
                header: X_PACK_SIGNATURE_ENDPOINT,
                fault,
            };
            fault.at(&target, &self.transport().registry, 0)
        };
        if let Some(endpoint) = &fetched.headers.signature_endpoint {
            let Some(uri) = resolve_reference(&fetched.url, endpoint) else {
                return Err(refuse(HeaderFault::NotUrl));
            };
            // The sidecar may live elsewhere (a CDN), but never over a weaker transport.
            let secure_pack = Origin::of(&fetched.url).is_some_and(|origin| origin.is_secure());
            let allowed = Origin::of(&uri).is_some_and(|origin| {
                origin.allowed_by(self.config().plain_http) && (origin.is_secure() || !secure_pack)
            });
            if !allowed {
                return Err(refuse(HeaderFault::InsecureUrl));
            }
            if let Some(envelope) = sidecar(uri, &target).await? {
                return Ok(found(envelope, SignatureSource::AdvertisedSidecar));
            }
            return Ok(header.map_or(SignatureLookup::Missing, |envelope| {
                found(envelope, SignatureSource::Header)
            }));
        }
        if let Some(envelope) = header {
            return Ok(found(envelope, SignatureSource::Header));
        }
        let path = sidecar_path(
            coordinates.namespace.as_ref(),
            &coordinates.name,
            &coordinates.version,
        );
        let uri = join(self.base_url(), &path);
        Ok(match sidecar(uri, &target).await? {
            Some(envelope) => found(envelope, SignatureSource::ConventionalSidecar),
            None => SignatureLookup::Missing,
        })
    }
}

fn found(envelope: Envelope, source: SignatureSource) -> SignatureLookup {
    SignatureLookup::Found { envelope, source }
}

/// Where a malformed signature envelope was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignaturePlace {
    /// The `X-Pack-Signature` header.
    Header,
    /// The `.sig` sidecar body.
    Sidecar,
}

impl fmt::Display for SignaturePlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignaturePlace::Header => "X-Pack-Signature header",
            SignaturePlace::Sidecar => "signature sidecar",
        })
    }
}
