//! One-line summaries of predicates and bundles for the text output.

use sigscope::artifact::bundle::{BundleView, ContentView, VerificationMaterialView};
use sigscope::artifact::predicate::PredicateSummary;
use sigscope::untrusted::printable;

use super::inspect_text::certificate_lines;

fn opt(v: &Option<String>) -> String {
    v.as_deref()
        .map(|s| printable(s).into_owned())
        .unwrap_or_else(|| "?".into())
}

/// A predicate in one line.
pub fn predicate_line(p: &PredicateSummary) -> String {
    match p {
        PredicateSummary::SlsaV02 {
            builder_id,
            source_repository,
            commit,
            entry_point,
            ..
        } => format!(
            "SLSA provenance v0.2: builder {}, source {} @ {}, entry point {}",
            opt(builder_id),
            opt(source_repository),
            opt(commit),
            opt(entry_point)
        ),
        PredicateSummary::SlsaV1 {
            builder_id,
            source_repository,
            commit,
            workflow_path,
            workflow_ref,
            ..
        } => format!(
            "SLSA provenance v1: builder {}, source {} @ {}, workflow {} ({})",
            opt(builder_id),
            opt(source_repository),
            opt(commit),
            opt(workflow_path),
            opt(workflow_ref)
        ),
        PredicateSummary::Spdx {
            spdx_version,
            package_count,
            top_packages,
            ..
        } => format!(
            "SPDX {}: {package_count} packages ({})",
            opt(spdx_version),
            packages(top_packages)
        ),
        PredicateSummary::CycloneDx {
            spec_version,
            component_count,
            top_components,
        } => format!(
            "CycloneDX {}: {component_count} components ({})",
            opt(spec_version),
            packages(top_components)
        ),
        PredicateSummary::CosignVuln {
            scanner_uri,
            vulnerability_count,
            ..
        } => format!(
            "vulnerability scan by {}: {} findings",
            opt(scanner_uri),
            vulnerability_count.map_or("?".to_owned(), |n| n.to_string())
        ),
        PredicateSummary::Other { predicate_type } => printable(predicate_type).into_owned(),
    }
}

fn packages(list: &[(String, Option<String>)]) -> String {
    let shown: Vec<String> = list
        .iter()
        .take(3)
        .map(|(n, v)| match v {
            Some(v) => format!("{} {}", printable(n), printable(v)),
            None => printable(n).into_owned(),
        })
        .collect();
    let more = if list.len() > 3 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// A sigstore bundle in a few lines.
pub fn bundle_lines(b: &BundleView, pad: &str, out: &mut Vec<String>) {
    match &b.content {
        ContentView::MessageSignature { .. } => {
            out.push(format!(
                "{pad}bundle     {} message signature",
                printable(&b.media_type)
            ));
        }
        ContentView::Dsse(dsse) => {
            out.push(format!("{pad}bundle     {} DSSE", printable(&b.media_type)));
            if let Some(p) = &dsse.predicate {
                out.push(format!("{pad}predicate  {}", predicate_line(p)));
            }
        }
    }
    match &b.verification_material {
        VerificationMaterialView::Certificate(cert) => certificate_lines(cert, pad, out),
        VerificationMaterialView::CertificateChain(chain) => {
            if let Some(leaf) = chain.first() {
                certificate_lines(leaf, pad, out);
            }
        }
        VerificationMaterialView::PublicKey { hint } => {
            out.push(format!("{pad}signer     a key (hint {})", printable(hint)));
        }
    }
    for e in &b.tlog_entries {
        out.push(format!(
            "{pad}rekor      log index {}, {} {}{}",
            e.log_index,
            printable(&e.kind),
            printable(&e.version),
            if e.inclusion_proof.is_some() {
                ", inclusion proof"
            } else {
                ""
            }
        ));
    }
}
