//! Kyverno `ClusterPolicy` / `Policy` rules with `verifyImages` (`kyverno.io/v1`). Semantics,
//! from Kyverno's documentation: each `verifyImages` entry applies to the images its
//! `imageReferences` match (`*` and `?` wildcards) and its `skipImageReferences` do not; every
//! attestor set must pass, a set passing when `count` of its entries verify (all of them when
//! `count` is absent); each `attestations` entry must verify with its own attestors;
//! `required: false` reports a failure without denying; `validationFailureAction: Audit` (or the
//! entry's `failureAction: Audit`) only reports.

use serde_json::{Map, Value};

mod attestor;

use attestor::attestor_set;

use super::document::{NoteKind, Notes, PolicyError, boolean, list, object, resource_spec, string};
use super::glob::Wildcard;
use super::model::{AttestationRequirement, Engine, ImageMatch, PolicyText, Rule};
use crate::verify::storage::Storage;

pub const API_GROUP: &str = "kyverno.io/";
pub const KINDS: &[&str] = &["ClusterPolicy", "Policy"];

/// Reads one Kyverno policy document: one rule per `verifyImages` entry.
pub fn read(
    doc: &Map<String, Value>,
    kind: &str,
    notes: &mut Notes,
) -> Result<Vec<Rule>, PolicyError> {
    let (at, spec) = resource_spec(doc, kind, notes)?;
    let sp = format!("{at}.spec");
    const SPEC: &[&str] = &[
        "rules",
        "validationFailureAction",
        "validationFailureActionOverrides",
        "background",
        "failurePolicy",
        "webhookTimeoutSeconds",
        "admission",
        "emitWarning",
        "schemaValidation",
        "useServerSideApply",
        "mutateExistingOnPolicyUpdate",
        "generateExisting",
        "webhookConfiguration",
    ];
    notes.unknown_fields(spec, &sp, SPEC);
    for field in &SPEC[2..] {
        notes.unsupported(
            spec,
            &sp,
            field,
            "admission-webhook setting: no effect on the verdict",
        );
    }
    let policy_enforce =
        action(string(spec, "validationFailureAction", &sp)?, &sp)?.unwrap_or(false);
    let mut rules = Vec::new();
    for (r, rule) in list(spec, "rules", &sp)?.iter().enumerate() {
        let rp = format!("{sp}.rules[{r}]");
        let rule = object(rule, &rp)?;
        let rule_name = string(rule, "name", &rp)?.unwrap_or_else(|| format!("rule-{r}"));
        const RULE: &[&str] = &[
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
        ];
        notes.unknown_fields(rule, &rp, RULE);
        for field in ["match", "exclude"] {
            if rule.contains_key(field) {
                notes.add(
                    &format!("{rp}.{field}"),
                    NoteKind::Noted,
                    "resource filters are not evaluated: every image is considered",
                );
            }
        }
        for field in &RULE[4..] {
            notes.unsupported(rule, &rp, field, "not evaluated: only verifyImages is");
        }
        for (v, entry) in list(rule, "verifyImages", &rp)?.iter().enumerate() {
            let vp = format!("{rp}.verifyImages[{v}]");
            rules.push(verify_images(
                object(entry, &vp)?,
                &format!("{at} rule {rule_name}"),
                &vp,
                policy_enforce,
                notes,
            )?);
        }
    }
    Ok(rules)
}

fn action(value: Option<String>, at: &str) -> Result<Option<bool>, PolicyError> {
    match value.as_deref() {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("enforce") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("audit") => Ok(Some(false)),
        Some(other) => Err(PolicyError::invalid(
            at,
            format!("failure action {other:?}: expected Enforce or Audit"),
        )),
    }
}

