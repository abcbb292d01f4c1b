//! Connaisseur (`sse-secure-systems/connaisseur`, 3.x): its configuration, either the
//! `config.yaml` it loads (`validators`, `policy`) or the Helm chart's values
//! (`application.validators`, `application.policy`, `application.features`). Semantics, from
//! `internal/config`, `internal/policy` and `internal/validator/cosignvalidator`: only the most
//! specific rule whose pattern matches the image applies ([`pattern`]); no matching rule denies;
//! a rule names a validator (`default` when absent); a `static` validator approves or denies; a
//! `cosign` validator verifies the `.sig` signatures (the cosign library without bundles or
//! OCI 1.1) against one trust root (`with.trustRoot`, `default` when absent), or with
//! `trustRoot: "*"` against several: `threshold` verified signatures (all trust roots' count
//! when neither `threshold` nor `required` is given) and every `required` trust root.

mod pattern;
mod validator;

pub use pattern::{Pattern, first_is_more_specific, most_specific};

use serde_json::{Map, Value};

use super::document::{
    NoteKind, Notes, PolicyError, Strictness, boolean, child, list, object, string,
};
use super::model::{Engine, ImageMatch, Rule};
use validator::Validators;

const STRICT: Strictness = Strictness::Connaisseur;
const CONTROLLER: &str = "Connaisseur";

/// Whether a document is a Connaisseur configuration (or the Helm values holding one).
pub fn is_configuration(doc: &Map<String, Value>) -> bool {
    let holds = |m: &Map<String, Value>| m.contains_key("validators") && m.contains_key("policy");
    !doc.contains_key("kind")
        && (holds(doc)
            || doc
                .get("application")
                .and_then(Value::as_object)
                .is_some_and(holds))
}

/// Reads a Connaisseur configuration into one rule per policy rule.
pub fn read(doc: &Map<String, Value>, notes: &mut Notes) -> Result<Vec<Rule>, PolicyError> {
    let (config, at, features) = match child(doc, "application", "values")? {
        Some(app) => (
            app,
            "application".to_owned(),
            child(app, "features", "application")?,
        ),
        None => {
            STRICT.known_fields(doc, "config", &["validators", "policy", "alerting"])?;
            (doc, "config".to_owned(), None)
        }
    };
    let detection = match features {
        Some(f) => read_features(f, &format!("{at}.features"), notes)?,
        None => false,
    };
    let validators = Validators::read(list(config, "validators", &at)?, &at, notes)?;
    let rules = list(config, "policy", &at)?;
    if rules.is_empty() {
        return Err(PolicyError::refused(
            &format!("{at}.policy"),
            CONTROLLER,
            "Rules must contain at least 1 item",
        ));
    }
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let rp = format!("{at}.policy[{i}]");
        let rule = object(rule, &rp)?;
        STRICT.known_fields(rule, &rp, &["pattern", "validator", "with"])?;
        let pattern = match string(rule, "pattern", &rp)? {
            Some(p) if !p.is_empty() => p,
            _ => {
                return Err(PolicyError::refused(
                    &format!("{rp}.pattern"),
                    CONTROLLER,
                    "Pattern is a required field",
                ));
            }
        };
        let pattern = Pattern::compile(&pattern, &format!("{rp}.pattern"))?;
        let with = match child(rule, "with", &rp)? {
            Some(w) => With::read(w, &format!("{rp}.with"), notes)?,
            None => With::default(),
        };
        let name = string(rule, "validator", &rp)?.unwrap_or_default();
        let groups = validators.groups(&name, &with, &rp)?;
        out.push(Rule {
            enforce: !detection,
            ..Rule::new(
                Engine::Connaisseur,
                format!("Connaisseur {rp} ({})", pattern.pattern),
                ImageMatch::Pattern(pattern),
                groups,
            )
        });
    }
    Ok(out)
}

