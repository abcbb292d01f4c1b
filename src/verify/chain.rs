//! Certificate path validation to a trusted CA at the signing time (RFC 5280 §6, as Sigstore
//! clients apply it: client-spec "Certificate": the chain must lead to a trusted root, every
//! certificate valid at the signing time, the leaf an end-entity for code signing).

use std::cell::RefCell;

use x509_parser::prelude::{FromDer as _, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::trust::{CaPool, CertificateAuthority};

/// Longest path accepted (leaf excluded).
pub const MAX_PATH_LENGTH: usize = 8;

const NOT_DER: &str = "the signing certificate is not valid DER";

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

/// The signing certificate, parsed once for every check that reads it. It remembers which
/// trusted keys verify its signature, so the chain and the SCT's issuer need one verification.
/// (The trusted certificates are parsed once per authority: [`CertificateAuthority::pool`].)
pub struct Leaf<'a> {
    cert: X509Certificate<'a>,
    /// (issuer SPKI DER, whether that key verifies this certificate's signature).
    verified_by: RefCell<Vec<(Vec<u8>, bool)>>,
}

impl<'a> Leaf<'a> {
    /// Parses the DER; `None` when x509-parser refuses it.
    pub fn parse(der: &'a [u8]) -> Option<Leaf<'a>> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        Some(Leaf {
            cert,
            verified_by: RefCell::new(Vec::new()),
        })
    }

    /// The key `spki_der` verifies this certificate's signature (checked once per key).
    fn signed_by(&self, spki_der: &[u8]) -> bool {
        if let Some((_, ok)) = self
            .verified_by
            .borrow()
            .iter()
            .find(|(k, _)| k.as_slice() == spki_der)
        {
            return *ok;
        }
        let ok = SubjectPublicKeyInfo::from_der(spki_der)
            .is_ok_and(|(_, spki)| self.cert.verify_signature(Some(&spki)).is_ok());
        self.verified_by.borrow_mut().push((spki_der.to_vec(), ok));
        ok
    }

