//! The resolution order: path, built-in, local directory, not found with a suggestion,
//! and the reserved and unsupported reference kinds.

use registry_resolve::{
    BuiltinPacks, Error, ErrorClass, LocalDir, PackResolver, ResolveSource, Verification,
};
use registry_types::PackName;

use crate::support::{resolver_config, scratch};

/// A resolver whose registry is a closed loopback port (these tests never reach it).
fn resolver(local: Option<&camino::Utf8PathBuf>, builtins: BuiltinPacks) -> PackResolver {
    let cache = scratch("order-cache");
    let mut config = resolver_config("http://127.0.0.1:9/v1", None, &cache, 0);
    config.local_dir = match local {
        Some(dir) => LocalDir::At(dir.clone()),
        None => LocalDir::Disabled,
    };
    PackResolver::new(config)
        .expect("resolver")
        .with_builtins(builtins)
}

const BASELINE: &str = "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance";

fn builtins() -> BuiltinPacks {
    let mut builtins = BuiltinPacks::default();
    builtins.insert(
        PackName::parse("eu-ai-act-baseline").expect("name"),
        BASELINE,
    );
    builtins
}

#[tokio::test]
async fn a_path_a_directory_and_a_directory_without_pack_yaml() {
    let dir = scratch("paths");
    std::fs::write(dir.join("mine.yaml"), "name: mine\nversion: \"1.0.0\"\n").expect("write");
    std::fs::create_dir_all(dir.join("packdir")).expect("dir");
    std::fs::write(dir.join("packdir/pack.yaml"), BASELINE).expect("write");
    std::fs::create_dir_all(dir.join("empty")).expect("dir");
    let resolver = resolver(None, BuiltinPacks::default());
    let file = resolver
        .resolve(dir.join("mine.yaml").as_str())
        .await
        .expect("file");
    assert_eq!(file.name.as_str(), "mine");
    assert_eq!(file.source, ResolveSource::Path(dir.join("mine.yaml")));
    assert_eq!(file.verification, Verification::LocalFile);
    let in_dir = resolver
        .resolve(dir.join("packdir").as_str())
        .await
        .expect("directory");
    // The protocol's interop vector.
    assert_eq!(
        in_dir.digest.to_string(),
        "sha256:f47d932cdad4bde369ed0a7cf26fdcf4077777296346c4102d9017edbc62a070"
    );
    let error = resolver
        .resolve(dir.join("empty").as_str())
        .await
        .expect_err("no pack.yaml");
    assert!(
        matches!(&error, Error::DirectoryWithoutPack { path } if *path == dir.join("empty")),
        "{error:?}"
    );
    assert_eq!(error.class(), ErrorClass::LocalInput);
    let error = resolver
        .resolve(dir.join("absent.yaml").as_str())
        .await
        .expect_err("absent");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn built_in_beats_local_and_local_is_found_by_name() {
    let local = scratch("local");
    std::fs::write(
        local.join("eu-ai-act-baseline.yaml"),
        "name: eu-ai-act-baseline\nversion: \"9.9.9\"\n",
    )
    .expect("write");
    std::fs::create_dir_all(local.join("team-rules")).expect("dir");
    std::fs::write(
        local.join("team-rules/pack.yaml"),
        "name: team-rules\nversion: \"0.1.0\"\n",
    )
    .expect("write");
    let resolver = resolver(Some(&local), builtins());
    let builtin = resolver
        .resolve("eu-ai-act-baseline")
        .await
        .expect("built-in");
    assert_eq!(builtin.source, ResolveSource::BuiltIn);
    assert_eq!(builtin.version.as_str(), "1.0.0");
    let team = resolver.resolve("team-rules").await.expect("local");
    assert_eq!(
        team.source,
        ResolveSource::Local(
            local
                .canonicalize_utf8()
                .expect("real")
                .join("team-rules/pack.yaml")
        )
    );
    // Nothing was created or written in the local directory.
    let mut names: Vec<String> = local
        .read_dir_utf8()
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["eu-ai-act-baseline.yaml", "team-rules"]);
}

#[tokio::test]
async fn a_local_pack_that_links_outside_the_directory_is_refused() {
    let local = scratch("local-escape");
    let outside = scratch("outside");
    std::fs::write(
        outside.join("secret.yaml"),
        "name: evil\nversion: \"1.0.0\"\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(outside.join("secret.yaml"), local.join("evil.yaml")).expect("link");
    let error = resolver(Some(&local), BuiltinPacks::default())
        .resolve("evil")
        .await
        .expect_err("escape");
    assert!(matches!(error, Error::LocalPackEscapes { .. }), "{error:?}");
}

#[tokio::test]
async fn a_pack_found_by_name_must_declare_that_name() {
    let local = scratch("local-liar");
    std::fs::write(
        local.join("honest.yaml"),
        "name: other\nversion: \"1.0.0\"\n",
    )
    .expect("write");
    let error = resolver(Some(&local), BuiltinPacks::default())
        .resolve("honest")
        .await
        .expect_err("liar");
    assert!(
        matches!(&error, Error::NameMismatch { declared, .. } if declared == "other@1.0.0"),
        "{error:?}"
    );
    assert_eq!(error.class(), ErrorClass::Integrity);
}

#[tokio::test]
async fn not_found_suggests_the_closest_name() {
    let local = scratch("local-suggest");
    std::fs::write(
        local.join("soc2-core.yaml"),
        "name: soc2-core\nversion: \"1.0.0\"\n",
    )
    .expect("write");
    let resolver = resolver(Some(&local), builtins());
    let error = resolver
        .resolve("eu-ai-act-baselin")
        .await
        .expect_err("typo");
    assert!(
        matches!(&error, Error::NotFound { suggestion: Some(s), .. } if s == "eu-ai-act-baseline"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("did you mean \"eu-ai-act-baseline\""),
        "{error}"
    );
    let error = resolver.resolve("soc2-cor").await.expect_err("typo");
    assert!(
        matches!(&error, Error::NotFound { suggestion: Some(s), .. } if s == "soc2-core"),
        "{error:?}"
    );
    let error = resolver
        .resolve("nothing-like-it")
        .await
        .expect_err("unknown");
    assert!(
        matches!(
            &error,
            Error::NotFound {
                suggestion: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.class(), ErrorClass::NotFoundOrDenied);
}

#[tokio::test]
async fn oci_and_object_storage_say_they_are_not_supported_and_bad_references_name_the_part() {
    let resolver = resolver(None, BuiltinPacks::default());
    let error = resolver
        .resolve("oci://ghcr.io/acme/pack:1.0.0")
        .await
        .expect_err("oci");
    assert!(matches!(error, Error::OciUnsupported { .. }), "{error:?}");
    assert!(error.to_string().contains("not supported yet"), "{error}");
    let error = resolver
        .resolve(&format!(
            "s3://bucket/packs/a.yaml#sha256:{}",
            "a".repeat(64)
        ))
        .await
        .expect_err("s3");
    assert!(
        matches!(&error, Error::Byos { source, .. } if source.kind == registry_resolve::ByosFaultKind::Unsupported),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("not supported in this build"),
        "{error}"
    );
    let error = resolver
        .resolve("eu-ai-act-pro@not-a-version")
        .await
        .expect_err("bad version");
    assert!(matches!(error, Error::InvalidReference { .. }), "{error:?}");
    assert_eq!(error.class(), ErrorClass::LocalInput);
}
