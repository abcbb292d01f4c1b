//! Nodes for what a layer holds: payloads, statements, certificates with their Fulcio
//! extensions and SCTs, chains, Rekor entries, timestamps, bundles.

use crate::artifact::bundle::VerificationMaterialView;
use crate::artifact::certificate::CertificateView;
use crate::inventory::layer::{Decoded, LayerContent, SigningMaterial, annotation};

use super::node::{Node, NodeKind, error_node};

fn decoded<T>(d: &Decoded<T>, what: &str, how: &str, f: impl FnOnce(&T) -> Node) -> Node {
    match d {
        Decoded::Ok(v) => f(v),
        Decoded::Error(e) => {
            Node::new(NodeKind::Error, format!("{what}: {e}"), how).field("error", e)
        }
    }
}

pub(super) fn layer_nodes(content: &LayerContent, media_type: &str) -> Vec<Node> {
    let how = format!("layer {media_type}");
    match content {
        LayerContent::Signature(s) => {
            let payload = decoded(&s.payload, "payload", &how, |p| {
                Node::new(
                    NodeKind::Payload,
                    format!("payload  signs {}", p.critical.image.docker_manifest_digest),
                    &how,
                )
                .json_fields(p, 40)
                .raw(p)
            });
            let mut out = vec![payload];
            out.extend(material_nodes(&s.material));
            out
        }
        LayerContent::Attestation(a) => {
            let mut out = Vec::new();
            if let Some(statement) = &a.statement {
                out.push(decoded(statement, "statement", &how, |s| {
                    let mut n = Node::new(
                        NodeKind::Payload,
                        format!("in-toto statement  {}", s.predicate_type),
                        format!("the payload of the DSSE envelope ({how})"),
                    )
                    .field("predicate type", &s.predicate_type);
                    for subject in &s.subject {
                        for (alg, hex) in &subject.digest {
                            n = n.field("subject", format!("{} {alg}:{hex}", subject.name));
                        }
                    }
                    if let Some(p) = &a.predicate {
                        n = n.json_fields(p, 40);
                    }
                    n.raw(s)
                }));
            }
            out.extend(material_nodes(&a.material));
            out
        }
        LayerContent::Bundle { bundle, .. } => vec![decoded(bundle, "bundle", &how, |b| {
            let certificate = match &b.verification_material {
                VerificationMaterialView::Certificate(c) => Some(c.as_ref()),
                VerificationMaterialView::CertificateChain(chain) => chain.first(),
                VerificationMaterialView::PublicKey { .. } => None,
            };
            let mut children: Vec<Node> = certificate
                .map(|c| certificate_node(c, "the bundle's verification material"))
                .into_iter()
                .collect();
            for entry in &b.tlog_entries {
                children.push(
                    Node::new(
                        NodeKind::Rekor,
                        format!("Rekor entry  log index {}", entry.log_index),
                        "the bundle's tlog entries",
                    )
                    .json_fields(entry, 40)
                    .raw(entry),
                );
            }
            Node::new(NodeKind::Bundle, format!("bundle  {}", b.media_type), &how)
                .field("media type", &b.media_type)
                .json_fields(&b.content, 20)
                .raw(b)
                .children(children)
        })],
        LayerContent::Sbom { summary } => vec![decoded(summary, "SBOM", &how, |s| {
            Node::new(NodeKind::Sbom, "SBOM document", &how)
                .json_fields(s, 40)
                .raw(s)
        })],
        LayerContent::Notation { envelope } => vec![decoded(envelope, "notation", &how, |n| {
            let title = format!("notation {} envelope", n.envelope.format.name());
            Node::new(NodeKind::Signature, title, &how)
                .json_fields(n, 40)
                .raw(n)
        })],
        LayerContent::Other { note } => {
            vec![Node::new(NodeKind::Referrer, note, &how).field("note", note)]
        }
        LayerContent::Unreadable { error } => vec![error_node(error)],
    }
}

