//! `assay-pack lock`: pin packs in a lockfile, or verify, check or update it.

use std::sync::Arc;

use camino::Utf8PathBuf;
use registry_lock::{
    Lockfile, VerifyLockResult, check_lockfile, generate_lockfile, update_lockfile, verify_lockfile,
};
use registry_types::PackRef;
use snafu::{OptionExt, ResultExt, ensure};

use crate::cli::LockArgs;
use crate::commands::registry_session::{resolver, runtime};
use crate::error::{
    FetchUsageSnafu, InvalidReferenceSnafu, LockMismatchSnafu, LockOperationSnafu,
    LockOutdatedSnafu, LockfileSnafu, NonUtf8LockfileSnafu, Result, print_stderr,
};
use crate::output::print;

/// Runs `assay-pack lock`.
pub(crate) fn run(args: &LockArgs) -> Result<()> {
    let path = Utf8PathBuf::from_path_buf(args.lockfile.clone())
        .ok()
        .context(NonUtf8LockfileSnafu {
            path: args.lockfile.clone(),
        })?;
    let refs = args
        .refs
        .iter()
        .map(|text| {
            PackRef::parse(text).context(InvalidReferenceSnafu {
                reference: text.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let locked = args.locked || args.frozen;
    let mut registry = args.registry.clone();
    registry.offline |= args.frozen;
    let existing = Lockfile::load_if_exists(&path)
        .map_err(Box::new)
        .context(LockfileSnafu)?;
    ensure!(
        !(locked && existing.is_none()),
        FetchUsageSnafu {
            problem: "--locked/--frozen: there is no lockfile to hold to"
        }
    );
    let resolver = Arc::new(resolver(&registry)?);
    let runtime = runtime()?;

    if args.verify || args.check {
        let Some(lockfile) = existing else {
            return FetchUsageSnafu {
                problem: "there is no lockfile to verify; create it with `assay-pack lock REF…`",
            }
            .fail();
        };
        if args.verify {
            let result = operation(runtime.block_on(verify_lockfile(&resolver, &lockfile)))?;
            return report(&path, &result, false);
        }
        let outcome = operation(runtime.block_on(check_lockfile(&resolver, &lockfile, &refs)))?;
        return report(&path, &outcome.result, outcome.would_change);
    }
    if args.update {
        let previous = existing.unwrap_or_else(|| Lockfile::new(resolver.config().clock.now(), []));
        let next = operation(runtime.block_on(update_lockfile(&resolver, &previous, &refs)))?;
        let changed = next.to_yaml() != previous.to_yaml();
        ensure!(
            !(locked && changed),
            LockOutdatedSnafu {
                path: path.clone(),
                hint: "--locked forbids changing it"
            }
        );
        if changed {
            next.save(&path).map_err(Box::new).context(LockfileSnafu)?;
        }
        return print(
            format!(
                "{} {} pack(s) in {path}\n",
                if changed { "updated:" } else { "up to date:" },
                next.len()
            )
            .as_bytes(),
        );
    }
    match existing {
        None => {
            ensure!(
                !refs.is_empty(),
                FetchUsageSnafu {
                    problem: "nothing to lock: name the packs (REF…)"
                }
            );
            let lockfile = operation(runtime.block_on(generate_lockfile(&resolver, &refs)))?;
            lockfile
                .save(&path)
                .map_err(Box::new)
                .context(LockfileSnafu)?;
            print(format!("locked {} pack(s) in {path}\n", lockfile.len()).as_bytes())
        }
        Some(lockfile) => {
            let outcome = operation(runtime.block_on(check_lockfile(&resolver, &lockfile, &refs)))?;
            report(&path, &outcome.result, outcome.would_change)
        }
    }
}

/// A lock operation's result, with its error wrapped for the CLI.
fn operation<T>(result: registry_lock::Result<T>) -> Result<T> {
    result.map_err(Box::new).context(LockOperationSnafu)
}

/// Prints the comparison; fails (exit 1) on any mismatch that is an error, or when the file
/// would change.
fn report(path: &Utf8PathBuf, result: &VerifyLockResult, would_change: bool) -> Result<()> {
    for warning in result.warnings() {
        print_stderr(format_args!("warning: {warning}"));
    }
    let errors: Vec<_> = result.errors().collect();
    for error in &errors {
        print_stderr(format_args!("mismatch: {error}"));
    }
    ensure!(
        errors.is_empty(),
        LockMismatchSnafu {
            path: path.clone(),
            count: errors.len()
        }
    );
    ensure!(
        !would_change,
        LockOutdatedSnafu {
            path: path.clone(),
            hint: "run `assay-pack lock --update` and commit the result",
        }
    );
    print(
        format!(
            "ok: {} locked pack(s) match {path}\n",
            result.matched().len()
        )
        .as_bytes(),
    )
}
