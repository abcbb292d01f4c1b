//! Kyverno `ClusterPolicy` / `Policy` rules with `verifyImages` (`kyverno.io/v1`). Semantics,
//! from Kyverno's API validation (`api/kyverno/v1/image_verification_types.go`) and engine
//! (`pkg/engine/internal/imageverifier.go`): each `verifyImages` entry applies to the images its
//! `imageReferences` match (`*` and `?` wildcards, on the image as Kyverno spells it) and its
//! `skipImageReferences` do not; every attestor set must pass, a set passing when `count` of
//! its entries verify (all of them when `count` is absent); each `attestations` entry must verify
//! with its own attestors; a rule fails when any entry fails, and a failure denies when the
//! rule's failure action is `Enforce` (an entry's `failureAction`, else the policy's
//! `validationFailureAction`, `Audit` by default). `applyRules: One` applies only the first
//! rule that gives a verdict.

mod attestor;
mod signer;
mod verify_images;

use serde_json::{Map, Value};

use super::document::{
    NoteKind, Notes, PolicyError, Strictness, boolean, child, list, object, resource_spec, string,
};
use super::model::{Applicability, Engine, ImageMatch, KyvernoPlace, PolicyText, Rule};

pub const API_GROUP: &str = "kyverno.io/";
pub const KINDS: &[&str] = &["ClusterPolicy", "Policy"];
const CONTROLLER: &str = "Kyverno";
const STRICT: Strictness = Strictness::Kubernetes(CONTROLLER);

fn refused(path: &str, rule: impl Into<String>) -> PolicyError {
    PolicyError::refused(path, CONTROLLER, rule)
}

/// Policy-level settings that shape every rule.
struct PolicySettings {
    /// `validationFailureAction` (Audit unless Enforce).
    enforce: bool,
    /// Why the failure action depends on the namespace, when overrides exist.
    overrides: Option<String>,
    /// `webhookConfiguration.matchConditions`: CEL conditions sigscope does not run.
    match_conditions: Option<String>,
    apply_one: bool,
}

/// Reads one Kyverno policy document (the `index`th of the file): one rule per `verifyImages`
/// entry, and one per `validate` rule (which sigscope cannot run).
pub fn read(
    doc: &Map<String, Value>,
    kind: &str,
    index: usize,
    notes: &mut Notes,
) -> Result<Vec<Rule>, PolicyError> {
    let (at, spec) = resource_spec(doc, kind, STRICT)?;
    let sp = format!("{at}.spec");
    // Settings of the admission webhook itself: no effect on an image's verdict.
    const WEBHOOK: &[&str] = &[
        "background",
        "failurePolicy",
        "emitWarning",
        "schemaValidation",
        "useServerSideApply",
        "mutateExistingOnPolicyUpdate",
        "generateExisting",
        "generateExistingOnPolicyUpdate",
        "webhookTimeoutSeconds",
    ];
    let known: Vec<&str> = [
        "rules",
        "applyRules",
        "validationFailureAction",
        "validationFailureActionOverrides",
        "admission",
        "webhookConfiguration",
    ]
    .into_iter()
    .chain(WEBHOOK.iter().copied())
    .collect();
    STRICT.known_fields(spec, &sp, &known)?;
    for field in WEBHOOK.iter().filter(|f| spec.contains_key(**f)) {
        notes.add(
            &format!("{sp}.{field}"),
            NoteKind::Noted,
            "admission-webhook setting: no effect on the verdict",
        );
    }
    if boolean(spec, "admission", &sp)? == Some(false) {
        notes.add(
            &format!("{sp}.admission"),
            NoteKind::Noted,
            "admission: false: Kyverno does not apply this policy to admission requests",
        );
        return Ok(Vec::new());
    }
    let settings = PolicySettings {
        enforce: action(string(spec, "validationFailureAction", &sp)?, &sp)?.unwrap_or(false),
        overrides: (!list(spec, "validationFailureActionOverrides", &sp)?.is_empty()).then(|| {
            format!("{sp}.validationFailureActionOverrides choose the failure action by namespace")
        }),
        match_conditions: match child(spec, "webhookConfiguration", &sp)? {
            Some(w) => {
                let wp = format!("{sp}.webhookConfiguration");
                STRICT.known_fields(
                    w,
                    &wp,
                    &["failurePolicy", "timeoutSeconds", "matchConditions"],
                )?;
                (!list(w, "matchConditions", &wp)?.is_empty()).then(|| {
                    format!("{wp}.matchConditions are CEL conditions sigscope does not run")
                })
            }
            None => None,
        },
        apply_one: match string(spec, "applyRules", &sp)?.as_deref() {
            None | Some("All") => false,
            Some("One") => true,
            Some(other) => {
                return Err(refused(
                    &format!("{sp}.applyRules"),
                    format!("{other:?}: supported values: \"All\", \"One\""),
                ));
            }
        },
    };
    let mut rules = Vec::new();
    for (r, rule) in list(spec, "rules", &sp)?.iter().enumerate() {
        let rp = format!("{sp}.rules[{r}]");
        let rule = object(rule, &rp)?;
        let place = KyvernoPlace {
            policy: index,
            rule: r,
            apply_one: settings.apply_one,
        };
        rules.extend(read_rule(rule, &rp, &at, place, &settings, notes)?);
    }
    Ok(rules)
}

