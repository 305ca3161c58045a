//! `assay-pack cache list | verify | clear`: the local pack cache, fully offline.
//!
//! The cache root is `--cache-dir`, else `ASSAY_CACHE_DIR`, else `~/.assay/cache/packs`.
//! `verify` checks every entry as a read would and evicts the bad ones (exit 1 when there
//! were any). Without `--trusted-key` it cannot know who may sign packs, so it checks
//! everything else — digest, metadata, that each envelope signs its pack — and reports
//! signed entries as `unchecked`: neither evicted nor vouched for, with a note on standard
//! error. Exit 0 then means "nothing is corrupt", not "every signer is trusted"; reads
//! check signers with the trust store every time in any case.

use std::fmt;
use std::path::Path;

use camino::Utf8PathBuf;
use registry_cache::{
    Audit, AuditOutcome, AuditReport, CacheSize, ListedEntry, PackCache, ReadOptions, RegistryId,
};
use registry_types::{Namespace, Timestamp};
use registry_verify::{SignatureStatus, TrustStore};
use snafu::ResultExt;

use crate::cli::{CacheArgs, CacheClearArgs, CacheCommand, CacheListArgs, CacheVerifyArgs};
use crate::commands::clock::{now, time_or_now};
use crate::error::{
    CacheEntriesFailedSnafu, CacheSnafu, LocateCacheSnafu, NonUtf8CacheDirSnafu, Result,
    print_stderr,
};
use crate::input::keys::public_key;
use crate::output;

/// What a command was doing with the cache when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CacheAction {
    /// `cache list`.
    List,
    /// `cache verify`.
    Verify,
    /// `cache clear`.
    Clear,
}

impl fmt::Display for CacheAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CacheAction::List => "list",
            CacheAction::Verify => "verify",
            CacheAction::Clear => "clear",
        })
    }
}

/// Runs `assay-pack cache …`.
pub(crate) fn run(args: &CacheArgs) -> Result<()> {
    let cache = open(args.cache_dir.as_deref())?;
    match &args.command {
        CacheCommand::List(list_args) => list(&cache, list_args),
        CacheCommand::Verify(verify_args) => verify(&cache, verify_args),
        CacheCommand::Clear(clear_args) => clear(&cache, clear_args),
    }
}

/// The cache at `--cache-dir`, or where the environment says.
fn open(dir: Option<&Path>) -> Result<PackCache> {
    match dir {
        Some(dir) => Utf8PathBuf::from_path_buf(dir.to_owned())
            .map(PackCache::new)
            .map_err(|path| NonUtf8CacheDirSnafu { path }.build()),
        None => PackCache::from_env().context(LocateCacheSnafu),
    }
}

fn list(cache: &PackCache, args: &CacheListArgs) -> Result<()> {
    let entries = cache.list().context(CacheSnafu {
        action: CacheAction::List,
        root: cache.root(),
    })?;
    let now = now();
    let total = CacheSize {
        entries: entries.len(),
        bytes: entries.iter().map(|entry| entry.size).sum(),
    };
    let text = if args.json {
        let value = serde_json::json!({
            "root": cache.root().as_str(),
            "entries": entries.iter().map(|entry| listed_json(entry, now)).collect::<Vec<_>>(),
            "total_entries": total.entries,
            "total_bytes": total.bytes,
        });
        format!("{value}\n")
    } else {
        let mut text = String::new();
        for entry in &entries {
            text.push_str(&listed_line(entry, now));
        }
        text.push_str(&format!(
            "{} entries, {} bytes in {}\n",
            total.entries,
            total.bytes,
            cache.root()
        ));
        text
    };
    print(&text)
}

fn listed_json(entry: &ListedEntry, now: Timestamp) -> serde_json::Value {
    let location = &entry.location;
    let mut value = serde_json::json!({
        "path": location.to_string(),
        "registry_id": location.registry().as_str(),
        "namespace": location.namespace().map(Namespace::as_str),
        "name": location.name().as_str(),
        "version": location.version().as_str(),
        "size_bytes": entry.size,
        "metadata_readable": entry.meta.is_some(),
    });
    if let (Some(meta), Some(object)) = (&entry.meta, value.as_object_mut()) {
        let fields = serde_json::json!({
            "registry_url": meta.registry_url,
            "digest": meta.digest.to_string(),
            "policy": meta.policy.as_str(),
            "signed": meta.signed,
            "key_id": meta.key_id.as_ref().map(ToString::to_string),
            "etag": meta.etag,
            "fetched_at": meta.fetched_at.to_string(),
            "expires_at": meta.expires_at.to_string(),
            "stale": meta.is_stale(now),
        });
        if let Some(fields) = fields.as_object() {
            object.extend(fields.clone());
        }
    }
    value
}

