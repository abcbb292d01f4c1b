//! What discovery finds: for every tag, the image and everything attached to it, each item
//! saying how it was found. Serialised as-is for `inspect --output json`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::consumers::Sighting;

use crate::reference::Digest;
use crate::registry::Platform;

use super::layer::LayerContent;

/// Everything found in one target.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// The source name (`registry/repo`, `oci:/path`).
    pub source: String,
    pub tags: Vec<TagReport>,
    /// Artifacts whose subject no tag (or platform, or other artifact) points to.
    pub orphans: Vec<Orphan>,
    /// Errors that concern the whole target (for example, listing tags failed).
    pub errors: Vec<String>,
}

/// One tag: its image, or why it could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct TagReport {
    pub tag: String,
    #[serde(flatten)]
    pub outcome: TagOutcome,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TagOutcome {
    Image(Box<ImageReport>),
    Error(String),
}

impl TagReport {
    pub fn image(&self) -> Option<&ImageReport> {
        match &self.outcome {
            TagOutcome::Image(i) => Some(i),
            TagOutcome::Error(_) => None,
        }
    }
}

/// An image (or index) and what is attached to it.
#[derive(Debug, Clone, Serialize)]
pub struct ImageReport {
    pub digest: Digest,
    pub media_type: String,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSummary>,
    /// For an index: one entry per child manifest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<PlatformReport>,
    pub artifacts: Vec<Artifact>,
    /// Whether the source answered the OCI referrers API while this image was read (`None`
    /// when it was not asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrers_api: Option<bool>,
    /// Non-fatal problems with parts of this image.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// One child of an index.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformReport {
    pub platform: Option<Platform>,
    pub digest: Digest,
    pub media_type: String,
    /// A BuildKit attestation manifest (platform `unknown/unknown`): what it attests and with
    /// which predicates, rather than a platform of the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buildkit_attestation: Option<BuildkitAttestation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSummary>,
    pub artifacts: Vec<Artifact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// A BuildKit attestation manifest in an index (`vnd.docker.reference.type:
/// attestation-manifest`): unsigned in-toto statements about another entry of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildkitAttestation {
    /// The index entry it attests (`vnd.docker.reference.digest`).
    pub attests: String,
    /// Its layers' `in-toto.io/predicate-type`s.
    pub predicate_types: Vec<String>,
}

impl BuildkitAttestation {
    /// The attestation an index entry's descriptor announces, if it is one.
    pub fn announced(annotations: &BTreeMap<String, String>) -> Option<BuildkitAttestation> {
        if annotations
            .get("vnd.docker.reference.type")
            .map(String::as_str)
            != Some("attestation-manifest")
        {
            return None;
        }
        Some(BuildkitAttestation {
            attests: annotations
                .get("vnd.docker.reference.digest")
                .cloned()
                .unwrap_or_default(),
            predicate_types: Vec::new(),
        })
    }
}

/// The interesting parts of an image config.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConfigSummary {
    pub created: Option<String>,
    pub os: Option<String>,
    pub architecture: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// How an artifact was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum Route {
    /// A cosign tag `sha256-<hex>.sig|.att|.sbom|…`.
    LegacyTag { tag: String },
    /// The OCI 1.1 referrers API.
    ReferrersApi,
    /// The OCI 1.1 referrers tag schema `sha256-<hex>` (registries without the API).
    FallbackTag { tag: String },
    /// An OCI layout's manifest whose `subject` names the image (how `cosign save` keeps
    /// bundle referrers: unlisted blobs).
    LayoutSubject,
}

/// What an artifact is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    /// cosign `.sig` (simple signing) or a cosign signature referrer.
    Signature,
    /// cosign `.att` (DSSE attestations).
    Attestation,
    /// cosign `.sbom` or an SBOM referrer.
    Sbom,
    /// A sigstore bundle (cosign v3 signatures and attestations).
    SigstoreBundle,
    /// A Notary Project signature (shown, not verified).
    NotationSignature,
    /// Anything else, by its tag suffix or artifact type.
    Other(String),
}

/// Something attached to a subject.
#[derive(Debug, Clone, Serialize)]
pub struct Artifact {
    pub kind: ArtifactKind,
    pub found_via: Route,
    pub subject: Digest,
    pub digest: Digest,
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    pub layers: Vec<Layer>,
    /// Artifacts attached to this artifact (a signature on an attestation, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub referrers: Vec<Artifact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Which signature consumers find it, and how ([`super::consumers`]); filled for what is
    /// attached to an image, empty for referrers of referrers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<Sighting>,
}

/// One layer of an artifact and what it decodes to.
#[derive(Debug, Clone, Serialize)]
pub struct Layer {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    pub content: LayerContent,
}

/// An artifact whose subject is not in the target.
#[derive(Debug, Clone, Serialize)]
pub struct Orphan {
    pub subject: Digest,
    pub artifacts: Vec<Artifact>,
}

impl Artifact {
    /// This artifact and every nested referrer, depth first.
    pub fn walk(&self) -> Vec<&Artifact> {
        let mut out = vec![self];
        for r in &self.referrers {
            out.extend(r.walk());
        }
        out
    }
}

impl ImageReport {
    /// Every artifact on the image and on its platforms, nested ones included.
    pub fn all_artifacts(&self) -> Vec<&Artifact> {
        self.artifacts
            .iter()
            .chain(self.platforms.iter().flat_map(|p| p.artifacts.iter()))
            .flat_map(Artifact::walk)
            .collect()
    }
}
