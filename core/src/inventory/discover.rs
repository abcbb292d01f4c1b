//! Discovery: for every tag, the manifest, config and platforms, then everything attached —
//! cosign legacy tags and OCI 1.1 referrers (API or fallback tag), referrers of referrers to a
//! bounded depth — and finally the orphans. A failure is recorded on the item it concerns; the
//! rest carries on.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

use futures_util::StreamExt as _;
use futures_util::stream;

use super::consumers;
use super::model::{
    Artifact, ArtifactKind, BuildkitAttestation, ConfigSummary, ImageReport, Inventory, Orphan,
    PlatformReport, TagOutcome, TagReport,
};
use crate::reference::Digest;
use crate::registry::manifest::{Descriptor, Manifest};
use crate::registry::{RegistryError, Source};

mod artifact_tags;
mod attached;
mod untagged;

pub use artifact_tags::{artifact_tag_subject, is_artifact_tag, kind_of_referrer};

/// Discovery settings.
#[derive(Debug, Clone, Copy)]
pub struct DiscoverOptions {
    /// Tags (and artifacts within a tag) fetched at once.
    pub max_workers: usize,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions { max_workers: 16 }
    }
}

/// How much of each image discovery reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reading {
    /// Everything: image configs and every attached artifact (inspect, the TUI, policies).
    #[default]
    Everything,
    /// What verifying signatures needs: no image configs; only signatures (`.sig`, signature
    /// referrers, Notary Project signatures) and sigstore bundles are read — no attestation,
    /// SBOM or other request.
    Signatures,
    /// What verifying attestations needs: no image configs; attestations and sigstore bundles.
    Attestations,
}

impl Reading {
    fn configs(self) -> bool {
        self == Reading::Everything
    }

    /// Whether artifacts of `kind` are read.
    pub fn wants(self, kind: &ArtifactKind) -> bool {
        match self {
            Reading::Everything => true,
            Reading::Signatures => {
                matches!(
                    kind,
                    ArtifactKind::Signature
                        | ArtifactKind::SigstoreBundle
                        | ArtifactKind::NotationSignature
                )
            }
            Reading::Attestations => {
                matches!(
                    kind,
                    ArtifactKind::Attestation | ArtifactKind::SigstoreBundle
                )
            }
        }
    }
}

/// Walks a source.
pub struct Discovery<'a, S: Source> {
    source: &'a S,
    /// The full tag list when it could be read; legacy and fallback tags are looked up in it.
    all_tags: Option<BTreeSet<String>>,
    options: DiscoverOptions,
    /// Set once the source has shown it has no referrers API, to stop asking.
    no_referrers_api: AtomicBool,
    /// Set once the source has answered a referrers API request either way.
    referrers_api_known: AtomicBool,
    /// Held by the subject asking the referrers API until it has answered once.
    referrers_probe: tokio::sync::Mutex<()>,
    /// What is read of each image.
    reading: Reading,
}

impl<'a, S: Source> Discovery<'a, S> {
    /// Prepares discovery, reading the tag list once (legacy and fallback tags are found in it).
    pub async fn new(
        source: &'a S,
        options: DiscoverOptions,
    ) -> (Self, Result<Vec<String>, RegistryError>) {
        let listed = source.list_tags().await;
        let mut discovery = Discovery::without_tag_list(source, options);
        discovery.all_tags = listed.as_ref().ok().map(|t| t.iter().cloned().collect());
        (discovery, listed)
    }

    /// Prepares discovery without the tag list: attached artifacts are found by probing their
    /// tags. For one image this is cheaper than listing a repository of thousands of tags, but
    /// finds only cosign's known suffixes (`.sig`, `.att`, `.sbom`) and the referrers.
    pub fn without_tag_list(source: &'a S, options: DiscoverOptions) -> Self {
        Discovery {
            source,
            all_tags: None,
            options,
            no_referrers_api: AtomicBool::new(false),
            referrers_api_known: AtomicBool::new(false),
            referrers_probe: tokio::sync::Mutex::new(()),
            reading: Reading::Everything,
        }
    }

    /// Records what the run learnt of the referrers API on `report`, and which consumers find
    /// each of its artifacts.
    fn see_consumers(&self, report: &mut ImageReport) {
        report.referrers_api = self.referrers_api_state();
        see(&mut report.artifacts, report.referrers_api);
        for platform in &mut report.platforms {
            see(&mut platform.artifacts, report.referrers_api);
        }
    }

    /// What this run has learnt of the referrers API: present, absent, or not yet asked.
    fn referrers_api_state(&self) -> Option<bool> {
        use std::sync::atomic::Ordering;
        if self.source.referrers_by_subject_scan() {
            None
        } else if self.no_referrers_api.load(Ordering::Relaxed) {
            Some(false)
        } else if self.referrers_api_known.load(Ordering::Relaxed) {
            Some(true)
        } else {
            None
        }
    }

