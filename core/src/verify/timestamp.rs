//! RFC 3161 timestamps in Sigstore bundles: the token is CMS SignedData (RFC 5652) over a
//! TSTInfo; it proves that the bundle's signature existed at `genTime`. Verified as the client
//! spec §"Timestamp verification" and sigstore-go `verify/tsa.go` (timestamp-authority
//! `pkg/verification`) do: the CMS signature, the TSA certificate chaining to a timestamp
//! authority of the trusted root, that authority's validity window, and the message imprint.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::{Decode as _, Encode as _, Sequence};
use serde::Serialize;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use super::key::{HashAlgorithm, PublicKey, RsaPadding};
use super::tsa_chain::{self, ChainError};
use crate::artifact::encoding;
use crate::artifact::timestamp::decode_timestamp;
use crate::trust::TrustedRoot;

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TSTINFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");

/// A timestamp that verified: when, and who vouched for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedTimestamp {
    /// `genTime`, Unix seconds.
    pub time: i64,
    pub time_rfc3339: String,
    /// The trusted authority whose chain the TSA certificate ends in (its URI).
    pub authority: String,
    /// The TSA certificate's subject.
    pub signer: String,
    /// Whether the token carried its certificate (else the trusted root's leaf was used).
    pub embedded_certificate: bool,
}

/// Why a timestamp did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("timestamp: malformed token: {0}")]
    Malformed(String),
    #[error("timestamp: unsupported algorithm {0}")]
    Unsupported(String),
    #[error(
        "timestamp: message imprint {actual} is not the {algorithm} of the signature ({expected})"
    )]
    Imprint {
        algorithm: String,
        expected: String,
        actual: String,
    },
    #[error("timestamp: signed attributes: {0}")]
    SignedAttributes(String),
    #[error(
        "timestamp: messageDigest attribute {actual} is not the digest of the TSTInfo ({expected})"
    )]
    MessageDigest { expected: String, actual: String },
    #[error("timestamp: no trusted timestamp authority vouches for it: {}", .0.join("; "))]
    Untrusted(Vec<String>),
}

/// Verifies a signed timestamp (an RFC 3161 `TimeStampResp`, protobuf-specs
/// `RFC3161SignedTimestamp`) over `signature` (the bundle's message signature or DSSE
/// signature) against the trusted root's timestamp authorities. Returns the verified time.
///
/// As sigstore-go and cosign read it (digitorus/timestamp `ParseResponse`): the response is
/// DER and carries a token; the token within may be BER.
pub fn verify_timestamp(
    response: &[u8],
    signature: &[u8],
    root: &TrustedRoot,
) -> Result<VerifiedTimestamp, TimestampError> {
    let token = open_token(&response_token(response)?, signature)?;
    let (view, signer) = (&token.view, &token.signer);
    let embedded: Vec<Vec<u8>> = view.certificates.clone();
    let mut reasons = Vec::new();
    for authority in &root.timestamp_authorities {
        // Client spec: the TSA must be valid (by the trusted root's window, inclusive) at the
        // time it attests to.
        if !authority.valid_for.contains(view.gen_time) {
            reasons.push(format!(
                "{}: genTime {} is outside its validity window {}",
                authority.uri,
                view.gen_time_rfc3339,
                window(&authority.valid_for)
            ));
            continue;
        }
        // The signer certificate comes from the token when it carries certificates, else
        // from the authority's chain; either way it must chain to the authority's root.
        let pool: &[Vec<u8>] = if embedded.is_empty() {
            &authority.chain_der
        } else {
            &embedded
        };
        let Some(signer_der) = pool.iter().find(|der| matches_sid(der, &signer.sid)) else {
            reasons.push(format!(
                "{}: no certificate matches the signer {}",
                authority.uri,
                view.signer_ids.join(", ")
            ));
            continue;
        };
        match tsa_chain::verify(signer_der, &authority.chain_der, view.gen_time) {
            Ok(()) => {}
            Err(ChainError(reason)) => {
                reasons.push(format!("{}: {reason}", authority.uri));
                continue;
            }
        }
        match token.signature_by(signer_der) {
            Ok(()) => {
                return Ok(VerifiedTimestamp {
                    time: view.gen_time,
                    time_rfc3339: view.gen_time_rfc3339.clone(),
                    authority: authority.uri.clone(),
                    signer: tsa_chain::subject(signer_der),
                    embedded_certificate: !embedded.is_empty(),
                });
            }
            Err(reason) => reasons.push(format!("{}: {reason}", authority.uri)),
        }
    }
    if root.timestamp_authorities.is_empty() {
        reasons.push("the trusted root has no timestamp authorities".to_owned());
    }
    Err(TimestampError::Untrusted(reasons))
}

