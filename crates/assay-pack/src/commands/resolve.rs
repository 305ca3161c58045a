//! `assay-pack resolve`: one reference through the full resolution order.

use registry_types::PackRef;
use serde_json::json;
use snafu::ResultExt;

use crate::cli::ResolveArgs;
use crate::commands::fetch::pack_json;
use crate::commands::registry_session::{report_verified, resolver, runtime};
use crate::error::{InvalidReferenceSnafu, ResolveSnafu, Result};
use crate::output::{print, replace_file};

/// Runs `assay-pack resolve`.
pub(crate) fn run(args: &ResolveArgs) -> Result<()> {
    let reference = PackRef::parse(&args.reference).context(InvalidReferenceSnafu {
        reference: args.reference.clone(),
    })?;
    let resolver = resolver(&args.registry)?;
    let pack = runtime()?
        .block_on(resolver.resolve_ref(&reference, None))
        .map_err(Box::new)
        .context(ResolveSnafu)?;
    if let Some(path) = &args.output {
        replace_file(path, &pack.bytes)?;
    }
    report_verified(&pack);
    if args.json {
        let report = pack_json(&reference, &pack, args.output.as_deref());
        print(format!("{}\n", json!(report)).as_bytes())
    } else {
        print(
            format!(
                "{}@{} {} from {}\n",
                pack.name, pack.version, pack.digest, pack.source
            )
            .as_bytes(),
        )
    }
}