fn listed_line(entry: &ListedEntry, now: Timestamp) -> String {
    match &entry.meta {
        Some(meta) => format!(
            "{}  {} {} {}  {} bytes  {}\n",
            entry.location,
            meta.policy,
            if meta.signed { "signed" } else { "unsigned" },
            if meta.is_stale(now) { "stale" } else { "fresh" },
            entry.size,
            meta.digest
        ),
        None => format!(
            "{}  (metadata unreadable)  {} bytes\n",
            entry.location, entry.size
        ),
    }
}

fn verify(cache: &PackCache, args: &CacheVerifyArgs) -> Result<()> {
    let now = time_or_now(args.at.as_deref(), "--at")?;
    let mut trust = TrustStore::default();
    for path in &args.trusted_key {
        trust.add_pack_key(public_key(path)?);
    }
    let audit = if args.trusted_key.is_empty() {
        Audit::WithoutSignerCheck
    } else {
        Audit::Full(ReadOptions::new(&trust, now))
    };
    let report = cache.verify_all(&audit).context(CacheSnafu {
        action: CacheAction::Verify,
        root: cache.root(),
    })?;
    let (evicted, unreadable) = (report.evicted().count(), report.failed().count());
    let unchecked = report
        .entries
        .iter()
        .filter(|entry| matches!(entry.outcome, AuditOutcome::SignerNotChecked { .. }))
        .count();
    print(&if args.json {
        format!("{}\n", report_json(&report))
    } else {
        report_text(&report)
    })?;
    if unchecked > 0 {
        print_stderr(format_args!(
            "assay-pack: note: {unchecked} signed entries were checked without a trust store; \
             pass --trusted-key PUB to verify who signed them (every read does)"
        ));
    }
    snafu::ensure!(
        evicted == 0 && unreadable == 0,
        CacheEntriesFailedSnafu {
            evicted,
            unreadable,
            total: report.entries.len(),
        }
    );
    Ok(())
}

/// A word for the outcome, and its details.
fn outcome_parts(outcome: &AuditOutcome) -> (&'static str, String) {
    match outcome {
        AuditOutcome::Verified(SignatureStatus::Verified { key_ids, .. }) => (
            "ok",
            format!(
                "signed by {}",
                key_ids
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        AuditOutcome::Verified(_) => ("ok", "unsigned".to_owned()),
        AuditOutcome::SignerNotChecked { key_id } => (
            "unchecked",
            match key_id {
                Some(key_id) => format!("signed (key {key_id}); signer not checked"),
                None => "signed; signer not checked".to_owned(),
            },
        ),
        // A report may end in a line break; the detail is one item of a list.
        AuditOutcome::Evicted(reason) => ("evicted", report_line(reason)),
        AuditOutcome::Failed(error) => ("error", report_line(error)),
    }
}

/// An error and its causes, without a final line break.
fn report_line(error: &registry_cache::Error) -> String {
    crate::report::Chain(error)
        .to_string()
        .trim_end()
        .to_owned()
}

fn report_text(report: &AuditReport) -> String {
    let mut text = String::new();
    for entry in &report.entries {
        let (status, detail) = outcome_parts(&entry.outcome);
        text.push_str(&format!("{status:<9} {}: {detail}\n", entry.location));
    }
    text.push_str(&format!(
        "{} entries checked, {} evicted, {} not checked (disk errors), {} leftovers of \
         interrupted writes removed\n",
        report.entries.len(),
        report.evicted().count(),
        report.failed().count(),
        report.swept
    ));
    text
}

fn report_json(report: &AuditReport) -> serde_json::Value {
    let entries: Vec<_> = report
        .entries
        .iter()
        .map(|entry| {
            let (status, detail) = outcome_parts(&entry.outcome);
            serde_json::json!({
                "path": entry.location.to_string(),
                "status": status,
                "detail": detail,
            })
        })
        .collect();
    serde_json::json!({
        "entries": entries,
        "evicted": report.evicted().count(),
        "errors": report.failed().count(),
        "swept": report.swept,
    })
}

fn clear(cache: &PackCache, args: &CacheClearArgs) -> Result<()> {
    let context = CacheSnafu {
        action: CacheAction::Clear,
        root: cache.root(),
    };
    let removed = match &args.registry {
        Some(url) => cache.clear_registry(&RegistryId::from_url(url)),
        None => cache.clear_all(),
    }
    .context(context)?;
    print(&format!(
        "removed {} entries ({} bytes) from {}\n",
        removed.entries,
        removed.bytes,
        cache.root()
    ))
}

fn print(text: &str) -> Result<()> {
    output::print(text.as_bytes())
}
