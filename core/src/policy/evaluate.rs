//! The admission decision for one image: the rules that apply to it, each rule's groups of
//! authorities run through the verifier, and each admission controller's way of combining
//! them (see [`decide`]). A rule whose applicability sigscope cannot know (a resource selector,
//! a precondition) is decided both ways: the verdict is the one every possibility agrees on.

use serde::Serialize;

use super::authority::{
    AuthorityOutcome, Environment, GroupOutcome, GroupResult, NoMatchPolicy, run_group,
};
use super::glob::ImageName;
use super::model::{Applicability, Engine, ImageMatch, PolicySet, PolicyText, Rule};
use crate::inventory::model::ImageReport;
use crate::reference::Digest;

/// Admitted, denied, or not knowable offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Admitted,
    Denied,
    CouldNotCheck,
}

/// One rule's outcome on one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    Passed,
    Failed,
    CouldNotCheck,
    /// The signatures passed, but the cluster would then run policy text sigscope cannot.
    Unevaluated,
    /// Nothing to verify: the controller gives no verdict for this rule (a Kyverno
    /// `verifyImages` entry with neither attestors nor attestations).
    NotApplied,
}

/// One applicable rule on one image.
#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    pub engine: Engine,
    pub source: String,
    pub images: String,
    pub enforce: bool,
    pub required: bool,
    pub outcome: RuleOutcome,
    pub groups: Vec<GroupResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unexecuted: Vec<PolicyText>,
    /// Why it may not apply, when sigscope cannot tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertain: Option<String>,
}

