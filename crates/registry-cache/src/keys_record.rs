//! The keys manifest last accepted from one registry, kept beside that registry's entries.
//!
//! One file per registry, `{root}/{registry_id}/keys.json`, replaced atomically (write,
//! sync, rename) under an exclusive `flock` on `{root}/{registry_id}/.lock-keys`. It
//! holds the manifest's bytes exactly as they were verified, so a reader verifies them
//! again against its roots before using a key (the file is untrusted input like every
//! other file of the cache), and the rollback and freeze state: the checkpoint of the
//! accepted manifest and the latest time any run ever saw.
//!
//! The inventory walks only `_global` and `orgs` below a registry, so the file is never
//! taken for an entry; clearing a registry removes it with the entries, which resets the
//! rollback and freeze state of that registry (the documented way out of a refused
//! clock).

use std::fmt;

use data_encoding::BASE64;
use registry_types::{Digest, Timestamp};
use serde::{Deserialize, Serialize};
use snafu::{OptionExt, ResultExt, ensure};

use crate::atomic::{ensure_dir_chain, replace_file};
use crate::cache::{NameDir, PackCache};
use crate::dir_fd::DirFd;
use crate::error::{
    DecodeKeysRecordSnafu, EncodeKeysRecordSnafu, Error, KeysRecordFileSnafu,
    KeysRecordRegistrySnafu, LockKeysSnafu, ReadKeysSnafu, Result, WriteKeysSnafu,
};
use crate::lock::EntryLock;
use crate::registry_id::{RegistryId, normalize_registry_url};
use crate::untrusted::FileRead;

/// The name of the file holding a registry's keys record.
pub const KEYS_RECORD_FILE: &str = "keys.json";

/// The lock file serialising updates of a registry's keys record.
const KEYS_LOCK_FILE: &str = ".lock-keys";

/// The largest keys record read: the 16 MiB manifest limit in base64, and room for the rest.
const MAX_RECORD_BYTES: usize = 23 * 1024 * 1024;

/// The format number written into every record.
const KEYS_RECORD_FORMAT: u32 = 1;

/// A registry's accepted keys manifest and its rollback and freeze state.
#[derive(Clone, PartialEq, Eq)]
pub struct KeysRecord {
    /// The registry's base URL, as the client uses it.
    pub registry_url: String,
    /// The manifest response body exactly as it was verified.
    pub manifest: Vec<u8>,
    /// The accepted manifest's `version`.
    pub version: u64,
    /// SHA-256 of the accepted manifest's signed payload (rollback: the same version with
    /// other bytes is refused).
    pub payload_digest: Digest,
    /// When the manifest was fetched.
    pub fetched_at: Timestamp,
    /// When the manifest is to be fetched again (`Cache-Control: max-age`, default 24 h).
    pub expires_at: Timestamp,
    /// The latest time any run ever saw for this registry (the clock, or a manifest's
    /// `issued_at`): a clock far earlier than this is refused (freeze).
    pub latest_seen: Timestamp,
}

impl fmt::Debug for KeysRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeysRecord")
            .field("registry_url", &self.registry_url)
            .field("manifest_bytes", &self.manifest.len())
            .field("version", &self.version)
            .field("payload_digest", &self.payload_digest)
            .field("fetched_at", &self.fetched_at)
            .field("expires_at", &self.expires_at)
            .field("latest_seen", &self.latest_seen)
            .finish()
    }
}

/// The file form of a [`KeysRecord`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordFile {
    format: u32,
    registry_url: String,
    manifest: String,
    version: u64,
    payload_digest: Digest,
    fetched_at: Timestamp,
    expires_at: Timestamp,
    latest_seen: Timestamp,
}

