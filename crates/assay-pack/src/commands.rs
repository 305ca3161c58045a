//! One module per subcommand, plus the clock they share.

pub(crate) mod cache;
pub(crate) mod canon;
pub(crate) mod clock;
pub(crate) mod demo;
pub(crate) mod digest;
pub(crate) mod fetch;
pub(crate) mod keygen;
pub(crate) mod listing;
pub(crate) mod lock;
pub(crate) mod manifest;
pub(crate) mod registry_session;
pub(crate) mod resolve;
pub(crate) mod serve;
pub(crate) mod sign;
pub(crate) mod verify;
