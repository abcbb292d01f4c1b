//! The verify dialog (`v`): pick who must have signed, from the signers seen in the loaded tags.

use std::collections::BTreeSet;

use super::effect::VerifySpec;
use super::state::TagEntry;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyDialog {
    /// The policies offered: the current one first, then every (identity, issuer) seen.
    pub choices: Vec<VerifySpec>,
    pub selected: usize,
}

impl VerifyDialog {
    pub fn new(current: Option<&VerifySpec>, tags: &[TagEntry]) -> VerifyDialog {
        let mut choices: Vec<VerifySpec> = current.cloned().into_iter().collect();
        for spec in signers_seen(tags) {
            if !choices.contains(&spec) {
                choices.push(spec);
            }
        }
        VerifyDialog {
            choices,
            selected: 0,
        }
    }

    pub fn chosen(&self) -> Option<&VerifySpec> {
        self.choices.get(self.selected)
    }
}

/// Every certificate identity and issuer on a signature of a loaded tag, as exact policies.
pub fn signers_seen(tags: &[TagEntry]) -> BTreeSet<VerifySpec> {
    let mut seen = BTreeSet::new();
    for tag in tags {
        let Some(image) = tag.image() else { continue };
        for artifact in image.all_artifacts() {
            for layer in &artifact.layers {
                let crate::inventory::layer::LayerContent::Signature(sig) = &layer.content else {
                    continue;
                };
                let Some(cert) = sig.material.certificate.as_ref().and_then(|c| c.ok()) else {
                    continue;
                };
                if let (Some(identity), Some(issuer)) = (cert.identity(), cert.oidc_issuer()) {
                    seen.insert(VerifySpec {
                        identity: identity.to_owned(),
                        identity_is_regexp: false,
                        issuer: issuer.to_owned(),
                    });
                }
            }
        }
    }
    seen
}
