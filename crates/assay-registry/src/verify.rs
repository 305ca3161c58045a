//! Verification and signing (registry-verify): the pack policy (digest, payload type,
//! payload = canonical bytes, distinct trusted signers against a threshold), DSSE envelopes,
//! keys and key ids. Pure functions: no network, no file system, no clock.

pub use registry_verify::{
    Algorithm, Envelope, Envelope as DsseEnvelope, EnvelopeField, EnvelopeSignature,
    EnvelopeSignature as DsseSignature, Error, KeyFault, KeyId, KeyUsage, LEGACY_PACK_PAYLOAD_TYPE,
    MAX_ENVELOPE_BYTES, MAX_KEY_ID_CHARS, MAX_SIGNATURES, MissingSignature, PACK_PAYLOAD_TYPE,
    PackPayloadType, PrivateKey, PublicKey, Result, SecretPem, SignatureStatus, SignerHints,
    SignerIds, VerifyOptions, VerifyResult, compute_digest, pae, sign_pack, verify_digest,
    verify_pack,
};
