//! Integration tests of registry-http: the reference server in-process, real sockets on
//! 127.0.0.1, real TLS where TLS is the point.

mod config;
mod content_digest;
mod faults;
mod fetch;
mod oidc;
mod pool;
mod redirect;
mod retry;
mod status;
mod support;
mod tls;
