//! Kyverno attestors: an attestor set (`count` of its `entries`, the static keys of one entry
//! split one per key as `ExpandStaticKeys` does) and one entry (`keys`, `keyless`, a nested
//! `attestor`), validated as `AttestorSet.Validate` / `Attestor.Validate` and mapped onto verifier
//! policies with the options `buildCosignVerifier` gives cosign.

use serde_json::{Map, Value};

use super::verify_images::string_map;
use super::{STRICT, refused};
use crate::policy::document::{NoteKind, Notes, PolicyError, boolean, child, list, object, string};
use crate::policy::glob::Wildcard;
use crate::policy::model::{
    AttestationRequirement, Authority, Check, Group, TrustOverride, pem_certificates, pem_keys,
    signer_policy,
};
use crate::verify::identity::{IdentityPolicy, Matcher};
use crate::verify::policy::{Policy, Signer};
use crate::verify::storage::Storage;

/// What an entry inherits from its `verifyImages` entry.
pub(super) struct Defaults {
    pub storage: Storage,
    /// The deprecated entry-level `annotations`, used when an attestor names none.
    pub annotations: Vec<(String, String)>,
    pub notary: bool,
    /// The entry-level `repository` (signatures kept elsewhere).
    pub repository: Option<String>,
}

/// A group that always fails with `why` (a missing attestation type).
pub(super) fn failing(at: &str, why: &str) -> Group {
    Group::new(
        at,
        1,
        vec![Authority {
            name: at.to_owned(),
            check: Check::Reject(why.to_owned()),
            attestations: Vec::new(),
        }],
    )
}

/// `verifyDigest` without `mutateDigest`: the pod must name the image by digest.
pub(super) fn digest_required(at: &str) -> Group {
    Group::new(
        format!("{at}.verifyDigest"),
        1,
        vec![Authority {
            name: format!("{at}.verifyDigest"),
            check: Check::NamedByDigest,
            attestations: Vec::new(),
        }],
    )
}

/// The attestor Kyverno adds to an attestation without attestors: cosign with no key and no
/// identity, Fulcio's roots, the transparency log, no SCT check.
pub(super) fn empty_attestor(
    at: &str,
    defaults: &Defaults,
    requirement: &AttestationRequirement,
) -> Group {
    let anyone = Matcher::All(Vec::new());
    let policy = Policy {
        ignore_sct: true,
        storage: defaults.storage,
        annotations: defaults.annotations.clone(),
        ..signer_policy(Signer::Keyless(IdentityPolicy {
            subject: anyone.clone(),
            issuer: anyone,
            github: Vec::new(),
        }))
    };
    let label = format!("{at}.attestors (none given: any keyless signer)");
    Group::new(
        label.clone(),
        1,
        vec![Authority::for_signer(
            label,
            policy,
            TrustOverride::default(),
            std::slice::from_ref(requirement),
        )],
    )
}

/// An attestor set: `count` of its entries (all by default) must verify. With `attestations`,
/// each entry verifies those attestations instead of the image signature.
pub(super) fn attestor_set(
    value: &Value,
    at: &str,
    defaults: &Defaults,
    attestations: &[AttestationRequirement],
    notes: &mut Notes,
) -> Result<Group, PolicyError> {
    let set = object(value, at)?;
    STRICT.known_fields(set, at, &["count", "entries"])?;
    let entries = list(set, "entries", at)?;
    if entries.is_empty() {
        return Err(refused(at, "An entry is required"));
    }
    let count = match set.get("count") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| refused(&format!("{at}.count"), "count must be at least 1"))?,
        ),
    };
    if count.is_some_and(|c| c > entries.len()) {
        return Err(refused(at, "Count cannot exceed length of entries"));
    }
    let mut authorities = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let ep = format!("{at}.entries[{i}]");
        authorities.extend(entry_authorities(
            object(entry, &ep)?,
            &ep,
            defaults,
            attestations,
            notes,
        )?);
    }
    // RequiredCount: all entries (after the keys are split) unless a count is given.
    let need = count.unwrap_or(authorities.len());
    Ok(Group::new(at, need, authorities))
}

