//! The version list (`GET /packs/{name}/versions`) and the pack list pages (`GET /packs`).

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Digest, Namespace, PackName, Policy, Timestamp, Version};

/// `GET [/orgs/{org}]/packs/{name}/versions`:
/// `{"name", "namespace"?, "versions": [...], "latest"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackVersions {
    /// The pack name (a client checks it against the one it asked for).
    pub name: PackName,
    /// The organisation, when the registry says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Namespace>,
    /// The versions, in the registry's order.
    pub versions: Vec<VersionInfo>,
    /// The version the registry recommends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<Version>,
}

/// One entry of a version list:
/// `{"version", "released"?, "deprecated", "digest"?, "policy"?, "revoked"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// The version.
    pub version: Version,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<Released>,
    /// Whether it is deprecated (a warning: PROTOCOL §11). Absent means `false`.
    #[serde(default)]
    pub deprecated: bool,
    /// Its canonical digest, when the registry says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// Its policy, when the registry says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// Whether it was revoked; written only when `true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub revoked: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The `released` value of a version entry.
///
/// It only informs, so a value this client does not understand is kept as
/// [`Released::Unrecognized`] rather than failing the whole version list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Released {
    /// An RFC 3339 date-time.
    At(Timestamp),
    /// Anything else, as received (a JSON string's text, or another JSON value written
    /// out as JSON).
    Unrecognized(String),
}

impl Released {
    /// The time, when the value is an RFC 3339 date-time.
    pub fn timestamp(&self) -> Option<Timestamp> {
        match self {
            Released::At(timestamp) => Some(*timestamp),
            Released::Unrecognized(_) => None,
        }
    }
}

impl From<Timestamp> for Released {
    fn from(timestamp: Timestamp) -> Self {
        Released::At(timestamp)
    }
}

impl fmt::Display for Released {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Released::At(timestamp) => timestamp.fmt(f),
            Released::Unrecognized(text) => f.write_str(text),
        }
    }
}

impl Serialize for Released {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Released::At(timestamp) => timestamp.serialize(serializer),
            Released::Unrecognized(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for Released {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ReleasedVisitor)
    }
}

struct ReleasedVisitor;

impl<'de> Visitor<'de> for ReleasedVisitor {
    type Value = Released;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a release time")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Released, E> {
        Ok(Timestamp::parse(text)
            .map_or_else(|_| Released::Unrecognized(text.to_owned()), Released::At))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Released, E> {
        Ok(Released::Unrecognized(value.to_string()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Released, E> {
        Ok(Released::Unrecognized(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Released, E> {
        Ok(Released::Unrecognized(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Released, E> {
        Ok(Released::Unrecognized(value.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Released, E> {
        Ok(Released::Unrecognized("null".to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Released, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Released::Unrecognized("[…]".to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Released, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Released::Unrecognized("{…}".to_owned()))
    }
}

/// One pack of a pack list page: `{"name", "namespace"?, "latest"?, "versions"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackSummary {
    /// The pack name.
    pub name: PackName,
    /// The organisation, when the registry says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Namespace>,
    /// The version the registry recommends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<Version>,
    /// Its versions; absent means none listed.
    #[serde(default)]
    pub versions: Vec<Version>,
}

/// One page of `GET [/orgs/{org}]/packs?limit=&cursor=`:
/// `{"packs": [...], "next_cursor"?, "has_more"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackPage {
    /// The packs of this page.
    pub packs: Vec<PackSummary>,
    /// The opaque cursor of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Whether another page follows; absent means `false`.
    #[serde(default)]
    pub has_more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_round_trip_in_the_protocol_shape() {
        let text = r#"{"name":"a","versions":[{"version":"1.0.0","released":"2026-01-15T09:00:00Z","deprecated":false,"digest":"sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070","policy":"open"},{"version":"1.1.0","deprecated":true,"revoked":true}],"latest":"1.0.0"}"#;
        let versions: PackVersions = serde_json::from_str(text).unwrap();
        assert_eq!(versions.versions.len(), 2);
        assert!(
            versions.versions[0]
                .released
                .as_ref()
                .unwrap()
                .timestamp()
                .is_some()
        );
        assert_eq!(versions.versions[0].policy, Some(Policy::Open));
        assert!(versions.versions[1].revoked);
        assert_eq!(serde_json::to_string(&versions).unwrap(), text);
    }

    #[test]
    fn an_unrecognized_release_time_does_not_sink_the_list() {
        let text = r#"{"name":"a","versions":[
            {"version":"1.0.0","released":"2026-01-15"},
            {"version":"1.0.1","released":5},
            {"version":"1.0.2","released":{"at":[1]}},
            {"version":"1.0.3","released":null},
            {"version":"1.0.4"}
        ]}"#;
        let versions: PackVersions = serde_json::from_str(text).unwrap();
        let released: Vec<Option<Released>> = versions
            .versions
            .into_iter()
            .map(|info| info.released)
            .collect();
        assert_eq!(
            released,
            [
                Some(Released::Unrecognized("2026-01-15".into())),
                Some(Released::Unrecognized("5".into())),
                Some(Released::Unrecognized("{…}".into())),
                None,
                None,
            ]
        );
    }

    #[test]
    fn other_malformed_fields_still_fail_the_body() {
        for text in [
            r#"{"name":"A","versions":[]}"#,
            r#"{"name":"a","versions":[{"version":"latest"}]}"#,
            r#"{"name":"a","versions":[{"version":"1.0.0","digest":"md5:x"}]}"#,
            r#"{"name":"a","versions":[{"version":"1.0.0","deprecated":"yes"}]}"#,
        ] {
            let error = serde_json::from_str::<PackVersions>(text).unwrap_err();
            assert!(error.is_data(), "{text}: {error}");
        }
    }

    #[test]
    fn pages_default_to_the_last_one() {
        let page: PackPage = serde_json::from_str(r#"{"packs":[{"name":"a"}]}"#).unwrap();
        assert_eq!((page.next_cursor, page.has_more), (None, false));
        assert!(page.packs[0].versions.is_empty());
        let error = serde_json::from_str::<PackPage>(r#"{"has_more":true}"#).unwrap_err();
        assert!(
            error.to_string().contains("missing field `packs`"),
            "{error}"
        );
    }
}
