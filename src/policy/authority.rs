//! Running one authority (or attestor) against an image with the existing verifier: its
//! signature policy through [`verify_image`], its attestations through
//! [`verify_attestations`], and containers' `signedIdentity` as one more check on each
//! signature. The result keeps every failing check with its expected and actual values.

use serde::Serialize;

use super::containers::SignedIdentity;
use super::glob::ImageName;
use super::model::{Authority, Check};
use crate::inventory::layer::Decoded;
use crate::inventory::model::ImageReport;
use crate::trust::TrustedRoot;
use crate::verify::attestation::verify_attestations;
use crate::verify::check::Outcome;
use crate::verify::cosign::{legacy_signature_verdicts, verify_image};
use crate::verify::policy::{Clock, Context, Policy};
use crate::verify::report::{ImageOutcome, ImageVerdict, SignatureVerdict};

/// What an authority concluded about one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityOutcome {
    Matched,
    Failed,
    CouldNotCheck,
}

/// One failed check, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The signature or attestation (`tag sha256-….sig`), or `image` when none was found.
    pub on: String,
    pub check: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

/// One authority's result.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorityResult {
    pub name: String,
    pub outcome: AuthorityOutcome,
    /// What it requires (identity and issuer, or key), as the verifier summarises it.
    pub requires: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
    /// The verifier's warnings (an unanchored identity regexp matches more than meant).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// policy-controller's `no-match-policy` (ConfigMap `config-policy-controller`): what happens
/// to an image no ClusterImagePolicy matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoMatchPolicy {
    #[default]
    Deny,
    Warn,
    Allow,
}

/// The trust, clock and cluster settings every authority shares.
pub struct Environment<'a> {
    pub trust: &'a TrustedRoot,
    pub clock: &'a dyn Clock,
    pub no_match: NoMatchPolicy,
}

/// Runs `authority` on `image` (tag `reference`, named `name`).
pub fn run(
    env: &Environment,
    authority: &Authority,
    name: &ImageName,
    reference: &str,
    image: &ImageReport,
) -> AuthorityResult {
    let result = |outcome, requires: String, reason: String, failures| AuthorityResult {
        name: authority.name.clone(),
        outcome,
        requires,
        reason,
        failures,
        warnings: Vec::new(),
    };
    let (mut verdicts, requires) = match &authority.check {
        Check::Accept => {
            return result(
                AuthorityOutcome::Matched,
                "nothing".into(),
                "accepted without verification".into(),
                Vec::new(),
            );
        }
        Check::Reject(why) => {
            return result(
                AuthorityOutcome::Failed,
                "nothing (rejects)".into(),
                why.clone(),
                vec![Failure {
                    on: "image".into(),
                    check: "reject".into(),
                    reason: why.clone(),
                    expected: None,
                    actual: None,
                }],
            );
        }
        Check::Unusable(why) => {
            return result(
                AuthorityOutcome::CouldNotCheck,
                "unreadable material".into(),
                why.clone(),
                Vec::new(),
            );
        }
        Check::AttestationsOnly { .. } => (Vec::new(), String::new()),
        Check::Signature {
            policy,
            trust,
            signed_identity,
        } => {
            let root = trust.apply(env.trust);
            let ctx = Context {
                policy,
                trust: &root,
                clock: env.clock,
            };
            let verdict = match signed_identity {
                Some(si) => verify_signed_identity(&ctx, si, name, reference, image),
                None => verify_image(&ctx, reference, image),
            };
            let requires = ctx.summary().signer;
            (vec![("signature".to_owned(), verdict)], requires)
        }
    };
    let mut requires = requires;
    for att in &authority.attestations {
        let policy: &Policy = match (&att.policy, &authority.check) {
            (Some(p), _) => p,
            (None, Check::Signature { policy, .. }) => policy,
            (None, _) => continue,
        };
        let root = match &authority.check {
            Check::Signature { trust, .. } | Check::AttestationsOnly { trust } => {
                trust.apply(env.trust)
            }
            _ => env.trust.clone(),
        };
        let ctx = Context {
            policy,
            trust: &root,
            clock: env.clock,
        };
        if requires.is_empty() {
            requires = ctx.summary().signer;
        }
        let verdict = verify_attestations(&ctx, reference, image, &att.predicate_type);
        verdicts.push((format!("attestation {}", att.predicate_type), verdict));
    }
    conclude(authority, requires, verdicts)
}

