//! Pack responses: body, every header, digests computed independently, HEAD, 304, gzip, sidecar, 404 and 410.

use std::io::Read;

use data_encoding::BASE64;
use registry_server::SidecarAdvertisement;
use registry_verify::{Envelope, PublicKey};

use crate::support::{pack_file, raw, start, start_with};

const BASELINE: &str = "/v1/packs/eu-ai-act-baseline/1.0.0";

/// `sha256:<hex>` of the canonical bytes, from the canonicalizer and ring's SHA-256 directly.
fn expected_digest(pack: &[u8]) -> String {
    let canonical = registry_canon::CanonicalPack::from_yaml(pack, &Default::default()).unwrap();
    let hash = ring::digest::digest(&ring::digest::SHA256, canonical.bytes());
    format!("sha256:{}", data_encoding::HEXLOWER.encode(hash.as_ref()))
}

fn expected_content_digest(body: &[u8]) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, body);
    format!("sha-256=:{}:", BASE64.encode(hash.as_ref()))
}

/// The pack-signing key the server lists in `/keys`.
async fn signing_key(server: &registry_server::RunningServer) -> PublicKey {
    let keys = raw(server, "GET", "/v1/keys", &[]).await;
    let envelope = Envelope::from_json(&keys.body).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(envelope.payload()).unwrap();
    let entry = manifest["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["key_id"] == server.signing_key_id().as_str())
        .expect("signing key listed");
    PublicKey::from_base64_spki(entry["public_key"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn open_pack_carries_every_header_with_independent_digests() {
    let server = start().await;
    let file = pack_file("packs/eu-ai-act-baseline/1.0.0");
    let response = raw(&server, "GET", BASELINE, &[]).await;
    assert_eq!(response.status, 200, "{}", response.head);
    assert_eq!(response.body, file);
    let digest = expected_digest(&file);
    assert_eq!(response.header("x-pack-digest"), Some(digest.as_str()));
    assert_eq!(
        response.header("etag"),
        Some(format!("\"{digest}\"").as_str())
    );
    assert_eq!(
        response.header("content-digest"),
        Some(expected_content_digest(&file).as_str())
    );
    assert_eq!(response.header("content-type"), Some("application/x-yaml"));
    assert_eq!(
        response.header("content-length"),
        Some(file.len().to_string().as_str())
    );
    assert_eq!(response.header("x-pack-policy"), Some("open"));
    assert_eq!(response.header("x-pack-license"), Some("MIT"));
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=3600")
    );
    assert_eq!(response.header("vary"), Some("Accept-Encoding"));
    assert_eq!(
        response.header("x-pack-key-id"),
        Some(server.signing_key_id().as_str())
    );
    // A small envelope travels in the header, so the sidecar is not advertised.
    assert_eq!(response.header("x-pack-signature-endpoint"), None);
    let envelope = BASE64
        .decode(response.header("x-pack-signature").unwrap().as_bytes())
        .unwrap();
    let envelope = Envelope::from_json(&envelope).unwrap();
    let canonical = registry_canon::CanonicalPack::from_yaml(&file, &Default::default()).unwrap();
    assert_eq!(envelope.payload(), canonical.bytes());
    assert_eq!(envelope.payload_type(), registry_verify::PACK_PAYLOAD_TYPE);
    let key = signing_key(&server).await;
    envelope
        .verify_signature(&envelope.signatures()[0], &key)
        .unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn commercial_packs_are_private_and_missing_meta_means_commercial() {
    let server = start().await;
    let pro = raw(&server, "GET", "/v1/packs/eu-ai-act-pro/1.2.0", &[]).await;
    assert_eq!(pro.status, 200);
    assert_eq!(pro.header("x-pack-policy"), Some("commercial"));
    assert_eq!(
        pro.header("x-pack-license"),
        Some("LicenseRef-assay-commercial")
    );
    assert_eq!(pro.header("cache-control"), Some("private, max-age=3600"));
    assert_eq!(pro.header("vary"), Some("Accept-Encoding, Authorization"));
    let rc = raw(&server, "GET", "/v1/packs/hipaa-core/1.0.0-rc.1", &[]).await;
    assert_eq!(rc.status, 200);
    assert_eq!(rc.header("x-pack-policy"), Some("commercial"));
    assert_eq!(rc.header("x-pack-license"), None);
    server.shutdown().await;
}

#[tokio::test]
async fn head_has_the_headers_of_get_and_no_body() {
    let server = start().await;
    let get = raw(&server, "GET", BASELINE, &[]).await;
    let head = raw(&server, "HEAD", BASELINE, &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for name in [
        "etag",
        "x-pack-digest",
        "content-digest",
        "x-pack-policy",
        "x-pack-signature",
        "x-pack-key-id",
        "cache-control",
        "content-length",
    ] {
        assert_eq!(head.header(name), get.header(name), "{name}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn if_none_match_gives_304() {
    let server = start().await;
    let first = raw(&server, "GET", BASELINE, &[]).await;
    let etag = first.header("etag").unwrap().to_owned();
    let again = raw(&server, "GET", BASELINE, &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let weak = format!("\"sha256:00\", W/{etag}");
    let weak = raw(&server, "GET", BASELINE, &[("If-None-Match", &weak)]).await;
    assert_eq!(weak.status, 304);
    let other = raw(
        &server,
        "GET",
        BASELINE,
        &[("If-None-Match", "\"sha256:00\"")],
    )
    .await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body, first.body);
    server.shutdown().await;
}

#[tokio::test]
async fn head_of_a_304_is_the_get_304_without_a_content_length() {
    let server = start().await;
    let etag = raw(&server, "GET", BASELINE, &[])
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    for if_none_match in [etag.as_str(), "*"] {
        let get = raw(
            &server,
            "GET",
            BASELINE,
            &[("If-None-Match", if_none_match)],
        )
        .await;
        let head = raw(
            &server,
            "HEAD",
            BASELINE,
            &[("If-None-Match", if_none_match)],
        )
        .await;
        assert_eq!((get.status, head.status), (304, 304));
        let names = |response: &crate::support::RawResponse| {
            let mut names: Vec<String> = response
                .headers
                .iter()
                .map(|(name, _)| name.to_ascii_lowercase())
                .filter(|name| name != "date")
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(&head), names(&get), "{if_none_match}");
        // RFC 9110 §8.6: a 304 may only state the length of the 200 it stands for, never 0.
        assert_eq!(head.header("content-length"), None, "{}", head.head);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn gzip_refused_by_name_is_not_sent_for_a_wildcard() {
    let server = start().await;
    let file = pack_file("packs/eu-ai-act-baseline/1.0.0");
    for accept in ["gzip;q=0, *", "*, gzip;q=0", "x-gzip;q=0, gzip;q=0, *;q=1"] {
        let response = raw(&server, "GET", BASELINE, &[("Accept-Encoding", accept)]).await;
        assert_eq!(response.header("content-encoding"), None, "{accept}");
        assert_eq!(response.body, file, "{accept}");
    }
    let wildcard = raw(&server, "GET", BASELINE, &[("Accept-Encoding", "*")]).await;
    assert_eq!(wildcard.header("content-encoding"), Some("gzip"));
    server.shutdown().await;
}

#[tokio::test]
async fn gzip_when_asked_with_content_digest_of_the_decoded_body() {
    let server = start().await;
    let file = pack_file("packs/eu-ai-act-baseline/1.0.0");
    let response = raw(&server, "GET", BASELINE, &[("Accept-Encoding", "br, gzip")]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-encoding"), Some("gzip"));
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&response.body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, file);
    assert_eq!(
        response.header("content-digest"),
        Some(expected_content_digest(&file).as_str())
    );
    let refused = raw(&server, "GET", BASELINE, &[("Accept-Encoding", "gzip;q=0")]).await;
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.body, file);
    server.shutdown().await;
}

#[tokio::test]
async fn sidecar_is_the_envelope_and_is_advertised_for_large_ones() {
    let server = start_with(|config| config.signature_header_max = 0).await;
    let pack = raw(&server, "GET", BASELINE, &[]).await;
    assert_eq!(pack.header("x-pack-signature"), None);
    let endpoint = pack.header("x-pack-signature-endpoint").unwrap();
    assert_eq!(endpoint, "/v1/packs/eu-ai-act-baseline/1.0.0.sig");
    let sidecar = raw(&server, "GET", endpoint, &[]).await;
    assert_eq!(sidecar.status, 200);
    assert_eq!(sidecar.header("content-type"), Some("application/json"));
    let envelope = Envelope::from_json(&sidecar.body).unwrap();
    let key = signing_key(&server).await;
    envelope
        .verify_signature(&envelope.signatures()[0], &key)
        .unwrap();
    server.shutdown().await;

    let server = start_with(|config| {
        config.sidecar_advertisement = SidecarAdvertisement::Always;
    })
    .await;
    let pack = raw(&server, "GET", BASELINE, &[]).await;
    assert!(pack.header("x-pack-signature").is_some());
    assert!(pack.header("x-pack-signature-endpoint").is_some());
    server.shutdown().await;
}

#[tokio::test]
async fn revoked_pack_is_410_with_reason_and_safe_version() {
    let server = start().await;
    for method in ["GET", "HEAD"] {
        let response = raw(&server, method, "/v1/packs/soc2-starter/0.9.0", &[]).await;
        assert_eq!(response.status, 410, "{method}");
    }
    let response = raw(&server, "GET", "/v1/packs/soc2-starter/0.9.0", &[]).await;
    let body = response.json();
    assert_eq!(body["error"], "security_revocation");
    assert_eq!(body["reason"], "rule soc2-001 matched every event");
    assert_eq!(body["safe_version"], "0.9.1");
    let sidecar = raw(&server, "GET", "/v1/packs/soc2-starter/0.9.0.sig", &[]).await;
    assert_eq!(sidecar.status, 410);
    let safe = raw(&server, "GET", "/v1/packs/soc2-starter/0.9.1", &[]).await;
    assert_eq!(safe.status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_packs_are_404_and_bad_names_400_in_json() {
    let server = start().await;
    let missing = raw(&server, "GET", "/v1/packs/eu-ai-act-pro/9.9.9", &[]).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), Some("application/json"));
    let body = missing.json();
    assert_eq!(body["error"], "not_found");
    assert_eq!(body["message"], "Pack 'eu-ai-act-pro@9.9.9' not found");
    let sig = raw(&server, "GET", "/v1/packs/eu-ai-act-pro/9.9.9.sig", &[]).await;
    assert_eq!(sig.status, 404);
    for path in [
        "/v1/packs/..%2F..%2Fetc/1.0.0",
        "/v1/packs/eu-ai-act-pro/latest",
        "/v1/orgs/ACME/packs/x/1.0.0",
    ] {
        let response = raw(&server, "GET", path, &[]).await;
        assert_eq!(response.status, 400, "{path}");
        assert_eq!(response.json()["error"], "invalid_request", "{path}");
    }
    let invalid_pack = raw(&server, "GET", "/v1/packs/broken-float/1.0.0", &[]).await;
    assert_eq!(invalid_pack.status, 404);
    let nowhere = raw(&server, "GET", "/elsewhere", &[]).await;
    assert_eq!(nowhere.status, 404);
    let post = raw(&server, "DELETE", BASELINE, &[]).await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    server.shutdown().await;
}

#[tokio::test]
async fn namespaced_packs_live_under_orgs() {
    let server = start().await;
    let path = "/v1/orgs/acme/packs/acme-internal/2.0.0";
    let response = raw(&server, "GET", path, &[]).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.body,
        pack_file("orgs/acme/packs/acme-internal/2.0.0")
    );
    assert_eq!(response.header("x-pack-policy"), Some("commercial"));
    let sidecar = raw(&server, "GET", &format!("{path}.sig"), &[]).await;
    assert_eq!(sidecar.status, 200);
    let global = raw(&server, "GET", "/v1/packs/acme-internal/2.0.0", &[]).await;
    assert_eq!(global.status, 404);
    let other_org = raw(
        &server,
        "GET",
        "/v1/orgs/other/packs/acme-internal/2.0.0",
        &[],
    )
    .await;
    assert_eq!(other_org.status, 404);
    server.shutdown().await;
}
