//! Wycheproof signature vectors: every case of the three files gives the expected verdict.
//!
//! For each test group the public key is read from `publicKeyDer` (SPKI) and from
//! `publicKeyPem`, and its key id is checked against SHA-256 of the DER. Each case's
//! `result` maps as follows: `valid` must verify, `invalid` must not. `acceptable` means
//! Wycheproof allows either verdict (a legacy encoding, a weak-but-valid parameter); such
//! a case is counted, not asserted. These three files contain no `acceptable` case, and
//! the totals below would change if an update brought some in.
//!
//! There are no exceptions: [`KNOWN_DISAGREEMENTS`] is empty. Two design choices could
//! have caused some and were checked against the vectors. P-256 reads a 64-byte signature
//! as `r ‖ s` and any other length as DER, so the DER file's signatures that are not DER
//! (and the P1363 file's signatures of the wrong length) still fail; and Ed25519 uses
//! `verify_strict`, which agrees with Wycheproof's expectations (it rejects `S ≥ L` and
//! non-canonical or small-order `R`).

use registry_verify::{KeyId, PublicKey};
use ring::digest::{SHA256, digest};

use crate::testdata::{array_at, hex, json, str_at};

/// Cases (file, tcId, reason) whose verdict deliberately differs from Wycheproof's.
const KNOWN_DISAGREEMENTS: &[(&str, u64, &str)] = &[];

/// What a run over one file saw.
#[derive(Debug, Default)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable: usize,
    disagreements: Vec<(u64, String)>,
}

impl Tally {
    fn total(&self) -> usize {
        self.valid + self.invalid + self.acceptable
    }
}

fn run(file: &str) -> Tally {
    let doc = json(&format!("wycheproof/{file}"));
    let mut tally = Tally::default();
    for group in array_at(&doc, "testGroups") {
        let der = hex(str_at(group, "publicKeyDer"));
        let expected_id = format!(
            "sha256:{}",
            data_encoding::HEXLOWER.encode(digest(&SHA256, &der).as_ref())
        );
        assert_eq!(KeyId::of_spki_der(&der).as_str(), expected_id);
        let key = PublicKey::from_spki_der(&der);
        if let Ok(key) = &key {
            assert_eq!(key.key_id().as_str(), expected_id);
            assert_eq!(key.spki_der(), der.as_slice());
            let from_pem = PublicKey::from_pem(str_at(group, "publicKeyPem"))
                .unwrap_or_else(|error| panic!("{file}: PEM of {expected_id}: {error}"));
            assert_eq!(&from_pem, key);
        }
        for case in array_at(group, "tests") {
            let tc_id = case["tcId"].as_u64().expect("tcId is a number");
            let message = hex(str_at(case, "msg"));
            let signature = hex(str_at(case, "sig"));
            let verdict = match &key {
                Ok(key) => key
                    .verify(&message, &signature)
                    .map_err(|error| error.to_string()),
                Err(error) => Err(format!("key rejected: {error}")),
            };
            let disagreement = match (str_at(case, "result"), &verdict) {
                ("valid", Ok(())) => {
                    tally.valid += 1;
                    None
                }
                ("valid", Err(error)) => {
                    tally.valid += 1;
                    Some(format!("valid case rejected: {error}"))
                }
                ("invalid", Ok(())) => {
                    tally.invalid += 1;
                    Some("invalid case accepted".to_owned())
                }
                ("invalid", Err(_)) => {
                    tally.invalid += 1;
                    None
                }
                ("acceptable", _) => {
                    tally.acceptable += 1;
                    None
                }
                (other, _) => panic!("{file} tcId {tc_id}: unknown result {other:?}"),
            };
            if let Some(reason) = disagreement {
                let comment = str_at(case, "comment");
                tally
                    .disagreements
                    .push((tc_id, format!("{comment}: {reason}")));
            }
        }
    }
    let declared = doc["numberOfTests"]
        .as_u64()
        .expect("numberOfTests is a number");
    assert_eq!(
        tally.total() as u64,
        declared,
        "{file}: cases run vs numberOfTests"
    );
    let known: Vec<u64> = KNOWN_DISAGREEMENTS
        .iter()
        .filter(|(known_file, _, _)| *known_file == file)
        .map(|(_, tc_id, _)| *tc_id)
        .collect();
    let found: Vec<u64> = tally
        .disagreements
        .iter()
        .map(|(tc_id, _)| *tc_id)
        .collect();
    assert_eq!(
        found, known,
        "{file}: disagreements with Wycheproof: {:#?}",
        tally.disagreements
    );
    tally
}

#[test]
fn ed25519() {
    let tally = run("ed25519_test.json");
    assert_eq!(
        (tally.total(), tally.valid, tally.invalid, tally.acceptable),
        (151, 88, 63, 0)
    );
}

#[test]
fn ecdsa_p256_sha256_der() {
    let tally = run("ecdsa_secp256r1_sha256_test.json");
    assert_eq!(
        (tally.total(), tally.valid, tally.invalid, tally.acceptable),
        (484, 174, 310, 0)
    );
}

#[test]
fn ecdsa_p256_sha256_p1363() {
    let tally = run("ecdsa_secp256r1_sha256_p1363_test.json");
    assert_eq!(
        (tally.total(), tally.valid, tally.invalid, tally.acceptable),
        (262, 173, 89, 0)
    );
}