fn conclude(
    authority: &Authority,
    requires: String,
    verdicts: Vec<(String, ImageVerdict)>,
) -> AuthorityResult {
    let mut failures = Vec::new();
    let mut outcome = AuthorityOutcome::Matched;
    let mut reasons = Vec::new();
    for (what, verdict) in &verdicts {
        match &verdict.outcome {
            ImageOutcome::Verified(v) => {
                let by = verdict
                    .signatures
                    .get(v.by_signature)
                    .and_then(|s| s.signer.clone())
                    .unwrap_or_default();
                reasons.push(format!("{what} verified ({by})"));
            }
            ImageOutcome::NotVerified { reason }
            | ImageOutcome::CouldNotCheck { reason }
            | ImageOutcome::Skipped { reason } => {
                if matches!(verdict.outcome, ImageOutcome::CouldNotCheck { .. }) {
                    if outcome == AuthorityOutcome::Matched {
                        outcome = AuthorityOutcome::CouldNotCheck;
                    }
                } else {
                    outcome = AuthorityOutcome::Failed;
                }
                reasons.push(format!("{what}: {reason}"));
                // Signatures this controller does not read are no evidence either way; with
                // none that it reads, the image-level reason (which names them) is the failure.
                let counted = || {
                    verdict
                        .signatures
                        .iter()
                        .filter(|s| s.not_counted.is_none())
                };
                if counted().next().is_none() {
                    failures.push(Failure {
                        on: "image".into(),
                        check: what.clone(),
                        reason: reason.clone(),
                        expected: None,
                        actual: None,
                    });
                }
                for sig in counted() {
                    failures.extend(sig.checks.failures().map(|c| {
                        let (reason, expected, actual) = match &c.outcome {
                            Outcome::Failed {
                                reason,
                                expected,
                                actual,
                            } => (reason.clone(), expected.clone(), actual.clone()),
                            Outcome::NotUnderstood { reason } => {
                                (format!("not understood: {reason}"), None, None)
                            }
                            _ => (String::new(), None, None),
                        };
                        Failure {
                            on: sig.found_via.clone(),
                            check: c.name.to_owned(),
                            reason,
                            expected,
                            actual,
                        }
                    }));
                }
            }
        }
    }
    if verdicts.is_empty() {
        outcome = AuthorityOutcome::Failed;
        reasons.push("nothing to verify".into());
    }
    let mut warnings: Vec<String> = Vec::new();
    for w in verdicts.iter().flat_map(|(_, v)| v.warnings.iter()) {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    AuthorityResult {
        name: authority.name.clone(),
        outcome,
        requires,
        reason: reasons.join("; "),
        failures,
        warnings,
    }
}

/// cosign signatures checked as `verify_image` checks them, plus containers' `signedIdentity`
/// on each signature's payload.
fn verify_signed_identity(
    ctx: &Context,
    identity: &SignedIdentity,
    name: &ImageName,
    reference: &str,
    image: &ImageReport,
) -> ImageVerdict {
    let signatures = legacy_signature_verdicts(ctx, image, |sig, verdict| {
        let mut checks = verdict.checks;
        if let Decoded::Ok(payload) = &sig.payload {
            let signed = &payload.critical.identity.docker_reference;
            match identity.check(name, signed) {
                Ok(detail) => checks.pass("signed identity", detail),
                Err((expected, actual)) => checks.mismatch(
                    "signed identity",
                    format!(
                        "the payload's docker-reference {actual} does not satisfy signedIdentity"
                    ),
                    expected,
                    actual,
                ),
            }
        }
        SignatureVerdict::new(verdict.found_via, verdict.signer, checks)
    });
    ImageVerdict::conclude(
        reference.to_owned(),
        image.digest.clone(),
        signatures,
        "no signatures found",
        ctx.policy.warnings(),
        ctx.summary(),
    )
}
