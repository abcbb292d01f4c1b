//! containers/image `policy.json` (podman, skopeo, CRI-O; containers-policy.json(5)).
//! Semantics: for an image of the `docker` transport the most specific scope applies — an exact
//! `host/repo:tag` (or `@digest`), then the repository, then ever shorter namespaces, then
//! `*.domain` wildcards, then the transport's `""` scope, then `default`; every requirement of
//! that scope must hold. `sigstoreSigned` verifies cosign signatures with a key or with Fulcio
//! (`caPath`/`caData`, `oidcIssuer`, `subjectEmail`), requires a Rekor SET only when a Rekor key
//! is given, and checks the payload's docker-reference against `signedIdentity`.

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Map, Value};

use super::document::{NoteKind, Notes, PolicyError, child, list, object, string};
use super::glob::ImageName;
use super::model::{
    Authority, Check, Engine, Group, ImageMatch, Rule, TrustOverride, identity, pem_certificates,
    pem_keys, signer_policy,
};
use crate::target::{Selector, Target};
use crate::verify::identity::Matcher;
use crate::verify::policy::{Policy, Signer};

/// A scope of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `default`
    Global,
    /// `transports.docker[""]`
    TransportDefault,
    /// `transports.docker[SCOPE]`
    Docker(String),
}

impl Scope {
    /// How specifically this scope names `image` (higher wins), or `None` when it does not.
    pub fn specificity(&self, image: &ImageName) -> Option<usize> {
        let scope = match self {
            Scope::Global => return Some(0),
            Scope::TransportDefault => return Some(1),
            Scope::Docker(s) => s.as_str(),
        };
        let repository = image.repository_qualified();
        let last = scope.rsplit('/').next().unwrap_or(scope);
        if scope.contains('/') && (last.contains(':') || last.contains('@')) {
            return (scope == image.qualified()).then_some(100_000);
        }
        if scope == repository {
            return Some(90_000);
        }
        if repository.starts_with(&format!("{scope}/")) {
            return Some(10_000 + scope.len());
        }
        let host = &image.repository.registry;
        if let Some(domain) = scope.strip_prefix("*.")
            && !scope.contains('/')
            && host.ends_with(&format!(".{domain}"))
        {
            return Some(1_000 + scope.len());
        }
        None
    }

    pub fn describe(&self) -> String {
        match self {
            Scope::Global => "default".into(),
            Scope::TransportDefault => "transports.docker[\"\"]".into(),
            Scope::Docker(s) => format!("transports.docker[{s:?}]"),
        }
    }
}

/// What the signed payload's `docker-reference` must name (`signedIdentity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SignedIdentity {
    /// The default: the same repository when the image is pulled by digest, else the same
    /// repository and tag.
    MatchRepoDigestOrExact,
    MatchRepository,
    MatchExact,
    ExactReference {
        reference: String,
    },
    ExactRepository {
        repository: String,
    },
}

impl SignedIdentity {
    /// Checks the payload's `docker-reference` against the image: `Err((expected, actual))`.
    pub fn check(&self, image: &ImageName, signed: &str) -> Result<String, (String, String)> {
        let parsed = Target::parse(signed).ok();
        let (signed_repo, signed_full) = match &parsed {
            Some(Target::Image {
                repository,
                selector: Selector::Tag(t),
            }) => (repository.to_string(), Some(format!("{repository}:{t}"))),
            Some(Target::Image {
                repository,
                selector: Selector::Digest(d),
            }) => (repository.to_string(), Some(format!("{repository}@{d}"))),
            Some(Target::Repository { repository }) => (repository.to_string(), None),
            _ => (signed.to_owned(), None),
        };
        let repo = image.repository_qualified();
        let full = image.qualified();
        let (ok, expected) = match self {
            SignedIdentity::MatchRepository => (signed_repo == repo, repo),
            SignedIdentity::MatchExact => (signed_full.as_deref() == Some(&full), full),
            SignedIdentity::MatchRepoDigestOrExact if image.tag.is_none() => {
                (signed_repo == repo, repo)
            }
            SignedIdentity::MatchRepoDigestOrExact => (signed_full.as_deref() == Some(&full), full),
            SignedIdentity::ExactReference { reference } => (
                signed_full.as_deref() == Some(reference.as_str()),
                reference.clone(),
            ),
            SignedIdentity::ExactRepository { repository } => {
                (&signed_repo == repository, repository.clone())
            }
        };
        if ok {
            Ok(format!("the payload names {signed}"))
        } else {
            Err((expected, signed.to_owned()))
        }
    }
}

