//! OCI and Docker manifests and descriptors (image-spec v1.1 `manifest.md`, `image-index.md`,
//! `descriptor.md`; Docker image manifest v2 schema 2 and manifest list).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::artifact::error::{DecodeError, parse_json};
use crate::reference::Digest;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// Every manifest media type sigscope asks registries for.
pub const ACCEPTED_MANIFESTS: &[&str] = &[
    OCI_MANIFEST,
    OCI_INDEX,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
];

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

/// The platform of an index entry or image config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(
        default,
        rename = "os.version",
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A parsed manifest. (Variants differ in size; manifests are few, so no boxing.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Manifest {
    /// An image manifest (OCI or Docker v2), possibly an artifact manifest.
    Image {
        media_type: String,
        artifact_type: Option<String>,
        config: Descriptor,
        layers: Vec<Descriptor>,
        subject: Option<Descriptor>,
        annotations: BTreeMap<String, String>,
    },
    /// An image index or Docker manifest list.
    Index {
        media_type: String,
        artifact_type: Option<String>,
        manifests: Vec<Descriptor>,
        subject: Option<Descriptor>,
        annotations: BTreeMap<String, String>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: Option<i64>,
    media_type: Option<String>,
    artifact_type: Option<String>,
    config: Option<Descriptor>,
    layers: Option<Vec<Descriptor>>,
    manifests: Option<Vec<Descriptor>>,
    subject: Option<Descriptor>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

impl Manifest {
    /// Parses manifest bytes; `content_type` is what the registry said (used only when the
    /// document names no media type itself).
    pub fn parse(content_type: &str, bytes: &[u8]) -> Result<Manifest, DecodeError> {
        let raw: RawManifest = parse_json("manifest", bytes)?;
        let media_type = raw
            .media_type
            .clone()
            .unwrap_or_else(|| content_type.to_owned());
        if media_type == DOCKER_SCHEMA1 || raw.schema_version == Some(1) {
            return Err(DecodeError::invalid(
                "manifest",
                "docker schema 1 manifests are not supported",
            ));
        }
        let is_index = media_type == OCI_INDEX
            || media_type == DOCKER_MANIFEST_LIST
            || (raw.manifests.is_some() && raw.config.is_none());
        if is_index {
            return Ok(Manifest::Index {
                media_type,
                artifact_type: raw.artifact_type,
                manifests: raw.manifests.unwrap_or_default(),
                subject: raw.subject,
                annotations: raw.annotations,
            });
        }
        let config = raw.config.ok_or_else(|| {
            DecodeError::invalid(
                "manifest",
                format!("media type {media_type:?} has neither config nor manifests"),
            )
        })?;
        Ok(Manifest::Image {
            media_type,
            artifact_type: raw.artifact_type,
            config,
            layers: raw.layers.unwrap_or_default(),
            subject: raw.subject,
            annotations: raw.annotations,
        })
    }

    pub fn media_type(&self) -> &str {
        match self {
            Manifest::Image { media_type, .. } | Manifest::Index { media_type, .. } => media_type,
        }
    }

    pub fn subject(&self) -> Option<&Descriptor> {
        match self {
            Manifest::Image { subject, .. } | Manifest::Index { subject, .. } => subject.as_ref(),
        }
    }

    pub fn annotations(&self) -> &BTreeMap<String, String> {
        match self {
            Manifest::Image { annotations, .. } | Manifest::Index { annotations, .. } => {
                annotations
            }
        }
    }

    /// The artifact type: `artifactType`, else the config media type when it is not an image
    /// config or the empty descriptor (image-spec "Guidelines for Artifact Usage").
    pub fn artifact_type(&self) -> Option<&str> {
        match self {
            Manifest::Image {
                artifact_type: Some(t),
                ..
            }
            | Manifest::Index {
                artifact_type: Some(t),
                ..
            } => Some(t),
            Manifest::Image { config, .. } => {
                let t = config.media_type.as_str();
                let image_config = t == "application/vnd.oci.image.config.v1+json"
                    || t == "application/vnd.docker.container.image.v1+json"
                    || t == OCI_EMPTY;
                (!image_config).then_some(t)
            }
            Manifest::Index { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn image_index_and_artifact_manifests_parse() {
        let image = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{D}","size":2}},"layers":[]}}"#
        );
        let m = Manifest::parse("", image.as_bytes()).unwrap();
        assert!(matches!(m, Manifest::Image { .. }));
        assert_eq!(m.artifact_type(), None);

        let index = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":5,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}}]}}"#
        );
        let Manifest::Index { manifests, .. } =
            Manifest::parse(OCI_INDEX, index.as_bytes()).unwrap()
        else {
            panic!("not an index")
        };
        assert_eq!(
            manifests[0].platform.as_ref().unwrap().to_string(),
            "linux/arm64/v8"
        );

        let artifact = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json","config":{{"mediaType":"{OCI_EMPTY}","digest":"{D}","size":2}},"layers":[],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":9}}}}"#
        );
        let m = Manifest::parse("", artifact.as_bytes()).unwrap();
        assert_eq!(
            m.artifact_type(),
            Some("application/vnd.dev.sigstore.bundle.v0.3+json")
        );
        assert_eq!(m.subject().unwrap().size, 9);
    }

    #[test]
    fn malformed_manifests_are_clear_errors() {
        assert!(Manifest::parse("", b"{not json").is_err());
        let bad_digest = r#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:zz","size":1},"layers":[]}"#;
        let err = Manifest::parse("", bad_digest.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("sha256:zz"), "{err}");
        let negative = format!(r#"{{"config":{{"mediaType":"x","digest":"{D}","size":-1}}}}"#);
        assert!(Manifest::parse("", negative.as_bytes()).is_err());
        let schema1 = r#"{"schemaVersion":1,"name":"x"}"#;
        assert!(
            Manifest::parse("", schema1.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("schema 1")
        );
        assert!(Manifest::parse("", b"{}").is_err());
    }
}
