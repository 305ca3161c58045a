//! Integration tests of registry-resolve, against the reference registry on 127.0.0.1.

mod keys;
mod order;
mod pipeline;
mod support;
