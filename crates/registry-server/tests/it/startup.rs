//! Start-up: invalid packs are reported with the reason and not served; a missing folder is an error.

use registry_server::{Error, ServerConfig};

use crate::support::{registry_dir, start};

#[tokio::test]
async fn invalid_packs_are_reported_and_the_rest_served() {
    let server = start().await;
    assert_eq!(server.pack_count(), 7);
    let report = server.startup_report();
    let mut seen: Vec<(String, &Error)> = report
        .iter()
        .map(|problem| {
            let relative = problem.path.strip_prefix(registry_dir()).unwrap();
            (relative.to_string_lossy().into_owned(), &problem.error)
        })
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(seen.len(), 3, "{report:#?}");
    assert_eq!(seen[0].0, "packs/Not_A_Name");
    assert!(matches!(
        seen[0].1,
        Error::InvalidFolderName {
            what: "pack name",
            ..
        }
    ));
    assert_eq!(seen[1].0, "packs/broken-float/1.0.0");
    assert!(matches!(seen[1].1, Error::Canonicalize { .. }));
    let message = report
        .iter()
        .find(|problem| problem.path.ends_with("broken-float/1.0.0"))
        .unwrap()
        .to_string();
    assert!(
        message.contains("pack.yaml has no canonical form"),
        "{message}"
    );
    assert!(message.contains("floats are not allowed"), "{message}");
    assert_eq!(seen[2].0, "packs/wrong-identity/1.0.0");
    assert!(matches!(
        seen[2].1,
        Error::IdentityMismatch { source, .. }
            if source.field() == registry_canon::IdentityField::Version
    ));
    server.shutdown().await;
}

#[tokio::test]
async fn a_missing_folder_is_an_error_and_an_empty_one_a_report() {
    let missing = registry_dir().join("no-such-folder");
    let error = registry_server::start(ServerConfig::new(&missing))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::ReadFolder { .. }), "{error:?}");

    let empty = std::env::temp_dir().join(format!("registry-server-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let server = registry_server::start(ServerConfig::new(&empty))
        .await
        .unwrap();
    assert_eq!(server.pack_count(), 0);
    assert!(matches!(
        server.startup_report()[0].error,
        Error::NoPacksFolder { .. }
    ));
    server.shutdown().await;
    std::fs::remove_dir_all(&empty).unwrap();
}

#[tokio::test]
async fn bad_meta_json_is_reported() {
    let dir = std::env::temp_dir().join(format!("registry-server-meta-{}", std::process::id()));
    let pack = dir.join("packs/meta-pack/1.0.0");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(
        pack.join("pack.yaml"),
        "name: meta-pack\nversion: \"1.0.0\"\n",
    )
    .unwrap();
    std::fs::write(pack.join("meta.json"), r#"{"policy": "free"}"#).unwrap();
    let server = registry_server::start(ServerConfig::new(&dir))
        .await
        .unwrap();
    assert_eq!(server.pack_count(), 0);
    assert!(matches!(
        server.startup_report()[0].error,
        Error::ParseMeta { .. }
    ));
    server.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_licence_that_cannot_be_a_header_is_reported_not_dropped() {
    let dir = std::env::temp_dir().join(format!("registry-server-licence-{}", std::process::id()));
    let pack = dir.join("packs/licensed/1.0.0");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(
        pack.join("pack.yaml"),
        "name: licensed\nversion: \"1.0.0\"\n",
    )
    .unwrap();
    std::fs::write(
        pack.join("meta.json"),
        r#"{"license": "MIT\nX-Pack-Policy: open"}"#,
    )
    .unwrap();
    let server = registry_server::start(ServerConfig::new(&dir))
        .await
        .unwrap();
    assert_eq!(server.pack_count(), 0);
    assert!(
        matches!(
            server.startup_report()[0].error,
            Error::InvalidLicense { .. }
        ),
        "{:?}",
        server.startup_report()
    );
    server.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
