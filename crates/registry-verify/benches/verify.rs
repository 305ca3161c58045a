//! Signature verifications per second: Ed25519 (ed25519-dalek, strict) and ECDSA P-256 (ring),
//! with P-256 through the `p256` crate and Ed25519 through ring for comparison.
//!
//! Run with `cargo bench -p registry-verify --bench verify`; criterion reports each
//! benchmark's throughput in verifications per second (`elem/s`). The message is a
//! 200-byte PAE, about what a keys manifest or a small pack envelope signs; for larger
//! payloads SHA-256 / SHA-512 over the message adds its own cost on top. `verify_pack`
//! measures the whole check of a 1 MiB pack: canonical digest plus one Ed25519 signature.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use p256::ecdsa::signature::Verifier;
use registry_types::{Policy, Timestamp};
use registry_verify::{
    Algorithm, Envelope, PackPayloadType, PrivateKey, PublicKey, TrustStore, VerifyOptions, pae,
    sign_pack, verify_pack,
};
use ring::signature::{ED25519, UnparsedPublicKey};

fn message() -> Vec<u8> {
    pae("application/vnd.assay.pack.v1+jcs", &[b'x'; 160])
}

fn verify(c: &mut Criterion) {
    let message = message();
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));

    let ed25519 = PrivateKey::generate(Algorithm::Ed25519).expect("key generation");
    let ed25519_signature = ed25519.sign(&message).expect("signing");
    let ed25519_public = ed25519.public_key();
    group.bench_function("ed25519/dalek-strict", |b| {
        b.iter(|| {
            ed25519_public
                .verify(&message, &ed25519_signature)
                .expect("valid")
        });
    });
    let raw_ed25519 = &ed25519_public.spki_der()[12..];
    group.bench_function("ed25519/ring", |b| {
        b.iter(|| {
            UnparsedPublicKey::new(&ED25519, raw_ed25519)
                .verify(&message, &ed25519_signature)
                .expect("valid")
        });
    });

    let p256_key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).expect("key generation");
    let p256_der = p256_key.sign(&message).expect("signing");
    let p256_public = p256_key.public_key();
    group.bench_function("p256/ring-der", |b| {
        b.iter(|| p256_public.verify(&message, &p256_der).expect("valid"));
    });
    let point = &p256_public.spki_der()[26..];
    let rust_crypto_key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).expect("point");
    let rust_crypto_signature = p256::ecdsa::Signature::from_der(&p256_der).expect("DER");
    let p256_fixed = rust_crypto_signature.to_bytes().to_vec();
    group.bench_function("p256/ring-fixed", |b| {
        b.iter(|| p256_public.verify(&message, &p256_fixed).expect("valid"));
    });
    group.bench_function("p256/p256-crate-der", |b| {
        b.iter(|| {
            let signature = p256::ecdsa::Signature::from_der(&p256_der).expect("DER");
            rust_crypto_key.verify(&message, &signature).expect("valid")
        });
    });
    group.finish();

    let mut group = c.benchmark_group("read");
    group.throughput(Throughput::Elements(1));
    let ed25519_spki = ed25519_public.spki_der().to_vec();
    group.bench_function("public-key/ed25519", |b| {
        b.iter(|| PublicKey::from_spki_der(&ed25519_spki).expect("key"));
    });
    let p256_spki = p256_public.spki_der().to_vec();
    group.bench_function("public-key/p256", |b| {
        b.iter(|| PublicKey::from_spki_der(&p256_spki).expect("key"));
    });
    let mut envelope = Envelope::new("application/vnd.assay.pack.v1+jcs", vec![b'x'; 1 << 20]);
    envelope.add_signature(&ed25519).expect("signing");
    let json = envelope.to_json();
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("envelope/1MiB-parse-and-verify-ed25519", |b| {
        b.iter(|| {
            let envelope = Envelope::from_json(json.as_bytes()).expect("envelope");
            envelope
                .verify_signature(&envelope.signatures()[0], &ed25519_public)
                .expect("valid")
        });
    });
    group.finish();

    let mut group = c.benchmark_group("verify_pack");
    let pack = one_mib_pack();
    group.throughput(Throughput::Bytes(pack.len() as u64));
    let signed = sign_pack(pack.as_bytes(), &[&ed25519], PackPayloadType::Jcs).expect("signing");
    let mut trust = TrustStore::default();
    trust.add_pack_key(ed25519_public.clone());
    let now = Timestamp::parse("2026-06-01T00:00:00Z").expect("time");
    let options = VerifyOptions::new(Policy::Commercial, now);
    group.sample_size(20);
    group.bench_function("1MiB-canonical-digest-and-ed25519", |b| {
        b.iter(|| verify_pack(pack.as_bytes(), Some(&signed), &trust, &options).expect("valid"));
    });
    group.finish();
}

/// A realistic pack of about 1 MiB: header fields, then rules with a block scalar and a
/// nested check mapping.
fn one_mib_pack() -> String {
    let mut pack = String::from("name: bench-pack\nversion: \"1.0.0\"\nkind: compliance\nrules:\n");
    let mut index = 0;
    while pack.len() < 1 << 20 {
        pack.push_str(&format!(
            "  - id: rule-{index:06}\n    severity: high\n    description: Check number {index} of the pack\n    help: |\n      Reviewers confirm the evidence for control {index}.\n      Keep it for six months.\n    check:\n      type: field_match\n      field: \"spec.controls.c{index}\"\n      value: {index}\n"
        ));
        index += 1;
    }
    pack
}

criterion_group!(benches, verify);
criterion_main!(benches);
