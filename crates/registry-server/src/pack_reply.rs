//! Pack responses: the body with every protocol header, 304 and 410, the sidecar, and the pack faults.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderValue,
    IF_NONE_MATCH, VARY,
};
use http::{Request, Response, StatusCode};
use registry_types::wire::{
    CONTENT_DIGEST, JSON_MEDIA_TYPE, PACK_MEDIA_TYPE, RevocationBody, SIDECAR_SUFFIX,
    X_PACK_DIGEST, X_PACK_KEY_ID, X_PACK_LICENSE, X_PACK_POLICY, X_PACK_SIGNATURE,
    X_PACK_SIGNATURE_ENDPOINT,
};
use registry_types::{Namespace, PackName, Policy, Version};

use crate::body::ResponseBody;
use crate::body::{self, accepts_gzip, content_digest, filler_chunk};
use crate::catalog::PackEntry;
use crate::config::SidecarAdvertisement;
use crate::dispatch::{Shared, authorize};
use crate::fault::Faults;
use crate::reply::{self, Reply, set_header};
use crate::signature::oversized_header_value;

/// The size of the body sent by the oversized-body fault: 11 MiB.
pub const OVERSIZED_BODY_BYTES: usize = 11 * 1024 * 1024;

/// The size of `X-Pack-Signature` under the oversized-headers fault: 80 KiB.
pub const OVERSIZED_SIGNATURE_HEADER_BYTES: usize = 80 * 1024;

/// What the tamper fault appends to a pack.
pub const TAMPER_SUFFIX: &str = "\ntampered-by-fault: true\n";

/// Answers `/packs/{name}/{segment}`: the pack, or its sidecar when `segment` is a served
/// version plus `.sig`.
pub(crate) fn pack_or_sidecar<B>(
    shared: &Shared,
    request: &Request<B>,
    namespace: Option<&Namespace>,
    name: &PackName,
    segment: &str,
) -> Reply {
    let mix_and_match = shared.faults.current().mix_and_match;
    let lookup = |text: &str| {
        let version = Version::parse(text).ok()?;
        let entry = shared.catalog.pack(namespace, name, &version)?;
        if mix_and_match && let Some(other) = shared.catalog.other_than(entry) {
            return Some(other);
        }
        Some(Arc::clone(entry))
    };
    if let Some(entry) = lookup(segment) {
        return pack(shared, request, &entry);
    }
    if let Some(entry) = segment.strip_suffix(SIDECAR_SUFFIX).and_then(lookup) {
        return sidecar(shared, request, &entry);
    }
    let version = segment.strip_suffix(SIDECAR_SUFFIX).unwrap_or(segment);
    if Version::parse(version).is_err() {
        return reply::bad_request(format!("{version:?} is not a valid version"));
    }
    reply::not_found(format!("Pack '{}'", pack_label(namespace, name, version)))
}

/// `org/name@version` or `name@version`.
fn pack_label(namespace: Option<&Namespace>, name: &PackName, version: &str) -> String {
    match namespace {
        Some(org) => format!("{org}/{name}@{version}"),
        None => format!("{name}@{version}"),
    }
}

/// The refusal for authorization or revocation, if any, shared by the pack and its sidecar.
fn refusal<B>(shared: &Shared, request: &Request<B>, entry: &PackEntry) -> Option<Reply> {
    if let Some(refusal) = authorize(shared, request, entry) {
        return Some(refusal);
    }
    if let Some(revocation) = &entry.meta.revoked {
        let label = pack_label(
            entry.namespace.as_ref(),
            &entry.name,
            entry.version.as_str(),
        );
        return Some(reply::json(
            StatusCode::GONE,
            &RevocationBody::new(
                &revocation.reason,
                revocation.safe_version.as_ref().map(ToString::to_string),
                format!("pack '{label}' was revoked: {}", revocation.reason),
            ),
        ));
    }
    None
}

/// The pack itself.
fn pack<B>(shared: &Shared, request: &Request<B>, entry: &Arc<PackEntry>) -> Reply {
    if let Some(refusal) = refusal(shared, request, entry) {
        return refusal;
    }
    let faults = shared.faults.current();
    let digest = if faults.wrong_digest_header {
        registry_canon::digest_of_canonical_bytes(b"{\"wrong\":\"digest\"}")
    } else {
        entry.digest
    };
    let etag = format!("\"{digest}\"");
    let mut response = Response::new(ResponseBody::empty());
    set_header(&mut response, ETAG.as_str(), &etag);
    set_header(&mut response, X_PACK_DIGEST, &digest.to_string());
    let policy = advertised_policy(entry, &faults);
    set_header(&mut response, X_PACK_POLICY, policy.as_str());
    if let Some(license) = &entry.meta.license {
        set_header(&mut response, X_PACK_LICENSE, license);
    }
    set_cache_control(shared, &mut response, policy);
    let vary = if policy.requires_signature() {
        "Accept-Encoding, Authorization"
    } else {
        "Accept-Encoding"
    };
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static(vary));

    if if_none_match(request, &etag) {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        return response;
    }

    signature_headers(shared, &mut response, entry, &faults);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(PACK_MEDIA_TYPE));
    let gzip = request
        .headers()
        .get(http::header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(accepts_gzip);
    let body = body(&mut response, entry, &faults, gzip);
    *response.body_mut() = body;
    response
}

/// The policy announced in `X-Pack-Policy`: the pack's, or `open` under the downgrade fault.
fn advertised_policy(entry: &PackEntry, faults: &Faults) -> Policy {
    if faults.downgrade_policy {
        Policy::Open
    } else {
        entry.policy
    }
}

