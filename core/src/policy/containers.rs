//! containers/image `policy.json` (podman, skopeo, CRI-O; containers-policy.json(5)), read as
//! `signature/policy_config.go` reads it: unknown and duplicate keys, empty requirement lists and
//! malformed requirements are refused. Semantics (`policy_eval.go`): for an image of the
//! `docker` transport the most specific scope applies — the exact `host/repo:tag` (or
//! `@digest`), then the repository, then ever shorter namespaces, then `*.domain` wildcards of
//! the host without its port, then the transport's `""` scope, then `default`; every
//! requirement of that scope must hold. `sigstoreSigned` verifies cosign signatures with keys or
//! with Fulcio (`caPath`/`caData`, `oidcIssuer`, `subjectEmail`), requires a Rekor SET only when
//! a Rekor key is given, and checks the payload's docker-reference against `signedIdentity`.

mod identity;
mod material;
mod requirement;

pub use identity::{DockerReference, SignedIdentity, remap};

use serde_json::{Map, Value};

use super::document::{NoteKind, Notes, PolicyError, Strictness, object};
use super::glob::ImageName;
use super::model::{Engine, ImageMatch, Rule};

const CONTROLLER: &str = "containers/image";
const STRICT: Strictness = Strictness::Containers;

fn refused(path: &str, rule: impl Into<String>) -> PolicyError {
    PolicyError::refused(path, CONTROLLER, rule)
}

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

/// The scopes containers/image looks up for a docker reference, most specific first
/// (`DockerReferenceIdentity` then `DockerReferenceNamespaces`): the reference, its name and
/// each parent namespace down to the host, then `*.` wildcards of the host's domains with the
/// port removed.
pub fn lookup_order(image: &DockerReference) -> Vec<String> {
    let mut out = Vec::new();
    match (&image.tag, &image.digest) {
        (Some(t), None) => out.push(format!("{}:{t}", image.name)),
        (None, Some(d)) => out.push(format!("{}@{d}", image.name)),
        // A reference with both (or neither) has no identity of its own.
        _ => {}
    }
    let mut name = image.name.as_str();
    loop {
        out.push(name.to_owned());
        match name.rfind('/') {
            Some(i) => name = &name[..i],
            None => break,
        }
    }
    let mut host = name.split(':').next().unwrap_or(name);
    while let Some(i) = host.find('.') {
        host = &host[i + 1..];
        out.push(format!("*.{host}"));
    }
    out
}

impl Scope {
    /// How specifically this scope names `image` (higher wins), or `None` when it does not.
    pub fn specificity(&self, image: &ImageName) -> Option<usize> {
        let scope = match self {
            Scope::Global => return Some(0),
            Scope::TransportDefault => return Some(1),
            Scope::Docker(s) => s.as_str(),
        };
        let order = lookup_order(&DockerReference::of_image(image));
        order
            .iter()
            .position(|s| s == scope)
            .map(|i| 2 + order.len() - i)
    }

    pub fn describe(&self) -> String {
        match self {
            Scope::Global => "default".into(),
            Scope::TransportDefault => "transports.docker[\"\"]".into(),
            Scope::Docker(s) => format!("transports.docker[{s:?}]"),
        }
    }
}

/// Reads a `policy.json`: one rule per scope (the evaluator applies the most specific).
pub fn read(doc: &Map<String, Value>, notes: &mut Notes) -> Result<Vec<Rule>, PolicyError> {
    STRICT.known_fields(doc, "policy.json", &["default", "transports"])?;
    let default = match doc.get("default") {
        None | Some(Value::Null) => {
            return Err(refused("policy.json", "Default policy is missing"));
        }
        Some(d) => requirements(d, "policy.json.default")?,
    };
    let mut rules = vec![scope_rule(
        Scope::Global,
        default,
        "policy.json.default",
        notes,
    )?];
    let transports = match doc.get("transports") {
        None | Some(Value::Null) => return Ok(rules),
        Some(t) => object(t, "policy.json.transports")?,
    };
    for (name, scopes) in transports {
        let tp = format!("policy.json.transports.{name}");
        let scopes = object(scopes, &tp)?;
        for (scope, reqs) in scopes {
            let sp = format!("{tp}[{scope:?}]");
            let reqs = requirements(reqs, &sp)?;
            if !scope.is_empty() {
                transport_scope(name, scope, &sp, notes)?;
            }
            if name != "docker" {
                // Read (and validated) as containers/image does, but only the docker
                // transport names registry images.
                for (i, r) in reqs.iter().enumerate() {
                    requirement::read(r, &format!("{sp}[{i}]"), &mut Notes::default())?;
                }
                notes.add(
                    &tp,
                    NoteKind::Noted,
                    "only the docker (registry) transport applies to registry images",
                );
                continue;
            }
            let s = if scope.is_empty() {
                Scope::TransportDefault
            } else {
                Scope::Docker(scope.clone())
            };
            rules.push(scope_rule(s, reqs, &sp, notes)?);
        }
    }
    Ok(rules)
}

/// Each transport's `ValidatePolicyConfigurationScope`, which refuses the whole policy: path
/// transports want a clean absolute path other than `/`, `docker-archive` no scope at all,
/// `docker-daemon` no digest; `docker` takes anything. Other transports' rules are not checked (noted).
fn transport_scope(
    transport: &str,
    scope: &str,
    at: &str,
    notes: &mut Notes,
) -> Result<(), PolicyError> {
    match transport {
        "dir" | "oci" | "oci-archive" => path_scope(scope, at),
        "docker-archive" => Err(refused(
            at,
            "docker-archive: does not support any scopes except the default \"\" one",
        )),
        "docker-daemon" if scope.parse::<crate::reference::Digest>().is_ok() => Err(refused(
            at,
            format!("docker-daemon: can not use algo:digest value {scope} as a namespace"),
        )),
        "docker" | "docker-daemon" => Ok(()),
        other => {
            notes.add(
                at,
                NoteKind::Noted,
                format!("the {other} transport's scope rules are not checked"),
            );
            Ok(())
        }
    }
}

/// A clean absolute path other than `/` (`dir`, `oci`, `oci-archive`).
fn path_scope(scope: &str, at: &str) -> Result<(), PolicyError> {
    let clean = scope.len() > 1
        && scope.starts_with('/')
        && !scope.ends_with('/')
        && !scope.contains("//")
        && scope.split('/').all(|c| c != "." && c != "..");
    if clean {
        Ok(())
    } else {
        Err(refused(
            at,
            format!("Invalid scope {scope}: must be a clean absolute path other than /"),
        ))
    }
}

/// `PolicyRequirements.UnmarshalJSON`: a non-empty list.
fn requirements<'a>(value: &'a Value, at: &str) -> Result<&'a [Value], PolicyError> {
    let list = value.as_array().ok_or_else(|| {
        refused(
            at,
            format!("expected a list of requirements, found {value}"),
        )
    })?;
    if list.is_empty() {
        return Err(refused(
            at,
            "List of verification policy requirements must not be empty",
        ));
    }
    Ok(list)
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
        .map(|(i, r)| requirement::read(r, &format!("{at}[{i}]"), notes))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rule::new(
        Engine::Containers,
        scope.describe(),
        ImageMatch::Scope(scope),
        groups,
    ))
}
