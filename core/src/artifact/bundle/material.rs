//! A bundle's verification material: signer certificate or key hint, transparency-log entries
//! and RFC 3161 timestamps (protobuf-specs `VerificationMaterial`, `TransparencyLogEntry`).

use serde::{Deserialize, Serialize};

use crate::artifact::certificate::{CertificateView, decode_certificate};
use crate::artifact::encoding;
use crate::artifact::error::DecodeError;

use super::decode_base64;
use crate::artifact::rekor::{CheckpointView, EntryBody, decode_entry_body, parse_checkpoint};
use crate::artifact::timestamp::{TimestampView, decode_timestamp};

/// The most tlog entries, chain certificates or timestamps read from one bundle (a budget on
/// untrusted input; real bundles have one or two).
pub const MAX_ITEMS: usize = 64;

/// Who signed (protobuf-specs `VerificationMaterial.content`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum VerificationMaterialView {
    /// v0.1/v0.2 `x509CertificateChain`, leaf first.
    CertificateChain(Vec<CertificateView>),
    /// v0.3 `certificate`: the leaf alone.
    Certificate(Box<CertificateView>),
    /// `publicKey.hint`: names a key the verifier must already have.
    PublicKey { hint: String },
}

/// protobuf-specs `TransparencyLogEntry`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TlogEntryView {
    pub log_index: i64,
    /// `logId.keyId`: the log's key id (SHA-256 of its public key for Rekor v1), hex in JSON.
    #[serde(serialize_with = "encoding::hex")]
    pub log_id: Vec<u8>,
    pub kind: String,
    pub version: String,
    /// Absent for Rekor v2 entries, which carry no integrated time.
    pub integrated_time: Option<i64>,
    pub integrated_time_rfc3339: Option<String>,
    /// `inclusionPromise.signedEntryTimestamp`: the SET.
    #[serde(serialize_with = "super::option_base64")]
    pub inclusion_promise: Option<Vec<u8>>,
    pub inclusion_proof: Option<InclusionProofView>,
    #[serde(serialize_with = "encoding::base64")]
    pub canonicalized_body: Vec<u8>,
    /// The body decoded, or why it could not be (the entry is still shown).
    pub body: Result<EntryBody, DecodeError>,
}

/// protobuf-specs `InclusionProof`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InclusionProofView {
    pub log_index: i64,
    #[serde(serialize_with = "encoding::base64")]
    pub root_hash: Vec<u8>,
    pub tree_size: i64,
    #[serde(serialize_with = "encoding::base64_list")]
    pub hashes: Vec<Vec<u8>>,
    /// `checkpoint.envelope` as given (absent in some v0.1 bundles).
    pub checkpoint_envelope: Option<String>,
    /// The checkpoint parsed, or why it could not be.
    pub checkpoint: Option<Result<CheckpointView, DecodeError>>,
}

/// One `rfc3161Timestamps[]` item: the DER and its decoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimestampEntry {
    #[serde(serialize_with = "encoding::base64")]
    pub der: Vec<u8>,
    pub decoded: Result<TimestampView, DecodeError>,
}

/// proto3 JSON int64: a decimal string, though a number is accepted too.
#[derive(Deserialize)]
#[serde(untagged)]
enum Int64 {
    Text(String),
    Number(i64),
}

