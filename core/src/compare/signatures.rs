//! Every signature of one build, as the signer matrix compares them: cosign `.sig` layers and
//! signature referrers, cosign v3 sigstore bundles that sign the image (a message signature, or
//! DSSE over cosign's image-signature statement), and Notary Project signatures. Each says who
//! signed (a certificate, or a key), where it was found, and whether its payload names another
//! image — a signature copied from another build, which no verifier counts for this one.

use serde::Serialize;

use crate::artifact::bundle::{BundleView, ContentView};
use crate::artifact::certificate::CertificateView;
use crate::inventory::layer::{Decoded, LayerContent};
use crate::inventory::model::{Artifact, ArtifactKind, ImageReport, Route};
use crate::reference::Digest;
use crate::verify::referrer::COSIGN_SIGN_PREDICATE;

use super::{Attribute, Signer};

/// One signature on a build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signature {
    /// Where it was found: `.sig tag`, `bundle referrer`, `notation referrer`…
    pub found_via: String,
    /// Who signed: a certificate's identity, or `None` for a key signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<Signer>,
    /// Signed with a key rather than a certificate.
    pub key_signed: bool,
    /// The digest its payload names when that is not this build's: a signature copied from
    /// another image. Never counted for this build.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copied_from: Option<String>,
    /// The attributes in which its signer differs from the majority of builds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differs: Vec<Attribute>,
    /// Whether a CA of the trusted root in force issued its certificate (`None`: no certificate,
    /// or no trusted root given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_authority_trusted: Option<bool>,
}

impl Signature {
    /// Counted for its build: not copied from another image.
    pub fn counted(&self) -> bool {
        self.copied_from.is_none()
    }

    fn new(found_via: String, signer: Option<Signer>, copied_from: Option<String>) -> Signature {
        Signature {
            found_via,
            key_signed: signer.is_none(),
            signer,
            copied_from,
            differs: Vec::new(),
            certificate_authority_trusted: None,
        }
    }
}

/// Every signature of `image`, in the order discovery found them.
pub fn signatures_of(image: &ImageReport) -> Vec<Signature> {
    let mut out = Vec::new();
    for artifact in &image.artifacts {
        let kind = match artifact.kind {
            ArtifactKind::Signature => ".sig",
            ArtifactKind::SigstoreBundle => "bundle",
            ArtifactKind::NotationSignature => "notation",
            _ => continue,
        };
        let via = format!("{kind} {}", route(&artifact.found_via));
        for layer in &artifact.layers {
            if let Some(signature) = layer_signature(artifact, &layer.content, &via) {
                out.push(signature);
            }
        }
    }
    out
}

/// Whether `image` carries attestations (legacy `.att` or attestation bundles).
pub fn has_attestations(image: &ImageReport) -> bool {
    image.artifacts.iter().any(|a| match a.kind {
        ArtifactKind::Attestation => true,
        ArtifactKind::SigstoreBundle => a.layers.iter().any(|l| {
            matches!(&l.content, LayerContent::Bundle { bundle, .. }
                if bundle.ok().is_some_and(|b| !signs_image(b)))
        }),
        _ => false,
    })
}

fn route(route: &Route) -> &'static str {
    match route {
        Route::LegacyTag { .. } => "tag",
        Route::ReferrersApi => "referrer",
        Route::FallbackTag { .. } => "referrer (fallback tag)",
        Route::LayoutSubject => "referrer (layout)",
    }
}

fn layer_signature(artifact: &Artifact, content: &LayerContent, via: &str) -> Option<Signature> {
    let subject = &artifact.subject;
    match content {
        LayerContent::Signature(sig) => {
            let named = sig
                .payload
                .ok()
                .map(|p| p.critical.image.docker_manifest_digest.clone());
            let copied = named.filter(|d| *d != subject.to_string());
            match &sig.material.certificate {
                Some(Decoded::Ok(cert)) => Some(Signature::new(
                    via.to_owned(),
                    Some(Signer::from_certificate(cert)),
                    copied,
                )),
                None if sig.material.signature.is_some() => {
                    Some(Signature::new(via.to_owned(), None, copied))
                }
                _ => None,
            }
        }
        LayerContent::Notation { envelope } => {
            let signer = envelope.ok().and_then(Signer::from_notation)?;
            Some(Signature::new(via.to_owned(), Some(signer), None))
        }
        LayerContent::Bundle { bundle, .. } => {
            let b = bundle.ok().filter(|b| signs_image(b))?;
            let signer = b.leaf_certificate().map(Signer::from_certificate);
            Some(Signature::new(
                via.to_owned(),
                signer,
                bundle_names_other(b, subject),
            ))
        }
        _ => None,
    }
}

/// A bundle that signs the image (not an attestation about it): a message signature, or DSSE
/// over cosign v3's image-signature statement.
fn signs_image(bundle: &BundleView) -> bool {
    match &bundle.content {
        ContentView::MessageSignature { .. } => true,
        ContentView::Dsse(dsse) => match &dsse.statement {
            Some(Ok(statement)) => statement.predicate_type == COSIGN_SIGN_PREDICATE,
            _ => false,
        },
    }
}

/// The digest a DSSE statement's subjects name when none of them is `subject`.
fn bundle_names_other(bundle: &BundleView, subject: &Digest) -> Option<String> {
    let ContentView::Dsse(dsse) = &bundle.content else {
        return None;
    };
    let Some(Ok(statement)) = &dsse.statement else {
        return None;
    };
    let algorithm = subject.algorithm().name();
    let named: Vec<String> = statement
        .subject
        .iter()
        .filter_map(|s| s.digest.get(algorithm))
        .map(|hex| format!("{algorithm}:{hex}"))
        .collect();
    if named.is_empty() || named.iter().any(|d| *d == subject.to_string()) {
        None
    } else {
        named.into_iter().next()
    }
}

impl Signer {
    pub(super) fn from_certificate(cert: &CertificateView) -> Signer {
        let claim = |arc| cert.claim(arc).map(str::to_owned);
        Signer {
            identity: cert.identity().unwrap_or("(no identity)").to_owned(),
            issuer: cert.oidc_issuer().map(str::to_owned),
            certificate_authority: cert.issuer.clone(),
            source_repository: claim(12).or_else(|| claim(5)),
            workflow: claim(18)
                .or_else(|| claim(9))
                .map(|w| super::strip_ref(&w).to_owned()),
            git_ref: claim(14).or_else(|| claim(6)),
            commit: claim(13).or_else(|| claim(3)),
            runner: claim(11),
            trigger: claim(20).or_else(|| claim(2)),
            certificate: cert.der.clone(),
            notation: None,
        }
    }
}