/// The decision on one tag.
#[derive(Debug, Clone, Serialize)]
pub struct TagDecision {
    pub tag: String,
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    pub decision: Decision,
    pub reason: String,
    pub rules: Vec<RuleResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl TagDecision {
    /// A tag that could not be read.
    pub fn unreadable(tag: String, image: &ImageName, reason: String) -> TagDecision {
        TagDecision {
            tag,
            image: image.qualified(),
            digest: None,
            decision: Decision::CouldNotCheck,
            reason,
            rules: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// The rules of `set` whose image patterns match `image`: every matching rule, except that
/// containers' policy.json applies only its most specific matching scope and Connaisseur only
/// its most specific matching pattern.
pub fn applicable<'a>(set: &'a PolicySet, image: &ImageName) -> Vec<&'a Rule> {
    let mut rules: Vec<&Rule> = set
        .rules
        .iter()
        .filter(|r| {
            !matches!(r.engine, Engine::Containers | Engine::Connaisseur) && r.images.matches(image)
        })
        .collect();
    let best_scope = set
        .rules
        .iter()
        .filter_map(|r| match &r.images {
            ImageMatch::Scope(s) => s.specificity(image).map(|n| (n, r)),
            _ => None,
        })
        .max_by_key(|(n, _)| *n);
    rules.extend(best_scope.map(|(_, r)| r));
    let name = image.connaisseur_name();
    let patterns: Vec<(&super::connaisseur::Pattern, &Rule)> = set
        .rules
        .iter()
        .filter_map(|r| match &r.images {
            ImageMatch::Pattern(p) if p.matches(&name) => Some((p, r)),
            _ => None,
        })
        .collect();
    let best = super::connaisseur::most_specific(
        &patterns.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        &name,
    );
    rules.extend(best.and_then(|i| patterns.get(i)).map(|(_, r)| *r));
    rules
}

fn evaluate_rule(
    env: &Environment,
    rule: &Rule,
    name: &ImageName,
    tag: &str,
    image: &ImageReport,
) -> RuleResult {
    let groups: Vec<GroupResult> = rule
        .groups
        .iter()
        .map(|g| run_group(env, g, name, tag, image))
        .collect();
    let mut unexecuted = rule.unexecuted.clone();
    for (group, result) in rule.groups.iter().zip(&groups) {
        for (a, r) in group.authorities.iter().zip(&result.authorities) {
            if r.outcome == AuthorityOutcome::Matched {
                unexecuted.extend(a.attestations.iter().filter_map(|t| t.text.clone()));
            }
        }
    }
    let all = |o: GroupOutcome| groups.iter().all(|g| g.outcome == o);
    let any = |o: GroupOutcome| groups.iter().any(|g| g.outcome == o);
    let outcome = if groups.is_empty() && unexecuted.is_empty() && rule.engine == Engine::Kyverno {
        RuleOutcome::NotApplied
    } else if any(GroupOutcome::Failed) {
        RuleOutcome::Failed
    } else if !all(GroupOutcome::Passed) {
        RuleOutcome::CouldNotCheck
    } else if !unexecuted.is_empty() {
        RuleOutcome::Unevaluated
    } else {
        RuleOutcome::Passed
    };
    RuleResult {
        engine: rule.engine,
        source: rule.source.clone(),
        images: rule.images.describe(),
        enforce: rule.enforce,
        required: rule.required,
        outcome,
        groups,
        unexecuted,
        uncertain: match &rule.applies {
            Applicability::Always => None,
            Applicability::Uncertain(why) => Some(why.clone()),
        },
    }
}

/// At most this many rules of uncertain applicability are decided every way (2^n combinations);
/// beyond, the verdict is "could not check".
const MAX_UNCERTAIN: usize = 8;

/// Decides on one image. Each engine the file has policies for must admit it:
/// - policy-controller: every matching ClusterImagePolicy must pass; with none matching, its
///   `no-match-policy` applies (deny by default);
/// - Kyverno: every matching `verifyImages` entry must pass (with `applyRules: One`, only the
///   first rule of a policy that applies); with none, the image is admitted;
/// - containers: the most specific scope's requirements must all hold;
/// - Connaisseur: the most specific matching rule must pass; with none, the image is denied.
///
/// A failing rule in `warn`/`Audit`/detection mode, or with `required: false`, only warns.
pub fn decide(
    env: &Environment,
    set: &PolicySet,
    name: &ImageName,
    tag: &str,
    image: &ImageReport,
) -> TagDecision {
    let name = name.resolved(&image.digest);
    let rules = applicable(set, &name);
    let results: Vec<RuleResult> = rules
        .iter()
        .map(|r| evaluate_rule(env, r, &name, tag, image))
        .collect();
    let uncertain: Vec<usize> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.applies != Applicability::Always)
        .map(|(i, _)| i)
        .collect();
    let verdict = if uncertain.len() > MAX_UNCERTAIN {
        Verdict::could_not_check(format!(
            "could not check: {} rules may or may not apply (resource selectors, preconditions), \
             too many to decide every way",
            uncertain.len()
        ))
    } else {
        let mut verdicts = (0..1usize << uncertain.len()).map(|mask| {
            let included: Vec<usize> = (0..rules.len())
                .filter(|i| match uncertain.iter().position(|u| u == i) {
                    Some(bit) => mask & (1 << bit) != 0,
                    None => true,
                })
                .collect();
            combine(env, set, &name, &rules, &results, &included)
        });
        // The last combination includes every rule: the most informative reason.
        let all: Vec<Verdict> = verdicts.by_ref().collect();
        let decisions: Vec<Decision> = all.iter().map(|v| v.decision).collect();
        match all.into_iter().last() {
            Some(v) if decisions.iter().all(|d| *d == v.decision) => v,
            _ => Verdict::could_not_check(format!(
                "could not check: the verdict depends on whether {} apply, which sigscope \
                 cannot see ({})",
                uncertain
                    .iter()
                    .map(|i| results[*i].source.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                uncertain
                    .iter()
                    .filter_map(|i| results[*i].uncertain.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    };
    TagDecision {
        tag: tag.to_owned(),
        image: name.qualified(),
        digest: Some(image.digest.clone()),
        decision: verdict.decision,
        reason: verdict.reason,
        rules: results,
        warnings: verdict.warnings,
    }
}

struct Verdict {
    decision: Decision,
    reason: String,
    warnings: Vec<String>,
}

impl Verdict {
    fn could_not_check(reason: String) -> Verdict {
        Verdict {
            decision: Decision::CouldNotCheck,
            reason,
            warnings: Vec::new(),
        }
    }
}

/// The verdict when exactly the rules `included` (indices into `rules`) apply.
fn combine(
    env: &Environment,
    set: &PolicySet,
    name: &ImageName,
    rules: &[&Rule],
    results: &[RuleResult],
    included: &[usize],
) -> Verdict {
    let included = apply_one(rules, results, included);
    let mut denied = Vec::new();
    let mut unknown = Vec::new();
    let mut admitted = Vec::new();
    let mut warnings = Vec::new();
    let applied = |engine: Engine| included.iter().any(|i| rules[*i].engine == engine);
    if set.engines.contains(&Engine::PolicyController) && !applied(Engine::PolicyController) {
        let unmatched = format!(
            "no ClusterImagePolicy matches {}",
            name.policy_controller_name()
        );
        match env.no_match {
            NoMatchPolicy::Deny => {
                denied.push(format!("{unmatched} (no-match-policy deny, the default)"))
            }
            NoMatchPolicy::Warn => warnings.push(format!("{unmatched} (no-match-policy warn)")),
            NoMatchPolicy::Allow => admitted.push(format!("{unmatched} (no-match-policy allow)")),
        }
    }
    if set.engines.contains(&Engine::Connaisseur) && !applied(Engine::Connaisseur) {
        denied.push(format!(
            "no Connaisseur rule matches {} (Connaisseur denies: \"no matching rule\")",
            name.connaisseur_name()
        ));
    }
    for r in included.iter().map(|i| &results[*i]) {
        let binding = r.enforce && r.required;
        match (r.outcome, binding) {
            (RuleOutcome::NotApplied, _) => {}
            (RuleOutcome::Passed, _) => admitted.push(format!("{} ({})", r.source, matched_by(r))),
            (RuleOutcome::Failed, true) => denied.push(format!("{}: {}", r.source, why_failed(r))),
            (RuleOutcome::CouldNotCheck, true) => {
                unknown.push(format!("{}: an authority could not be checked", r.source))
            }
            (RuleOutcome::Unevaluated, true) => unknown.push(format!(
                "{}: signatures verified, but its {} policy text is not executed by sigscope",
                r.source,
                r.unexecuted
                    .iter()
                    .map(|t| t.language.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            (outcome, false) => warnings.push(format!(
                "{} would not admit ({outcome:?}) but only warns (mode warn, Audit, detection \
                 mode or required: false)",
                r.source
            )),
        }
    }
    let (decision, reason) = if !denied.is_empty() {
        (Decision::Denied, format!("denied: {}", denied.join("; ")))
    } else if !unknown.is_empty() {
        (
            Decision::CouldNotCheck,
            format!("could not check: {}", unknown.join("; ")),
        )
    } else if admitted.is_empty() {
        (Decision::Admitted, "admitted: no rule applies".into())
    } else {
        (
            Decision::Admitted,
            format!("admitted by {}", admitted.join("; ")),
        )
    };
    Verdict {
        decision,
        reason,
        warnings,
    }
}

/// Kyverno's `applyRules: One`: within a policy, only the first rule that applies (gives a pass
/// or a fail) is applied (`pkg/engine/image_verify.go`). A rule sigscope could not check stops
/// the search too: it may have applied.
fn apply_one(rules: &[&Rule], results: &[RuleResult], included: &[usize]) -> Vec<usize> {
    let first_applied = |policy: usize| {
        included
            .iter()
            .filter_map(|i| {
                let place = rules[*i].kyverno?;
                (place.policy == policy
                    && place.apply_one
                    && results[*i].outcome != RuleOutcome::NotApplied)
                    .then_some(place.rule)
            })
            .min()
    };
    included
        .iter()
        .copied()
        .filter(|i| match rules[*i].kyverno {
            Some(place) if place.apply_one => {
                first_applied(place.policy).is_none_or(|first| first == place.rule)
            }
            _ => true,
        })
        .collect()
}

fn matched_by(r: &RuleResult) -> String {
    let names: Vec<&str> = r
        .groups
        .iter()
        .flat_map(|g| g.authorities.iter())
        .filter(|a| a.outcome == AuthorityOutcome::Matched)
        .map(|a| a.name.as_str())
        .collect();
    if names.is_empty() {
        "nothing to verify".into()
    } else {
        names.join(", ")
    }
}

fn why_failed(r: &RuleResult) -> String {
    r.groups
        .iter()
        .filter(|g| g.outcome == GroupOutcome::Failed)
        .map(|g| {
            let what = if g.counts_signatures {
                "verified signatures"
            } else {
                "needed authorities matched"
            };
            let required = if g.required.is_empty() {
                String::new()
            } else {
                format!(" (required: {})", g.required.join(", "))
            };
            format!(
                "{} of {} {what} in {}{required}",
                g.matched, g.need, g.label
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
