//! Integration tests of registry-verify: data-driven cases, public vectors, DSSE interop, keys, round trips and limits.

mod cases;
mod dsse;
mod ecdsa_encodings;
mod envelope_limits;
mod keys;
mod manifest;
mod policy;
mod reference;
mod round_trip;
mod testdata;
mod wycheproof;
