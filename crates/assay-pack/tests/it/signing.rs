//! The air-gapped flow on files: keygen → sign → verify, keys manifests, and each failure
//! with exit code 1 and its precise reason.

use std::path::{Path, PathBuf};

use crate::cli::{Run, SAMPLE, SAMPLE_DIGEST, run, scratch, workspace};

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

/// `assay-pack sign PACK --key PREFIX.key --out OUT`.
fn sign(pack: &str, key_prefix: &Path, out: &Path) -> Run {
    run(
        &[
            "sign",
            pack,
            "--key",
            &with_ext(key_prefix, "key"),
            "--out",
            path_str(out),
        ],
        b"",
    )
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
        let signed = sign(&sample(), &prefix, &envelope);
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
    let out = sign(&sample(), &signer, &envelope);
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
    let (_, stranger_id) = keygen(&dir, "stranger", "ed25519");
    let not_root = verify(&stranger_id, "2029-01-01T00:00:00Z");
    assert_eq!(not_root.code, 1);
    assert!(
        not_root.stderr.contains("is not signed by a trusted root"),
        "{}",
        not_root.stderr
    );
}

/// README: `--root "$(cat root.pub)"` (the public key itself, not a file name) or a key id.
#[test]
fn root_may_be_an_inline_public_key_as_the_readme_shows() {
    let dir = scratch("inline-root");
    let (root, _) = keygen(&dir, "root", "ed25519");
    let (signer, signer_id) = keygen(&dir, "signer", "ed25519");
    let manifest = dir.join("keys.json");
    let envelope = dir.join("pack.sig.json");
    for args in [
        vec![
            "manifest",
            "sign",
            "--key",
            &with_ext(&root, "key"),
            "--pack-key",
            &with_ext(&signer, "pub"),
            "--out",
            path_str(&manifest),
        ],
        vec![
            "sign",
            SAMPLE,
            "--key",
            &with_ext(&signer, "key"),
            "--out",
            path_str(&envelope),
        ],
    ] {
        let out = run(&args, b"");
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let pem = std::fs::read_to_string(with_ext(&root, "pub")).expect("root.pub");
    let base64 = pem.lines().nth(1).expect("a base64 line").to_owned();
    // `$(cat root.pub)` drops the final newline.
    for root_arg in [pem.trim_end(), base64.as_str()] {
        let out = run(
            &[
                "verify",
                SAMPLE,
                "--signature",
                path_str(&envelope),
                "--keys-manifest",
                path_str(&manifest),
                "--root",
                root_arg,
            ],
            b"",
        );
        assert_eq!(out.code, 0, "{root_arg}: {}", out.stderr);
        assert!(
            out.stdout_text()
                .contains(&format!("verified key: {signer_id}")),
            "{}",
            out.stdout_text()
        );
    }
    let (stranger, _) = keygen(&dir, "stranger", "ed25519");
    let other = std::fs::read_to_string(with_ext(&stranger, "pub")).expect("stranger.pub");
    let out = run(
        &[
            "verify",
            SAMPLE,
            "--signature",
            path_str(&envelope),
            "--keys-manifest",
            path_str(&manifest),
            "--root",
            other.trim_end(),
        ],
        b"",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("is not signed by a trusted root"),
        "{}",
        out.stderr
    );
}

/// A pack near the 10 MiB pack limit has an envelope of about 13 MiB (base64), within the
/// 16 MiB envelope limit: it must verify.
#[test]
fn an_envelope_larger_than_the_pack_limit_verifies() {
    let dir = scratch("large-envelope");
    let (signer, signer_id) = keygen(&dir, "signer", "ed25519");
    let pack = dir.join("large.yaml");
    let mut text = String::from("name: large-pack\nversion: \"1.0.0\"\nkind: compliance\nrules:\n");
    let mut rule = 0;
    while text.len() < 9 * 1024 * 1024 {
        text.push_str(&format!(
            "  - id: rule-{rule}\n    description: \"{}\"\n",
            "x".repeat(200)
        ));
        rule += 1;
    }
    std::fs::write(&pack, text).expect("write pack");
    let envelope = dir.join("large.sig.json");
    let out = sign(path_str(&pack), &signer, &envelope);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let size = std::fs::metadata(&envelope).expect("envelope").len();
    assert!(size > 10 * 1024 * 1024, "{size}");
    let out = run(
        &[
            "verify",
            path_str(&pack),
            "--signature",
            path_str(&envelope),
            "--trusted-key",
            &with_ext(&signer, "pub"),
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout_text()
            .contains(&format!("verified key: {signer_id}"))
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// A `sign --out` killed while writing (here by the file size limit, SIGXFSZ) leaves no
/// truncated envelope under the requested name.
#[test]
#[cfg(unix)]
fn an_out_file_is_complete_or_absent_even_when_the_writer_is_killed() {
    let dir = scratch("killed-writer");
    let (signer, _) = keygen(&dir, "signer", "ed25519");
    let pack = dir.join("pack.yaml");
    let mut text = String::from("name: p\nversion: \"1.0.0\"\nrules:\n");
    for rule in 0..2000 {
        text.push_str(&format!(
            "  - id: rule-{rule}\n    description: \"{}\"\n",
            "y".repeat(100)
        ));
    }
    std::fs::write(&pack, text).expect("write pack");
    let envelope = dir.join("pack.sig.json");
    let status = std::process::Command::new("bash")
        .args([
            "-c",
            r#"ulimit -f 64 && exec "$BIN" sign "$PACK" --key "$KEY" --out "$OUT""#,
        ])
        .env("BIN", env!("CARGO_BIN_EXE_assay-pack"))
        .env("PACK", &pack)
        .env("KEY", with_ext(&signer, "key"))
        .env("OUT", &envelope)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run bash");
    assert!(!status.success(), "the write must have been cut off");
    assert!(
        !envelope.exists(),
        "a truncated envelope was left at {}",
        envelope.display()
    );
    // Without the limit the same command writes the whole envelope.
    let out = sign(path_str(&pack), &signer, &envelope);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = std::fs::read_to_string(&envelope).expect("envelope");
    serde_json::from_str::<serde_json::Value>(&json).expect("a whole JSON envelope");
}

#[test]
fn sign_refuses_what_is_not_a_pack() {
    let dir = scratch("sign-not-a-pack");
    let (signer, _) = keygen(&dir, "signer", "ed25519");
    let empty = dir.join("empty.yaml");
    std::fs::write(&empty, b"# nothing but a comment\n").unwrap();
    let out_file = dir.join("empty.sig.json");
    let out = sign(path_str(&empty), &signer, &out_file);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_clean_error();
    assert!(
        out.stderr.contains("not a pack") && out.stderr.contains("`name`"),
        "{}",
        out.stderr
    );
    assert!(
        !out_file.exists(),
        "no envelope for something that is not a pack"
    );
}