impl KeysRecord {
    fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec_pretty(&RecordFile {
            format: KEYS_RECORD_FORMAT,
            registry_url: self.registry_url.clone(),
            manifest: BASE64.encode(&self.manifest),
            version: self.version,
            payload_digest: self.payload_digest,
            fetched_at: self.fetched_at,
            expires_at: self.expires_at,
            latest_seen: self.latest_seen,
        })
    }

    fn from_json(bytes: &[u8], registry: &RegistryId) -> Result<KeysRecord> {
        let file: RecordFile = serde_json::from_slice(bytes).context(DecodeKeysRecordSnafu {
            registry: registry.clone(),
        })?;
        ensure!(
            file.format == KEYS_RECORD_FORMAT,
            KeysRecordFileSnafu {
                registry: registry.clone(),
                problem: "an unknown format number",
            }
        );
        let manifest =
            BASE64
                .decode(file.manifest.as_bytes())
                .ok()
                .context(KeysRecordFileSnafu {
                    registry: registry.clone(),
                    problem: "a manifest that is not base64",
                })?;
        Ok(KeysRecord {
            registry_url: file.registry_url,
            manifest,
            version: file.version,
            payload_digest: file.payload_digest,
            fetched_at: file.fetched_at,
            expires_at: file.expires_at,
            latest_seen: file.latest_seen,
        })
    }
}

impl PackCache {
    /// The keys record of the registry at `registry_url`, if there is a readable one.
    ///
    /// # Errors
    ///
    /// [`Error::ReadKeys`] when the disk fails; [`Error::DecodeKeysRecord`],
    /// [`Error::KeysRecordFile`] or [`Error::KeysRecordRegistry`] when the file is not a
    /// record of this registry (the caller decides whether to fetch a new manifest).
    pub fn read_keys(&self, registry_url: &str) -> Result<Option<KeysRecord>> {
        let registry = RegistryId::from_url(registry_url);
        let NameDir::Present(dir) = self.open_chain(&[registry.as_str()])? else {
            return Ok(None);
        };
        read_record(&dir, &registry, registry_url)
    }

    /// Replaces the keys record of `registry_url` atomically, with `decide` choosing the
    /// new record from the current one while an exclusive lock is held: two processes
    /// accepting manifests at once are serialised, and the rollback check `decide` makes
    /// sees the latest record. `decide` returning `Ok(None)` keeps the current record.
    ///
    /// # Errors
    ///
    /// [`Error::LockKeys`], [`Error::ReadKeys`], [`Error::EncodeKeysRecord`] or
    /// [`Error::WriteKeys`] when the disk fails; an unreadable current record is passed
    /// to `decide` as `None` (it will be replaced); errors of `decide` are returned as they are.
    pub fn update_keys<E>(
        &self,
        registry_url: &str,
        decide: impl FnOnce(Option<KeysRecord>) -> std::result::Result<Option<KeysRecord>, E>,
    ) -> std::result::Result<Option<KeysRecord>, E>
    where
        E: From<Error>,
    {
        let registry = RegistryId::from_url(registry_url);
        let dir = ensure_dir_chain(self.root(), &[registry.as_str()]).context(WriteKeysSnafu {
            registry: registry.clone(),
        })?;
        let _lock = EntryLock::exclusive(&dir, KEYS_LOCK_FILE).context(LockKeysSnafu {
            registry: registry.clone(),
        })?;
        let current = match read_record(&dir, &registry, registry_url) {
            Ok(current) => current,
            Err(error) if error.is_unreadable_keys_record() => None,
            Err(error) => return Err(error.into()),
        };
        let Some(mut next) = decide(current)? else {
            return Ok(None);
        };
        next.registry_url = normalize_registry_url(registry_url).into_owned();
        let json = next.to_json().context(EncodeKeysRecordSnafu {
            registry: registry.clone(),
        })?;
        replace_file(&dir, KEYS_RECORD_FILE, &json).context(WriteKeysSnafu {
            registry: registry.clone(),
        })?;
        Ok(Some(next))
    }
}

fn read_record(
    dir: &DirFd,
    registry: &RegistryId,
    registry_url: &str,
) -> Result<Option<KeysRecord>> {
    let bytes = match dir
        .read_file(KEYS_RECORD_FILE, MAX_RECORD_BYTES)
        .context(ReadKeysSnafu {
            registry: registry.clone(),
        })? {
        FileRead::Missing => return Ok(None),
        FileRead::Bytes(bytes) => bytes,
        FileRead::Fault(_) => {
            return KeysRecordFileSnafu {
                registry: registry.clone(),
                problem: "a file that is not a regular file within the size limit",
            }
            .fail();
        }
    };
    let record = KeysRecord::from_json(&bytes, registry)?;
    ensure!(
        normalize_registry_url(&record.registry_url) == normalize_registry_url(registry_url),
        KeysRecordRegistrySnafu {
            registry: registry.clone(),
        }
    );
    Ok(Some(record))
}

