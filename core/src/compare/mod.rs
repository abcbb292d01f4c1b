//! Signers across builds: for every tag, who signed it (identity, issuer, source repository,
//! workflow, commit, runner, trigger), and which builds stand out from the majority — the
//! "which build was signed by someone else?" question.
//!
//! Values that change with every build by design (the commit, the git ref, and the ref suffix
//! of a workflow identity) are shown but never flagged; everything else is compared with the
//! majority of signed builds.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::inventory::model::{ImageReport, Inventory, TagOutcome};
use crate::reference::Digest;

pub mod identity;
pub mod signatures;
pub mod trust;

pub use signatures::{Signature, has_attestations, signatures_of};

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

/// Who made one signature: its certificate's identity and claims (or a Notary Project signer).
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
    /// Every signature of the build (copied ones included, marked).
    pub signatures: Vec<Signature>,
    /// The signer the build is compared by: of its counted keyless signatures, the one closest to
    /// the majority. `None` for a build with no such signature.
    pub signer: Option<Signer>,
    /// Signed with a key rather than a certificate (and by no certificate).
    pub key_signed: bool,
    /// How this build differs, in words; empty for a build like the others.
    pub outliers: Vec<Outlier>,
    /// What is worth knowing without making the build stand out (a second signer beside the
    /// majority's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Whether a CA of the trusted root in force issued the signing certificate (`None`: no
    /// certificate, or no trusted root given; see [`trust::mark_trusted_authorities`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_authority_trusted: Option<bool>,
}

impl Row {
    fn read(tag: &str, image: &ImageReport) -> Row {
        Row {
            tag: tag.to_owned(),
            digest: Some(image.digest.clone()),
            signatures: signatures_of(image),
            signer: None,
            key_signed: false,
            outliers: Vec::new(),
            notes: Vec::new(),
            certificate_authority_trusted: None,
        }
    }

    fn unreadable(tag: &str, error: &str) -> Row {
        Row {
            tag: tag.to_owned(),
            digest: None,
            signatures: Vec::new(),
            signer: None,
            key_signed: false,
            outliers: vec![Outlier {
                attribute: None,
                reason: format!("could not be read: {error}"),
            }],
            notes: Vec::new(),
            certificate_authority_trusted: None,
        }
    }

    /// The signers of the counted keyless (or notation) signatures.
    fn counted_signers(&self) -> impl Iterator<Item = &Signer> {
        self.signatures
            .iter()
            .filter(|s| s.counted())
            .filter_map(|s| s.signer.as_ref())
    }
}

/// One difference from the majority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outlier {
    /// The attribute, or `None` for whole-build reasons (unsigned, key-signed, unreadable,
    /// a copied signature).
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
    matrix_of(
        tags.into_iter()
            .map(|(tag, outcome)| Observation::of(tag, outcome))
            .collect(),
    )
}

/// What comparison keeps of one build: its signatures and signers, not its inventory. The
/// engine makes one per tag as discovery yields it, so a repository is compared without
/// holding every image in memory.
#[derive(Debug, Clone)]
pub struct Observation {
    row: Row,
    attested: bool,
}

impl Observation {
    /// One tag's image, or why it could not be read.
    pub fn of(tag: &str, outcome: Result<&ImageReport, &str>) -> Observation {
        match outcome {
            Ok(image) => Observation {
                row: Row::read(tag, image),
                attested: has_attestations(image),
            },
            Err(e) => Observation {
                row: Row::unreadable(tag, e),
                attested: false,
            },
        }
    }

    /// The tag observed.
    pub fn tag(&self) -> &str {
        &self.row.tag
    }
}

/// The matrix of builds observed, each judged against the majority.
pub fn matrix_of(observations: Vec<Observation>) -> Matrix {
    let (mut rows, attested): (Vec<Row>, Vec<bool>) = observations
        .into_iter()
        .map(|o| (o.row, o.attested))
        .unzip();
    let majority = majorities(&rows);
    for (row, attested) in rows.iter_mut().zip(attested) {
        if row.digest.is_some() {
            judge(row, &majority, attested);
        }
    }
    Matrix { rows, majority }
}

