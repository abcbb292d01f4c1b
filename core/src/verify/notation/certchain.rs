//! The certificate requirements of the Notary Project (`signature-specification.md`,
//! "Certificate Requirements"), as notation-core-go's `ValidateCodeSigningCertChain` and
//! `ValidateTimestampingCertChain` apply them to a chain given leaf first: the last certificate
//! a self-signed root, each other one issued by the next and not self-signed, CAs with basic
//! constraints (and path length room) and keyCertSign, leaves end entities with digitalSignature
//! only, a code-signing leaf without a forbidden extended key usage, a timestamping leaf with
//! timeStamping alone and critical, and keys notation can sign with.

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::verify::key::{KeyKind, PublicKey};

/// Longest envelope chain read (a budget on untrusted input; notation sets none).
pub const MAX_CHAIN: usize = 10;

/// One certificate of a chain, parsed.
pub struct ChainCert<'a> {
    pub der: &'a [u8],
    pub cert: X509Certificate<'a>,
    /// RFC 4514.
    pub subject: String,
}

impl ChainCert<'_> {
    pub fn not_before(&self) -> i64 {
        self.cert.validity().not_before.timestamp()
    }

    pub fn not_after(&self) -> i64 {
        self.cert.validity().not_after.timestamp()
    }

    /// Where the certificate says its revocation status is published (OCSP responders and CRL
    /// distribution points).
    pub fn revocation_sources(&self) -> Vec<String> {
        let mut out = Vec::new();
        for ext in self.cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::AuthorityInfoAccess(aia) => out.extend(
                    aia.accessdescs
                        .iter()
                        .filter(|d| d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.1")
                        .map(|d| format!("OCSP {}", d.access_location)),
                ),
                ParsedExtension::CRLDistributionPoints(_) => out.push("a CRL".to_owned()),
                _ => {}
            }
        }
        out
    }
}

/// Parses a chain (leaf first) within [`MAX_CHAIN`].
pub fn parse_chain(ders: &[Vec<u8>]) -> Result<Vec<ChainCert<'_>>, String> {
    if ders.is_empty() {
        return Err("the envelope carries no certificate chain".into());
    }
    if ders.len() > MAX_CHAIN {
        return Err(format!(
            "limit reached: the chain has {} certificates, at most {MAX_CHAIN} are read",
            ders.len()
        ));
    }
    ders.iter()
        .enumerate()
        .map(|(i, der)| {
            let (_, cert) = X509Certificate::from_der(der)
                .map_err(|e| format!("certificate {} of the chain is malformed: {e}", i + 1))?;
            let subject = crate::artifact::certificate::rfc4514_from_der(cert.subject().as_raw())
                .unwrap_or_else(|| cert.subject().to_string());
            Ok(ChainCert { der, cert, subject })
        })
        .collect()
}

/// The signature algorithm the Notary Project pairs with the leaf's key
/// (`signature-specification.md`, "Algorithm Selection").
pub fn key_algorithm(cert: &ChainCert) -> Result<&'static str, String> {
    let key = PublicKey::from_spki_der(cert.cert.public_key().raw)
        .map_err(|e| format!("certificate {:?}: {e}", cert.subject))?;
    Ok(match key.kind() {
        KeyKind::Rsa { bits: 2048 } => "PS256",
        KeyKind::Rsa { bits: 3072 } => "PS384",
        KeyKind::Rsa { bits: 4096 } => "PS512",
        KeyKind::EcdsaP256 => "ES256",
        KeyKind::EcdsaP384 => "ES384",
        KeyKind::EcdsaP521 => "ES512",
        other => {
            return Err(format!(
                "certificate {:?} has a {other} key; the Notary Project allows RSA 2048/3072/4096 and ECDSA P-256/384/521",
                cert.subject
            ));
        }
    })
}

/// What a chain is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    CodeSigning,
    Timestamping,
}

/// Validates the chain's shape (no time is checked here).
pub fn validate_chain(chain: &[ChainCert], purpose: Purpose) -> Result<(), String> {
    let [leaf, ..] = chain else {
        return Err("the certificate chain is empty".into());
    };
    if chain.len() == 1 {
        // A self-signed signing certificate (not a CA).
        if leaf.cert.verify_signature(None).is_err()
            || leaf.cert.subject().as_raw() != leaf.cert.issuer().as_raw()
        {
            return Err(format!(
                "the only certificate {:?} is not self-signed: a chain must end in a self-signed root",
                leaf.subject
            ));
        }
        return validate_leaf(leaf, purpose);
    }
    let last = chain.len() - 1;
    for (i, cert) in chain.iter().enumerate() {
        let self_signed = issued_by(cert, cert);
        if i == last {
            if !self_signed {
                return Err(format!(
                    "the root {:?} is not self-signed: a chain must end in a self-signed root",
                    cert.subject
                ));
            }
        } else {
            if self_signed {
                let role = if i == 0 { "leaf" } else { "intermediate" };
                return Err(format!("the {role} {:?} is self-signed", cert.subject));
            }
            let parent = &chain[i + 1];
            if !issued_by(cert, parent) {
                return Err(format!(
                    "certificate {:?} is not issued by the next one in the chain, {:?}",
                    cert.subject, parent.subject
                ));
            }
        }
        if i == 0 {
            validate_leaf(cert, purpose)?;
        } else {
            validate_ca(cert, i - 1, purpose)?;
        }
    }
    Ok(())
}

