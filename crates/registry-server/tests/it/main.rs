//! Integration tests of the reference registry: the server in-process, spoken to over real sockets on 127.0.0.1.

mod auth;
mod faults;
mod listing;
mod oidc;
mod packs;
mod serving;
mod startup;
mod support;
mod tls;
