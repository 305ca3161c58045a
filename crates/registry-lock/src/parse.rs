//! Reading a lockfile: the strict YAML profile gives a `Value`, which is mapped field by
//! field onto the model with errors that name the line and the key path.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use registry_canon::{KeyPath, Map, PathSegment, Value, parse_yaml_strict};
use registry_types::{
    BaseUrl, Digest, Namespace, PackName, PackRef, Timestamp, UntrustedText, Version,
};
use snafu::ResultExt;

use crate::error::{Error, InvalidValueSnafu, LockFault, Result};
use crate::lockfile::{LOCKFILE_VERSION, Lockfile};
use crate::pack::{LockKey, LockOrigin, LockSignature, LockSource, LockedPack, RegistryOrigin};
use crate::position::{Position, Positions};

/// The top-level fields, in every version.
const ROOT_FIELDS: &[&str] = &["version", "generated_at", "generated_by", "packs"];

/// The fields of a pack entry in version 1.
const PACK_FIELDS_V1: &[&str] = &[
    "name",
    "version",
    "digest",
    "source",
    "signature",
    "byos_url",
];

/// The fields version 2 adds to a pack entry; all of them belong to registry packs.
const PACK_FIELDS_ADDED_IN_V2: &[&str] = &["registry_url", "namespace", "fetched_at", "etag"];

/// The fields of a pack's `signature`.
const SIGNATURE_FIELDS: &[&str] = &["algorithm", "key_id"];

/// Parses `text`, the content of the lockfile at `path` (used in messages only).
pub(crate) fn parse_lockfile(text: &str, path: &Utf8Path) -> Result<Lockfile> {
    let value = match parse_yaml_strict(text) {
        Ok(value) => value,
        Err(source) => {
            return Err(Error::Syntax {
                path: path.to_owned(),
                line: source.position().map(|position| position.line),
                source: Box::new(source),
            });
        }
    };
    let reader = Reader {
        path,
        positions: Positions::scan(text),
    };
    reader.lockfile(&value)
}

/// Whether an error points at a mapping key or at a value.
#[derive(Clone, Copy)]
enum At {
    Key,
    Value,
}

/// The lockfile being read: its path and the positions of its nodes.
struct Reader<'a> {
    path: &'a Utf8Path,
    positions: Positions,
}

