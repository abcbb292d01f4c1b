//! Untagged digests with artifacts, for a caller that inspects tags one at a time (the TUI): the
//! subjects of artifact tags (`sha256-<hex>.sig`, `sha256-<hex>`) that no tagged image, platform
//! or artifact is. An untagged image that is still there is inspected like a tag; a subject whose
//! manifest is gone is reported with its artifacts and an error saying so.

use std::collections::BTreeSet;

use futures_util::StreamExt as _;
use futures_util::stream;

use super::Discovery;
use crate::inventory::model::ImageReport;
use crate::reference::Digest;
use crate::registry::Source;

impl<S: Source> Discovery<'_, S> {
    /// Each untagged subject `known` does not cover (see [`super::add_digests`]), in digest
    /// order: its image when the manifest is there, else an image-shaped report of its
    /// artifacts alone.
    pub async fn untagged_images(&self, known: &BTreeSet<Digest>) -> Vec<ImageReport> {
        stream::iter(self.untagged_subjects(known))
            .map(|subject| async move {
                match self.image(&subject.to_string()).await {
                    Ok(image) => image,
                    Err(e) => {
                        let (artifacts, mut errors) = self.attached(&subject, 0).await;
                        let gone = if e.is_not_found() {
                            "no tag points to this digest and its manifest is gone".to_owned()
                        } else {
                            format!("no tag points to this digest; its manifest: {e}")
                        };
                        errors.insert(0, gone);
                        let mut report = ImageReport {
                            digest: subject,
                            media_type: String::new(),
                            size: 0,
                            config: None,
                            platforms: Vec::new(),
                            artifacts,
                            referrers_api: None,
                            errors,
                        };
                        self.see_consumers(&mut report);
                        report
                    }
                }
            })
            .buffered(self.options.max_workers)
            .collect()
            .await
    }
}
