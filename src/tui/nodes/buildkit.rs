//! A BuildKit attestation manifest in an index: its own node, not a platform `unknown/unknown`.

use super::{Node, NodeKind, artifact_node, error_node, short};
use crate::inventory::model::{BuildkitAttestation, PlatformReport};

/// A BuildKit attestation manifest (`docker buildx build --attest`, platform `unknown/unknown`
/// in the index): what it attests and its predicate types. Its in-toto statements are not
/// signed, so it is no evidence of who built the image.
pub(super) fn buildkit_node(p: &PlatformReport, attestation: &BuildkitAttestation) -> Node {
    let types = if attestation.predicate_types.is_empty() {
        "no predicate types announced".to_owned()
    } else {
        attestation.predicate_types.join(", ")
    };
    let attests = if attestation.attests.is_empty() {
        "an unnamed entry".to_owned()
    } else {
        short(&attestation.attests)
    };
    let mut node = Node::new(
        NodeKind::Attestation,
        format!(
            "buildkit attestation {} for {attests} (unsigned in-toto statements): {types}",
            short(&p.digest)
        ),
        "an entry of the index (vnd.docker.reference.type: attestation-manifest)",
    )
    .field("attests", &attestation.attests)
    .field("digest", p.digest.to_string())
    .field("media type", &p.media_type)
    .field(
        "signed",
        "no: BuildKit attestations are unsigned in-toto statements",
    );
    for t in &attestation.predicate_types {
        node = node.field("predicate type", t);
    }
    node = node.raw(attestation);
    let mut children: Vec<Node> = p.artifacts.iter().map(artifact_node).collect();
    children.extend(p.errors.iter().map(|e| error_node(e)));
    node.children(children)
}

#[cfg(test)]
mod tests {
    use crate::inventory::model::{BuildkitAttestation, ImageReport, PlatformReport};
    use crate::reference::Digest;
    use crate::registry::Platform;
    use crate::tui::nodes::{NodeKind, image_nodes};
    use crate::tui::summary::platforms;

    fn digest(n: u8) -> Digest {
        format!("sha256:{}", hex::encode([n; 32])).parse().unwrap()
    }

    fn entry(n: u8, os: &str, arch: &str) -> PlatformReport {
        PlatformReport {
            platform: Some(Platform {
                os: os.into(),
                architecture: arch.into(),
                variant: None,
                os_version: None,
            }),
            digest: digest(n),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            buildkit_attestation: None,
            config: None,
            artifacts: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// `docker buildx build --attest` output: two platforms and their attestation manifest.
    fn buildx_index() -> ImageReport {
        let mut attestation = entry(3, "unknown", "unknown");
        attestation.buildkit_attestation = Some(BuildkitAttestation {
            attests: digest(1).to_string(),
            predicate_types: vec![
                "https://slsa.dev/provenance/v0.2".into(),
                "https://spdx.dev/Document".into(),
            ],
        });
        ImageReport {
            digest: digest(9),
            media_type: "application/vnd.oci.image.index.v1+json".into(),
            size: 900,
            config: None,
            platforms: vec![
                entry(1, "linux", "amd64"),
                entry(2, "linux", "arm64"),
                attestation,
            ],
            artifacts: Vec::new(),
            referrers_api: None,
            errors: Vec::new(),
        }
    }

    #[test]
    fn a_buildkit_attestation_manifest_is_its_own_node_not_a_platform() {
        let image = buildx_index();
        let nodes = image_nodes(&image);
        let root = &nodes[0];
        assert_eq!(
            root.label,
            format!(
                "index {}  2 platforms + 1 BuildKit attestation",
                &digest(9).to_string()[..19]
            )
        );
        let labels: Vec<&str> = root.children.iter().map(|n| n.label.as_str()).collect();
        assert!(labels.iter().all(|l| !l.contains("unknown")), "{labels:?}");
        let node = &root.children[2];
        assert_eq!(node.kind, NodeKind::Attestation);
        assert_eq!(
            node.label,
            format!(
                "buildkit attestation {} for {} (unsigned in-toto statements): \
                 https://slsa.dev/provenance/v0.2, https://spdx.dev/Document",
                &digest(3).to_string()[..19],
                &digest(1).to_string()[..19],
            )
        );
        let field = |name: &str| -> Vec<&str> {
            node.fields
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(field("attests"), vec![digest(1).to_string().as_str()]);
        assert_eq!(field("predicate type").len(), 2);
        assert!(field("signed")[0].starts_with("no"));
        // The PLATFORMS column of the tags pane names the image's platforms only.
        assert_eq!(platforms(&image), "amd64 arm64");
    }

    #[test]
    fn an_attestation_that_announces_nothing_says_so() {
        let mut image = buildx_index();
        let Some(b) = image.platforms[2].buildkit_attestation.as_mut() else {
            panic!("no attestation")
        };
        b.predicate_types.clear();
        b.attests.clear();
        let nodes = image_nodes(&image);
        let label = &nodes[0].children[2].label;
        assert!(
            label.ends_with(
                "for an unnamed entry (unsigned in-toto statements): no predicate types announced"
            ),
            "{label}"
        );
    }
}