fn action(value: Option<String>, at: &str) -> Result<Option<bool>, PolicyError> {
    match value.as_deref() {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("enforce") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("audit") => Ok(Some(false)),
        Some(other) => Err(refused(
            at,
            format!("failure action {other:?}: supported values: \"Audit\", \"Enforce\""),
        )),
    }
}

fn read_rule(
    rule: &Map<String, Value>,
    rp: &str,
    at: &str,
    place: KyvernoPlace,
    settings: &PolicySettings,
    notes: &mut Notes,
) -> Result<Vec<Rule>, PolicyError> {
    STRICT.known_fields(
        rule,
        rp,
        &[
            "name",
            "match",
            "exclude",
            "verifyImages",
            "context",
            "preconditions",
            "celPreconditions",
            "validate",
            "mutate",
            "generate",
            "imageExtractors",
            "skipBackgroundRequests",
            "reportProperties",
        ],
    )?;
    let name = string(rule, "name", rp)?.unwrap_or_else(|| format!("rule-{}", place.rule));
    let source = format!("{at} rule {name}");
    let mut uncertain: Vec<String> = Vec::new();
    uncertain.extend(resource_filter(rule, rp)?);
    for field in ["preconditions", "celPreconditions"] {
        if rule.get(field).is_some_and(|v| !v.is_null()) {
            uncertain.push(format!(
                "{rp}.{field} are conditions sigscope does not evaluate"
            ));
        }
    }
    uncertain.extend(settings.match_conditions.clone());
    for field in [
        "context",
        "imageExtractors",
        "skipBackgroundRequests",
        "reportProperties",
    ] {
        if rule.contains_key(field) {
            notes.add(
                &format!("{rp}.{field}"),
                NoteKind::Noted,
                "read only where verifyImages uses it: no effect of its own on the verdict",
            );
        }
    }
    for field in ["mutate", "generate"] {
        if rule.contains_key(field) {
            notes.add(
                &format!("{rp}.{field}"),
                NoteKind::Noted,
                "mutate and generate rules do not admit or deny",
            );
        }
    }
    let applies = |extra: Option<String>| {
        let all: Vec<String> = uncertain.iter().cloned().chain(extra).collect();
        if all.is_empty() {
            Applicability::Always
        } else {
            Applicability::Uncertain(all.join("; "))
        }
    };
    let entries = list(rule, "verifyImages", rp)?;
    // The rule's failure action (`failureActionForRule`): an entry's Enforce wins, then an
    // entry's Audit, then the policy's (by namespace when overridden).
    let mut entry_actions = Vec::new();
    for (v, entry) in entries.iter().enumerate() {
        let vp = format!("{rp}.verifyImages[{v}]");
        entry_actions.push(action(
            string(object(entry, &vp)?, "failureAction", &vp)?,
            &format!("{vp}.failureAction"),
        )?);
    }
    let (enforce, by_namespace) = if entry_actions.contains(&Some(true)) {
        (true, None)
    } else if entry_actions.contains(&Some(false)) {
        (false, None)
    } else {
        (settings.enforce, settings.overrides.clone())
    };
    let mut rules = Vec::new();
    if let Some(validate) = rule.get("validate").filter(|v| !v.is_null()) {
        let why = format!("{rp}.validate is a validation rule sigscope does not run");
        notes.add(
            &format!("{rp}.validate"),
            NoteKind::Unsupported,
            why.clone(),
        );
        rules.push(Rule {
            enforce,
            unexecuted: vec![PolicyText {
                path: format!("{rp}.validate"),
                language: "kyverno-validate".into(),
                text: serde_json::to_string_pretty(validate).unwrap_or_default(),
            }],
            applies: applies(by_namespace.clone()),
            kyverno: Some(place),
            ..Rule::new(
                Engine::Kyverno,
                source.clone(),
                ImageMatch::Wildcards {
                    include: vec![super::glob::Wildcard::compile("*")?],
                    exclude: Vec::new(),
                },
                Vec::new(),
            )
        });
    }
    for (v, entry) in entries.iter().enumerate() {
        let vp = format!("{rp}.verifyImages[{v}]");
        // Validation (`ImageVerification.Validate`) judges each entry by its own action.
        let audit = !entry_actions[v].unwrap_or(settings.enforce);
        let mut r = verify_images::read(object(entry, &vp)?, &vp, audit, notes)?;
        r.source = source.clone();
        r.enforce = enforce;
        r.applies = applies(by_namespace.clone());
        r.kyverno = Some(place);
        rules.push(r);
    }
    Ok(rules)
}

