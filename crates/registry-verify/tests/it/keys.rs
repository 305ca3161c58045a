//! Keys: the RFC 8032 test key, PKCS#8 v1 and v2, PEM forms, and rejected key files.

use registry_verify::{Algorithm, Error, PrivateKey, PublicKey};

use crate::testdata::{RFC8032_TEST1_PUBLIC, RFC8032_TEST1_SEED, ed25519_pkcs8_v1, hex};

#[test]
fn rfc8032_test1_seed_gives_the_known_public_key_and_signature() {
    let key = PrivateKey::from_pkcs8_der(&ed25519_pkcs8_v1(&hex(RFC8032_TEST1_SEED))).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Ed25519);
    let mut spki = hex("302a300506032b6570032100");
    spki.extend_from_slice(&hex(RFC8032_TEST1_PUBLIC));
    assert_eq!(key.public_key().spki_der(), spki.as_slice());
    assert_eq!(
        key.key_id().as_str(),
        "sha256:06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
    );
    // RFC 8032 §7.1 TEST 1: the empty message.
    assert_eq!(
        key.sign(b"").unwrap(),
        hex(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        )
    );
}

#[test]
fn pkcs8_v1_and_v2_both_read_and_pem_round_trips() {
    let v1 = PrivateKey::from_pkcs8_der(&ed25519_pkcs8_v1(&hex(RFC8032_TEST1_SEED))).unwrap();
    // ring writes v2 (seed and public key); read it back through PEM.
    let generated = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let pem = generated.to_pkcs8_pem();
    assert!(
        pem.expose_secret()
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    let again = PrivateKey::from_pkcs8_pem(pem.expose_secret()).unwrap();
    assert_eq!(again.key_id(), generated.key_id());
    // v1 written as PEM reads back as the same key.
    let again = PrivateKey::from_pkcs8_pem(v1.to_pkcs8_pem().expose_secret()).unwrap();
    assert_eq!(again.key_id(), v1.key_id());
}

#[test]
fn pkcs8_v2_with_a_mismatched_public_key_is_rejected() {
    // A v2 document (version 1) holding the TEST 1 seed and the TEST 2 public key.
    let mut der = hex("3051020101300506032b657004220420");
    der.extend_from_slice(&hex(RFC8032_TEST1_SEED));
    der.extend_from_slice(&hex("812100"));
    der.extend_from_slice(&hex(
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    ));
    let error = PrivateKey::from_pkcs8_der(&der).unwrap_err();
    assert!(
        matches!(
            error,
            Error::PrivateKeyRejected {
                algorithm: Algorithm::Ed25519,
                ..
            }
        ),
        "{error:?}"
    );
}

/// A test-only P-256 key written by `openssl genpkey -algorithm EC -pkeyopt
/// ec_paramgen_curve:P-256` (OpenSSL 3.0): PKCS#8 v1 holding an ECPrivateKey with its
/// public key. Never trust it anywhere.
const OPENSSL_P256_TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAAZZ+cwK3s24CA05
syAXUi6IOEJf/ydrrd04icx2qXuhRANCAASEOL+YvC2DFrTQY5uUPXcKKEw+82/C
ZetJ085ROI4+8OoiJOLLMCSZ60+qa4c5+dGEtznJjpn4IIXK21nfFR8R
-----END PRIVATE KEY-----
";

/// What `openssl pkey -pubout` prints for [`OPENSSL_P256_TEST_KEY`].
const OPENSSL_P256_TEST_PUB: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhDi/mLwtgxa00GOblD13CihMPvNv
wmXrSdPOUTiOPvDqIiTiyzAkmetPqmuHOfnRhLc5yY6Z+CCFyttZ3xUfEQ==
-----END PUBLIC KEY-----
";

#[test]
fn openssl_p256_pkcs8_reads_and_matches_its_public_key() {
    let key = PrivateKey::from_pkcs8_pem(OPENSSL_P256_TEST_KEY).unwrap();
    assert_eq!(key.algorithm(), Algorithm::EcdsaP256Sha256);
    assert_eq!(key.public_key().to_pem(), OPENSSL_P256_TEST_PUB);
    assert_eq!(
        PublicKey::parse(OPENSSL_P256_TEST_PUB).unwrap(),
        key.public_key()
    );
    // Written back, the PEM is OpenSSL's byte for byte.
    assert_eq!(key.to_pkcs8_pem().expose_secret(), OPENSSL_P256_TEST_KEY);
    // ring's own P-256 keys read back too.
    let generated = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let again = PrivateKey::from_pkcs8_pem(generated.to_pkcs8_pem().expose_secret()).unwrap();
    assert_eq!(again.key_id(), generated.key_id());
}

#[test]
fn key_files_of_other_kinds_are_named() {
    let sec1 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n";
    let error = PrivateKey::from_pkcs8_pem(sec1).unwrap_err();
    assert_eq!(
        error.to_string(),
        "expected a PEM block `PRIVATE KEY`, found `EC PRIVATE KEY`"
    );

    let public = PrivateKey::generate(Algorithm::Ed25519)
        .unwrap()
        .public_key()
        .to_pem();
    let error = PrivateKey::from_pkcs8_pem(&public).unwrap_err();
    assert!(matches!(&error, Error::UnexpectedPemLabel { found, .. } if found == "PUBLIC KEY"));

    let error = PublicKey::parse("not base64!").unwrap_err();
    assert!(matches!(error, Error::InvalidBase64 { .. }), "{error:?}");

    // An X25519 private key (OID 1.3.101.110).
    let mut x25519 = hex("302e020100300506032b656e04220420");
    x25519.extend_from_slice(&[7; 32]);
    let error = PrivateKey::from_pkcs8_der(&x25519).unwrap_err();
    assert_eq!(
        error.to_string(),
        "key algorithm 1.3.101.110 is not supported (expected Ed25519, 1.3.101.112, or EC public key, 1.2.840.10045.2.1)"
    );
}

#[test]
fn public_key_text_forms_agree() {
    let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256)
        .unwrap()
        .public_key();
    let wrapped: String = key
        .to_base64_spki()
        .as_bytes()
        .chunks(20)
        .map(|chunk| format!("{}\n", String::from_utf8_lossy(chunk)))
        .collect();
    assert_eq!(PublicKey::parse(&wrapped).unwrap(), key);
    assert_eq!(PublicKey::parse(&key.to_pem()).unwrap(), key);
    assert_eq!(
        PublicKey::from_spki_der(key.spki_der()).unwrap().key_id(),
        key.key_id()
    );
}
