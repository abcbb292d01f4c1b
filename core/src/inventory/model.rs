//! What discovery finds: for every tag, the image and everything attached to it, each item
//! saying how it was found. Serialised as-is for `inspect --output json`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::sighting::Sighting;

use crate::reference::Digest;
use crate::registry::Platform;

use super::layer::LayerContent;

/// Everything found in one target.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// The source name (`registry/repo`, `oci:/path`).
    pub source: String,
    /// Every tag, in listing order.
    pub tags: Vec<TagReport>,
    /// Artifacts whose subject no tag (or platform, or other artifact) points to.
    pub orphans: Vec<Orphan>,
    /// Errors that concern the whole target (for example, listing tags failed).
    pub errors: Vec<String>,
}

/// One tag: its image, or why it could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct TagReport {
    /// The tag.
    pub tag: String,
    /// The image it names, or why it could not be read.
    #[serde(flatten)]
    pub outcome: TagOutcome,
}

/// What reading one tag gave.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TagOutcome {
    /// The image.
    Image(Box<ImageReport>),
    /// Why it could not be read.
    Error(String),
}

impl TagReport {
    /// The image, when it was read.
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
    /// The manifest digest the tag resolves to: what signatures sign.
    pub digest: Digest,
    /// The manifest's media type (an OCI or Docker image manifest or index).
    pub media_type: String,
    /// The manifest's size in bytes.
    pub size: u64,
    /// The image config's summary (not read when only verifying).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSummary>,
    /// For an index: one entry per child manifest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<PlatformReport>,
    /// Everything attached to the image (or index) digest.
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
    /// The platform the index entry names (`linux/amd64`), when it names one.
    pub platform: Option<Platform>,
    /// The platform manifest's digest.
    pub digest: Digest,
    /// Its media type.
    pub media_type: String,
    /// A BuildKit attestation manifest (platform `unknown/unknown`): what it attests and with
    /// which predicates, rather than a platform of the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buildkit_attestation: Option<BuildkitAttestation>,
    /// Its config's summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSummary>,
    /// Everything attached to the platform manifest's own digest.
    pub artifacts: Vec<Artifact>,
    /// What could not be read for this platform.
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
    /// `created`: when the image was built.
    pub created: Option<String>,
    /// `os`.
    pub os: Option<String>,
    /// `architecture`.
    pub architecture: Option<String>,
    /// `config.Labels` (OCI annotations such as `org.opencontainers.image.source`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// How an artifact was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum Route {
    /// A cosign tag `sha256-<hex>.sig|.att|.sbom|…`.
    LegacyTag {
        /// The tag.
        tag: String,
    },
    /// The OCI 1.1 referrers API.
    ReferrersApi,
    /// The OCI 1.1 referrers tag schema `sha256-<hex>` (registries without the API).
    FallbackTag {
        /// The tag (`sha256-<hex>`).
        tag: String,
    },
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
    /// What it is (signature, attestation, SBOM, bundle, …).
    pub kind: ArtifactKind,
    /// How it was found.
    pub found_via: Route,
    /// The digest it is attached to.
    pub subject: Digest,
    /// Its own manifest digest.
    pub digest: Digest,
    /// Its manifest's media type.
    pub media_type: String,
    /// `artifactType`, for OCI 1.1 artifacts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Its manifest's annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Its layers, each fetched and decoded.
    pub layers: Vec<Layer>,
    /// Artifacts attached to this artifact (a signature on an attestation, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub referrers: Vec<Artifact>,
    /// What could not be read of it.
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
    /// The layer's media type.
    pub media_type: String,
    /// The layer's digest.
    pub digest: Digest,
    /// The layer's size in bytes.
    pub size: u64,
    /// The layer's annotations (cosign keeps signatures and certificates here).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// What the layer holds, decoded.
    pub content: LayerContent,
}

/// An artifact whose subject is not in the target.
#[derive(Debug, Clone, Serialize)]
pub struct Orphan {
    /// The digest the artifacts name as their subject.
    pub subject: Digest,
    /// What is attached to it.
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
