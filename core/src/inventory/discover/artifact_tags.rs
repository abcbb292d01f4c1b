//! Artifact tags: cosign's legacy `sha256-<hex>.<suffix>` tags and the referrers fallback tag
//! `sha256-<hex>`, and the kinds of things referrers hold.

use crate::inventory::model::ArtifactKind;
use crate::reference::Digest;

/// cosign's legacy suffixes and what they hold.
pub(super) const LEGACY_SUFFIXES: &[(&str, ArtifactKind)] = &[
    ("sig", ArtifactKind::Signature),
    ("att", ArtifactKind::Attestation),
    ("sbom", ArtifactKind::Sbom),
];

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
