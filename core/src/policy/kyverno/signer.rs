//! One Kyverno attestor entry's signer: `keys` (every PEM key of `publicKeys`, or a KMS or
//! secret reference) and `keyless` (subject, issuer and extension matching), with the `rekor`
//! and `ctlog` options `buildCosignVerifier` gives cosign.

use serde_json::{Map, Value};

use super::verify_images::string_map;
use super::{STRICT, refused};
use crate::policy::document::{NoteKind, Notes, PolicyError, boolean, child, string};
use crate::policy::glob::Wildcard;
use crate::policy::model::{Check, TrustOverride, pem_certificates, pem_keys, signer_policy};
use crate::verify::identity::{Claim, IdentityPolicy, Matcher};
use crate::verify::policy::{Policy, Signer};

/// A signer, or the check standing for it when it cannot verify (`Reject`: Kyverno fails the
/// entry; `Unusable`: sigscope cannot tell).
pub(super) type Signed = Result<(Policy, TrustOverride), Box<Check>>;

fn fail(check: Check) -> Signed {
    Err(Box::new(check))
}

/// `signatureMap` / `signatureAlgorithmMap`: the hash algorithms Kyverno accepts.
pub(super) fn check_algorithm(alg: &str, at: &str) -> Result<(), PolicyError> {
    if ["", "sha224", "sha256", "sha384", "sha512"].contains(&alg) {
        Ok(())
    } else {
        Err(refused(at, "Invalid signature algorithm provided"))
    }
}

/// `keys`: every PEM key of `publicKeys` (split after each `-----END PUBLIC KEY-----`), or a
/// secret or KMS reference.
pub(super) fn keys_entry(
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
pub(super) fn keyless_entry(
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
    // A wildcard compiles to an anchored regexp of escaped literals, `.*` and `.`: the same
    // in Go's syntax as in Rust's.
    let wildcard = |pattern: &str| {
        Wildcard::compile(pattern).and_then(|w| {
            Matcher::regex(w.regex().as_str())
                .map_err(|e| PolicyError::invalid(at, format!("{pattern:?}: {e}")))
        })
    };
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
        claims.push(Claim {
            arc: 1,
            flag: "issuer (extension 1.3.6.1.4.1.57264.1.1)".to_owned(),
            expected: Matcher::All(issuer.clone()),
        });
    }
    for (key, value) in string_map(k, "additionalExtensions", at)? {
        let Some((arc, name)) = extension(&key) else {
            return Ok(fail(Check::Reject(format!(
                "invalid certificate extension {key}"
            ))));
        };
        claims.push(Claim {
            arc,
            flag: format!("additionalExtensions.{name}"),
            expected: wildcard(&value)?,
        });
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
        claims,
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
