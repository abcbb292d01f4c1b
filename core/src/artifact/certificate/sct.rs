//! Embedded Signed Certificate Timestamps (RFC 6962 §3.3): the X.509v3 extension
//! 1.3.6.1.4.1.11129.2.4.2 whose value is a DER OCTET STRING holding a TLS-encoded
//! `SignedCertificateTimestampList`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use der::{Decode as _, Encode as _};
use serde::Serialize;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::artifact::error::DecodeError;

/// The embedded SCT list extension (RFC 6962 §3.3).
pub const EMBEDDED_SCT_OID: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap(EMBEDDED_SCT_OID_STR);

pub(super) const EMBEDDED_SCT_OID_STR: &str = "1.3.6.1.4.1.11129.2.4.2";

/// One SCT (RFC 6962 §3.2 `SignedCertificateTimestamp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SctView {
    /// `Version`: 0 is v1.
    pub version: u8,
    /// `LogID`: SHA-256 of the log's public key, hex.
    pub log_id: String,
    /// Milliseconds since the epoch.
    pub timestamp_ms: u64,
    pub timestamp_rfc3339: String,
    /// RFC 5246 §7.4.1.4.1 `HashAlgorithm` name (`sha256`) or number.
    pub hash_algorithm: String,
    /// RFC 5246 §7.4.1.4.1 `SignatureAlgorithm` name (`ecdsa`) or number.
    pub signature_algorithm: String,
    /// The signature bytes, base64.
    pub signature: String,
    /// `CtExtensions`, hex (empty in every SCT RFC 6962 defines).
    pub extensions: String,
}

/// Reads the list from the extension value; the reason in words when it is malformed.
///
/// Hand-written rather than x509-parser's reader, which skips trailing bytes inside the list and
/// inside each SCT: an inspector should show such a list as malformed.
pub(super) fn decode_sct_list(extension_value: &[u8]) -> Result<Vec<SctView>, String> {
    // RFC 6962 §3.3: "the extension's extnValue is an OCTET STRING that contains the
    // TLS-encoded SignedCertificateTimestampList" (so the value is itself a DER OCTET STRING).
    let list = der::asn1::OctetStringRef::from_der(extension_value)
        .map_err(|e| format!("sct list is not a DER OCTET STRING: {e}"))?;
    let mut reader = TlsReader(list.as_bytes());
    // `SerializedSCT sct_list <1..2^16-1>`, each `opaque SerializedSCT<1..2^16-1>`.
    let mut body = TlsReader(reader.vector16("sct list")?);
    reader.finish("sct list")?;
    let mut scts = Vec::new();
    while !body.0.is_empty() {
        let n = scts.len();
        let mut sct = TlsReader(body.vector16(&format!("sct {n}"))?);
        scts.push(decode_sct(&mut sct).map_err(|e| format!("sct {n}: {e}"))?);
        sct.finish(&format!("sct {n}"))?;
    }
    if scts.is_empty() {
        return Err("sct list is empty (RFC 6962 requires at least one)".to_owned());
    }
    Ok(scts)
}

/// RFC 6962 §3.2 `SignedCertificateTimestamp`: version, 32-byte log id, u64 timestamp,
/// `CtExtensions<0..2^16-1>`, `digitally-signed` (hash u8, signature u8, `opaque<0..2^16-1>`).
fn decode_sct(r: &mut TlsReader<'_>) -> Result<SctView, String> {
    let version = r.u8("version")?;
    let log_id = r.take(32, "log id")?;
    let timestamp_ms = u64::from_be_bytes(
        r.take(8, "timestamp")?
            .try_into()
            .map_err(|_| "timestamp is not 8 bytes".to_owned())?,
    );
    let extensions = r.vector16("extensions")?;
    let hash = r.u8("hash algorithm")?;
    let signature_algorithm = r.u8("signature algorithm")?;
    let signature = r.vector16("signature")?;
    Ok(SctView {
        version,
        log_id: hex::encode(log_id),
        timestamp_ms,
        timestamp_rfc3339: i64::try_from(timestamp_ms / 1000)
            .map(crate::artifact::encoding::rfc3339)
            .unwrap_or_else(|_| format!("unix ms {timestamp_ms}")),
        hash_algorithm: hash_name(hash),
        signature_algorithm: signature_name(signature_algorithm),
        signature: STANDARD.encode(signature),
        extensions: hex::encode(extensions),
    })
}

/// A cursor over TLS presentation-language data (RFC 5246 §4).
struct TlsReader<'a>(&'a [u8]);

impl<'a> TlsReader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err(format!("{what}: needs {n} bytes, {} left", self.0.len()));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.take(1, what)?[0])
    }

    /// A vector with a two-byte length prefix.
    fn vector16(&mut self, what: &str) -> Result<&'a [u8], String> {
        let len = self.take(2, what)?;
        let n = usize::from(u16::from_be_bytes([len[0], len[1]]));
        self.take(n, what)
    }

    fn finish(&self, what: &str) -> Result<(), String> {
        match self.0.len() {
            0 => Ok(()),
            n => Err(format!("{what}: {n} trailing bytes")),
        }
    }
}

/// RFC 5246 §7.4.1.4.1 `HashAlgorithm`.
fn hash_name(id: u8) -> String {
    match id {
        0 => "none",
        1 => "md5",
        2 => "sha1",
        3 => "sha224",
        4 => "sha256",
        5 => "sha384",
        6 => "sha512",
        _ => return id.to_string(),
    }
    .to_owned()
}

/// RFC 5246 §7.4.1.4.1 `SignatureAlgorithm`.
fn signature_name(id: u8) -> String {
    match id {
        0 => "anonymous",
        1 => "rsa",
        2 => "dsa",
        3 => "ecdsa",
        _ => return id.to_string(),
    }
    .to_owned()
}

/// The TBSCertificate DER with the embedded SCT extension removed: what a CT log's precertificate
/// SCT signs (RFC 6962 §3.2, `PreCert.tbs_certificate`, "with the SCT list extension removed").
/// A certificate without the extension gives its TBS unchanged.
pub fn tbs_without_sct(cert_der: &[u8]) -> Result<Vec<u8>, DecodeError> {
    const WHAT: &str = "certificate";
    // Reject what x509-parser rejects, so both views agree on what a certificate is.
    X509Certificate::from_der(cert_der).map_err(|e| DecodeError::der(WHAT, e))?;
    tbs_without_sct_of_parsed(cert_der)
}

/// [`tbs_without_sct`] for a certificate x509-parser has already accepted (the caller parsed
/// these very bytes), so it is not parsed by x509-parser a second time.
pub fn tbs_without_sct_of_parsed(cert_der: &[u8]) -> Result<Vec<u8>, DecodeError> {
    const WHAT: &str = "certificate";
    let cert = x509_cert::Certificate::from_der(cert_der).map_err(|e| DecodeError::der(WHAT, e))?;
    let mut tbs = cert.tbs_certificate;
    if let Some(exts) = tbs.extensions.as_mut() {
        exts.retain(|e| e.extn_id != EMBEDDED_SCT_OID);
    }
    tbs.to_der().map_err(|e| DecodeError::der(WHAT, e))
}
