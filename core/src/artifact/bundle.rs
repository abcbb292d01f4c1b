//! Sigstore bundles v0.1–v0.3 in their JSON form (protobuf-specs `sigstore_bundle.proto`,
//! `sigstore_rekor.proto`, `sigstore_common.proto`; proto3 JSON mapping: int64 as strings,
//! bytes as base64, default values omitted).

mod material;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use super::encoding;
use super::error::{DecodeError, parse_json};
use super::in_toto::Statement;
use super::predicate::{PredicateSummary, summarize};

pub use material::{InclusionProofView, TimestampEntry, TlogEntryView, VerificationMaterialView};

/// The bundle format versions, by media type (protobuf-specs `Bundle.media_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BundleVersion {
    #[serde(rename = "0.1")]
    V0_1,
    #[serde(rename = "0.2")]
    V0_2,
    #[serde(rename = "0.3")]
    V0_3,
}

/// The v0.3 media type (protobuf-specs: "…bundle.v0.3+json" from v0.3 on).
pub const MEDIA_TYPE_V0_3: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

impl BundleVersion {
    /// protobuf-specs `sigstore_bundle.proto`: `application/vnd.dev.sigstore.bundle+json;version=0.1`
    /// and `…;version=0.2`; from 0.3 `application/vnd.dev.sigstore.bundle.v0.3+json`, with the
    /// older `…+json;version=0.3` spelling still written by some clients.
    pub fn from_media_type(media_type: &str) -> Option<BundleVersion> {
        match media_type {
            "application/vnd.dev.sigstore.bundle+json;version=0.1" => Some(BundleVersion::V0_1),
            "application/vnd.dev.sigstore.bundle+json;version=0.2" => Some(BundleVersion::V0_2),
            MEDIA_TYPE_V0_3 | "application/vnd.dev.sigstore.bundle+json;version=0.3" => {
                Some(BundleVersion::V0_3)
            }
            _ => None,
        }
    }
}

/// A decoded bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleView {
    pub media_type: String,
    pub version: BundleVersion,
    pub verification_material: VerificationMaterialView,
    pub tlog_entries: Vec<TlogEntryView>,
    pub timestamps: Vec<TimestampEntry>,
    pub content: ContentView,
    /// Fields this decoder does not know, by JSON path, kept as they were.
    pub unknown_fields: serde_json::Map<String, serde_json::Value>,
}

/// What the bundle signs (protobuf-specs `Bundle.content`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentView {
    /// A signature over an artifact's digest.
    MessageSignature {
        /// `HashAlgorithm` enum name (`SHA2_256`); absent when the bundle has no digest.
        digest_algorithm: Option<String>,
        #[serde(serialize_with = "option_base64")]
        digest: Option<Vec<u8>>,
        #[serde(serialize_with = "encoding::base64")]
        signature: Vec<u8>,
    },
    /// A DSSE envelope (an attestation, usually).
    Dsse(Box<DsseView>),
}

/// A DSSE envelope with its payload decoded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DsseView {
    pub envelope: Envelope,
    #[serde(serialize_with = "encoding::base64")]
    pub payload: Vec<u8>,
    #[serde(serialize_with = "encoding::base64_list")]
    pub signatures: Vec<Vec<u8>>,
    /// The in-toto statement when the payload type is in-toto's, or why it does not parse.
    pub statement: Option<Result<Statement, DecodeError>>,
    /// A summary of the statement's predicate.
    pub predicate: Option<PredicateSummary>,
}

/// proto3 JSON `bytes` (protobuf "JSON Mapping"): "either standard or URL-safe base64 encoding
/// with/without paddings are accepted"; Go's decoder, which protojson uses, also skips `\r` and
/// `\n` (line-wrapped base64 occurs in real bundles).
fn decode_base64(what: &str, text: &str) -> Result<Vec<u8>, DecodeError> {
    let normalised: String = text
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    super::error::decode_base64(what, &normalised)
}

