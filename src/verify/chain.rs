//! Certificate path validation to a trusted CA at the signing time (RFC 5280 §6, as Sigstore
//! clients apply it: client-spec "Certificate": the chain must lead to a trusted root, every
//! certificate valid at the signing time, the leaf an end-entity for code signing).

use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::trust::CertificateAuthority;

/// Longest path accepted (leaf excluded).
pub const MAX_PATH_LENGTH: usize = 8;

/// A validated path.
#[derive(Debug, Clone)]
pub struct ValidPath {
    /// Subjects from the leaf's issuer up to the root.
    pub subjects: Vec<String>,
    /// The DER SPKI of the leaf's issuer (the SCT's issuer key hash covers it).
    pub issuer_spki_der: Vec<u8>,
    /// Index of the authority in the trust list.
    pub authority: usize,
}

fn parse(der: &[u8]) -> Option<X509Certificate<'_>> {
    X509Certificate::from_der(der).ok().map(|(_, c)| c)
}

fn valid_at(cert: &X509Certificate, at: i64) -> bool {
    let v = cert.validity();
    v.not_before.timestamp() <= at && at <= v.not_after.timestamp()
}

fn is_ca(cert: &X509Certificate) -> bool {
    matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
}

/// Finds a path from `leaf_der` to a self-signed root within one authority valid at `at`.
pub fn verify_chain(
    leaf_der: &[u8],
    authorities: &[CertificateAuthority],
    at: i64,
) -> Result<ValidPath, String> {
    let leaf = parse(leaf_der).ok_or("the signing certificate is not valid DER")?;
    if !valid_at(&leaf, at) {
        return Err(format!(
            "the signing certificate is valid from {} to {}, not at the signing time {}",
            leaf.validity().not_before,
            leaf.validity().not_after,
            crate::artifact::encoding::rfc3339(at)
        ));
    }
    if is_ca(&leaf) {
        return Err("the signing certificate is a CA certificate, not an end entity".into());
    }
    let mut reasons = Vec::new();
    for (index, authority) in authorities.iter().enumerate() {
        if !authority.valid_for.contains(at) {
            reasons.push(format!(
                "CA {} is not trusted at {}",
                authority.uri,
                crate::artifact::encoding::rfc3339(at)
            ));
            continue;
        }
        let pool: Vec<X509Certificate> = authority
            .chain_der
            .iter()
            .filter_map(|d| parse(d))
            .collect();
        match path_in(&leaf, &pool, at) {
            Ok((subjects, issuer_spki_der)) => {
                return Ok(ValidPath {
                    subjects,
                    issuer_spki_der,
                    authority: index,
                });
            }
            Err(reason) => reasons.push(reason),
        }
    }
    if authorities.is_empty() {
        return Err("no certificate authority is trusted".into());
    }
    Err(format!(
        "the signing certificate (issuer {}) does not chain to a trusted CA: {}",
        leaf.issuer(),
        reasons.join("; ")
    ))
}

fn path_in(
    leaf: &X509Certificate,
    pool: &[X509Certificate],
    at: i64,
) -> Result<(Vec<String>, Vec<u8>), String> {
    let mut current = leaf;
    let mut subjects = Vec::new();
    let mut issuer_spki = None;
    for _ in 0..=MAX_PATH_LENGTH {
        let issuer = pool
            .iter()
            .find(|c| {
                c.subject().as_raw() == current.issuer().as_raw()
                    && current.verify_signature(Some(c.public_key())).is_ok()
            })
            .ok_or_else(|| format!("no trusted issuer named {} signed it", current.issuer()))?;
        if !is_ca(issuer) {
            return Err(format!("issuer {} is not a CA", issuer.subject()));
        }
        if !valid_at(issuer, at) {
            return Err(format!(
                "CA certificate {} is valid from {} to {}, not at the signing time",
                issuer.subject(),
                issuer.validity().not_before,
                issuer.validity().not_after
            ));
        }
        if issuer_spki.is_none() {
            issuer_spki = Some(issuer.public_key().raw.to_vec());
        }
        subjects.push(issuer.subject().to_string());
        let self_signed = issuer.subject().as_raw() == issuer.issuer().as_raw()
            && issuer.verify_signature(None).is_ok();
        if self_signed {
            return Ok((subjects, issuer_spki.unwrap_or_default()));
        }
        current = issuer;
    }
    Err(format!(
        "limit reached: no root within {MAX_PATH_LENGTH} certificates"
    ))
}

