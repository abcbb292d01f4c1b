//! Notary Project signature envelopes (notaryproject specs `signature-specification.md`,
//! `signature-envelope-jws.md`, `signature-envelope-cose.md`): JWS JSON and COSE_Sign1, parsed
//! into one [`Envelope`] and shown as a [`NotationView`]. Nothing here verifies: header rules,
//! signatures and trust are `verify::notation`'s.

mod cose;
mod jws;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use super::certificate::{CertificateView, MAX_CHAIN_LENGTH, decode_certificate};
use super::error::DecodeError;
use super::timestamp::{TimestampView, decode_timestamp};

pub use cose::decode_cose;
pub use jws::decode_jws_envelope;

/// The layer media type of a JWS notation signature.
pub const JWS_MEDIA_TYPE: &str = "application/jose+json";
/// The layer media type of a COSE notation signature.
pub const COSE_MEDIA_TYPE: &str = "application/cose";
/// The only payload content type the Notary Project defines (signature-specification.md).
pub const PAYLOAD_MEDIA_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";

/// Protected header labels the Notary Project defines (both envelopes use the same names).
pub mod label {
    pub const SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
    pub const SIGNING_TIME: &str = "io.cncf.notary.signingTime";
    pub const AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
    pub const EXPIRY: &str = "io.cncf.notary.expiry";
    pub const TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
    pub const SIGNING_AGENT: &str = "io.cncf.notary.signingAgent";
    pub const VERIFICATION_PLUGIN: &str = "io.cncf.notary.verificationPlugin";
    pub const VERIFICATION_PLUGIN_MIN_VERSION: &str = "io.cncf.notary.verificationPluginMinVersion";
}

/// Which envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeFormat {
    Jws,
    Cose,
}

impl EnvelopeFormat {
    pub fn name(self) -> &'static str {
        match self {
            EnvelopeFormat::Jws => "JWS",
            EnvelopeFormat::Cose => "COSE",
        }
    }
}

/// A time from a protected header: Unix seconds and the text it was given as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderTime {
    pub unix: i64,
    pub text: String,
}

/// A protected header parameter the Notary Project does not define (a plugin's, or anyone's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtendedAttribute {
    pub label: String,
    /// Listed in `crit`: a verifier must understand it.
    pub critical: bool,
    /// The value, as JSON text (COSE values converted).
    pub value: String,
}

/// A parsed envelope: every protected header the Notary Project defines, the others kept, and
/// the bytes a verifier needs. Nothing in it is trusted yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Envelope {
    pub format: EnvelopeFormat,
    /// `alg` (`PS256`, `ES384`, …; a COSE algorithm without a JOSE name as `COSE alg N`).
    pub algorithm: Option<String>,
    /// `cty` (JWS) or content type (COSE label 3).
    pub content_type: Option<String>,
    /// `crit`; `None` when the header is absent.
    pub critical: Option<Vec<String>>,
    pub signing_scheme: Option<String>,
    pub signing_time: Option<HeaderTime>,
    pub authentic_signing_time: Option<HeaderTime>,
    pub expiry: Option<HeaderTime>,
    pub extended: Vec<ExtendedAttribute>,
    /// `io.cncf.notary.signingAgent` (unprotected).
    pub signing_agent: Option<String>,
    /// The payload bytes.
    #[serde(skip)]
    pub payload: Vec<u8>,
    /// What the signature covers: JWS `protected.payload`, COSE's `Sig_structure`.
    #[serde(skip)]
    pub signing_input: Vec<u8>,
    #[serde(skip)]
    pub signature: Vec<u8>,
    /// `x5c` / `x5chain` (label 33), leaf first, DER.
    #[serde(skip)]
    pub certificates: Vec<Vec<u8>>,
    /// `io.cncf.notary.timestampSignature`: an RFC 3161 token over the signature.
    #[serde(skip)]
    pub timestamp: Option<Vec<u8>>,
}

impl Envelope {
    /// The time the signer claims: `signingTime`, else `authenticSigningTime`.
    pub fn claimed_signing_time(&self) -> Option<&HeaderTime> {
        self.signing_time
            .as_ref()
            .or(self.authentic_signing_time.as_ref())
    }
}

/// A decoded envelope, as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotationView {
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

/// The JOSE name of a signature algorithm the Notary Project allows, by COSE number.
pub fn cose_algorithm_name(number: i64) -> Option<&'static str> {
    Some(match number {
        -37 => "PS256",
        -38 => "PS384",
        -39 => "PS512",
        -7 => "ES256",
        -35 => "ES384",
        -36 => "ES512",
        _ => return None,
    })
}
