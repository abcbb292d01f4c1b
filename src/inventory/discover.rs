//! Discovery: for every tag, the manifest, config and platforms, then everything attached —
//! cosign legacy tags and OCI 1.1 referrers (API or fallback tag), referrers of referrers to a
//! bounded depth — and finally the orphans. A failure is recorded on the item it concerns; the
//! rest carries on.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt as _;
use futures_util::stream;

use super::layer::decode_layer;
use super::model::{
    Artifact, ArtifactKind, ConfigSummary, ImageReport, Inventory, Layer, Orphan, PlatformReport,
    Route, TagOutcome, TagReport,
};
use crate::reference::Digest;
use crate::registry::manifest::{Descriptor, Manifest};
use crate::registry::{RegistryError, Source};

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

/// cosign's legacy suffixes and what they hold.
const LEGACY_SUFFIXES: &[(&str, ArtifactKind)] = &[
    ("sig", ArtifactKind::Signature),
    ("att", ArtifactKind::Attestation),
    ("sbom", ArtifactKind::Sbom),
];

/// Walks a source.
pub struct Discovery<'a, S: Source> {
    source: &'a S,
    /// The full tag list when it could be read; legacy and fallback tags are looked up in it.
    all_tags: Option<BTreeSet<String>>,
    options: DiscoverOptions,
    /// Set once the source has shown it has no referrers API, to stop asking.
    no_referrers_api: AtomicBool,
}

impl<'a, S: Source> Discovery<'a, S> {
    /// Prepares discovery, reading the tag list once (legacy and fallback tags are found in it).
    pub async fn new(
        source: &'a S,
        options: DiscoverOptions,
    ) -> (Self, Result<Vec<String>, RegistryError>) {
        let listed = source.list_tags().await;
        let all_tags = listed.as_ref().ok().map(|t| t.iter().cloned().collect());
        (
            Discovery {
                source,
                all_tags,
                options,
                no_referrers_api: AtomicBool::new(false),
            },
            listed,
        )
    }

