//! RFC 3161 timestamps, as Sigstore bundles carry them (`rfc3161Timestamps[].signedTimestamp`,
//! protobuf-specs: "the DER encoded TimeStampResponse"; a bare `TimeStampToken` is accepted too).
//!
//! CMS (RFC 5652) is parsed by RustCrypto's `cms`; `TSTInfo` (RFC 3161 §2.4.2) is declared
//! here with `der`'s derive, since no crate of this der generation provides it.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{AnyRef, BitStringRef, Int, ObjectIdentifier, OctetStringRef, Utf8StringRef};
use der::{Decode as _, Encode as _, Sequence, Tag, Tagged as _};
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;

use super::certificate;
use super::encoding;
use super::error::DecodeError;

/// RFC 5652 §5.1 `id-signedData`.
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// RFC 3161 §2.4.2 `id-ct-TSTInfo`.
const ID_CT_TSTINFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// A decoded timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimestampView {
    /// `PKIStatus` of the response (0 granted, 1 grantedWithMods, …); `None` for a bare token.
    pub status: Option<u32>,
    /// `genTime`, whole unix seconds.
    pub gen_time: i64,
    pub gen_time_rfc3339: String,
    /// `policy`: the TSA policy OID.
    pub policy: String,
    /// `serialNumber`, hex.
    pub serial: String,
    pub message_imprint: MessageImprintView,
    /// `nonce`, hex.
    pub nonce: Option<String>,
    pub ordering: bool,
    /// `accuracy` in microseconds (RFC 3161 §2.4.2: seconds, millis, micros), when given.
    pub accuracy_micros: Option<u64>,
    /// `extensions`, raw.
    pub extensions: Vec<certificate::RawExtension>,
    /// `tsa`: the TSA's name, RFC 4514 for a directory name.
    pub tsa_name: Option<String>,
    /// Subjects (RFC 4514) of the certificates the token embeds.
    pub certificate_subjects: Vec<String>,
    /// The embedded certificates' DER.
    #[serde(serialize_with = "encoding::base64_list")]
    pub certificates: Vec<Vec<u8>>,
    /// Who signed: `issuer=<dn> serial=<hex>` or `skid=<hex>`.
    pub signer_ids: Vec<String>,
    /// The DER `TSTInfo` (what the signed attributes' message digest covers).
    #[serde(serialize_with = "encoding::base64")]
    pub tst_info_der: Vec<u8>,
}

/// RFC 3161 §2.4.1 `MessageImprint`: the hash of the timestamped data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageImprintView {
    /// Dotted OID.
    pub hash_algorithm: String,
    /// `sha256`, `sha384`, `sha512` when known.
    pub hash_algorithm_name: Option<String>,
    /// Hex.
    pub digest: String,
}

/// RFC 3161 §2.4.2 `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }`.
#[derive(Sequence)]
struct TimeStampResp<'a> {
    status: PkiStatusInfo<'a>,
    time_stamp_token: Option<ContentInfo>,
}

/// RFC 3161 §2.4.2 `PKIStatusInfo`.
#[derive(Sequence)]
struct PkiStatusInfo<'a> {
    status: u32,
    status_string: Option<Vec<Utf8StringRef<'a>>>,
    fail_info: Option<BitStringRef<'a>>,
}

/// RFC 3161 §2.4.2 `TSTInfo`.
#[derive(Sequence)]
struct TstInfo<'a> {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint<'a>,
    serial_number: Int,
    /// GeneralizedTime; read by hand because RFC 3161 allows fractional seconds, which `der`'s
    /// `GeneralizedTime` refuses.
    gen_time: AnyRef<'a>,
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<x509_cert::ext::Extensions>,
}

#[derive(Sequence)]
struct MessageImprint<'a> {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetStringRef<'a>,
}

/// RFC 3161 §2.4.2 `Accuracy`.
#[derive(Sequence)]
struct Accuracy {
    seconds: Option<u64>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<u16>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<u16>,
}

