//! Connaisseur's validators (`internal/validator`): `static` approves or denies; `cosign`
//! verifies with its trust roots (a public key, or a keyless issuer and subject) against the
//! Sigstore instance its `host` names; `notaryv1` and `notation` are read but not evaluated.

use serde_json::{Map, Value};

use super::{CONTROLLER, STRICT, With};
use crate::policy::document::{NoteKind, Notes, PolicyError, child, list, object, string};
use crate::policy::model::{
    Authority, Check, Group, TrustOverride, identity, matcher, pem_certificates, pem_keys,
    signer_policy,
};
use crate::verify::policy::{Policy, Signer};
use crate::verify::storage::Storage;

/// One trust root of a cosign validator.
#[derive(Debug, Clone)]
struct TrustRoot {
    name: String,
    /// What verifying with it means: a policy, or why it cannot be used.
    check: Check,
    /// Its key does not load: every rule using it fails (`cv.verifiers` errors).
    load_error: Option<String>,
}

#[derive(Debug, Clone)]
enum Kind {
    Static(bool),
    Cosign {
        roots: Vec<TrustRoot>,
        trust: TrustOverride,
    },
    /// notaryv1, notation: not evaluated by sigscope.
    Unevaluated(String),
}

#[derive(Debug, Clone)]
struct Validator {
    name: String,
    kind: Kind,
}

/// Every validator of the configuration.
#[derive(Debug, Clone)]
pub(super) struct Validators(Vec<Validator>);

impl Validators {
    pub(super) fn read(
        values: &[Value],
        at: &str,
        notes: &mut Notes,
    ) -> Result<Validators, PolicyError> {
        if values.is_empty() {
            return Err(PolicyError::refused(
                &format!("{at}.validators"),
                CONTROLLER,
                "Validators must contain at least 1 item",
            ));
        }
        values
            .iter()
            .enumerate()
            .map(|(i, v)| read_validator(v, &format!("{at}.validators[{i}]"), notes))
            .collect::<Result<Vec<_>, _>>()
            .map(Validators)
    }

    /// The groups a rule naming validator `name` (`default` when empty) with `with` requires.
    pub(super) fn groups(
        &self,
        name: &str,
        with: &With,
        at: &str,
    ) -> Result<Vec<Group>, PolicyError> {
        let name = if name.is_empty() { "default" } else { name };
        let label = format!("{at} validator {name}");
        let one = |check: Check| {
            Ok(vec![Group::new(
                label.clone(),
                1,
                vec![authority(name, check)],
            )])
        };
        let Some(v) = self.0.iter().find(|v| v.name == name) else {
            // Config.Validator: "validator \"x\" not found" at admission, which is a denial.
            return one(Check::Reject(format!("validator {name:?} not found")));
        };
        match &v.kind {
            Kind::Static(true) => one(Check::Accept),
            Kind::Static(false) => one(Check::Reject(format!(
                "static validator {name} denies every image"
            ))),
            Kind::Unevaluated(why) => one(Check::Unusable(why.clone())),
            Kind::Cosign { roots, trust } => Ok(vec![cosign_group(label, roots, trust, with)]),
        }
    }
}

fn authority(name: &str, check: Check) -> Authority {
    Authority {
        name: name.to_owned(),
        check,
        attestations: Vec::new(),
    }
}

/// `CosignValidator.ValidateImage`: which trust roots are tried and how many verified
/// signatures (and which roots) the rule needs.
fn cosign_group(label: String, roots: &[TrustRoot], trust: &TrustOverride, with: &With) -> Group {
    let all = with.trust_root == "*";
    let names: Vec<String> =
        if all && (with.threshold > with.required.len() || with.required.is_empty()) {
            roots.iter().map(|r| r.name.clone()).collect()
        } else if all {
            with.required.clone()
        } else if with.trust_root.is_empty() {
            vec!["default".into()]
        } else {
            vec![with.trust_root.clone()]
        };
    // auth.GetTrustRoots: every name must exist, or the validation fails (a denial).
    let mut selected = Vec::new();
    for n in &names {
        match roots.iter().find(|r| &r.name == n) {
            Some(r) => selected.push(r.clone()),
            None => {
                return Group::new(
                    label,
                    1,
                    vec![authority(
                        n,
                        Check::Reject(format!("unable to find trust root {n}")),
                    )],
                );
            }
        }
    }
    // A key that does not load fails every verifier of the rule (`cv.verifiers`).
    if let Some((bad, why)) = selected
        .iter()
        .find_map(|r| r.load_error.as_ref().map(|e| (r, e)))
    {
        return Group::new(
            label,
            1,
            vec![authority(&bad.name, Check::Reject(why.clone()))],
        );
    }
    let threshold = if all && with.required.is_empty() && with.threshold == 0 {
        selected.len()
    } else if all {
        with.threshold
    } else {
        0
    };
    let authorities = selected
        .into_iter()
        .map(|r| {
            let check = match r.check {
                Check::Signature { policy, .. } => Check::Signature {
                    policy: Box::new(Policy {
                        ignore_tlog: !with.verify_tlog,
                        ignore_sct: !with.verify_sct,
                        ..*policy
                    }),
                    trust: trust.clone(),
                    signed_identity: None,
                },
                other => other,
            };
            authority(&r.name, check)
        })
        .collect();
    Group {
        counts_signatures: true,
        // With no threshold, one verified signature is still needed ("no signed digests").
        required: if all {
            with.required.clone()
        } else {
            Vec::new()
        },
        ..Group::new(label, threshold.max(1), authorities)
    }
}