/// A token whose imprint matches the signature and whose one signer's signed attributes are
/// well formed (RFC 3161 §2.4.2, RFC 5652 §5.3), not yet trusted: what every TSA verification
/// (Sigstore's trusted roots, the Notary Project's `tsa` stores) starts from.
pub struct OpenedToken {
    pub view: crate::artifact::timestamp::TimestampView,
    pub signer: SignerInfo,
    signed_attrs_der: Vec<u8>,
    hash: HashAlgorithm,
    padding: RsaPadding,
}

/// Opens a `TimeStampResp` or bare `TimeStampToken` over `signature`: its message imprint is
/// the hash of `signature`, it has exactly one signer, and that signer's contentType and
/// messageDigest attributes cover the TSTInfo.
pub fn open_token(token_der: &[u8], signature: &[u8]) -> Result<OpenedToken, TimestampError> {
    let converted = crate::artifact::ber::der_of(token_der);
    let token_der: &[u8] = &converted;
    let view = decode_timestamp(token_der).map_err(|e| TimestampError::Malformed(e.to_string()))?;
    let signed = signed_data(token_der)?;
    // RFC 3161 §2.4.2 / client spec: the messageImprint is the hash of the timestamped data,
    // here the signature bytes.
    let imprint_hash = digest_algorithm(&view.message_imprint.hash_algorithm)?;
    let expected = hex::encode(imprint_hash.digest(signature));
    if view.message_imprint.digest != expected {
        return Err(TimestampError::Imprint {
            algorithm: format!("{imprint_hash:?}").to_lowercase(),
            expected,
            actual: view.message_imprint.digest,
        });
    }
    // RFC 3161 §2.4.2: the token has exactly one signer.
    let [signer] = signed.signer_infos.0.as_slice() else {
        return Err(TimestampError::Malformed(format!(
            "{} signer infos, expected exactly one",
            signed.signer_infos.0.len()
        )));
    };
    let signed_attrs_der = check_signed_attributes(signer, &view.tst_info_der)?;
    let (hash, padding) = signature_algorithm(signer)?;
    Ok(OpenedToken {
        view,
        signer: signer.clone(),
        signed_attrs_der,
        hash,
        padding,
    })
}

impl OpenedToken {
    /// `cert_der` is the certificate the signer identifier names.
    pub fn names_signer(&self, cert_der: &[u8]) -> bool {
        matches_sid(cert_der, &self.signer.sid)
    }

    /// The one value of a signed attribute.
    pub fn signed_attribute(&self, oid: ObjectIdentifier) -> Option<der::Any> {
        let attrs = self.signer.signed_attrs.as_ref()?;
        match attrs.iter().find(|a| a.oid == oid)?.values.as_slice() {
            [value] => Some(value.clone()),
            _ => None,
        }
    }

    /// RFC 5652 §5.4: the signature over the DER of the signed attributes (a SET OF) verifies
    /// with `cert_der`'s key.
    pub fn signature_by(&self, cert_der: &[u8]) -> Result<(), String> {
        let key = tsa_chain::public_key(cert_der)
            .and_then(|spki| PublicKey::from_spki_der(&spki).map_err(|e| e.to_string()))
            .map_err(|e| format!("TSA key: {e}"))?;
        if key.verify(
            &self.signed_attrs_der,
            self.signer.signature.as_bytes(),
            self.hash,
            self.padding,
        ) {
            Ok(())
        } else {
            Err(format!(
                "the CMS signature does not verify with the TSA's {} key",
                key.kind()
            ))
        }
    }
}

fn window(valid_for: &crate::trust::ValidFor) -> String {
    let end = valid_for
        .end
        .map(encoding::rfc3339)
        .unwrap_or_else(|| "open".to_owned());
    format!("[{}, {end}]", encoding::rfc3339(valid_for.start))
}

#[derive(Sequence)]
struct TimeStampResp {
    status: der::Any,
    time_stamp_token: Option<ContentInfo>,
}

/// The outer shape of a `TimeStampResp`, the token left undecoded.
#[derive(Sequence)]
struct RawTimeStampResp {
    status: der::Any,
    time_stamp_token: Option<der::Any>,
}

/// The token of a DER `TimeStampResp`.
fn response_token(response: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let malformed = |m: String| {
        TimestampError::Malformed(format!(
            "a signed timestamp is a DER TimeStampResp (RFC 3161 §2.4.2): {m}"
        ))
    };
    let resp = RawTimeStampResp::from_der(response).map_err(|e| malformed(e.to_string()))?;
    let token = resp
        .time_stamp_token
        .ok_or_else(|| malformed("the response carries no token".into()))?;
    token.to_der().map_err(|e| malformed(e.to_string()))
}

/// The SignedData of a `TimeStampResp` (RFC 3161 §2.4.2) or of a bare token.
fn signed_data(der: &[u8]) -> Result<SignedData, TimestampError> {
    let malformed = |e: der::Error| TimestampError::Malformed(e.to_string());
    let info = match TimeStampResp::from_der(der) {
        Ok(resp) => resp
            .time_stamp_token
            .ok_or_else(|| TimestampError::Malformed("the response carries no token".into()))?,
        Err(_) => ContentInfo::from_der(der).map_err(malformed)?,
    };
    if info.content_type != ID_SIGNED_DATA {
        return Err(TimestampError::Malformed(format!(
            "content type {} is not signedData",
            info.content_type
        )));
    }
    info.content.decode_as().map_err(malformed)
}

