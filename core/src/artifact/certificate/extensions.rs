//! Extensions with meaning for Sigstore: SANs (RFC 5280 §4.2.1.6), key usages (§4.2.1.3,
//! §4.2.1.12) and Fulcio's claims (fulcio docs/oid-info.md).

use der::asn1::Utf8StringRef;
use der::{Decode as _, Tagged as _};
use serde::Serialize;
use x509_parser::extensions::{ExtendedKeyUsage, GeneralName, KeyUsage};

use crate::artifact::fulcio::{ExtensionEncoding, FULCIO_ARC, FulcioExtension};

/// The name given to a Fulcio-arc extension that is unknown or whose value does not decode.
pub const UNKNOWN: &str = "unknown";

/// What kind of subject alternative name an entry is (RFC 5280 §4.2.1.6 `GeneralName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SanKind {
    Uri,
    Email,
    OtherName,
    Dns,
    Ip,
    Unknown,
}

/// One subject alternative name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanView {
    pub kind: SanKind,
    /// The name; for an otherName whose value is not Fulcio's UTF8String, the raw value in hex.
    pub value: String,
    /// The otherName type-id (dotted OID), e.g. Fulcio's `1.3.6.1.4.1.57264.1.7`.
    pub type_id: Option<String>,
}

/// One extension under the Fulcio arc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FulcioClaim {
    pub oid: String,
    /// The last arc (`8` for `1.3.6.1.4.1.57264.1.8`).
    pub arc: u32,
    /// The name from fulcio's oid-info.md, or `unknown`.
    pub name: String,
    /// The decoded string; the raw value in hex when the name is `unknown`.
    pub value: String,
    pub deprecated: bool,
}

/// Decodes an extension if its OID is under 1.3.6.1.4.1.57264.1; `None` for any other OID.
pub fn fulcio_claim(oid: &str, value: &[u8]) -> Option<FulcioClaim> {
    let arc: u32 = oid
        .strip_prefix(FULCIO_ARC)?
        .strip_prefix('.')?
        .parse()
        .ok()?;
    let unknown = || FulcioClaim {
        oid: oid.to_owned(),
        arc,
        name: UNKNOWN.to_owned(),
        value: hex::encode(value),
        deprecated: false,
    };
    let Some(known) = FulcioExtension::by_arc(arc) else {
        return Some(unknown());
    };
    let decoded = match known.encoding {
        // .1–.6: "the raw string value" (oid-info.md, deprecated extensions).
        ExtensionEncoding::RawUtf8 => std::str::from_utf8(value).ok().map(str::to_owned),
        // .8 onwards: "DER-encoded UTF8String" (oid-info.md).
        ExtensionEncoding::DerUtf8String => Utf8StringRef::from_der(value)
            .ok()
            .map(|s| s.as_str().to_owned()),
    };
    Some(match decoded {
        Some(text) => FulcioClaim {
            oid: oid.to_owned(),
            arc,
            name: known.name.to_owned(),
            value: text,
            deprecated: known.deprecated,
        },
        None => unknown(),
    })
}

/// One SAN entry as a view.
pub fn san(name: &GeneralName<'_>) -> SanView {
    let plain = |kind, value: &str| SanView {
        kind,
        value: value.to_owned(),
        type_id: None,
    };
    match name {
        GeneralName::URI(v) => plain(SanKind::Uri, v),
        GeneralName::RFC822Name(v) => plain(SanKind::Email, v),
        GeneralName::DNSName(v) => plain(SanKind::Dns, v),
        GeneralName::IPAddress(bytes) => plain(SanKind::Ip, &ip_address(bytes)),
        GeneralName::OtherName(oid, value) => SanView {
            kind: SanKind::OtherName,
            value: other_name_value(value),
            type_id: Some(oid.to_id_string()),
        },
        other => plain(SanKind::Unknown, &format!("{other:?}")),
    }
}

/// Fulcio's otherName (type-id `.7`) holds `[0] EXPLICIT UTF8String` (oid-info.md, "OtherName
/// SAN"); RFC 5280 `OtherName.value` is `[0] EXPLICIT ANY`. Anything else is shown in hex.
fn other_name_value(value: &[u8]) -> String {
    let decoded = der::Any::from_der(value).ok().and_then(|any| {
        let explicit_zero = any.tag()
            == der::Tag::ContextSpecific {
                constructed: true,
                number: der::TagNumber::N0,
            };
        explicit_zero
            .then(|| Utf8StringRef::from_der(any.value()).ok())
            .flatten()
            .map(|s| s.as_str().to_owned())
    });
    decoded.unwrap_or_else(|| hex::encode(value))
}

/// RFC 5280 §4.2.1.6: four octets for IPv4, sixteen for IPv6; printed as Go's `net.IP.String`
/// prints them (which cosign compares identities with): an IPv4-mapped IPv6 address
/// (`::ffff:a.b.c.d`) as the IPv4 address.
fn ip_address(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return std::net::Ipv4Addr::from(v4).to_string();
    }
    if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        let v6 = std::net::Ipv6Addr::from(v6);
        return match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        };
    }
    hex::encode(bytes)
}

/// Key usage bit names as RFC 5280 §4.2.1.3 spells them.
pub fn key_usages(ku: &KeyUsage) -> Vec<String> {
    [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "contentCommitment"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, name)| name.to_owned())
    .collect()
}

/// Extended key usage names as RFC 5280 §4.2.1.12 spells them; unknown purposes as dotted OIDs.
pub fn extended_key_usages(eku: &ExtendedKeyUsage<'_>) -> Vec<String> {
    let mut out: Vec<String> = [
        (eku.any, "anyExtendedKeyUsage"),
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, name)| name.to_owned())
    .collect();
    out.extend(eku.other.iter().map(|oid| oid.to_id_string()));
    out
}
