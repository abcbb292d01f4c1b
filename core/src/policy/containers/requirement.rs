//! One policy.json requirement, parsed as containers/image parses it
//! (`newPolicyRequirementFromJSON` and each type's strict `UnmarshalJSON`): `insecureAcceptAnything`,
//! `reject`, `signedBy` and `signedBaseLayer` (read, not evaluated) and `sigstoreSigned`
//! (`policy_config_sigstore.go`, evaluated as `policy_eval_sigstore.go` does).

use serde_json::{Map, Value};

use super::identity::SignedIdentity;
use super::material::{Source, bytes, first_key, load, path, rekor_keys, source};
use super::{STRICT, refused};
use crate::policy::document::{NoteKind, Notes, PolicyError, object, string};
use crate::policy::model::{
    Authority, Check, Group, TrustOverride, identity, pem_certificates, signer_policy,
};
use crate::verify::identity::Matcher;
use crate::verify::policy::{Policy, Signer};

/// One requirement as a group of which one authority must match.
pub(super) fn read(value: &Value, at: &str, notes: &mut Notes) -> Result<Group, PolicyError> {
    let r = object(value, at)?;
    let kind = r
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let one = |check: Check| {
        Group::new(
            format!("{at} {kind}"),
            1,
            vec![Authority {
                name: format!("{at} {kind}"),
                check,
                attestations: Vec::new(),
            }],
        )
    };
    match kind.as_str() {
        "insecureAcceptAnything" | "reject" => {
            STRICT.known_fields(r, at, &["type"])?;
            Ok(one(if kind == "reject" {
                Check::Reject("policy.json rejects this scope".into())
            } else {
                Check::Accept
            }))
        }
        "signedBy" => {
            signed_by(r, at)?;
            notes.add(
                at,
                NoteKind::Unsupported,
                "GPG and X.509 signedBy requirements are not evaluated: \"could not check\"",
            );
            Ok(one(Check::Unusable(
                "signedBy (simple signing with GPG or X.509) is not evaluated".into(),
            )))
        }
        "signedBaseLayer" => {
            STRICT.known_fields(r, at, &["type", "baseLayerIdentity"])?;
            let bli = r
                .get("baseLayerIdentity")
                .and_then(Value::as_object)
                .ok_or_else(|| refused(at, "Key \"baseLayerIdentity\" missing in a JSON object"))?;
            SignedIdentity::read(bli, &format!("{at}.baseLayerIdentity"))?;
            notes.add(at, NoteKind::Unsupported, "signedBaseLayer is not evaluated (nor implemented by containers/image, which refuses the image): \"could not check\"");
            Ok(one(Check::Unusable(
                "signedBaseLayer is not evaluated".into(),
            )))
        }
        "sigstoreSigned" => sigstore_signed(r, at, notes),
        other => Err(refused(
            at,
            format!("Unknown policy requirement type {other:?}"),
        )),
    }
}

/// `signedBy`: validated only (GPG and X.509 simple signing is not evaluated).
fn signed_by(r: &Map<String, Value>, at: &str) -> Result<(), PolicyError> {
    STRICT.known_fields(
        r,
        at,
        &[
            "type",
            "keyType",
            "keyPath",
            "keyPaths",
            "keyData",
            "signedIdentity",
        ],
    )?;
    let key_type = string(r, "keyType", at)?.unwrap_or_default();
    if ![
        "GPGKeys",
        "signedByGPGKeys",
        "X509Certificates",
        "signedByX509CAs",
    ]
    .contains(&key_type.as_str())
    {
        return Err(refused(
            &format!("{at}.keyType"),
            format!("invalid keyType {key_type:?}"),
        ));
    }
    let sources = [
        r.contains_key("keyPath"),
        r.contains_key("keyPaths"),
        r.contains_key("keyData"),
    ];
    if sources.iter().filter(|s| **s).count() != 1 {
        return Err(refused(
            at,
            "Exactly one of keyPath, keyPaths and keyData must be specified",
        ));
    }
    bytes(r, "keyData", at)?;
    if let Some(si) = r.get("signedIdentity").and_then(Value::as_object) {
        SignedIdentity::read(si, &format!("{at}.signedIdentity"))?;
    }
    Ok(())
}

