//! Kyverno attestors: an attestor set (`count` of its `entries`) and one entry (`keyless` or
//! `keys`, with their `rekor` and `ctlog` settings and `annotations`), as verifier policies.

use serde_json::{Map, Value};

use crate::policy::document::{NoteKind, Notes, PolicyError, boolean, child, list, object, string};
use crate::policy::model::{
    AttestationRequirement, Authority, Check, Group, TrustOverride, identity, pem_certificates,
    pem_keys, signer_policy,
};
use crate::verify::identity::Matcher;
use crate::verify::policy::{Policy, Signer};
use crate::verify::storage::Storage;

/// An attestor set: `count` of its entries (all by default) must verify. With `attestations`,
/// each entry verifies those attestations instead of the image signature.
pub(super) fn attestor_set(
    value: &Value,
    at: &str,
    storage: Storage,
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
        let policy = Policy { storage, ..policy };
        authorities.push(Authority::for_signer(ep, policy, trust, attestations));
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
