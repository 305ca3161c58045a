//! Display after parse is the identity on valid values of every type.

use proptest::prelude::*;
use registry_types::{ByosRef, Digest, Namespace, PackName, PackRef, Policy, RegistryRef, Version};

use crate::valid_values::{
    byos_text, digest_text, explicit_path_text, name_text, oci_text, registry_text, version_text,
};

proptest! {
    #[test]
    fn pack_name(text in name_text()) {
        let name = PackName::parse(&text).expect("valid by construction");
        prop_assert_eq!(name.to_string(), text);
        prop_assert_eq!(PackName::parse(name.as_str()).expect("reparse"), name);
    }

    #[test]
    fn namespace(text in name_text()) {
        let namespace = Namespace::parse(&text).expect("valid by construction");
        prop_assert_eq!(namespace.to_string(), text.clone());
        prop_assert_eq!(
            Namespace::from_path_segment(&namespace.to_path_segment()).expect("segment"),
            namespace
        );
    }

    #[test]
    fn version(text in version_text()) {
        let version = Version::parse(&text).expect("valid by construction");
        prop_assert_eq!(version.to_string(), text);
        prop_assert_eq!(Version::parse(version.as_str()).expect("reparse"), version);
    }

    #[test]
    fn digest(text in digest_text()) {
        let digest = Digest::parse(&text).expect("valid by construction");
        prop_assert_eq!(digest.to_string(), text);
        prop_assert_eq!(Digest::from_sha256_bytes(*digest.as_bytes()), digest);
    }

    #[test]
    fn digest_from_bytes(bytes in any::<[u8; 32]>()) {
        let digest = Digest::from_sha256_bytes(bytes);
        prop_assert_eq!(Digest::parse(&digest.to_string()).expect("reparse"), digest);
    }

    #[test]
    fn policy(policy in prop_oneof![Just(Policy::Commercial), Just(Policy::Open)]) {
        prop_assert_eq!(Policy::parse(&policy.to_string()).expect("reparse"), policy);
    }

    #[test]
    fn registry_reference(text in registry_text()) {
        let reference = PackRef::parse(&text).expect("valid by construction");
        prop_assert!(matches!(reference, PackRef::Registry(_)), "{:?}", reference);
        prop_assert_eq!(reference.to_string(), text);
    }

    #[test]
    fn hand_built_registry_reference(
        namespace in proptest::option::of(name_text()),
        name in name_text(),
        version in version_text(),
        pin in proptest::option::of(any::<[u8; 32]>()),
    ) {
        let built = RegistryRef {
            namespace: namespace.map(|org| Namespace::parse(&org).expect("valid")),
            name: PackName::parse(&name).expect("valid"),
            version: Version::parse(&version).expect("valid"),
            pin: pin.map(Digest::from_sha256_bytes),
        };
        let reparsed = PackRef::parse(&built.to_string()).expect("display parses");
        prop_assert_eq!(reparsed, PackRef::Registry(built));
    }

    #[test]
    fn byos_reference(text in byos_text()) {
        let reference = PackRef::parse(&text).expect("valid by construction");
        prop_assert!(matches!(reference, PackRef::Byos(_)), "{:?}", reference);
        prop_assert_eq!(reference.to_string(), text);
        if let PackRef::Byos(byos) = reference {
            let canonical: ByosRef = byos.clone().into_canonical_spelling();
            prop_assert_eq!(canonical.scheme(), byos.scheme());
            prop_assert_eq!(
                canonical.to_string(),
                byos.to_string().replacen("azure://", "az://", 1)
            );
        }
    }

    #[test]
    fn oci_reference(text in oci_text()) {
        let reference = PackRef::parse(&text).expect("valid by construction");
        prop_assert!(matches!(reference, PackRef::Oci(_)), "{:?}", reference);
        prop_assert!(reference.unsupported_reason().is_some());
        prop_assert_eq!(reference.to_string(), text);
    }

    #[test]
    fn name_reference(text in name_text()) {
        let reference = PackRef::parse(&text).expect("valid by construction");
        prop_assert!(matches!(reference, PackRef::Name(_)), "{:?}", reference);
        prop_assert_eq!(reference.to_string(), text);
    }

    #[test]
    fn explicit_path_reference(text in explicit_path_text()) {
        let reference = PackRef::parse(&text).expect("a path");
        prop_assert_eq!(reference, PackRef::Path(text));
    }
}
