//! Referrers inside a layout, found by their `subject` field. `cosign save` keeps sigstore
//! bundle referrers as blobs that `index.json` does not list (cosign `cmd/cosign/cli/save.go`),
//! `oras copy` of a referrer lists it, and neither names it: the only tie to its image is the
//! subject. Every manifest of the layout — listed entries and blobs small enough to be one — is
//! read once, checked against its digest, and indexed by subject.

use std::collections::BTreeMap;
use std::path::Path;

use crate::reference::Digest;
use crate::registry::manifest::{Descriptor, Manifest};

/// Referrer descriptors by the subject they name.
#[derive(Debug, Default)]
pub struct Subjects {
    by_subject: BTreeMap<Digest, Vec<Descriptor>>,
}

impl Subjects {
    /// Reads every `blobs/sha256/*` file up to `max_manifest_bytes` that parses as a manifest
    /// with a subject (files that are not manifests are layers and configs: skipped).
    pub fn scan(root: &Path, max_manifest_bytes: u64) -> Subjects {
        let mut subjects = Subjects::default();
        let Ok(entries) = std::fs::read_dir(root.join("blobs").join("sha256")) else {
            return subjects;
        };
        let mut files: Vec<_> = entries.flatten().collect();
        files.sort_by_key(|e| e.file_name());
        for entry in files {
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || meta.len() > max_manifest_bytes {
                continue;
            }
            let name = entry.file_name();
            let Ok(digest) = format!("sha256:{}", name.to_string_lossy()).parse::<Digest>() else {
                continue;
            };
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            // Cheap test before parsing: a referrer spells out its subject.
            if !bytes.windows(9).any(|w| w == b"\"subject\"") {
                continue;
            }
            if Digest::sha256_of(&bytes) != digest {
                continue;
            }
            subjects.add(digest, &bytes);
        }
        subjects
    }

    fn add(&mut self, digest: Digest, bytes: &[u8]) {
        let Ok(manifest) = Manifest::parse("", bytes) else {
            return;
        };
        let Some(subject) = manifest.subject() else {
            return;
        };
        let descriptor = Descriptor {
            media_type: manifest.media_type().to_owned(),
            digest,
            size: bytes.len() as u64,
            annotations: manifest.annotations().clone(),
            platform: None,
            artifact_type: manifest.artifact_type().map(str::to_owned),
        };
        self.by_subject
            .entry(subject.digest.clone())
            .or_default()
            .push(descriptor);
    }

    /// The referrers naming `subject`.
    pub fn of(&self, subject: &Digest) -> Vec<Descriptor> {
        self.by_subject.get(subject).cloned().unwrap_or_default()
    }

    /// Whether `digest` is a referrer (it names a subject).
    pub fn is_referrer(&self, digest: &Digest) -> bool {
        self.by_subject
            .values()
            .any(|list| list.iter().any(|d| &d.digest == digest))
    }
}
