//! Rekor entry bodies (the canonicalised JSON a log entry stores), by kind and API version.
//! Schemas: rekor `pkg/types/<kind>/v<version>/*_schema.json`; Rekor v2's `hashedrekord` 0.0.2
//! as rekor-tiles writes it (`spec.hashedRekordV002`).

use serde::{Deserialize, Serialize};

use crate::artifact::certificate::{CertificateView, decode_certificate};
use crate::artifact::encoding;
use crate::artifact::error::{DecodeError, decode_base64, parse_json};

/// A decoded entry body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryBody {
    /// `hashedrekord` 0.0.1 (and 0.0.2 from Rekor v2): a signature over a digest.
    #[serde(rename = "hashedrekord")]
    HashedRekord {
        /// The kind's version (`0.0.1`).
        api_version: String,
        /// `sha256` (0.0.1) or `SHA2_256` (0.0.2), with the digest in hex.
        data_hash: HashView,
        /// The signature over the artifact digest.
        #[serde(serialize_with = "encoding::base64")]
        signature: Vec<u8>,
        /// The certificate or public key that verifies it.
        verifier: VerifierView,
    },
    /// `intoto` 0.0.2: a DSSE envelope's hashes and signatures.
    Intoto {
        /// The kind's version (`0.0.1` or `0.0.2`).
        api_version: String,
        /// The DSSE `payloadType` (0.0.1 only).
        payload_type: String,
        /// The hash of the whole envelope, when logged.
        envelope_hash: Option<HashView>,
        /// The hash of the payload, when logged.
        payload_hash: Option<HashView>,
        /// The envelope's signatures and their verifiers.
        signatures: Vec<EntrySignature>,
    },
    /// `intoto` 0.0.1: the envelope's and payload's hashes and the signer's key; the envelope
    /// itself (and so the signature) is not stored.
    IntotoV1 {
        /// The kind's version.
        api_version: String,
        /// The hash of the whole envelope, when logged.
        envelope_hash: Option<HashView>,
        /// The hash of the payload, when logged.
        payload_hash: Option<HashView>,
        /// The certificate or public key that verifies the envelope.
        verifier: VerifierView,
    },
    /// `dsse` 0.0.1.
    Dsse {
        /// The kind's version (`0.0.1`).
        api_version: String,
        /// The hash of the whole envelope.
        envelope_hash: Option<HashView>,
        /// The hash of the payload.
        payload_hash: Option<HashView>,
        /// The envelope's signatures and their verifiers.
        signatures: Vec<EntrySignature>,
    },
    /// `rekord` 0.0.1: a detached signature (x509, pgp, minisign, ssh) over data.
    Rekord {
        /// The kind's version.
        api_version: String,
        /// The hash of the signed data.
        data_hash: Option<HashView>,
        /// `signature.format`: `x509`, `pgp`, `minisign`, `ssh`, …
        signature_format: String,
        /// The signature bytes.
        #[serde(serialize_with = "encoding::base64")]
        signature: Vec<u8>,
        /// The key or certificate that verifies it.
        verifier: VerifierView,
    },
    /// Any other kind or version, kept as JSON.
    Unknown {
        /// The entry's `kind`.
        #[serde(rename = "entry_kind")]
        kind: String,
        /// The entry's `apiVersion`.
        api_version: String,
        /// The body as logged.
        raw: serde_json::Value,
    },
}

/// A digest: algorithm name as the body spells it, value in lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashView {
    /// The hash algorithm (`sha256`).
    pub algorithm: String,
    /// The hash, hex.
    pub value: String,
}

/// One signature and the key or certificate that verifies it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntrySignature {
    /// The signature's `keyid`, when given; a hint, never trusted.
    pub keyid: Option<String>,
    /// The signature bytes.
    #[serde(serialize_with = "encoding::base64")]
    pub signature: Vec<u8>,
    /// The certificate or public key that verifies it.
    pub verifier: VerifierView,
}

/// Verification material named by an entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VerifierView {
    /// A PEM certificate (a Fulcio leaf, for keyless signing).
    Certificate(Box<CertificateView>),
    /// A DER SubjectPublicKeyInfo (from a `PUBLIC KEY` PEM block or Rekor v2 `publicKey`).
    PublicKey {
        /// The SubjectPublicKeyInfo, DER.
        #[serde(serialize_with = "encoding::base64")]
        der: Vec<u8>,
    },
    /// Anything else (PGP, minisign, SSH keys): the text, or hex when not UTF-8.
    Other {
        /// The verifier's text as logged.
        text: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    kind: String,
    api_version: String,
    #[serde(default)]
    spec: serde_json::Value,
}

