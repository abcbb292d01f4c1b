//! Kyverno attestors: an attestor set (`count` of its `entries`, the static keys of one entry
//! split one per key as `ExpandStaticKeys` does) and one entry (`keys`, `keyless`, a nested
//! `attestor`), validated as `AttestorSet.Validate` / `Attestor.Validate` and mapped onto verifier
//! policies with the options `buildCosignVerifier` gives cosign.

use serde_json::{Map, Value};

use super::signer::{check_algorithm, keyless_entry, keys_entry};
use super::verify_images::string_map;
use super::{STRICT, refused};
use crate::policy::document::{NoteKind, Notes, PolicyError, child, list, object, string};
use crate::policy::model::{
    AttestationRequirement, Authority, Check, Group, TrustOverride, signer_policy,
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
            claims: Vec::new(),
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
