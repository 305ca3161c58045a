//! Sample locked packs for the tests.

use registry_lock::{LockOrigin, LockSignature, LockedPack, RegistryOrigin};
use registry_types::{BaseUrl, Digest, Namespace, PackName, PackRef, Timestamp, Version};

/// A digest made of one repeated hex digit.
pub(crate) fn digest(digit: char) -> Digest {
    Digest::parse(&format!("sha256:{}", digit.to_string().repeat(64))).expect("digest")
}

pub(crate) fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("timestamp")
}

/// A registry pack with every field set.
pub(crate) fn registry(name: &str, version: &str, namespace: Option<&str>) -> LockedPack {
    LockedPack {
        name: PackName::parse(name).expect("name"),
        version: Version::parse(version).expect("version"),
        digest: digest('a'),
        origin: LockOrigin::Registry(RegistryOrigin {
            registry_url: Some(BaseUrl::parse("https://registry.getassay.dev/v1").expect("url")),
            namespace: namespace.map(|org| Namespace::parse(org).expect("namespace")),
            fetched_at: Some(at("2026-01-29T10:00:00Z")),
            etag: Some(format!("\"{}\"", digest('a'))),
        }),
        signature: Some(LockSignature {
            algorithm: "Ed25519".to_owned(),
            key_id: digest('f'),
        }),
    }
}

/// A BYOS pack.
pub(crate) fn byos(name: &str, url: &str) -> LockedPack {
    let PackRef::Byos(url) = PackRef::parse(url).expect("reference") else {
        panic!("{url} is not a BYOS URL");
    };
    LockedPack {
        name: PackName::parse(name).expect("name"),
        version: Version::parse("1.0.0").expect("version"),
        digest: digest('b'),
        origin: LockOrigin::Byos { url },
        signature: None,
    }
}

/// A bundled pack.
pub(crate) fn bundled(name: &str, version: &str) -> LockedPack {
    LockedPack {
        name: PackName::parse(name).expect("name"),
        version: Version::parse(version).expect("version"),
        digest: digest('c'),
        origin: LockOrigin::Bundled,
        signature: None,
    }
}
