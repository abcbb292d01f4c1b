//! OCI image layouts on disk (image-spec `image-layout.md`), read-only: `oci-layout`,
//! `index.json` and `blobs/<alg>/<hex>`. Images are named as [`names`] says (tags, digests,
//! `cosign save`'s annotations); referrers are found by their subject ([`subjects`]), the
//! layout's stand-in for the referrers API, and through `sha256-<hex>` fallback tags.

mod names;
mod subjects;

use std::path::{Path, PathBuf};

use super::manifest::{Descriptor, Manifest};
use super::{FetchedManifest, Limits, RegistryError, Source, check_declared_size, check_digest};
use crate::reference::Digest;
use names::{Names, name_entries};
use subjects::Subjects;

/// A layout directory.
pub struct OciLayout {
    root: PathBuf,
    names: Names,
    subjects: Subjects,
    limits: Limits,
}

impl OciLayout {
    /// Opens a layout, reading and checking its `oci-layout` and `index.json`.
    pub fn open(root: &Path, limits: Limits) -> Result<OciLayout, RegistryError> {
        let what = format!("oci layout {}", root.display());
        let marker = read_file(&what, &root.join("oci-layout"), 4096)?;
        let marker: serde_json::Value = crate::artifact::error::parse_json(&what, &marker)
            .map_err(|e| RegistryError::malformed(&what, e))?;
        if marker
            .get("imageLayoutVersion")
            .and_then(|v| v.as_str())
            .is_none()
        {
            return Err(RegistryError::malformed(
                &what,
                "oci-layout has no imageLayoutVersion",
            ));
        }
        let index_bytes = read_file(&what, &root.join("index.json"), limits.max_manifest_bytes)?;
        let index = match Manifest::parse(super::manifest::OCI_INDEX, &index_bytes)
            .map_err(|e| RegistryError::malformed(format!("{what}: index.json"), e))?
        {
            Manifest::Index { manifests, .. } => manifests,
            Manifest::Image { .. } => {
                return Err(RegistryError::malformed(
                    &what,
                    "index.json is not an index",
                ));
            }
        };
        let subjects = Subjects::scan(root, limits.max_manifest_bytes);
        let names = name_entries(&index, |d| subjects.is_referrer(d));
        Ok(OciLayout {
            root: root.to_path_buf(),
            names,
            subjects,
            limits,
        })
    }

    fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root
            .join("blobs")
            .join(digest.algorithm().name())
            .join(digest.hex())
    }

    fn read_blob(&self, what: &str, digest: &Digest, limit: u64) -> Result<Vec<u8>, RegistryError> {
        let bytes = read_file(what, &self.blob_path(digest), limit)?;
        check_digest(what, digest, &bytes)?;
        Ok(bytes)
    }
}

fn read_file(what: &str, path: &Path, limit: u64) -> Result<Vec<u8>, RegistryError> {
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RegistryError::NotFound {
            what: format!("{what}: {}", path.display()),
        },
        _ => RegistryError::Io {
            what: what.to_owned(),
            reason: format!("{}: {e}", path.display()),
        },
    })?;
    if metadata.len() > limit {
        return Err(RegistryError::TooLarge {
            what: format!("{what}: {}", path.display()),
            size: metadata.len(),
            limit,
        });
    }
    std::fs::read(path).map_err(|e| RegistryError::Io {
        what: what.to_owned(),
        reason: format!("{}: {e}", path.display()),
    })
}

impl Source for OciLayout {
    fn name(&self) -> String {
        format!("oci:{}", self.root.display())
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    async fn list_tags(&self) -> Result<Vec<String>, RegistryError> {
        Ok(self.names.by_name.keys().cloned().collect())
    }

    async fn fetch_manifest(&self, reference: &str) -> Result<FetchedManifest, RegistryError> {
        let what = format!("manifest {}@{reference}", self.name());
        let digest = match reference.parse::<Digest>() {
            Ok(d) => d,
            Err(_) => self
                .names
                .by_name
                .get(reference)
                .cloned()
                .ok_or_else(|| RegistryError::NotFound { what: what.clone() })?,
        };
        let bytes = self.read_blob(&what, &digest, self.limits.max_manifest_bytes)?;
        let media_type = Manifest::parse("", &bytes)
            .map(|m| m.media_type().to_owned())
            .unwrap_or_default();
        Ok(FetchedManifest {
            digest,
            media_type,
            bytes,
        })
    }

    async fn fetch_blob(
        &self,
        descriptor: &Descriptor,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        let what = format!("blob {}@{}", self.name(), descriptor.digest);
        check_declared_size(&what, descriptor, limit)?;
        self.read_blob(&what, &descriptor.digest, descriptor.size)
    }

    async fn referrers_api(
        &self,
        subject: &Digest,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        // A layout has no API: its manifests naming the subject stand in for one.
        Ok(Some(self.subjects.of(subject)))
    }

    fn referrers_by_subject_scan(&self) -> bool {
        true
    }

    fn notes(&self) -> Vec<String> {
        self.names.problems.clone()
    }
}