/// Reads a `policy.json`: one rule per scope (the evaluator applies the most specific).
pub fn read(doc: &Map<String, Value>, notes: &mut Notes) -> Result<Vec<Rule>, PolicyError> {
    notes.unknown_fields(doc, "policy.json", &["default", "transports"]);
    let default = list(doc, "default", "policy.json")?;
    if default.is_empty() {
        return Err(PolicyError::invalid(
            "policy.json.default",
            "a policy.json needs a non-empty default (containers/image refuses it otherwise)",
        ));
    }
    let mut rules = vec![scope_rule(
        Scope::Global,
        default,
        "policy.json.default",
        notes,
    )?];
    if let Some(transports) = child(doc, "transports", "policy.json")? {
        for (name, scopes) in transports {
            let tp = format!("policy.json.transports.{name}");
            if name != "docker" {
                notes.add(
                    &tp,
                    NoteKind::Unsupported,
                    "only the docker (registry) transport is evaluated",
                );
                continue;
            }
            for (scope, reqs) in object(scopes, &tp)? {
                let sp = format!("{tp}[{scope:?}]");
                let reqs = reqs
                    .as_array()
                    .ok_or_else(|| PolicyError::invalid(&sp, "expected a list of requirements"))?;
                let s = if scope.is_empty() {
                    Scope::TransportDefault
                } else {
                    Scope::Docker(scope.clone())
                };
                rules.push(scope_rule(s, reqs, &sp, notes)?);
            }
        }
    }
    Ok(rules)
}

fn scope_rule(
    scope: Scope,
    reqs: &[Value],
    at: &str,
    notes: &mut Notes,
) -> Result<Rule, PolicyError> {
    let groups = reqs
        .iter()
        .enumerate()
        .map(|(i, r)| requirement(r, &format!("{at}[{i}]"), notes))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rule {
        engine: Engine::Containers,
        source: scope.describe(),
        images: ImageMatch::Scope(scope),
        enforce: true,
        required: true,
        groups,
        unexecuted: Vec::new(),
    })
}

fn requirement(value: &Value, at: &str, notes: &mut Notes) -> Result<Group, PolicyError> {
    let r = object(value, at)?;
    let kind = string(r, "type", at)?.ok_or_else(|| PolicyError::invalid(at, "no type"))?;
    let one = |check: Check| Group {
        label: format!("{at} {kind}"),
        need: 1,
        authorities: vec![Authority {
            name: format!("{at} {kind}"),
            check,
            attestations: Vec::new(),
        }],
    };
    match kind.as_str() {
        "insecureAcceptAnything" => {
            notes.unknown_fields(r, at, &["type"]);
            Ok(one(Check::Accept))
        }
        "reject" => {
            notes.unknown_fields(r, at, &["type"]);
            Ok(one(Check::Reject("policy.json rejects this scope".into())))
        }
        "sigstoreSigned" => sigstore_signed(r, at, notes),
        other => {
            notes.add(
                at,
                NoteKind::Unsupported,
                format!("requirement type {other:?} is not evaluated"),
            );
            Ok(one(Check::Unusable(format!(
                "requirement type {other:?} is not evaluated"
            ))))
        }
    }
}

fn read_file(path: &str, at: &str) -> Result<String, PolicyError> {
    std::fs::read_to_string(path).map_err(|e| PolicyError::invalid(at, format!("{path}: {e}")))
}

fn base64_text(data: &str, at: &str) -> Result<String, PolicyError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| PolicyError::invalid(at, format!("not base64: {e}")))?;
    String::from_utf8(bytes).map_err(|_| PolicyError::invalid(at, "not UTF-8 PEM"))
}

/// PEM text from `NAMEPath`, `NAMEPaths`, `NAMEData` or `NAMEDatas` (base64), in that order.
fn pem_sources(
    r: &Map<String, Value>,
    at: &str,
    name: &str,
) -> Result<Vec<(String, String)>, PolicyError> {
    let mut out = Vec::new();
    if let Some(p) = string(r, &format!("{name}Path"), at)? {
        out.push((format!("{at}.{name}Path"), read_file(&p, at)?));
    }
    for (i, p) in list(r, &format!("{name}Paths"), at)?.iter().enumerate() {
        let p = p
            .as_str()
            .ok_or_else(|| PolicyError::invalid(at, "expected paths"))?;
        out.push((format!("{at}.{name}Paths[{i}]"), read_file(p, at)?));
    }
    if let Some(d) = string(r, &format!("{name}Data"), at)? {
        out.push((format!("{at}.{name}Data"), base64_text(&d, at)?));
    }
    for (i, d) in list(r, &format!("{name}Datas"), at)?.iter().enumerate() {
        let d = d
            .as_str()
            .ok_or_else(|| PolicyError::invalid(at, "expected base64 strings"))?;
        out.push((format!("{at}.{name}Datas[{i}]"), base64_text(d, at)?));
    }
    Ok(out)
}