/// Decodes a DER `TimeStampResp` or `TimeStampToken`.
pub fn decode_timestamp(der: &[u8]) -> Result<TimestampView, DecodeError> {
    const WHAT: &str = "rfc3161 timestamp";
    let converted = super::ber::der_of(der);
    let der: &[u8] = &converted;
    let (status, token) = match TimeStampResp::from_der(der) {
        Ok(resp) => {
            let token = resp.time_stamp_token.ok_or_else(|| {
                DecodeError::invalid(
                    WHAT,
                    format!(
                        "response with status {} carries no token",
                        resp.status.status
                    ),
                )
            })?;
            (Some(resp.status.status), token)
        }
        Err(_) => (
            None,
            ContentInfo::from_der(der).map_err(|e| DecodeError::der(WHAT, e))?,
        ),
    };
    // RFC 3161 §2.4.2: "The time-stamp token MUST NOT contain any signatures other than the
    // signature of the TSA"; its content type is id-signedData and eContentType id-ct-TSTInfo.
    if token.content_type != ID_SIGNED_DATA {
        return Err(DecodeError::invalid(
            WHAT,
            format!("content type {} is not signedData", token.content_type),
        ));
    }
    let signed: SignedData = token
        .content
        .decode_as()
        .map_err(|e| DecodeError::der("rfc3161 signed data", e))?;
    let encap = &signed.encap_content_info;
    if encap.econtent_type != ID_CT_TSTINFO {
        return Err(DecodeError::invalid(
            WHAT,
            format!("eContentType {} is not id-ct-TSTInfo", encap.econtent_type),
        ));
    }
    let econtent = encap
        .econtent
        .as_ref()
        .ok_or_else(|| DecodeError::invalid(WHAT, "the token has no TSTInfo content"))?;
    let tst_der = econtent
        .decode_as::<OctetStringRef<'_>>()
        .map_err(|e| DecodeError::der("rfc3161 eContent", e))?
        .as_bytes()
        .to_vec();
    let tst = TstInfo::from_der(&tst_der).map_err(|e| DecodeError::der("rfc3161 TSTInfo", e))?;
    if tst.version != 1 {
        return Err(DecodeError::invalid(
            "rfc3161 TSTInfo",
            format!("version {} is not 1", tst.version),
        ));
    }
    let (gen_time, gen_time_rfc3339) = generalized_time(&tst.gen_time)?;

    let certificates: Vec<Vec<u8>> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => cert.to_der().ok(),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let algorithm = tst.message_imprint.hash_algorithm.oid.to_string();
    Ok(TimestampView {
        status,
        gen_time,
        gen_time_rfc3339,
        policy: tst.policy.to_string(),
        serial: hex::encode(tst.serial_number.as_bytes()),
        message_imprint: MessageImprintView {
            hash_algorithm_name: hash_name(&algorithm).map(str::to_owned),
            hash_algorithm: algorithm,
            digest: hex::encode(tst.message_imprint.hashed_message.as_bytes()),
        },
        nonce: tst.nonce.map(|n| hex::encode(n.as_bytes())),
        ordering: tst.ordering,
        accuracy_micros: tst.accuracy.as_ref().map(|a| {
            a.seconds
                .unwrap_or(0)
                .saturating_mul(1_000_000)
                .saturating_add(u64::from(a.millis.unwrap_or(0)) * 1_000)
                .saturating_add(u64::from(a.micros.unwrap_or(0)))
        }),
        extensions: tst
            .extensions
            .iter()
            .flatten()
            .map(|e| certificate::RawExtension {
                oid: e.extn_id.to_string(),
                critical: e.critical,
                value_hex: hex::encode(e.extn_value.as_bytes()),
            })
            .collect(),
        tsa_name: tst.tsa.as_ref().map(general_name),
        certificate_subjects: certificates
            .iter()
            .map(|der| {
                certificate::decode_certificate(der)
                    .map(|c| c.subject)
                    .unwrap_or_else(|e| format!("undecodable certificate: {e}"))
            })
            .collect(),
        certificates,
        signer_ids: signed
            .signer_infos
            .0
            .iter()
            .map(|s| signer_id(&s.sid))
            .collect(),
        tst_info_der: tst_der,
    })
}

/// RFC 3161 §2.4.2: genTime is GeneralizedTime in UTC ("Z"), with seconds, optionally a
/// fraction without trailing zeros: `YYYYMMDDhhmmss[.s…]Z`.
fn generalized_time(any: &AnyRef<'_>) -> Result<(i64, String), DecodeError> {
    const WHAT: &str = "rfc3161 genTime";
    if any.tag() != Tag::GeneralizedTime {
        return Err(DecodeError::invalid(
            WHAT,
            format!("tag {} is not GeneralizedTime", any.tag()),
        ));
    }
    let text =
        std::str::from_utf8(any.value()).map_err(|e| DecodeError::invalid(WHAT, e.to_string()))?;
    let bad = || DecodeError::invalid(WHAT, format!("{text:?} is not YYYYMMDDhhmmss[.f]Z"));
    let body = text.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 9
    {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| {
        whole
            .get(range)
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or_else(bad)
    };
    let month =
        time::Month::try_from(u8::try_from(num(4..6)?).map_err(|_| bad())?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(
        i32::try_from(num(0..4)?).map_err(|_| bad())?,
        month,
        u8::try_from(num(6..8)?).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}")
            .parse::<u32>()
            .map_err(|_| bad())?
    };
    let hms = |r| num(r).and_then(|v| u8::try_from(v).map_err(|_| bad()));
    let clock = time::Time::from_hms_nano(hms(8..10)?, hms(10..12)?, hms(12..14)?, nanos)
        .map_err(|_| bad())?;
    let at = time::PrimitiveDateTime::new(date, clock).assume_utc();
    let shown = at
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| DecodeError::invalid(WHAT, e.to_string()))?;
    Ok((at.unix_timestamp(), shown))
}

/// NIST hash algorithm OIDs (RFC 5758 §2, RFC 8017 App. A.2.4).
fn hash_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.16.840.1.101.3.4.2.1" => "sha256",
        "2.16.840.1.101.3.4.2.2" => "sha384",
        "2.16.840.1.101.3.4.2.3" => "sha512",
        "1.3.14.3.2.26" => "sha1",
        _ => return None,
    })
}

fn general_name(name: &GeneralName) -> String {
    match name {
        GeneralName::DirectoryName(dn) => dn
            .to_der()
            .ok()
            .and_then(|der| certificate::rfc4514_from_der(&der))
            .unwrap_or_else(|| dn.to_string()),
        GeneralName::Rfc822Name(v) => v.to_string(),
        GeneralName::DnsName(v) => v.to_string(),
        GeneralName::UniformResourceIdentifier(v) => v.to_string(),
        other => format!("{other:?}"),
    }
}

/// RFC 5652 §5.3 `SignerIdentifier`.
fn signer_id(sid: &SignerIdentifier) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            let issuer = ias
                .issuer
                .to_der()
                .ok()
                .and_then(|der| certificate::rfc4514_from_der(&der))
                .unwrap_or_else(|| ias.issuer.to_string());
            format!(
                "issuer={issuer} serial={}",
                hex::encode(ias.serial_number.as_bytes())
            )
        }
        SignerIdentifier::SubjectKeyIdentifier(skid) => {
            format!("skid={}", hex::encode(skid.0.as_bytes()))
        }
    }
}

#[cfg(test)]
mod tests;
