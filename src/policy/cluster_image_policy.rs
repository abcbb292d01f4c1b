//! Sigstore policy-controller `ClusterImagePolicy` (`policy.sigstore.dev/v1alpha1` and
//! `v1beta1`, which share these fields). Semantics, from the policy-controller's API types:
//! an image is subject to every policy whose `images[].glob` matches it, and must satisfy each;
//! within a policy ANY authority may admit it (an authority with several identities admits
//! a signature by any of them); an authority with `attestations` verifies those (all of them,
//! signed by the authority's signer) instead of the image signature; `mode: warn`
//! turns a denial into a warning; `ctlog: {}` (no url, no trustRootRef) disables the
//! transparency-log check.

use serde_json::{Map, Value};

use super::document::{
    NoteKind, Notes, PolicyError, boolean, child, list, object, resource_spec, string,
};
use super::glob::ImageGlob;
use super::model::{
    AttestationRequirement, Authority, Check, Engine, Group, ImageMatch, PolicyText, Rule,
    TrustOverride, identity, matcher, pem_certificates, pem_keys, signer_policy,
};
use crate::verify::policy::{Policy, Signer};
use crate::verify::storage::Storage;

pub const API_GROUP: &str = "policy.sigstore.dev/";
pub const KIND: &str = "ClusterImagePolicy";

/// Reads one `ClusterImagePolicy` document into one rule.
pub fn read(doc: &Map<String, Value>, notes: &mut Notes) -> Result<Rule, PolicyError> {
    let (at, spec) = resource_spec(doc, KIND, notes)?;
    let sp = format!("{at}.spec");
    notes.unknown_fields(
        spec,
        &sp,
        &["images", "authorities", "policy", "mode", "match"],
    );
    notes.unsupported(
        spec,
        &sp,
        "match",
        "resource selection is not evaluated: sigscope evaluates images, not the pods using them",
    );
    let mut globs = Vec::new();
    for (i, image) in list(spec, "images", &sp)?.iter().enumerate() {
        let ip = format!("{sp}.images[{i}]");
        let image = object(image, &ip)?;
        notes.unknown_fields(image, &ip, &["glob", "regex"]);
        notes.unsupported(
            image,
            &ip,
            "regex",
            "v1alpha1 regex patterns are not supported",
        );
        if let Some(glob) = string(image, "glob", &ip)? {
            globs.push(
                ImageGlob::compile(&glob)
                    .map_err(|e| PolicyError::invalid(&format!("{ip}.glob"), e.to_string()))?,
            );
        }
    }
    if globs.is_empty() {
        return Err(PolicyError::invalid(&sp, "no images[].glob"));
    }
    let enforce = match string(spec, "mode", &sp)?.as_deref() {
        None | Some("enforce") => true,
        Some("warn") => false,
        Some(other) => {
            return Err(PolicyError::invalid(
                &format!("{sp}.mode"),
                format!("{other:?}: expected enforce or warn"),
            ));
        }
    };
    let mut authorities = Vec::new();
    for (i, a) in list(spec, "authorities", &sp)?.iter().enumerate() {
        authorities.extend(authority(i, a, &format!("{sp}.authorities[{i}]"), notes)?);
    }
    let mut unexecuted = Vec::new();
    if let Some(policy) = child(spec, "policy", &sp)? {
        unexecuted.push(policy_text(policy, &format!("{sp}.policy"), notes)?);
    }
    Ok(Rule {
        engine: Engine::PolicyController,
        source: at,
        images: ImageMatch::Globs(globs),
        enforce,
        required: true,
        groups: vec![Group {
            label: "authorities (any one)".into(),
            need: 1,
            authorities,
        }],
        unexecuted,
    })
}

const AUTHORITY_FIELDS: &[&str] = &[
    "name",
    "key",
    "keyless",
    "static",
    "source",
    "ctlog",
    "attestations",
    "rfc3161timestamp",
    "signatureFormat",
];

