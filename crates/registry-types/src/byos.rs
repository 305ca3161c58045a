//! BYOS ("bring your own storage") references: packs in S3, GCS or Azure object storage.

use std::fmt;

use snafu::{ResultExt, ensure};

use crate::digest::Digest;
use crate::error::{InvalidReferencePinSnafu, InvalidReferenceSnafu, Result};
use crate::reference::ReferenceFault;

/// The object-storage service a BYOS reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ByosScheme {
    /// Amazon S3, `s3://bucket/key`.
    S3,
    /// Google Cloud Storage, `gs://bucket/key`.
    Gcs,
    /// Azure Blob Storage, `az://container/key` (also spelled `azure://`).
    Azure,
}

impl ByosScheme {
    /// The canonical URL scheme: `s3`, `gs` or `az`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::S3 => "s3",
            Self::Gcs => "gs",
            Self::Azure => "az",
        }
    }
}

impl fmt::Display for ByosScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a BYOS scheme was written, kept so that display after parse is the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum SchemeSpelling {
    /// `s3`, `gs` or `az`.
    Canonical,
    /// `azure`, the accepted long spelling of `az`.
    AzureLong,
}

/// Maps a URL scheme to a BYOS service, or `None` when it is not a BYOS scheme.
fn byos_scheme(scheme: &str) -> Option<(ByosScheme, SchemeSpelling)> {
    match scheme {
        "s3" => Some((ByosScheme::S3, SchemeSpelling::Canonical)),
        "gs" => Some((ByosScheme::Gcs, SchemeSpelling::Canonical)),
        "az" => Some((ByosScheme::Azure, SchemeSpelling::Canonical)),
        "azure" => Some((ByosScheme::Azure, SchemeSpelling::AzureLong)),
        _ => None,
    }
}

/// A reference to a pack object in the caller's own storage, such as
/// `s3://bucket/packs/custom.yaml#sha256:<hex>`.
///
/// The bucket (or Azure container) is the text up to the first `/` after the
/// scheme and is never empty; the key is everything after it, up to an
/// optional pin, and is never empty. As in any URL, the first `#` starts the
/// fragment, which must be a `sha256:` pin: object keys that contain `#`
/// cannot be referenced. Bucket and key are otherwise not checked here; the
/// storage service has its own rules.
///
/// `azure://` is accepted as a spelling of `az://`. The spelling is kept, so
/// display after parse is the identity and `azure://c/k` and `az://c/k` are
/// unequal values; [`ByosRef::scheme`] is the same for both, and
/// [`ByosRef::into_canonical_spelling`] rewrites `azure://` to `az://`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByosRef {
    scheme: ByosScheme,
    spelling: SchemeSpelling,
    bucket: String,
    key: String,
    pin: Option<Digest>,
}

impl ByosRef {
    /// Parses the text after `scheme://` of a whole `reference`, or returns
    /// `None` when `scheme` is not a BYOS scheme.
    pub(crate) fn parse(reference: &str, scheme: &str, rest: &str) -> Option<Result<Self>> {
        let (scheme, spelling) = byos_scheme(scheme)?;
        Some(Self::parse_location(reference, scheme, spelling, rest))
    }

    fn parse_location(
        reference: &str,
        scheme: ByosScheme,
        spelling: SchemeSpelling,
        rest: &str,
    ) -> Result<Self> {
        let (location, pin) = match rest.split_once('#') {
            Some((location, pin)) => (location, Some(pin)),
            None => (rest, None),
        };
        let (bucket, key) = location.split_once('/').unwrap_or((location, ""));
        let written = scheme_text(scheme, spelling);
        ensure!(
            !bucket.is_empty(),
            InvalidReferenceSnafu {
                reference,
                reason: ReferenceFault::MissingBucket {
                    scheme: written.to_owned()
                },
            }
        );
        ensure!(
            !key.is_empty(),
            InvalidReferenceSnafu {
                reference,
                reason: ReferenceFault::MissingKey,
            }
        );
        let pin = pin
            .map(Digest::parse)
            .transpose()
            .context(InvalidReferencePinSnafu { reference })?;
        Ok(Self {
            scheme,
            spelling,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            pin,
        })
    }

    /// The storage service.
    pub fn scheme(&self) -> ByosScheme {
        self.scheme
    }

    /// The scheme exactly as written (`azure` for the long Azure spelling).
    pub fn scheme_as_written(&self) -> &'static str {
        scheme_text(self.scheme, self.spelling)
    }

    /// The bucket (S3, GCS) or container (Azure); never empty.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The object key after the bucket; never empty, may contain `/`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The expected digest from a `#sha256:` pin, if any.
    pub fn pin(&self) -> Option<&Digest> {
        self.pin.as_ref()
    }

    /// The same reference written with the canonical scheme (`az://` for `azure://`).
    pub fn into_canonical_spelling(self) -> Self {
        Self {
            spelling: SchemeSpelling::Canonical,
            ..self
        }
    }
}

fn scheme_text(scheme: ByosScheme, spelling: SchemeSpelling) -> &'static str {
    match spelling {
        SchemeSpelling::Canonical => scheme.as_str(),
        SchemeSpelling::AzureLong => "azure",
    }
}

impl fmt::Display for ByosRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}/{}",
            self.scheme_as_written(),
            self.bucket,
            self.key
        )?;
        if let Some(pin) = &self.pin {
            write!(f, "#{pin}")?;
        }
        Ok(())
    }
}
