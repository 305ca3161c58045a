//! Proptest strategies that generate only valid texts of every type.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// A valid pack name or namespace, 1 to 128 characters.
pub(crate) fn name_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?",
        "[a-z0-9]([a-z0-9-]{0,126}[a-z0-9])?",
    ]
}

fn core_number() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..20, any::<u64>()]
}

fn pre_release_identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        "[1-9][0-9]{0,25}",
        "[0-9A-Za-z-]{0,4}[A-Za-z-][0-9A-Za-z-]{0,4}",
    ]
}

fn build_identifier() -> impl Strategy<Value = String> {
    "[0-9A-Za-z-]{1,8}"
}

/// A valid SemVer 2.0.0 version text.
pub(crate) fn version_text() -> impl Strategy<Value = String> {
    (
        core_number(),
        core_number(),
        core_number(),
        option::of(vec(pre_release_identifier(), 1..4)),
        option::of(vec(build_identifier(), 1..4)),
    )
        .prop_map(|(major, minor, patch, pre_release, build)| {
            let mut text = format!("{major}.{minor}.{patch}");
            if let Some(identifiers) = pre_release {
                text = format!("{text}-{}", identifiers.join("."));
            }
            if let Some(identifiers) = build {
                text = format!("{text}+{}", identifiers.join("."));
            }
            text
        })
}

/// A valid digest text.
pub(crate) fn digest_text() -> impl Strategy<Value = String> {
    any::<[u8; 32]>().prop_map(|bytes| {
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("sha256:{hex}")
    })
}

fn pin_suffix() -> impl Strategy<Value = String> {
    option::of(digest_text()).prop_map(|pin| pin.map(|pin| format!("#{pin}")).unwrap_or_default())
}

/// A valid registry reference text, optionally namespaced and pinned.
pub(crate) fn registry_text() -> impl Strategy<Value = String> {
    (
        option::of(name_text()),
        name_text(),
        version_text(),
        pin_suffix(),
    )
        .prop_map(|(namespace, name, version, pin)| {
            let namespace = namespace.map(|org| format!("{org}/")).unwrap_or_default();
            format!("{namespace}{name}@{version}{pin}")
        })
}

/// A valid BYOS reference text, in any accepted scheme spelling.
pub(crate) fn byos_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("s3"), Just("gs"), Just("az"), Just("azure")],
        "[a-z0-9][a-z0-9.-]{0,20}",
        "[A-Za-z0-9._@:-]{1,10}(/[A-Za-z0-9._@ -]{1,10}){0,3}",
        pin_suffix(),
    )
        .prop_map(|(scheme, bucket, key, pin)| format!("{scheme}://{bucket}/{key}{pin}"))
}

/// A reserved OCI reference text.
pub(crate) fn oci_text() -> impl Strategy<Value = String> {
    "oci://[a-z0-9./:@#-]{1,30}"
}

/// A text with an explicit path prefix.
pub(crate) fn explicit_path_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("./"), Just("../"), Just("/"), Just("~/"), Just("C:\\")],
        "[A-Za-z0-9._@/ -]{0,30}",
    )
        .prop_map(|(prefix, rest)| format!("{prefix}{rest}"))
}
