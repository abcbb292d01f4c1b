//! What one artifact layer holds, decoded by media type: cosign signatures (simple signing plus
//! the layer annotations), DSSE attestations, sigstore bundles, SBOMs, anything else raw.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::artifact::bundle::{BundleView, decode_bundle};
use crate::artifact::certificate::{CertificateView, decode_pem_certificates};
use crate::artifact::dsse::Envelope;
use crate::artifact::error::{DecodeError, decode_base64, parse_json};
use crate::artifact::in_toto::Statement;
use crate::artifact::notation::{COSE_MEDIA_TYPE, JWS_MEDIA_TYPE, NotationView, decode_envelope};
use crate::artifact::predicate::{PredicateSummary, summarize};
use crate::artifact::rekor::{RekorBundleView, decode_rekor_bundle};
use crate::artifact::simple_signing::SimpleSigning;
use crate::artifact::timestamp::{TimestampView, decode_timestamp};
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
    /// The RFC 3161 timestamp annotation (`{"SignedRFC3161Timestamp": base64}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Decoded<TimestampView>>,
    /// The timestamp token's DER, for verification.
    #[serde(skip)]
    pub timestamp_der: Option<Vec<u8>>,
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
    /// A Notary Project signature envelope, JWS or COSE (decoded; `verify::notation` checks it).
    Notation {
        envelope: Box<Decoded<NotationView>>,
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
        JWS_MEDIA_TYPE | COSE_MEDIA_TYPE => LayerContent::Notation {
            envelope: Box::new(Decoded::from_result(decode_envelope(media_type, bytes))),
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
        timestamp: annotations
            .get(annotation::TIMESTAMP)
            .filter(|s| !s.is_empty())
            .map(|json| {
                Decoded::from_result(
                    cosign_timestamp_der(json).and_then(|der| decode_timestamp(&der)),
                )
            }),
        timestamp_der: annotations
            .get(annotation::TIMESTAMP)
            .and_then(|json| cosign_timestamp_der(json).ok()),
    }
}

