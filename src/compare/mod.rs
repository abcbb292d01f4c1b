//! Signers across builds: for every tag, who signed it (identity, issuer, source repository,
//! workflow, commit, runner, trigger), and which builds stand out from the majority — the
//! "which build was signed by someone else?" question.
//!
//! Values that change with every build by design (the commit, the git ref, and the ref suffix
//! of a workflow identity) are shown but never flagged; everything else is compared with the
//! majority of signed builds.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::artifact::certificate::CertificateView;
use crate::inventory::layer::{Decoded, LayerContent};
use crate::inventory::model::{ArtifactKind, ImageReport, Inventory, TagOutcome};
use crate::reference::Digest;

pub mod identity;
pub mod trust;

/// The attributes compared across builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    Identity,
    Issuer,
    /// The CA that issued the signing certificate (its subject DN).
    CertificateAuthority,
    SourceRepository,
    Workflow,
    Runner,
    Trigger,
}

impl Attribute {
    pub const ALL: [Attribute; 7] = [
        Attribute::Identity,
        Attribute::Issuer,
        Attribute::CertificateAuthority,
        Attribute::SourceRepository,
        Attribute::Workflow,
        Attribute::Runner,
        Attribute::Trigger,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Attribute::Identity => "identity",
            Attribute::Issuer => "issuer",
            Attribute::CertificateAuthority => "certificate authority",
            Attribute::SourceRepository => "source repository",
            Attribute::Workflow => "workflow",
            Attribute::Runner => "runner",
            Attribute::Trigger => "trigger",
        }
    }
}

/// Who signed one build, as its first keyless signature says (or a key).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// The SAN as it stands.
    pub identity: String,
    pub issuer: Option<String>,
    /// The signing certificate's issuer DN.
    pub certificate_authority: String,
    pub source_repository: Option<String>,
    /// The workflow (build config URI), without its `@ref`.
    pub workflow: Option<String>,
    pub git_ref: Option<String>,
    pub commit: Option<String>,
    pub runner: Option<String>,
    pub trigger: Option<String>,
    /// The signing certificate (DER), to check its CA against a trusted root.
    #[serde(skip)]
    pub certificate: Vec<u8>,
    /// A Notary Project signer: its signing scheme and, when countersigned, the timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notation: Option<NotationSigner>,
}

/// What a Notary Project signature says of its signer beyond the certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NotationSigner {
    /// `notary.x509` or `notary.x509.signingAuthority`.
    pub signing_scheme: String,
    /// `JWS` or `COSE`.
    pub envelope: String,
    /// The claimed signing time (or the authentic signing time).
    pub signing_time: Option<String>,
    /// The RFC 3161 countersignature's genTime, when there is one (decoded, not verified).
    pub timestamp: Option<String>,
}

impl Signer {
    /// A Notary Project signer: the leaf's subject DN is its identity, the signing scheme
    /// stands for the issuer.
    fn from_notation(view: &crate::artifact::notation::NotationView) -> Option<Signer> {
        let leaf = view.certificates.first()?.as_ref().ok()?;
        let e = &view.envelope;
        Some(Signer {
            identity: leaf.subject.clone(),
            issuer: Some(format!(
                "notation {}",
                e.signing_scheme.as_deref().unwrap_or("(no signing scheme)")
            )),
            certificate_authority: leaf.issuer.clone(),
            notation: Some(NotationSigner {
                signing_scheme: e.signing_scheme.clone().unwrap_or_default(),
                envelope: e.format.name().to_owned(),
                signing_time: e.claimed_signing_time().map(|t| t.text.clone()),
                timestamp: view
                    .timestamp
                    .as_ref()
                    .and_then(|t| t.as_ref().ok())
                    .map(|t| t.gen_time_rfc3339.clone()),
            }),
            ..Signer::default()
        })
    }

