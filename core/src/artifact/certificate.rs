//! X.509 certificates as Sigstore uses them (Fulcio leaves, CA chains, TSA certificates): a typed
//! view of every field a reviewer looks at, with every extension kept, known or not.
//!
//! Parsing is x509-parser's (RFC 5280); this module maps its output to a serialisable view and
//! decodes what it does not know: Fulcio's extensions (fulcio docs/oid-info.md), the otherName
//! SAN and embedded SCTs (RFC 6962 §3.3).

mod extensions;
mod name;
mod sct;
#[cfg(test)]
mod tests;

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use x509_parser::prelude::{FromDer as _, ParsedExtension, X509Certificate};

use super::encoding;
use super::error::DecodeError;

pub use extensions::{
    FulcioClaim, SanKind, SanView, extended_key_usages as extended_key_usage_names,
};
pub use sct::{EMBEDDED_SCT_OID, SctView, tbs_without_sct, tbs_without_sct_of_parsed};

/// The most certificates accepted in one PEM chain (a budget on untrusted input; real Sigstore
/// chains have two or three).
pub const MAX_CHAIN_LENGTH: usize = 16;

/// One decoded certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateView {
    /// The DER bytes, as given (base64 in JSON).
    #[serde(serialize_with = "encoding::base64")]
    pub der: Vec<u8>,
    /// SHA-256 of the DER, lowercase hex.
    pub fingerprint_sha256: String,
    pub version: u32,
    /// Subject distinguished name as an RFC 4514 string.
    pub subject: String,
    /// Issuer distinguished name as an RFC 4514 string.
    pub issuer: String,
    /// The serial number's bytes in lowercase hex (RFC 5280 §4.1.2.2).
    pub serial: String,
    pub not_before: i64,
    pub not_before_rfc3339: String,
    pub not_after: i64,
    pub not_after_rfc3339: String,
    /// `ECDSA P-256`, `RSA 2048`, `Ed25519`, or the algorithm OID when unknown.
    pub public_key_type: String,
    /// The SubjectPublicKeyInfo DER (base64 in JSON).
    #[serde(serialize_with = "encoding::base64")]
    pub public_key_der: Vec<u8>,
    /// Signature algorithm OID (dotted) of the issuer's signature.
    pub signature_algorithm: String,
    /// Basic constraints `cA` (RFC 5280 §4.2.1.9); false when the extension is absent.
    pub is_ca: bool,
    /// Key usage names (RFC 5280 §4.2.1.3), e.g. `digitalSignature`.
    pub key_usages: Vec<String>,
    /// Extended key usage names (RFC 5280 §4.2.1.12), e.g. `codeSigning`; unknown ones as OIDs.
    pub extended_key_usages: Vec<String>,
    pub sans: Vec<SanView>,
    /// Every extension under 1.3.6.1.4.1.57264.1, in certificate order.
    pub fulcio_claims: Vec<FulcioClaim>,
    pub scts: Vec<SctView>,
    /// Why the embedded SCT list could not be read, when it could not.
    pub sct_error: Option<String>,
    /// Every other extension, raw.
    pub extensions: Vec<RawExtension>,
}

/// An extension kept as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawExtension {
    pub oid: String,
    pub critical: bool,
    pub value_hex: String,
}

