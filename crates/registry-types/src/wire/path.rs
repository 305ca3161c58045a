//! The request paths below a registry's base URL (PROTOCOL §6): packs, sidecars, version
//! lists, pack lists, the keys manifest and the token exchange.

use crate::{Namespace, PackName, Version};

/// The keys manifest.
pub const KEYS_PATH: &str = "/keys";

/// The OIDC token exchange (PROTOCOL §7).
pub const OIDC_EXCHANGE_PATH: &str = "/auth/oidc/exchange";

/// What a pack path gains to name the pack's sidecar envelope.
pub const SIDECAR_SUFFIX: &str = ".sig";

/// `/orgs/{org}` for a namespace, empty for the global one.
fn namespace_prefix(namespace: Option<&Namespace>) -> String {
    namespace.map_or_else(String::new, |org| format!("/orgs/{org}"))
}

/// `[/orgs/{org}]/packs`: the pack list (its query is `?limit=&cursor=`).
pub fn packs_path(namespace: Option<&Namespace>) -> String {
    format!("{}/packs", namespace_prefix(namespace))
}

/// `[/orgs/{org}]/packs/{name}/{version}`: the pack.
pub fn pack_path(namespace: Option<&Namespace>, name: &PackName, version: &Version) -> String {
    format!("{}/{name}/{version}", packs_path(namespace))
}

/// `[/orgs/{org}]/packs/{name}/{version}.sig`: the pack's sidecar envelope.
pub fn sidecar_path(namespace: Option<&Namespace>, name: &PackName, version: &Version) -> String {
    format!("{}{SIDECAR_SUFFIX}", pack_path(namespace, name, version))
}

/// `[/orgs/{org}]/packs/{name}/versions`: the version list.
pub fn versions_path(namespace: Option<&Namespace>, name: &PackName) -> String {
    format!("{}/{name}/versions", packs_path(namespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_the_protocol_shape() {
        let org = Namespace::parse("acme").unwrap();
        let name = PackName::parse("eu-ai-act-pro").unwrap();
        let version = Version::parse("1.2.0+build.5").unwrap();
        assert_eq!(
            pack_path(Some(&org), &name, &version),
            "/orgs/acme/packs/eu-ai-act-pro/1.2.0+build.5"
        );
        assert_eq!(
            sidecar_path(None, &name, &version),
            "/packs/eu-ai-act-pro/1.2.0+build.5.sig"
        );
        assert_eq!(versions_path(None, &name), "/packs/eu-ai-act-pro/versions");
        assert_eq!(packs_path(Some(&org)), "/orgs/acme/packs");
    }
}
