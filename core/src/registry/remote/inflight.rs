//! One request for the same thing at a time. Two tags of one image (`latest` and `v2.0.0`), or
//! a manifest reached from two places, would otherwise be fetched twice when their workers ask
//! at the same moment, before the cache has the first answer. A later asker waits for the first
//! and then finds the answer in the cache (or in the run's tag memo, for tags).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::reference::Digest;
use crate::registry::manifest::Descriptor;

type Gate = Arc<tokio::sync::Mutex<()>>;

#[derive(Default)]
pub(super) struct InFlight {
    gates: Mutex<HashMap<String, Gate>>,
    /// Tags resolved in this run, and their digests: a run reads one state of the repository,
    /// so a tag read once is not asked for again (its manifest is in the cache by digest).
    tags: Mutex<HashMap<String, Digest>>,
    /// Referrers API answers of this run, by subject (two tags of one image ask once).
    referrers: Mutex<HashMap<Digest, Vec<Descriptor>>>,
}

/// Held while one request for `key` is made; dropping it lets the next asker in.
pub(super) struct Held<'a> {
    owner: &'a InFlight,
    key: String,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl InFlight {
    /// Waits until no other request for `key` is in flight, then holds it.
    pub(super) async fn hold(&self, key: String) -> Held<'_> {
        let gate = self
            .gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        Held {
            owner: self,
            key,
            _guard: gate.lock_owned().await,
        }
    }

    /// The digest `tag` resolved to earlier in this run.
    pub(super) fn tag(&self, tag: &str) -> Option<Digest> {
        self.tags
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tag)
            .cloned()
    }

    /// The referrers API's answer for `subject` earlier in this run.
    pub(super) fn referrers(&self, subject: &Digest) -> Option<Vec<Descriptor>> {
        self.referrers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(subject)
            .cloned()
    }

    pub(super) fn record_referrers(&self, subject: &Digest, list: &[Descriptor]) {
        self.referrers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(subject.clone(), list.to_vec());
    }

    pub(super) fn record_tag(&self, tag: &str, digest: &Digest) {
        self.tags
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tag.to_owned(), digest.clone());
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut gates = self
            .owner
            .gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // The map's handle and this holder's guard: nobody else waits, the gate can go.
        if gates
            .get(&self.key)
            .is_some_and(|gate| Arc::strong_count(gate) <= 2)
        {
            gates.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_asker_waits_for_the_first_and_gates_are_removed_after() {
        let inflight = InFlight::default();
        let first = inflight.hold("m v1".into()).await;
        let waiting = inflight.hold("m v1".into());
        tokio::pin!(waiting);
        // Not admitted while the first holds the key …
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(50), &mut waiting)
                .await
                .is_err()
        );
        // … another key is.
        drop(inflight.hold("m v2".into()).await);
        drop(first);
        drop(waiting.await);
        assert!(inflight.gates.lock().unwrap().is_empty());
    }

    #[test]
    fn tags_are_remembered_for_the_run() {
        let inflight = InFlight::default();
        let digest = Digest::sha256_of(b"manifest");
        assert_eq!(inflight.tag("v1"), None);
        inflight.record_tag("v1", &digest);
        assert_eq!(inflight.tag("v1"), Some(digest));
    }
}