/// One authority; several identities become one authority each (any of them admits).
fn authority(
    index: usize,
    value: &Value,
    at: &str,
    notes: &mut Notes,
) -> Result<Vec<Authority>, PolicyError> {
    let a = object(value, at)?;
    notes.unknown_fields(a, at, AUTHORITY_FIELDS);
    let name = string(a, "name", at)?.unwrap_or_else(|| format!("authority-{index}"));
    notes.unsupported(
        a,
        at,
        "source",
        "signatures are read from the image's own repository, not from source[].oci",
    );
    if a.contains_key("rfc3161timestamp") {
        notes.add(
            &format!("{at}.rfc3161timestamp"),
            NoteKind::Noted,
            "the timestamp authorities of the given trusted root are used",
        );
    }
    let mut ignore_tlog = false;
    if let Some(ctlog) = child(a, "ctlog", at)? {
        let cp = format!("{at}.ctlog");
        notes.unknown_fields(ctlog, &cp, &["url", "trustRootRef"]);
        if ctlog.is_empty() {
            ignore_tlog = true;
        } else {
            notes.add(
                &cp,
                NoteKind::Noted,
                "the transparency logs of the given trusted root are used",
            );
        }
    }
    let storage = match string(a, "signatureFormat", at)?.as_deref() {
        None | Some("legacy") => {
            Storage::LEGACY_TAGS.read_by("policy-controller (signatureFormat: legacy)")
        }
        Some("bundle") => {
            Storage::BUNDLES_ONLY.read_by("policy-controller (signatureFormat: bundle)")
        }
        Some(other) => {
            return Err(PolicyError::invalid(
                &format!("{at}.signatureFormat"),
                format!("{other:?}: expected legacy or bundle"),
            ));
        }
    };
    let attestations = list(a, "attestations", at)?
        .iter()
        .enumerate()
        .map(|(i, v)| attestation(v, &format!("{at}.attestations[{i}]"), notes))
        .collect::<Result<Vec<_>, _>>()?;
    // policy-controller: an authority with attestations verifies those attestations (with the
    // authority's signer) instead of the image signature.
    let finish = |policy: Policy, trust: TrustOverride, label: String| {
        let policy = Policy {
            ignore_tlog: ignore_tlog || policy.ignore_tlog,
            storage,
            ..policy
        };
        Authority::for_signer(label, policy, trust, &attestations)
    };
    let kinds = ["key", "keyless", "static"]
        .iter()
        .filter(|k| a.contains_key(**k))
        .count();
    if kinds != 1 {
        return Err(PolicyError::invalid(
            at,
            "an authority needs exactly one of key, keyless, static",
        ));
    }
    if let Some(key) = child(a, "key", at)? {
        let kp = format!("{at}.key");
        notes.unknown_fields(key, &kp, &["data", "secretRef", "kms", "hashAlgorithm"]);
        if let Some(h) = string(key, "hashAlgorithm", &kp)?
            && h != "sha256"
        {
            notes.add(
                &format!("{kp}.hashAlgorithm"),
                NoteKind::Unsupported,
                "only sha256 is supported; the key's default hash is used",
            );
        }
        let Some(data) = string(key, "data", &kp)? else {
            let what = if key.contains_key("secretRef") {
                "secretRef"
            } else {
                "kms"
            };
            notes.add(
                &format!("{kp}.{what}"),
                NoteKind::Unsupported,
                "cannot be read offline",
            );
            return Ok(vec![Authority {
                name,
                check: Check::Unusable(format!("key.{what} cannot be read offline")),
                attestations,
            }]);
        };
        let keys = pem_keys(&data, &format!("{kp}.data"))?;
        return Ok(keys
            .into_iter()
            .map(|k| {
                finish(
                    signer_policy(Signer::Key(k)),
                    TrustOverride::default(),
                    name.clone(),
                )
            })
            .collect());
    }
    if let Some(keyless) = child(a, "keyless", at)? {
        let kp = format!("{at}.keyless");
        notes.unknown_fields(
            keyless,
            &kp,
            &[
                "url",
                "identities",
                "ca-cert",
                "trustRootRef",
                "insecureIgnoreSCT",
            ],
        );
        for field in ["url", "trustRootRef"] {
            if keyless.contains_key(field) {
                notes.add(
                    &format!("{kp}.{field}"),
                    NoteKind::Noted,
                    "the Fulcio roots of the given trusted root are used",
                );
            }
        }
        let mut trust = TrustOverride {
            origin: format!("{kp}.ca-cert"),
            ..TrustOverride::default()
        };
        if let Some(ca) = child(keyless, "ca-cert", &kp)? {
            let cp = format!("{kp}.ca-cert");
            notes.unknown_fields(ca, &cp, &["data", "secretRef", "kms", "hashAlgorithm"]);
            match string(ca, "data", &cp)? {
                Some(pem) => trust.fulcio_chain = Some(pem_certificates(&pem, &cp)?),
                None => {
                    notes.add(
                        &cp,
                        NoteKind::Unsupported,
                        "only inline data can be read offline",
                    );
                    return Ok(vec![Authority {
                        name,
                        check: Check::Unusable("keyless.ca-cert is not inline data".into()),
                        attestations,
                    }]);
                }
            }
        }
        let ignore_sct = boolean(keyless, "insecureIgnoreSCT", &kp)?.unwrap_or(false);
        let identities = list(keyless, "identities", &kp)?;
        if identities.is_empty() {
            return Err(PolicyError::invalid(&kp, "keyless needs identities"));
        }
        let mut out = Vec::new();
        for (i, id) in identities.iter().enumerate() {
            let ip = format!("{kp}.identities[{i}]");
            let id = object(id, &ip)?;
            notes.unknown_fields(
                id,
                &ip,
                &["issuer", "subject", "issuerRegExp", "subjectRegExp"],
            );
            let subject = matcher(
                string(id, "subject", &ip)?,
                string(id, "subjectRegExp", &ip)?,
                &ip,
                "subject",
            )?;
            let issuer = matcher(
                string(id, "issuer", &ip)?,
                string(id, "issuerRegExp", &ip)?,
                &ip,
                "issuer",
            )?;
            let policy = Policy {
                ignore_sct,
                ..signer_policy(identity(subject, issuer))
            };
            let label = if identities.len() == 1 {
                name.clone()
            } else {
                format!("{name} identity {}", i + 1)
            };
            out.push(finish(policy, trust.clone(), label));
        }
        return Ok(out);
    }
    let sp = format!("{at}.static");
    let st = child(a, "static", at)?
        .ok_or_else(|| PolicyError::invalid(&sp, "expected {action: pass|fail}"))?;
    notes.unknown_fields(st, &sp, &["action", "message"]);
    let check = match string(st, "action", &sp)?.as_deref() {
        Some("pass") => Check::Accept,
        Some("fail") => Check::Reject(
            string(st, "message", &sp)?.unwrap_or_else(|| "static action fail".into()),
        ),
        other => {
            return Err(PolicyError::invalid(
                &format!("{sp}.action"),
                format!("{other:?}: expected pass or fail"),
            ));
        }
    };
    Ok(vec![Authority {
        name,
        check,
        attestations: Vec::new(),
    }])
}

