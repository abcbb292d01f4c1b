//! The one shape every admission policy format is read into: rules that apply to some images
//! and require groups of authorities, each authority being a verification the existing
//! verifier ([`crate::verify`]) performs.

use serde::Serialize;

use super::document::{FieldNote, PolicyError};
use super::glob::{ImageGlob, ImageName, Wildcard};
use crate::trust::{CertificateAuthority, TrustedRoot, ValidFor};
use crate::verify::identity::{IdentityPolicy, Matcher};
use crate::verify::key::PublicKey;
use crate::verify::policy::{Policy, Signer};

/// Which admission controller a rule comes from; each combines rules its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// Sigstore policy-controller (`ClusterImagePolicy`).
    PolicyController,
    /// Kyverno (`ClusterPolicy`/`Policy` with `verifyImages`).
    Kyverno,
    /// containers/image (`policy.json`: podman, skopeo, CRI-O).
    Containers,
    /// Connaisseur (its `validators` and `policy` rules).
    Connaisseur,
}

impl Engine {
    pub fn label(self) -> &'static str {
        match self {
            Engine::PolicyController => "policy-controller",
            Engine::Kyverno => "Kyverno",
            Engine::Containers => "containers policy.json",
            Engine::Connaisseur => "Connaisseur",
        }
    }
}

/// Which images a rule applies to.
#[derive(Debug, Clone)]
pub enum ImageMatch {
    /// policy-controller: any glob matches.
    Globs(Vec<ImageGlob>),
    /// Kyverno: any reference matches and no skip reference does.
    Wildcards {
        include: Vec<Wildcard>,
        exclude: Vec<Wildcard>,
    },
    /// containers: a transport scope; the most specific matching scope wins.
    Scope(super::containers::Scope),
    /// Connaisseur: a rule pattern; the most specific matching pattern wins.
    Pattern(super::connaisseur::Pattern),
}

