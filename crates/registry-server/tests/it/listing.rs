//! The JSON listings: versions, paginated packs (global and namespaced), and the signed keys manifest.

use registry_types::Timestamp;
use registry_verify::{RootSpec, TrustMode, TrustStore, verify_manifest};

use crate::support::{raw, start, start_with};

#[tokio::test]
async fn versions_list_flags_and_latest() {
    let server = start().await;
    let response = raw(&server, "GET", "/v1/packs/eu-ai-act-pro/versions", &[]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(body["name"], "eu-ai-act-pro");
    assert_eq!(body["latest"], "1.2.0");
    let versions = body["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], "1.1.0");
    assert_eq!(versions[0]["deprecated"], true);
    assert_eq!(versions[0]["released"], "2026-01-15T09:00:00Z");
    assert_eq!(versions[1]["deprecated"], false);
    let pack = raw(&server, "GET", "/v1/packs/eu-ai-act-pro/1.2.0", &[]).await;
    assert_eq!(versions[1]["digest"].as_str(), pack.header("x-pack-digest"));

    let soc2 = raw(&server, "GET", "/v1/packs/soc2-starter/versions", &[])
        .await
        .json();
    assert_eq!(soc2["latest"], "0.9.1");
    assert_eq!(soc2["versions"][0]["revoked"], true);
    let rc = raw(&server, "GET", "/v1/packs/hipaa-core/versions", &[])
        .await
        .json();
    assert_eq!(rc["latest"], "1.0.0-rc.1");
    let missing = raw(&server, "GET", "/v1/packs/no-such-pack/versions", &[]).await;
    assert_eq!(missing.status, 404);
    let org = raw(
        &server,
        "GET",
        "/v1/orgs/acme/packs/acme-internal/versions",
        &[],
    )
    .await;
    assert_eq!(org.json()["namespace"], "acme");
    server.shutdown().await;
}

#[tokio::test]
async fn list_pages_follow_cursors_to_the_end() {
    let server = start().await;
    let mut names = Vec::new();
    let mut path = "/v1/packs?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let body = raw(&server, "GET", &path, &[]).await.json();
        pages += 1;
        let packs = body["packs"].as_array().unwrap();
        assert!(packs.len() <= 2);
        names.extend(
            packs
                .iter()
                .map(|pack| pack["name"].as_str().unwrap().to_owned()),
        );
        if body["has_more"] == false {
            assert!(body.get("next_cursor").is_none());
            break;
        }
        let cursor = body["next_cursor"].as_str().unwrap();
        path = format!("/v1/packs?limit=2&cursor={cursor}");
    }
    assert_eq!(
        names,
        [
            "eu-ai-act-baseline",
            "eu-ai-act-pro",
            "hipaa-core",
            "soc2-starter"
        ]
    );
    assert_eq!(pages, 2);

    let all = raw(&server, "GET", "/v1/packs", &[]).await.json();
    assert_eq!(all["packs"].as_array().unwrap().len(), 4);
    assert_eq!(all["has_more"], false);
    assert_eq!(all["packs"][1]["latest"], "1.2.0");
    assert_eq!(
        all["packs"][1]["versions"],
        serde_json::json!(["1.1.0", "1.2.0"])
    );
    let clamped = raw(&server, "GET", "/v1/packs?limit=1000", &[]).await;
    assert_eq!(clamped.status, 200);
    // A limit too large for any integer type is still just larger than the maximum.
    let huge = format!("/v1/packs?limit={}", "9".repeat(400));
    let huge = raw(&server, "GET", &huge, &[]).await;
    assert_eq!(huge.status, 200, "{}", String::from_utf8_lossy(&huge.body));
    assert_eq!(huge.json()["packs"].as_array().unwrap().len(), 4);

    let org = raw(&server, "GET", "/v1/orgs/acme/packs", &[]).await.json();
    assert_eq!(org["packs"][0]["name"], "acme-internal");
    assert_eq!(org["packs"][0]["namespace"], "acme");
    let empty = raw(&server, "GET", "/v1/orgs/nobody/packs", &[])
        .await
        .json();
    assert_eq!(empty["packs"], serde_json::json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn bad_limits_and_cursors_are_400() {
    let server = start().await;
    for query in [
        "limit=0",
        "limit=-1",
        "limit=x",
        "limit=00",
        "limit=1e3",
        "cursor=%21%21",
        "cursor=Tm9fTmFtZQ",
    ] {
        let response = raw(&server, "GET", &format!("/v1/packs?{query}"), &[]).await;
        assert_eq!(response.status, 400, "{query}");
        assert_eq!(response.json()["error"], "invalid_request", "{query}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn keys_manifest_verifies_against_the_root_and_lists_the_signing_key() {
    let server = start_with(|config| {
        config.manifest_version = 7;
        config.keys_max_age = std::time::Duration::from_secs(600);
    })
    .await;
    let response = raw(&server, "GET", "/v1/keys", &[]).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=600")
    );
    // Pinned by key id alone: the manifest lists the root's public key too.
    let trust = TrustStore::new(
        vec![RootSpec::KeyId(server.root_key_id())],
        TrustMode::Override,
    )
    .unwrap();
    let now = Timestamp::parse("2026-06-01T00:00:00Z").unwrap();
    let manifest = verify_manifest(&response.body, &trust, None, now).unwrap();
    assert_eq!(manifest.version(), 7);
    assert_eq!(manifest.signed_by(), &server.root_key_id());
    let pack_keys: Vec<_> = manifest
        .keys()
        .iter()
        .map(|key| key.key.key_id().clone())
        .collect();
    assert_eq!(pack_keys, [server.signing_key_id()]);
    assert_eq!(server.root_public_key().key_id(), &server.root_key_id());
    server.shutdown().await;
}
