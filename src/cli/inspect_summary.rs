//! One-line summaries of predicates and bundles for the text output.

use sigscope::artifact::bundle::{BundleView, ContentView, VerificationMaterialView};
use sigscope::artifact::certificate::CertificateView;
use sigscope::artifact::in_toto::Subject;
use sigscope::artifact::predicate::PredicateSummary;
use sigscope::untrusted::printable;

/// The parts that are given, as `label value`, joined; `what` alone when none is.
fn parts(what: &str, given: &[(&str, Option<String>)]) -> String {
    let shown: Vec<String> = given
        .iter()
        .filter_map(|(label, v)| v.as_deref().map(|v| format!("{label} {}", printable(v))))
        .collect();
    if shown.is_empty() {
        format!("{what} (no builder, source or workflow given)")
    } else {
        format!("{what}: {}", shown.join(", "))
    }
}

/// A source repository and the commit built, as far as they are given.
fn source(repository: &Option<String>, commit: &Option<String>) -> Option<String> {
    match (repository, commit) {
        (Some(r), Some(c)) => Some(format!("{r} @ {c}")),
        (Some(r), None) => Some(r.clone()),
        (None, Some(c)) => Some(format!("commit {c}")),
        (None, None) => None,
    }
}

/// A predicate in one line.
pub fn predicate_line(p: &PredicateSummary) -> String {
    match p {
        PredicateSummary::SlsaV02 {
            builder_id,
            build_type,
            source_repository,
            commit,
            entry_point,
        } => parts(
            "SLSA provenance v0.2",
            &[
                ("builder", builder_id.clone()),
                ("build type", build_type.clone()),
                ("source", source(source_repository, commit)),
                ("entry point", entry_point.clone()),
            ],
        ),
        PredicateSummary::SlsaV1 {
            builder_id,
            build_type,
            source_repository,
            commit,
            workflow_path,
            workflow_ref,
        } => parts(
            "SLSA provenance v1",
            &[
                ("builder", builder_id.clone()),
                ("build type", build_type.clone()),
                ("source", source(source_repository, commit)),
                ("workflow", workflow_path.clone()),
                ("ref", workflow_ref.clone()),
            ],
        ),
        PredicateSummary::Spdx {
            spdx_version,
            package_count,
            top_packages,
            ..
        } => format!(
            "SPDX{}: {package_count} packages{}",
            spdx_version
                .as_deref()
                .map(|v| format!(" {}", printable(v.strip_prefix("SPDX-").unwrap_or(v))))
                .unwrap_or_default(),
            packages(top_packages)
        ),
        PredicateSummary::CycloneDx {
            spec_version,
            component_count,
            top_components,
        } => format!(
            "CycloneDX{}: {component_count} components{}",
            spec_version
                .as_deref()
                .map(|v| format!(" {}", printable(v)))
                .unwrap_or_default(),
            packages(top_components)
        ),
        PredicateSummary::CosignVuln {
            scanner_uri,
            vulnerability_count,
            ..
        } => format!(
            "vulnerability scan{}: {}",
            scanner_uri
                .as_deref()
                .map(|u| format!(" by {}", printable(u)))
                .unwrap_or_default(),
            vulnerability_count.map_or("findings not counted".to_owned(), |n| format!(
                "{n} findings"
            ))
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
    if shown.is_empty() {
        return String::new();
    }
    let more = if list.len() > 3 { ", …" } else { "" };
    format!(" ({}{more})", shown.join(", "))
}

/// A sigstore bundle in a few lines: what it signs, who signed, where it is logged and when it
/// was timestamped.
pub fn bundle_lines(b: &BundleView, pad: &str, out: &mut Vec<String>) {
    match &b.content {
        ContentView::MessageSignature {
            digest_algorithm,
            digest,
            ..
        } => {
            let over = match digest {
                Some(d) => format!(
                    " over {} {}",
                    printable(digest_algorithm.as_deref().unwrap_or("SHA2_256")),
                    hex::encode(d)
                ),
                None => String::new(),
            };
            out.push(format!(
                "{pad}bundle     {} message signature{over}",
                printable(&b.media_type)
            ));
        }
        ContentView::Dsse(dsse) => {
            out.push(format!("{pad}bundle     {} DSSE", printable(&b.media_type)));
            match &dsse.statement {
                Some(Ok(statement)) => subject_lines(&statement.subject, pad, out),
                Some(Err(e)) => out.push(format!(
                    "{pad}statement  error: {}",
                    printable(&e.to_string())
                )),
                None => out.push(format!(
                    "{pad}payload    {} (not an in-toto statement)",
                    printable(&dsse.envelope.payload_type)
                )),
            }
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
        VerificationMaterialView::PublicKey { hint } if hint.is_empty() => {
            out.push(format!("{pad}signer     a key (no hint)"));
        }
        VerificationMaterialView::PublicKey { hint } => {
            out.push(format!("{pad}signer     a key (hint {})", printable(hint)));
        }
    }
    for e in &b.tlog_entries {
        let mut line = format!(
            "{pad}rekor      log index {}, {} {}",
            e.log_index,
            printable(&e.kind),
            printable(&e.version)
        );
        match &e.integrated_time_rfc3339 {
            Some(t) => line.push_str(&format!(", integrated {}", printable(t))),
            None => line.push_str(", no integrated time (Rekor v2)"),
        }
        let origin = e
            .inclusion_proof
            .as_ref()
            .and_then(|p| p.checkpoint.as_ref())
            .and_then(|c| c.as_ref().ok());
        match origin {
            Some(c) => line.push_str(&format!(", log {}", printable(&c.origin))),
            None => line.push_str(&format!(", log id {}", hex::encode(&e.log_id))),
        }
        if e.inclusion_proof.is_some() {
            line.push_str(", inclusion proof");
        }
        if e.inclusion_promise.is_some() {
            line.push_str(", SET");
        }
        out.push(line);
    }
    for t in &b.timestamps {
        match &t.decoded {
            Ok(v) => {
                let by = v
                    .tsa_name
                    .as_deref()
                    .or(v.certificate_subjects.first().map(String::as_str))
                    .or(v.signer_ids.first().map(String::as_str))
                    .unwrap_or("an unnamed TSA");
                out.push(format!(
                    "{pad}timestamp  {} by {} (RFC 3161)",
                    printable(&v.gen_time_rfc3339),
                    printable(by)
                ));
            }
            Err(e) => out.push(format!(
                "{pad}timestamp  error: {}",
                printable(&e.to_string())
            )),
        }
    }
}

/// Who a certificate names, in two or three lines.
pub fn certificate_lines(cert: &CertificateView, pad: &str, out: &mut Vec<String>) {
    out.push(format!(
        "{pad}signer     {}",
        printable(cert.identity().unwrap_or("(no SAN)"))
    ));
    out.push(format!(
        "{pad}issuer     {}",
        printable(cert.oidc_issuer().unwrap_or("(no issuer extension)"))
    ));
    let mut build = Vec::new();
    if let Some(repo) = cert.claim(12) {
        build.push(format!("repo {}", printable(repo)));
    }
    if let Some(git_ref) = cert.claim(14) {
        build.push(format!("ref {}", printable(git_ref)));
    }
    if let Some(sha) = cert.claim(13) {
        build.push(format!(
            "commit {}",
            printable(&sha.chars().take(12).collect::<String>())
        ));
    }
    if let Some(trigger) = cert.claim(20) {
        build.push(format!("trigger {}", printable(trigger)));
    }
    if let Some(runner) = cert.claim(11) {
        build.push(format!("runner {}", printable(runner)));
    }
    if !build.is_empty() {
        out.push(format!("{pad}build      {}", build.join(", ")));
    }
}

/// The statement's subjects: the first three, then how many more.
fn subject_lines(subjects: &[Subject], pad: &str, out: &mut Vec<String>) {
    for s in subjects.iter().take(3) {
        let digests: Vec<String> = s
            .digest
            .iter()
            .map(|(alg, hex)| format!("{}:{}", printable(alg), printable(hex)))
            .collect();
        let name = if s.name.is_empty() {
            "(unnamed)".into()
        } else {
            printable(&s.name)
        };
        out.push(format!("{pad}subject    {name} {}", digests.join(" ")));
    }
    if subjects.len() > 3 {
        out.push(format!("{pad}subject    … and {} more", subjects.len() - 3));
    }
    if subjects.is_empty() {
        out.push(format!(
            "{pad}subject    none (the statement names no subject)"
        ));
    }
}

#[cfg(test)]
#[path = "inspect_summary_tests.rs"]
mod tests;