/// Whether `match`/`exclude` make the rule's applicability to a pod uncertain: a `match` that
/// selects Pods by kind alone (`resources.kinds` with `Pod` or `*`) applies to every pod;
/// anything narrower (names, namespaces, selectors, users, operations) or an `exclude` depends
/// on the resource.
fn resource_filter(rule: &Map<String, Value>, rp: &str) -> Result<Option<String>, PolicyError> {
    let kinds_only = |filter: &Value| -> bool {
        let Some(f) = filter.as_object() else {
            return false;
        };
        let resources = f.get("resources").and_then(Value::as_object);
        let only_resources = f.keys().all(|k| k == "resources");
        only_resources
            && resources.is_some_and(|r| {
                r.keys().all(|k| k == "kinds")
                    && r.get("kinds")
                        .and_then(Value::as_array)
                        .is_some_and(|kinds| {
                            kinds.iter().filter_map(Value::as_str).any(|k| {
                                k == "*"
                                    || k == "Pod"
                                    || k.ends_with("/Pod")
                                    || k.starts_with("Pod/")
                            })
                        })
            })
    };
    let mp = format!("{rp}.match");
    let unspecified = || refused(&mp, "match resources not specified");
    let m = child(rule, "match", rp)?.ok_or_else(unspecified)?;
    STRICT.known_fields(
        m,
        &mp,
        &[
            "any",
            "all",
            "resources",
            "subjects",
            "roles",
            "clusterRoles",
        ],
    )?;
    let any = list(m, "any", &mp)?;
    let all = list(m, "all", &mp)?;
    let legacy = m
        .get("resources")
        .filter(|r| r.as_object().is_some_and(|o| !o.is_empty()));
    // validateResources: any and all exclude each other and the legacy resources; every
    // filter must name resources.
    if !any.is_empty() && !all.is_empty() {
        return Err(refused(&mp, "can't specify any and all together"));
    }
    if (!any.is_empty() || !all.is_empty()) && legacy.is_some() {
        return Err(refused(
            &mp,
            "can't specify any/all together with match resources",
        ));
    }
    let named = |f: &Value| {
        f.get("resources")
            .and_then(Value::as_object)
            .is_some_and(|r| !r.is_empty())
    };
    if any.iter().chain(all).any(|f| !named(f))
        || (any.is_empty() && all.is_empty() && legacy.is_none())
    {
        return Err(unspecified());
    }
    let extra = m
        .keys()
        .any(|k| !["any", "all", "resources"].contains(&k.as_str()));
    let total = !extra
        && (any.iter().any(kinds_only)
            || (!all.is_empty() && all.iter().all(kinds_only))
            || legacy.is_some_and(|r| kinds_only(&serde_json::json!({ "resources": r }))));
    let excluded = rule
        .get("exclude")
        .is_some_and(|e| e.as_object().is_none_or(|o| !o.is_empty()));
    Ok(match (total, excluded) {
        (true, false) => None,
        (_, true) => Some(format!("{rp}.exclude depends on the resource")),
        (false, false) => Some(format!(
            "{mp} selects resources by more than kind, which an image does not carry"
        )),
    })
}
