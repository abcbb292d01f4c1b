//! Rekor transparency-log material: cosign's `dev.sigstore.cosign/bundle` annotation, entry
//! bodies (hashedrekord, intoto, dsse, rekord), the Signed Entry Timestamp payload, and
//! checkpoints (signed notes).

mod body;
mod checkpoint;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::canonical::to_canonical_json;
use super::encoding;
use super::error::{DecodeError, decode_base64, parse_json};

pub use body::{EntryBody, EntrySignature, HashView, VerifierView, decode_entry_body};
pub use checkpoint::{CheckpointSignature, CheckpointView, parse_checkpoint};

/// cosign's `RekorBundle` (cosign `pkg/cosign/bundle/rekor.go`), stored in the
/// `dev.sigstore.cosign/bundle` layer annotation of legacy `.sig`/`.att` images.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RekorBundleView {
    /// The Signed Entry Timestamp: the log's signature over [`set_payload`].
    #[serde(serialize_with = "encoding::base64")]
    pub signed_entry_timestamp: Vec<u8>,
    pub integrated_time: i64,
    pub integrated_time_rfc3339: String,
    pub log_index: i64,
    /// Hex SHA-256 of the log's public key.
    pub log_id: String,
    /// The body exactly as the annotation carries it (base64): the SET covers this string.
    pub body_base64: String,
    /// The decoded body bytes (the canonicalised entry JSON the Merkle leaf hashes).
    #[serde(serialize_with = "encoding::base64")]
    pub body_raw: Vec<u8>,
    /// The entry, or why it could not be read (the bundle is still shown).
    pub body: Result<EntryBody, DecodeError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawRekorBundle {
    signed_entry_timestamp: String,
    payload: RawPayload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPayload {
    body: String,
    integrated_time: i64,
    log_index: i64,
    #[serde(rename = "logID")]
    log_id: String,
}

/// Decodes the `dev.sigstore.cosign/bundle` annotation value.
pub fn decode_rekor_bundle(json: &[u8]) -> Result<RekorBundleView, DecodeError> {
    const WHAT: &str = "rekor bundle";
    let raw: RawRekorBundle = parse_json(WHAT, json)?;
    let body_raw = decode_base64("rekor bundle Payload.body", &raw.payload.body)?;
    Ok(RekorBundleView {
        signed_entry_timestamp: decode_base64(
            "rekor bundle SignedEntryTimestamp",
            &raw.signed_entry_timestamp,
        )?,
        integrated_time: raw.payload.integrated_time,
        integrated_time_rfc3339: encoding::rfc3339(raw.payload.integrated_time),
        log_index: raw.payload.log_index,
        log_id: raw.payload.log_id,
        body: decode_entry_body(&body_raw),
        body_base64: raw.payload.body,
        body_raw,
    })
}

impl RekorBundleView {
    /// The bytes the SET signs, for this bundle.
    pub fn set_payload(&self) -> Result<Vec<u8>, DecodeError> {
        set_payload(
            &self.body_base64,
            self.integrated_time,
            &self.log_id,
            self.log_index,
        )
    }
}

/// The Signed Entry Timestamp payload: canonical JSON (keys sorted, no white space) of
/// `{"body","integratedTime","logID","logIndex"}`, `body` being the entry's base64 text and
/// `logID` the hex key id (Rekor `pkg/api/entries.go`, cosign `VerifySET`).
pub fn set_payload(
    body_base64: &str,
    integrated_time: i64,
    log_id_hex: &str,
    log_index: i64,
) -> Result<Vec<u8>, DecodeError> {
    // The canonical form written directly when both strings are plain ASCII (every real body is
    // base64, every log ID hex): NFC leaves ASCII unchanged and canonical JSON escapes only `"`
    // and `\`, so the bytes are exactly the canonicaliser's, without its per-character cost.
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii() && b != b'"' && b != b'\\');
    if plain(body_base64) && plain(log_id_hex) {
        return Ok(format!(
            r#"{{"body":"{body_base64}","integratedTime":{integrated_time},"logID":"{log_id_hex}","logIndex":{log_index}}}"#
        )
        .into_bytes());
    }
    to_canonical_json(&serde_json::json!({
        "body": body_base64,
        "integratedTime": integrated_time,
        "logID": log_id_hex,
        "logIndex": log_index,
    }))
    .map_err(|e| DecodeError::json("set payload", e))
}
