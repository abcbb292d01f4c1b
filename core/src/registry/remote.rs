//! A remote registry speaking the OCI distribution API.
//!
//! The token handshake (anonymous or with credentials, Bearer challenge or Basic) is done by
//! oci-client; every content request is made here, so sizes are capped before reading, digests
//! checked after, and the referrers API told apart from its fallback.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::SystemTime;

use reqwest::Method;
use tokio::sync::RwLock;

use super::cache::{CacheOptions, ContentCache, RepositoryHint};
use super::credentials::Credentials;
use super::manifest::Descriptor;
use super::{FetchedManifest, Limits, RegistryError, Source};
use crate::reference::Digest;
use crate::target::{DOCKER_HUB, Repository};

mod clients;
mod content;
mod exchange;
mod inflight;
mod wire;

use clients::Clients;
use inflight::InFlight;

use wire::{next_link, read_capped};

/// How to reach a registry.
#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    /// Use plain HTTP (cosign's `--allow-http-registry`).
    pub allow_http: bool,
    /// Extra trusted CA certificates (PEM), beside the system roots.
    pub ca_certificates_pem: Vec<Vec<u8>>,
    pub credentials: Credentials,
    pub limits: Limits,
    /// The content cache (in memory only unless it names a folder).
    pub cache: CacheOptions,
}

/// One repository on a remote registry.
pub struct RemoteRegistry {
    repository: Repository,
    base: String,
    clients: Clients,
    /// Requests in flight (one at a time per thing) and the tags this run resolved.
    inflight: InFlight,
    credentials: Credentials,
    token: RwLock<Option<String>>,
    limits: Limits,
    requests: AtomicU64,
    cache: ContentCache,
    /// An earlier run read this repository (with the disk cache): tags are resolved with HEAD.
    seen_before: bool,
    /// Whether this run has left its hint for the next.
    recorded: AtomicBool,
    /// What is known of the referrers API (`content::REFERRERS_*`).
    referrers_api: AtomicU8,
}

/// Installs ring as rustls' process-wide crypto provider (once; later calls are no-ops).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl RemoteRegistry {
    pub fn new(repository: Repository, options: RemoteOptions) -> Result<Self, RegistryError> {
        install_crypto_provider();
        let what = repository.to_string();
        let api_host = if repository.registry == DOCKER_HUB {
            "registry-1.docker.io".to_owned()
        } else {
            repository.registry.clone()
        };
        let scheme = if options.allow_http { "http" } else { "https" };
        let clients = Clients::new(&options, &what)?;
        let cache = ContentCache::open(options.cache);
        let hint = cache.repository_hint(&what, SystemTime::now());
        let referrers_api = match hint {
            Some(RepositoryHint::NoReferrersApi) => content::REFERRERS_ABSENT,
            _ => content::REFERRERS_UNKNOWN,
        };
        Ok(RemoteRegistry {
            cache,
            seen_before: hint.is_some(),
            recorded: AtomicBool::new(false),
            referrers_api: AtomicU8::new(referrers_api),
            base: format!("{scheme}://{api_host}/v2/{}", repository.path),
            repository,
            clients,
            inflight: InFlight::default(),
            credentials: options.credentials,
            token: RwLock::new(None),
            limits: options.limits,
            requests: AtomicU64::new(0),
        })
    }

    /// How many HTTP requests this source has made (content and auth).
    pub fn requests_made(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn what(&self, kind: &str, reference: &str) -> String {
        format!("{kind} {}@{reference}", self.repository)
    }
}

impl Source for RemoteRegistry {
    fn name(&self) -> String {
        self.repository.to_string()
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    async fn list_tags(&self) -> Result<Vec<String>, RegistryError> {
        let what = format!("tags of {}", self.repository);
        let mut url = format!("{}/tags/list?n={}", self.base, self.limits.tag_page_size);
        let mut tags = Vec::new();
        for _ in 0..self.limits.max_tag_pages {
            let response = self.send(Method::GET, &url, "application/json").await?;
            if !response.status().is_success() {
                return Err(self.status_error(&what, response).await);
            }
            let next = next_link(response.headers());
            let body = read_capped(&what, response, self.limits.max_manifest_bytes).await?;
            #[derive(serde::Deserialize)]
            struct TagList {
                tags: Option<Vec<String>>,
            }
            let page: TagList = crate::artifact::error::parse_json(&what, &body)
                .map_err(|e| RegistryError::malformed(&what, e))?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                Some(link) => url = self.resolve_link(&link),
                None => return Ok(tags),
            }
        }
        Err(RegistryError::LimitReached {
            what,
            reason: format!("more than {} pages of tags", self.limits.max_tag_pages),
        })
    }

    async fn fetch_manifest(&self, reference: &str) -> Result<FetchedManifest, RegistryError> {
        self.manifest(reference).await
    }

    async fn fetch_blob(
        &self,
        descriptor: &Descriptor,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        self.blob(descriptor, limit).await
    }

    async fn referrers_api(
        &self,
        subject: &Digest,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        self.referrers(subject).await
    }
}

impl RemoteRegistry {
    /// A `Link: <url>; rel="next"` target, relative to the registry host.
    fn resolve_link(&self, link: &str) -> String {
        if link.starts_with("http://") || link.starts_with("https://") {
            return link.to_owned();
        }
        let origin_end = self.base.find("/v2/").unwrap_or(self.base.len());
        format!("{}{link}", &self.base[..origin_end])
    }
}