/// Go's `CheckSignatureFrom` (the parent a CA, its key verifying) and the names matching.
fn issued_by(child: &ChainCert, parent: &ChainCert) -> bool {
    let parent_ca = matches!(parent.cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca);
    parent_ca
        && child.cert.issuer().as_raw() == parent.cert.subject().as_raw()
        && child
            .cert
            .verify_signature(Some(parent.cert.public_key()))
            .is_ok()
}

fn validate_ca(cert: &ChainCert, path_len: usize, purpose: Purpose) -> Result<(), String> {
    let subject = &cert.subject;
    match cert.cert.basic_constraints() {
        Ok(Some(bc)) if bc.value.ca => {
            let max = bc.value.path_len_constraint.map(|m| m as usize);
            if max.is_some_and(|m| m < path_len) {
                return Err(format!(
                    "CA {subject:?} allows a path length of {}, the chain needs {path_len}",
                    max.unwrap_or_default()
                ));
            }
        }
        _ => {
            return Err(format!(
                "CA {subject:?} lacks basic constraints with cA true"
            ));
        }
    }
    let usage = key_usage(cert, purpose)?;
    if !usage.key_cert_sign() {
        return Err(format!("CA {subject:?}: key usage lacks keyCertSign"));
    }
    Ok(())
}

fn key_usage<'a>(
    cert: &'a ChainCert,
    purpose: Purpose,
) -> Result<&'a x509_parser::extensions::KeyUsage, String> {
    let subject = &cert.subject;
    match cert.cert.key_usage() {
        Ok(Some(ku)) if ku.critical || purpose == Purpose::Timestamping => Ok(ku.value),
        Ok(Some(_)) => Err(format!(
            "certificate {subject:?}: the key usage extension must be critical"
        )),
        Ok(None) => Err(format!(
            "certificate {subject:?} has no key usage extension"
        )),
        Err(e) => Err(format!("certificate {subject:?}: malformed key usage: {e}")),
    }
}

fn validate_leaf(cert: &ChainCert, purpose: Purpose) -> Result<(), String> {
    let subject = &cert.subject;
    if matches!(cert.cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca) {
        return Err(format!(
            "the signing certificate {subject:?} is a CA (basic constraints cA true)"
        ));
    }
    let usage = key_usage(cert, purpose)?;
    if !usage.digital_signature() {
        return Err(format!(
            "certificate {subject:?}: key usage lacks digitalSignature"
        ));
    }
    let extra: Vec<&str> = [
        (usage.key_encipherment(), "keyEncipherment"),
        (usage.data_encipherment(), "dataEncipherment"),
        (usage.key_agreement(), "keyAgreement"),
        (usage.key_cert_sign(), "keyCertSign"),
        (usage.crl_sign(), "cRLSign"),
        (usage.encipher_only(), "encipherOnly"),
        (usage.decipher_only(), "decipherOnly"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect();
    if !extra.is_empty() {
        return Err(format!(
            "certificate {subject:?}: key usage must be digitalSignature only, it also has {}",
            extra.join(", ")
        ));
    }
    let eku = cert
        .cert
        .extended_key_usage()
        .map_err(|e| format!("certificate {subject:?}: malformed extended key usage: {e}"))?;
    match purpose {
        Purpose::CodeSigning => {
            if let Some(eku) = eku {
                let e = eku.value;
                let forbidden = [
                    (e.server_auth, "serverAuth"),
                    (e.client_auth, "clientAuth"),
                    (e.email_protection, "emailProtection"),
                    (e.time_stamping, "timeStamping"),
                    (e.ocsp_signing, "OCSPSigning"),
                ];
                if let Some((_, name)) = forbidden.iter().find(|(set, _)| *set) {
                    return Err(format!(
                        "certificate {subject:?}: extended key usage {name} is not allowed for code signing"
                    ));
                }
                // Stricter than notation (SECURITY.md): a leaf that lists usages must list
                // codeSigning among them.
                if !e.code_signing && !e.any {
                    return Err(format!(
                        "certificate {subject:?}: extended key usage lacks codeSigning"
                    ));
                }
            }
        }
        Purpose::Timestamping => {
            let only = eku.as_ref().is_some_and(|e| {
                let v = e.value;
                v.time_stamping
                    && !(v.any
                        || v.server_auth
                        || v.client_auth
                        || v.code_signing
                        || v.email_protection
                        || v.ocsp_signing)
                    && v.other.is_empty()
            });
            if !only {
                return Err(format!(
                    "timestamping certificate {subject:?} must have timeStamping as its only extended key usage"
                ));
            }
            if !eku.is_some_and(|e| e.critical) {
                return Err(format!(
                    "timestamping certificate {subject:?}: the extended key usage must be critical"
                ));
            }
        }
    }
    key_algorithm(cert).map(|_| ())
}
