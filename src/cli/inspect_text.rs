//! The readable tree `inspect` prints by default. Every string from the target passes through
//! `untrusted::printable` before it is written.

use std::io::Write as _;

use sigscope::inventory::consumers::{self, Sighting};
use sigscope::inventory::layer::{Decoded, LayerContent, SigningMaterial};
use sigscope::inventory::model::{Artifact, ImageReport, Inventory, Route, TagOutcome};
use sigscope::reference::Digest;
use sigscope::untrusted::printable;

use super::inspect_summary::{bundle_lines, certificate_lines, predicate_line};

/// Writes the inventory as text to stdout.
pub fn print(inventory: &Inventory) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut lines = Vec::new();
    render(inventory, &mut lines);
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The inventory as lines of text.
pub fn render(inventory: &Inventory, out: &mut Vec<String>) {
    out.push(format!(
        "{}: {} tag(s), {} orphan subject(s)",
        printable(&inventory.source),
        inventory.tags.len(),
        inventory.orphans.len()
    ));
    for e in &inventory.errors {
        out.push(format!("  error: {}", printable(e)));
    }
    for tag in &inventory.tags {
        match &tag.outcome {
            TagOutcome::Image(image) => image_lines(&tag.tag, image, out),
            TagOutcome::Error(e) => {
                out.push(format!("{}  error: {}", printable(&tag.tag), printable(e)));
            }
        }
    }
    for orphan in &inventory.orphans {
        out.push(format!(
            "(orphan) {}  no tag points to this subject",
            orphan.subject
        ));
        for a in &orphan.artifacts {
            artifact_lines(a, &orphan.subject, 1, out);
        }
    }
}

fn short(d: &Digest) -> String {
    format!("{}:{}", d.algorithm().name(), &d.hex()[..12])
}

fn image_lines(tag: &str, image: &ImageReport, out: &mut Vec<String>) {
    let mut head = format!("{}  {}", printable(tag), short(&image.digest));
    if !image.platforms.is_empty() {
        let platforms: Vec<String> = image
            .platforms
            .iter()
            .filter(|p| p.buildkit_attestation.is_none())
            .map(|p| {
                p.platform
                    .as_ref()
                    .map(|p| printable(&p.to_string()).into_owned())
                    .unwrap_or_else(|| "(no platform)".into())
            })
            .collect();
        head.push_str(&format!("  index [{}]", platforms.join(", ")));
        let attestations = image.platforms.len() - platforms.len();
        if attestations > 0 {
            head.push_str(&format!(
                " + {attestations} BuildKit attestation manifest{}",
                if attestations == 1 { "" } else { "s" }
            ));
        }
    }
    if let Some(c) = &image.config {
        if let (Some(os), Some(arch)) = (&c.os, &c.architecture) {
            head.push_str(&format!("  {}/{}", printable(os), printable(arch)));
        }
        if let Some(created) = &c.created {
            head.push_str(&format!("  created {}", printable(created)));
        }
    }
    if image.all_artifacts().is_empty() {
        head.push_str("  (nothing attached)");
    }
    out.push(head);
    for e in &image.errors {
        out.push(format!("  error: {}", printable(e)));
    }
    for a in &image.artifacts {
        artifact_lines(a, &image.digest, 1, out);
    }
    for p in &image.platforms {
        if let Some(b) = &p.buildkit_attestation {
            let types: Vec<String> = b
                .predicate_types
                .iter()
                .map(|t| printable(t).into_owned())
                .collect();
            out.push(format!(
                "  buildkit attestation {} for {} (unsigned in-toto statements): {}",
                short(&p.digest),
                printable(&b.attests),
                if types.is_empty() {
                    "no predicate types announced".to_owned()
                } else {
                    types.join(", ")
                }
            ));
        }
        if p.artifacts.is_empty() && p.errors.is_empty() {
            continue;
        }
        out.push(format!("  platform {}", short(&p.digest)));
        for e in &p.errors {
            out.push(format!("    error: {}", printable(e)));
        }
        for a in &p.artifacts {
            artifact_lines(a, &p.digest, 2, out);
        }
    }
}

fn route(route: &Route) -> String {
    match route {
        Route::LegacyTag { tag } => format!("tag {}", printable(tag)),
        Route::ReferrersApi => "referrers API".to_owned(),
        Route::FallbackTag { tag } => format!("referrers tag {}", printable(tag)),
        Route::LayoutSubject => "its subject in the layout".to_owned(),
    }
}

