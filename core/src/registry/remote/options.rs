//! How to reach a remote registry: TLS, plain HTTP, credentials, limits and the cache.

use std::sync::Arc;

use super::traffic::Traffic;
use crate::registry::Limits;
use crate::registry::cache::CacheOptions;
use crate::registry::credentials::Credentials;

/// How to reach a registry.
#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    /// Use plain HTTP (cosign's `--allow-http-registry`).
    pub allow_http: bool,
    /// Extra trusted CA certificates (PEM), beside the system roots.
    pub ca_certificates_pem: Vec<Vec<u8>>,
    /// Who to authenticate as (flags, docker config, credential helpers, or anonymous).
    pub credentials: Credentials,
    /// Budgets on what the registry may send (manifest and blob sizes, pages, tags).
    pub limits: Limits,
    /// The content cache (in memory only unless it names a folder).
    pub cache: CacheOptions,
    /// Where the requests are counted (shared by every source opened with these options).
    pub traffic: Arc<Traffic>,
}