fn verify_images(
    e: &Map<String, Value>,
    source: &str,
    at: &str,
    policy_enforce: bool,
    notes: &mut Notes,
) -> Result<Rule, PolicyError> {
    const FIELDS: &[&str] = &[
        "imageReferences",
        "skipImageReferences",
        "type",
        "attestors",
        "attestations",
        "required",
        "mutateDigest",
        "verifyDigest",
        "useCache",
        "failureAction",
        "validationFailureAction",
        "repository",
        "imageRegistryCredentials",
        "cosignOCI11",
        "validate",
        "roots",
        "subject",
        "issuer",
        "key",
        "annotations",
    ];
    notes.unknown_fields(e, at, FIELDS);
    for field in &FIELDS[11..] {
        notes.unsupported(e, at, field, "not supported by sigscope's evaluation");
    }
    for (field, default) in [
        ("mutateDigest", true),
        ("verifyDigest", true),
        ("useCache", true),
    ] {
        let value = boolean(e, field, at)?.unwrap_or(default);
        let what = match field {
            "mutateDigest" if value => {
                "Kyverno rewrites the admitted pod's image tag to the verified digest"
            }
            "verifyDigest" if value => {
                "Kyverno also requires the pod's image to carry a digest (after mutateDigest)"
            }
            "useCache" => "verification results are cached by Kyverno; sigscope always verifies",
            _ => continue,
        };
        notes.add(&format!("{at}.{field}"), NoteKind::Noted, what);
    }
    let storage = match string(e, "type", at)?.as_deref() {
        None | Some("Cosign") => Storage::LEGACY_TAGS.read_by("Kyverno (type: Cosign)"),
        Some("SigstoreBundle") => Storage::BUNDLES_ONLY.read_by("Kyverno (type: SigstoreBundle)"),
        Some(other) => {
            return Err(PolicyError::invalid(
                &format!("{at}.type"),
                format!("{other:?}: only Cosign and SigstoreBundle signatures are evaluated"),
            ));
        }
    };
    let patterns = |key: &str| -> Result<Vec<Wildcard>, PolicyError> {
        list(e, key, at)?
            .iter()
            .map(|v| match v.as_str() {
                Some(s) => Wildcard::compile(s),
                None => Err(PolicyError::invalid(
                    &format!("{at}.{key}"),
                    "expected strings",
                )),
            })
            .collect()
    };
    let include = patterns("imageReferences")?;
    if include.is_empty() {
        return Err(PolicyError::invalid(at, "no imageReferences"));
    }
    let exclude = patterns("skipImageReferences")?;
    let enforce = action(string(e, "failureAction", at)?, at)?
        .or(action(string(e, "validationFailureAction", at)?, at)?)
        .unwrap_or(policy_enforce);
    let mut groups = Vec::new();
    for (s, set) in list(e, "attestors", at)?.iter().enumerate() {
        groups.push(attestor_set(
            set,
            &format!("{at}.attestors[{s}]"),
            storage,
            &[],
            notes,
        )?);
    }
    let mut unexecuted = Vec::new();
    for (i, att) in list(e, "attestations", at)?.iter().enumerate() {
        let ap = format!("{at}.attestations[{i}]");
        let att = object(att, &ap)?;
        notes.unknown_fields(
            att,
            &ap,
            &["type", "predicateType", "name", "attestors", "conditions"],
        );
        let predicate_type = string(att, "type", &ap)?
            .or(string(att, "predicateType", &ap)?)
            .ok_or_else(|| PolicyError::invalid(&ap, "an attestation needs type"))?;
        if let Some(conditions) = att.get("conditions") {
            unexecuted.push(PolicyText {
                path: format!("{ap}.conditions"),
                language: "kyverno-conditions".into(),
                text: serde_json::to_string_pretty(conditions).unwrap_or_default(),
            });
        }
        let requirement = AttestationRequirement {
            name: string(att, "name", &ap)?.unwrap_or_else(|| predicate_type.clone()),
            predicate_type,
            policy: None,
            text: None,
        };
        for (s, set) in list(att, "attestors", &ap)?.iter().enumerate() {
            groups.push(attestor_set(
                set,
                &format!("{ap}.attestors[{s}]"),
                storage,
                std::slice::from_ref(&requirement),
                notes,
            )?);
        }
    }
    Ok(Rule {
        engine: Engine::Kyverno,
        source: source.to_owned(),
        images: ImageMatch::Wildcards { include, exclude },
        enforce,
        required: boolean(e, "required", at)?.unwrap_or(true),
        groups,
        unexecuted,
    })
}
