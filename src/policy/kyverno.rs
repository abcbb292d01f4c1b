//! Kyverno `ClusterPolicy` / `Policy` rules with `verifyImages` (`kyverno.io/v1`). Semantics,
//! from Kyverno's documentation: each `verifyImages` entry applies to the images its
//! `imageReferences` match (`*` and `?` wildcards) and its `skipImageReferences` do not; every
//! attestor set must pass, a set passing when `count` of its entries verify (all of them when
//! `count` is absent); each `attestations` entry must verify with its own attestors;
//! `required: false` reports a failure without denying; `validationFailureAction: Audit` (or the
//! entry's `failureAction: Audit`) only reports.

use serde_json::{Map, Value};

use super::document::{NoteKind, Notes, PolicyError, boolean, child, list, object, string};
use super::glob::Wildcard;
use super::model::{
    AttestationRequirement, Authority, Check, Engine, Group, ImageMatch, PolicyText, Rule,
    TrustOverride, identity, pem_certificates, pem_keys, signer_policy,
};
use crate::verify::identity::Matcher;
use crate::verify::policy::{Policy, Signer};

pub const API_GROUP: &str = "kyverno.io/";
pub const KINDS: &[&str] = &["ClusterPolicy", "Policy"];

/// Reads one Kyverno policy document: one rule per `verifyImages` entry.
pub fn read(
    doc: &Map<String, Value>,
    kind: &str,
    notes: &mut Notes,
) -> Result<Vec<Rule>, PolicyError> {
    let name = child(doc, "metadata", kind)?
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)")
        .to_owned();
    let at = format!("{kind}/{name}");
    notes.unknown_fields(
        doc,
        &at,
        &["apiVersion", "kind", "metadata", "spec", "status"],
    );
    let spec = child(doc, "spec", &at)?.ok_or_else(|| PolicyError::invalid(&at, "no spec"))?;
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
    let new_bundle_format = match string(e, "type", at)?.as_deref() {
        None | Some("Cosign") => false,
        Some("SigstoreBundle") => true,
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
            new_bundle_format,
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
                new_bundle_format,
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

/// An attestor set: `count` of its entries (all by default) must verify. With `attestations`,
/// each entry verifies those attestations instead of the image signature.
fn attestor_set(
    value: &Value,
    at: &str,
    new_bundle_format: bool,
    attestations: &[AttestationRequirement],
    notes: &mut Notes,
) -> Result<Group, PolicyError> {
    let set = object(value, at)?;
    notes.unknown_fields(set, at, &["count", "entries"]);
    let entries = list(set, "entries", at)?;
    let mut authorities = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let ep = format!("{at}.entries[{i}]");
        let (policy, trust) = match entry_policy(object(entry, &ep)?, &ep, notes)? {
            Ok(found) => found,
            Err(reason) => {
                authorities.push(Authority {
                    name: ep.clone(),
                    check: Check::Unusable(reason),
                    attestations: attestations.to_vec(),
                });
                continue;
            }
        };
        let policy = Policy {
            new_bundle_format,
            ..policy
        };
        authorities.push(if attestations.is_empty() {
            Authority {
                name: ep,
                check: Check::Signature {
                    policy: Box::new(policy),
                    trust,
                    signed_identity: None,
                },
                attestations: Vec::new(),
            }
        } else {
            Authority {
                name: ep,
                check: Check::AttestationsOnly,
                attestations: attestations
                    .iter()
                    .map(|a| AttestationRequirement {
                        policy: Some(policy.clone()),
                        ..a.clone()
                    })
                    .collect(),
            }
        });
    }
    let need = match set.get("count") {
        None | Some(Value::Null) => authorities.len(),
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                PolicyError::invalid(&format!("{at}.count"), "expected a count of at least 1")
            })?,
    };
    Ok(Group {
        label: at.to_owned(),
        need,
        authorities,
    })
}

type EntryPolicy = Result<(Policy, TrustOverride), String>;

