//! The artifact tree of one image, built once when the image arrives: image or index, platforms,
//! signatures, attestations, SBOMs and referrers, down to certificates, Fulcio extensions, SCTs
//! and Rekor entries. Each node says how it was found and carries its fields and raw JSON, all
//! already made printable.

use std::collections::BTreeSet;

use serde::Serialize;

mod buildkit;
mod layers;
use buildkit::buildkit_node;
use layers::{flatten_json, layer_nodes};

use crate::artifact::certificate::CertificateView;
use crate::inventory::consumers::Finds;
use crate::inventory::layer::{Decoded, LayerContent, SigningMaterial};
use crate::inventory::model::{Artifact, ArtifactKind, ImageReport, PlatformReport, Route};
use crate::untrusted::printable;

/// What a node is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Image,
    Platform,
    Signature,
    Attestation,
    Sbom,
    Bundle,
    Referrer,
    Payload,
    Certificate,
    Group,
    Claim,
    Sct,
    Rekor,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Unique among its siblings (the child index).
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    /// How it was found (a registry route, an annotation, a certificate extension…).
    pub how: String,
    pub fields: Vec<(String, String)>,
    /// Pretty JSON, one printable line per entry.
    pub raw: Vec<String>,
    pub children: Vec<Node>,
}

impl Node {
    fn new(kind: NodeKind, label: impl AsRef<str>, how: impl AsRef<str>) -> Node {
        Node {
            id: String::new(),
            kind,
            label: clean(label.as_ref()),
            how: clean(how.as_ref()),
            fields: Vec::new(),
            raw: Vec::new(),
            children: Vec::new(),
        }
    }

    fn field(mut self, name: &str, value: impl AsRef<str>) -> Node {
        self.fields.push((name.to_owned(), clean(value.as_ref())));
        self
    }

    fn raw(mut self, value: &impl Serialize) -> Node {
        self.raw = match serde_json::to_string_pretty(value) {
            Ok(text) => text.lines().map(clean).collect(),
            Err(e) => vec![format!("not serialisable: {e}")],
        };
        self
    }

    /// Adds every scalar of `value` as a field named by its JSON path (at most `limit`).
    fn json_fields(mut self, value: &impl Serialize, limit: usize) -> Node {
        if let Ok(v) = serde_json::to_value(value) {
            flatten_json(&v, "", &mut self.fields, limit);
        }
        self
    }

    fn children(mut self, children: Vec<Node>) -> Node {
        for (i, mut c) in children.into_iter().enumerate() {
            c.id = i.to_string();
            self.children.push(c);
        }
        self
    }
}

fn clean(s: &str) -> String {
    printable(s).into_owned()
}

fn short(digest: &impl std::fmt::Display) -> String {
    let s = digest.to_string();
    s.chars().take(19).collect()
}

/// The tree of `image`: one root (the image or index).
pub fn image_nodes(image: &ImageReport) -> Vec<Node> {
    let is_index = !image.platforms.is_empty();
    let label = if is_index {
        // BuildKit's attestation manifests are entries of the index, not platforms of the image.
        let attestations = image
            .platforms
            .iter()
            .filter(|p| p.buildkit_attestation.is_some())
            .count();
        let mut label = format!(
            "index {}  {} platform{}",
            short(&image.digest),
            image.platforms.len() - attestations,
            plural(image.platforms.len() - attestations)
        );
        if attestations > 0 {
            label.push_str(&format!(
                " + {attestations} BuildKit attestation{}",
                plural(attestations)
            ));
        }
        label
    } else {
        let platform = image
            .config
            .as_ref()
            .map(|c| {
                format!(
                    "{}/{}",
                    c.os.as_deref().unwrap_or("?"),
                    c.architecture.as_deref().unwrap_or("?")
                )
            })
            .unwrap_or_default();
        format!("image {}  {platform}", short(&image.digest))
    };
    let mut root = Node::new(NodeKind::Image, label, "the tag's manifest")
        .field("digest", image.digest.to_string())
        .field("media type", &image.media_type)
        .field("size", format!("{} bytes", image.size));
    if let Some(config) = &image.config {
        root = root.json_fields(config, 40);
    }
    root = root.raw(&ImageSummary {
        digest: image.digest.to_string(),
        media_type: &image.media_type,
        size: image.size,
        config: &image.config,
        platforms: image
            .platforms
            .iter()
            .map(|p| p.digest.to_string())
            .collect(),
    });
    let mut children: Vec<Node> = image.platforms.iter().map(platform_node).collect();
    children.extend(image.artifacts.iter().map(artifact_node));
    children.extend(image.errors.iter().map(|e| error_node(e)));
    let mut root = root.children(children);
    root.id = "0".into();
    vec![root]
}

#[derive(Serialize)]
struct ImageSummary<'a> {
    digest: String,
    media_type: &'a str,
    size: u64,
    config: &'a Option<crate::inventory::model::ConfigSummary>,
    platforms: Vec<String>,
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn platform_node(p: &PlatformReport) -> Node {
    if let Some(attestation) = &p.buildkit_attestation {
        return buildkit_node(p, attestation);
    }
    let name = p
        .platform
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| "unknown platform".into());
    let mut node = Node::new(
        NodeKind::Platform,
        format!("{name}  {}", short(&p.digest)),
        "an entry of the index",
    )
    .field("platform", &name)
    .field("digest", p.digest.to_string())
    .field("media type", &p.media_type);
    if let Some(config) = &p.config {
        node = node.json_fields(config, 40);
    }
    node = node.raw(&p.config);
    let mut children: Vec<Node> = p.artifacts.iter().map(artifact_node).collect();
    children.extend(p.errors.iter().map(|e| error_node(e)));
    node.children(children)
}

/// How a route reads.
pub fn route_text(route: &Route) -> String {
    match route {
        Route::LegacyTag { tag } => format!("cosign tag {tag}"),
        Route::ReferrersApi => "OCI referrers API".into(),
        Route::FallbackTag { tag } => format!("OCI referrers fallback tag {tag}"),
        Route::LayoutSubject => "its subject, in the layout".into(),
    }
}

fn artifact_node(a: &Artifact) -> Node {
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

fn error_node(e: &str) -> Node {
    Node::new(NodeKind::Error, format!("error: {e}"), "reading this item").field("error", e)
}

/// The node at `path` (child ids from the root).
pub fn find<'a>(nodes: &'a [Node], path: &[String]) -> Option<&'a Node> {
    let (first, rest) = path.split_first()?;
    let node = nodes.iter().find(|n| &n.id == first)?;
    if rest.is_empty() {
        Some(node)
    } else {
        find(&node.children, rest)
    }
}

/// The paths of the visible nodes, in display order (children of opened nodes only).
pub fn visible_paths(nodes: &[Node], opened: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    fn walk(
        nodes: &[Node],
        prefix: &[String],
        opened: &BTreeSet<Vec<String>>,
        out: &mut Vec<Vec<String>>,
    ) {
        for n in nodes {
            let mut path = prefix.to_vec();
            path.push(n.id.clone());
            out.push(path.clone());
            if opened.contains(&path) {
                walk(&n.children, &path, opened, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(nodes, &[], opened, &mut out);
    out
}