    /// Reads only what `reading` needs (verification reads no image config and no SBOM).
    pub fn read(&mut self, reading: Reading) {
        self.reading = reading;
    }

    /// The image tags of a listing and the errors to report with them: the listing's own, and
    /// the source's notes on itself (an OCI layout's index that leaves signatures unplaced).
    pub fn image_tags(
        &self,
        listed: Result<Vec<String>, RegistryError>,
    ) -> (Vec<String>, Vec<String>) {
        let (tags, mut errors) = image_tags(listed);
        errors.extend(self.source.notes());
        (tags, errors)
    }

    /// Inspects every image tag of the source.
    pub async fn inventory(&self, listed: Result<Vec<String>, RegistryError>) -> Inventory {
        let (tags, errors) = self.image_tags(listed);
        let reports: Vec<TagReport> = self.tags_in_order(tags).collect().await;
        let mut known = BTreeSet::new();
        for report in &reports {
            add_digests(report, &mut known);
        }
        // Verification reports tags only: orphans are read for the full inventory.
        let orphans = match self.reading {
            Reading::Everything => self.orphans(&known).await,
            Reading::Signatures | Reading::Attestations => Vec::new(),
        };
        Inventory {
            source: self.source.name(),
            tags: reports,
            orphans,
            errors,
        }
    }

    /// Inspects `tags`, at most `max_workers` at once, yielding the reports in the order of
    /// `tags` (a finished report waits only for those before it in the worker window).
    pub fn tags_in_order(
        &self,
        tags: Vec<String>,
    ) -> impl futures_util::Stream<Item = TagReport> + Send + '_ {
        stream::iter(tags)
            .map(move |tag| self.tag(tag))
            .buffered(self.options.max_workers)
    }

    /// Inspects `tags`, at most `max_workers` at once, yielding each report as it completes
    /// (completion order, not tag order): for output that streams.
    pub fn stream_tags(
        &self,
        tags: Vec<String>,
    ) -> impl futures_util::Stream<Item = TagReport> + Send + '_ {
        stream::iter(tags)
            .map(move |tag| self.tag(tag))
            .buffer_unordered(self.options.max_workers)
    }

    /// Inspects one tag.
    pub async fn tag(&self, tag: String) -> TagReport {
        let outcome = match self.image(&tag).await {
            Ok(image) => TagOutcome::Image(Box::new(image)),
            Err(e) => TagOutcome::Error(e.to_string()),
        };
        TagReport { tag, outcome }
    }

    /// Inspects the image at `reference` (a tag or digest string).
    pub async fn image(&self, reference: &str) -> Result<ImageReport, RegistryError> {
        let fetched = self.source.fetch_manifest(reference).await?;
        let what = format!("manifest {reference}");
        let manifest = Manifest::parse(&fetched.media_type, &fetched.bytes)
            .map_err(|e| RegistryError::malformed(what, e))?;
        let mut report = ImageReport {
            digest: fetched.digest.clone(),
            media_type: manifest.media_type().to_owned(),
            size: fetched.bytes.len() as u64,
            config: None,
            platforms: Vec::new(),
            artifacts: Vec::new(),
            referrers_api: None,
            errors: Vec::new(),
        };
        match &manifest {
            Manifest::Image { config, .. } if self.reading.configs() => {
                match self.config(config).await {
                    Ok(c) => report.config = c,
                    Err(e) => report.errors.push(e.to_string()),
                }
            }
            Manifest::Image { .. } => {}
            Manifest::Index { manifests, .. } => {
                report.platforms = stream::iter(manifests.iter().cloned())
                    .map(|child| async move { self.platform(&child).await })
                    .buffered(self.options.max_workers)
                    .collect()
                    .await;
            }
        }
        let (artifacts, errors) = self.attached(&fetched.digest, 0).await;
        report.artifacts = artifacts;
        report.errors.extend(errors);
        self.see_consumers(&mut report);
        Ok(report)
    }

    async fn platform(&self, child: &Descriptor) -> PlatformReport {
        let mut report = PlatformReport {
            platform: child.platform.clone(),
            digest: child.digest.clone(),
            media_type: child.media_type.clone(),
            buildkit_attestation: BuildkitAttestation::announced(&child.annotations),
            config: None,
            artifacts: Vec::new(),
            errors: Vec::new(),
        };
        match self.source.fetch_manifest(&child.digest.to_string()).await {
            Ok(fetched) => match Manifest::parse(&fetched.media_type, &fetched.bytes) {
                Ok(Manifest::Image { layers, .. }) if report.buildkit_attestation.is_some() => {
                    if let Some(b) = report.buildkit_attestation.as_mut() {
                        b.predicate_types = layers
                            .iter()
                            .filter_map(|l| l.annotations.get("in-toto.io/predicate-type"))
                            .cloned()
                            .collect();
                    }
                }
                Ok(Manifest::Image { config, .. }) if self.reading.configs() => {
                    match self.config(&config).await {
                        Ok(c) => report.config = c,
                        Err(e) => report.errors.push(e.to_string()),
                    }
                }
                Ok(Manifest::Image { .. }) => {}
                Ok(Manifest::Index { .. }) => {}
                Err(e) => report
                    .errors
                    .push(format!("manifest {}: {e}", child.digest)),
            },
            Err(e) => report.errors.push(e.to_string()),
        }
        let (artifacts, errors) = self.attached(&child.digest, 0).await;
        report.artifacts = artifacts;
        report.errors.extend(errors);
        report
    }

    /// The config summary of an image (None for artifact configs that are not image configs).
    async fn config(&self, config: &Descriptor) -> Result<Option<ConfigSummary>, RegistryError> {
        let image_config = config.media_type == "application/vnd.oci.image.config.v1+json"
            || config.media_type == "application/vnd.docker.container.image.v1+json";
        if !image_config {
            return Ok(None);
        }
        let limit = self.source.limits().max_manifest_bytes;
        let bytes = self.source.fetch_blob(config, limit).await?;
        let what = format!("config {}", config.digest);
        let value: serde_json::Value = crate::artifact::error::parse_json(&what, &bytes)
            .map_err(|e| RegistryError::malformed(&what, e))?;
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let labels = value
            .pointer("/config/Labels")
            .and_then(|l| l.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(ConfigSummary {
            created: value.get("created").and_then(text),
            os: value.get("os").and_then(text),
            architecture: value.get("architecture").and_then(text),
            labels,
        }))
    }

    /// Artifact tags whose subject digest is none of `known` (see [`add_digests`]).
    pub async fn orphans(&self, known: &BTreeSet<Digest>) -> Vec<Orphan> {
        stream::iter(self.untagged_subjects(known))
            .map(|subject| async move {
                let (artifacts, _) = self.attached(&subject, 0).await;
                Orphan { subject, artifacts }
            })
            .buffered(self.options.max_workers)
            .collect()
            .await
    }

    /// The subjects of listed artifact tags that `known` does not cover, in digest order.
    fn untagged_subjects(&self, known: &BTreeSet<Digest>) -> BTreeSet<Digest> {
        self.all_tags
            .iter()
            .flatten()
            .filter_map(|t| artifact_tag_subject(t))
            .filter(|d| !known.contains(d))
            .collect()
    }
}

