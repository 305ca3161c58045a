//! The JSON listings: `/packs/{name}/versions`, the paginated `/packs`, and `/keys`.

use data_encoding::BASE64URL_NOPAD;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use registry_types::wire::{JSON_MEDIA_TYPE, PackPage, PackSummary, PackVersions, VersionInfo};
use registry_types::{Namespace, PackName, Version};

use crate::body::ResponseBody;
use crate::catalog::Versions;
use crate::dispatch::Shared;
use crate::reply::{self, Reply, set_header};
use crate::route::query_param;

/// The page size of `/packs` when `limit` is absent.
pub const DEFAULT_PAGE_LIMIT: usize = 50;

/// The largest page of `/packs`; a larger `limit` is lowered to it.
pub const MAX_PAGE_LIMIT: usize = 100;

/// `GET /packs/{name}/versions`.
pub(crate) fn versions(shared: &Shared, namespace: Option<&Namespace>, name: &PackName) -> Reply {
    let Some(versions) = shared.catalog.versions(namespace, name) else {
        return reply::not_found(format!("Pack '{name}'"));
    };
    let body = PackVersions {
        name: name.clone(),
        namespace: namespace.cloned(),
        versions: versions
            .values()
            .map(|entry| VersionInfo {
                version: entry.version.clone(),
                released: entry.meta.released.map(Into::into),
                deprecated: entry.meta.deprecated,
                digest: Some(entry.digest),
                policy: Some(entry.policy),
                revoked: entry.meta.revoked.is_some(),
            })
            .collect(),
        latest: latest(versions).cloned(),
    };
    reply::json(StatusCode::OK, &body)
}

/// The version to recommend: the highest that is not revoked, preferring releases over
/// pre-releases and current versions over deprecated ones.
fn latest(versions: &Versions) -> Option<&Version> {
    let candidates = || {
        versions
            .values()
            .rev()
            .filter(|entry| entry.meta.revoked.is_none())
    };
    candidates()
        .find(|entry| entry.version.pre_release().is_none() && !entry.meta.deprecated)
        .or_else(|| candidates().find(|entry| entry.version.pre_release().is_none()))
        .or_else(|| candidates().next())
        .map(|entry| &entry.version)
}

/// `GET /packs?limit=&cursor=`: packs in name order; the cursor is the last name of the
/// previous page, base64url-encoded.
pub(crate) fn list(shared: &Shared, namespace: Option<&Namespace>, query: Option<&str>) -> Reply {
    let limit = match query_param(query, "limit") {
        None => DEFAULT_PAGE_LIMIT,
        Some(text) => match text.as_deref().and_then(page_limit) {
            Some(limit) => limit,
            None => return reply::bad_request("limit must be an integer from 1 to 100"),
        },
    };
    let after = match query_param(query, "cursor") {
        None => None,
        Some(text) => match text.as_deref().and_then(decode_cursor) {
            Some(name) => Some(name),
            None => return reply::bad_request("the cursor is not one this server issued"),
        },
    };
    let mut page = shared.catalog.packs_after(namespace, after.as_ref());
    let packs: Vec<PackSummary> = page
        .by_ref()
        .take(limit)
        .map(|(name, versions)| PackSummary {
            name: name.clone(),
            namespace: namespace.cloned(),
            latest: latest(versions).cloned(),
            versions: versions.keys().cloned().collect(),
        })
        .collect();
    let has_more = page.next().is_some();
    let next_cursor = has_more
        .then(|| packs.last())
        .flatten()
        .map(|last| BASE64URL_NOPAD.encode(last.name.as_str().as_bytes()));
    reply::json(
        StatusCode::OK,
        &PackPage {
            packs,
            next_cursor,
            has_more,
        },
    )
}

/// A `limit` value: a positive decimal integer, lowered to [`MAX_PAGE_LIMIT`] however many
/// digits it has.
fn page_limit(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    // All digits: a parse can fail only by overflowing, which is "larger than the maximum".
    let limit = text.parse::<usize>().unwrap_or(usize::MAX);
    (limit > 0).then(|| limit.min(MAX_PAGE_LIMIT))
}

fn decode_cursor(cursor: &str) -> Option<PackName> {
    let bytes = BASE64URL_NOPAD.decode(cursor.as_bytes()).ok()?;
    PackName::parse(std::str::from_utf8(&bytes).ok()?).ok()
}

/// `GET /keys`: the signed keys manifest, a bare DSSE envelope.
pub(crate) fn keys(shared: &Shared) -> Reply {
    let mut response = http::Response::new(ResponseBody::full(shared.keys_manifest.clone()));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_MEDIA_TYPE));
    let max_age = shared.settings.keys_max_age.as_secs();
    set_header(
        &mut response,
        CACHE_CONTROL.as_str(),
        &format!("public, max-age={max_age}"),
    );
    response
}