/// Decodes one DER certificate.
pub fn decode_certificate(der: &[u8]) -> Result<CertificateView, DecodeError> {
    const WHAT: &str = "certificate";
    let (rest, cert) = X509Certificate::from_der(der).map_err(|e| DecodeError::der(WHAT, e))?;
    if !rest.is_empty() {
        return Err(DecodeError::der(
            WHAT,
            format!("{} trailing bytes after the certificate", rest.len()),
        ));
    }
    let validity = cert.validity();
    let (not_before, not_after) = (
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    );
    let mut view = CertificateView {
        der: der.to_vec(),
        fingerprint_sha256: hex::encode(Sha256::digest(der)),
        version: cert.version().0 + 1,
        subject: name::rfc4514(cert.subject()),
        issuer: name::rfc4514(cert.issuer()),
        serial: hex::encode(cert.raw_serial()),
        not_before,
        not_before_rfc3339: encoding::rfc3339(not_before),
        not_after,
        not_after_rfc3339: encoding::rfc3339(not_after),
        public_key_type: name::public_key_type(cert.public_key()),
        public_key_der: cert.public_key().raw.to_vec(),
        signature_algorithm: cert.signature_algorithm.algorithm.to_id_string(),
        is_ca: false,
        key_usages: Vec::new(),
        extended_key_usages: Vec::new(),
        sans: Vec::new(),
        fulcio_claims: Vec::new(),
        scts: Vec::new(),
        sct_error: None,
        extensions: Vec::new(),
    };
    for ext in cert.extensions() {
        let oid = ext.oid.to_id_string();
        if let Some(claim) = extensions::fulcio_claim(&oid, ext.value) {
            view.fulcio_claims.push(claim);
            continue;
        }
        match ext.parsed_extension() {
            ParsedExtension::BasicConstraints(bc) => view.is_ca = bc.ca,
            ParsedExtension::KeyUsage(ku) => view.key_usages = extensions::key_usages(ku),
            ParsedExtension::ExtendedKeyUsage(eku) => {
                view.extended_key_usages = extensions::extended_key_usages(eku);
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                view.sans = san.general_names.iter().map(extensions::san).collect();
            }
            _ if oid == sct::EMBEDDED_SCT_OID_STR => match sct::decode_sct_list(ext.value) {
                Ok(scts) => view.scts = scts,
                Err(reason) => view.sct_error = Some(reason),
            },
            _ => view.extensions.push(RawExtension {
                oid,
                critical: ext.critical,
                value_hex: hex::encode(ext.value),
            }),
        }
    }
    Ok(view)
}

/// Decodes a PEM bundle of `CERTIFICATE` blocks (a chain, leaf first as Sigstore writes it).
/// `what` names the input in errors (`"dev.sigstore.cosign/chain annotation"`).
pub fn decode_pem_certificates(what: &str, pem: &str) -> Result<Vec<CertificateView>, DecodeError> {
    let blocks = pem::parse_many(pem).map_err(|e| DecodeError::pem(what, e))?;
    if blocks.is_empty() {
        return Err(DecodeError::pem(what, "no PEM blocks found"));
    }
    if blocks.len() > MAX_CHAIN_LENGTH {
        return Err(DecodeError::invalid(
            what,
            format!(
                "limit reached: {} certificates exceed the limit of {MAX_CHAIN_LENGTH}",
                blocks.len()
            ),
        ));
    }
    blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            if block.tag() != "CERTIFICATE" {
                return Err(DecodeError::pem(
                    what,
                    format!("block {i} is {:?}, not \"CERTIFICATE\"", block.tag()),
                ));
            }
            decode_certificate(block.contents()).map_err(|e| nest(what, i, e))
        })
        .collect()
}

/// Prefixes an error's subject with the chain position.
fn nest(what: &str, index: usize, err: DecodeError) -> DecodeError {
    match err {
        DecodeError::Der {
            what: inner,
            reason,
        } => DecodeError::Der {
            what: format!("{what}: {inner} {index}"),
            reason,
        },
        other => other,
    }
}

impl CertificateView {
    /// The identity: the first SAN's value (what cosign's `--certificate-identity` matches).
    pub fn identity(&self) -> Option<&str> {
        self.sans.first().map(|s| s.value.as_str())
    }

    /// The OIDC issuer: the `.8` extension, else the deprecated `.1` (Fulcio emits both; cosign
    /// prefers `.8`).
    pub fn oidc_issuer(&self) -> Option<&str> {
        self.claim(8).or_else(|| self.claim(1))
    }

    /// The value of the Fulcio extension 1.3.6.1.4.1.57264.1.`arc`, when present and decoded.
    pub fn claim(&self, arc: u32) -> Option<&str> {
        self.fulcio_claims
            .iter()
            .find(|c| c.arc == arc && c.name != extensions::UNKNOWN)
            .map(|c| c.value.as_str())
    }
}

/// An RFC 4514 string for a DER `Name`, or `None` when it does not parse.
pub fn rfc4514_from_der(der: &[u8]) -> Option<String> {
    x509_parser::x509::X509Name::from_der(der)
        .ok()
        .map(|(_, name)| name::rfc4514(&name))
}
