//! The subtree of one attached artifact: how it was found, which consumers find it, its layers
//! and its own referrers.

use super::layers::layer_nodes;
use super::node::{Node, NodeKind, error_node};
use crate::artifact::certificate::CertificateView;
use crate::inventory::consumers::Finds;
use crate::inventory::layer::{Decoded, LayerContent, SigningMaterial};
use crate::inventory::model::{Artifact, ArtifactKind, Route};

/// How a route reads.
pub fn route_text(route: &Route) -> String {
    match route {
        Route::LegacyTag { tag } => format!("cosign tag {tag}"),
        Route::ReferrersApi => "OCI referrers API".into(),
        Route::FallbackTag { tag } => format!("OCI referrers fallback tag {tag}"),
        Route::LayoutSubject => "its subject, in the layout".into(),
    }
}

pub(super) fn artifact_node(a: &Artifact) -> Node {
    let (kind, what) = match &a.kind {
        ArtifactKind::Signature => (NodeKind::Signature, "signature".to_owned()),
        ArtifactKind::Attestation => (NodeKind::Attestation, "attestation".to_owned()),
        ArtifactKind::Sbom => (NodeKind::Sbom, "SBOM".to_owned()),
        ArtifactKind::SigstoreBundle => (NodeKind::Bundle, "sigstore bundle".to_owned()),
        ArtifactKind::NotationSignature => (NodeKind::Signature, "notation signature".to_owned()),
        ArtifactKind::Other(t) => (NodeKind::Referrer, t.clone()),
    };
    let signer = a
        .layers
        .iter()
        .find_map(|l| {
            material(&l.content)
                .and_then(|m| leaf(m))
                .and_then(|c| c.identity())
        })
        .map(|s| format!("  {s}"))
        .unwrap_or_default();
    let how = route_text(&a.found_via);
    let mut node = Node::new(kind, format!("{what}{signer}"), &how)
        .field("found via", &how)
        .field("digest", a.digest.to_string())
        .field("subject", a.subject.to_string())
        .field("media type", &a.media_type);
    if let Some(t) = &a.artifact_type {
        node = node.field("artifact type", t);
    }
    // The consumer lens: who finds this artifact, and how.
    for s in &a.consumers {
        let text = match &s.finds {
            Finds::Yes => "finds it".to_owned(),
            Finds::With { setting, .. } => format!("only with {setting}"),
            Finds::No { why } => format!("does not: {why}"),
        };
        node = node.field(&format!("{} ›", s.consumer.name()), text);
    }
    for (k, v) in &a.annotations {
        node = node.field(k, v);
    }
    node = node.raw(a);
    let mut children = Vec::new();
    for layer in &a.layers {
        children.extend(layer_nodes(&layer.content, &layer.media_type));
    }
    children.extend(a.referrers.iter().map(artifact_node));
    children.extend(a.errors.iter().map(|e| error_node(e)));
    node.children(children)
}

fn material(content: &LayerContent) -> Option<&SigningMaterial> {
    match content {
        LayerContent::Signature(s) => Some(&s.material),
        LayerContent::Attestation(a) => Some(&a.material),
        _ => None,
    }
}

fn leaf(m: &SigningMaterial) -> Option<&CertificateView> {
    m.certificate.as_ref().and_then(Decoded::ok)
}