/// Fills in a build's differences, outliers and notes against the majority.
fn judge(row: &mut Row, majority: &BTreeMap<Attribute, String>, attested: bool) {
    for signature in &mut row.signatures {
        if let Some(signer) = &signature.signer {
            signature.differs = differences(signer, majority);
        }
    }
    let this = row
        .digest
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    for s in row.signatures.iter().filter(|s| !s.counted()) {
        let from = s.copied_from.as_deref().unwrap_or_default();
        row.outliers.push(Outlier {
            attribute: None,
            reason: format!(
                "signature copied from another image: its payload names {} (this build: {})",
                short_digest(from),
                short_digest(&this)
            ),
        });
    }
    let counted: Vec<&Signature> = row.signatures.iter().filter(|s| s.counted()).collect();
    let keyless: Vec<&Signature> = counted.iter().copied().filter(|s| !s.key_signed).collect();
    let best = keyless.iter().copied().min_by_key(|s| s.differs.len());
    row.signer = best.and_then(|s| s.signer.clone());
    row.key_signed = best.is_none() && counted.iter().any(|s| s.key_signed);
    let Some(best) = best else {
        let reason = if row.key_signed {
            "signed with a key, not a certificate identity"
        } else if !row.signatures.is_empty() {
            // Only copied signatures: already said.
            return;
        } else if attested {
            "unsigned (attestations only)"
        } else {
            "unsigned"
        };
        row.outliers.push(Outlier {
            attribute: None,
            reason: reason.into(),
        });
        return;
    };
    if best.differs.is_empty() {
        // Like the majority; any other signer is worth a note, not an alarm.
        for s in counted
            .iter()
            .filter(|s| !s.differs.is_empty() || s.key_signed)
        {
            row.notes.push(match &s.signer {
                Some(signer) => format!(
                    "also signed by {}{}",
                    signer.identity,
                    signer
                        .issuer
                        .as_deref()
                        .map(|i| format!(" ({i})"))
                        .unwrap_or_default()
                ),
                None => "also signed with a key".to_owned(),
            });
        }
        return;
    }
    for s in &keyless {
        let Some(signer) = &s.signer else { continue };
        for &attribute in &s.differs {
            let expected = majority
                .get(&attribute)
                .map(String::as_str)
                .unwrap_or_default();
            let actual = signer.value(attribute).unwrap_or("(absent)");
            let outlier = Outlier {
                attribute: Some(attribute),
                reason: describe(attribute, expected, actual),
            };
            if !row.outliers.contains(&outlier) {
                row.outliers.push(outlier);
            }
        }
    }
}

/// The attributes of `signer` that differ from the majority's.
fn differences(signer: &Signer, majority: &BTreeMap<Attribute, String>) -> Vec<Attribute> {
    Attribute::ALL
        .into_iter()
        .filter(|a| {
            majority
                .get(a)
                .is_some_and(|expected| signer.value(*a).unwrap_or("(absent)") != expected)
        })
        .collect()
}

/// `sha256:` and the first 12 hex digits.
fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algorithm, hex)) => format!("{algorithm}:{}", hex.get(..12).unwrap_or(hex)),
        None => digest.to_owned(),
    }
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

/// The most common value of each attribute among builds with counted keyless signatures, each
/// build voting once for each value its signers have (ties: the first seen).
fn majorities(rows: &[Row]) -> BTreeMap<Attribute, String> {
    let mut out = BTreeMap::new();
    for attribute in Attribute::ALL {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for row in rows {
            let mut values: Vec<&str> = row
                .counted_signers()
                .map(|s| s.value(attribute).unwrap_or("(absent)"))
                .collect();
            values.sort_unstable();
            values.dedup();
            for v in values {
                match counts.iter_mut().find(|(k, _)| *k == v) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((v, 1)),
                }
            }
        }
        let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        if let Some((v, _)) = counts.iter().find(|(_, n)| *n == best) {
            out.insert(attribute, (*v).to_owned());
        }
    }
    out
}

/// The signer of the image's first counted keyless (or notation) signature, and whether a key
/// signature was seen.
pub fn first_signer(image: &ImageReport) -> (Option<Signer>, bool) {
    let signatures = signatures_of(image);
    let signer = signatures
        .iter()
        .filter(|s| s.counted())
        .find_map(|s| s.signer.clone());
    let key_signed = signatures.iter().any(|s| s.key_signed);
    (signer, key_signed)
}

#[cfg(test)]
pub(crate) mod tests;
