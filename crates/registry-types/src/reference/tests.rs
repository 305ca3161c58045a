//! Unit tests for pack reference classification.

use std::error::Error as _;

use crate::{
    ByosScheme, DigestFault, Error, NameFault, PackRef, ReferenceFault, Version, VersionFault,
};

const HEX: &str = "f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070";

fn parse(text: &str) -> PackRef {
    match PackRef::parse(text) {
        Ok(reference) => {
            assert_eq!(reference.to_string(), text, "display after parse");
            reference
        }
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

fn fault(text: &str) -> ReferenceFault {
    match PackRef::parse(text) {
        Err(Error::InvalidReference { reference, reason }) => {
            assert_eq!(reference, text);
            reason
        }
        other => panic!("expected InvalidReference for {text:?}, got {other:?}"),
    }
}

fn assert_path(text: &str) {
    assert_eq!(parse(text), PackRef::Path(text.to_owned()), "{text:?}");
}

#[test]
fn bare_valid_names_are_names() {
    for text in ["eu-ai-act-baseline", "a", "a--b", "s3", "oci", "yaml"] {
        assert!(matches!(parse(text), PackRef::Name(ref n) if n.as_str() == text));
    }
}

#[test]
fn explicit_path_prefixes_are_paths() {
    for text in [
        "./pack.yaml",
        "../packs/a",
        "/etc/packs/a.yaml",
        "~/packs/a",
        "~user/packs",
        ".",
        "..",
        ".hidden",
        "\\\\server\\share\\pack.yaml",
        "C:\\packs\\a.yaml",
        "C:/packs/a@1.0.0",
        "c://packs",
        "./packs/a@1.0.0.yaml",
        "./acme/foo@1.0.0",
        "/foo@1.0.0",
        "./s3://bucket/key",
    ] {
        assert_path(text);
    }
}

#[test]
fn text_that_is_not_a_name_is_a_path() {
    for text in [
        "Foo",
        "pack.yaml",
        "pack.json",
        "a_b",
        "a b",
        "foo ",
        "café",
        "a\0",
        "-a",
    ] {
        assert_path(text);
    }
    assert_path(&"a".repeat(129));
    for text in ["packs/a", "acme/foo", "a\\b", "a/b/c", "dir/"] {
        assert_path(text);
    }
}

#[test]
fn at_signs_outside_the_registry_shape_are_paths() {
    for text in [
        "a/b/c@1.0.0",
        "dir@v2/pack.yaml",
        "foo@bar/baz",
        "a\\b@1.0.0",
        "packs/a@1.0.0.yaml",
        "a@1.0.0.yaml",
        "a@latest.yml",
        "Acme/x@1.YAML",
    ] {
        assert_path(text);
    }
}

#[test]
fn registry_references() {
    let PackRef::Registry(plain) = parse("eu-ai-act-pro@1.2.0") else {
        panic!("registry");
    };
    assert_eq!(plain.namespace, None);
    assert_eq!(plain.name.as_str(), "eu-ai-act-pro");
    assert_eq!(plain.version, Version::parse("1.2.0").expect("valid"));
    assert_eq!(plain.pin, None);

    let PackRef::Registry(namespaced) = parse("acme/foo@1.2.0-rc.1+build.5") else {
        panic!("registry");
    };
    assert_eq!(
        namespaced.namespace.map(String::from).as_deref(),
        Some("acme")
    );
    assert_eq!(namespaced.version.build(), Some("build.5"));

    let pinned = parse(&format!("acme/foo@1.0.0#sha256:{HEX}"));
    assert_eq!(pinned.pin().map(|d| d.to_hex()).as_deref(), Some(HEX));
    assert!(matches!(pinned, PackRef::Registry(_)));

    // A valid version that happens to end in `.yaml` stays a registry reference.
    assert!(matches!(parse("foo@1.0.0-rc.yaml"), PackRef::Registry(_)));
}

#[test]
fn registry_parts_are_named_in_errors() {
    let source = |text: &str| -> Error {
        let err = PackRef::parse(text).expect_err(text);
        let message = err.to_string();
        let (part, source) = match err {
            Error::InvalidReferenceNamespace { source, .. } => ("namespace", source),
            Error::InvalidReferenceName { source, .. } => ("pack name", source),
            Error::InvalidReferenceVersion { source, .. } => ("version", source),
            Error::InvalidReferencePin { source, .. } => ("digest pin", source),
            other => panic!("expected a part error for {text:?}, got {other:?}"),
        };
        assert_eq!(message, format!("reference {text:?} has an invalid {part}"));
        *source
    };

    assert!(matches!(
        source("Acme/foo@1.0.0"),
        Error::InvalidNamespace {
            reason: NameFault::UppercaseLetter { .. },
            ..
        }
    ));
    assert!(matches!(
        source("foo_bar@1.0.0"),
        Error::InvalidPackName {
            reason: NameFault::ForbiddenCharacter { character: '_', .. },
            ..
        }
    ));
    assert!(matches!(
        source("foo@latest"),
        Error::InvalidVersion {
            reason: VersionFault::Latest,
            ..
        }
    ));
    assert!(matches!(
        source("foo@^1.0"),
        Error::InvalidVersion {
            reason: VersionFault::Range { operator: '^' },
            ..
        }
    ));
    assert!(matches!(
        source("foo@1.2"),
        Error::InvalidVersion {
            reason: VersionFault::WrongCoreCount { found: 2 },
            ..
        }
    ));
    assert!(matches!(
        source("foo@1.0.0 "),
        Error::InvalidVersion {
            reason: VersionFault::Whitespace { .. },
            ..
        }
    ));
    assert!(matches!(
        source(&format!("foo@1.0.0#sha256:{}", HEX.to_uppercase())),
        Error::InvalidDigest {
            reason: DigestFault::UppercaseHex { .. },
            ..
        }
    ));
    assert!(matches!(
        source("foo@1.0.0#sha512:00"),
        Error::InvalidDigest {
            reason: DigestFault::UnsupportedAlgorithm { .. },
            ..
        }
    ));
    assert!(matches!(
        source("foo@1.0.0#"),
        Error::InvalidDigest {
            reason: DigestFault::MissingAlgorithm,
            ..
        }
    ));
    assert!(matches!(
        source(&format!("foo@1.0.0#sha256:{}", &HEX[..63])),
        Error::InvalidDigest {
            reason: DigestFault::WrongLength { length: 63 },
            ..
        }
    ));
}

#[test]
fn registry_shape_errors() {
    assert_eq!(fault("@1.0.0"), ReferenceFault::MissingName);
    assert_eq!(fault("acme/@1.0.0"), ReferenceFault::MissingName);
    assert_eq!(fault("foo@"), ReferenceFault::MissingVersion);
    assert_eq!(
        fault(&format!("foo@#sha256:{HEX}")),
        ReferenceFault::MissingVersion
    );
}

#[test]
fn the_part_error_is_the_source() {
    let err = PackRef::parse("foo@01.0.0").expect_err("leading zero");
    let source = err.source().map(ToString::to_string);
    assert_eq!(
        source.as_deref(),
        Some("version \"01.0.0\" has a major number \"01\" with a leading zero")
    );
}

#[test]
fn pins_on_paths_and_names_are_errors() {
    for text in [
        format!("foo#sha256:{HEX}"),
        format!("./pack.yaml#sha256:{HEX}"),
        format!("packs/a#sha256:{HEX}"),
        "foo#sha256:".to_owned(),
    ] {
        assert_eq!(fault(&text), ReferenceFault::UnexpectedPin, "{text:?}");
    }
    // Other uses of '#' are ordinary path characters.
    assert_path("foo#1");
}

#[test]
fn byos_references() {
    for (text, scheme, bucket, key) in [
        ("s3://bucket/key", ByosScheme::S3, "bucket", "key"),
        (
            "gs://b/packs/custom.yaml",
            ByosScheme::Gcs,
            "b",
            "packs/custom.yaml",
        ),
        ("az://container/a/b", ByosScheme::Azure, "container", "a/b"),
        ("azure://container/k", ByosScheme::Azure, "container", "k"),
        ("s3://b/k@1.0.0", ByosScheme::S3, "b", "k@1.0.0"),
    ] {
        let PackRef::Byos(byos) = parse(text) else {
            panic!("{text:?} should be BYOS");
        };
        assert_eq!(
            (byos.scheme(), byos.bucket(), byos.key()),
            (scheme, bucket, key)
        );
        assert_eq!(byos.pin(), None);
    }
    let PackRef::Byos(pinned) = parse(&format!("azure://c/k.yaml#sha256:{HEX}")) else {
        panic!("BYOS");
    };
    assert_eq!(pinned.scheme_as_written(), "azure");
    assert!(pinned.pin().is_some());
    let canonical = pinned.into_canonical_spelling();
    assert_eq!(canonical.to_string(), format!("az://c/k.yaml#sha256:{HEX}"));
}

#[test]
fn byos_shape_errors() {
    for (text, scheme) in [
        ("s3://", "s3"),
        ("gs:///key", "gs"),
        ("azure://#x", "azure"),
    ] {
        assert_eq!(
            fault(text),
            ReferenceFault::MissingBucket {
                scheme: scheme.to_owned()
            }
        );
    }
    for text in ["s3://bucket", "s3://bucket/", "az://c/#sha256:00"] {
        assert_eq!(fault(text), ReferenceFault::MissingKey, "{text:?}");
    }
    assert!(matches!(
        PackRef::parse("s3://b/k#sha256:abc"),
        Err(Error::InvalidReferencePin { .. })
    ));
    assert!(matches!(
        PackRef::parse("s3://b/k#notes"),
        Err(Error::InvalidReferencePin { .. })
    ));
}

#[test]
fn oci_is_recognised_but_unsupported() {
    let reference = parse("oci://ghcr.io/acme/pack:1.0.0");
    let PackRef::Oci(oci) = &reference else {
        panic!("OCI");
    };
    assert_eq!(oci.target(), "ghcr.io/acme/pack:1.0.0");
    assert!(
        reference
            .unsupported_reason()
            .is_some_and(|r| r.contains("not supported yet"))
    );
    assert_eq!(fault("oci://"), ReferenceFault::MissingOciTarget);
    assert_eq!(parse("foo@1.0.0").unsupported_reason(), None);
}

#[test]
fn unknown_schemes_are_named() {
    for (text, scheme) in [
        ("https://example.com/pack.yaml", "https"),
        ("file:///tmp/a.yaml", "file"),
        ("S3://b/k", "S3"),
        ("git+ssh://host/repo", "git+ssh"),
    ] {
        assert_eq!(
            fault(text),
            ReferenceFault::UnknownScheme {
                scheme: scheme.to_owned()
            }
        );
    }
    let err = PackRef::parse("http://x/y").expect_err("http");
    assert!(err.to_string().starts_with(
        "reference \"http://x/y\" uses the unknown scheme \"http\"; known schemes are"
    ));
    // Text before `://` that is not scheme syntax is not a URL.
    assert_path("my pack://x");
}

#[test]
fn empty_is_an_error() {
    assert_eq!(fault(""), ReferenceFault::Empty);
    assert_eq!(
        PackRef::parse("").expect_err("empty").to_string(),
        "reference \"\" is empty"
    );
}

#[test]
fn conversions_agree() {
    let text = "acme/foo@1.0.0";
    let parsed: PackRef = text.parse().expect("valid");
    assert_eq!(PackRef::try_from(text).expect("valid"), parsed);
    let PackRef::Registry(registry) = parsed.clone() else {
        panic!("registry");
    };
    assert_eq!(PackRef::from(registry), parsed);
    let name = crate::PackName::parse("foo").expect("valid");
    assert_eq!(PackRef::from(name), parse("foo"));
}
