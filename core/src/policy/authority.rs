//! Running one authority (or attestor) against an image with the existing verifier: its
//! signature policy through [`verify_image`], its attestations through
//! [`verify_attestations`], and containers' `signedIdentity` as one more check on each
//! signature. The result keeps every failing check with its expected and actual values.

use serde::Serialize;

use super::containers::SignedIdentity;
use super::glob::ImageName;
use super::model::{Authority, Check, Group};
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
    /// How many counted image signatures verified (Connaisseur's threshold counts them).
    #[serde(skip_serializing_if = "is_zero")]
    pub verified_signatures: usize,
    /// A nested attestor set's own result (Kyverno `attestor`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nested: Option<Box<GroupResult>>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A group's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupOutcome {
    Passed,
    Failed,
    CouldNotCheck,
}

/// A group's authorities and how many matched.
#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    pub label: String,
    pub need: usize,
    /// Matched authorities, or verified signatures when the group counts those.
    pub matched: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub counts_signatures: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    pub outcome: GroupOutcome,
    pub authorities: Vec<AuthorityResult>,
}

/// Runs every authority of `group` and concludes: `need` of them matched (or `need` verified
/// signatures among them), and every required one; "could not check" when the authorities that
/// could not be checked might make up the difference.
pub fn run_group(
    env: &Environment,
    group: &Group,
    name: &ImageName,
    reference: &str,
    image: &ImageReport,
) -> GroupResult {
    let authorities: Vec<AuthorityResult> = group
        .authorities
        .iter()
        .map(|a| run(env, a, name, reference, image))
        .collect();
    let count = |o: AuthorityOutcome| authorities.iter().filter(|a| a.outcome == o).count();
    let (matched, unknown) = (
        count(AuthorityOutcome::Matched),
        count(AuthorityOutcome::CouldNotCheck),
    );
    let (tally, enough, maybe_enough) = if group.counts_signatures {
        let verified: usize = authorities.iter().map(|a| a.verified_signatures).sum();
        (
            verified,
            verified >= group.need,
            verified >= group.need || unknown > 0,
        )
    } else {
        (
            matched,
            matched >= group.need,
            matched + unknown >= group.need,
        )
    };
    let outcome_of = |name: &String| {
        authorities
            .iter()
            .find(|a| &a.name == name)
            .map(|a| a.outcome)
    };
    let required_ok = group
        .required
        .iter()
        .all(|r| outcome_of(r) == Some(AuthorityOutcome::Matched));
    let required_maybe = group.required.iter().all(|r| {
        matches!(
            outcome_of(r),
            Some(AuthorityOutcome::Matched | AuthorityOutcome::CouldNotCheck)
        )
    });
    let outcome = if enough && required_ok {
        GroupOutcome::Passed
    } else if maybe_enough && required_maybe {
        GroupOutcome::CouldNotCheck
    } else {
        GroupOutcome::Failed
    };
    GroupResult {
        label: group.label.clone(),
        need: group.need,
        matched: tally,
        counts_signatures: group.counts_signatures,
        required: group.required.clone(),
        outcome,
        authorities,
    }
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
        verified_signatures: 0,
        nested: None,
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
        Check::NamedByDigest => {
            return match &name.tag {
                None => result(
                    AuthorityOutcome::Matched,
                    "an image named by digest".into(),
                    "the image is named by digest".into(),
                    Vec::new(),
                ),
                Some(tag) => {
                    let why = format!(
                        "missing digest for {}: verifyDigest requires the pod to name the image by digest, and mutateDigest is off",
                        name.qualified()
                    );
                    result(
                        AuthorityOutcome::Failed,
                        "an image named by digest".into(),
                        why.clone(),
                        vec![Failure {
                            on: "image".into(),
                            check: "verifyDigest".into(),
                            reason: why,
                            expected: Some("a digest".into()),
                            actual: Some(format!("tag {tag}")),
                        }],
                    )
                }
            };
        }
        Check::Nested(group) => {
            let nested = run_group(env, group, name, reference, image);
            let outcome = match nested.outcome {
                GroupOutcome::Passed => AuthorityOutcome::Matched,
                GroupOutcome::Failed => AuthorityOutcome::Failed,
                GroupOutcome::CouldNotCheck => AuthorityOutcome::CouldNotCheck,
            };
            let reason = format!(
                "{} of {} nested entries matched",
                nested.matched, nested.need
            );
            return AuthorityResult {
                nested: Some(Box::new(nested)),
                ..result(outcome, "a nested attestor set".into(), reason, Vec::new())
            };
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
    let verified_signatures = verdicts
        .iter()
        .filter(|(what, _)| what == "signature")
        .flat_map(|(_, v)| v.signatures.iter())
        .filter(|s| s.verified && s.not_counted.is_none())
        .count();
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
        verified_signatures,
        nested: None,
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
