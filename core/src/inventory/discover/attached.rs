//! What is attached to a subject: cosign legacy tags (from the tag list, or probed), OCI 1.1
//! referrers (API and fallback tag), each artifact's manifest and layers, and referrers of
//! referrers to a bounded depth.

use std::sync::atomic::Ordering;

use futures_util::StreamExt as _;
use futures_util::stream;

use super::artifact_tags::{LEGACY_SUFFIXES, kind_of_referrer};
use super::{Discovery, Reading};
use crate::inventory::layer::{LayerContent, decode_layer};
use crate::inventory::model::{Artifact, ArtifactKind, Layer, Route};
use crate::reference::Digest;
use crate::registry::manifest::{Descriptor, Manifest};
use crate::registry::{FetchedManifest, RegistryError, Source};

/// A legacy tag, its kind, and its manifest when probing it already fetched it.
type LegacyTag = (
    String,
    ArtifactKind,
    Option<Result<FetchedManifest, RegistryError>>,
);

/// Something attached, found by `route`, not yet read.
struct Found {
    route: Route,
    kind: ArtifactKind,
    /// The referrer's descriptor (none for a legacy tag).
    descriptor: Option<Descriptor>,
    /// The manifest, when finding it already fetched it.
    fetched: Option<Result<FetchedManifest, RegistryError>>,
}

