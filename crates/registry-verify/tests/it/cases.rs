//! The data-driven cases under `testdata/verify/`: packs with their envelopes, keys manifests
//! and trust settings, and what verifying them gives (the result, or the rendered error).
//!
//! Each case folder holds a hand-written `case.json` (the trust settings, the verify options
//! and the recipe of its signed inputs), a `pack.yaml`, and the inputs generated from the
//! recipe with the test-only keys of `testdata/verify/keys/`: `envelope.json` and
//! `keys.json` (a `GET /keys` body). `expected.txt` is the verify result of an accepted
//! case, or the stage, variant and error report of a rejected one.
//!
//! `UPDATE_EXPECT=1` (what `cargo xtask bless` sets) rewrites `expected.txt`;
//! `GEN_TESTDATA=1` (what `cargo xtask gen-testdata` sets) rewrites the generated inputs.
//! Otherwise the generated inputs on disk must be byte for byte what the generator makes
//! now, so the fixtures are reproducible and a hand edit of them is caught.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use registry_types::{Digest, Policy, Timestamp, base64};
use registry_verify::{
    Envelope, Error, KEYS_MANIFEST_PAYLOAD_TYPE, ManifestCheckpoint, MissingSignature,
    PACK_PAYLOAD_TYPE, PrivateKey, RootSpec, SignatureStatus, TrustMode, TrustStore,
    VerifiedManifest, VerifyOptions, VerifyResult, pae, verify_manifest, verify_pack,
};
use serde_json::Value;

use crate::testdata::{ed25519_pkcs8_v1, hex};

/// The test-only keys: a short name and an Ed25519 seed. Ed25519 signatures are
/// deterministic, so everything signed with these keys is reproducible.
///
/// `a` is the RFC 8032 TEST 1 seed (the project's well-known test key); the others are
/// the seeds of RFC 8032 TEST 2, TEST 3 and TEST 1024.
const KEYS: [(&str, &str); 4] = [
    (
        "a",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    ),
    (
        "b",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    ),
    (
        "c",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    ),
    (
        "root",
        "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
    ),
];

fn verify_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/verify")
}

/// The file name of a test-only key.
fn key_file(name: &str) -> PathBuf {
    verify_dir()
        .join("keys")
        .join(format!("test-only-ed25519-{name}.pem"))
}

