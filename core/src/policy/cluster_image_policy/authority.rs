//! One `ClusterImagePolicy` authority: validated as `Authority.Validate` and its parts are,
//! then mapped onto verifier policies with the webhook's options
//! (`checkOptsFromAuthority`, `rekorClientAndKeysFromAuthority`).

use serde_json::{Map, Value};

use super::key::{KeyMaterial, key_ref};
use super::{STRICT, policy_text, refused};
use crate::policy::document::{NoteKind, Notes, PolicyError, boolean, child, list, object, string};
use crate::policy::model::{
    AttestationRequirement, Authority, Check, TrustOverride, identity, matcher, signer_policy,
};
use crate::verify::identity::Matcher;
use crate::verify::policy::{Policy, Signer};
use crate::verify::storage::Storage;

const FIELDS: &[&str] = &[
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
pub(super) fn read(
    index: usize,
    value: &Value,
    at: &str,
    notes: &mut Notes,
) -> Result<Vec<Authority>, PolicyError> {
    let a = object(value, at)?;
    STRICT.known_fields(a, at, FIELDS)?;
    let name = string(a, "name", at)?
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("authority-{index}"));
    let present = |k: &str| a.get(k).is_some_and(|v| !v.is_null());
    let kinds: Vec<&str> = ["key", "keyless", "static"]
        .into_iter()
        .filter(|k| present(k))
        .collect();
    match kinds.len() {
        0 => {
            return Err(refused(
                at,
                "expected exactly one, got neither: key, keyless, static",
            ));
        }
        1 => {}
        _ => {
            return Err(refused(
                at,
                format!("expected exactly one, got both: {}", kinds.join(", ")),
            ));
        }
    }
    if present("static") {
        for other in ["attestations", "source", "ctlog", "rfc3161timestamp"] {
            if present(other) {
                return Err(refused(
                    at,
                    format!("expected exactly one, got both: static, {other}"),
                ));
            }
        }
    }
    let sources = list(a, "source", at)?;
    if sources.len() > 1 {
        return Err(refused(
            &format!("{at}.source"),
            "invalid value: source: only single source is supported",
        ));
    }
    for (i, s) in sources.iter().enumerate() {
        validate_source(s, &format!("{at}.source[{i}]"))?;
    }
    let attestations = list(a, "attestations", at)?
        .iter()
        .enumerate()
        .map(|(i, v)| attestation(v, &format!("{at}.attestations[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let tlog = tlog_setting(a, at, notes)?;
    let storage = match string(a, "signatureFormat", at)?.as_deref() {
        None | Some("") | Some("legacy") => {
            Storage::LEGACY_TAGS.read_by("policy-controller (signatureFormat: legacy)")
        }
        Some("bundle") => {
            Storage::BUNDLES_ONLY.read_by("policy-controller (signatureFormat: bundle)")
        }
        Some(other) => {
            return Err(refused(
                &format!("{at}.signatureFormat"),
                format!("invalid value: {other}: expected legacy or bundle"),
            ));
        }
    };
    if let Some(st) = child(a, "static", at)? {
        return Ok(vec![Authority {
            name,
            check: static_check(st, &format!("{at}.static"))?,
            attestations: Vec::new(),
        }]);
    }
    let unusable = |why: String| {
        Ok(vec![Authority {
            name: name.clone(),
            check: Check::Unusable(why),
            attestations: attestations.clone(),
        }])
    };
    // The webhook refuses the new bundle format for anything but keyless authorities.
    let bundle_with_key =
        storage.bundles == crate::verify::storage::Bundles::Only && present("key");
    let finish = |policy: Policy, trust: TrustOverride, label: String| {
        let policy = Policy {
            ignore_tlog: policy.ignore_tlog || tlog.ignore(present("keyless")),
            storage,
            ..policy
        };
        if bundle_with_key {
            return Authority {
                name: label,
                check: Check::Reject(
                    "when using the new bundle format, the authority must be keyless".into(),
                ),
                attestations: Vec::new(),
            };
        }
        Authority::for_signer(label, policy, trust, &attestations)
    };
    let authorities = if let Some(key) = child(a, "key", at)? {
        let kp = format!("{at}.key");
        match key_ref(key, &kp, notes)? {
            KeyMaterial::Keys(keys, hash) => {
                if let Some(h) = hash {
                    notes.add(
                        &format!("{kp}.hashAlgorithm"),
                        NoteKind::Unsupported,
                        "signatures hashed with another algorithm than SHA-256 are not verified: \"could not check\"",
                    );
                    return unusable(format!("key.hashAlgorithm {h} is not verified by sigscope"));
                }
                Ok(keys
                    .into_iter()
                    .map(|k| {
                        finish(
                            signer_policy(Signer::Key(k)),
                            TrustOverride::default(),
                            name.clone(),
                        )
                    })
                    .collect())
            }
            KeyMaterial::Elsewhere(why) => unusable(why),
        }
    } else {
        let keyless =
            child(a, "keyless", at)?.ok_or_else(|| refused(at, "keyless must be an object"))?;
        keyless_authorities(keyless, &format!("{at}.keyless"), &name, notes, finish)
    }?;
    // The webhook then requires an RFC 3161 timestamp on every signature, and skips the log:
    // sigscope verifies timestamps that are there but cannot require one.
    if tlog.timestamps {
        notes.add(
            &format!("{at}.rfc3161timestamp"),
            NoteKind::Unsupported,
            "signed timestamps required instead of the log: not enforced by sigscope, \"could not check\"",
        );
        return unusable(
            "rfc3161timestamp: signed timestamps are required, which sigscope cannot enforce"
                .into(),
        );
    }
    // Validated like any other; but the signatures would be read from elsewhere.
    if !sources.is_empty() {
        notes.add(
            &format!("{at}.source"),
            NoteKind::Unsupported,
            "signatures kept in another repository are not read: this authority is \"could not check\"",
        );
        return unusable("source[].oci: signatures kept in another repository are not read".into());
    }
    Ok(authorities)
}

/// The transparency-log setting (`rekorClientAndKeysFromAuthority`).
struct Tlog {
    ctlog: Option<(bool, bool)>,
    trust_root_ref: bool,
    timestamps: bool,
}

impl Tlog {
    /// Whether the webhook skips the transparency log: no `ctlog` on a key authority (or on a
    /// keyless one naming a `trustRootRef`), a `ctlog` with neither `url` nor `trustRootRef`,
    /// or an `rfc3161timestamp` with a `trustRootRef`.
    fn ignore(&self, keyless: bool) -> bool {
        let without_ctlog = match self.ctlog {
            None => !keyless || self.trust_root_ref,
            Some((url, root)) => !url && !root,
        };
        without_ctlog || self.timestamps
    }
}

fn tlog_setting(a: &Map<String, Value>, at: &str, notes: &mut Notes) -> Result<Tlog, PolicyError> {
    let ctlog = match child(a, "ctlog", at)? {
        Some(c) => {
            let cp = format!("{at}.ctlog");
            STRICT.known_fields(c, &cp, &["url", "trustRootRef"])?;
            let url = string(c, "url", &cp)?.is_some_and(|u| !u.is_empty());
            let root = string(c, "trustRootRef", &cp)?.is_some_and(|r| !r.is_empty());
            if url || root {
                notes.add(
                    &cp,
                    NoteKind::Noted,
                    "log entries are checked offline against the given trusted root",
                );
            }
            Some((url, root))
        }
        None => None,
    };
    let trust_root_ref = child(a, "keyless", at)?
        .and_then(|k| k.get("trustRootRef"))
        .and_then(Value::as_str)
        .is_some_and(|r| !r.is_empty());
    let mut timestamps = false;
    if let Some(ts) = child(a, "rfc3161timestamp", at)? {
        let tp = format!("{at}.rfc3161timestamp");
        STRICT.known_fields(ts, &tp, &["trustRootRef"])?;
        timestamps = string(ts, "trustRootRef", &tp)?.is_some_and(|r| !r.is_empty());
    }
    Ok(Tlog {
        ctlog,
        trust_root_ref,
        timestamps,
    })
}

/// `Source.Validate`: `oci` a registry or repository name, pull secrets named.
fn validate_source(value: &Value, at: &str) -> Result<(), PolicyError> {
    let s = object(value, at)?;
    STRICT.known_fields(s, at, &["oci", "signaturePullSecrets", "tagPrefix"])?;
    if let Some(oci) = string(s, "oci", at)?.filter(|o| !o.is_empty()) {
        let ok = match oci.split_once('/') {
            Some((host, _)) if host.contains('.') || host.contains(':') => {
                crate::target::parse_image_reference(&oci)
                    .is_ok_and(|(_, t, d)| t.is_none() && d.is_none())
            }
            _ => {
                !oci.contains('/')
                    && crate::target::parse_image_reference(&format!("{oci}/x")).is_ok()
            }
        };
        if !ok {
            return Err(refused(
                &format!("{at}.oci"),
                format!("invalid value: {oci}: not a registry or repository name"),
            ));
        }
    }
    for (i, secret) in list(s, "signaturePullSecrets", at)?.iter().enumerate() {
        let named = secret
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        if !named {
            return Err(refused(
                &format!("{at}.signaturePullSecrets[{i}]"),
                "missing field(s): name",
            ));
        }
    }
    Ok(())
}

/// `StaticRef.Validate`: `action` pass or fail.
fn static_check(st: &Map<String, Value>, at: &str) -> Result<Check, PolicyError> {
    STRICT.known_fields(st, at, &["action", "message"])?;
    match string(st, "action", at)?.unwrap_or_default().as_str() {
        "pass" => Ok(Check::Accept),
        "fail" => Ok(Check::Reject(
            string(st, "message", at)?.unwrap_or_else(|| "static action fail".into()),
        )),
        "" => Err(refused(at, "missing field(s): action")),
        other => Err(refused(
            &format!("{at}.action"),
            format!("invalid value: {other}: unsupported action"),
        )),
    }
}

/// `Attestation.Validate`: a name and a predicate type; its policy validated outside the spec.
fn attestation(value: &Value, at: &str) -> Result<AttestationRequirement, PolicyError> {
    let a = object(value, at)?;
    STRICT.known_fields(a, at, &["name", "predicateType", "policy"])?;
    let name = string(a, "name", at)?.unwrap_or_default();
    if name.is_empty() {
        return Err(refused(at, "missing field(s): name"));
    }
    let predicate_type = string(a, "predicateType", at)?.unwrap_or_default();
    if predicate_type.is_empty() {
        return Err(refused(at, "missing field(s): predicateType"));
    }
    let text = match child(a, "policy", at)? {
        Some(p) => Some(policy_text(p, &format!("{at}.policy"), false)?),
        None => None,
    };
    Ok(AttestationRequirement {
        name,
        predicate_type,
        policy: None,
        text,
    })
}

/// `KeylessRef.Validate` (after defaulting: no `url` and no `ca-cert` means Fulcio's URL),
/// then one authority per identity.
fn keyless_authorities(
    keyless: &Map<String, Value>,
    at: &str,
    name: &str,
    notes: &mut Notes,
    finish: impl Fn(Policy, TrustOverride, String) -> Authority,
) -> Result<Vec<Authority>, PolicyError> {
    STRICT.known_fields(
        keyless,
        at,
        &[
            "url",
            "identities",
            "ca-cert",
            "trustRootRef",
            "insecureIgnoreSCT",
        ],
    )?;
    let url = keyless.get("url").is_some_and(|v| !v.is_null());
    let ca = child(keyless, "ca-cert", at)?;
    if url && ca.is_some() {
        return Err(refused(at, "expected exactly one, got both: ca-cert, url"));
    }
    let identities = list(keyless, "identities", at)?;
    if identities.is_empty() {
        return Err(refused(at, "missing field(s): identities"));
    }
    let mut matchers = Vec::new();
    for (i, id) in identities.iter().enumerate() {
        matchers.push(identity_matchers(id, &format!("{at}.identities[{i}]"))?);
    }
    for field in ["url", "trustRootRef"] {
        if keyless.contains_key(field) {
            notes.add(
                &format!("{at}.{field}"),
                NoteKind::Noted,
                "the Fulcio roots of the given trusted root are used",
            );
        }
    }
    if let Some(ca) = ca {
        let cp = format!("{at}.ca-cert");
        // Validated as a KeyRef (inline data must be a public key), but the webhook verifies
        // against Fulcio's roots (or the trustRootRef's), never against ca-cert.
        let _ = key_ref(ca, &cp, &mut Notes::default())?;
        notes.add(
            &cp,
            NoteKind::Noted,
            "not used by policy-controller's webhook to verify: the given trusted root's Fulcio CAs are",
        );
    }
    let trust = TrustOverride::default();
    let ignore_sct = boolean(keyless, "insecureIgnoreSCT", at)?.unwrap_or(false);
    let count = matchers.len();
    Ok(matchers
        .into_iter()
        .enumerate()
        .map(|(i, (subject, issuer))| {
            let policy = Policy {
                ignore_sct,
                ..signer_policy(identity(subject, issuer))
            };
            let label = if count == 1 {
                name.to_owned()
            } else {
                format!("{name} identity {}", i + 1)
            };
            finish(policy, trust.clone(), label)
        })
        .collect())
}

/// `Identity.Validate`: one of issuer / issuerRegExp and one of subject / subjectRegExp, the
/// regexps valid.
fn identity_matchers(value: &Value, at: &str) -> Result<(Matcher, Matcher), PolicyError> {
    let id = object(value, at)?;
    STRICT.known_fields(
        id,
        at,
        &["issuer", "subject", "issuerRegExp", "subjectRegExp"],
    )?;
    let get = |k: &str| string(id, k, at).map(|v| v.filter(|s| !s.is_empty()));
    let pair = |exact: Option<String>, re: Option<String>, field: &str| match (&exact, &re) {
        (Some(_), Some(_)) => Err(refused(
            at,
            format!("expected exactly one, got both: {field}, {field}RegExp"),
        )),
        (None, None) => Err(refused(
            at,
            format!("missing field(s): {field}, {field}RegExp"),
        )),
        _ => matcher(exact, re, at, field).map_err(|e| {
            refused(
                &format!("{at}.{field}RegExp"),
                format!("regex is invalid: {e}"),
            )
        }),
    };
    let issuer = pair(get("issuer")?, get("issuerRegExp")?, "issuer")?;
    let subject = pair(get("subject")?, get("subjectRegExp")?, "subject")?;
    Ok((subject, issuer))
}