/// `application.features`: only `detectionMode` changes a verdict (denials become warnings).
fn read_features(f: &Map<String, Value>, at: &str, notes: &mut Notes) -> Result<bool, PolicyError> {
    for (field, note) in [
        (
            "namespacedValidation",
            "namespaces opted out are not seen by sigscope: verdicts are for a validated namespace",
        ),
        (
            "automaticChildApproval",
            "no effect on an image's verdict (pods of an approved parent are admitted unchanged)",
        ),
        (
            "automaticUnchangedApproval",
            "no effect on an image's verdict",
        ),
        (
            "resourceValidationMode",
            "no effect on an image's verdict in a pod",
        ),
        (
            "cache",
            "verification results are cached by Connaisseur; sigscope always verifies",
        ),
    ] {
        if f.contains_key(field) {
            notes.add(&format!("{at}.{field}"), NoteKind::Noted, note);
        }
    }
    let detection = boolean(f, "detectionMode", at)?.unwrap_or(false);
    if detection {
        notes.add(
            &format!("{at}.detectionMode"),
            NoteKind::Noted,
            "detection mode: Connaisseur admits every image and only warns",
        );
    }
    Ok(detection)
}

/// A rule's `with` options.
#[derive(Debug, Clone)]
struct With {
    trust_root: String,
    threshold: usize,
    required: Vec<String>,
    verify_tlog: bool,
    verify_sct: bool,
}

impl Default for With {
    fn default() -> With {
        With {
            trust_root: String::new(),
            threshold: 0,
            required: Vec::new(),
            verify_tlog: true,
            verify_sct: true,
        }
    }
}

impl With {
    fn read(w: &Map<String, Value>, at: &str, notes: &mut Notes) -> Result<With, PolicyError> {
        STRICT.known_fields(
            w,
            at,
            &[
                "trustRoot",
                "verifyInTransparencyLog",
                "verifySCT",
                "threshold",
                "required",
                "delegations",
                "mode",
                "verificationLevel",
                "verifyTimestamp",
            ],
        )?;
        let threshold = match w.get("threshold") {
            None | Some(Value::Null) => 0,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    PolicyError::refused(
                        &format!("{at}.threshold"),
                        CONTROLLER,
                        format!("Threshold must be 0 or greater, not {v}"),
                    )
                })?,
        };
        let strings = |key: &str| -> Result<Vec<String>, PolicyError> {
            list(w, key, at)?
                .iter()
                .map(|v| match v.as_str() {
                    Some(s) if !s.is_empty() => Ok(s.to_owned()),
                    _ => Err(PolicyError::refused(
                        &format!("{at}.{key}"),
                        CONTROLLER,
                        format!("{key} entries must be non-empty strings"),
                    )),
                })
                .collect()
        };
        let required = strings("required")?;
        if !required.is_empty() && w.contains_key("delegations") {
            return Err(PolicyError::refused(
                at,
                CONTROLLER,
                "Required and Delegations exclude each other",
            ));
        }
        let one_of = |key: &str, allowed: &[&str]| -> Result<(), PolicyError> {
            match string(w, key, at)? {
                Some(v) if !v.is_empty() && !allowed.contains(&v.as_str()) => {
                    Err(PolicyError::refused(
                        &format!("{at}.{key}"),
                        CONTROLLER,
                        format!("{key} must be one of [{}], not {v:?}", allowed.join(" ")),
                    ))
                }
                _ => Ok(()),
            }
        };
        one_of("mode", &["mutate", "insecureValidateOnly"])?;
        one_of("verificationLevel", &["strict", "permissive", "audit"])?;
        one_of("verifyTimestamp", &["always", "afterCertExpiry"])?;
        if w.contains_key("mode") {
            notes.add(
                &format!("{at}.mode"),
                NoteKind::Noted,
                "whether Connaisseur pins the digest does not change the verdict",
            );
        }
        Ok(With {
            trust_root: string(w, "trustRoot", at)?.unwrap_or_default(),
            threshold,
            required,
            verify_tlog: boolean(w, "verifyInTransparencyLog", at)?.unwrap_or(true),
            verify_sct: boolean(w, "verifySCT", at)?.unwrap_or(true),
        })
    }
}