/// Reads the test-only key `name` from its file.
fn key(name: &str) -> PrivateKey {
    let path = key_file(name);
    let pem = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask gen-testdata`)", path.display()));
    PrivateKey::from_pkcs8_pem(&pem).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn case_dirs(kind: &str) -> Vec<PathBuf> {
    let dir = verify_dir().join(kind);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    cases
}

/// Writes `actual` to `path` when `variable` is set; otherwise compares it with the file.
fn check_file(path: &Path, actual: &[u8], variable: &str, command: &str) {
    if std::env::var_os(variable).is_some() {
        std::fs::write(path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let wanted = std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `{command}` to create it)", path.display()));
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&wanted),
        "{} (run `{command}` after an intended change)",
        path.display()
    );
}

/// A case folder and its `case.json`.
struct Case {
    dir: PathBuf,
    spec: Value,
}

impl Case {
    fn load(dir: PathBuf) -> Case {
        let path = dir.join("case.json");
        let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let spec =
            serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Case { dir, spec }
    }

    fn name(&self) -> String {
        self.dir.display().to_string()
    }

    fn read(&self, file: &str) -> Vec<u8> {
        let path = self.dir.join(file);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn str(&self, field: &str) -> Option<&str> {
        self.spec.get(field).map(|value| {
            value
                .as_str()
                .unwrap_or_else(|| panic!("{}: `{field}` is not a string", self.name()))
        })
    }

    fn names(&self, field: &str) -> Vec<String> {
        names(self.spec.get(field), &self.name())
    }

    fn time(&self, field: &str) -> Option<Timestamp> {
        self.str(field)
            .map(|text| Timestamp::parse(text).expect("time"))
    }

    /// The generated inputs of this case: file name and bytes.
    fn generate(&self, keys: &BTreeMap<&str, PrivateKey>) -> Vec<(&'static str, Vec<u8>)> {
        let mut files = Vec::new();
        if let Some(recipe) = self.spec.get("envelope") {
            files.push(("envelope.json", self.envelope(recipe, keys).into_bytes()));
        }
        if let Some(recipe) = self.spec.get("manifest") {
            files.push((
                "keys.json",
                manifest(recipe, keys, &self.name()).into_bytes(),
            ));
        }
        files
    }

    /// The envelope JSON a recipe describes: the canonical bytes of `payload` (default
    /// `pack.yaml`) under `payload_type`, signed in order by `signers` (as many as the
    /// recipe says, past the limit too), the first signature flipped in one bit when
    /// `corrupt` is true.
    fn envelope(&self, recipe: &Value, keys: &BTreeMap<&str, PrivateKey>) -> String {
        let source = recipe["payload"].as_str().unwrap_or("pack.yaml");
        let canonical =
            registry_canon::CanonicalPack::from_yaml(&self.read(source), &Default::default())
                .unwrap_or_else(|e| panic!("{}: {source}: {e}", self.name()));
        let payload_type = recipe["payload_type"].as_str().unwrap_or(PACK_PAYLOAD_TYPE);
        let pae = pae(payload_type, canonical.bytes());
        let signatures: Vec<Value> = names(recipe.get("signers"), &self.name())
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let key = &keys[name.as_str()];
                let mut sig = key.sign(&pae).expect("sign");
                if index == 0 && recipe["corrupt"].as_bool() == Some(true) {
                    sig[0] ^= 1;
                }
                serde_json::json!({
                    "keyid": key.key_id().as_str(),
                    "sig": base64::encode_standard(&sig),
                })
            })
            .collect();
        let envelope = serde_json::json!({
            "payloadType": payload_type,
            "payload": base64::encode_standard(canonical.bytes()),
            "signatures": signatures,
        });
        let mut json = serde_json::to_string_pretty(&envelope).expect("envelope JSON");
        json.push('\n');
        json
    }

    /// Verifies the case: the keys manifest, then the envelope, then the pack.
    fn run(&self, keys: &BTreeMap<&str, PrivateKey>) -> Result<String, (&'static str, Error)> {
        let now = self.time("now").expect("every case has `now`");
        let mut out = String::new();
        let roots = self
            .names("roots")
            .iter()
            .map(|name| RootSpec::Key(keys[name.as_str()].public_key()))
            .collect();
        let mut trust = TrustStore::new(roots, TrustMode::Override).expect("trust store");
        for name in self.names("pack_keys") {
            trust.add_pack_key(keys[name.as_str()].public_key());
        }
        if self.spec.get("manifest").is_some() {
            let checkpoint = self.spec.get("checkpoint").map(|value| ManifestCheckpoint {
                version: value["version"].as_u64().expect("checkpoint version"),
                payload_digest: Digest::parse(value["payload_digest"].as_str().expect("digest"))
                    .expect("checkpoint digest"),
            });
            let manifest =
                verify_manifest(&self.read("keys.json"), &trust, checkpoint.as_ref(), now)
                    .map_err(|error| ("manifest", error))?;
            out.push_str(&render_manifest(&manifest));
            trust.accept_manifest(&manifest);
        }
        let envelope = match self.spec.get("envelope") {
            Some(_) => {
                let mut json = self.read("envelope.json");
                // An oversized envelope is the generated one followed by JSON whitespace, so
                // that the fixture does not have to hold 16 MiB.
                if let Some(size) = self.spec["pad_envelope_to"].as_u64() {
                    json.resize(usize::try_from(size).expect("size"), b' ');
                }
                Some(Envelope::from_json(&json).map_err(|error| ("envelope", error))?)
            }
            None => None,
        };
        let mut options = VerifyOptions::new(
            match self.str("policy").expect("every case has `policy`") {
                "open" => Policy::Open,
                "commercial" => Policy::Commercial,
                other => panic!("{}: unknown policy {other}", self.name()),
            },
            now,
        );
        if let Some(threshold) = self.spec["threshold"].as_u64() {
            options.threshold = NonZeroUsize::new(usize::try_from(threshold).expect("threshold"))
                .expect("a threshold of at least 1");
        }
        if let Some(digest) = self.str("expected_digest") {
            options.expected_digest = Some(Digest::parse(digest).expect("expected digest"));
        }
        if self.str("missing_signature") == Some("allow-insecure-for-development") {
            options.missing_signature = MissingSignature::AllowInsecureForDevelopment;
        }
        let result = verify_pack(&self.read("pack.yaml"), envelope.as_ref(), &trust, &options)
            .map_err(|error| ("pack", error))?;
        out.push_str(&render_result(&result));
        Ok(out)
    }
}

/// A list of key names (absent: none).
fn names(value: Option<&Value>, case: &str) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    value
        .as_array()
        .unwrap_or_else(|| panic!("{case}: a list of key names expected, got {value}"))
        .iter()
        .map(|name| name.as_str().expect("a key name").to_owned())
        .collect()
}

/// The `GET /keys` body a manifest recipe describes: the recipe's fields but `signer` and
/// `keys` as they are, each key entry `{"key": name, …}` completed with the key's id,
/// algorithm, public key and the `pack-signing` usage, signed by `signer`.
fn manifest(recipe: &Value, keys: &BTreeMap<&str, PrivateKey>, case: &str) -> String {
    let mut payload = recipe.as_object().expect("manifest recipe").clone();
    let signer = payload
        .remove("signer")
        .and_then(|name| name.as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("{case}: the manifest recipe names no signer"));
    let entries = payload
        .remove("keys")
        .unwrap_or_else(|| Value::Array(Vec::new()));
    let entries: Vec<Value> = entries
        .as_array()
        .expect("keys")
        .iter()
        .map(|entry| {
            let mut entry = entry.as_object().expect("key entry").clone();
            let name = entry.remove("key").expect("key name");
            let public = keys[name.as_str().expect("key name")].public_key();
            entry.insert("key_id".into(), public.key_id().as_str().into());
            entry.insert("algorithm".into(), public.algorithm().as_str().into());
            entry.insert("public_key".into(), public.to_base64_spki().into());
            entry
                .entry("usage")
                .or_insert_with(|| serde_json::json!(["pack-signing"]));
            Value::Object(entry)
        })
        .collect();
    payload.insert("keys".into(), entries.into());
    let bytes = serde_json::to_vec(&payload).expect("manifest JSON");
    let mut envelope = Envelope::new(KEYS_MANIFEST_PAYLOAD_TYPE, bytes);
    envelope
        .add_signature(&keys[signer.as_str()])
        .expect("sign");
    let mut json = envelope.to_json();
    json.push('\n');
    json
}

fn render_manifest(manifest: &VerifiedManifest) -> String {
    let mut out = format!(
        "manifest: version {}, signed by {}\n",
        manifest.version(),
        manifest.signed_by()
    );
    for key in manifest.keys() {
        out.push_str(&format!(
            "  key {} valid {}{}\n",
            key.key.key_id(),
            key.window,
            if key.revoked { ", revoked" } else { "" }
        ));
    }
    for dropped in manifest.dropped() {
        out.push_str(&format!(
            "  dropped {}: {:?}\n",
            dropped.claimed_key_id, dropped.reason
        ));
    }
    out
}

fn render_result(result: &VerifyResult) -> String {
    let signature = match &result.signature {
        SignatureStatus::Verified {
            key_ids,
            payload_type,
        } => {
            let ids: Vec<&str> = key_ids.iter().map(|id| id.as_str()).collect();
            format!("verified by {} ({payload_type})", ids.join(", "))
        }
        SignatureStatus::Unsigned => "unsigned".to_owned(),
        SignatureStatus::MissingAllowedInsecurely => "missing, allowed insecurely".to_owned(),
    };
    format!("digest: {}\nsignature: {signature}\n", result.digest())
}

/// The variant name of an error, from its `Debug` form.
fn variant(error: &Error) -> String {
    let debug = format!("{error:?}");
    debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn test_keys() -> BTreeMap<&'static str, PrivateKey> {
    KEYS.iter().map(|(name, _)| (*name, key(name))).collect()
}

/// The test-only keys, then the signed inputs of every case, are what the generator makes
/// (or, under `GEN_TESTDATA=1`, are rewritten). One test, so that the inputs are signed with
/// the keys just written.
#[test]
fn fixtures_are_reproducible() {
    for (name, seed) in KEYS {
        let key = PrivateKey::from_pkcs8_der(&ed25519_pkcs8_v1(&hex(seed))).expect("seed");
        let pem = key.to_pkcs8_pem();
        check_file(
            &key_file(name),
            pem.expose_secret().as_bytes(),
            "GEN_TESTDATA",
            "cargo xtask gen-testdata",
        );
    }
    let keys = test_keys();
    for kind in ["accept", "reject"] {
        for dir in case_dirs(kind) {
            let case = Case::load(dir);
            for (file, bytes) in case.generate(&keys) {
                check_file(
                    &case.dir.join(file),
                    &bytes,
                    "GEN_TESTDATA",
                    "cargo xtask gen-testdata",
                );
            }
        }
    }
}

#[test]
fn accepted_cases_give_their_result() {
    let keys = test_keys();
    for dir in case_dirs("accept") {
        let case = Case::load(dir);
        let out = case.run(&keys).unwrap_or_else(|(stage, error)| {
            panic!(
                "{}: rejected at {stage}: {}",
                case.name(),
                snafu::Report::from_error(error)
            )
        });
        check_file(
            &case.dir.join("expected.txt"),
            out.as_bytes(),
            "UPDATE_EXPECT",
            "cargo xtask bless",
        );
    }
}

#[test]
fn rejected_cases_give_their_error_report() {
    let keys = test_keys();
    for dir in case_dirs("reject") {
        let case = Case::load(dir);
        let Err((stage, error)) = case.run(&keys) else {
            panic!("{}: accepted, expected a rejection", case.name());
        };
        let variant = variant(&error);
        let report = snafu::Report::from_error(error).to_string();
        let rendered = format!(
            "stage: {stage}\nvariant: {variant}\n{}\n",
            report.trim_end()
        );
        check_file(
            &case.dir.join("expected.txt"),
            rendered.as_bytes(),
            "UPDATE_EXPECT",
            "cargo xtask bless",
        );
    }
}