/// The SPKI of the trusted certificate that signed `leaf_der`, whatever the time (the SCT's
/// issuer key hash names it even when the path is refused for its dates).
pub fn issuer_spki(leaf_der: &[u8], authorities: &[CertificateAuthority]) -> Option<Vec<u8>> {
    let leaf = parse(leaf_der)?;
    authorities
        .iter()
        .flat_map(|a| a.chain_der.iter())
        .filter_map(|d| parse(d))
        .find(|c| {
            c.subject().as_raw() == leaf.issuer().as_raw()
                && leaf.verify_signature(Some(c.public_key())).is_ok()
        })
        .map(|c| c.public_key().raw.to_vec())
}

/// The leaf carries the codeSigning extended key usage (Fulcio certificate profile).
pub fn check_code_signing(leaf_der: &[u8]) -> Result<String, String> {
    let leaf = parse(leaf_der).ok_or("the signing certificate is not valid DER")?;
    match leaf.extended_key_usage() {
        Ok(Some(eku)) if eku.value.code_signing => Ok("codeSigning extended key usage".into()),
        Ok(Some(_)) => {
            Err("the certificate's extended key usage does not include codeSigning".into())
        }
        // Go's x509 (and so cosign) treats a leaf without the extension as valid for any
        // usage; sigscope agrees, and says so.
        Ok(None) => {
            Ok("no extended key usage extension: any usage is allowed (as cosign accepts)".into())
        }
        Err(e) => Err(format!(
            "the extended key usage extension is malformed: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{Identity, LeafOptions, SigningOptions, VirtualSigstore};
    use crate::trust::{TrustedRoot, ValidFor};

    const AT: u64 = 1_750_000_000;

    fn root_of(s: &VirtualSigstore) -> TrustedRoot {
        TrustedRoot::from_json(
            "t",
            &serde_json::to_vec(&s.trusted_root().unwrap()).unwrap(),
        )
        .unwrap()
    }

    fn leaf(s: &mut VirtualSigstore, options: LeafOptions) -> Vec<u8> {
        s.sign(
            &Identity::email("a@b.c", "https://i"),
            b"p",
            AT,
            SigningOptions {
                leaf: options,
                ..SigningOptions::default()
            },
        )
        .unwrap()
        .certificate
    }

    #[test]
    fn a_fixture_leaf_chains_at_signing_time_only() {
        let mut s = VirtualSigstore::new("chain", AT - 1000).unwrap();
        let root = root_of(&s);
        let der = leaf(&mut s, LeafOptions::default());
        let path = verify_chain(&der, &root.certificate_authorities, AT as i64 + 60).unwrap();
        assert_eq!(path.subjects.len(), 2);
        assert_eq!(
            path.issuer_spki_der,
            s.ca.intermediate.key.spki_der().unwrap()
        );
        let late = verify_chain(&der, &root.certificate_authorities, AT as i64 + 601).unwrap_err();
        assert!(late.contains("not at the signing time"), "{late}");
        assert!(check_code_signing(&der).is_ok());
    }

    #[test]
    fn another_ca_an_expired_trust_window_or_a_wrong_eku_fail() {
        let mut s = VirtualSigstore::new("chain", AT - 1000).unwrap();
        let other = VirtualSigstore::new("other", AT - 1000).unwrap();
        let der = leaf(&mut s, LeafOptions::default());
        let err =
            verify_chain(&der, &root_of(&other).certificate_authorities, AT as i64).unwrap_err();
        assert!(err.contains("does not chain to a trusted CA"), "{err}");
        let mut expired = root_of(&s);
        expired.certificate_authorities[0].valid_for = ValidFor {
            start: 0,
            end: Some(AT as i64 - 1),
        };
        let err = verify_chain(&der, &expired.certificate_authorities, AT as i64).unwrap_err();
        assert!(err.contains("is not trusted at"), "{err}");
        let no_eku = leaf(
            &mut s,
            LeafOptions {
                omit_code_signing: true,
                ..LeafOptions::default()
            },
        );
        assert!(check_code_signing(&no_eku).unwrap().contains("any usage"));
        let server = leaf(
            &mut s,
            LeafOptions {
                server_auth_only: true,
                ..LeafOptions::default()
            },
        );
        assert!(check_code_signing(&server).is_err());
        let ca_as_leaf = verify_chain(
            &s.ca.intermediate.der,
            &root_of(&s).certificate_authorities,
            AT as i64,
        );
        assert!(ca_as_leaf.unwrap_err().contains("not an end entity"));
    }
}