impl Reader<'_> {
    fn lockfile(&self, value: &Value) -> Result<Lockfile> {
        let root = self.mapping(value, &[])?;
        let version = self.format_version(root)?;
        self.reject_unknown(root, &[], ROOT_FIELDS, &[])?;
        let generated_at = self.timestamp(
            self.required(root, &[], "generated_at")?,
            &[key("generated_at")],
        )?;
        let (generated_by, _) = self.field_string(root, &[], "generated_by")?;
        let packs_value = self.required(root, &[], "packs")?;
        let Value::Array(items) = packs_value else {
            let fault = wrong_type("a sequence", packs_value);
            return self.fault(At::Value, &[key("packs")], fault);
        };
        let mut packs: BTreeMap<LockKey, (LockedPack, usize)> = BTreeMap::new();
        for (index, item) in items.iter().enumerate() {
            let item_path = [key("packs"), PathSegment::Index(index)];
            let pack = self.locked_pack(item, &item_path, version)?;
            let line = self.positions.value(&item_path).line;
            let pack_key = pack.key();
            if let Some((_, first_line)) = packs.get(&pack_key) {
                let first_line = *first_line;
                return self.fault(
                    At::Value,
                    &item_path,
                    LockFault::DuplicatePack {
                        key: pack_key,
                        first_line,
                    },
                );
            }
            packs.insert(pack_key, (pack, line));
        }
        Ok(Lockfile::from_parts(
            version,
            generated_at,
            generated_by.to_owned(),
            packs.into_values().map(|(pack, _)| pack),
        ))
    }

    /// Reads `version` first, so that a file of an unknown version is reported as such
    /// rather than by its first field this tool does not know.
    fn format_version(&self, root: &Map) -> Result<u32> {
        let path = [key("version")];
        let value = self.required(root, &[], "version")?;
        let Value::Number(number) = value else {
            return self.fault(At::Value, &path, wrong_type("an integer", value));
        };
        // The profile lets only integers within ±2^53 through (no floats), so the
        // conversion is exact.
        let whole = number.as_f64() as i64;
        match u32::try_from(whole) {
            Ok(version @ 1..=LOCKFILE_VERSION) => Ok(version),
            _ => self.fault(
                At::Value,
                &path,
                LockFault::UnsupportedVersion {
                    found: whole.to_string(),
                },
            ),
        }
    }

    fn locked_pack(&self, value: &Value, path: &[PathSegment], version: u32) -> Result<LockedPack> {
        let map = self.mapping(value, path)?;
        let v1_rejects = if version == 1 {
            PACK_FIELDS_ADDED_IN_V2
        } else {
            &[]
        };
        let known = if version == 1 {
            PACK_FIELDS_V1.to_vec()
        } else {
            [PACK_FIELDS_V1, PACK_FIELDS_ADDED_IN_V2].concat()
        };
        self.reject_unknown(map, path, &known, v1_rejects)?;

        let name = self.field_string(map, path, "name")?;
        let name = PackName::parse(name.0).context(self.invalid_value(&name.1, "pack name"))?;
        let version_text = self.field_string(map, path, "version")?;
        let version = Version::parse(version_text.0)
            .context(self.invalid_value(&version_text.1, "version"))?;
        let digest = self.field_string(map, path, "digest")?;
        let digest = Digest::parse(digest.0).context(self.invalid_value(&digest.1, "digest"))?;
        let source_text = self.field_string(map, path, "source")?;
        let Some(source) = LockSource::from_word(source_text.0) else {
            return self.fault(
                At::Value,
                &source_text.1,
                LockFault::UnknownSource {
                    found: UntrustedText::new(source_text.0),
                },
            );
        };
        let origin = self.origin(map, path, source)?;
        let signature = match optional(map, "signature") {
            None => None,
            Some(value) => Some(self.signature(value, &child(path, "signature"))?),
        };
        Ok(LockedPack {
            name,
            version,
            digest,
            origin,
            signature,
        })
    }

    /// The source-specific fields; a non-null field that the source does not allow is an
    /// error (a null one is the same as an absent one).
    fn origin(&self, map: &Map, path: &[PathSegment], source: LockSource) -> Result<LockOrigin> {
        let allowed: &[&str] = match source {
            LockSource::Registry => PACK_FIELDS_ADDED_IN_V2,
            LockSource::Byos => &["byos_url"],
            LockSource::Bundled | LockSource::Local => &[],
        };
        for field in PACK_FIELDS_ADDED_IN_V2.iter().chain(&["byos_url"]) {
            if !allowed.contains(field) && optional(map, field).is_some() {
                return self.fault(
                    At::Key,
                    &child(path, field),
                    LockFault::FieldNotForSource { field, source },
                );
            }
        }
        Ok(match source {
            LockSource::Registry => LockOrigin::Registry(self.registry_origin(map, path)?),
            LockSource::Byos => {
                let (text, url_path) = self.field_string(map, path, "byos_url")?;
                match PackRef::parse(text).context(self.invalid_value(&url_path, "byos_url"))? {
                    PackRef::Byos(url) => LockOrigin::Byos { url },
                    _ => {
                        return self.fault(
                            At::Value,
                            &url_path,
                            LockFault::NotByosUrl {
                                found: UntrustedText::new(text),
                            },
                        );
                    }
                }
            }
            LockSource::Bundled => LockOrigin::Bundled,
            LockSource::Local => LockOrigin::Local,
        })
    }

    fn registry_origin(&self, map: &Map, path: &[PathSegment]) -> Result<RegistryOrigin> {
        let mut origin = RegistryOrigin::default();
        if let Some((text, at)) = self.optional_string(map, path, "registry_url")? {
            origin.registry_url =
                Some(BaseUrl::parse(text).context(self.invalid_value(&at, "registry_url"))?);
        }
        if let Some((text, at)) = self.optional_string(map, path, "namespace")? {
            origin.namespace = Some(
                Namespace::from_path_segment(text).context(self.invalid_value(&at, "namespace"))?,
            );
        }
        if let Some(value) = optional(map, "fetched_at") {
            origin.fetched_at = Some(self.timestamp(value, &child(path, "fetched_at"))?);
        }
        if let Some((text, _)) = self.optional_string(map, path, "etag")? {
            origin.etag = Some(text.to_owned());
        }
        Ok(origin)
    }

    fn signature(&self, value: &Value, path: &[PathSegment]) -> Result<LockSignature> {
        let map = self.mapping(value, path)?;
        self.reject_unknown(map, path, SIGNATURE_FIELDS, &[])?;
        let (algorithm, _) = self.field_string(map, path, "algorithm")?;
        let (key_id, at) = self.field_string(map, path, "key_id")?;
        Ok(LockSignature {
            algorithm: algorithm.to_owned(),
            key_id: Digest::parse(key_id).context(self.invalid_value(&at, "key id"))?,
        })
    }

    /// Rejects the first field (in document order) of `map` that is not in `known`;
    /// `version_2_only` are fields to report as belonging to version 2.
    fn reject_unknown(
        &self,
        map: &Map,
        path: &[PathSegment],
        known: &[&str],
        version_2_only: &[&'static str],
    ) -> Result<()> {
        let first_unknown = map
            .iter()
            .filter(|(name, _)| !known.contains(name))
            .map(|(name, _)| (self.positions.key(&child(path, name)), name))
            .min_by_key(|(position, _)| (position.line, position.column));
        let Some((_, name)) = first_unknown else {
            return Ok(());
        };
        let fault = match version_2_only.iter().find(|field| **field == name) {
            Some(field) => LockFault::FieldNotInVersion1 { field },
            None => LockFault::UnknownField {
                field: UntrustedText::new(name),
            },
        };
        self.fault(At::Key, &child(path, name), fault)
    }

    fn mapping<'v>(&self, value: &'v Value, path: &[PathSegment]) -> Result<&'v Map> {
        match value {
            Value::Object(map) => Ok(map),
            other => self.fault(At::Value, path, wrong_type("a mapping", other)),
        }
    }

    fn string<'v>(&self, value: &'v Value, path: &[PathSegment]) -> Result<&'v str> {
        match value {
            Value::String(text) => Ok(text),
            other => self.fault(At::Value, path, wrong_type("a string", other)),
        }
    }

    fn timestamp(&self, value: &Value, path: &[PathSegment]) -> Result<Timestamp> {
        Timestamp::parse(self.string(value, path)?).context(self.invalid_value(path, "timestamp"))
    }

    fn required<'v>(
        &self,
        map: &'v Map,
        path: &[PathSegment],
        field: &'static str,
    ) -> Result<&'v Value> {
        match map.get(field) {
            Some(value) => Ok(value),
            None => self.fault(At::Value, path, LockFault::MissingField { field }),
        }
    }

    /// A required string field and its key path.
    fn field_string<'v>(
        &self,
        map: &'v Map,
        path: &[PathSegment],
        field: &'static str,
    ) -> Result<(&'v str, Vec<PathSegment>)> {
        let at = child(path, field);
        let text = self.string(self.required(map, path, field)?, &at)?;
        Ok((text, at))
    }

    /// An optional string field (absent or null is `None`) and its key path.
    fn optional_string<'v>(
        &self,
        map: &'v Map,
        path: &[PathSegment],
        field: &'static str,
    ) -> Result<Option<(&'v str, Vec<PathSegment>)>> {
        let at = child(path, field);
        match optional(map, field) {
            None => Ok(None),
            Some(value) => Ok(Some((self.string(value, &at)?, at))),
        }
    }

    fn position(&self, at: At, path: &[PathSegment]) -> Position {
        match at {
            At::Key => self.positions.key(path),
            At::Value => self.positions.value(path),
        }
    }

    fn fault<T>(&self, at: At, path: &[PathSegment], fault: LockFault) -> Result<T> {
        let position = self.position(at, path);
        Err(Error::Invalid {
            path: self.path.to_owned(),
            line: position.line,
            column: position.column,
            key_path: KeyPath::new(path.to_vec()),
            fault: Box::new(fault),
        })
    }

    /// The context for a value of type `what` at `path` that did not parse.
    fn invalid_value(
        &self,
        path: &[PathSegment],
        what: &'static str,
    ) -> InvalidValueSnafu<Utf8PathBuf, usize, usize, KeyPath, &'static str> {
        let position = self.positions.value(path);
        InvalidValueSnafu {
            path: self.path.to_owned(),
            line: position.line,
            column: position.column,
            key_path: KeyPath::new(path.to_vec()),
            what,
        }
    }
}

fn key(name: &str) -> PathSegment {
    PathSegment::Key(name.to_owned())
}

fn child(path: &[PathSegment], name: &str) -> Vec<PathSegment> {
    let mut child = path.to_vec();
    child.push(key(name));
    child
}

/// The value of `field`, unless it is absent or null.
fn optional<'v>(map: &'v Map, field: &str) -> Option<&'v Value> {
    map.get(field).filter(|value| !matches!(value, Value::Null))
}

fn wrong_type(expected: &'static str, found: &Value) -> LockFault {
    LockFault::WrongType {
        expected,
        found: match found {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a sequence",
            Value::Object(_) => "a mapping",
        },
    }
}
