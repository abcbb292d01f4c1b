//! Distinguished names as RFC 4514 strings, and public key types as people name them.

use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::der_parser::asn1_rs::ToDer as _;
use x509_parser::prelude::X509Name;
use x509_parser::x509::{AttributeTypeAndValue, SubjectPublicKeyInfo};

/// RFC 4514 §2: RDNs in reverse order of the DER sequence, separated by `,`; multi-valued RDNs
/// joined by `+`; attribute types by the short names of §3, else the dotted OID; string values
/// escaped per §2.4, other values as `#` and the hex of their DER (§2.4).
pub fn rfc4514(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| rdn.iter().map(attribute).collect::<Vec<String>>().join("+"))
        .collect();
    rdns.into_iter().rev().collect::<Vec<String>>().join(",")
}

fn attribute(attr: &AttributeTypeAndValue<'_>) -> String {
    let oid = attr.attr_type().to_id_string();
    // RFC 4514 §3: the short names an implementation must recognise.
    let short = match oid.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => oid.as_str(),
    };
    let value = attr.attr_value();
    let text = match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString
        | Tag::TeletexString => std::str::from_utf8(value.data).ok().map(escape),
        _ => None,
    };
    // §2.4: a value that is not a string is written as `#` and the hex of its BER encoding.
    let text = text.unwrap_or_else(|| match value.to_der_vec() {
        Ok(der) => format!("#{}", hex::encode(der)),
        Err(_) => format!("#{}", hex::encode(value.data)),
    });
    format!("{short}={text}")
}

/// RFC 4514 §2.4: escape `"+,;<>\` and NUL anywhere, `#` and space at the start, space at the end.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\0' => out.push_str("\\00"),
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            _ => out.push(c),
        }
    }
    out
}

/// `ECDSA P-256`, `RSA 2048`, `Ed25519`, … from the SubjectPublicKeyInfo (RFC 5480 for EC curve
/// OIDs, RFC 3279 for RSA, RFC 8410 for Ed25519/Ed448); the algorithm OID when unknown.
pub fn public_key_type(spki: &SubjectPublicKeyInfo<'_>) -> String {
    let algorithm = spki.algorithm.algorithm.to_id_string();
    match algorithm.as_str() {
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            let name = match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "P-256".to_owned(),
                Some("1.3.132.0.34") => "P-384".to_owned(),
                Some("1.3.132.0.35") => "P-521".to_owned(),
                Some("1.3.132.0.10") => "secp256k1".to_owned(),
                Some(other) => other.to_owned(),
                None => "unknown curve".to_owned(),
            };
            format!("ECDSA {name}")
        }
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => match spki.parsed() {
            Ok(key) => format!("RSA {}", key.key_size()),
            Err(_) => "RSA".to_owned(),
        },
        "1.3.101.112" => "Ed25519".to_owned(),
        "1.3.101.113" => "Ed448".to_owned(),
        _ => algorithm,
    }
}
