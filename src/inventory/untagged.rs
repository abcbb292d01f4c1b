//! Untagged digests with artifacts, found after the tags: the subjects of artifact tags
//! (`sha256-<hex>.sig`, `sha256-<hex>`) that no tagged image, platform or artifact is. An untagged
//! image that is still there is inspected like a tag; a subject whose manifest is gone is reported
//! with its artifacts and an error saying so (the inventory's orphans, for a caller that inspects
//! tags one at a time, as the TUI does).

use std::collections::BTreeSet;
use std::future::Future;

use super::discover::{DiscoverOptions, Discovery, artifact_tag_subject};
use super::model::{ImageReport, TagReport};
use crate::reference::Digest;
use crate::registry::manifest::Descriptor;
use crate::registry::{FetchedManifest, Limits, RegistryError, Source};

/// Every digest a tag report covers: the image, its platforms and everything attached.
pub fn covered(report: &TagReport, into: &mut BTreeSet<Digest>) {
    if let Some(image) = report.image() {
        into.insert(image.digest.clone());
        into.extend(image.platforms.iter().map(|p| p.digest.clone()));
        into.extend(image.all_artifacts().iter().map(|a| a.digest.clone()));
    }
}

/// The subjects named by `all_tags` that `known` does not cover, in digest order.
pub fn untagged_subjects(all_tags: &[String], known: &BTreeSet<Digest>) -> BTreeSet<Digest> {
    all_tags
        .iter()
        .filter_map(|t| artifact_tag_subject(t))
        .filter(|d| !known.contains(d))
        .collect()
}

/// Inspects each untagged subject of `source`: its image when the manifest is there, else an
/// image-shaped report of its artifacts alone, with an error saying the manifest is gone.
pub async fn inspect_untagged<S: Source>(
    source: &S,
    all_tags: &[String],
    known: &BTreeSet<Digest>,
    options: DiscoverOptions,
) -> Vec<ImageReport> {
    let subjects = untagged_subjects(all_tags, known);
    if subjects.is_empty() {
        return Vec::new();
    }
    let (discovery, _) = Discovery::new(source, options).await;
    let mut out = Vec::new();
    let mut gone = Vec::new();
    for subject in subjects {
        match discovery.image(&subject.to_string()).await {
            Ok(image) => out.push(image),
            Err(_) => gone.push(subject),
        }
    }
    if gone.is_empty() {
        return out;
    }
    // Discovery reports subjects nothing covers as orphans: show it only their artifact tags.
    let narrowed = Narrowed {
        inner: source,
        tags: all_tags
            .iter()
            .filter(|t| artifact_tag_subject(t).is_some_and(|d| gone.contains(&d)))
            .cloned()
            .collect(),
    };
    let (discovery, listed) = Discovery::new(&narrowed, options).await;
    let _ = listed;
    let inventory = discovery.inventory(Ok(Vec::new())).await;
    out.extend(inventory.orphans.into_iter().map(|orphan| ImageReport {
        digest: orphan.subject,
        media_type: String::new(),
        size: 0,
        config: None,
        platforms: Vec::new(),
        artifacts: orphan.artifacts,
        errors: vec!["no tag points to this digest and its manifest is gone".into()],
    }));
    out
}

/// A source whose tag list is a given subset; everything else is the inner source's.
struct Narrowed<'a, S: Source> {
    inner: &'a S,
    tags: Vec<String>,
}

impl<S: Source> Source for Narrowed<'_, S> {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn list_tags(&self) -> impl Future<Output = Result<Vec<String>, RegistryError>> + Send {
        let tags = self.tags.clone();
        async move { Ok(tags) }
    }

    fn fetch_manifest(
        &self,
        reference: &str,
    ) -> impl Future<Output = Result<FetchedManifest, RegistryError>> + Send {
        self.inner.fetch_manifest(reference)
    }

    fn fetch_blob(
        &self,
        descriptor: &Descriptor,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<u8>, RegistryError>> + Send {
        self.inner.fetch_blob(descriptor, limit)
    }

    fn referrers_api(
        &self,
        subject: &Digest,
    ) -> impl Future<Output = Result<Option<Vec<Descriptor>>, RegistryError>> + Send {
        self.inner.referrers_api(subject)
    }

    fn limits(&self) -> &Limits {
        self.inner.limits()
    }
}