/// RFC 5652 §5.3: with an eContentType other than id-data, signed attributes must be present
/// and include contentType (= eContentType) and messageDigest (= digest of the eContent).
/// Returns the DER the signature covers.
fn check_signed_attributes(signer: &SignerInfo, tst_der: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let bad = |m: String| TimestampError::SignedAttributes(m);
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| bad("absent".to_owned()))?;
    let single = |oid: ObjectIdentifier, name: &str| {
        let attr = attrs
            .iter()
            .find(|a| a.oid == oid)
            .ok_or_else(|| bad(format!("no {name} attribute")))?;
        match attr.values.as_slice() {
            [value] => Ok(value.clone()),
            values => Err(bad(format!(
                "{name} has {} values, expected one",
                values.len()
            ))),
        }
    };
    let content_type: ObjectIdentifier = single(ID_CONTENT_TYPE, "contentType")?
        .decode_as()
        .map_err(|e| bad(format!("contentType: {e}")))?;
    if content_type != ID_CT_TSTINFO {
        return Err(bad(format!(
            "contentType {content_type} is not id-ct-TSTInfo"
        )));
    }
    let digest_value = single(ID_MESSAGE_DIGEST, "messageDigest")?;
    let actual = digest_value
        .decode_as::<OctetStringRef<'_>>()
        .map_err(|e| bad(format!("messageDigest: {e}")))?
        .as_bytes()
        .to_vec();
    let hash = digest_algorithm(&signer.digest_alg.oid.to_string())?;
    let expected = hash.digest(tst_der);
    if actual != expected {
        return Err(TimestampError::MessageDigest {
            expected: hex::encode(expected),
            actual: hex::encode(actual),
        });
    }
    attrs.to_der().map_err(|e| bad(format!("re-encoding: {e}")))
}

fn digest_algorithm(oid: &str) -> Result<HashAlgorithm, TimestampError> {
    match oid {
        "2.16.840.1.101.3.4.2.1" => Ok(HashAlgorithm::Sha256),
        "2.16.840.1.101.3.4.2.2" => Ok(HashAlgorithm::Sha384),
        "2.16.840.1.101.3.4.2.3" => Ok(HashAlgorithm::Sha512),
        other => Err(TimestampError::Unsupported(format!("digest {other}"))),
    }
}

/// The hash and padding of the SignerInfo's signature algorithm (RFC 5754 for ECDSA and RSA
/// with SHA-2; plain rsaEncryption/ecPublicKey take the hash from `digestAlgorithm`).
fn signature_algorithm(signer: &SignerInfo) -> Result<(HashAlgorithm, RsaPadding), TimestampError> {
    let digest = || digest_algorithm(&signer.digest_alg.oid.to_string());
    let oid = signer.signature_algorithm.oid.to_string();
    Ok(match oid.as_str() {
        "1.2.840.10045.4.3.2" | "1.2.840.113549.1.1.11" => {
            (HashAlgorithm::Sha256, RsaPadding::Pkcs1v15)
        }
        "1.2.840.10045.4.3.3" | "1.2.840.113549.1.1.12" => {
            (HashAlgorithm::Sha384, RsaPadding::Pkcs1v15)
        }
        "1.2.840.10045.4.3.4" | "1.2.840.113549.1.1.13" => {
            (HashAlgorithm::Sha512, RsaPadding::Pkcs1v15)
        }
        "1.2.840.10045.2.1" | "1.2.840.113549.1.1.1" | "1.3.101.112" => {
            (digest()?, RsaPadding::Pkcs1v15)
        }
        "1.2.840.113549.1.1.10" => (digest()?, RsaPadding::Pss),
        other => return Err(TimestampError::Unsupported(format!("signature {other}"))),
    })
}

/// RFC 5652 §5.3 `sid`: issuer and serial number, or subject key identifier.
fn matches_sid(cert_der: &[u8], sid: &SignerIdentifier) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(cert_der) else {
        return false;
    };
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            let issuer_ok = ias
                .issuer
                .to_der()
                .is_ok_and(|der| der.as_slice() == cert.issuer().as_raw());
            issuer_ok && strip_zeros(ias.serial_number.as_bytes()) == strip_zeros(cert.raw_serial())
        }
        SignerIdentifier::SubjectKeyIdentifier(skid) => cert.extensions().iter().any(|ext| {
            matches!(
                ext.parsed_extension(),
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(id)
                    if id.0 == skid.0.as_bytes()
            )
        }),
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().take_while(|b| **b == 0).count();
    &bytes[start.min(bytes.len())..]
}

#[cfg(test)]
#[path = "timestamp_tests.rs"]
mod tests;
