//! What a layout calls its images. image-spec names an image by the
//! `org.opencontainers.image.ref.name` annotation of its `index.json` entry; `cosign save` names
//! none and marks its entries with a `kind` annotation instead (`dev.cosignproject.cosign/image`
//! or `/imageIndex` for the image, `/sigs` and `/atts` for its signature and attestation
//! manifests, cosign `pkg/oci/layout/index.go`). Every image entry gets a name — its tag, else its
//! digest — so a layout that holds images never reads as empty; cosign's signature and
//! attestation manifests become the legacy tags `sha256-<hex>.sig`/`.att` of the image they
//! were saved with, which discovery reads like a registry's.

use std::collections::BTreeMap;

use crate::reference::Digest;
use crate::registry::manifest::Descriptor;

/// The `index.json` annotation that names an image (image-spec "Pre-defined annotation keys").
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// `cosign save`'s entry annotation.
pub const COSIGN_KIND: &str = "kind";
const COSIGN_IMAGE: &str = "dev.cosignproject.cosign/image";
const COSIGN_IMAGE_INDEX: &str = "dev.cosignproject.cosign/imageIndex";
const COSIGN_SIGS: &str = "dev.cosignproject.cosign/sigs";
const COSIGN_ATTS: &str = "dev.cosignproject.cosign/atts";

/// The names a layout gives: image names (tags or digests) and the cosign tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// Every name, with the manifest it names.
    pub by_name: BTreeMap<String, Digest>,
    /// Problems with the index (cosign signatures that name no single image).
    pub problems: Vec<String>,
}

/// Names the entries of `index`; `is_referrer` says whether an entry's manifest has a
/// `subject` (a referrer is found through its subject, never listed as an image).
fn kind(d: &Descriptor) -> Option<&str> {
    d.annotations.get(COSIGN_KIND).map(String::as_str)
}

pub fn name_entries(index: &[Descriptor], is_referrer: impl Fn(&Digest) -> bool) -> Names {
    let mut names = Names::default();
    let saved_images: Vec<&Descriptor> = index
        .iter()
        .filter(|d| matches!(kind(d), Some(COSIGN_IMAGE | COSIGN_IMAGE_INDEX)))
        .collect();
    for d in index {
        if let Some(name) = d.annotations.get(REF_NAME) {
            names.by_name.insert(name.clone(), d.digest.clone());
            continue;
        }
        let suffix = match kind(d) {
            Some(COSIGN_SIGS) => "sig",
            Some(COSIGN_ATTS) => "att",
            _ => {
                if !is_referrer(&d.digest) {
                    names.by_name.insert(d.digest.to_string(), d.digest.clone());
                }
                continue;
            }
        };
        match saved_images.as_slice() {
            [image] => {
                let tag = format!("{}.{suffix}", image.digest.cosign_tag_stem());
                names.by_name.insert(tag, d.digest.clone());
            }
            others => names.problems.push(format!(
                "index.json lists cosign {} {} beside {} saved images: which image they belong to is not recorded",
                if suffix == "sig" { "signatures" } else { "attestations" },
                d.digest,
                others.len()
            )),
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u8, annotations: &[(&str, &str)]) -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            digest: Digest::sha256_of(&[n]),
            size: 1,
            annotations: annotations
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            platform: None,
            artifact_type: None,
        }
    }

    #[test]
    fn a_cosign_save_names_its_image_by_digest_and_its_signatures_by_cosign_tags() {
        let index = [
            entry(1, &[(COSIGN_KIND, COSIGN_IMAGE_INDEX)]),
            entry(2, &[(COSIGN_KIND, COSIGN_SIGS)]),
            entry(3, &[(COSIGN_KIND, COSIGN_ATTS)]),
        ];
        let names = name_entries(&index, |_| false);
        let image = Digest::sha256_of(&[1]);
        let stem = image.cosign_tag_stem();
        assert_eq!(
            names.by_name,
            BTreeMap::from([
                (image.to_string(), image.clone()),
                (format!("{stem}.sig"), Digest::sha256_of(&[2])),
                (format!("{stem}.att"), Digest::sha256_of(&[3])),
            ])
        );
        assert!(names.problems.is_empty());
    }

    #[test]
    fn tags_name_their_images_and_unnamed_images_go_by_digest_but_referrers_do_not() {
        let index = [entry(1, &[(REF_NAME, "v1")]), entry(2, &[]), entry(3, &[])];
        let referrer = Digest::sha256_of(&[3]);
        let names = name_entries(&index, |d| d == &referrer);
        let unnamed = Digest::sha256_of(&[2]);
        assert_eq!(
            names.by_name,
            BTreeMap::from([
                ("v1".to_owned(), Digest::sha256_of(&[1])),
                (unnamed.to_string(), unnamed),
            ])
        );
    }

    #[test]
    fn cosign_signatures_beside_two_saved_images_are_a_problem_not_a_guess() {
        let index = [
            entry(1, &[(COSIGN_KIND, COSIGN_IMAGE)]),
            entry(2, &[(COSIGN_KIND, COSIGN_IMAGE)]),
            entry(3, &[(COSIGN_KIND, COSIGN_SIGS)]),
        ];
        let names = name_entries(&index, |_| false);
        assert_eq!(names.by_name.len(), 2);
        assert_eq!(names.problems.len(), 1, "{:?}", names.problems);
    }
}