fn sigstore_signed(
    r: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<Group, PolicyError> {
    notes.unknown_fields(
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
    );
    let signed_identity = match child(r, "signedIdentity", at)? {
        None => SignedIdentity::MatchRepoDigestOrExact,
        Some(si) => signed_identity(si, &format!("{at}.signedIdentity"), notes)?,
    };
    let mut trust = TrustOverride {
        origin: at.to_owned(),
        ..TrustOverride::default()
    };
    let rekor = pem_sources(r, at, "rekorPublicKey")?;
    if !rekor.is_empty() {
        let mut keys = Vec::new();
        for (p, pem) in &rekor {
            keys.extend(pem_keys(pem, p)?);
        }
        trust.rekor_keys = Some(keys);
    }
    let base = |signer: Signer| Policy {
        ignore_tlog: rekor.is_empty(),
        ..signer_policy(signer)
    };
    let mut policies = Vec::new();
    for (p, pem) in pem_sources(r, at, "key")? {
        for key in pem_keys(&pem, &p)? {
            policies.push((p.clone(), base(Signer::Key(key))));
        }
    }
    if let Some(f) = child(r, "fulcio", at)? {
        let fp = format!("{at}.fulcio");
        notes.unknown_fields(f, &fp, &["caPath", "caData", "oidcIssuer", "subjectEmail"]);
        if rekor.is_empty() {
            return Err(PolicyError::invalid(
                &fp,
                "fulcio needs rekorPublicKeyPath or rekorPublicKeyData",
            ));
        }
        let ca = pem_sources(f, &fp, "ca")?;
        let (cp, pem) = ca
            .first()
            .ok_or_else(|| PolicyError::invalid(&fp, "fulcio needs caPath or caData"))?;
        trust.fulcio_chain = Some(pem_certificates(pem, cp)?);
        let issuer = string(f, "oidcIssuer", &fp)?
            .ok_or_else(|| PolicyError::invalid(&fp, "no oidcIssuer"))?;
        let email = string(f, "subjectEmail", &fp)?
            .ok_or_else(|| PolicyError::invalid(&fp, "no subjectEmail"))?;
        notes.add(
            &fp,
            NoteKind::Noted,
            "containers/image does not check certificate transparency (SCTs); neither does this evaluation",
        );
        policies.push((
            fp,
            Policy {
                ignore_sct: true,
                ..base(identity(Matcher::Exact(email), Matcher::Exact(issuer)))
            },
        ));
    }
    if r.contains_key("pki") {
        notes.add(
            &format!("{at}.pki"),
            NoteKind::Unsupported,
            "pki roots are not evaluated",
        );
    }
    if policies.is_empty() {
        return Err(PolicyError::invalid(
            at,
            "sigstoreSigned needs a key or fulcio",
        ));
    }
    Ok(Group {
        label: format!("{at} sigstoreSigned"),
        need: 1,
        authorities: policies
            .into_iter()
            .map(|(name, policy)| Authority {
                name,
                check: Check::Signature {
                    policy: Box::new(policy),
                    trust: trust.clone(),
                    signed_identity: Some(signed_identity.clone()),
                },
                attestations: Vec::new(),
            })
            .collect(),
    })
}

fn signed_identity(
    si: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<SignedIdentity, PolicyError> {
    let kind = string(si, "type", at)?.ok_or_else(|| PolicyError::invalid(at, "no type"))?;
    let (identity, known): (SignedIdentity, &[&str]) = match kind.as_str() {
        "matchRepoDigestOrExact" => (SignedIdentity::MatchRepoDigestOrExact, &["type"]),
        "matchRepository" => (SignedIdentity::MatchRepository, &["type"]),
        "matchExact" => (SignedIdentity::MatchExact, &["type"]),
        "exactReference" => (
            SignedIdentity::ExactReference {
                reference: string(si, "dockerReference", at)?
                    .ok_or_else(|| PolicyError::invalid(at, "no dockerReference"))?,
            },
            &["type", "dockerReference"],
        ),
        "exactRepository" => (
            SignedIdentity::ExactRepository {
                repository: string(si, "dockerRepository", at)?
                    .ok_or_else(|| PolicyError::invalid(at, "no dockerRepository"))?,
            },
            &["type", "dockerRepository"],
        ),
        other => {
            return Err(PolicyError::invalid(
                at,
                format!("signedIdentity type {other:?} is not supported"),
            ));
        }
    };
    notes.unknown_fields(si, at, known);
    Ok(identity)
}
