//! Admission policies: what a cluster (or podman/CRI-O) would admit, and the policy that
//! admits a given signer.
//!
//! [`read_policies`] reads Sigstore policy-controller `ClusterImagePolicy` documents, Kyverno
//! `ClusterPolicy`/`Policy` rules with `verifyImages`, containers' `policy.json` and Connaisseur
//! configurations into one model ([`model`]). A policy the controller would refuse is refused
//! ([`document::PolicyError::Refused`], naming the field and the controller's rule); a field
//! sigscope does not evaluate is reported by name ([`document::FieldNote`]) and makes the
//! verdicts it could change "could not check" — never "admitted". [`evaluate::decide`] maps
//! each authority or attestor onto the existing verifier ([`crate::verify`]) — there is no
//! second verifier — and combines the results as each admission controller does. [`generate`]
//! writes the policy (or cosign command) for a signer.

pub mod authority;
pub mod cluster_image_policy;
pub mod connaisseur;
pub mod containers;
pub mod document;
pub mod evaluate;
pub mod generate;
pub mod glob;
pub mod kyverno;
pub mod model;

#[cfg(test)]
mod decision_tests;
#[cfg(test)]
mod tests;

use document::{Notes, PolicyError, load};
use model::Engine;
pub use model::PolicySet;

/// Reads every document of a policy file.
pub fn read_policies(text: &str) -> Result<PolicySet, PolicyError> {
    let mut set = PolicySet::default();
    let mut notes = Notes::default();
    for (i, doc) in load(text)?.iter().enumerate() {
        let map = document::object(doc, &format!("document {}", i + 1))?;
        let kind = map.get("kind").and_then(|v| v.as_str()).unwrap_or_default();
        let api = map
            .get("apiVersion")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let engine = if kind == cluster_image_policy::KIND
            && api.starts_with(cluster_image_policy::API_GROUP)
        {
            set.rules.push(cluster_image_policy::read(map, &mut notes)?);
            Engine::PolicyController
        } else if kyverno::KINDS.contains(&kind) && api.starts_with(kyverno::API_GROUP) {
            set.rules.extend(kyverno::read(map, kind, i, &mut notes)?);
            Engine::Kyverno
        } else if kind.is_empty() && api.is_empty() && map.contains_key("default") {
            set.rules.extend(containers::read(map, &mut notes)?);
            Engine::Containers
        } else if kind.is_empty() && api.is_empty() && connaisseur::is_configuration(map) {
            set.rules.extend(connaisseur::read(map, &mut notes)?);
            Engine::Connaisseur
        } else {
            return Err(PolicyError::UnknownKind {
                index: i + 1,
                kind: kind.to_owned(),
                api_version: api.to_owned(),
            });
        };
        if !set.engines.contains(&engine) {
            set.engines.push(engine);
        }
    }
    set.notes = notes.0;
    Ok(set)
}
