//! Notary Project signature envelopes in JWS JSON form (notaryproject specs
//! `signature-envelope-jws.md`): shown and decoded, not verified.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::certificate::{CertificateView, decode_certificate};
use super::error::{DecodeError, decode_base64, parse_json};

/// The layer media type of a JWS notation signature.
pub const JWS_MEDIA_TYPE: &str = "application/jose+json";
/// The layer media type of a COSE notation signature (kept raw: no CBOR decoding yet).
pub const COSE_MEDIA_TYPE: &str = "application/cose";

/// A decoded JWS envelope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotationView {
    /// `alg` from the protected header (`PS256`, `ES384`, …).
    pub algorithm: Option<String>,
    /// `io.cncf.notary.signingScheme` (`notary.x509`, `notary.x509.signingAuthority`).
    pub signing_scheme: Option<String>,
    /// `io.cncf.notary.signingTime`.
    pub signing_time: Option<String>,
    /// `io.cncf.notary.expiry`.
    pub expiry: Option<String>,
    /// The whole protected header, as sent.
    pub protected: BTreeMap<String, serde_json::Value>,
    /// The signed descriptor (`targetArtifact`).
    pub target_artifact: Option<serde_json::Value>,
    /// `io.cncf.notary.signingAgent` from the unprotected header.
    pub signing_agent: Option<String>,
    /// The `x5c` chain, leaf first, each decoded or with its error.
    pub certificates: Vec<Result<CertificateView, DecodeError>>,
    /// The signature bytes' length (the bytes themselves are not shown).
    pub signature_len: usize,
}

#[derive(Deserialize)]
struct RawJws {
    payload: String,
    protected: String,
    #[serde(default)]
    header: BTreeMap<String, serde_json::Value>,
    signature: String,
}

fn base64url(what: &str, text: &str) -> Result<Vec<u8>, DecodeError> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| DecodeError::base64(what, e))
}

/// Decodes a JWS JSON notation envelope.
pub fn decode_jws(bytes: &[u8]) -> Result<NotationView, DecodeError> {
    let raw: RawJws = parse_json("notation envelope", bytes)?;
    let protected: BTreeMap<String, serde_json::Value> = parse_json(
        "notation protected header",
        &base64url("notation protected header", &raw.protected)?,
    )?;
    let payload: serde_json::Value = parse_json(
        "notation payload",
        &base64url("notation payload", &raw.payload)?,
    )?;
    let signature = base64url("notation signature", &raw.signature)?;
    let text = |map: &BTreeMap<String, serde_json::Value>, key: &str| {
        map.get(key).and_then(|v| v.as_str()).map(str::to_owned)
    };
    let certificates = raw
        .header
        .get("x5c")
        .and_then(|v| v.as_array())
        .map(|chain| {
            chain
                .iter()
                .take(super::certificate::MAX_CHAIN_LENGTH)
                .map(|c| {
                    let b64 = c.as_str().unwrap_or_default();
                    decode_base64("notation x5c certificate", b64)
                        .and_then(|der| decode_certificate(&der))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(NotationView {
        algorithm: text(&protected, "alg"),
        signing_scheme: text(&protected, "io.cncf.notary.signingScheme"),
        signing_time: text(&protected, "io.cncf.notary.signingTime"),
        expiry: text(&protected, "io.cncf.notary.expiry"),
        target_artifact: payload.get("targetArtifact").cloned(),
        signing_agent: text(&raw.header, "io.cncf.notary.signingAgent"),
        protected,
        certificates,
        signature_len: signature.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn envelope(protected: &str, payload: &str, x5c: &[String]) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "payload": URL_SAFE_NO_PAD.encode(payload),
            "protected": URL_SAFE_NO_PAD.encode(protected),
            "header": {"x5c": x5c, "io.cncf.notary.signingAgent": "notation-go/1.1.0"},
            "signature": URL_SAFE_NO_PAD.encode([1u8; 96]),
        }))
        .unwrap()
    }

    #[test]
    fn a_jws_envelope_decodes_headers_target_and_chain() {
        let ca = crate::fixture::CertificateAuthority::new("notation test", 1_700_000_000).unwrap();
        let x5c = vec![
            STANDARD.encode(&ca.intermediate.der),
            STANDARD.encode(&ca.root.der),
        ];
        let protected = r#"{"alg":"ES256","crit":["io.cncf.notary.signingScheme"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"2026-09-21T12:00:00Z"}"#;
        let payload = r#"{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":3}}"#;
        let view = decode_jws(&envelope(protected, payload, &x5c)).unwrap();
        assert_eq!(view.algorithm.as_deref(), Some("ES256"));
        assert_eq!(view.signing_scheme.as_deref(), Some("notary.x509"));
        assert_eq!(view.signing_time.as_deref(), Some("2026-09-21T12:00:00Z"));
        assert_eq!(view.signing_agent.as_deref(), Some("notation-go/1.1.0"));
        assert_eq!(view.target_artifact.unwrap()["size"], 3);
        assert_eq!(view.certificates.len(), 2);
        assert!(
            view.certificates[0]
                .as_ref()
                .unwrap()
                .subject
                .contains("notation test intermediate")
        );
        assert_eq!(view.signature_len, 96);
    }

    #[test]
    fn malformed_envelopes_name_the_broken_part() {
        let err = decode_jws(b"{}").unwrap_err().to_string();
        assert!(err.contains("notation envelope"), "{err}");
        let bad = serde_json::json!({"payload": "e30", "protected": "!!", "signature": ""});
        let err = decode_jws(bad.to_string().as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("protected header: malformed base64"), "{err}");
        let bad_cert = envelope("{}", "{}", &["AAAA".to_owned()]);
        let view = decode_jws(&bad_cert).unwrap();
        assert!(view.certificates[0].is_err());
    }
}
