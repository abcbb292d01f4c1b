//! What one artifact layer holds, decoded by media type: cosign signatures (simple signing plus
//! the layer annotations), DSSE attestations, sigstore bundles, SBOMs, anything else raw.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::artifact::bundle::{BundleView, decode_bundle};
use crate::artifact::certificate::{CertificateView, decode_pem_certificates};
use crate::artifact::dsse::Envelope;
use crate::artifact::error::{DecodeError, decode_base64, parse_json};
use crate::artifact::in_toto::Statement;
use crate::artifact::predicate::{PredicateSummary, summarize};
use crate::artifact::rekor::{RekorBundleView, decode_rekor_bundle};
use crate::artifact::simple_signing::SimpleSigning;
use crate::registry::Descriptor;

/// cosign's layer annotations (cosign specs/SIGNATURE_SPEC.md).
pub mod annotation {
    pub const SIGNATURE: &str = "dev.cosignproject.cosign/signature";
    pub const CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
    pub const CHAIN: &str = "dev.sigstore.cosign/chain";
    pub const BUNDLE: &str = "dev.sigstore.cosign/bundle";
    pub const TIMESTAMP: &str = "dev.sigstore.cosign/timestamp";
    pub const PREDICATE_TYPE: &str = "predicateType";
}

pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";

/// A value that decoded, or the reason it did not.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decoded<T> {
    Ok(T),
    Error(String),
}

impl<T> Decoded<T> {
    pub fn from_result(r: Result<T, DecodeError>) -> Decoded<T> {
        match r {
            Ok(v) => Decoded::Ok(v),
            Err(e) => Decoded::Error(e.to_string()),
        }
    }

    pub fn ok(&self) -> Option<&T> {
        match self {
            Decoded::Ok(v) => Some(v),
            Decoded::Error(_) => None,
        }
    }
}

/// The signing material cosign keeps in layer annotations (keyless or key-based).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SigningMaterial {
    /// The signature as stored (base64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Decoded<CertificateView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<Decoded<Vec<CertificateView>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rekor_bundle: Option<Decoded<RekorBundleView>>,
    /// The RFC 3161 timestamp annotation, raw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// A cosign simple-signing layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureLayer {
    pub payload: Decoded<SimpleSigning>,
    /// The exact payload bytes, which the signature covers.
    #[serde(skip)]
    pub payload_bytes: Vec<u8>,
    #[serde(flatten)]
    pub material: SigningMaterial,
}

/// A DSSE attestation layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttestationLayer {
    pub envelope: Decoded<Envelope>,
    pub statement: Option<Decoded<Statement>>,
    pub predicate: Option<PredicateSummary>,
    /// The envelope bytes as stored.
    #[serde(skip)]
    pub envelope_bytes: Vec<u8>,
    #[serde(flatten)]
    pub material: SigningMaterial,
}

/// What a layer decodes to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LayerContent {
    Signature(Box<SignatureLayer>),
    Attestation(Box<AttestationLayer>),
    Bundle {
        bundle: Box<Decoded<BundleView>>,
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    Sbom {
        summary: Decoded<PredicateSummary>,
    },
    /// Not decoded: an unknown media type (kept as its descriptor).
    Other {
        note: String,
    },
    /// The blob could not be read.
    Unreadable {
        error: String,
    },
}

/// Decodes a fetched layer.
pub fn decode_layer(descriptor: &Descriptor, bytes: &[u8]) -> LayerContent {
    let media_type = descriptor.media_type.as_str();
    match media_type {
        SIMPLE_SIGNING => LayerContent::Signature(Box::new(SignatureLayer {
            payload: Decoded::from_result(parse_json("simple signing payload", bytes)),
            payload_bytes: bytes.to_vec(),
            material: material(&descriptor.annotations),
        })),
        DSSE_ENVELOPE => LayerContent::Attestation(Box::new(attestation(descriptor, bytes))),
        t if t.starts_with("application/vnd.dev.sigstore.bundle") => LayerContent::Bundle {
            bundle: Box::new(Decoded::from_result(decode_bundle(bytes))),
            bytes: bytes.to_vec(),
        },
        t if is_sbom(t) => LayerContent::Sbom {
            summary: Decoded::from_result(sbom_summary(t, bytes)),
        },
        other => LayerContent::Other {
            note: format!("{} bytes of {other}", bytes.len()),
        },
    }
}

fn is_sbom(media_type: &str) -> bool {
    media_type.contains("spdx") || media_type.contains("cyclonedx") || media_type.contains("syft")
}

fn sbom_summary(media_type: &str, bytes: &[u8]) -> Result<PredicateSummary, DecodeError> {
    let doc: serde_json::Value = parse_json("sbom", bytes)?;
    let predicate_type = if media_type.contains("cyclonedx") {
        "https://cyclonedx.org/bom"
    } else {
        "https://spdx.dev/Document"
    };
    Ok(summarize(predicate_type, &doc))
}

fn attestation(descriptor: &Descriptor, bytes: &[u8]) -> AttestationLayer {
    let envelope = parse_json::<Envelope>("dsse envelope", bytes);
    let statement = envelope.as_ref().ok().map(|env| {
        Decoded::from_result(
            decode_base64("dsse payload", &env.payload)
                .and_then(|p| parse_json::<Statement>("in-toto statement", &p)),
        )
    });
    let predicate = statement
        .as_ref()
        .and_then(Decoded::ok)
        .map(|s| summarize(&s.predicate_type, &s.predicate));
    AttestationLayer {
        envelope: Decoded::from_result(envelope),
        statement,
        predicate,
        envelope_bytes: bytes.to_vec(),
        material: material(&descriptor.annotations),
    }
}

fn material(annotations: &BTreeMap<String, String>) -> SigningMaterial {
    SigningMaterial {
        signature: annotations.get(annotation::SIGNATURE).cloned(),
        certificate: annotations
            .get(annotation::CERTIFICATE)
            .filter(|s| !s.is_empty())
            .map(|pem| {
                Decoded::from_result(decode_pem_certificates("certificate", pem).and_then(
                    |mut certs| match certs.len() {
                        0 => Err(DecodeError::invalid("certificate", "no certificate in PEM")),
                        _ => Ok(certs.remove(0)),
                    },
                ))
            }),
        chain: annotations
            .get(annotation::CHAIN)
            .filter(|s| !s.is_empty())
            .map(|pem| Decoded::from_result(decode_pem_certificates("certificate chain", pem))),
        rekor_bundle: annotations
            .get(annotation::BUNDLE)
            .filter(|s| !s.is_empty())
            .map(|json| Decoded::from_result(decode_rekor_bundle(json.as_bytes()))),
        timestamp: annotations.get(annotation::TIMESTAMP).cloned(),
    }
}