fn read_validator(v: &Value, at: &str, notes: &mut Notes) -> Result<Validator, PolicyError> {
    let map = v.as_object().ok_or_else(|| {
        PolicyError::refused(
            at,
            CONTROLLER,
            format!("cannot unmarshal {v} into a validator"),
        )
    })?;
    let name = match string(map, "name", at)? {
        Some(n) if !n.is_empty() => n,
        _ => {
            return Err(PolicyError::refused(
                at,
                CONTROLLER,
                "validator is missing a name",
            ));
        }
    };
    let kind = match string(map, "type", at)? {
        Some(t) if !t.is_empty() => t,
        _ => {
            return Err(PolicyError::refused(
                at,
                CONTROLLER,
                "validator is missing a type",
            ));
        }
    };
    let kind = match kind.as_str() {
        "static" => {
            STRICT.known_fields(map, at, &["name", "type", "approve"])?;
            let approve = match map.get("approve") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(PolicyError::refused(
                        &format!("{at}.approve"),
                        CONTROLLER,
                        format!("cannot unmarshal {other} into a bool"),
                    ));
                }
            };
            Kind::Static(approve)
        }
        "cosign" => read_cosign(map, at, notes)?,
        "notaryv1" | "notation" => {
            notes.add(
                at,
                NoteKind::Unsupported,
                format!(
                    "{kind} validators are not evaluated: rules using it are \"could not check\""
                ),
            );
            Kind::Unevaluated(format!("sigscope does not evaluate {kind} validators"))
        }
        other => {
            return Err(PolicyError::refused(
                &format!("{at}.type"),
                CONTROLLER,
                format!("unsupported type {other:?} for validator"),
            ));
        }
    };
    Ok(Validator { name, kind })
}

fn read_cosign(map: &Map<String, Value>, at: &str, notes: &mut Notes) -> Result<Kind, PolicyError> {
    STRICT.known_fields(
        map,
        at,
        &["name", "type", "host", "cert", "auth", "trustRoots"],
    )?;
    let mut trust = TrustOverride {
        origin: format!("{at}.host"),
        ..TrustOverride::default()
    };
    if let Some(host) = child(map, "host", at)? {
        let hp = format!("{at}.host");
        STRICT.known_fields(
            host,
            &hp,
            &["rekor", "rekorPubkey", "fulcioCert", "ctLogPubkey"],
        )?;
        if let Some(url) = string(host, "rekor", &hp)? {
            if url.starts_with(':') || url.chars().any(char::is_whitespace) {
                return Err(PolicyError::refused(
                    &format!("{hp}.rekor"),
                    CONTROLLER,
                    format!("unable to create Rekor client for {url}"),
                ));
            }
            notes.add(
                &format!("{hp}.rekor"),
                NoteKind::Noted,
                "log entries are checked offline against the trusted root (or rekorPubkey)",
            );
        }
        let refuse = |field: &str, e: PolicyError| {
            PolicyError::refused(&format!("{hp}.{field}"), CONTROLLER, e.to_string())
        };
        if let Some(pem) = string(host, "rekorPubkey", &hp)? {
            trust.rekor_keys =
                Some(pem_keys(&pem, "rekorPubkey").map_err(|e| refuse("rekorPubkey", e))?);
        }
        if let Some(pem) = string(host, "fulcioCert", &hp)? {
            trust.fulcio_chain =
                Some(pem_certificates(&pem, "fulcioCert").map_err(|e| refuse("fulcioCert", e))?);
        }
        if let Some(pem) = string(host, "ctLogPubkey", &hp)? {
            trust.ctlog_keys =
                Some(pem_keys(&pem, "ctLogPubkey").map_err(|e| refuse("ctLogPubkey", e))?);
        }
    }
    if let Some(cert) = string(map, "cert", at)?
        && pem_certificates(&cert, "cert").is_err()
    {
        return Err(PolicyError::refused(
            &format!("{at}.cert"),
            CONTROLLER,
            "invalid certificate for validator",
        ));
    }
    for field in ["cert", "auth"] {
        if map.contains_key(field) {
            notes.add(
                &format!("{at}.{field}"),
                NoteKind::Noted,
                "registry access settings: no effect on the verdict",
            );
        }
    }
    let roots = list(map, "trustRoots", at)?;
    if roots.is_empty() {
        return Err(PolicyError::refused(
            &format!("{at}.trustRoots"),
            CONTROLLER,
            "no trust roots provided for validator",
        ));
    }
    let roots = roots
        .iter()
        .enumerate()
        .map(|(i, r)| read_root(r, &format!("{at}.trustRoots[{i}]"), notes))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Kind::Cosign { roots, trust })
}