fn option_base64<S: serde::Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => encoding::base64(b, s),
        None => s.serialize_none(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBundle {
    media_type: String,
    verification_material: material::RawMaterial,
    message_signature: Option<RawMessageSignature>,
    dsse_envelope: Option<Envelope>,
    #[serde(flatten)]
    unknown: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMessageSignature {
    message_digest: Option<RawDigest>,
    signature: String,
}

#[derive(Deserialize)]
struct RawDigest {
    #[serde(default)]
    algorithm: Option<String>,
    digest: String,
}

/// Decodes a bundle (JSON bytes).
pub fn decode_bundle(bytes: &[u8]) -> Result<BundleView, DecodeError> {
    // Check the media type first, so an unknown version is named as such rather than as
    // whatever field its different shape lacks.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct MediaTypeOnly {
        media_type: String,
    }
    let head: MediaTypeOnly = parse_json("bundle", bytes)?;
    let version = BundleVersion::from_media_type(&head.media_type).ok_or_else(|| {
        DecodeError::invalid(
            "bundle",
            format!("unsupported bundle media type {:?}", head.media_type),
        )
    })?;
    let raw: RawBundle = parse_json("bundle", bytes)?;
    let mut unknown = serde_json::Map::new();
    unknown.extend(raw.unknown);
    let (verification_material, tlog_entries, timestamps) =
        material::decode(raw.verification_material, &mut unknown)?;
    let content = match (raw.message_signature, raw.dsse_envelope) {
        (Some(ms), None) => message_signature(ms)?,
        (None, Some(envelope)) => dsse(envelope)?,
        (Some(_), Some(_)) => {
            return Err(DecodeError::invalid(
                "bundle",
                "both messageSignature and dsseEnvelope are present",
            ));
        }
        (None, None) => {
            return Err(DecodeError::invalid(
                "bundle",
                "neither messageSignature nor dsseEnvelope is present",
            ));
        }
    };
    Ok(BundleView {
        media_type: raw.media_type,
        version,
        verification_material,
        tlog_entries,
        timestamps,
        content,
        unknown_fields: unknown,
    })
}

fn message_signature(ms: RawMessageSignature) -> Result<ContentView, DecodeError> {
    let (digest_algorithm, digest) = match ms.message_digest {
        Some(d) => (
            d.algorithm,
            Some(decode_base64(
                "bundle messageSignature.messageDigest.digest",
                &d.digest,
            )?),
        ),
        None => (None, None),
    };
    Ok(ContentView::MessageSignature {
        digest_algorithm,
        digest,
        signature: decode_base64("bundle messageSignature.signature", &ms.signature)?,
    })
}

fn dsse(envelope: Envelope) -> Result<ContentView, DecodeError> {
    let payload = decode_base64("bundle dsseEnvelope.payload", &envelope.payload)?;
    let signatures = envelope
        .signatures
        .iter()
        .enumerate()
        .map(|(i, s)| decode_base64(&format!("bundle dsseEnvelope.signatures[{i}].sig"), &s.sig))
        .collect::<Result<Vec<_>, _>>()?;
    let statement = (envelope.payload_type == IN_TOTO_PAYLOAD_TYPE)
        .then(|| parse_json::<Statement>("in-toto statement", &payload));
    let predicate = match &statement {
        Some(Ok(s)) => Some(summarize(&s.predicate_type, &s.predicate)),
        _ => None,
    };
    Ok(ContentView::Dsse(Box::new(DsseView {
        envelope,
        payload,
        signatures,
        statement,
        predicate,
    })))
}

impl BundleView {
    /// The signing certificate: the v0.3 certificate or the first of a v0.1/v0.2 chain.
    pub fn leaf_certificate(&self) -> Option<&super::certificate::CertificateView> {
        match &self.verification_material {
            VerificationMaterialView::Certificate(cert) => Some(cert),
            VerificationMaterialView::CertificateChain(chain) => chain.first(),
            VerificationMaterialView::PublicKey { .. } => None,
        }
    }
}