impl Error {
    /// Whether this error says a keys record is there but not usable (as opposed to a
    /// failing disk).
    pub fn is_unreadable_keys_record(&self) -> bool {
        matches!(
            self,
            Error::DecodeKeysRecord { .. }
                | Error::KeysRecordFile { .. }
                | Error::KeysRecordRegistry { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dir_fd::tests::scratch_dir;

    fn record(version: u64) -> KeysRecord {
        let at = Timestamp::parse("2026-12-01T00:00:00Z").expect("timestamp");
        KeysRecord {
            registry_url: "https://registry.example/v1".to_owned(),
            manifest: b"{\"payloadType\":\"x\"}".to_vec(),
            version,
            payload_digest: Digest::parse(&format!("sha256:{}", "ab".repeat(32))).expect("digest"),
            fetched_at: at,
            expires_at: at,
            latest_seen: at,
        }
    }

    #[test]
    fn a_record_round_trips_and_updates_see_the_current_one() {
        let root = scratch_dir("keys_record", "round_trip");
        let cache = PackCache::new(root.clone());
        let url = "https://registry.example/v1";
        assert_eq!(cache.read_keys(url).expect("read"), None);
        let written = cache
            .update_keys::<Error>(url, |current| {
                assert_eq!(current, None);
                Ok(Some(record(3)))
            })
            .expect("write");
        assert_eq!(written, Some(record(3)));
        assert_eq!(cache.read_keys(url).expect("read"), Some(record(3)));
        // A trailing `/` names the same registry.
        assert_eq!(
            cache
                .read_keys("https://registry.example/v1/")
                .expect("read")
                .map(|r| r.version),
            Some(3)
        );
        let kept = cache
            .update_keys::<Error>(url, |current| {
                assert_eq!(current.map(|r| r.version), Some(3));
                Ok(None)
            })
            .expect("keep");
        assert_eq!(kept, None);
        assert_eq!(cache.read_keys(url).expect("read"), Some(record(3)));
    }

    const URL: &str = "https://registry.example/v1";

    /// A cache holding a record of version 1 for [`URL`], and the record file's path.
    fn cache_with_record(name: &str) -> (PackCache, camino::Utf8PathBuf) {
        let root = scratch_dir("keys_record", name);
        let cache = PackCache::new(root.clone());
        cache
            .update_keys::<Error>(URL, |_| Ok(Some(record(1))))
            .expect("write");
        let path = root
            .join(RegistryId::from_url(URL).as_str())
            .join(KEYS_RECORD_FILE);
        (cache, path)
    }

    #[test]
    fn a_corrupt_record_is_reported_and_replaced_by_the_next_update() {
        let (cache, path) = cache_with_record("corrupt");
        let url = URL;
        std::fs::write(&path, b"{not json").expect("plant");
        let error = cache.read_keys(url).expect_err("corrupt");
        assert!(matches!(error, Error::DecodeKeysRecord { .. }), "{error:?}");
        assert!(error.is_unreadable_keys_record());
        cache
            .update_keys::<Error>(url, |current| {
                assert_eq!(current, None);
                Ok(Some(record(2)))
            })
            .expect("replace");
        assert_eq!(
            cache.read_keys(url).expect("read").map(|r| r.version),
            Some(2)
        );
    }

    #[test]
    fn a_record_of_another_registry_is_refused() {
        let (cache, path) = cache_with_record("other_registry");
        let url = URL;
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, text.replace("registry.example", "elsewhere.example"))
            .expect("plant");
        let error = cache.read_keys(url).expect_err("other registry");
        assert!(
            matches!(error, Error::KeysRecordRegistry { .. }),
            "{error:?}"
        );
    }
}