/// One attestor entry: `keyless` or `keys`. `Ok(Err(reason))` when it names material sigscope
/// cannot read.
fn entry_policy(
    e: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<EntryPolicy, PolicyError> {
    notes.unknown_fields(
        e,
        at,
        &[
            "keyless",
            "keys",
            "certificates",
            "attestor",
            "annotations",
            "repository",
        ],
    );
    for field in ["certificates", "attestor", "repository"] {
        notes.unsupported(e, at, field, "not supported by sigscope's evaluation");
    }
    let annotations: Vec<(String, String)> = match child(e, "annotations", at)? {
        Some(map) => map
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let mut trust = TrustOverride {
        origin: at.to_owned(),
        ..TrustOverride::default()
    };
    let (mut policy, logs_at) = if let Some(k) = child(e, "keyless", at)? {
        let kp = format!("{at}.keyless");
        notes.unknown_fields(
            k,
            &kp,
            &[
                "subject",
                "issuer",
                "subjectRegExp",
                "issuerRegExp",
                "roots",
                "rekor",
                "ctlog",
                "additionalExtensions",
                "url",
            ],
        );
        notes.unsupported(k, &kp, "additionalExtensions", "not checked by sigscope");
        if k.contains_key("subjectRegExp") || k.contains_key("issuerRegExp") {
            notes.add(
                &kp,
                NoteKind::Noted,
                "Kyverno before 1.14 ignored subjectRegExp and issuerRegExp (GO-2025-3562); \
                 sigscope applies them, as Kyverno 1.14 and later do",
            );
        }
        let subject = match (string(k, "subject", &kp)?, string(k, "subjectRegExp", &kp)?) {
            (_, Some(r)) => Matcher::regex(&r).map_err(|err| PolicyError::invalid(&kp, err))?,
            (Some(s), None) if s.contains('*') => {
                Matcher::regex(&wildcard_regex(&s)).map_err(|err| PolicyError::invalid(&kp, err))?
            }
            (Some(s), None) => Matcher::Exact(s),
            (None, None) => Matcher::regex(".*").map_err(|err| PolicyError::invalid(&kp, err))?,
        };
        let issuer = match (string(k, "issuer", &kp)?, string(k, "issuerRegExp", &kp)?) {
            (_, Some(r)) => Matcher::regex(&r).map_err(|err| PolicyError::invalid(&kp, err))?,
            (Some(s), None) => Matcher::Exact(s),
            (None, None) => Matcher::regex(".*").map_err(|err| PolicyError::invalid(&kp, err))?,
        };
        if let Some(roots) = string(k, "roots", &kp)? {
            trust.fulcio_chain = Some(pem_certificates(&roots, &format!("{kp}.roots"))?);
        }
        (signer_policy(identity(subject, issuer)), (k, kp))
    } else if let Some(k) = child(e, "keys", at)? {
        let kp = format!("{at}.keys");
        notes.unknown_fields(
            k,
            &kp,
            &[
                "publicKeys",
                "signatureAlgorithm",
                "kms",
                "secret",
                "rekor",
                "ctlog",
            ],
        );
        notes.unsupported(
            k,
            &kp,
            "signatureAlgorithm",
            "the key's default hash is used",
        );
        let Some(pem) = string(k, "publicKeys", &kp)? else {
            notes.add(
                &kp,
                NoteKind::Unsupported,
                "kms and secret keys cannot be read offline",
            );
            return Ok(Err("keys.kms or keys.secret cannot be read offline".into()));
        };
        let key = pem_keys(&pem, &format!("{kp}.publicKeys"))?
            .into_iter()
            .next()
            .ok_or_else(|| PolicyError::invalid(&kp, "no public key"))?;
        (signer_policy(Signer::Key(key)), (k, kp))
    } else {
        return Ok(Err("the entry has neither keyless nor keys".into()));
    };
    let (holder, hp) = logs_at;
    for (part, parent) in [
        ("", Some(holder)),
        ("rekor", child(holder, "rekor", &hp)?),
        ("ctlog", child(holder, "ctlog", &hp)?),
    ] {
        if let Some(map) = parent
            && map.contains_key("url")
        {
            let path = if part.is_empty() {
                format!("{hp}.url")
            } else {
                format!("{hp}.{part}.url")
            };
            notes.add(
                &path,
                NoteKind::Noted,
                "the given trusted root is used, not this instance",
            );
        }
    }
    if let Some(rekor) = child(holder, "rekor", &hp)? {
        let rp = format!("{hp}.rekor");
        notes.unknown_fields(rekor, &rp, &["url", "pubkey", "ignoreTlog", "tsaCertChain"]);
        notes.unsupported(
            rekor,
            &rp,
            "tsaCertChain",
            "the given trusted root's timestamp authorities are used",
        );
        policy.ignore_tlog = boolean(rekor, "ignoreTlog", &rp)?.unwrap_or(false);
        if let Some(pem) = string(rekor, "pubkey", &rp)? {
            trust.rekor_keys = Some(pem_keys(&pem, &format!("{rp}.pubkey"))?);
        }
    }
    if let Some(ctlog) = child(holder, "ctlog", &hp)? {
        let cp = format!("{hp}.ctlog");
        notes.unknown_fields(ctlog, &cp, &["url", "pubkey", "ignoreSCT", "tsaCertChain"]);
        notes.unsupported(
            ctlog,
            &cp,
            "tsaCertChain",
            "the given trusted root's timestamp authorities are used",
        );
        policy.ignore_sct = boolean(ctlog, "ignoreSCT", &cp)?.unwrap_or(false);
        if let Some(pem) = string(ctlog, "pubkey", &cp)? {
            trust.ctlog_keys = Some(pem_keys(&pem, &format!("{cp}.pubkey"))?);
        }
    }
    policy.annotations = annotations;
    Ok(Ok((policy, trust)))
}

/// A Kyverno subject wildcard as an anchored regular expression.
fn wildcard_regex(pattern: &str) -> String {
    let parts: Vec<String> = pattern.split('*').map(regex::escape).collect();
    format!("^{}$", parts.join(".*"))
}
