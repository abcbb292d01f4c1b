//! The admission decision for one image: the rules that apply to it, each rule's groups of
//! authorities run through the verifier, and each admission controller's way of combining
//! them (see [`decide`]).

use serde::Serialize;

use super::authority::{AuthorityOutcome, AuthorityResult, Environment, NoMatchPolicy, run};
use super::glob::ImageName;
use super::model::{Engine, ImageMatch, PolicySet, PolicyText, Rule};
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
}

/// A group's authorities and how many matched.
#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    pub label: String,
    pub need: usize,
    pub matched: usize,
    pub authorities: Vec<AuthorityResult>,
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

/// The rules of `set` that apply to `image`: every matching rule, except that containers'
/// policy.json applies only its most specific matching scope.
pub fn applicable<'a>(set: &'a PolicySet, image: &ImageName) -> Vec<&'a Rule> {
    let mut rules: Vec<&Rule> = set
        .rules
        .iter()
        .filter(|r| r.engine != Engine::Containers && r.images.matches(image))
        .collect();
    let best = set
        .rules
        .iter()
        .filter_map(|r| match &r.images {
            ImageMatch::Scope(s) => s.specificity(image).map(|n| (n, r)),
            _ => None,
        })
        .max_by_key(|(n, _)| *n);
    rules.extend(best.map(|(_, r)| r));
    rules
}

fn evaluate_rule(
    env: &Environment,
    rule: &Rule,
    name: &ImageName,
    tag: &str,
    image: &ImageReport,
) -> RuleResult {
    let mut groups = Vec::new();
    let mut unexecuted = rule.unexecuted.clone();
    let (mut all_pass, mut maybe) = (true, true);
    for group in &rule.groups {
        let authorities: Vec<AuthorityResult> = group
            .authorities
            .iter()
            .map(|a| run(env, a, name, tag, image))
            .collect();
        let matched = authorities
            .iter()
            .filter(|a| a.outcome == AuthorityOutcome::Matched)
            .count();
        let unknown = authorities
            .iter()
            .filter(|a| a.outcome == AuthorityOutcome::CouldNotCheck)
            .count();
        all_pass &= matched >= group.need;
        maybe &= matched + unknown >= group.need;
        for (a, result) in group.authorities.iter().zip(&authorities) {
            if result.outcome == AuthorityOutcome::Matched {
                unexecuted.extend(a.attestations.iter().filter_map(|t| t.text.clone()));
            }
        }
        groups.push(GroupResult {
            label: group.label.clone(),
            need: group.need,
            matched,
            authorities,
        });
    }
    let outcome = match (all_pass, maybe) {
        (true, _) if !unexecuted.is_empty() => RuleOutcome::Unevaluated,
        (true, _) => RuleOutcome::Passed,
        (false, true) => RuleOutcome::CouldNotCheck,
        (false, false) => RuleOutcome::Failed,
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
    }
}

/// Decides on one image. Each engine the file has policies for must admit it:
/// - policy-controller: every matching ClusterImagePolicy must pass; with none matching, its
///   `no-match-policy` applies (deny by default);
/// - Kyverno: every matching `verifyImages` entry must pass; with none, the image is admitted;
/// - containers: the most specific scope's requirements must all hold.
///
/// A failing rule in `warn`/`Audit` mode, or with `required: false`, only warns.
pub fn decide(
    env: &Environment,
    set: &PolicySet,
    name: &ImageName,
    tag: &str,
    image: &ImageReport,
) -> TagDecision {
    let rules: Vec<RuleResult> = applicable(set, name)
        .into_iter()
        .map(|r| evaluate_rule(env, r, name, tag, image))
        .collect();
    let mut denied = Vec::new();
    let mut unknown = Vec::new();
    let mut admitted = Vec::new();
    let mut warnings = Vec::new();
    let policy_controller = Engine::PolicyController;
    if set.engines.contains(&policy_controller)
        && !rules.iter().any(|r| r.engine == policy_controller)
    {
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
    for r in &rules {
        let binding = r.enforce && r.required;
        match (r.outcome, binding) {
            (RuleOutcome::Passed, _) => admitted.push(format!("{} ({})", r.source, matched_by(r))),
            (RuleOutcome::Failed, true) => denied.push(format!("{}: {}", r.source, why_failed(r))),
            (RuleOutcome::CouldNotCheck, true) => unknown.push(format!("{}: an authority could not be checked", r.source)),
            (RuleOutcome::Unevaluated, true) => unknown.push(format!(
                "{}: signatures verified, but its {} policy text is not executed by sigscope",
                r.source,
                r.unexecuted.iter().map(|t| t.language.as_str()).collect::<Vec<_>>().join(", ")
            )),
            (outcome, false) => warnings.push(format!(
                "{} would not admit ({outcome:?}) but only warns (mode warn, Audit or required: false)",
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
    TagDecision {
        tag: tag.to_owned(),
        image: name.qualified(),
        digest: Some(image.digest.clone()),
        decision,
        reason,
        rules,
        warnings,
    }
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
        .filter(|g| g.matched < g.need)
        .map(|g| {
            format!(
                "{} of {} needed authorities matched in {}",
                g.matched, g.need, g.label
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
