//! Plain data types of the assay pack registry: pack names, namespaces,
//! versions, digests, the signature policy, pack references, registry base URLs
//! and the JSON bodies and header names of the registry wire protocol.
//!
//! Every type here is a parse-don't-validate newtype: a value that exists is
//! valid, and parsing a rejected text returns an [`Error`] that quotes the text
//! and names the rule it breaks. Each type implements `FromStr`, `Display` and
//! `TryFrom<&str>`, and display after parse gives back the original text.
//! [`PackName`], [`Namespace`], [`Version`], [`Digest`] and [`Policy`]
//! serialize as their strings, and deserializing validates them.
//!
//! [`PackRef`] says what a user-supplied reference string can mean (a path, a
//! bare name, a registry pack, a BYOS object or a reserved `oci://`
//! reference); its documentation states the exact classification rule.
//!
//! [`base64`] is the protocol's one base64 rule (PROTOCOL §4): read the standard and the
//! URL-safe alphabets, padded or not; always write standard padded.
//!
//! [`BaseUrl`] is a registry's base URL in one normal form (lowercase scheme and
//! host, no trailing `/`), so its display is the normal form rather than the
//! text parsed. [`wire`] holds the JSON bodies and header names that the client
//! and the reference server both speak.
//!
//! This crate sits at the bottom of the workspace and must never depend on
//! I/O (no files, no network, not even a file-system check while parsing a
//! reference), async runtimes, HTTP crates, cryptography or the clock. It stores digests
//! but never computes one.
//!
//! ```
//! use registry_types::{PackRef, Policy, Version};
//!
//! fn main() -> registry_types::Result<()> {
//!     let text = "acme/eu-ai-act-pro@1.2.0-rc.1#sha256:\
//!                 f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070";
//!     let reference: PackRef = text.parse()?;
//!     match &reference {
//!         PackRef::Registry(registry) => {
//!             assert_eq!(registry.name.as_str(), "eu-ai-act-pro");
//!             assert_eq!(registry.namespace.as_ref().map(|org| org.to_path_segment()),
//!                        Some("orgs/acme".to_owned()));
//!             assert!(registry.version < Version::parse("1.2.0")?);
//!             assert!(registry.pin.is_some());
//!         }
//!         other => panic!("expected a registry reference, got {other}"),
//!     }
//!     assert_eq!(reference.to_string(), text);
//!
//!     // A bare valid name is left for the resolver to look up.
//!     assert!(matches!("eu-ai-act-baseline".parse()?, PackRef::Name(_)));
//!     // A missing `X-Pack-Policy` header means a signature is required.
//!     assert!(Policy::default_when_missing().requires_signature());
//!
//!     // Rejections name the offending part.
//!     let err = PackRef::parse("eu-ai-act-pro@latest").unwrap_err();
//!     assert_eq!(err.to_string(), "reference \"eu-ai-act-pro@latest\" has an invalid version");
//!     Ok(())
//! }
//! ```

pub mod base64;
mod base_url;
mod byos;
mod digest;
mod error;
mod name;
mod namespace;
mod policy;
mod reference;
mod text_form;
mod timestamp;
mod untrusted_text;
mod version;
pub mod wire;

pub use base_url::{BaseUrl, UrlFault, UrlScheme};
pub use byos::{ByosRef, ByosScheme};
pub use digest::{Digest, DigestFault};
pub use error::{Error, Result};
pub use name::{NameFault, PackName};
pub use namespace::Namespace;
pub use policy::Policy;
pub use reference::{OciRef, PackRef, ReferenceFault, RegistryRef};
pub use timestamp::Timestamp;
pub use untrusted_text::UntrustedText;
pub use version::{CoreNumber, Version, VersionFault, VersionSection};
