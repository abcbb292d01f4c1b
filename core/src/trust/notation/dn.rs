//! Distinguished names as the Notary Project matches trusted identities
//! (`trust-store-trust-policy.md`, "Trusted Identities Constraints"): an `x509.subject:` value
//! is an RFC 4514 DN of single-valued RDNs, each attribute type at most once, with `C`, `ST`
//! (or its alias `S`) and `O` present; it matches a certificate whose subject carries every one
//! of its attributes with the same value. The parsing follows what notation-go does with
//! go-ldap's `ParseDN`: types and values are trimmed of unescaped spaces, `\X` and `\HH`
//! escapes are undone, `,` and `;` separate RDNs, `+` joins a multi-valued one, types compare
//! case-sensitively. No crate parses DNs with these rules (x509-cert's `Name::from_str` encodes
//! them to DER and knows no `S` alias), so it is written here.

use std::collections::BTreeMap;

use x509_parser::prelude::{FromDer as _, X509Certificate};

/// A parsed DN: attribute type to value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dn(pub BTreeMap<String, String>);

/// The attributes every trusted identity (and a matched certificate subject) must carry.
const MANDATORY: [&str; 3] = ["C", "ST", "O"];

impl Dn {
    /// Parses an `x509.subject` value.
    pub fn parse(text: &str) -> Result<Dn, String> {
        if text.contains("=#") {
            return Err(format!(
                "unsupported distinguished name {text:?}: hex-encoded values (\"=#\") are not supported"
            ));
        }
        let mut map = BTreeMap::new();
        for rdn in split_rdns(text)? {
            let [(kind, value)] = rdn.as_slice() else {
                return Err(format!(
                    "distinguished name {text:?} has a multi-valued RDN, which is not supported"
                ));
            };
            let kind = if kind == "S" {
                "ST".to_owned()
            } else {
                kind.clone()
            };
            if map.contains_key(&kind) {
                return Err(format!(
                    "distinguished name {text:?} has the attribute {kind} more than once"
                ));
            }
            map.insert(kind, value.clone());
        }
        let dn = Dn(map);
        dn.mandatory(text)?;
        Ok(dn)
    }

    fn mandatory(&self, text: &str) -> Result<(), String> {
        for field in MANDATORY {
            if self.0.get(field).is_none_or(String::is_empty) {
                return Err(format!(
                    "distinguished name {text:?} has no {field}: it must contain C, ST (or S) and O at least"
                ));
            }
        }
        Ok(())
    }

    /// Every attribute of `self` is in `other` with the same value.
    pub fn is_subset_of(&self, other: &Dn) -> bool {
        self.0.iter().all(|(k, v)| other.0.get(k) == Some(v))
    }

    /// A certificate's subject, as notation reads it (Go's `pkix.Name`, printed and parsed
    /// back): the nine attribute types Go names, CN and SERIALNUMBER single (the last one),
    /// every other type once; an attribute Go cannot name makes the subject unmatchable.
    pub fn of_certificate(der: &[u8]) -> Result<Dn, String> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| format!("the signing certificate does not parse: {e}"))?;
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        let mut repeated = Vec::new();
        for attribute in cert.subject().iter_attributes() {
            let oid = attribute.attr_type().to_id_string();
            let Some(kind) = go_name(&oid) else {
                return Err(format!(
                    "the certificate subject has attribute {oid}, which notation cannot match \
                     (it prints as a hex value)"
                ));
            };
            let value = attribute
                .as_str()
                .map_err(|_| format!("the certificate subject's {kind} is not a string"))?;
            let single = matches!(kind, "CN" | "SERIALNUMBER");
            if map.insert(kind.to_owned(), value.to_owned()).is_some() && !single {
                repeated.push(kind);
            }
        }
        if let Some(kind) = repeated.first() {
            return Err(format!(
                "the certificate subject has {kind} more than once (a multi-valued RDN to notation)"
            ));
        }
        let dn = Dn(map);
        dn.mandatory(&dn.to_string())?;
        Ok(dn)
    }
}

impl std::fmt::Display for Dn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        f.write_str(&parts.join(", "))
    }
}

/// The attribute types Go's `pkix.Name.String` names.
fn go_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.6" => "C",
        "2.5.4.8" => "ST",
        "2.5.4.7" => "L",
        "2.5.4.9" => "STREET",
        "2.5.4.17" => "POSTALCODE",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.3" => "CN",
        "2.5.4.5" => "SERIALNUMBER",
        _ => return None,
    })
}

/// RDNs, each a list of (type, value), as go-ldap's `ParseDN` splits them.
fn split_rdns(text: &str) -> Result<Vec<Vec<(String, String)>>, String> {
    let mut rdns = Vec::new();
    if text.trim().is_empty() {
        return Ok(rdns);
    }
    let bytes = text.as_bytes();
    let mut rdn = Vec::new();
    let mut kind: Option<String> = None;
    let (mut start, mut escaping) = (0, false);
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            _ if escaping => escaping = false,
            b'\\' => escaping = true,
            b'=' if kind.is_none() => {
                kind = Some(unescape(&text[start..i])?);
                start = i + 1;
            }
            b',' | b'+' | b';' => {
                let k = kind.take().ok_or("incomplete type, value pair")?;
                rdn.push((k, value(&text[start..i])?));
                start = i + 1;
                if c != b'+' {
                    rdns.push(std::mem::take(&mut rdn));
                }
            }
            _ => {}
        }
    }
    let k = kind.ok_or("the DN ends with an incomplete type, value pair")?;
    rdn.push((k, value(&text[start..])?));
    rdns.push(rdn);
    Ok(rdns)
}

fn value(raw: &str) -> Result<String, String> {
    if raw.trim_start_matches(' ').starts_with('#') {
        return Err(format!("hex-encoded value {raw:?} is not supported"));
    }
    unescape(raw)
}

/// Trims unescaped leading and trailing spaces and undoes RFC 4514 escapes.
fn unescape(raw: &str) -> Result<String, String> {
    let mut trimmed = raw.trim_matches(' ').to_owned();
    if trimmed.ends_with('\\') && raw.ends_with(' ') {
        // An escaped trailing space keeps its space.
        trimmed.push(' ');
    }
    let bytes = trimmed.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            None => return Err(format!("corrupted escape at the end of {raw:?}")),
            Some(b' ' | b'"' | b'#' | b'+' | b',' | b';' | b'<' | b'=' | b'>' | b'\\') => {
                out.push(bytes[i + 1]);
                i += 2;
            }
            Some(_) => {
                let pair = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad escape in {raw:?}"))?;
                out.push(pair);
                i += 3;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("{raw:?} is not UTF-8 once unescaped"))
}

#[cfg(test)]
#[path = "dn_tests.rs"]
mod tests;