fn int64(what: &str, value: Option<Int64>) -> Result<Option<i64>, DecodeError> {
    match value {
        None => Ok(None),
        Some(Int64::Number(n)) => Ok(Some(n)),
        Some(Int64::Text(t)) => t
            .parse()
            .map(Some)
            .map_err(|_| DecodeError::invalid(what, format!("{t:?} is not an int64"))),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RawMaterial {
    public_key: Option<RawHint>,
    x509_certificate_chain: Option<RawChain>,
    certificate: Option<RawBytes>,
    #[serde(default)]
    tlog_entries: Vec<RawEntry>,
    timestamp_verification_data: Option<RawTimestampData>,
    #[serde(flatten)]
    unknown: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct RawHint {
    #[serde(default)]
    hint: String,
}

#[derive(Deserialize)]
struct RawChain {
    #[serde(default)]
    certificates: Vec<RawBytes>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBytes {
    raw_bytes: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTimestampData {
    #[serde(default)]
    rfc3161_timestamps: Vec<RawTimestamp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTimestamp {
    signed_timestamp: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    log_index: Option<Int64>,
    log_id: Option<RawLogId>,
    kind_version: Option<RawKindVersion>,
    integrated_time: Option<Int64>,
    inclusion_promise: Option<RawPromise>,
    inclusion_proof: Option<RawProof>,
    canonicalized_body: Option<String>,
    #[serde(flatten)]
    unknown: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLogId {
    key_id: String,
}

#[derive(Deserialize)]
struct RawKindVersion {
    kind: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPromise {
    signed_entry_timestamp: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProof {
    log_index: Option<Int64>,
    root_hash: String,
    tree_size: Option<Int64>,
    #[serde(default)]
    hashes: Vec<String>,
    checkpoint: Option<RawCheckpoint>,
}

#[derive(Deserialize)]
struct RawCheckpoint {
    envelope: String,
}

type Material = (
    VerificationMaterialView,
    Vec<TlogEntryView>,
    Vec<TimestampEntry>,
);

const VM: &str = "bundle verificationMaterial";

pub(super) fn decode(
    raw: RawMaterial,
    unknown: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<Material, DecodeError> {
    for (k, v) in raw.unknown {
        unknown.insert(format!("verificationMaterial.{k}"), v);
    }
    let material = match (raw.certificate, raw.x509_certificate_chain, raw.public_key) {
        (Some(c), _, _) => VerificationMaterialView::Certificate(Box::new(certificate(
            "certificate.rawBytes",
            &c.raw_bytes,
        )?)),
        (None, Some(chain), _) => {
            limit(
                "x509CertificateChain.certificates",
                chain.certificates.len(),
            )?;
            VerificationMaterialView::CertificateChain(
                chain
                    .certificates
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let field = format!("x509CertificateChain.certificates[{i}].rawBytes");
                        certificate(&field, &c.raw_bytes)
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        (None, None, Some(key)) => VerificationMaterialView::PublicKey { hint: key.hint },
        (None, None, None) => {
            return Err(DecodeError::invalid(
                VM,
                "no certificate, certificate chain or public key",
            ));
        }
    };
    limit("tlogEntries", raw.tlog_entries.len())?;
    let entries = raw
        .tlog_entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| tlog_entry(i, e, unknown))
        .collect::<Result<Vec<_>, _>>()?;
    let stamps = raw
        .timestamp_verification_data
        .map(|t| t.rfc3161_timestamps)
        .unwrap_or_default();
    limit("timestampVerificationData.rfc3161Timestamps", stamps.len())?;
    let timestamps = stamps
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let what =
                format!("{VM}.timestampVerificationData.rfc3161Timestamps[{i}].signedTimestamp");
            let der = decode_base64(&what, &t.signed_timestamp)?;
            Ok(TimestampEntry {
                decoded: decode_timestamp(&der),
                der,
            })
        })
        .collect::<Result<Vec<_>, DecodeError>>()?;
    Ok((material, entries, timestamps))
}

fn certificate(field: &str, b64: &str) -> Result<CertificateView, DecodeError> {
    let what = format!("{VM}.{field}");
    let der = decode_base64(&what, b64)?;
    decode_certificate(&der).map_err(|e| DecodeError::invalid(what, e.to_string()))
}

fn limit(field: &str, n: usize) -> Result<(), DecodeError> {
    if n > MAX_ITEMS {
        return Err(DecodeError::invalid(
            format!("{VM}.{field}"),
            format!("limit reached: {n} items exceed the limit of {MAX_ITEMS}"),
        ));
    }
    Ok(())
}

fn tlog_entry(
    i: usize,
    raw: RawEntry,
    unknown: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<TlogEntryView, DecodeError> {
    let at = format!("{VM}.tlogEntries[{i}]");
    for (k, v) in raw.unknown {
        unknown.insert(format!("verificationMaterial.tlogEntries[{i}].{k}"), v);
    }
    let missing = |field: &str| DecodeError::invalid(format!("{at}.{field}"), "is missing");
    let body_text = raw
        .canonicalized_body
        .ok_or_else(|| missing("canonicalizedBody"))?;
    let canonicalized_body = decode_base64(&format!("{at}.canonicalizedBody"), &body_text)?;
    let kind_version = raw.kind_version.ok_or_else(|| missing("kindVersion"))?;
    let log_id = raw.log_id.ok_or_else(|| missing("logId"))?;
    let integrated_time = int64(&format!("{at}.integratedTime"), raw.integrated_time)?;
    let inclusion_proof = raw
        .inclusion_proof
        .map(|p| inclusion_proof(&format!("{at}.inclusionProof"), p))
        .transpose()?;
    let inclusion_promise = raw
        .inclusion_promise
        .map(|p| {
            let what = format!("{at}.inclusionPromise.signedEntryTimestamp");
            decode_base64(&what, &p.signed_entry_timestamp)
        })
        .transpose()?;
    Ok(TlogEntryView {
        // proto3 JSON omits zero values, so an absent logIndex is 0.
        log_index: int64(&format!("{at}.logIndex"), raw.log_index)?.unwrap_or(0),
        log_id: decode_base64(&format!("{at}.logId.keyId"), &log_id.key_id)?,
        kind: kind_version.kind,
        version: kind_version.version,
        integrated_time_rfc3339: integrated_time.map(encoding::rfc3339),
        integrated_time,
        inclusion_promise,
        inclusion_proof,
        body: decode_entry_body(&canonicalized_body),
        canonicalized_body,
    })
}

fn inclusion_proof(at: &str, p: RawProof) -> Result<InclusionProofView, DecodeError> {
    limit("tlogEntries[].inclusionProof.hashes", p.hashes.len())?;
    Ok(InclusionProofView {
        log_index: int64(&format!("{at}.logIndex"), p.log_index)?.unwrap_or(0),
        root_hash: decode_base64(&format!("{at}.rootHash"), &p.root_hash)?,
        tree_size: int64(&format!("{at}.treeSize"), p.tree_size)?.unwrap_or(0),
        hashes: p
            .hashes
            .iter()
            .enumerate()
            .map(|(j, h)| decode_base64(&format!("{at}.hashes[{j}]"), h))
            .collect::<Result<_, _>>()?,
        checkpoint: p.checkpoint.as_ref().map(|c| parse_checkpoint(&c.envelope)),
        checkpoint_envelope: p.checkpoint.map(|c| c.envelope),
    })
}
