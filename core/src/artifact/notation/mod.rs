//! Notary Project signature envelopes (notaryproject specs `signature-specification.md`,
//! `signature-envelope-jws.md`, `signature-envelope-cose.md`): JWS JSON and COSE_Sign1, parsed
//! into one [`Envelope`] and shown as a [`NotationView`]. Nothing here verifies: header rules,
//! signatures and trust are `verify::notation`'s.

mod cose;
mod envelope;
mod jws;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use super::certificate::{CertificateView, MAX_CHAIN_LENGTH, decode_certificate};
use super::error::DecodeError;
use super::timestamp::{TimestampView, decode_timestamp};

pub use cose::decode_cose;
pub use envelope::{
    COSE_MEDIA_TYPE, Envelope, EnvelopeFormat, ExtendedAttribute, HeaderTime, JWS_MEDIA_TYPE,
    PAYLOAD_MEDIA_TYPE, cose_algorithm_name, label,
};
pub use jws::decode_jws_envelope;

/// A decoded envelope, as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotationView {
    /// The parsed envelope: headers and signed bytes.
    #[serde(flatten)]
    pub envelope: Envelope,
    /// The payload's `targetArtifact` (the descriptor signed).
    pub target_artifact: Option<serde_json::Value>,
    /// The certificate chain, leaf first, each decoded or with its error.
    pub certificates: Vec<Result<CertificateView, DecodeError>>,
    /// The timestamp countersignature, decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Result<TimestampView, DecodeError>>,
    /// The signature bytes' length (the bytes themselves are not shown).
    pub signature_len: usize,
}

impl NotationView {
    fn new(envelope: Envelope) -> NotationView {
        let target_artifact =
            serde_json::from_slice::<BTreeMap<String, serde_json::Value>>(&envelope.payload)
                .ok()
                .and_then(|p| p.get("targetArtifact").cloned());
        let certificates = envelope
            .certificates
            .iter()
            .take(MAX_CHAIN_LENGTH)
            .map(|der| decode_certificate(der))
            .collect();
        let timestamp = envelope.timestamp.as_deref().map(decode_timestamp);
        NotationView {
            target_artifact,
            certificates,
            timestamp,
            signature_len: envelope.signature.len(),
            envelope,
        }
    }

    /// The signing certificate's subject, when it decoded.
    pub fn signer_subject(&self) -> Option<&str> {
        self.certificates
            .first()
            .and_then(|c| c.as_ref().ok())
            .map(|c| c.subject.as_str())
    }
}

/// Decodes a notation envelope of either media type.
pub fn decode_envelope(media_type: &str, bytes: &[u8]) -> Result<NotationView, DecodeError> {
    let envelope = match media_type {
        JWS_MEDIA_TYPE => decode_jws_envelope(bytes)?,
        COSE_MEDIA_TYPE => decode_cose(bytes)?,
        other => {
            return Err(DecodeError::invalid(
                "notation envelope",
                format!("media type {other:?} is neither {JWS_MEDIA_TYPE} nor {COSE_MEDIA_TYPE}"),
            ));
        }
    };
    Ok(NotationView::new(envelope))
}

/// Decodes a JWS JSON notation envelope.
pub fn decode_jws(bytes: &[u8]) -> Result<NotationView, DecodeError> {
    decode_envelope(JWS_MEDIA_TYPE, bytes)
}
