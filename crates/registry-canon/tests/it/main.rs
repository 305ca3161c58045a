//! Integration tests of registry-canon: public vectors, reference interop, rules, properties.

mod cases;
mod jcs_vectors;
mod properties;
mod reference;
mod rules;
mod testdata;
mod yaml_suite;