fn read_root(value: &Value, at: &str, notes: &mut Notes) -> Result<TrustRoot, PolicyError> {
    let r = object(value, at)?;
    STRICT.known_fields(r, at, &["name", "key", "cert", "tsCert", "keyless"])?;
    let name = match string(r, "name", at)? {
        Some(n) if !n.is_empty() => n,
        _ => {
            return Err(PolicyError::refused(
                at,
                CONTROLLER,
                "Name is a required field",
            ));
        }
    };
    let key = string(r, "key", at)?.filter(|k| !k.is_empty());
    let cert = string(r, "cert", at)?.filter(|c| !c.is_empty());
    let keyless = child(r, "keyless", at)?.filter(|k| !k.is_empty());
    let given =
        usize::from(key.is_some()) + usize::from(cert.is_some()) + usize::from(keyless.is_some());
    if given != 1 {
        return Err(PolicyError::refused(
            at,
            CONTROLLER,
            "a trust root needs exactly one of key, cert and keyless",
        ));
    }
    let mut load_error = None;
    let check = if let Some(key) = key {
        if key.trim_start().starts_with("-----BEGIN PUBLIC KEY-----") {
            match pem_keys(&key, &format!("{at}.key")).map(|keys| keys.into_iter().next()) {
                Ok(Some(k)) => Check::Signature {
                    policy: Box::new(connaisseur_policy(Signer::Key(k))),
                    trust: TrustOverride::default(),
                    signed_identity: None,
                },
                Ok(None) | Err(_) => {
                    let why = format!("the key of trust root {name} does not load");
                    load_error = Some(why.clone());
                    Check::Reject(why)
                }
            }
        } else {
            notes.add(
                &format!("{at}.key"),
                NoteKind::Unsupported,
                "a KMS or Kubernetes key reference cannot be read offline: \"could not check\"",
            );
            Check::Unusable(format!("key reference {key:?} cannot be read offline"))
        }
    } else if let Some(k) = keyless {
        let kp = format!("{at}.keyless");
        STRICT.known_fields(
            k,
            &kp,
            &["issuer", "subject", "issuerRegex", "subjectRegex"],
        )?;
        let pick =
            |exact: &str, regex: &str| -> Result<(Option<String>, Option<String>), PolicyError> {
                let (e, r) = (
                    string(k, exact, &kp)?.filter(|s| !s.is_empty()),
                    string(k, regex, &kp)?.filter(|s| !s.is_empty()),
                );
                if e.is_some() == r.is_some() {
                    return Err(PolicyError::refused(
                        &kp,
                        CONTROLLER,
                        format!("exactly one of {exact} and {regex} is required"),
                    ));
                }
                Ok((e, r))
            };
        let (subject, subject_re) = pick("subject", "subjectRegex")?;
        let (issuer, issuer_re) = pick("issuer", "issuerRegex")?;
        match (
            matcher(subject, subject_re, &kp, "subject"),
            matcher(issuer, issuer_re, &kp, "issuer"),
        ) {
            (Ok(s), Ok(i)) => Check::Signature {
                policy: Box::new(connaisseur_policy(identity(s, i))),
                trust: TrustOverride::default(),
                signed_identity: None,
            },
            // cosign fails the verification on an invalid regexp: no signature verifies.
            (Err(e), _) | (_, Err(e)) => Check::Reject(e.to_string()),
        }
    } else {
        notes.add(
            &format!("{at}.cert"),
            NoteKind::Unsupported,
            "certificate trust roots belong to notation validators: not evaluated",
        );
        Check::Unusable("certificate trust roots are not evaluated".into())
    };
    Ok(TrustRoot {
        name,
        check,
        load_error,
    })
}

/// Connaisseur's cosign library reads the `.sig` tags only.
fn connaisseur_policy(signer: Signer) -> Policy {
    Policy {
        storage: Storage::LEGACY_TAGS.read_by("Connaisseur (cosign library 2.x)"),
        ..signer_policy(signer)
    }
}