impl ImageMatch {
    pub fn matches(&self, image: &ImageName) -> bool {
        match self {
            ImageMatch::Globs(globs) => globs.iter().any(|g| g.matches(image)),
            // Per spelling: Kyverno sees one, and applying the rule for any is the stricter
            // reading.
            ImageMatch::Wildcards { include, exclude } => image.kyverno_names().iter().any(|n| {
                include.iter().any(|w| w.matches_str(n))
                    && !exclude.iter().any(|w| w.matches_str(n))
            }),
            ImageMatch::Scope(scope) => scope.specificity(image).is_some(),
            ImageMatch::Pattern(p) => p.matches(&image.connaisseur_name()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            ImageMatch::Globs(globs) => globs
                .iter()
                .map(|g| g.glob.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            ImageMatch::Wildcards { include, .. } => include
                .iter()
                .map(|w| w.pattern.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            ImageMatch::Scope(scope) => scope.describe(),
            ImageMatch::Pattern(p) => p.pattern.clone(),
        }
    }
}

/// Policy text (CUE, Rego, Kyverno conditions) shown but not executed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyText {
    pub path: String,
    pub language: String,
    pub text: String,
}

/// An attestation an authority requires.
#[derive(Debug, Clone)]
pub struct AttestationRequirement {
    pub name: String,
    /// A URI or a cosign short name.
    pub predicate_type: String,
    /// The attestation's own signer, when it differs from the authority's (Kyverno).
    pub policy: Option<Policy>,
    pub text: Option<PolicyText>,
}

/// What an authority checks.
#[derive(Debug, Clone)]
pub enum Check {
    /// A signature the verifier accepts under this policy (and trust, when the authority
    /// names its own).
    Signature {
        policy: Box<Policy>,
        trust: TrustOverride,
        /// containers' `signedIdentity`: what the payload's docker-reference must name.
        signed_identity: Option<super::containers::SignedIdentity>,
    },
    /// Attestations only, each with its signer's policy (Kyverno attestation blocks carry their
    /// own attestors; a policy-controller authority with `attestations` checks only those).
    AttestationsOnly { trust: TrustOverride },
    /// The authority names material sigscope cannot read (a Kubernetes secret, a KMS key):
    /// the cluster's verdict cannot be known.
    Unusable(String),
    /// policy-controller `static: {action: pass}`, containers `insecureAcceptAnything`.
    Accept,
    /// policy-controller `static: {action: fail}`, containers `reject`; also an entry the
    /// controller fails when it runs it (an unreadable key, an invalid regexp).
    Reject(String),
    /// Kyverno's nested `attestor`: passes when its own set passes.
    Nested(Box<Group>),
    /// Kyverno's `verifyDigest` without `mutateDigest`: the pod must name the image by digest.
    NamedByDigest,
}

/// One way to satisfy a group.
#[derive(Debug, Clone)]
pub struct Authority {
    pub name: String,
    pub check: Check,
    pub attestations: Vec<AttestationRequirement>,
}

impl Authority {
    /// A signer's authority: its image signature under `policy`, or, when `attestations` are
    /// required, those attestations instead, each signed under `policy` (policy-controller
    /// authorities and Kyverno attestor entries both work this way).
    pub fn for_signer(
        name: String,
        policy: Policy,
        trust: TrustOverride,
        attestations: &[AttestationRequirement],
    ) -> Authority {
        if attestations.is_empty() {
            return Authority {
                name,
                check: Check::Signature {
                    policy: Box::new(policy),
                    trust,
                    signed_identity: None,
                },
                attestations: Vec::new(),
            };
        }
        Authority {
            name,
            check: Check::AttestationsOnly { trust },
            attestations: attestations
                .iter()
                .map(|a| AttestationRequirement {
                    policy: Some(policy.clone()),
                    ..a.clone()
                })
                .collect(),
        }
    }
}

/// Authorities of which `need` must pass (policy-controller: 1 of the authorities; Kyverno:
/// `count` of an attestor set's entries, by default all; containers: each requirement alone;
/// Connaisseur: `threshold` verified signatures, and every `required` trust root).
#[derive(Debug, Clone)]
pub struct Group {
    pub label: String,
    pub need: usize,
    /// `need` counts verified signatures across the authorities, not matching authorities
    /// (Connaisseur's threshold).
    pub counts_signatures: bool,
    /// Authorities (by name) that must match whatever the count (Connaisseur's `required`).
    pub required: Vec<String>,
    pub authorities: Vec<Authority>,
}

impl Group {
    /// `need` of `authorities` must match.
    pub fn new(label: impl Into<String>, need: usize, authorities: Vec<Authority>) -> Group {
        Group {
            label: label.into(),
            need,
            counts_signatures: false,
            required: Vec::new(),
            authorities,
        }
    }
}

/// Whether a rule applies to an image its patterns match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicability {
    Always,
    /// It depends on something sigscope does not see (a resource selector, a precondition, a
    /// namespace): the verdict is the one every possibility agrees on, else "could not check".
    Uncertain(String),
}

/// Where a Kyverno rule sits: `applyRules: One` applies only the first rule of a policy that
/// applies to the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KyvernoPlace {
    /// The policy document (index in the file).
    pub policy: usize,
    /// The rule within it.
    pub rule: usize,
    pub apply_one: bool,
}

/// One admission rule: images it applies to, groups that must all pass.
#[derive(Debug, Clone)]
pub struct Rule {
    pub engine: Engine,
    /// Which document and part of it (`ClusterImagePolicy/ci-only`).
    pub source: String,
    pub images: ImageMatch,
    /// `mode: enforce` / `validationFailureAction: Enforce`; otherwise failures only warn.
    pub enforce: bool,
    /// Kyverno `required: false`: a failure is reported but does not deny.
    pub required: bool,
    pub groups: Vec<Group>,
    /// Policies the cluster would run after the signatures verify; sigscope cannot run them.
    pub unexecuted: Vec<PolicyText>,
    pub applies: Applicability,
    pub kyverno: Option<KyvernoPlace>,
}

impl Rule {
    /// A rule of `engine` that always applies to what `images` match, enforced and required.
    pub fn new(engine: Engine, source: String, images: ImageMatch, groups: Vec<Group>) -> Rule {
        Rule {
            engine,
            source,
            images,
            enforce: true,
            required: true,
            groups,
            unexecuted: Vec::new(),
            applies: Applicability::Always,
            kyverno: None,
        }
    }
}