/// Whether the signature is withheld (header, endpoint, key id and sidecar) by a fault.
fn signature_hidden(entry: &PackEntry, faults: &Faults) -> bool {
    faults.missing_signature || (faults.downgrade_policy && entry.policy.requires_signature())
}

/// Whether `If-None-Match` matches `etag` (weakly, or `*`).
fn if_none_match<B>(request: &Request<B>, etag: &str) -> bool {
    request
        .headers()
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|candidate| candidate.trim())
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}

/// `X-Pack-Key-Id`, `X-Pack-Signature` and `X-Pack-Signature-Endpoint`, as configured and
/// faulted.
fn signature_headers(shared: &Shared, response: &mut Reply, entry: &PackEntry, faults: &Faults) {
    if signature_hidden(entry, faults) {
        return;
    }
    let signature = &entry.signature;
    set_header(response, X_PACK_KEY_ID, signature.key_id.as_str());
    let settings = &shared.settings;
    let small = signature.json.len() <= settings.signature_header_max;
    if faults.oversized_headers {
        let real = signature.header_value(faults.bad_signature);
        let value = oversized_header_value(&real, OVERSIZED_SIGNATURE_HEADER_BYTES);
        set_header(response, X_PACK_SIGNATURE, &value);
        let filler = "f".repeat(1024);
        for index in 0..40 {
            if let Ok(name) = http::HeaderName::from_bytes(format!("x-filler-{index}").as_bytes())
                && let Ok(value) = HeaderValue::from_str(&filler)
            {
                response.headers_mut().insert(name, value);
            }
        }
    } else if small {
        set_header(
            response,
            X_PACK_SIGNATURE,
            &signature.header_value(faults.bad_signature),
        );
    }
    let advertise = match settings.sidecar_advertisement {
        SidecarAdvertisement::WhenHeaderOmitted => !small,
        SidecarAdvertisement::Always => true,
        SidecarAdvertisement::Never => false,
    };
    if advertise {
        set_header(response, X_PACK_SIGNATURE_ENDPOINT, &entry.sidecar_path());
    }
}

/// Chooses the body (and sets `Content-Digest`, `Content-Encoding`, `Content-Length`).
fn body(response: &mut Reply, entry: &PackEntry, faults: &Faults, gzip: bool) -> ResponseBody {
    if faults.endless_body {
        return ResponseBody::endless();
    }
    if faults.gzip_bomb {
        response
            .headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return ResponseBody::full(body::gzip_bomb());
    }
    // The bytes before content coding: the pack as stored, or what a fault makes of it.
    let altered = if faults.oversized_body {
        let mut data = BytesMut::with_capacity(OVERSIZED_BODY_BYTES);
        data.extend_from_slice(&entry.body);
        let filler = filler_chunk();
        while data.len() < OVERSIZED_BODY_BYTES {
            let take = filler.len().min(OVERSIZED_BODY_BYTES - data.len());
            data.extend_from_slice(&filler[..take]);
        }
        Some(data.freeze())
    } else if faults.tamper_body {
        let mut data = BytesMut::from(&entry.body[..]);
        data.extend_from_slice(TAMPER_SUFFIX.as_bytes());
        Some(data.freeze())
    } else {
        None
    };
    let digest = match (&altered, faults.wrong_content_digest) {
        (_, true) => content_digest(b"not the body"),
        (Some(altered), false) => content_digest(altered),
        (None, false) => entry.content_digest.clone(),
    };
    set_header(response, CONTENT_DIGEST, &digest);
    let gzip = gzip && !faults.oversized_body;
    if gzip {
        response
            .headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    let sent = match (altered, gzip) {
        (Some(altered), true) => body::gzip(&altered),
        (Some(altered), false) => altered,
        (None, true) => entry.gzip_body(),
        (None, false) => entry.body.clone(),
    };
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(sent.len()));
    match faults.slow_body {
        Some(pause) => ResponseBody::slow(sent, pause),
        None => ResponseBody::full(sent),
    }
}

/// The sidecar: the envelope JSON, or 404 when a fault withholds the signature.
fn sidecar<B>(shared: &Shared, request: &Request<B>, entry: &Arc<PackEntry>) -> Reply {
    if let Some(refusal) = refusal(shared, request, entry) {
        return refusal;
    }
    let faults = shared.faults.current();
    let label = pack_label(
        entry.namespace.as_ref(),
        &entry.name,
        entry.version.as_str(),
    );
    if signature_hidden(entry, &faults) {
        return reply::not_found(format!("signature of pack '{label}'"));
    }
    let json: Bytes = entry.signature.envelope_json(faults.bad_signature).clone();
    let mut response = Response::new(ResponseBody::full(json));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_MEDIA_TYPE));
    set_header(
        &mut response,
        X_PACK_KEY_ID,
        entry.signature.key_id.as_str(),
    );
    set_cache_control(shared, &mut response, entry.policy);
    response
}

/// `Cache-Control`: private for packs that need a signature (they may need a token too),
/// public for open ones, with the configured max-age.
fn set_cache_control(shared: &Shared, response: &mut Reply, policy: Policy) {
    let cache = if policy.requires_signature() {
        "private"
    } else {
        "public"
    };
    let max_age = shared.settings.pack_max_age.as_secs();
    set_header(
        response,
        CACHE_CONTROL.as_str(),
        &format!("{cache}, max-age={max_age}"),
    );
}
