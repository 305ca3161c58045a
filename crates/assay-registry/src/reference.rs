//! Pack references (registry-types): what a reference string can mean — a path, a bare
//! name, a registry pack `[org/]name@version[#sha256:…]`, a BYOS object, or a reserved
//! `oci://` reference — and the names, versions and digests inside them.

pub use registry_types::{
    ByosRef, ByosScheme, Digest, DigestFault, NameFault, Namespace, OciRef, PackName, PackRef,
    ReferenceFault, RegistryRef, Version, VersionFault,
};
