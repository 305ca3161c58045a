//! `assay-pack versions` and `assay-pack search`: the registry's listings as tables or JSON.

use registry_types::wire::Released;
use registry_types::{Namespace, PackName, UntrustedText};
use serde_json::json;
use snafu::{ResultExt, ensure};

use crate::cli::{SearchArgs, VersionsArgs};
use crate::commands::registry_session::{resolver, runtime};
use crate::error::{FetchUsageSnafu, InvalidArgumentSnafu, ListingSnafu, Result};
use crate::output::print;

/// Runs `assay-pack versions [ORG/]NAME`.
pub(crate) fn versions(args: &VersionsArgs) -> Result<()> {
    ensure!(
        !args.registry.offline,
        FetchUsageSnafu {
            problem: "versions asks the registry; it cannot run --offline"
        }
    );
    let (namespace, name) = match args.name.split_once('/') {
        Some((org, name)) => (
            Some(Namespace::parse(org).context(InvalidArgumentSnafu { option: "ORG" })?),
            name,
        ),
        None => (None, args.name.as_str()),
    };
    let name = PackName::parse(name).context(InvalidArgumentSnafu { option: "NAME" })?;
    let resolver = resolver(&args.registry)?;
    let listing = runtime()?
        .block_on(resolver.client().versions_in(namespace.as_ref(), &name))
        .map_err(Box::new)
        .context(ListingSnafu {
            what: format!("the versions of {}", args.name),
        })?;
    if args.json {
        let versions: Vec<_> = listing
            .versions
            .iter()
            .map(|info| {
                json!({
                    "version": info.version.as_str(),
                    "released": info.released.as_ref().map(shown),
                    "deprecated": info.deprecated,
                    "revoked": info.revoked,
                    "digest": info.digest.map(|digest| digest.to_string()),
                    "policy": info.policy.map(|policy| policy.to_string()),
                })
            })
            .collect();
        let report = json!({
            "name": args.name,
            "latest": listing.latest.as_ref().map(|latest| latest.as_str()),
            "versions": versions,
        });
        return print(format!("{report}\n").as_bytes());
    }
    let mut table = format!(
        "{:<20} {:<22} {:<11} {}\n",
        "VERSION", "RELEASED", "STATUS", "DIGEST"
    );
    for info in &listing.versions {
        let status = match (
            info.revoked,
            info.deprecated,
            listing.latest.as_ref() == Some(&info.version),
        ) {
            (true, _, _) => "revoked",
            (false, true, _) => "deprecated",
            (false, false, true) => "latest",
            (false, false, false) => "",
        };
        table.push_str(&format!(
            "{:<20} {:<22} {:<11} {}\n",
            info.version.as_str(),
            info.released
                .as_ref()
                .map(shown)
                .unwrap_or_else(|| "-".to_owned()),
            status,
            info.digest
                .map(|digest| digest.to_string())
                .unwrap_or_else(|| "-".to_owned()),
        ));
    }
    print(table.as_bytes())
}

/// A release time as the registry wrote it, control characters removed and truncated
/// (a value that is not a date-time is shown as received).
fn shown(released: &Released) -> String {
    UntrustedText::with_max_chars(&released.to_string(), 40)
        .as_str()
        .to_owned()
}

/// Runs `assay-pack search [PREFIX]`.
pub(crate) fn search(args: &SearchArgs) -> Result<()> {
    ensure!(
        !args.registry.offline,
        FetchUsageSnafu {
            problem: "search asks the registry; it cannot run --offline"
        }
    );
    let resolver = resolver(&args.registry)?;
    let packs = runtime()?
        .block_on(resolver.client().list_packs().collect_all())
        .map_err(Box::new)
        .context(ListingSnafu {
            what: "the pack listing".to_owned(),
        })?;
    let prefix = args.prefix.as_deref().unwrap_or("");
    let matching: Vec<_> = packs
        .iter()
        .filter(|pack| pack.name.as_str().starts_with(prefix))
        .collect();
    if args.json {
        let report: Vec<_> = matching
            .iter()
            .map(|pack| {
                json!({
                    "name": pack.name.as_str(),
                    "namespace": pack.namespace.as_ref().map(|org| org.as_str()),
                    "latest": pack.latest.as_ref().map(|latest| latest.as_str()),
                    "versions": pack.versions.iter().map(|version| version.as_str()).collect::<Vec<_>>(),
                })
            })
            .collect();
        return print(format!("{}\n", json!({ "packs": report })).as_bytes());
    }
    let mut table = format!("{:<40} {:<20} {}\n", "NAME", "LATEST", "VERSIONS");
    for pack in matching {
        let name = match &pack.namespace {
            Some(org) => format!("{org}/{}", pack.name),
            None => pack.name.to_string(),
        };
        table.push_str(&format!(
            "{:<40} {:<20} {}\n",
            name,
            pack.latest
                .as_ref()
                .map(|latest| latest.as_str())
                .unwrap_or("-"),
            pack.versions.len()
        ));
    }
    print(table.as_bytes())
}