/// Decodes an entry body (JSON). Unknown kinds and versions are kept raw, not refused.
pub fn decode_entry_body(bytes: &[u8]) -> Result<EntryBody, DecodeError> {
    let header: Header = parse_json("rekor entry body", bytes)?;
    let spec = header.spec;
    let version = header.api_version;
    match (header.kind.as_str(), version.as_str()) {
        ("hashedrekord", "0.0.1") => hashedrekord_v001(version, spec),
        ("hashedrekord", "0.0.2") => hashedrekord_v002(version, spec),
        ("intoto", "0.0.1") => intoto_v001(version, spec),
        ("intoto", "0.0.2") => intoto_v002(version, spec),
        ("dsse", "0.0.1") => dsse_v001(version, spec),
        ("rekord", "0.0.1") => rekord_v001(version, spec),
        _ => Ok(EntryBody::Unknown {
            kind: header.kind,
            api_version: version,
            raw: spec,
        }),
    }
}

fn spec<T: serde::de::DeserializeOwned>(
    what: &str,
    spec: serde_json::Value,
) -> Result<T, DecodeError> {
    serde_json::from_value(spec)
        .map_err(|e| DecodeError::invalid(what, format!("well-formed JSON, but {e}")))
}

/// `publicKey.content` / `verifier`: base64 of a PEM block (certificate or public key) in the
/// v0.0.x schemas; PGP, minisign and SSH keys are not PEM and are kept as text.
fn pem_verifier(what: &str, base64_text: &str) -> Result<VerifierView, DecodeError> {
    let bytes = decode_base64(what, base64_text)?;
    match pem::parse(&bytes) {
        Ok(block) if block.tag() == "CERTIFICATE" => Ok(VerifierView::Certificate(Box::new(
            decode_certificate(block.contents()).map_err(|e| nest(what, e))?,
        ))),
        Ok(block) if block.tag() == "PUBLIC KEY" => Ok(VerifierView::PublicKey {
            der: block.into_contents(),
        }),
        _ => Ok(VerifierView::Other {
            text: String::from_utf8(bytes.clone()).unwrap_or_else(|_| hex::encode(&bytes)),
        }),
    }
}

fn nest(what: &str, err: DecodeError) -> DecodeError {
    DecodeError::invalid(what, err.to_string())
}

#[derive(Deserialize)]
struct HashedRekordV001 {
    data: DataV001,
    signature: SignatureV001,
}