    /// Inspects every image tag of the source.
    pub async fn inventory(&self, listed: Result<Vec<String>, RegistryError>) -> Inventory {
        let mut errors = Vec::new();
        let tags = match listed {
            Ok(mut tags) => {
                // Registries list tags in storage order; show them by name.
                tags.sort();
                tags.into_iter().filter(|t| !is_artifact_tag(t)).collect()
            }
            Err(e) => {
                errors.push(e.to_string());
                Vec::new()
            }
        };
        let reports: Vec<TagReport> = stream::iter(tags)
            .map(|tag| self.tag(tag))
            .buffered(self.options.max_workers)
            .collect()
            .await;
        let orphans = self.orphans(&reports).await;
        Inventory {
            source: self.source.name(),
            tags: reports,
            orphans,
            errors,
        }
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
            errors: Vec::new(),
        };
        match &manifest {
            Manifest::Image { config, .. } => match self.config(config).await {
                Ok(c) => report.config = c,
                Err(e) => report.errors.push(e.to_string()),
            },
            Manifest::Index { manifests, .. } => {
                report.platforms = stream::iter(manifests.iter())
                    .map(|child| self.platform(child))
                    .buffered(self.options.max_workers)
                    .collect()
                    .await;
            }
        }
        let (artifacts, errors) = self.attached(&fetched.digest, 0).await;
        report.artifacts = artifacts;
        report.errors.extend(errors);
        Ok(report)
    }

    async fn platform(&self, child: &Descriptor) -> PlatformReport {
        let mut report = PlatformReport {
            platform: child.platform.clone(),
            digest: child.digest.clone(),
            media_type: child.media_type.clone(),
            config: None,
            artifacts: Vec::new(),
            errors: Vec::new(),
        };
        match self.source.fetch_manifest(&child.digest.to_string()).await {
            Ok(fetched) => match Manifest::parse(&fetched.media_type, &fetched.bytes) {
                Ok(Manifest::Image { config, .. }) => match self.config(&config).await {
                    Ok(c) => report.config = c,
                    Err(e) => report.errors.push(e.to_string()),
                },
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

    /// Everything attached to `subject`: legacy cosign tags, then referrers.
    async fn attached(&self, subject: &Digest, depth: usize) -> (Vec<Artifact>, Vec<String>) {
        let mut found: Vec<(Route, ArtifactKind, Option<Descriptor>)> = Vec::new();
        let mut errors = Vec::new();
        for (tag, kind) in self.legacy_tags(subject).await {
            found.push((Route::LegacyTag { tag }, kind, None));
        }
        match self.referrers(subject).await {
            Ok((route, descriptors)) => {
                let limit = self.source.limits().max_referrers;
                if descriptors.len() > limit {
                    errors.push(format!(
                        "referrers of {subject}: limit reached: {} referrers, only the first {limit} shown",
                        descriptors.len()
                    ));
                }
                for d in descriptors.into_iter().take(limit) {
                    let kind =
                        kind_of_referrer(d.artifact_type.as_deref().unwrap_or(&d.media_type));
                    found.push((route.clone(), kind, Some(d)));
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
        let artifacts = stream::iter(found)
            .map(|(route, kind, descriptor)| self.artifact(subject, route, kind, descriptor, depth))
            .buffered(self.options.max_workers)
            .collect()
            .await;
        (artifacts, errors)
    }

    /// Whether anything is attached to `subject` (legacy tags or referrers), without reading it.
    async fn has_attachments(&self, subject: &Digest) -> bool {
        if !self.legacy_tags(subject).await.is_empty() {
            return true;
        }
        self.referrers(subject)
            .await
            .is_ok_and(|(_, found)| !found.is_empty())
    }

    /// cosign tags for `subject`: from the tag list when known, else probed.
    async fn legacy_tags(&self, subject: &Digest) -> Vec<(String, ArtifactKind)> {
        let stem = format!("{}.", subject.cosign_tag_stem());
        match &self.all_tags {
            Some(all) => all
                .range(stem.clone()..)
                .take_while(|t| t.starts_with(&stem))
                .map(|t| {
                    let suffix = &t[stem.len()..];
                    let kind = LEGACY_SUFFIXES
                        .iter()
                        .find(|(s, _)| *s == suffix)
                        .map(|(_, k)| k.clone())
                        .unwrap_or_else(|| ArtifactKind::Other(format!(".{suffix}")));
                    (t.clone(), kind)
                })
                .collect(),
            None => {
                let mut out = Vec::new();
                for (suffix, kind) in LEGACY_SUFFIXES {
                    let tag = format!("{stem}{suffix}");
                    // Absent is fine; any other failure is kept, so the artifact is reported
                    // with its error instead of silently missing.
                    match self.source.fetch_manifest(&tag).await {
                        Err(e) if e.is_not_found() => {}
                        _ => out.push((tag, kind.clone())),
                    }
                }
                out
            }
        }
    }

    /// Referrers of `subject` by the API, else by the fallback tag.
    async fn referrers(&self, subject: &Digest) -> Result<(Route, Vec<Descriptor>), RegistryError> {
        if !self.no_referrers_api.load(Ordering::Relaxed) {
            match self.source.referrers_api(subject).await? {
                Some(list) => return Ok((Route::ReferrersApi, list)),
                None => self.no_referrers_api.store(true, Ordering::Relaxed),
            }
        }
        let tag = subject.cosign_tag_stem();
        let route = Route::FallbackTag { tag: tag.clone() };
        if let Some(all) = &self.all_tags
            && !all.contains(&tag)
        {
            return Ok((route, Vec::new()));
        }
        match self.source.fetch_manifest(&tag).await {
            Ok(fetched) => match Manifest::parse(&fetched.media_type, &fetched.bytes) {
                Ok(Manifest::Index { manifests, .. }) => Ok((route, manifests)),
                Ok(Manifest::Image { .. }) => Err(RegistryError::malformed(
                    format!("referrers tag {tag}"),
                    "is an image manifest, not an index",
                )),
                Err(e) => Err(RegistryError::malformed(format!("referrers tag {tag}"), e)),
            },
            Err(e) if e.is_not_found() => Ok((route, Vec::new())),
            Err(e) => Err(e),
        }
    }

    /// Fetches and decodes one artifact (by legacy tag or referrer descriptor).
    async fn artifact(
        &self,
        subject: &Digest,
        route: Route,
        mut kind: ArtifactKind,
        descriptor: Option<Descriptor>,
        depth: usize,
    ) -> Artifact {
        let reference = match (&route, &descriptor) {
            (_, Some(d)) => d.digest.to_string(),
            (Route::LegacyTag { tag }, None) => tag.clone(),
            _ => String::new(),
        };
        let mut artifact = Artifact {
            kind: kind.clone(),
            found_via: route,
            subject: subject.clone(),
            digest: descriptor
                .as_ref()
                .map(|d| d.digest.clone())
                .unwrap_or_else(|| Digest::sha256_of(b"")),
            media_type: descriptor
                .as_ref()
                .map(|d| d.media_type.clone())
                .unwrap_or_default(),
            artifact_type: descriptor.as_ref().and_then(|d| d.artifact_type.clone()),
            annotations: descriptor.map(|d| d.annotations).unwrap_or_default(),
            layers: Vec::new(),
            referrers: Vec::new(),
            errors: Vec::new(),
        };
        let fetched = match self.source.fetch_manifest(&reference).await {
            Ok(f) => f,
            Err(e) => {
                artifact.errors.push(e.to_string());
                return artifact;
            }
        };
        artifact.digest = fetched.digest.clone();
        let manifest = match Manifest::parse(&fetched.media_type, &fetched.bytes) {
            Ok(m) => m,
            Err(e) => {
                artifact.errors.push(format!("manifest {reference}: {e}"));
                return artifact;
            }
        };
        artifact.media_type = manifest.media_type().to_owned();
        artifact.annotations.extend(manifest.annotations().clone());
        if let Some(t) = manifest.artifact_type() {
            artifact.artifact_type = Some(t.to_owned());
            if matches!(
                artifact.found_via,
                Route::ReferrersApi | Route::FallbackTag { .. }
            ) {
                kind = kind_of_referrer(t);
                artifact.kind = kind.clone();
            }
        }
        if let Some(s) = manifest.subject()
            && &s.digest != subject
        {
            artifact.errors.push(format!(
                "manifest subject {} is not the image {subject} it was found for",
                s.digest
            ));
        }
        if let Manifest::Image { layers, .. } = &manifest {
            artifact.layers = stream::iter(layers.iter())
                .map(|d| self.layer(d))
                .buffered(self.options.max_workers)
                .collect()
                .await;
        }
        let max_depth = self.source.limits().max_referrer_depth;
        if depth + 1 < max_depth {
            let (nested, errors) = Box::pin(self.attached(&fetched.digest, depth + 1)).await;
            artifact.referrers = nested;
            artifact.errors.extend(errors);
        } else if self.has_attachments(&fetched.digest).await {
            // Not followed, but not hidden either: the cut is reported where it happened.
            artifact.errors.push(format!(
                "referrers of {}: limit reached: more than {max_depth} levels of referrers, the rest not followed",
                fetched.digest
            ));
        }
        artifact
    }

    async fn layer(&self, descriptor: &Descriptor) -> Layer {
        let limit = self.source.limits().max_blob_bytes;
        let content = match self.source.fetch_blob(descriptor, limit).await {
            Ok(bytes) => decode_layer(descriptor, &bytes),
            Err(e) => super::layer::LayerContent::Unreadable {
                error: e.to_string(),
            },
        };
        Layer {
            media_type: descriptor.media_type.clone(),
            digest: descriptor.digest.clone(),
            size: descriptor.size,
            annotations: descriptor.annotations.clone(),
            content,
        }
    }

    /// Artifact tags whose subject digest nothing in `reports` points to.
    async fn orphans(&self, reports: &[TagReport]) -> Vec<Orphan> {
        let Some(all) = &self.all_tags else {
            return Vec::new();
        };
        let mut known: BTreeSet<Digest> = BTreeSet::new();
        for image in reports.iter().filter_map(TagReport::image) {
            known.insert(image.digest.clone());
            known.extend(image.platforms.iter().map(|p| p.digest.clone()));
            known.extend(image.all_artifacts().iter().map(|a| a.digest.clone()));
        }
        let subjects: BTreeSet<Digest> = all
            .iter()
            .filter_map(|t| artifact_tag_subject(t))
            .filter(|d| !known.contains(d))
            .collect();
        stream::iter(subjects)
            .map(|subject| async move {
                let (artifacts, _) = self.attached(&subject, 0).await;
                Orphan { subject, artifacts }
            })
            .buffered(self.options.max_workers)
            .collect()
            .await
    }
}

/// Whether a tag is an artifact tag (`sha256-<hex>` or `sha256-<hex>.<suffix>`), not an image.
pub fn is_artifact_tag(tag: &str) -> bool {
    artifact_tag_subject(tag).is_some()
}

/// The subject digest an artifact tag names.
pub fn artifact_tag_subject(tag: &str) -> Option<Digest> {
    let rest = tag.strip_prefix("sha256-")?;
    let hex = rest.split('.').next()?;
    format!("sha256:{hex}").parse().ok()
}

/// The kind of a referrer from its artifact type (or media type).
pub fn kind_of_referrer(artifact_type: &str) -> ArtifactKind {
    match artifact_type {
        t if t.starts_with("application/vnd.dev.sigstore.bundle") => ArtifactKind::SigstoreBundle,
        "application/vnd.dev.cosign.artifact.sig.v1+json" => ArtifactKind::Signature,
        "application/vnd.dsse.envelope.v1+json" => ArtifactKind::Attestation,
        "application/vnd.cncf.notary.signature" => ArtifactKind::NotationSignature,
        t if t.contains("spdx") || t.contains("cyclonedx") || t.contains("syft") => {
            ArtifactKind::Sbom
        }
        other => ArtifactKind::Other(other.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_tags_name_their_subject() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        for tag in [
            format!("sha256-{hex}"),
            format!("sha256-{hex}.sig"),
            format!("sha256-{hex}.att"),
        ] {
            assert_eq!(artifact_tag_subject(&tag).unwrap().hex(), hex);
        }
        assert!(!is_artifact_tag("v1.0.0"));
        assert!(!is_artifact_tag("sha256-short.sig"));
    }

    #[test]
    fn referrer_kinds_follow_artifact_types() {
        assert_eq!(
            kind_of_referrer("application/vnd.dev.sigstore.bundle.v0.3+json"),
            ArtifactKind::SigstoreBundle
        );
        assert_eq!(
            kind_of_referrer("application/spdx+json"),
            ArtifactKind::Sbom
        );
        assert_eq!(
            kind_of_referrer("application/vnd.cncf.notary.signature"),
            ArtifactKind::NotationSignature
        );
        assert_eq!(
            kind_of_referrer("application/x-thing"),
            ArtifactKind::Other("application/x-thing".into())
        );
    }
}
