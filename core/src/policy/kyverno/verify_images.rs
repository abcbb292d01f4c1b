//! One `verifyImages` entry: converted as `ImageVerification.Convert` converts the deprecated
//! fields (`image`, `key`, `issuer`, `subject`, `roots`, `annotations`), validated as
//! `ImageVerification.Validate`, then read into groups of attestors.

use serde_json::{Map, Value};

use super::attestor::{Defaults, attestor_set, empty_attestor};
use super::{STRICT, refused};
use crate::policy::document::{NoteKind, Notes, PolicyError, boolean, child, list, object, string};
use crate::policy::glob::Wildcard;
use crate::policy::model::{AttestationRequirement, Engine, ImageMatch, PolicyText, Rule};
use crate::verify::storage::Storage;

const FIELDS: &[&str] = &[
    "failureAction",
    "type",
    "image",
    "imageReferences",
    "skipImageReferences",
    "key",
    "roots",
    "subject",
    "issuer",
    "additionalExtensions",
    "attestors",
    "attestations",
    "annotations",
    "repository",
    "cosignOCI11",
    "mutateDigest",
    "verifyDigest",
    "validate",
    "required",
    "imageRegistryCredentials",
    "useCache",
];

/// Reads one entry; `audit` is its failure action (Audit entries must not mutate digests).
pub(super) fn read(
    e: &Map<String, Value>,
    at: &str,
    audit: bool,
    notes: &mut Notes,
) -> Result<Rule, PolicyError> {
    STRICT.known_fields(e, at, FIELDS)?;
    let mutate_digest = boolean(e, "mutateDigest", at)?.unwrap_or(true);
    let verify_digest = boolean(e, "verifyDigest", at)?.unwrap_or(true);
    if audit && mutate_digest {
        return Err(refused(
            &format!("{at}.mutateDigest"),
            "mutateDigest must be set to false for ‘Audit’ failure action (it defaults to true)",
        ));
    }
    let kind = string(e, "type", at)?.unwrap_or_else(|| "Cosign".into());
    let storage = match kind.as_str() {
        "Cosign" => Storage {
            oci11_signatures: boolean(e, "cosignOCI11", at)?.unwrap_or(false),
            ..Storage::LEGACY_TAGS.read_by("Kyverno (type: Cosign)")
        },
        "SigstoreBundle" => Storage::BUNDLES_ONLY.read_by("Kyverno (type: SigstoreBundle)"),
        "Notary" => Storage::LEGACY_TAGS.read_by("Kyverno (type: Notary)"),
        other => {
            return Err(refused(
                &format!("{at}.type"),
                format!("{other:?}: supported values: \"Cosign\", \"SigstoreBundle\", \"Notary\""),
            ));
        }
    };
    // ImageVerification.Convert: `image` joins imageReferences; `key` or `issuer` (or
    // `annotations` alongside them) become one attestor set.
    let legacy = ["image", "key", "issuer"]
        .iter()
        .any(|k| string(e, k, at).is_ok_and(|v| v.is_some_and(|s| !s.is_empty())));
    let mut references: Vec<String> = strings(e, "imageReferences", at)?;
    if let Some(image) = string(e, "image", at)?.filter(|s| !s.is_empty()) {
        references.push(image);
    }
    if references.is_empty() {
        return Err(refused(at, "An image reference is required"));
    }
    if let Some(r) = references.iter().find(|r| r.contains("{{")) {
        return Err(refused(
            &format!("{at}.imageReferences"),
            format!("variables are not allowed in image reference ({r:?})"),
        ));
    }
    let include = references
        .iter()
        .map(|r| Wildcard::compile(r))
        .collect::<Result<Vec<_>, _>>()?;
    let exclude = strings(e, "skipImageReferences", at)?
        .iter()
        .map(|r| Wildcard::compile(r))
        .collect::<Result<Vec<_>, _>>()?;
    let annotations = string_map(e, "annotations", at)?;
    if e.contains_key("additionalExtensions") {
        notes.add(
            &format!("{at}.additionalExtensions"),
            NoteKind::Noted,
            "deprecated at this level and not read by Kyverno (only attestors' keyless.additionalExtensions are)",
        );
    }
    if !legacy && has(e, "roots", at)? {
        notes.add(
            &format!("{at}.roots"),
            NoteKind::Noted,
            "not used by Kyverno for keyless attestors (their own roots are) nor for keys",
        );
    }
    let defaults = Defaults {
        storage,
        annotations: annotations.clone(),
        notary: kind == "Notary",
        repository: string(e, "repository", at)?.filter(|s| !s.is_empty()),
    };
    let mut sets: Vec<Value> = list(e, "attestors", at)?.to_vec();
    let attestations = list(e, "attestations", at)?;
    if legacy && (!annotations.is_empty() || has(e, "key", at)? || has(e, "issuer", at)?) {
        let mut entry = serde_json::Map::new();
        if !annotations.is_empty() {
            entry.insert("annotations".into(), e["annotations"].clone());
        }
        if let Some(key) = string(e, "key", at)?.filter(|s| !s.is_empty()) {
            entry.insert("keys".into(), serde_json::json!({ "publicKeys": key }));
        } else if let Some(issuer) = string(e, "issuer", at)?.filter(|s| !s.is_empty()) {
            let mut k = serde_json::json!({ "issuer": issuer });
            for field in ["subject", "roots"] {
                if let Some(v) = string(e, field, at)?.filter(|s| !s.is_empty()) {
                    k[field] = Value::String(v);
                }
            }
            entry.insert("keyless".into(), k);
        }
        // With attestations, Convert's attestor set is lost (it rebuilds the attestations
        // from the unconverted list): only the attestations' own attestors count.
        if attestations.is_empty() {
            sets.push(serde_json::json!({ "entries": [Value::Object(entry)] }));
        } else {
            notes.add(
                at,
                NoteKind::Noted,
                "Kyverno's conversion drops the deprecated key/issuer when attestations are given",
            );
        }
    }
    let mut groups = Vec::new();
    for (s, set) in sets.iter().enumerate() {
        groups.push(attestor_set(
            set,
            &format!("{at}.attestors[{s}]"),
            &defaults,
            &[],
            notes,
        )?);
    }
    let mut unexecuted = Vec::new();
    for (i, att) in attestations.iter().enumerate() {
        let ap = format!("{at}.attestations[{i}]");
        let att = object(att, &ap)?;
        STRICT.known_fields(
            att,
            &ap,
            &["type", "predicateType", "name", "attestors", "conditions"],
        )?;
        let predicate_type = string(att, "type", &ap)?
            .filter(|s| !s.is_empty())
            .or(string(att, "predicateType", &ap)?.filter(|s| !s.is_empty()));
        let Some(predicate_type) = predicate_type else {
            // verifyAttestations: "missing type" fails the rule.
            groups.push(super::attestor::failing(&ap, "missing type"));
            continue;
        };
        if let Some(conditions) = att.get("conditions").filter(|c| !c.is_null()) {
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
        let own = list(att, "attestors", &ap)?;
        if own.is_empty() {
            // "add an empty attestor to allow fetching and checking attestations"
            groups.push(empty_attestor(&ap, &defaults, &requirement));
        }
        for (s, set) in own.iter().enumerate() {
            groups.push(attestor_set(
                set,
                &format!("{ap}.attestors[{s}]"),
                &defaults,
                std::slice::from_ref(&requirement),
                notes,
            )?);
        }
    }
    if let Some(validate) = child(e, "validate", at)? {
        STRICT.known_fields(validate, &format!("{at}.validate"), &["message", "deny"])?;
        unexecuted.push(PolicyText {
            path: format!("{at}.validate"),
            language: "kyverno-deny".into(),
            text: serde_json::to_string_pretty(validate).unwrap_or_default(),
        });
    }
    // validate_image.go: a pod naming a tag is refused when digests are required but not
    // filled in by mutateDigest.
    if verify_digest && !mutate_digest && !groups.is_empty() {
        groups.push(super::attestor::digest_required(at));
    }
    for (field, note) in [
        (
            "useCache",
            "verification results are cached by Kyverno; sigscope always verifies",
        ),
        (
            "imageRegistryCredentials",
            "registry access settings: no effect on the verdict",
        ),
        (
            "required",
            "a failed verification denies whatever `required` says; it only skips Kyverno's later check that the image was verified",
        ),
    ] {
        if e.contains_key(field) {
            notes.add(&format!("{at}.{field}"), NoteKind::Noted, note);
        }
    }
    if mutate_digest {
        notes.add(
            &format!("{at}.mutateDigest"),
            NoteKind::Noted,
            "Kyverno rewrites the admitted pod's image tag to the verified digest",
        );
    }
    Ok(Rule {
        unexecuted,
        ..Rule::new(
            Engine::Kyverno,
            String::new(),
            ImageMatch::Wildcards { include, exclude },
            groups,
        )
    })
}

fn has(e: &Map<String, Value>, key: &str, at: &str) -> Result<bool, PolicyError> {
    Ok(string(e, key, at)?.is_some_and(|s| !s.is_empty()))
}

fn strings(e: &Map<String, Value>, key: &str, at: &str) -> Result<Vec<String>, PolicyError> {
    list(e, key, at)?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| PolicyError::invalid(&format!("{at}.{key}"), "expected strings"))
        })
        .collect()
}

/// A map of strings (annotations).
pub(super) fn string_map(
    e: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Vec<(String, String)>, PolicyError> {
    match child(e, key, at)? {
        Some(map) => map
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => Ok((k.clone(), s.to_owned())),
                None => Err(PolicyError::invalid(
                    &format!("{at}.{key}.{k}"),
                    format!("expected a string, found {v}"),
                )),
            })
            .collect(),
        None => Ok(Vec::new()),
    }
}
