//! The disagreements with sigstore-verify that are deliberate, each with its reason and the
//! SECURITY.md section that states it. Anything else the differential target finds is a bug in
//! one of the two verifiers, and the target fails on it.
//!
//! Each entry is narrow: it names the side that refuses, recognises the refusal by the reason
//! that side gives, and requires the bundle to show the feature the reason is about. When
//! sigscope is the stricter side, every one of its failed checks must be explained (a bundle
//! refused for a deliberate reason and for another one is a disagreement on the other one).

use serde_json::Value;

use crate::verdict::Verdict;

/// The verifier that refuses what the other accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stricter {
    Sigscope,
    SigstoreVerify,
}

/// One documented, deliberate divergence.
pub struct Deliberate {
    pub name: &'static str,
    pub stricter: Stricter,
    /// Why the divergence is kept (as SECURITY.md says it).
    pub reason: &'static str,
    /// The refusing side's reason for this class contains this.
    pub refusal: &'static str,
    /// The bundle shows the feature the refusal is about.
    pub shows: fn(&Value) -> bool,
}

/// Two verdicts on one bundle that differ.
pub struct Disagreement<'a> {
    pub bundle: &'a Value,
    pub sigscope: &'a Verdict,
    pub oracle: &'a Verdict,
}

impl Disagreement<'_> {
    fn stricter(&self) -> Option<(Stricter, &[String])> {
        match (self.sigscope, self.oracle) {
            (Verdict::Rejected(r), Verdict::Accepted) => Some((Stricter::Sigscope, r)),
            (Verdict::Accepted, Verdict::Rejected(r)) => Some((Stricter::SigstoreVerify, r)),
            _ => None,
        }
    }
}

fn media_type_v03(bundle: &Value) -> bool {
    bundle["mediaType"].as_str().is_some_and(|m| {
        m == "application/vnd.dev.sigstore.bundle.v0.3+json"
            || m == "application/vnd.dev.sigstore.bundle+json;version=0.3"
    })
}

fn has_certificate_chain(bundle: &Value) -> bool {
    bundle["verificationMaterial"]["x509CertificateChain"].is_object()
}

/// SECURITY.md, "Sigstore bundles: choices among the verifiers".
pub const DELIBERATE: &[Deliberate] = &[Deliberate {
    name: "v0.3 with an x509CertificateChain",
    stricter: Stricter::Sigscope,
    reason: "protobuf-specs requires the single-certificate form in v0.3; sigstore-go and \
             sigstore-js refuse the chain form there",
    refusal: "a v0.3 bundle carries its signing certificate alone, not an x509CertificateChain",
    shows: |b| media_type_v03(b) && has_certificate_chain(b),
}];

/// The deliberate divergences that explain `d`, or `None` when it is unexplained.
pub fn explain(d: &Disagreement) -> Option<Vec<&'static Deliberate>> {
    let (side, reasons) = d.stricter()?;
    let mut used = Vec::new();
    for reason in reasons {
        let entry = DELIBERATE
            .iter()
            .find(|e| e.stricter == side && reason.contains(e.refusal) && (e.shows)(d.bundle))?;
        if !used.iter().any(|u: &&Deliberate| u.name == entry.name) {
            used.push(entry);
        }
    }
    (!used.is_empty()).then_some(used)
}