/// Trust an authority names itself (policy-controller `ca-cert`, Kyverno `roots`, `rekor.pubkey`,
/// containers `fulcio.caPath`, `rekorPublicKeyPath`): each part, when given, replaces that part of
/// the trusted root, as cosign's variables do.
#[derive(Debug, Clone, Default)]
pub struct TrustOverride {
    pub fulcio_chain: Option<Vec<Vec<u8>>>,
    pub rekor_keys: Option<Vec<PublicKey>>,
    pub ctlog_keys: Option<Vec<PublicKey>>,
    /// Where the parts come from, for reports.
    pub origin: String,
}

impl TrustOverride {
    pub fn is_empty(&self) -> bool {
        self.fulcio_chain.is_none() && self.rekor_keys.is_none() && self.ctlog_keys.is_none()
    }

    /// `base` with the parts this override names replaced.
    pub fn apply(&self, base: &TrustedRoot) -> TrustedRoot {
        let mut root = base.clone();
        if let Some(chain) = &self.fulcio_chain {
            root.certificate_authorities = vec![CertificateAuthority::new(
                self.origin.clone(),
                String::new(),
                chain.clone(),
                ValidFor::ALWAYS,
            )];
        }
        if let Some(keys) = &self.rekor_keys {
            root.tlogs = keys
                .iter()
                .map(|k| TrustedRoot::log_for_key(&self.origin, k.clone()))
                .collect();
        }
        if let Some(keys) = &self.ctlog_keys {
            root.ctlogs = keys
                .iter()
                .map(|k| TrustedRoot::log_for_key(&self.origin, k.clone()))
                .collect();
        }
        if !self.is_empty() {
            root.source = format!("{} with trust from {}", base.source, self.origin);
        }
        root
    }
}

/// Every `CERTIFICATE` block of a PEM text (a CA bundle).
pub fn pem_certificates(text: &str, path: &str) -> Result<Vec<Vec<u8>>, PolicyError> {
    let blocks = pem::parse_many(text)
        .map_err(|e| PolicyError::invalid(path, format!("malformed PEM: {e}")))?;
    let certs: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| b.into_contents())
        .collect();
    if certs.is_empty() {
        return Err(PolicyError::invalid(path, "no CERTIFICATE block"));
    }
    Ok(certs)
}

/// Every public key of a PEM text.
pub fn pem_keys(text: &str, path: &str) -> Result<Vec<PublicKey>, PolicyError> {
    let blocks = pem::parse_many(text)
        .map_err(|e| PolicyError::invalid(path, format!("malformed PEM: {e}")))?;
    let keys = blocks
        .iter()
        .filter(|b| b.tag() == "PUBLIC KEY")
        .map(|b| {
            PublicKey::from_spki_der(b.contents())
                .map_err(|e| PolicyError::invalid(path, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(PolicyError::invalid(path, "no PUBLIC KEY block"));
    }
    Ok(keys)
}

/// A verification policy for a signer, with the controllers' defaults (the legacy `.sig`/`.att`
/// tags; a policy that names bundles says so).
pub fn signer_policy(signer: Signer) -> Policy {
    Policy {
        signer,
        annotations: Vec::new(),
        ignore_tlog: false,
        ignore_sct: false,
        storage: crate::verify::storage::Storage::LEGACY_TAGS,
    }
}

/// An identity matcher from an exact value or a regexp (exactly one).
pub fn matcher(
    exact: Option<String>,
    regexp: Option<String>,
    path: &str,
    field: &str,
) -> Result<Matcher, PolicyError> {
    match (exact, regexp) {
        (Some(e), None) => Ok(Matcher::Exact(e)),
        (None, Some(r)) => Matcher::regex(&r).map_err(|e| PolicyError::invalid(path, e)),
        (Some(_), Some(_)) => Err(PolicyError::invalid(
            path,
            format!("give {field} or {field}RegExp, not both"),
        )),
        (None, None) => Err(PolicyError::invalid(
            path,
            format!("a keyless identity needs {field} or {field}RegExp"),
        )),
    }
}

/// An identity from the four fields policy-controller and Kyverno share.
pub fn identity(subject: Matcher, issuer: Matcher) -> Signer {
    Signer::Keyless(IdentityPolicy {
        subject,
        issuer,
        claims: Vec::new(),
    })
}

/// Everything read from a policy file.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub rules: Vec<Rule>,
    /// Engines the file has documents for (even with no rules, e.g. an empty ClusterPolicy).
    pub engines: Vec<Engine>,
    pub notes: Vec<FieldNote>,
}