#[derive(Deserialize)]
struct DataV001 {
    hash: Option<HashView>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignatureV001 {
    #[serde(default)]
    format: Option<String>,
    content: String,
    public_key: PublicKeyV001,
}

#[derive(Deserialize)]
struct PublicKeyV001 {
    content: String,
}

fn hashedrekord_v001(
    api_version: String,
    value: serde_json::Value,
) -> Result<EntryBody, DecodeError> {
    let s: HashedRekordV001 = spec("hashedrekord spec", value)?;
    Ok(EntryBody::HashedRekord {
        api_version,
        data_hash: s
            .data
            .hash
            .ok_or_else(|| DecodeError::invalid("hashedrekord spec", "data.hash is missing"))?,
        signature: decode_base64("hashedrekord signature.content", &s.signature.content)?,
        verifier: pem_verifier(
            "hashedrekord signature.publicKey.content",
            &s.signature.public_key.content,
        )?,
    })
}

fn rekord_v001(api_version: String, value: serde_json::Value) -> Result<EntryBody, DecodeError> {
    let s: HashedRekordV001 = spec("rekord spec", value)?;
    Ok(EntryBody::Rekord {
        api_version,
        data_hash: s.data.hash,
        signature_format: s.signature.format.unwrap_or_default(),
        signature: decode_base64("rekord signature.content", &s.signature.content)?,
        verifier: pem_verifier(
            "rekord signature.publicKey.content",
            &s.signature.public_key.content,
        )?,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HashedRekordV002Outer {
    hashed_rekord_v002: HashedRekordV002,
}

#[derive(Deserialize)]
struct HashedRekordV002 {
    data: DigestV002,
    signature: SignatureV002,
}

/// protobuf-specs `HashOutput`: algorithm enum name, digest bytes (base64 in JSON).
#[derive(Deserialize)]
struct DigestV002 {
    algorithm: String,
    digest: String,
}

#[derive(Deserialize)]
struct SignatureV002 {
    content: String,
    verifier: VerifierV002,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifierV002 {
    x509_certificate: Option<RawBytes>,
    public_key: Option<RawBytes>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBytes {
    raw_bytes: String,
}

fn hashedrekord_v002(
    api_version: String,
    value: serde_json::Value,
) -> Result<EntryBody, DecodeError> {
    let s = spec::<HashedRekordV002Outer>("hashedrekord spec", value)?.hashed_rekord_v002;
    let verifier = match (
        s.signature.verifier.x509_certificate,
        s.signature.verifier.public_key,
    ) {
        (Some(cert), _) => {
            let der = decode_base64(
                "hashedrekord verifier.x509Certificate.rawBytes",
                &cert.raw_bytes,
            )?;
            VerifierView::Certificate(Box::new(
                decode_certificate(&der).map_err(|e| nest("hashedrekord verifier", e))?,
            ))
        }
        (None, Some(key)) => VerifierView::PublicKey {
            der: decode_base64("hashedrekord verifier.publicKey.rawBytes", &key.raw_bytes)?,
        },
        (None, None) => {
            return Err(DecodeError::invalid(
                "hashedrekord verifier",
                "neither x509Certificate nor publicKey is present",
            ));
        }
    };
    Ok(EntryBody::HashedRekord {
        api_version,
        data_hash: HashView {
            algorithm: s.data.algorithm,
            value: hex::encode(decode_base64("hashedrekord data.digest", &s.data.digest)?),
        },
        signature: decode_base64("hashedrekord signature.content", &s.signature.content)?,
        verifier,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoV002 {
    content: IntotoContent,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoContent {
    envelope: IntotoEnvelope,
    hash: Option<HashView>,
    payload_hash: Option<HashView>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoEnvelope {
    payload_type: String,
    signatures: Vec<IntotoSignature>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoSignature {
    keyid: Option<String>,
    sig: String,
    public_key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoV001 {
    content: IntotoV001Content,
    public_key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoV001Content {
    hash: Option<HashView>,
    payload_hash: Option<HashView>,
}

/// rekor `pkg/types/intoto/v0.0.1`: `content.envelope` is write-only (never returned), so the
/// body holds the hashes and `publicKey` (base64 of a PEM certificate or key).
fn intoto_v001(api_version: String, value: serde_json::Value) -> Result<EntryBody, DecodeError> {
    let s: IntotoV001 = spec("intoto spec", value)?;
    Ok(EntryBody::IntotoV1 {
        api_version,
        envelope_hash: s.content.hash,
        payload_hash: s.content.payload_hash,
        verifier: pem_verifier("intoto publicKey", &s.public_key)?,
    })
}

fn intoto_v002(api_version: String, value: serde_json::Value) -> Result<EntryBody, DecodeError> {
    let s: IntotoV002 = spec("intoto spec", value)?;
    let signatures = s
        .content
        .envelope
        .signatures
        .into_iter()
        .map(|sig| {
            // The schema says `sig` is base64 ("format": "byte") of the signature; Rekor stores
            // the envelope's `sig` (itself base64 text) through that encoding, so real entries
            // carry base64 of base64. Decode twice when the inner text is base64.
            let outer = decode_base64("intoto signature.sig", &sig.sig)?;
            let signature = std::str::from_utf8(&outer)
                .ok()
                .and_then(|text| decode_base64("", text).ok())
                .unwrap_or(outer);
            Ok(EntrySignature {
                keyid: sig.keyid.filter(|k| !k.is_empty()),
                signature,
                verifier: pem_verifier("intoto signature.publicKey", &sig.public_key)?,
            })
        })
        .collect::<Result<Vec<_>, DecodeError>>()?;
    Ok(EntryBody::Intoto {
        api_version,
        payload_type: s.content.envelope.payload_type,
        envelope_hash: s.content.hash,
        payload_hash: s.content.payload_hash,
        signatures,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DsseV001 {
    envelope_hash: Option<HashView>,
    payload_hash: Option<HashView>,
    #[serde(default)]
    signatures: Vec<DsseSignature>,
}

#[derive(Deserialize)]
struct DsseSignature {
    signature: String,
    verifier: String,
}

fn dsse_v001(api_version: String, value: serde_json::Value) -> Result<EntryBody, DecodeError> {
    let s: DsseV001 = spec("dsse spec", value)?;
    let signatures = s
        .signatures
        .into_iter()
        .map(|sig| {
            Ok(EntrySignature {
                keyid: None,
                signature: decode_base64("dsse signature.signature", &sig.signature)?,
                verifier: pem_verifier("dsse signature.verifier", &sig.verifier)?,
            })
        })
        .collect::<Result<Vec<_>, DecodeError>>()?;
    Ok(EntryBody::Dsse {
        api_version,
        envelope_hash: s.envelope_hash,
        payload_hash: s.payload_hash,
        signatures,
    })
}

impl EntryBody {
    /// The kind and API version the body itself names (`hashedrekord`, `0.0.1`).
    pub fn kind_version(&self) -> (&str, &str) {
        match self {
            EntryBody::HashedRekord { api_version, .. } => ("hashedrekord", api_version),
            EntryBody::Intoto { api_version, .. } | EntryBody::IntotoV1 { api_version, .. } => {
                ("intoto", api_version)
            }
            EntryBody::Dsse { api_version, .. } => ("dsse", api_version),
            EntryBody::Rekord { api_version, .. } => ("rekord", api_version),
            EntryBody::Unknown {
                kind, api_version, ..
            } => (kind, api_version),
        }
    }

    /// The certificate of the first signature, if the verifier is one.
    pub fn certificate(&self) -> Option<&CertificateView> {
        let verifier = match self {
            EntryBody::HashedRekord { verifier, .. }
            | EntryBody::Rekord { verifier, .. }
            | EntryBody::IntotoV1 { verifier, .. } => verifier,
            EntryBody::Intoto { signatures, .. } | EntryBody::Dsse { signatures, .. } => {
                &signatures.first()?.verifier
            }
            EntryBody::Unknown { .. } => return None,
        };
        match verifier {
            VerifierView::Certificate(cert) => Some(cert),
            _ => None,
        }
    }
}
