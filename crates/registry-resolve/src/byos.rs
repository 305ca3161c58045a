//! Step 5 of the resolution order: packs in the caller's own object storage (`s3://`,
//! `gs://`, `az://`), behind a trait so the storage clients live in their own crate.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use registry_types::ByosRef;
use registry_verify::Envelope;

/// The bytes of a pack object and, when the store has one, its sidecar signature
/// (`<key>.sig`, a DSSE envelope). Nothing here is verified yet: the resolver
/// canonicalizes the bytes, compares the digest with the pin and verifies the envelope.
#[derive(Clone, Debug)]
pub struct ByosObject {
    /// The object's bytes.
    pub bytes: Vec<u8>,
    /// The sidecar envelope, if the store has one.
    pub signature: Option<Envelope>,
}

/// Why an object store did not hand back an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ByosFaultKind {
    /// This build has no client for the scheme.
    Unsupported,
    /// The store has no such object (or bucket).
    NotFound,
    /// The store refused the credentials or the access.
    Denied,
    /// The store could not be reached, or failed.
    Unavailable,
    /// The object is larger than the pack limit.
    TooLarge,
    /// The settings (credentials, endpoint) are unusable.
    Configuration,
}

/// An object store's failure: what kind, and the store's own reason (never a credential).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByosFault {
    /// What kind of failure.
    pub kind: ByosFaultKind,
    /// The store's reason, for people.
    pub reason: String,
}

impl fmt::Display for ByosFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for ByosFault {}

/// The future an [`ObjectSource`] returns.
pub type ByosFuture<'a> = Pin<Box<dyn Future<Output = Result<ByosObject, ByosFault>> + Send + 'a>>;

/// A reader of pack objects in object storage. The resolver holds one; a build without
/// storage clients uses [`NoObjectStores`].
pub trait ObjectSource: Send + Sync + fmt::Debug {
    /// Reads the object `reference` names (and its sidecar signature, if any).
    fn fetch<'a>(&'a self, reference: &'a ByosRef) -> ByosFuture<'a>;
}

/// The object source of a build without storage clients: every scheme is unsupported.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObjectStores;

impl ObjectSource for NoObjectStores {
    fn fetch<'a>(&'a self, reference: &'a ByosRef) -> ByosFuture<'a> {
        let scheme = reference.scheme().as_str();
        Box::pin(std::future::ready(Err(ByosFault {
            kind: ByosFaultKind::Unsupported,
            reason: format!("{scheme}:// packs are not supported in this build"),
        })))
    }
}
