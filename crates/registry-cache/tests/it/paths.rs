//! Path safety: hostile names never reach the disk, and distinct registries and
//! namespaces never share an entry.

use registry_cache::{EntryKey, Error, MAX_VERSION_LEN, RegistryId};
use registry_types::{
    CoreNumber, Error as TypesError, NameFault, Namespace, PackName, Version, VersionFault,
    VersionSection,
};

use crate::support::{Scratch, Signer, expect_fresh, key_in, pack, store_open};

#[test]
fn hostile_names_and_versions_are_refused_before_touching_the_disk() {
    let scratch = Scratch::new("hostile");
    let long_name = "a".repeat(PackName::MAX_LEN + 1);
    let forbidden = |character, position| NameFault::ForbiddenCharacter {
        character,
        position,
    };
    for (text, fault) in [
        ("..", forbidden('.', 1)),
        (".", forbidden('.', 1)),
        ("a/b", forbidden('/', 2)),
        ("../etc", forbidden('.', 1)),
        ("a\\b", forbidden('\\', 2)),
        ("a\0b", forbidden('\0', 2)),
        ("", NameFault::Empty),
        ("-a", NameFault::LeadingHyphen),
        (
            long_name.as_str(),
            NameFault::TooLong {
                length: PackName::MAX_LEN + 1,
                max: PackName::MAX_LEN,
            },
        ),
    ] {
        let name = PackName::parse(text);
        assert!(
            matches!(
                &name,
                Err(TypesError::InvalidPackName { name, reason }) if name == text && *reason == fault
            ),
            "name {text:?}: {name:?}"
        );
        let namespace = Namespace::parse(text);
        assert!(
            matches!(
                &namespace,
                Err(TypesError::InvalidNamespace { namespace, reason })
                    if namespace == text && *reason == fault
            ),
            "namespace {text:?}: {namespace:?}"
        );
    }
    for (text, fault) in [
        (
            "..",
            VersionFault::EmptyCoreNumber {
                number: CoreNumber::Major,
            },
        ),
        ("../1.0.0", VersionFault::WrongCoreCount { found: 5 }),
        ("1.0.0/..", VersionFault::WrongCoreCount { found: 5 }),
        ("1.0.0/../../x", VersionFault::WrongCoreCount { found: 7 }),
        (
            "1.0.0\\x",
            VersionFault::NotANumber {
                number: CoreNumber::Patch,
                text: "0\\x".to_owned(),
            },
        ),
        (
            "1.0.0\0",
            VersionFault::NotANumber {
                number: CoreNumber::Patch,
                text: "0\0".to_owned(),
            },
        ),
        (
            "1.0.0-a/b",
            VersionFault::InvalidCharacter {
                section: VersionSection::PreRelease,
                character: '/',
                position: 8,
            },
        ),
        ("", VersionFault::Empty),
    ] {
        let version = Version::parse(text);
        assert!(
            matches!(
                &version,
                Err(TypesError::InvalidVersion { version, reason }) if version == text && *reason == fault
            ),
            "version {text:?}: {version:?}"
        );
    }
    // A valid SemVer version that is too long to be a file name.
    let long_version =
        Version::parse(&format!("1.0.0-{}", "a".repeat(MAX_VERSION_LEN))).expect("valid SemVer");
    let refused = EntryKey::new(
        "https://registry.example/v1",
        None,
        PackName::parse("p").expect("valid"),
        long_version,
    );
    assert!(
        matches!(
            refused,
            Err(Error::VersionTooLong {
                limit: MAX_VERSION_LEN,
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(!scratch.root().exists(), "nothing was created");
}

#[test]
fn a_hostile_registry_url_stays_one_directory_below_the_root() {
    let scratch = Scratch::new("hostile-url");
    for url in [
        "https://../../../etc/v1",
        "../..",
        "/",
        "https://user:pw@host/../x",
        "\0",
    ] {
        let k = key_in(url, None, "p", "1.0.0");
        store_open(&scratch.cache, &k, "x");
        let dir = scratch.entry_dir(&k);
        assert!(dir.starts_with(scratch.root()), "{dir}");
        let id = k.location().registry().as_str();
        assert_eq!(dir, scratch.root().join(id).join("_global/p/1.0.0"));
        let parsed = RegistryId::parse(id);
        assert!(
            parsed.as_ref().is_ok_and(|parsed| parsed.as_str() == id),
            "{id}: {parsed:?}"
        );
        assert!(dir.join("pack.yaml").is_file());
    }
    assert_eq!(scratch.cache.list().expect("list").len(), 5);
}

#[test]
fn two_registries_and_two_namespaces_never_collide() {
    let scratch = Scratch::new("collide");
    let signer = Signer::new();
    let registries = ["https://one.example/v1", "https://one.example/v2"];
    let namespaces = [None, Some("acme")];
    let mut keys = Vec::new();
    for registry in registries {
        for namespace in namespaces {
            let k = key_in(registry, namespace, "same-pack", "1.2.0");
            let note = format!("{registry} {}", namespace.unwrap_or("global"));
            store_open(&scratch.cache, &k, &note);
            keys.push((k, note));
        }
    }
    for (k, note) in &keys {
        assert_eq!(
            expect_fresh(&scratch.cache, k, &signer.options()),
            pack("same-pack", "1.2.0", note),
            "{k}"
        );
    }
    let listed = scratch.cache.list().expect("list");
    assert_eq!(listed.len(), 4);
    let mut dirs: Vec<_> = keys.iter().map(|(k, _)| scratch.entry_dir(k)).collect();
    dirs.sort();
    dirs.dedup();
    assert_eq!(dirs.len(), 4);
    assert!(
        dirs.iter()
            .any(|dir| dir.as_str().contains("/orgs/acme/same-pack/1.2.0"))
    );
    assert!(
        dirs.iter()
            .any(|dir| dir.as_str().contains("/_global/same-pack/1.2.0"))
    );
}