fn material_nodes(m: &SigningMaterial) -> Vec<Node> {
    let mut out = Vec::new();
    let from = |a: &str| format!("layer annotation {a}");
    if let Some(c) = &m.certificate {
        let how = from(annotation::CERTIFICATE);
        out.push(decoded(c, "certificate", &how, |c| {
            certificate_node(c, &how)
        }));
    }
    if let Some(chain) = &m.chain {
        let how = from(annotation::CHAIN);
        out.push(decoded(chain, "chain", &how, |chain| {
            Node::new(
                NodeKind::Group,
                format!("chain  {} certificates", chain.len()),
                &how,
            )
            .raw(chain)
            .children(chain.iter().map(|c| certificate_node(c, &how)).collect())
        }));
    }
    if let Some(b) = &m.rekor_bundle {
        let how = from(annotation::BUNDLE);
        out.push(decoded(b, "Rekor bundle", &how, |b| {
            let mut n = Node::new(
                NodeKind::Rekor,
                format!(
                    "Rekor entry  log index {}  {}",
                    b.log_index, b.integrated_time_rfc3339
                ),
                &how,
            )
            .field("log index", b.log_index.to_string())
            .field("integrated time", &b.integrated_time_rfc3339)
            .field("log id", &b.log_id)
            .field("SET", format!("{} bytes", b.signed_entry_timestamp.len()));
            match &b.body {
                Ok(body) => n = n.json_fields(body, 40),
                Err(e) => n = n.field("body", format!("undecodable: {e}")),
            }
            n.raw(b)
        }));
    }
    if let Some(t) = &m.timestamp {
        let how = from(annotation::TIMESTAMP);
        out.push(decoded(t, "timestamp", &how, |t| {
            Node::new(
                NodeKind::Rekor,
                format!("RFC 3161 timestamp  {}", t.gen_time_rfc3339),
                &how,
            )
            .json_fields(t, 40)
            .raw(t)
        }));
    }
    out
}

fn certificate_node(c: &CertificateView, how: &str) -> Node {
    let who = c
        .identity()
        .map_or_else(|| c.subject.clone(), str::to_owned);
    let mut node = Node::new(NodeKind::Certificate, format!("certificate  {who}"), how)
        .field("subject", &c.subject)
        .field("issuer", &c.issuer)
        .field("serial", &c.serial)
        .field("not before", &c.not_before_rfc3339)
        .field("not after", &c.not_after_rfc3339)
        .field("public key", &c.public_key_type)
        .field("signature algorithm", &c.signature_algorithm)
        .field("sha256 fingerprint", &c.fingerprint_sha256);
    for san in &c.sans {
        node = node.field("SAN", format!("{:?} {}", san.kind, san.value));
    }
    if !c.extended_key_usages.is_empty() {
        node = node.field("extended key usage", c.extended_key_usages.join(", "));
    }
    if let Some(e) = &c.sct_error {
        node = node.field("SCT error", e);
    }
    node = node.raw(c);
    let mut children = Vec::new();
    if !c.fulcio_claims.is_empty() {
        let claims = c.fulcio_claims.iter().map(|claim| {
            let dep = if claim.deprecated {
                " (deprecated)"
            } else {
                ""
            };
            Node::new(
                NodeKind::Claim,
                format!(".{} {}{dep}  {}", claim.arc, claim.name, claim.value),
                format!("certificate extension {}", claim.oid),
            )
            .field("OID", &claim.oid)
            .field("name", &claim.name)
            .field("value", &claim.value)
            .field("deprecated", claim.deprecated.to_string())
            .raw(claim)
        });
        children.push(
            Node::new(
                NodeKind::Group,
                format!("Fulcio extensions  {}", c.fulcio_claims.len()),
                how,
            )
            .children(claims.collect()),
        );
    }
    if !c.scts.is_empty() {
        let scts = c.scts.iter().map(|s| {
            Node::new(
                NodeKind::Sct,
                format!("SCT  {}", s.timestamp_rfc3339),
                "embedded SCT list, certificate extension 1.3.6.1.4.1.11129.2.4.2",
            )
            .json_fields(s, 20)
            .raw(s)
        });
        children.push(
            Node::new(NodeKind::Group, format!("SCTs  {}", c.scts.len()), how)
                .children(scts.collect()),
        );
    }
    node.children(children)
}
