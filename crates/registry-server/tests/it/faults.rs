//! Each injected fault, observed on the wire.

use std::io::Read;
use std::time::{Duration, Instant};

use data_encoding::BASE64;
use registry_server::{Faults, RetryAfter, RunningServer};
use registry_verify::Envelope;

use crate::support::{pack_file, raw, raw_with_body, start, start_with};

const BASELINE: &str = "/v1/packs/eu-ai-act-baseline/1.0.0";

fn digest_of(pack: &[u8]) -> String {
    registry_canon::CanonicalPack::from_yaml(pack, &Default::default())
        .unwrap()
        .digest()
        .to_string()
}

async fn faulty(faults: Faults) -> RunningServer {
    start_with(|config| config.faults = faults).await
}

#[tokio::test]
async fn wrong_digest_header_names_another_digest() {
    let server = faulty(Faults {
        wrong_digest_header: true,
        ..Faults::default()
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[]).await;
    let file = pack_file("packs/eu-ai-act-baseline/1.0.0");
    assert_eq!(response.body, file);
    let header = response.header("x-pack-digest").unwrap();
    assert_ne!(header, digest_of(&file));
    assert_eq!(
        response.header("etag"),
        Some(format!("\"{header}\"").as_str())
    );
    server.shutdown().await;
}

#[tokio::test]
async fn tampered_body_keeps_the_original_headers() {
    let server = faulty(Faults {
        tamper_body: true,
        ..Faults::default()
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[]).await;
    let file = pack_file("packs/eu-ai-act-baseline/1.0.0");
    assert_ne!(response.body, file);
    assert!(response.body.starts_with(&file));
    assert_eq!(
        response.header("x-pack-digest"),
        Some(digest_of(&file).as_str())
    );
    // The tampered body still canonicalizes, to another digest, with the same name and version.
    let tampered =
        registry_canon::CanonicalPack::from_yaml(&response.body, &Default::default()).unwrap();
    assert_ne!(tampered.digest().to_string(), digest_of(&file));
    server.shutdown().await;
}

#[tokio::test]
async fn bad_signature_does_not_verify_in_header_or_sidecar() {
    let server = start_with(|config| {
        config.faults.bad_signature = true;
        config.sidecar_advertisement = registry_server::SidecarAdvertisement::Always;
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[]).await;
    let header = BASE64
        .decode(response.header("x-pack-signature").unwrap().as_bytes())
        .unwrap();
    let sidecar = raw(&server, "GET", &format!("{BASELINE}.sig"), &[])
        .await
        .body;
    let keys = raw(&server, "GET", "/v1/keys", &[]).await.body;
    let manifest = Envelope::from_json(&keys).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(manifest.payload()).unwrap();
    let key = registry_verify::PublicKey::from_base64_spki(
        manifest["keys"][0]["public_key"].as_str().unwrap(),
    )
    .unwrap();
    for json in [header, sidecar] {
        let envelope = Envelope::from_json(&json).unwrap();
        let outcome = envelope.verify_signature(&envelope.signatures()[0], &key);
        assert!(
            matches!(
                &outcome,
                Err(registry_verify::Error::InvalidSignature { key_id, .. }) if key_id == key.key_id()
            ),
            "{outcome:?}"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn missing_signature_removes_headers_and_sidecar() {
    let server = start_with(|config| {
        config.faults.missing_signature = true;
        config.signature_header_max = 0;
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[]).await;
    assert_eq!(response.status, 200);
    for name in [
        "x-pack-signature",
        "x-pack-signature-endpoint",
        "x-pack-key-id",
    ] {
        assert_eq!(response.header(name), None, "{name}");
    }
    let sidecar = raw(&server, "GET", &format!("{BASELINE}.sig"), &[]).await;
    assert_eq!(sidecar.status, 404);
    assert_eq!(sidecar.json()["error"], "not_found");
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_content_digest_is_over_other_bytes() {
    let server = faulty(Faults {
        wrong_content_digest: true,
        ..Faults::default()
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[]).await;
    let hash = ring::digest::digest(&ring::digest::SHA256, &response.body);
    let honest = format!("sha-256=:{}:", BASE64.encode(hash.as_ref()));
    assert_ne!(response.header("content-digest"), Some(honest.as_str()));
    assert!(
        response
            .header("content-digest")
            .unwrap()
            .starts_with("sha-256=:")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn n_times_429_with_retry_after_in_seconds_then_success() {
    let server = faulty(Faults {
        too_many_requests: 2,
        retry_after: RetryAfter::Seconds(7),
        ..Faults::default()
    })
    .await;
    for _ in 0..2 {
        let response = raw(&server, "GET", BASELINE, &[]).await;
        assert_eq!(response.status, 429);
        assert_eq!(response.header("retry-after"), Some("7"));
        assert_eq!(response.json()["error"], "rate_limited");
    }
    assert_eq!(raw(&server, "GET", BASELINE, &[]).await.status, 200);
    assert_eq!(server.stats().path_count(BASELINE), 3);
    server.shutdown().await;
}

#[tokio::test]
async fn retry_after_as_an_http_date_or_absent() {
    let server = faulty(Faults {
        too_many_requests: 1,
        retry_after: RetryAfter::HttpDate(Duration::from_secs(120)),
        ..Faults::default()
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[]).await;
    assert_eq!(response.status, 429);
    let date = response.header("retry-after").unwrap();
    // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    assert_eq!(date.len(), 29, "{date}");
    assert!(
        date.ends_with(" GMT") && date.as_bytes()[3] == b',',
        "{date}"
    );
    let server_date = response.header("date").unwrap();
    assert_ne!(date, server_date);

    server.set_faults(Faults {
        too_many_requests: 1,
        retry_after: RetryAfter::Absent,
        ..Faults::default()
    });
    let response = raw(&server, "GET", BASELINE, &[]).await;
    assert_eq!(response.status, 429);
    assert_eq!(response.header("retry-after"), None);
    server.shutdown().await;
}

#[tokio::test]
async fn n_times_503_then_success_on_every_endpoint() {
    let server = faulty(Faults {
        service_unavailable: 3,
        ..Faults::default()
    })
    .await;
    for path in ["/v1/keys", "/v1/packs", BASELINE] {
        let response = raw(&server, "GET", path, &[]).await;
        assert_eq!(response.status, 503, "{path}");
        assert_eq!(response.json()["error"], "service_unavailable");
    }
    assert_eq!(raw(&server, "GET", "/v1/keys", &[]).await.status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn slow_body_arrives_in_paced_chunks() {
    let server = faulty(Faults {
        slow_body: Some(Duration::from_millis(100)),
        ..Faults::default()
    })
    .await;
    let file = pack_file("packs/eu-ai-act-baseline/1.0.0");
    let chunks = file.len().div_ceil(registry_server::SLOW_CHUNK_BYTES) as u32;
    let started = Instant::now();
    let response = raw(&server, "GET", BASELINE, &[]).await;
    assert!(started.elapsed() >= Duration::from_millis(100) * chunks);
    assert_eq!(response.body, file);
    assert_eq!(
        response.header("content-length"),
        Some(file.len().to_string().as_str())
    );
    server.shutdown().await;
}

#[tokio::test]
async fn endless_body_never_ends() {
    let server = faulty(Faults {
        endless_body: true,
        ..Faults::default()
    })
    .await;
    let limit = 12 * 1024 * 1024;
    let response = raw_with_body(server.local_addr(), "GET", BASELINE, &[], b"", limit).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-length"), None);
    assert_eq!(response.header("transfer-encoding"), Some("chunked"));
    assert!(response.body.len() >= limit);
    server.shutdown().await;
}

#[tokio::test]
async fn oversized_body_is_11_mib_with_a_content_length() {
    let server = faulty(Faults {
        oversized_body: true,
        ..Faults::default()
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[("Accept-Encoding", "gzip")]).await;
    assert_eq!(response.status, 200);
    let size = registry_server::OVERSIZED_BODY_BYTES;
    assert_eq!(
        response.header("content-length"),
        Some(size.to_string().as_str())
    );
    assert_eq!(response.body.len(), size);
    assert_eq!(response.header("content-encoding"), None);
    server.shutdown().await;
}

#[tokio::test]
async fn gzip_bomb_inflates_far_past_the_limit() {
    let server = faulty(Faults {
        gzip_bomb: true,
        ..Faults::default()
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[]).await;
    assert_eq!(response.header("content-encoding"), Some("gzip"));
    assert!(response.body.len() < 1024 * 1024, "{}", response.body.len());
    let mut inflated = 0usize;
    let mut decoder = flate2::read::GzDecoder::new(&response.body[..]);
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = decoder.read(&mut buffer).unwrap();
        if read == 0 {
            break;
        }
        inflated += read;
    }
    assert_eq!(inflated, registry_server::GZIP_BOMB_INFLATED_BYTES);
    server.shutdown().await;
}

#[tokio::test]
async fn redirect_goes_to_the_same_path_on_another_origin() {
    let other = start().await;
    let server = faulty(Faults {
        redirect_to: Some(other.base_url()),
        ..Faults::default()
    })
    .await;
    let path = "/v1/packs?limit=1";
    let response = raw(&server, "GET", path, &[("Authorization", "Bearer t")]).await;
    assert_eq!(response.status, 307);
    let location = response.header("location").unwrap();
    assert_eq!(location, format!("{}{path}", other.origin()));
    server.shutdown().await;
    other.shutdown().await;
}

#[tokio::test]
async fn oversized_headers_exceed_the_signature_limit() {
    let server = faulty(Faults {
        oversized_headers: true,
        ..Faults::default()
    })
    .await;
    let response = raw(&server, "GET", BASELINE, &[]).await;
    assert_eq!(response.status, 200);
    let signature = response.header("x-pack-signature").unwrap();
    assert_eq!(
        signature.len(),
        registry_server::OVERSIZED_SIGNATURE_HEADER_BYTES
    );
    assert!(signature.len() > 64 * 1024);
    assert!(response.head.len() > 100 * 1024);
    server.shutdown().await;
}

#[tokio::test]
async fn set_faults_takes_effect_for_the_next_request() {
    let server = start().await;
    assert_eq!(raw(&server, "GET", BASELINE, &[]).await.status, 200);
    server.set_faults(Faults {
        service_unavailable: 1,
        ..Faults::default()
    });
    assert_eq!(raw(&server, "GET", BASELINE, &[]).await.status, 503);
    assert_eq!(raw(&server, "GET", BASELINE, &[]).await.status, 200);
    server.set_faults(Faults::default());
    let response = raw(&server, "GET", BASELINE, &[]).await;
    assert_eq!(response.body, pack_file("packs/eu-ai-act-baseline/1.0.0"));
    server.shutdown().await;
}

#[tokio::test]
async fn mix_and_match_serves_another_honestly_signed_pack() {
    let server = faulty(Faults {
        mix_and_match: true,
        ..Faults::default()
    })
    .await;
    let asked = "/v1/packs/soc2-starter/0.9.1";
    let response = raw(&server, "GET", asked, &[]).await;
    assert_eq!(response.status, 200);
    assert_ne!(response.body, pack_file("packs/soc2-starter/0.9.1"));
    let canonical =
        registry_canon::CanonicalPack::from_yaml(&response.body, &Default::default()).unwrap();
    let served: serde_json::Value = serde_json::from_slice(canonical.bytes()).unwrap();
    assert_ne!(served["name"], "soc2-starter");
    // Every header is true of the pack actually sent.
    assert_eq!(
        response.header("x-pack-digest"),
        Some(digest_of(&response.body).as_str())
    );
    let sidecar = raw(&server, "GET", &format!("{asked}.sig"), &[]).await;
    let envelope = Envelope::from_json(&sidecar.body).unwrap();
    assert_eq!(envelope.payload(), canonical.bytes());
    server.shutdown().await;
}

#[tokio::test]
async fn downgrade_policy_announces_open_without_a_signature() {
    let server = faulty(Faults {
        downgrade_policy: true,
        ..Faults::default()
    })
    .await;
    let pro = "/v1/packs/eu-ai-act-pro/1.2.0";
    let response = raw(&server, "GET", pro, &[]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-pack-policy"), Some("open"));
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=3600")
    );
    for name in [
        "x-pack-signature",
        "x-pack-signature-endpoint",
        "x-pack-key-id",
    ] {
        assert_eq!(response.header(name), None, "{name}");
    }
    assert_eq!(
        raw(&server, "GET", &format!("{pro}.sig"), &[]).await.status,
        404
    );
    // Open packs keep their signatures.
    let open = raw(&server, "GET", BASELINE, &[]).await;
    assert!(open.header("x-pack-signature").is_some());
    server.shutdown().await;
}