/// The image tags of a listing, by name, without artifact tags; or the listing's error.
pub fn image_tags(listed: Result<Vec<String>, RegistryError>) -> (Vec<String>, Vec<String>) {
    match listed {
        Ok(mut tags) => {
            // Registries list tags in storage order; show them by name.
            tags.sort();
            let images = tags.into_iter().filter(|t| !is_artifact_tag(t)).collect();
            (images, Vec::new())
        }
        Err(e) => (Vec::new(), vec![e.to_string()]),
    }
}

/// Adds every digest a tag's report accounts for (image, platforms, artifacts) to `known`.
pub fn add_digests(report: &TagReport, known: &mut BTreeSet<Digest>) {
    if let Some(image) = report.image() {
        known.insert(image.digest.clone());
        known.extend(image.platforms.iter().map(|p| p.digest.clone()));
        known.extend(image.all_artifacts().iter().map(|a| a.digest.clone()));
    }
}

/// Fills in which consumers find each of `artifacts` (all attached to one subject).
fn see(artifacts: &mut [Artifact], referrers_api: Option<bool>) {
    for i in 0..artifacts.len() {
        let sightings = consumers::lens(artifacts, referrers_api, &artifacts[i]);
        artifacts[i].consumers = sightings;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::any::AnySource;

    fn require_send<T: Send>(value: T) -> T {
        value
    }

    /// Compile-time: discovery's futures are `Send`, so they can run on `tokio::spawn` and the
    /// multi-threaded runtime. This fails to build if a non-`Send` future creeps back in.
    #[allow(dead_code)]
    fn discovery_futures_are_send(discovery: &Discovery<'_, AnySource>, source: &AnySource) {
        drop(require_send(Discovery::new(
            source,
            DiscoverOptions::default(),
        )));
        drop(require_send(discovery.inventory(Ok(Vec::new()))));
        drop(require_send(discovery.tag(String::new())));
        drop(require_send(discovery.image("")));
        drop(require_send(discovery.stream_tags(Vec::new())));
        drop(require_send(discovery.orphans(&BTreeSet::new())));
    }

    #[test]
    fn discovery_futures_are_send_is_checked_at_compile_time() {
        // The check is the function above type-checking; this names it so it is not dead.
        let _ = discovery_futures_are_send;
    }
}