    /// Finds a path from this leaf to a self-signed root within one authority valid at `at`.
    pub fn chain(
        &self,
        authorities: &[CertificateAuthority],
        at: i64,
    ) -> Result<ValidPath, String> {
        let leaf = &self.cert;
        let validity = leaf.validity();
        if !(validity.not_before.timestamp() <= at && at <= validity.not_after.timestamp()) {
            return Err(format!(
                "the signing certificate is valid from {} to {}, not at the signing time {}",
                validity.not_before,
                validity.not_after,
                crate::artifact::encoding::rfc3339(at)
            ));
        }
        if matches!(leaf.basic_constraints(), Ok(Some(bc)) if bc.value.ca) {
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
            match self.path_in(&authority.pool(), at) {
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

    /// The path from this leaf within `pool`: each step takes the first certificate of the pool
    /// named as the issuer whose key verifies the signature, until a self-signed one.
    fn path_in(&self, pool: &CaPool, at: i64) -> Result<(Vec<String>, Vec<u8>), String> {
        let certificates = &pool.certificates;
        let leaf_issuer = self.cert.issuer();
        let mut next = certificates
            .iter()
            .position(|c| {
                c.subject_raw.as_slice() == leaf_issuer.as_raw() && self.signed_by(&c.spki_der)
            })
            .ok_or_else(|| format!("no trusted issuer named {leaf_issuer} signed it"));
        let mut subjects = Vec::new();
        let mut issuer_spki = None;
        for _ in 0..=MAX_PATH_LENGTH {
            let issuer = next.and_then(|i| {
                certificates
                    .get(i)
                    .ok_or_else(|| "no such issuer".to_owned())
            })?;
            if !issuer.is_ca {
                return Err(format!("issuer {} is not a CA", issuer.subject));
            }
            if !issuer.valid_at(at) {
                return Err(format!(
                    "CA certificate {} is valid from {} to {}, not at the signing time",
                    issuer.subject, issuer.not_before_text, issuer.not_after_text
                ));
            }
            if issuer_spki.is_none() {
                issuer_spki = Some(issuer.spki_der.clone());
            }
            subjects.push(issuer.subject.clone());
            if issuer.self_signed {
                return Ok((subjects, issuer_spki.unwrap_or_default()));
            }
            next = issuer
                .issued_by
                .ok_or_else(|| format!("no trusted issuer named {} signed it", issuer.issuer));
        }
        Err(format!(
            "limit reached: no root within {MAX_PATH_LENGTH} certificates"
        ))
    }

    /// The SPKI of the trusted certificate that signed this leaf, whatever the time (the SCT's
    /// issuer key hash names it even when the path is refused for its dates).
    pub fn issuer_spki(&self, authorities: &[CertificateAuthority]) -> Option<Vec<u8>> {
        let leaf_issuer = self.cert.issuer().as_raw();
        for authority in authorities {
            let pool = authority.pool();
            if let Some(c) = pool
                .certificates
                .iter()
                .find(|c| c.subject_raw.as_slice() == leaf_issuer && self.signed_by(&c.spki_der))
            {
                return Some(c.spki_der.clone());
            }
        }
        None
    }

    /// The leaf carries the codeSigning extended key usage (Fulcio certificate profile).
    pub fn code_signing(&self) -> Result<String, String> {
        match self.cert.extended_key_usage() {
            Ok(Some(eku)) if eku.value.code_signing => Ok("codeSigning extended key usage".into()),
            Ok(Some(_)) => {
                Err("the certificate's extended key usage does not include codeSigning".into())
            }
            // Go's x509 (and so cosign) treats a leaf without the extension as valid for any
            // usage; sigscope agrees, and says so.
            Ok(None) => Ok(
                "no extended key usage extension: any usage is allowed (as cosign accepts)".into(),
            ),
            Err(e) => Err(format!(
                "the extended key usage extension is malformed: {e}"
            )),
        }
    }
}

/// Finds a path from `leaf_der` to a self-signed root within one authority valid at `at`.
pub fn verify_chain(
    leaf_der: &[u8],
    authorities: &[CertificateAuthority],
    at: i64,
) -> Result<ValidPath, String> {
    Leaf::parse(leaf_der).ok_or(NOT_DER)?.chain(authorities, at)
}

/// The SPKI of the trusted certificate that signed `leaf_der`, whatever the time.
pub fn issuer_spki(leaf_der: &[u8], authorities: &[CertificateAuthority]) -> Option<Vec<u8>> {
    Leaf::parse(leaf_der)?.issuer_spki(authorities)
}

/// The leaf carries the codeSigning extended key usage (Fulcio certificate profile).
pub fn check_code_signing(leaf_der: &[u8]) -> Result<String, String> {
    Leaf::parse(leaf_der).ok_or(NOT_DER)?.code_signing()
}

/// [`Leaf::chain`] for a leaf that may not have parsed.
pub fn leaf_chain(
    leaf: Option<&Leaf>,
    authorities: &[CertificateAuthority],
    at: i64,
) -> Result<ValidPath, String> {
    leaf.ok_or(NOT_DER)?.chain(authorities, at)
}

/// [`Leaf::code_signing`] for a leaf that may not have parsed.
pub fn leaf_code_signing(leaf: Option<&Leaf>) -> Result<String, String> {
    leaf.ok_or(NOT_DER)?.code_signing()
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
    fn a_trusted_chain_without_a_root_stops_at_the_path_limit() {
        let mut s = VirtualSigstore::new("chain", AT - 1000).unwrap();
        let root = root_of(&s);
        let der = leaf(&mut s, LeafOptions::default());
        // Cross-signed CAs with no self-signed root: the walk from the leaf would go round
        // intermediate -> root -> intermediate … for ever without the limit.
        let mut pool = root.certificate_authorities[0].pool().into_owned();
        let intermediate = pool
            .certificates
            .iter()
            .position(|c| !c.self_signed)
            .unwrap();
        let top = pool
            .certificates
            .iter()
            .position(|c| c.self_signed)
            .unwrap();
        pool.certificates[top].self_signed = false;
        pool.certificates[top].issued_by = Some(intermediate);
        let leaf = Leaf::parse(&der).unwrap();
        let err = leaf.path_in(&pool, AT as i64 + 60).unwrap_err();
        assert_eq!(
            err,
            format!("limit reached: no root within {MAX_PATH_LENGTH} certificates")
        );
        // The untouched pool has its root two steps up.
        let fine = root.certificate_authorities[0].pool();
        assert_eq!(leaf.path_in(&fine, AT as i64 + 60).unwrap().0.len(), 2);
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