impl<S: Source> Discovery<'_, S> {
    /// Everything attached to `subject`: legacy cosign tags, then referrers.
    pub(super) async fn attached(
        &self,
        subject: &Digest,
        depth: usize,
    ) -> (Vec<Artifact>, Vec<String>) {
        let mut found: Vec<Found> = Vec::new();
        let mut errors = Vec::new();
        // Both may need requests (probes without a tag list, the referrers API): at once.
        let (legacy, referrers) =
            futures_util::join!(self.legacy_tags(subject), self.referrers(subject));
        for (tag, kind, fetched) in legacy {
            found.push(Found {
                route: Route::LegacyTag { tag },
                kind,
                descriptor: None,
                fetched,
            });
        }
        let (referrers, referrer_errors) = referrers;
        errors.extend(referrer_errors);
        let limit = self.source.limits().max_referrers;
        if referrers.len() > limit {
            errors.push(format!(
                "referrers of {subject}: limit reached: {} referrers, only the first {limit} shown",
                referrers.len()
            ));
        }
        for (route, d) in referrers.into_iter().take(limit) {
            let kind = kind_of_referrer(d.artifact_type.as_deref().unwrap_or(&d.media_type));
            // Only a known kind is skipped: cosign's fallback index, for one, gives its
            // bundles the empty config's type, and the manifest says what they are.
            if !matches!(kind, ArtifactKind::Other(_)) && !self.reading.wants(&kind) {
                continue;
            }
            found.push(Found {
                route,
                kind,
                descriptor: Some(d),
                fetched: None,
            });
        }
        let artifacts = stream::iter(found)
            .map(|found| self.artifact(subject, found, depth))
            .buffered(self.options.max_workers)
            .collect()
            .await;
        (artifacts, errors)
    }

    /// cosign tags for `subject`: from the tag list when known (the list says which digests are
    /// signed: no request for the others), else probed, keeping what the probe fetched.
    async fn legacy_tags(&self, subject: &Digest) -> Vec<LegacyTag> {
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
                    (t.clone(), kind, None)
                })
                .filter(|(_, kind, _)| self.reading.wants(kind))
                .collect(),
            None => {
                let probes = LEGACY_SUFFIXES
                    .iter()
                    .filter(|(_, kind)| self.reading.wants(kind))
                    .map(|(suffix, kind)| {
                        let tag = format!("{stem}{suffix}");
                        async move {
                            let fetched = self.source.fetch_manifest(&tag).await;
                            (tag, kind.clone(), fetched)
                        }
                    });
                futures_util::future::join_all(probes)
                    .await
                    .into_iter()
                    // Absent is fine; any other failure is kept, so the artifact is reported
                    // with its error instead of silently missing.
                    .filter(|(_, _, fetched)| !matches!(fetched, Err(e) if e.is_not_found()))
                    .map(|(tag, kind, fetched)| (tag, kind, Some(fetched)))
                    .collect()
            }
        }
    }

    /// Referrers of `subject`, each with the route it was found by: the referrers API when the
    /// registry has one, and the fallback tag `sha256-<hex>` in any case — a registry with the
    /// API may still hold referrers under the tag (notation writes its first signature there,
    /// `oras attach --distribution-spec v1.1-referrers-tag` and copies from registries without
    /// the API do too), and cosign v3 reading only the API would miss them: sigscope shows both.
    /// A referrer listed by both appears once, by the API. Errors are reported per route.
    async fn referrers(&self, subject: &Digest) -> (Vec<(Route, Descriptor)>, Vec<String>) {
        let (api, tag) =
            futures_util::join!(self.referrers_api(subject), self.fallback_tag(subject));
        let mut out: Vec<(Route, Descriptor)> = Vec::new();
        let mut errors = Vec::new();
        let api_route = if self.source.referrers_by_subject_scan() {
            Route::LayoutSubject
        } else {
            Route::ReferrersApi
        };
        match api {
            Ok(list) => out.extend(list.into_iter().map(|d| (api_route.clone(), d))),
            Err(e) => errors.push(e.to_string()),
        }
        match tag {
            Ok((route, list)) => {
                for d in list {
                    if !out.iter().any(|(_, seen)| seen.digest == d.digest) {
                        out.push((route.clone(), d));
                    }
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
        (out, errors)
    }

    /// The referrers API's list for `subject`, empty when the registry has no API.
    async fn referrers_api(&self, subject: &Digest) -> Result<Vec<Descriptor>, RegistryError> {
        if self.no_referrers_api.load(Ordering::Relaxed) {
            return Ok(Vec::new());
        }
        // Until the registry has answered once, subjects ask one at a time: a registry without
        // the API then costs one probe per run, not one per worker.
        let _first = match self.referrers_api_known.load(Ordering::Relaxed) {
            true => None,
            false => Some(self.referrers_probe.lock().await),
        };
        if self.no_referrers_api.load(Ordering::Relaxed) {
            return Ok(Vec::new());
        }
        let answer = self.source.referrers_api(subject).await?;
        self.referrers_api_known.store(true, Ordering::Relaxed);
        match answer {
            Some(list) => Ok(list),
            None => {
                self.no_referrers_api.store(true, Ordering::Relaxed);
                Ok(Vec::new())
            }
        }
    }

    /// The OCI 1.1 referrers tag schema: the index under `sha256-<hex>`, when there is one.
    async fn fallback_tag(
        &self,
        subject: &Digest,
    ) -> Result<(Route, Vec<Descriptor>), RegistryError> {
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
    async fn artifact(&self, subject: &Digest, found: Found, depth: usize) -> Artifact {
        let Found {
            route,
            mut kind,
            descriptor,
            fetched,
        } = found;
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
            consumers: Vec::new(),
        };
        let fetched = match fetched {
            Some(fetched) => fetched,
            None => self.source.fetch_manifest(&reference).await,
        };
        let fetched = match fetched {
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
            if !matches!(artifact.found_via, Route::LegacyTag { .. }) {
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
            artifact.layers = stream::iter(layers.iter().cloned())
                .map(|d| async move { self.layer(&d).await })
                .buffered(self.options.max_workers)
                .collect()
                .await;
            // cosign v3 knows a bundle referrer by its one layer's media type, whatever the
            // artifact type says (`pkg/oci/remote/signatures.go`): so does sigscope.
            if let ([layer], ArtifactKind::Other(_)) = (layers.as_slice(), &artifact.kind)
                && layer
                    .media_type
                    .starts_with("application/vnd.dev.sigstore.bundle")
                && !matches!(artifact.found_via, Route::LegacyTag { .. })
            {
                artifact.kind = ArtifactKind::SigstoreBundle;
            }
        }
        let max_depth = self.source.limits().max_referrer_depth;
        // Verification reads what is attached to the image, not referrers of referrers.
        if self.reading != Reading::Everything {
            return artifact;
        }
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

    /// Whether anything is attached to `subject` (legacy tags or referrers), without reading it.
    async fn has_attachments(&self, subject: &Digest) -> bool {
        if !self.legacy_tags(subject).await.is_empty() {
            return true;
        }
        !self.referrers(subject).await.0.is_empty()
    }

    async fn layer(&self, descriptor: &Descriptor) -> Layer {
        let limit = self.source.limits().max_blob_bytes;
        let content = match self.source.fetch_blob(descriptor, limit).await {
            Ok(bytes) => decode_layer(descriptor, &bytes),
            Err(e) => LayerContent::Unreadable {
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
}
