//! Serde reads and writes every type as its string form, validating on read.

use registry_types::{Digest, Namespace, PackName, Policy, Version};
use serde::Serialize;
use serde::de::DeserializeOwned;

const DIGEST: &str = "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070";

fn round_trip<T>(text: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(text).expect("a JSON string");
    let value: T = serde_json::from_str(&json).expect("valid text deserializes");
    assert_eq!(serde_json::to_string(&value).expect("serializes"), json);
}

fn rejects<T>(text: &str, message: &str)
where
    T: DeserializeOwned + std::fmt::Debug,
{
    let json = serde_json::to_string(text).expect("a JSON string");
    let err = serde_json::from_str::<T>(&json).expect_err("invalid text");
    assert!(
        err.to_string().starts_with(message),
        "{err} should start with {message}"
    );
}

#[test]
fn valid_values_round_trip_as_strings() {
    round_trip::<PackName>("eu-ai-act-baseline");
    round_trip::<Namespace>("acme");
    round_trip::<Version>("1.2.0-rc.1+build.5");
    round_trip::<Digest>(DIGEST);
    round_trip::<Policy>("commercial");
    round_trip::<Policy>("open");
}

#[test]
fn invalid_values_are_rejected_with_the_parse_message() {
    rejects::<PackName>("../etc", "pack name \"../etc\" contains '.' at position 1");
    rejects::<Namespace>("Acme", "namespace \"Acme\" contains an uppercase letter");
    rejects::<Version>("latest", "version \"latest\" is not a version");
    rejects::<Digest>(&DIGEST.to_uppercase(), "digest \"SHA256:");
    rejects::<Policy>("Open", "pack policy \"Open\" is neither");
}

/// Asserts that deserializing `json` as `T` fails as a type error naming what was found.
fn rejects_type<T>(json: &str, found: &str)
where
    T: DeserializeOwned + std::fmt::Debug,
{
    let err = serde_json::from_str::<T>(json).expect_err("not a string");
    assert_eq!(err.classify(), serde_json::error::Category::Data, "{err}");
    let expected = format!("invalid type: {found}, expected a string");
    assert!(
        err.to_string().starts_with(&expected),
        "{err} should start with {expected}"
    );
}

#[test]
fn non_strings_are_rejected() {
    rejects_type::<Version>("1", "integer `1`");
    rejects_type::<PackName>("null", "null");
    rejects_type::<Policy>("{\"open\":null}", "map");
}

#[test]
fn fields_of_a_struct_validate() {
    #[derive(Debug, serde::Deserialize)]
    // The fields are only checked by deserializing, never read.
    #[allow(dead_code)]
    struct Entry {
        name: PackName,
        version: Version,
        digest: Digest,
    }
    let good = format!(r#"{{"name":"a","version":"1.0.0","digest":"{DIGEST}"}}"#);
    assert!(serde_json::from_str::<Entry>(&good).is_ok());
    let bad = format!(r#"{{"name":"a","version":"01.0.0","digest":"{DIGEST}"}}"#);
    let err = serde_json::from_str::<Entry>(&bad).expect_err("leading zero");
    assert!(err.to_string().contains("leading zero"), "{err}");
}
