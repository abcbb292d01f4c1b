//! Content from the registry, economically: manifests and blobs come from the digest-checked
//! cache when it has them; a tag of a repository read before is resolved with a HEAD (the digest
//! is all that is needed when the manifest is cached); the referrers API is asked once per run,
//! and not at all while a recent run found the registry without it.

use std::sync::atomic::Ordering;

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;

use super::RemoteRegistry;
use super::wire::read_capped;
use crate::reference::Digest;
use crate::registry::cache::{CachedManifest, RepositoryHint};
use crate::registry::manifest::{ACCEPTED_MANIFESTS, Descriptor, Manifest, OCI_INDEX};
use crate::registry::{FetchedManifest, RegistryError, check_declared_size, check_digest};

/// What is known of the registry's referrers API in this run.
pub(super) const REFERRERS_UNKNOWN: u8 = 0;
pub(super) const REFERRERS_PRESENT: u8 = 1;
pub(super) const REFERRERS_ABSENT: u8 = 2;

impl RemoteRegistry {
    /// A manifest by tag or digest: from the cache by digest, else fetched (and then cached).
    pub(super) async fn manifest(&self, reference: &str) -> Result<FetchedManifest, RegistryError> {
        let _held = self.inflight.hold(format!("manifest {reference}")).await;
        if let Ok(digest) = reference.parse::<Digest>() {
            if let Some(hit) = self.cache.manifest(&digest) {
                return Ok(fetched(digest, hit));
            }
            return self.get_manifest(reference).await;
        }
        if let Some(digest) = self.inflight.tag(reference)
            && let Some(hit) = self.cache.manifest(&digest)
        {
            return Ok(fetched(digest, hit));
        }
        // A repository read before: resolve the tag with HEAD, which registries answer with
        // the digest and do not count as a pull (Docker Hub counts GETs only).
        if self.seen_before
            && let Some(digest) = self.head_digest(reference).await?
        {
            self.inflight.record_tag(reference, &digest);
            if let Some(hit) = self.cache.manifest(&digest) {
                return Ok(fetched(digest, hit));
            }
            return self.get_manifest(&digest.to_string()).await;
        }
        self.get_manifest(reference).await
    }

    /// The digest a tag points to, from `Docker-Content-Digest` (`None` when not sent).
    async fn head_digest(&self, tag: &str) -> Result<Option<Digest>, RegistryError> {
        let what = self.what("manifest", tag);
        let url = format!("{}/manifests/{tag}", self.base);
        let response = self
            .send(Method::HEAD, &url, &ACCEPTED_MANIFESTS.join(", "))
            .await?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response).await);
        }
        Ok(response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<Digest>().ok()))
    }

    async fn get_manifest(&self, reference: &str) -> Result<FetchedManifest, RegistryError> {
        let what = self.what("manifest", reference);
        let url = format!("{}/manifests/{reference}", self.base);
        let response = self
            .send(Method::GET, &url, &ACCEPTED_MANIFESTS.join(", "))
            .await?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response).await);
        }
        let headers = response.headers().clone();
        let bytes = read_capped(&what, response, self.limits.max_manifest_bytes).await?;
        let digest = match reference.parse::<Digest>() {
            Ok(expected) => {
                check_digest(&what, &expected, &bytes)?;
                expected
            }
            Err(_) => {
                let computed = Digest::sha256_of(&bytes);
                let claimed = headers
                    .get("docker-content-digest")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<Digest>().ok());
                if let Some(claimed) = claimed {
                    check_digest(&what, &claimed, &bytes)?;
                }
                self.inflight.record_tag(reference, &computed);
                computed
            }
        };
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let media_type = Manifest::parse(content_type, &bytes)
            .map(|m| m.media_type().to_owned())
            .unwrap_or_else(|_| content_type.to_owned());
        let manifest = CachedManifest { media_type, bytes };
        // Stored only under the digest the bytes were just checked against.
        self.cache.put_manifest(&digest, &manifest);
        self.record_repository(false);
        Ok(fetched(digest, manifest))
    }

    /// A blob: from the cache by digest, else fetched, checked, and cached.
    pub(super) async fn blob(
        &self,
        descriptor: &Descriptor,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        let what = self.what("blob", &descriptor.digest.to_string());
        check_declared_size(&what, descriptor, limit)?;
        let _held = self
            .inflight
            .hold(format!("blob {}", descriptor.digest))
            .await;
        if let Some(hit) = self.cache.blob(&descriptor.digest) {
            return Ok(hit);
        }
        let url = format!("{}/blobs/{}", self.base, descriptor.digest);
        let response = self.send(Method::GET, &url, "*/*").await?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response).await);
        }
        let bytes = read_capped(&what, response, descriptor.size).await?;
        check_digest(&what, &descriptor.digest, &bytes)?;
        self.cache.put_blob(&descriptor.digest, &bytes);
        Ok(bytes)
    }

    /// The referrers API for `subject`; `Ok(None)` when the registry has none.
    pub(super) async fn referrers(
        &self,
        subject: &Digest,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        if self.referrers_api.load(Ordering::Relaxed) == REFERRERS_ABSENT {
            return Ok(None);
        }
        let _held = self.inflight.hold(format!("referrers {subject}")).await;
        if let Some(list) = self.inflight.referrers(subject) {
            return Ok(Some(list));
        }
        let what = self.what("referrers", &subject.to_string());
        let url = format!("{}/referrers/{subject}", self.base);
        let response = self.send(Method::GET, &url, OCI_INDEX).await?;
        let status = response.status();
        // distribution-spec "Listing Referrers": a registry without the API answers 404;
        // some answer 400/405/501 for the unknown route.
        if matches!(status.as_u16(), 400 | 404 | 405 | 501) {
            self.referrers_api
                .store(REFERRERS_ABSENT, Ordering::Relaxed);
            self.record_repository(true);
            return Ok(None);
        }
        if !status.is_success() {
            return Err(self.status_error(&what, response).await);
        }
        self.referrers_api
            .store(REFERRERS_PRESENT, Ordering::Relaxed);
        let bytes = read_capped(&what, response, self.limits.max_manifest_bytes).await?;
        match Manifest::parse(OCI_INDEX, &bytes).map_err(|e| RegistryError::malformed(&what, e))? {
            Manifest::Index { manifests, .. } => {
                self.inflight.record_referrers(subject, &manifests);
                Ok(Some(manifests))
            }
            Manifest::Image { .. } => Err(RegistryError::malformed(
                &what,
                "the referrers API answered with an image manifest, not an index",
            )),
        }
    }

    /// Leaves the hint for the next run: this repository was read (once per run), and whether
    /// its registry lacks the referrers API (each time that is learnt).
    fn record_repository(&self, referrers_learnt: bool) {
        if !self.cache.persistent() {
            return;
        }
        if !referrers_learnt && self.recorded.swap(true, Ordering::Relaxed) {
            return;
        }
        let hint = if self.referrers_api.load(Ordering::Relaxed) == REFERRERS_ABSENT {
            RepositoryHint::NoReferrersApi
        } else {
            RepositoryHint::Seen
        };
        self.cache
            .record_repository(&self.repository.to_string(), hint);
    }
}

fn fetched(digest: Digest, manifest: CachedManifest) -> FetchedManifest {
    FetchedManifest {
        digest,
        media_type: manifest.media_type,
        bytes: manifest.bytes,
    }
}
