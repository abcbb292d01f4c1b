//! The vocabulary of the consumer lens (`consumers`): the consumers of signatures and whether
//! each finds an artifact. Its own file so that the inventory's model can carry sightings
//! without depending on the rules that make them.

use serde::Serialize;

/// A consumer of signatures, at the newest version whose behaviour is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Consumer {
    /// cosign 2.5 (2.6.0–2.6.2 read bundles with `--new-bundle-format`; 2.6.3 and later read as
    /// cosign v3 does).
    #[serde(rename = "cosign 2.5")]
    Cosign2,
    /// cosign v3 (and cosign 2.6.3 or later).
    #[serde(rename = "cosign v3")]
    CosignV3,
    /// sigstore/policy-controller 0.15 (cosign v3 library; `signatureFormat` per authority).
    #[serde(rename = "policy-controller")]
    PolicyController,
    /// Kyverno `ClusterPolicy` `verifyImages` (1.19).
    #[serde(rename = "Kyverno verifyImages")]
    KyvernoVerifyImages,
    /// Kyverno `ImageValidatingPolicy` (1.17 and later).
    #[serde(rename = "Kyverno ImageValidatingPolicy")]
    KyvernoImageValidating,
    /// `gh attestation verify` (2.61 and later).
    #[serde(rename = "gh attestation verify")]
    Gh,
    /// notation 1.2 and later.
    #[serde(rename = "notation")]
    Notation,
    /// containers/image 5.22–5.39 (podman, skopeo, CRI-O `policy.json`).
    #[serde(rename = "containers/image")]
    ContainersImage,
    /// Connaisseur 3.4–3.10.
    #[serde(rename = "Connaisseur")]
    Connaisseur,
}

impl Consumer {
    /// Every consumer, in the order tables show them.
    pub const ALL: [Consumer; 9] = [
        Consumer::CosignV3,
        Consumer::Cosign2,
        Consumer::PolicyController,
        Consumer::KyvernoVerifyImages,
        Consumer::KyvernoImageValidating,
        Consumer::Gh,
        Consumer::Notation,
        Consumer::ContainersImage,
        Consumer::Connaisseur,
    ];

    /// The consumer's name as tables show it (`cosign v3`, `Kyverno verifyImages`, …).
    pub fn name(self) -> &'static str {
        match self {
            Consumer::Cosign2 => "cosign 2.5",
            Consumer::CosignV3 => "cosign v3",
            Consumer::PolicyController => "policy-controller",
            Consumer::KyvernoVerifyImages => "Kyverno verifyImages",
            Consumer::KyvernoImageValidating => "Kyverno ImageValidatingPolicy",
            Consumer::Gh => "gh attestation verify",
            Consumer::Notation => "notation",
            Consumer::ContainersImage => "containers/image",
            Consumer::Connaisseur => "Connaisseur",
        }
    }
}

/// Whether a consumer finds an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "finds", rename_all = "snake_case")]
pub enum Finds {
    /// With its default configuration.
    Yes,
    /// Only with this setting (a flag, a policy field, a configuration key); for the cosign
    /// CLIs, `flags` are the arguments that make its `verify` (or `verify-attestation`) read it.
    With {
        /// The setting, named as the consumer's documentation names it.
        setting: String,
        /// The command-line arguments that turn it on, for the cosign CLIs.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        flags: Vec<String>,
    },
    /// Never, and why.
    No {
        /// Why not, in the consumer's terms.
        why: String,
    },
}

/// One consumer's view of one artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sighting {
    /// Who looks.
    pub consumer: Consumer,
    /// Whether it finds the artifact, and under which setting.
    #[serde(flatten)]
    pub finds: Finds,
}
