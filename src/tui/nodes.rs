//! The artifact tree of one image, built once when the image arrives: image or index, platforms,
//! signatures, attestations, SBOMs and referrers, down to certificates, Fulcio extensions, SCTs
//! and Rekor entries. Each node says how it was found and carries its fields and raw JSON, all
//! already made printable.

use std::collections::BTreeSet;

use serde::Serialize;

mod artifact;
mod buildkit;
mod layers;
mod node;
use artifact::artifact_node;
pub use artifact::route_text;
use buildkit::buildkit_node;
pub use node::{Node, NodeKind};
use node::{error_node, short};

use crate::inventory::model::{ImageReport, PlatformReport};

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