fn attestation(
    value: &Value,
    at: &str,
    notes: &mut Notes,
) -> Result<AttestationRequirement, PolicyError> {
    let a = object(value, at)?;
    notes.unknown_fields(a, at, &["name", "predicateType", "policy"]);
    let predicate_type = string(a, "predicateType", at)?
        .ok_or_else(|| PolicyError::invalid(at, "an attestation needs predicateType"))?;
    let text = match child(a, "policy", at)? {
        Some(p) => Some(policy_text(p, &format!("{at}.policy"), notes)?),
        None => None,
    };
    Ok(AttestationRequirement {
        name: string(a, "name", at)?.unwrap_or_else(|| predicate_type.clone()),
        predicate_type,
        policy: None,
        text,
    })
}

/// A CUE or Rego policy: its text is kept to be shown; it is not run.
fn policy_text(
    p: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<PolicyText, PolicyError> {
    notes.unknown_fields(
        p,
        at,
        &[
            "type",
            "data",
            "remote",
            "configMapRef",
            "fetchConfigFile",
            "includeSpec",
            "includeObjectMeta",
            "includeTypeMeta",
        ],
    );
    for field in ["remote", "configMapRef"] {
        notes.unsupported(p, at, field, "only inline policy data is shown");
    }
    let language = string(p, "type", at)?.unwrap_or_else(|| "cue".into());
    Ok(PolicyText {
        path: at.to_owned(),
        text: string(p, "data", at)?.unwrap_or_default(),
        language,
    })
}