    fn from_certificate(cert: &CertificateView) -> Signer {
        let claim = |arc| cert.claim(arc).map(str::to_owned);
        Signer {
            identity: cert.identity().unwrap_or("(no identity)").to_owned(),
            issuer: cert.oidc_issuer().map(str::to_owned),
            certificate_authority: cert.issuer.clone(),
            source_repository: claim(12).or_else(|| claim(5)),
            workflow: claim(18)
                .or_else(|| claim(9))
                .map(|w| strip_ref(&w).to_owned()),
            git_ref: claim(14).or_else(|| claim(6)),
            commit: claim(13).or_else(|| claim(3)),
            runner: claim(11),
            trigger: claim(20).or_else(|| claim(2)),
            certificate: cert.der.clone(),
            notation: None,
        }
    }

    /// The compared value of `attribute` (the identity without its per-build `@ref`).
    pub fn value(&self, attribute: Attribute) -> Option<&str> {
        match attribute {
            Attribute::Identity => Some(strip_ref(&self.identity)),
            Attribute::Issuer => self.issuer.as_deref(),
            Attribute::CertificateAuthority => Some(&self.certificate_authority),
            Attribute::SourceRepository => self.source_repository.as_deref(),
            Attribute::Workflow => self.workflow.as_deref(),
            Attribute::Runner => self.runner.as_deref(),
            Attribute::Trigger => self.trigger.as_deref(),
        }
    }
}

/// `https://…/release.yml@refs/tags/v1` → `https://…/release.yml`.
pub fn strip_ref(uri: &str) -> &str {
    match uri.rfind("@refs/") {
        Some(i) => &uri[..i],
        None => uri,
    }
}

/// One build's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub tag: String,
    pub digest: Option<Digest>,
    /// `None` for an unsigned (or unreadable) build.
    pub signer: Option<Signer>,
    /// Signed with a key rather than a certificate.
    pub key_signed: bool,
    /// How this build differs, in words; empty for a build like the others.
    pub outliers: Vec<Outlier>,
    /// Whether a CA of the trusted root in force issued the signing certificate (`None`: no
    /// certificate, or no trusted root given; see [`trust::mark_trusted_authorities`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_authority_trusted: Option<bool>,
}

/// One difference from the majority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outlier {
    /// The attribute, or `None` for whole-build reasons (unsigned, key-signed, unreadable).
    pub attribute: Option<Attribute>,
    pub reason: String,
}

/// The matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub rows: Vec<Row>,
    /// The majority value of each attribute among signed builds.
    pub majority: BTreeMap<Attribute, String>,
}

impl Matrix {
    pub fn outlier_count(&self) -> usize {
        self.rows.iter().filter(|r| !r.outliers.is_empty()).count()
    }
}

/// Builds the matrix from an inventory.
pub fn signer_matrix(inventory: &Inventory) -> Matrix {
    signer_matrix_of(inventory.tags.iter().map(|t| match &t.outcome {
        TagOutcome::Image(image) => (t.tag.as_str(), Ok(image.as_ref())),
        TagOutcome::Error(e) => (t.tag.as_str(), Err(e.as_str())),
    }))
}

/// Builds the matrix from tags as far as they are read: each tag's image, or why it could not
/// be read (the TUI passes the tags it has loaded so far).
pub fn signer_matrix_of<'a>(
    tags: impl IntoIterator<Item = (&'a str, Result<&'a ImageReport, &'a str>)>,
) -> Matrix {
    let mut rows: Vec<Row> = tags
        .into_iter()
        .map(|(tag, outcome)| match outcome {
            Ok(image) => {
                let (signer, key_signed) = first_signer(image);
                Row {
                    tag: tag.to_owned(),
                    digest: Some(image.digest.clone()),
                    signer,
                    key_signed,
                    outliers: Vec::new(),
                    certificate_authority_trusted: None,
                }
            }
            Err(e) => Row {
                tag: tag.to_owned(),
                digest: None,
                signer: None,
                key_signed: false,
                outliers: vec![Outlier {
                    attribute: None,
                    reason: format!("could not be read: {e}"),
                }],
                certificate_authority_trusted: None,
            },
        })
        .collect();
    let majority = majorities(&rows);
    for row in &mut rows {
        if row.digest.is_none() {
            continue;
        }
        match &row.signer {
            None if row.key_signed => row.outliers.push(Outlier {
                attribute: None,
                reason: "signed with a key, not a certificate identity".into(),
            }),
            None => row.outliers.push(Outlier {
                attribute: None,
                reason: "unsigned".into(),
            }),
            Some(signer) => {
                for attribute in Attribute::ALL {
                    let Some(expected) = majority.get(&attribute) else {
                        continue;
                    };
                    let actual = signer.value(attribute).unwrap_or("(absent)");
                    if actual != expected {
                        row.outliers.push(Outlier {
                            attribute: Some(attribute),
                            reason: describe(attribute, expected, actual),
                        });
                    }
                }
            }
        }
    }
    Matrix { rows, majority }
}

