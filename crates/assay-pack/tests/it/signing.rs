//! The air-gapped flow on files: keygen → sign → verify, keys manifests, and each failure
//! with exit code 1 and its precise reason.

use std::path::{Path, PathBuf};

use crate::cli::{SAMPLE, SAMPLE_DIGEST, run, scratch, workspace};

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Generates a key pair under `dir` and returns its prefix and key id.
fn keygen(dir: &Path, name: &str, algorithm: &str) -> (PathBuf, String) {
    let prefix = dir.join(name);
    let out = run(
        &[
            "keygen",
            "--algorithm",
            algorithm,
            "--out",
            path_str(&prefix),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let key_id = out.stdout_text().trim().to_owned();
    assert!(
        key_id.starts_with("sha256:") && key_id.len() == 71,
        "{key_id}"
    );
    (prefix, key_id)
}

fn with_ext(prefix: &Path, ext: &str) -> String {
    format!("{}.{ext}", prefix.display())
}

fn sample() -> String {
    workspace().join(SAMPLE).display().to_string()
}

#[test]
fn keygen_sign_verify_round_trip_for_both_algorithms() {
    let dir = scratch("sign-round-trip");
    for algorithm in ["ed25519", "p256"] {
        let (prefix, key_id) = keygen(&dir, algorithm, algorithm);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(with_ext(&prefix, "key"))
                .expect("key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "private key mode");
        }
        let envelope = dir.join(format!("{algorithm}.sig.json"));
        let signed = run(
            &[
                "sign",
                &sample(),
                "--key",
                &with_ext(&prefix, "key"),
                "--out",
                path_str(&envelope),
            ],
            b"",
        );
        assert_eq!(signed.code, 0, "{}", signed.stderr);
        let verified = run(
            &[
                "verify",
                &sample(),
                "--signature",
                path_str(&envelope),
                "--trusted-key",
                &with_ext(&prefix, "pub"),
            ],
            b"",
        );
        assert_eq!(verified.code, 0, "{}", verified.stderr);
        assert_eq!(
            verified.stdout_text(),
            format!("digest: {SAMPLE_DIGEST}\nstatus: verified\nverified key: {key_id}\n")
        );
        let json = run(
            &[
                "verify",
                &sample(),
                "--signature",
                path_str(&envelope),
                "--trusted-key",
                &with_ext(&prefix, "pub"),
                "--json",
                "--digest",
                SAMPLE_DIGEST,
            ],
            b"",
        );
        assert_eq!(json.code, 0, "{}", json.stderr);
        let value: serde_json::Value = serde_json::from_str(&json.stdout_text()).expect("JSON");
        assert_eq!(value["key_ids"][0], key_id.as_str());
        assert_eq!(value["payload_type"], "application/vnd.assay.pack.v1+jcs");
    }
}

#[test]
fn keygen_never_overwrites_a_key() {
    let dir = scratch("keygen-overwrite");
    let (prefix, _) = keygen(&dir, "k", "ed25519");
    let before = std::fs::read(with_ext(&prefix, "key")).expect("key");
    let again = run(&["keygen", "--out", path_str(&prefix)], b"");
    assert_eq!(again.code, 2);
    again.assert_clean_error();
    assert_eq!(
        std::fs::read(with_ext(&prefix, "key")).expect("key"),
        before
    );
}

#[test]
fn failures_exit_1_with_the_precise_reason() {
    let dir = scratch("verify-failures");
    let (signer, signer_id) = keygen(&dir, "signer", "ed25519");
    let (other, _) = keygen(&dir, "other", "ed25519");
    let envelope = dir.join("pack.sig.json");
    let out = run(
        &[
            "sign",
            &sample(),
            "--key",
            &with_ext(&signer, "key"),
            "--out",
            path_str(&envelope),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", SAMPLE, "--signature", path_str(&envelope)];
        args.extend_from_slice(extra);
        run(&args, b"")
    };

    let untrusted = verify(&["--trusted-key", &with_ext(&other, "pub")]);
    assert_eq!(untrusted.code, 1);
    untrusted.assert_clean_error();
    assert!(
        untrusted.stderr.contains(&format!(
            "no signature is from a trusted key (signed by {signer_id})"
        )),
        "{}",
        untrusted.stderr
    );

    let wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let mismatch = verify(&[
        "--trusted-key",
        &with_ext(&signer, "pub"),
        "--digest",
        wrong,
    ]);
    assert_eq!(mismatch.code, 1);
    assert!(
        mismatch
            .stderr
            .contains(&format!("expected {wrong}, got {SAMPLE_DIGEST}")),
        "{}",
        mismatch.stderr
    );

    let below = verify(&[
        "--trusted-key",
        &with_ext(&signer, "pub"),
        "--threshold",
        "2",
    ]);
    assert_eq!(below.code, 1);
    assert!(
        below.stderr.contains("but the threshold is 2"),
        "{}",
        below.stderr
    );

    let tampered_pack = dir.join("tampered.yaml");
    let text = std::fs::read_to_string(workspace().join(SAMPLE)).expect("sample");
    std::fs::write(
        &tampered_pack,
        text.replace("severity: high", "severity: low"),
    )
    .expect("write");
    let payload = run(
        &[
            "verify",
            path_str(&tampered_pack),
            "--signature",
            path_str(&envelope),
            "--trusted-key",
            &with_ext(&signer, "pub"),
        ],
        b"",
    );
    assert_eq!(payload.code, 1);
    assert!(
        payload
            .stderr
            .contains("envelope payload is not this pack's canonical bytes"),
        "{}",
        payload.stderr
    );

    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "{\"payloadType\": 1}").expect("write");
    let malformed = run(
        &[
            "verify",
            SAMPLE,
            "--signature",
            path_str(&garbage),
            "--trusted-key",
            &with_ext(&signer, "pub"),
        ],
        b"",
    );
    assert_eq!(malformed.code, 1);
    malformed.assert_clean_error();

    let unsigned = run(&["verify", SAMPLE], b"");
    assert_eq!(unsigned.code, 1);
    assert!(
        unsigned
            .stderr
            .contains("pack is commercial and has no signature"),
        "{}",
        unsigned.stderr
    );
    let open = run(&["verify", SAMPLE, "--policy", "open"], b"");
    assert_eq!(open.code, 0, "{}", open.stderr);
    assert!(open.stdout_text().contains("status: unsigned"));

    let bad_key = run(
        &["verify", SAMPLE, "--trusted-key", path_str(&envelope)],
        b"",
    );
    assert_eq!(
        bad_key.code, 2,
        "an unreadable key is a usage error: {}",
        bad_key.stderr
    );
    let bad_time = run(&["verify", SAMPLE, "--at", "tomorrow"], b"");
    assert_eq!(bad_time.code, 2);
}

#[test]
fn keys_manifest_flow_with_expiry_judged_at_a_given_time() {
    let dir = scratch("manifest-flow");
    let (root, root_id) = keygen(&dir, "root", "ed25519");
    let (signer, signer_id) = keygen(&dir, "signer", "p256");
    let manifest = dir.join("keys.json");
    let out = run(
        &[
            "manifest",
            "sign",
            "--key",
            &with_ext(&root, "key"),
            "--pack-key",
            &with_ext(&signer, "pub"),
            "--version",
            "7",
            "--expires",
            "2030-01-01T00:00:00Z",
            "--out",
            path_str(&manifest),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let envelope = dir.join("pack.sig.json");
    let out = run(
        &[
            "sign",
            &sample(),
            "--key",
            &with_ext(&signer, "key"),
            "--legacy-payload-type",
            "--out",
            path_str(&envelope),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let verify = |root_arg: &str, at: &str| {
        run(
            &[
                "verify",
                SAMPLE,
                "--signature",
                path_str(&envelope),
                "--keys-manifest",
                path_str(&manifest),
                "--root",
                root_arg,
                "--at",
                at,
            ],
            b"",
        )
    };
    for root_arg in [root_id.as_str(), &with_ext(&root, "pub")] {
        let ok = verify(root_arg, "2029-01-01T00:00:00Z");
        assert_eq!(ok.code, 0, "{}", ok.stderr);
        assert!(
            ok.stdout_text()
                .contains(&format!("verified key: {signer_id}"))
        );
    }
    let expired = verify(&root_id, "2031-01-01T00:00:00Z");
    assert_eq!(expired.code, 1);
    assert!(
        expired
            .stderr
            .contains("keys manifest expired at 2030-01-01T00:00:00Z"),
        "{}",
        expired.stderr
    );
    let (stranger, stranger_id) = keygen(&dir, "stranger", "ed25519");
    let _ = stranger;
    let not_root = verify(&stranger_id, "2029-01-01T00:00:00Z");
    assert_eq!(not_root.code, 1);
    assert!(
        not_root.stderr.contains("is not signed by a trusted root"),
        "{}",
        not_root.stderr
    );
}
