//! `assay-pack fetch`: registry packs, verified, to stdout or files.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use registry_resolve::{PackResolver, ResolvedPack};
use registry_types::PackRef;
use serde_json::json;
use snafu::{ResultExt, ensure};

use crate::cli::FetchArgs;
use crate::commands::registry_session::{report_verified, resolver, runtime};
use crate::error::{
    CreateOutputDirSnafu, Error, FetchUsageSnafu, InvalidReferenceSnafu, NotARegistryRefSnafu,
    Result, SomeInputsFailedSnafu, print_stderr,
};
use crate::exit::ExitStatus;
use crate::output::{print, replace_file};

/// Runs `assay-pack fetch`.
pub(crate) fn run(args: &FetchArgs) -> Result<()> {
    let refs = parse_refs(&args.refs)?;
    let several = refs.len() > 1;
    ensure!(
        !several || args.output_dir.is_some() || args.json,
        FetchUsageSnafu {
            problem: "several packs need --output-dir DIR (or --json for a report only)"
        }
    );
    ensure!(
        !(several && args.output.is_some()),
        FetchUsageSnafu {
            problem: "--output takes one pack; use --output-dir DIR for several"
        }
    );
    if let Some(dir) = &args.output_dir {
        std::fs::create_dir_all(dir).context(CreateOutputDirSnafu { path: dir.clone() })?;
    }
    let resolver = Arc::new(resolver(&args.registry)?);
    let runtime = runtime()?;
    let progress = progress(refs.len());
    let results = runtime.block_on(fetch_all(&resolver, refs.clone(), &progress));
    progress.finish_and_clear();

    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (reference, result) in refs.iter().zip(results) {
        match result.and_then(|pack| deliver(args, several, &pack).map(|written| (pack, written))) {
            Ok((pack, written)) => {
                report_verified(&pack);
                report.push(pack_json(reference, &pack, written.as_deref()));
            }
            Err(error) => {
                let status = error.exit_status();
                if args.json {
                    report.push(json!({
                        "reference": reference.to_string(),
                        "error": crate::report::Chain(&error).to_string(),
                        "exit_code": status.code(),
                    }));
                }
                failures.push((reference.clone(), error));
            }
        }
    }
    if args.json {
        print(format!("{}\n", json!({ "packs": report })).as_bytes())?;
    }
    finish(refs.len(), failures)
}

/// Parses every reference first: a malformed one is a usage error before anything is fetched.
fn parse_refs(texts: &[String]) -> Result<Vec<PackRef>> {
    texts
        .iter()
        .map(|text| {
            let reference = PackRef::parse(text).context(InvalidReferenceSnafu {
                reference: text.clone(),
            })?;
            ensure!(
                matches!(reference, PackRef::Registry(_)),
                NotARegistryRefSnafu {
                    reference: text.clone()
                }
            );
            Ok(reference)
        })
        .collect()
}

async fn fetch_all(
    resolver: &Arc<PackResolver>,
    refs: Vec<PackRef>,
    progress: &ProgressBar,
) -> Vec<Result<ResolvedPack>> {
    let results = resolver.resolve_all(refs).await;
    progress.inc(results.len() as u64);
    results
        .into_iter()
        .map(|result| {
            result.map_err(|source| Error::Resolve {
                source: Box::new(source),
            })
        })
        .collect()
}

/// A spinner on stderr while packs are fetched; indicatif draws nothing when stderr is not
/// a terminal.
fn progress(count: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(count as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} fetching {len} pack(s) {elapsed}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Writes a verified pack where asked; returns the file written, if any.
fn deliver(args: &FetchArgs, several: bool, pack: &ResolvedPack) -> Result<Option<PathBuf>> {
    if let Some(dir) = &args.output_dir {
        let path = dir.join(format!("{}@{}.yaml", pack.name, pack.version));
        replace_file(&path, &pack.bytes)?;
        return Ok(Some(path));
    }
    if let Some(path) = &args.output {
        replace_file(path, &pack.bytes)?;
        return Ok(Some(path.clone()));
    }
    if !several && !args.json {
        print(&pack.bytes)?;
    }
    Ok(None)
}

/// The JSON report of one pack.
pub(crate) fn pack_json(
    reference: &PackRef,
    pack: &ResolvedPack,
    written: Option<&Path>,
) -> serde_json::Value {
    let origin = pack.registry_origin();
    json!({
        "reference": reference.to_string(),
        "name": pack.name.as_str(),
        "version": pack.version.as_str(),
        "digest": pack.digest.to_string(),
        "source": pack.source.label(),
        "verification": pack.verification.to_string(),
        "key_ids": pack.verification.key_ids().map(ToString::to_string).collect::<Vec<_>>(),
        "policy": origin.map(|origin| origin.policy.to_string()),
        "registry_url": origin.map(|origin| origin.registry_url.clone()),
        "delivery": origin.map(|origin| origin.delivery.to_string()),
        "warnings": pack.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "output": written.map(|path| path.display().to_string()),
    })
}

/// Reports the failures; one failure keeps its own error, several are summed up with the
/// most severe status.
fn finish(total: usize, failures: Vec<(PackRef, Error)>) -> Result<()> {
    if failures.len() == 1 && total == 1 {
        let Some((_, error)) = failures.into_iter().next() else {
            return Ok(());
        };
        return Err(error);
    }
    let mut worst: Option<ExitStatus> = None;
    let failed = failures.len();
    for (reference, error) in failures {
        let status = error.exit_status();
        print_stderr(format_args!(
            "assay-pack: {reference}: {}",
            crate::report::Chain(&error)
        ));
        worst = Some(worst.map_or(status, |worst| worst.most_severe(status)));
    }
    match worst {
        None => Ok(()),
        Some(status) => SomeInputsFailedSnafu {
            failed,
            total,
            status,
        }
        .fail(),
    }
}