/// cosign's timestamp annotation: `{"SignedRFC3161Timestamp": "<base64 DER>"}`.
fn cosign_timestamp_der(json: &str) -> Result<Vec<u8>, DecodeError> {
    #[derive(serde::Deserialize)]
    struct Annotation {
        #[serde(rename = "SignedRFC3161Timestamp")]
        signed: String,
    }
    let annotation: Annotation = parse_json("timestamp annotation", json.as_bytes())?;
    decode_base64("timestamp annotation", &annotation.signed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{Identity, SigningOptions, VirtualSigstore};
    use crate::reference::Digest;

    fn descriptor(media_type: &str, bytes: &[u8], annotations: &[(&str, String)]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_owned(),
            digest: Digest::sha256_of(bytes),
            size: bytes.len() as u64,
            annotations: annotations
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            platform: None,
            artifact_type: None,
        }
    }

    #[test]
    fn a_keyless_signature_layer_decodes_payload_certificate_chain_and_bundle() {
        let mut sigstore = VirtualSigstore::new("layer", 1_700_000_000).unwrap();
        let image = Digest::sha256_of(b"image");
        let payload =
            serde_json::to_vec(&SimpleSigning::for_image("registry.test/app", &image)).unwrap();
        let identity = Identity::email("dev@example.com", "https://issuer.example");
        let sig = sigstore
            .sign(
                &identity,
                &payload,
                1_700_000_100,
                SigningOptions::default(),
            )
            .unwrap();
        let d = descriptor(
            SIMPLE_SIGNING,
            &payload,
            &[
                (annotation::SIGNATURE, sig.signature_base64()),
                (annotation::CERTIFICATE, sig.certificate_pem()),
                (annotation::CHAIN, sigstore.ca.chain_pem()),
                (annotation::BUNDLE, sig.cosign_bundle().to_string()),
            ],
        );
        let LayerContent::Signature(layer) = decode_layer(&d, &payload) else {
            panic!("not a signature layer")
        };
        assert_eq!(
            layer
                .payload
                .ok()
                .unwrap()
                .critical
                .image
                .docker_manifest_digest,
            image.to_string()
        );
        assert_eq!(layer.payload_bytes, payload);
        let cert = layer.material.certificate.as_ref().unwrap().ok().unwrap();
        assert_eq!(cert.identity(), Some("dev@example.com"));
        assert_eq!(
            layer.material.chain.as_ref().unwrap().ok().unwrap().len(),
            2
        );
        let bundle = layer.material.rekor_bundle.as_ref().unwrap().ok().unwrap();
        assert_eq!(bundle.log_index, sig.entry.log_index as i64);
        assert!(layer.material.timestamp.is_none());
    }

    #[test]
    fn the_cosign_timestamp_annotation_decodes_a_real_tsa_token() {
        let Some(dir) = crate::testing::shared_fixtures() else {
            return;
        };
        let path = dir.join(
            "sigstore-conformance/test/assets/bundle-verify/rekor2-timestamp-with-embedded-cert/bundle.sigstore.json",
        );
        let bundle = std::fs::read(path).unwrap();
        let bundle: serde_json::Value = serde_json::from_slice(&bundle).unwrap();
        let signed = bundle["verificationMaterial"]["timestampVerificationData"]
            ["rfc3161Timestamps"][0]["signedTimestamp"]
            .as_str()
            .unwrap()
            .replace('\n', "");
        let annotation_value = serde_json::json!({ "SignedRFC3161Timestamp": signed }).to_string();
        let d = descriptor(
            SIMPLE_SIGNING,
            b"{}",
            &[(annotation::TIMESTAMP, annotation_value)],
        );
        let LayerContent::Signature(layer) = decode_layer(&d, b"{}") else {
            panic!("not a signature layer")
        };
        let ts = layer.material.timestamp.as_ref().unwrap().ok().unwrap();
        assert_eq!(ts.gen_time_rfc3339, "2025-08-06T18:51:36Z");
    }

    #[test]
    fn broken_annotations_are_errors_on_their_field_only() {
        let payload = br#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:00"},"type":"t"},"optional":null}"#;
        let d = descriptor(
            SIMPLE_SIGNING,
            payload,
            &[
                (
                    annotation::CERTIFICATE,
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into(),
                ),
                (annotation::BUNDLE, "{\"SignedEntryTimestamp\":1}".into()),
                (
                    annotation::TIMESTAMP,
                    "{\"SignedRFC3161Timestamp\":\"%%\"}".into(),
                ),
            ],
        );
        let LayerContent::Signature(layer) = decode_layer(&d, payload) else {
            panic!("not a signature layer")
        };
        assert!(layer.payload.ok().is_some());
        assert!(matches!(
            layer.material.certificate,
            Some(Decoded::Error(_))
        ));
        assert!(matches!(
            layer.material.rekor_bundle,
            Some(Decoded::Error(_))
        ));
        let Some(Decoded::Error(e)) = &layer.material.timestamp else {
            panic!("timestamp should fail")
        };
        assert!(e.contains("base64"), "{e}");
    }

    #[test]
    fn dsse_layers_decode_statement_and_predicate_and_unknown_types_stay_raw() {
        let statement = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"ab"},"annotations":{"k":"v"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"runDetails":{"builder":{"id":"b"}}}}"#;
        let envelope = crate::artifact::dsse::Envelope::new(
            crate::artifact::dsse::IN_TOTO_PAYLOAD_TYPE,
            statement,
            b"sig",
        );
        let bytes = serde_json::to_vec(&envelope).unwrap();
        let d = descriptor(DSSE_ENVELOPE, &bytes, &[]);
        let LayerContent::Attestation(att) = decode_layer(&d, &bytes) else {
            panic!("not an attestation")
        };
        let s = att.statement.as_ref().unwrap().ok().unwrap();
        assert_eq!(s.subject[0].unknown["annotations"]["k"], "v");
        assert!(matches!(
            att.predicate,
            Some(PredicateSummary::SlsaV1 { ref builder_id, .. }) if builder_id.as_deref() == Some("b")
        ));
        let other = descriptor("application/x-thing", b"123", &[]);
        assert!(matches!(
            decode_layer(&other, b"123"),
            LayerContent::Other { .. }
        ));
    }
}
