//! Signing what a case under `testdata/cli/` cannot hold: a pack near the size limit, made
//! on the fly, and a writer killed mid-write (the rest of keygen → sign → verify, keys
//! manifests and each refusal are cases).

use std::path::{Path, PathBuf};

use crate::cli::{Run, run, scratch};

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