fn describe(attribute: Attribute, expected: &str, actual: &str) -> String {
    match attribute {
        Attribute::Identity => format!("new identity {actual} (most builds: {expected})"),
        Attribute::Issuer => format!("different issuer {actual} (most builds: {expected})"),
        Attribute::CertificateAuthority => {
            format!("certificate from a different CA {actual} (most builds: {expected})")
        }
        Attribute::SourceRepository => {
            format!("different source repository {actual} (most builds: {expected})")
        }
        Attribute::Workflow => format!("different workflow {actual} (most builds: {expected})"),
        Attribute::Runner if actual == "self-hosted" => {
            format!("built on a self-hosted runner (most builds: {expected})")
        }
        Attribute::Runner => format!("different runner {actual} (most builds: {expected})"),
        Attribute::Trigger => format!("different trigger {actual} (most builds: {expected})"),
    }
}

/// The most common value of each attribute among keyless-signed builds (ties: the first seen).
fn majorities(rows: &[Row]) -> BTreeMap<Attribute, String> {
    let mut out = BTreeMap::new();
    for attribute in Attribute::ALL {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for signer in rows.iter().filter_map(|r| r.signer.as_ref()) {
            let v = signer.value(attribute).unwrap_or("(absent)");
            match counts.iter_mut().find(|(k, _)| *k == v) {
                Some((_, n)) => *n += 1,
                None => counts.push((v, 1)),
            }
        }
        let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        if let Some((v, _)) = counts.iter().find(|(_, n)| *n == best) {
            out.insert(attribute, (*v).to_owned());
        }
    }
    out
}

/// The first certificate on the image's signatures (legacy `.sig`, bundle referrers or Notary
/// Project signatures), and
/// whether a signature without a certificate (a key signature) was seen.
pub fn first_signer(image: &ImageReport) -> (Option<Signer>, bool) {
    let mut key_signed = false;
    for artifact in &image.artifacts {
        if !matches!(
            artifact.kind,
            ArtifactKind::Signature
                | ArtifactKind::SigstoreBundle
                | ArtifactKind::NotationSignature
        ) {
            continue;
        }
        for layer in &artifact.layers {
            match &layer.content {
                LayerContent::Signature(sig) => match &sig.material.certificate {
                    Some(Decoded::Ok(cert)) => {
                        return (Some(Signer::from_certificate(cert)), false);
                    }
                    None if sig.material.signature.is_some() => key_signed = true,
                    _ => {}
                },
                LayerContent::Notation { envelope } => {
                    if let Some(signer) = envelope.ok().and_then(Signer::from_notation) {
                        return (Some(signer), false);
                    }
                }
                LayerContent::Bundle { bundle, .. } => {
                    if let Some(b) = bundle.ok() {
                        match b.leaf_certificate() {
                            Some(cert) => return (Some(Signer::from_certificate(cert)), false),
                            // A bundle with a public key hint instead of a certificate.
                            None => key_signed = true,
                        }
                    }
                }
                _ => {}
            }
        }
    }
    (None, key_signed)
}