/// One entry: one authority, or one per key when `publicKeys` holds several.
fn entry_authorities(
    e: &Map<String, Value>,
    at: &str,
    defaults: &Defaults,
    attestations: &[AttestationRequirement],
    notes: &mut Notes,
) -> Result<Vec<Authority>, PolicyError> {
    STRICT.known_fields(
        e,
        at,
        &[
            "keys",
            "certificates",
            "keyless",
            "attestor",
            "annotations",
            "repository",
            "signatureAlgorithm",
        ],
    )?;
    let present: Vec<&str> = ["keys", "certificates", "keyless", "attestor"]
        .into_iter()
        .filter(|k| e.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    if present.len() != 1 {
        return Err(refused(
            at,
            "keys, certificates, keyless, or a nested attestor is required",
        ));
    }
    if defaults.notary && (present[0] == "keys" || present[0] == "keyless") {
        return Err(refused(
            at,
            format!("{} field is not allowed for type notary", present[0]),
        ));
    }
    let single = |check: Check| {
        Ok(vec![Authority {
            name: at.to_owned(),
            check,
            attestations: attestations.to_vec(),
        }])
    };
    if present[0] == "attestor" {
        let nested = attestor_set(
            &e["attestor"],
            &format!("{at}.attestor"),
            defaults,
            attestations,
            notes,
        )?;
        return single(Check::Nested(Box::new(nested)));
    }
    if defaults.notary || present[0] == "certificates" {
        if let Some(c) = child(e, "certificates", at)? {
            let cp = format!("{at}.certificates");
            STRICT.known_fields(c, &cp, &["cert", "certChain", "rekor", "ctlog"])?;
            let given = |k: &str| string(c, k, &cp).map(|v| v.is_some_and(|s| !s.is_empty()));
            if !given("cert")? && !given("certChain")? {
                return Err(refused(&cp, "cert or certChain required"));
            }
        }
        notes.add(
            at,
            NoteKind::Unsupported,
            "certificate and Notary attestors are not evaluated: \"could not check\"",
        );
        return single(Check::Unusable(
            "certificate and Notary attestors are not evaluated".into(),
        ));
    }
    let repository = string(e, "repository", at)?
        .filter(|s| !s.is_empty())
        .or(defaults.repository.clone());
    if repository.is_some() {
        notes.add(
            at,
            NoteKind::Unsupported,
            "signatures kept in another repository are not read: \"could not check\"",
        );
        return single(Check::Unusable(
            "repository: signatures kept in another repository are not read".into(),
        ));
    }
    let annotations = match e.get("annotations") {
        Some(v) if !v.is_null() => string_map(e, "annotations", at)?,
        _ => defaults.annotations.clone(),
    };
    let signers = if let Some(k) = child(e, "keys", at)? {
        keys_entry(k, &format!("{at}.keys"), notes)?
    } else {
        let kp = format!("{at}.keyless");
        let k = child(e, "keyless", at)?.ok_or_else(|| refused(&kp, "expected an object"))?;
        // The attestor-level signatureAlgorithm applies to keyless entries.
        if let Some(alg) = string(e, "signatureAlgorithm", at)? {
            check_algorithm(&alg, &format!("{at}.signatureAlgorithm"))?;
        }
        vec![keyless_entry(k, &kp, notes)?]
    };
    Ok(signers
        .into_iter()
        .map(|signer| {
            let name = at.to_owned();
            match signer {
                Ok((policy, trust)) => {
                    let policy = Policy {
                        storage: defaults.storage,
                        annotations: annotations.clone(),
                        ..policy
                    };
                    Authority::for_signer(name, policy, trust, attestations)
                }
                Err(check) => Authority {
                    name,
                    check: *check,
                    attestations: attestations.to_vec(),
                },
            }
        })
        .collect())
}

/// A signer, or the check standing for it when it cannot verify (`Reject`: Kyverno fails the
/// entry; `Unusable`: sigscope cannot tell).
type Signed = Result<(Policy, TrustOverride), Box<Check>>;

fn fail(check: Check) -> Signed {
    Err(Box::new(check))
}

/// `signatureMap` / `signatureAlgorithmMap`: the hash algorithms Kyverno accepts.
fn check_algorithm(alg: &str, at: &str) -> Result<(), PolicyError> {
    if ["", "sha224", "sha256", "sha384", "sha512"].contains(&alg) {
        Ok(())
    } else {
        Err(refused(at, "Invalid signature algorithm provided"))
    }
}

/// `keys`: every PEM key of `publicKeys` (split after each `-----END PUBLIC KEY-----`), or a
/// secret or KMS reference.
fn keys_entry(
    k: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<Vec<Signed>, PolicyError> {
    STRICT.known_fields(
        k,
        at,
        &[
            "publicKeys",
            "signatureAlgorithm",
            "kms",
            "secret",
            "rekor",
            "ctlog",
        ],
    )?;
    let public = string(k, "publicKeys", at)?.unwrap_or_default();
    let kms = string(k, "kms", at)?.unwrap_or_default();
    let secret = k.get("secret").is_some_and(|v| !v.is_null());
    if public.is_empty() && kms.is_empty() && !secret {
        return Err(refused(at, "A public key, kms key or secret is required"));
    }
    // Keys.SignatureAlgorithm replaces the attestor's (buildCosignVerifier).
    let alg = string(k, "signatureAlgorithm", at)?.unwrap_or_default();
    if !public.is_empty() {
        check_algorithm(&alg, at)?;
    }
    let (tlog, trust) = logs(k, at, notes)?;
    let unusable =
        |why: String| -> Result<Vec<Signed>, PolicyError> { Ok(vec![fail(Check::Unusable(why))]) };
    if public.is_empty() {
        notes.add(
            at,
            NoteKind::Unsupported,
            "a KMS key or Kubernetes secret cannot be read offline: \"could not check\"",
        );
        return unusable("keys.kms or keys.secret cannot be read offline".into());
    }
    if public.contains("{{") {
        notes.add(
            at,
            NoteKind::Unsupported,
            "keys from variables are not resolved: \"could not check\"",
        );
        return unusable("publicKeys names a variable sigscope does not resolve".into());
    }
    if !["", "sha256"].contains(&alg.as_str()) {
        notes.add(at, NoteKind::Unsupported, "signatures hashed with another algorithm than SHA-256 are not verified: \"could not check\"");
        return unusable(format!(
            "signatureAlgorithm {alg} is not verified by sigscope"
        ));
    }
    let pieces: Vec<&str> = match public.matches("-----END PUBLIC KEY-----").count() {
        n if n > 1 => public
            .split_inclusive("-----END PUBLIC KEY-----")
            .take(n)
            .collect(),
        _ => vec![public.as_str()],
    };
    Ok(pieces
        .into_iter()
        .map(|piece| {
            let piece = piece.trim();
            if !piece.starts_with("-----BEGIN PUBLIC KEY-----") {
                // Not PEM: cosign reads it as a key reference (k8s://, a KMS URI, a file).
                let known = [
                    "k8s://",
                    "awskms://",
                    "gcpkms://",
                    "azurekms://",
                    "hashivault://",
                ];
                return if known.iter().any(|p| piece.starts_with(p)) {
                    fail(Check::Unusable(format!(
                        "key reference {piece:?} cannot be read offline"
                    )))
                } else {
                    fail(Check::Reject(format!(
                        "failed to load public key from {piece:?}"
                    )))
                };
            }
            match pem_keys(piece, at).map(|keys| keys.into_iter().next()) {
                Ok(Some(key)) => Ok((
                    Policy {
                        ignore_tlog: tlog.ignore,
                        ..signer_policy(Signer::Key(key))
                    },
                    trust.clone(),
                )),
                _ => fail(Check::Reject("failed to load public key from PEM".into())),
            }
        })
        .collect())
}

/// `keyless`: `KeylessAttestor.Validate` (a Rekor URL or roots), then Kyverno's identity
/// matching: `subject` as a wildcard or `subjectRegExp` (either), `issuer` as a wildcard and
/// `issuerRegExp` (both) on the deprecated `.1` extension, `additionalExtensions` as wildcards
/// on the deprecated `.1`–`.6` extensions. An invalid regexp or an unknown extension fails the
/// entry.
fn keyless_entry(
    k: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<Signed, PolicyError> {
    STRICT.known_fields(
        k,
        at,
        &[
            "subject",
            "issuer",
            "subjectRegExp",
            "issuerRegExp",
            "roots",
            "rekor",
            "ctlog",
            "additionalExtensions",
        ],
    )?;
    let rekor = child(k, "rekor", at)?;
    let roots = string(k, "roots", at)?.filter(|s| !s.is_empty());
    if rekor.is_none() && roots.is_none() {
        return Err(refused(at, "Either Rekor URL or roots are required"));
    }
    if let Some(r) = rekor
        && string(r, "url", &format!("{at}.rekor"))?.is_none_or(|u| u.is_empty())
    {
        return Err(refused(&format!("{at}.rekor"), "An URL is required"));
    }
    let (tlog, mut trust) = logs(k, at, notes)?;
    if let Some(roots) = &roots {
        match pem_certificates(roots, &format!("{at}.roots")) {
            Ok(chain) => trust.fulcio_chain = Some(chain),
            Err(e) => {
                return Ok(fail(Check::Reject(format!(
                    "failed to load Root certificates: {e}"
                ))));
            }
        }
    }
    let wildcard =
        |pattern: &str| Wildcard::compile(pattern).map(|w| Matcher::Regex(w.regex().clone()));
    // The wildcard and the regexp given for a field (an invalid regexp fails the entry).
    let pair = |field: &str| -> Result<Result<Vec<Matcher>, String>, PolicyError> {
        let get = |key: &str| string(k, key, at).map(|v| v.filter(|s| !s.is_empty()));
        let mut out = Vec::new();
        if let Some(w) = get(field)? {
            out.push(wildcard(&w)?);
        }
        if let Some(r) = get(&format!("{field}RegExp"))? {
            match Matcher::regex(&r) {
                Ok(m) => out.push(m),
                Err(e) => return Ok(Err(format!("invalid regexp for {field}: {e}"))),
            }
        }
        Ok(Ok(out))
    };
    if k.contains_key("subjectRegExp") || k.contains_key("issuerRegExp") {
        notes.add(
            at,
            NoteKind::Noted,
            "Kyverno before 1.14 ignored subjectRegExp and issuerRegExp (GO-2025-3562); \
             sigscope applies them, as Kyverno 1.14 and later do",
        );
    }
    let (subject, issuer) = match (pair("subject")?, pair("issuer")?) {
        (Ok(s), Ok(i)) => (s, i),
        (Err(why), _) | (_, Err(why)) => return Ok(fail(Check::Reject(why))),
    };
    let mut claims = Vec::new();
    if !issuer.is_empty() {
        claims.push((
            1,
            "issuer (extension 1.3.6.1.4.1.57264.1.1)".to_owned(),
            Matcher::All(issuer.clone()),
        ));
    }
    for (key, value) in string_map(k, "additionalExtensions", at)? {
        let Some((arc, name)) = extension(&key) else {
            return Ok(fail(Check::Reject(format!(
                "invalid certificate extension {key}"
            ))));
        };
        claims.push((
            arc,
            format!("additionalExtensions.{name}"),
            wildcard(&value)?,
        ));
    }
    let identity = IdentityPolicy {
        // No subject constraint: any SAN (Kyverno skips the check).
        subject: if subject.is_empty() {
            Matcher::All(Vec::new())
        } else {
            Matcher::Any(subject)
        },
        issuer: if issuer.is_empty() {
            Matcher::All(Vec::new())
        } else {
            Matcher::All(issuer)
        },
        github: claims,
    };
    Ok(Ok((
        Policy {
            ignore_tlog: tlog.ignore,
            ignore_sct: tlog.ignore_sct,
            ..signer_policy(Signer::Keyless(identity))
        },
        trust,
    )))
}

/// cosign's `CertExtensionMap`: the deprecated Fulcio extensions by OID or name.
fn extension(key: &str) -> Option<(u32, &'static str)> {
    const NAMES: &[(u32, &str)] = &[
        (1, "oidcIssuer"),
        (2, "githubWorkflowTrigger"),
        (3, "githubWorkflowSha"),
        (4, "githubWorkflowName"),
        (5, "githubWorkflowRepository"),
        (6, "githubWorkflowRef"),
    ];
    NAMES
        .iter()
        .copied()
        .find(|(arc, name)| *name == key || key == format!("1.3.6.1.4.1.57264.1.{arc}"))
}

struct Logs {
    ignore: bool,
    ignore_sct: bool,
}

/// `rekor` and `ctlog`: whether the transparency log and SCTs are checked, and the keys they
/// name (which replace the trusted root's).
fn logs(
    holder: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<(Logs, TrustOverride), PolicyError> {
    let mut trust = TrustOverride {
        origin: at.to_owned(),
        ..TrustOverride::default()
    };
    let mut out = Logs {
        ignore: false,
        ignore_sct: false,
    };
    if let Some(rekor) = child(holder, "rekor", at)? {
        let rp = format!("{at}.rekor");
        STRICT.known_fields(rekor, &rp, &["url", "pubkey", "ignoreTlog"])?;
        out.ignore = boolean(rekor, "ignoreTlog", &rp)?.unwrap_or(false);
        if let Some(pem) = string(rekor, "pubkey", &rp)?.filter(|s| !s.is_empty()) {
            trust.rekor_keys = Some(pem_keys(&pem, &format!("{rp}.pubkey"))?);
        }
        if rekor.contains_key("url") {
            notes.add(
                &format!("{rp}.url"),
                NoteKind::Noted,
                "log entries are checked offline against the given trusted root (or pubkey)",
            );
        }
    }
    if let Some(ctlog) = child(holder, "ctlog", at)? {
        let cp = format!("{at}.ctlog");
        STRICT.known_fields(ctlog, &cp, &["pubkey", "ignoreSCT", "tsaCertChain"])?;
        out.ignore_sct = boolean(ctlog, "ignoreSCT", &cp)?.unwrap_or(false);
        if let Some(pem) = string(ctlog, "pubkey", &cp)?.filter(|s| !s.is_empty()) {
            trust.ctlog_keys = Some(pem_keys(&pem, &format!("{cp}.pubkey"))?);
        }
        if ctlog.contains_key("tsaCertChain") {
            notes.add(
                &format!("{cp}.tsaCertChain"),
                NoteKind::Noted,
                "the given trusted root's timestamp authorities are used",
            );
        }
    }
    Ok((out, trust))
}