fn artifact_lines(a: &Artifact, subject: &Digest, depth: usize, out: &mut Vec<String>) {
    let pad = "  ".repeat(depth);
    let kind = match &a.kind {
        sigscope::inventory::model::ArtifactKind::Other(t) => printable(t).into_owned(),
        k => serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
            .replace('_', " "),
    };
    out.push(format!(
        "{pad}{kind} via {} ({})",
        route(&a.found_via),
        short(&a.digest)
    ));
    let inner = format!("{pad}  ");
    for e in &a.errors {
        out.push(format!("{inner}error: {}", printable(e)));
    }
    for layer in &a.layers {
        match &layer.content {
            LayerContent::Signature(sig) => {
                match &sig.payload {
                    Decoded::Ok(p) => {
                        let claimed = &p.critical.image.docker_manifest_digest;
                        let note = if claimed == &subject.to_string() {
                            ""
                        } else {
                            "  (not this image!)"
                        };
                        out.push(format!(
                            "{inner}payload    signs {}{note}",
                            printable(claimed)
                        ));
                        if let Some(optional) = &p.optional {
                            for (k, v) in optional {
                                out.push(format!(
                                    "{inner}annotation {}={}",
                                    printable(k),
                                    printable(&v.to_string())
                                ));
                            }
                        }
                    }
                    Decoded::Error(e) => {
                        out.push(format!("{inner}payload    error: {}", printable(e)))
                    }
                }
                material_lines(&sig.material, &inner, out);
            }
            LayerContent::Attestation(att) => {
                if let Some(line) = att.predicate.as_ref().map(predicate_line) {
                    out.push(format!("{inner}predicate  {line}"));
                }
                if let Some(Decoded::Error(e)) = &att.statement {
                    out.push(format!("{inner}statement  error: {}", printable(e)));
                }
                if let Decoded::Error(e) = &att.envelope {
                    out.push(format!("{inner}envelope   error: {}", printable(e)));
                }
                material_lines(&att.material, &inner, out);
            }
            LayerContent::Bundle { bundle, .. } => match bundle.as_ref() {
                Decoded::Ok(b) => bundle_lines(b, &inner, out),
                Decoded::Error(e) => out.push(format!("{inner}bundle     error: {}", printable(e))),
            },
            LayerContent::Sbom { summary } => match summary {
                Decoded::Ok(s) => out.push(format!("{inner}sbom       {}", predicate_line(s))),
                Decoded::Error(e) => out.push(format!("{inner}sbom       error: {}", printable(e))),
            },
            LayerContent::Notation { envelope } => match envelope.as_ref() {
                Decoded::Ok(n) => {
                    let e = &n.envelope;
                    out.push(format!(
                        "{inner}notation   {} {} {}, signed {}{}",
                        e.format.name(),
                        printable(e.signing_scheme.as_deref().unwrap_or("?")),
                        printable(e.algorithm.as_deref().unwrap_or("?")),
                        printable(e.claimed_signing_time().map_or("?", |t| t.text.as_str())),
                        if e.timestamp.is_some() {
                            ", timestamped"
                        } else {
                            ""
                        }
                    ));
                    if let Some(Ok(leaf)) = n.certificates.first() {
                        out.push(format!("{inner}signer     {}", printable(&leaf.subject)));
                    }
                }
                Decoded::Error(e) => out.push(format!("{inner}notation   error: {}", printable(e))),
            },
            LayerContent::Other { note } => {
                out.push(format!("{inner}layer      {}", printable(note)))
            }
            LayerContent::Unreadable { error } => {
                out.push(format!("{inner}layer      error: {}", printable(error)));
            }
        }
    }
    consumer_lines(&a.consumers, &inner, out);
    for r in &a.referrers {
        artifact_lines(r, &a.digest, depth + 1, out);
    }
}

/// Which consumers find the artifact: by default, with a setting, never.
fn consumer_lines(sightings: &[Sighting], pad: &str, out: &mut Vec<String>) {
    let (yes, with, no) = consumers::summary(sightings);
    if yes.is_empty() && with.is_empty() {
        return;
    }
    if !yes.is_empty() {
        out.push(format!("{pad}found by   {}", yes.join(", ")));
    }
    for w in with {
        out.push(format!("{pad}found by   {w}"));
    }
    if !no.is_empty() {
        out.push(format!("{pad}not by     {}", no.join(", ")));
    }
}

fn material_lines(m: &SigningMaterial, pad: &str, out: &mut Vec<String>) {
    match &m.certificate {
        Some(Decoded::Ok(cert)) => certificate_lines(cert, pad, out),
        Some(Decoded::Error(e)) => out.push(format!("{pad}certificate error: {}", printable(e))),
        None if m.signature.is_some() => {
            out.push(format!("{pad}signer     a key (no certificate)"))
        }
        None => {}
    }
    if let Some(Decoded::Error(e)) = &m.chain {
        out.push(format!("{pad}chain      error: {}", printable(e)));
    }
    match &m.rekor_bundle {
        Some(Decoded::Ok(b)) => out.push(format!(
            "{pad}rekor      log index {}, integrated {}",
            b.log_index,
            printable(&b.integrated_time_rfc3339)
        )),
        Some(Decoded::Error(e)) => out.push(format!("{pad}rekor      error: {}", printable(e))),
        None => {}
    }
}