fn sigstore_signed(
    r: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<Group, PolicyError> {
    STRICT.known_fields(
        r,
        at,
        &[
            "type",
            "keyPath",
            "keyPaths",
            "keyData",
            "keyDatas",
            "fulcio",
            "pki",
            "rekorPublicKeyPath",
            "rekorPublicKeyPaths",
            "rekorPublicKeyData",
            "rekorPublicKeyDatas",
            "signedIdentity",
        ],
    )?;
    // An explicit `null` reaches the type's UnmarshalJSON, which refuses it.
    for key in ["signedIdentity", "fulcio", "pki"] {
        if r.get(key).is_some_and(Value::is_null) {
            return Err(refused(
                &format!("{at}.{key}"),
                "JSON object expected, got null",
            ));
        }
    }
    let signed_identity = match r.get("signedIdentity") {
        None => SignedIdentity::MatchRepoDigestOrExact,
        Some(si) => SignedIdentity::read(
            object(si, &format!("{at}.signedIdentity"))?,
            &format!("{at}.signedIdentity"),
        )?,
    };
    let (keys, key_source) = source(r, at, "key")?;
    let fulcio = r.get("fulcio");
    let pki = r.get("pki");
    if keys + usize::from(fulcio.is_some()) + usize::from(pki.is_some()) != 1 {
        return Err(refused(
            at,
            "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
        ));
    }
    let (rekors, rekor_source) = source(r, at, "rekorPublicKey")?;
    if rekors > 1 {
        return Err(refused(
            at,
            "at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be used simultaneously",
        ));
    }
    if fulcio.is_some() && rekors == 0 {
        return Err(refused(
            at,
            "At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used",
        ));
    }
    if pki.is_some() && rekors > 0 {
        return Err(refused(
            at,
            "rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas are not supported for pki",
        ));
    }
    let fulcio = match fulcio {
        Some(f) => Some(read_fulcio(
            object(f, &format!("{at}.fulcio"))?,
            &format!("{at}.fulcio"),
        )?),
        None => None,
    };
    if let Some(p) = pki {
        read_pki(object(p, &format!("{at}.pki"))?, &format!("{at}.pki"))?;
    }
    let label = format!("{at} sigstoreSigned");
    let one = |check: Check| {
        Group::new(
            label.clone(),
            1,
            vec![Authority {
                name: label.clone(),
                check,
                attestations: Vec::new(),
            }],
        )
    };
    if pki.is_some() {
        notes.add(
            &format!("{at}.pki"),
            NoteKind::Unsupported,
            "pki roots are not evaluated: \"could not check\"",
        );
        return Ok(one(Check::Unusable(
            "sigstoreSigned with pki is not evaluated".into(),
        )));
    }
    // prepareTrustRoot, at evaluation: unreadable or malformed keys reject the requirement.
    let mut trust = TrustOverride {
        origin: at.to_owned(),
        ..TrustOverride::default()
    };
    if let Some(src) = &rekor_source {
        match load(src)
            .map_err(|e| e.to_string())
            .and_then(|texts| rekor_keys(&texts))
        {
            Ok(keys) => trust.rekor_keys = Some(keys),
            Err(why) => return Ok(one(Check::Reject(why))),
        }
    }
    let base = |signer: Signer| Policy {
        ignore_tlog: rekor_source.is_none(),
        ..signer_policy(signer)
    };
    let check = |policy: Policy, trust: TrustOverride| Check::Signature {
        policy: Box::new(policy),
        trust,
        signed_identity: Some(signed_identity.clone()),
    };
    let mut authorities = Vec::new();
    if let Some(src) = &key_source {
        let texts = match load(src) {
            Ok(t) => t,
            Err(why) => return Ok(one(Check::Reject(why))),
        };
        for (i, text) in texts.iter().enumerate() {
            let Some(key) = first_key(text) else {
                return Ok(one(Check::Reject(format!(
                    "parsing public key {}: not a PEM public key",
                    i + 1
                ))));
            };
            authorities.push(Authority {
                name: format!("{at} key {}", i + 1),
                check: check(base(Signer::Key(key)), trust.clone()),
                attestations: Vec::new(),
            });
        }
    }
    if let Some(f) = fulcio {
        let chain = match load(&f.ca).map(|t| t.concat()) {
            Ok(pem) => pem_certificates(&pem, &format!("{at}.fulcio")).map_err(|e| e.to_string()),
            Err(why) => Err(why),
        };
        match chain {
            Ok(chain) => trust.fulcio_chain = Some(chain),
            Err(why) => return Ok(one(Check::Reject(why))),
        }
        notes.add(
            &format!("{at}.fulcio"),
            NoteKind::Noted,
            "containers/image does not check certificate transparency (SCTs); neither does this evaluation",
        );
        authorities.push(Authority {
            name: format!("{at}.fulcio"),
            check: check(
                Policy {
                    ignore_sct: true,
                    ..base(identity(Matcher::Exact(f.email), Matcher::Exact(f.issuer)))
                },
                trust.clone(),
            ),
            attestations: Vec::new(),
        });
    }
    Ok(Group::new(label, 1, authorities))
}

struct Fulcio {
    ca: Source,
    issuer: String,
    email: String,
}

/// `prSigstoreSignedFulcio.UnmarshalJSON` and `newPRSigstoreSignedFulcio`.
fn read_fulcio(f: &Map<String, Value>, at: &str) -> Result<Fulcio, PolicyError> {
    STRICT.known_fields(f, at, &["caPath", "caData", "oidcIssuer", "subjectEmail"])?;
    let ca_path = path(f, "caPath", at)?;
    let ca_data = bytes(f, "caData", at)?;
    let ca = match (ca_path, ca_data) {
        (Some(_), Some(_)) => {
            return Err(refused(
                at,
                "caPath and caData cannot be used simultaneously",
            ));
        }
        (None, None) => {
            return Err(refused(
                at,
                "At least one of caPath and caData must be specified",
            ));
        }
        (Some(p), None) => Source::Files(vec![p]),
        (None, Some(d)) => Source::Data(vec![d]),
    };
    let issuer = string(f, "oidcIssuer", at)?.unwrap_or_default();
    if issuer.is_empty() {
        return Err(refused(at, "oidcIssuer not specified"));
    }
    let email = string(f, "subjectEmail", at)?.unwrap_or_default();
    if email.is_empty() {
        return Err(refused(at, "subjectEmail not specified"));
    }
    Ok(Fulcio { ca, issuer, email })
}

/// `newPRSigstoreSignedPKI`: validated only.
fn read_pki(p: &Map<String, Value>, at: &str) -> Result<(), PolicyError> {
    STRICT.known_fields(
        p,
        at,
        &[
            "caRootsPath",
            "caRootsData",
            "caIntermediatesPath",
            "caIntermediatesData",
            "subjectEmail",
            "subjectHostname",
        ],
    )?;
    let roots = (
        path(p, "caRootsPath", at)?.is_some(),
        bytes(p, "caRootsData", at)?.is_some(),
    );
    match roots {
        (true, true) => {
            return Err(refused(
                at,
                "caRootsPath and caRootsData cannot be used simultaneously",
            ));
        }
        (false, false) => {
            return Err(refused(
                at,
                "At least one of caRootsPath and caRootsData must be specified",
            ));
        }
        _ => {}
    }
    if path(p, "caIntermediatesPath", at)?.is_some()
        && bytes(p, "caIntermediatesData", at)?.is_some()
    {
        return Err(refused(
            at,
            "caIntermediatesPath and caIntermediatesData cannot be used simultaneously",
        ));
    }
    let named = |k: &str| string(p, k, at).map(|v| v.is_some_and(|s| !s.is_empty()));
    if !named("subjectEmail")? && !named("subjectHostname")? {
        return Err(refused(
            at,
            "At least one of subjectEmail, subjectHostname must be specified",
        ));
    }
    Ok(())
}
