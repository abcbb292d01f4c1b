//! Certificate path validation to a trusted CA at the signing time (RFC 5280 §6, as Sigstore
//! clients apply it: client-spec "Certificate": the chain must lead to a trusted root, every
//! certificate valid at the signing time, the leaf an end-entity for code signing).
//!
//! Paths are built the way Go's `x509.Verify` builds them for cosign and sigstore-go: from the
//! leaf up through every candidate issuer (name match and signature), until a trust anchor; each
//! candidate is refused for the defect it has — not a CA, a key usage without keyCertSign, a
//! critical extension nobody handles, not valid at the time, a path-length constraint exceeded,
//! an extended key usage without codeSigning — and a refused path says which link failed.

use std::cell::RefCell;

use x509_parser::prelude::{FromDer as _, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::artifact::encoding::rfc3339;
use crate::trust::{
    CaPool, CertificateAuthority, code_signing_refused, unhandled_critical_extensions,
};

/// Longest path accepted (leaf excluded).
pub const MAX_PATH_LENGTH: usize = 8;

const NOT_DER: &str = "the signing certificate is not valid DER";

/// The OID of the subject alternative name extension: cosign and sigstore-go drop it from the
/// leaf's unhandled critical extensions before `x509.Verify` (Fulcio's otherName SAN, which Go
/// does not parse, is critical).
const SAN_OID: &str = "2.5.29.17";

/// A validated path.
#[derive(Debug, Clone)]
pub struct ValidPath {
    /// Subjects from the leaf's issuer up to the trust anchor.
    pub subjects: Vec<String>,
    /// The DER SPKI of the leaf's issuer (the SCT's issuer key hash covers it).
    pub issuer_spki_der: Vec<u8>,
    /// Index of the authority in the trust list.
    pub authority: usize,
    /// Intermediates the signature brought along (cosign's chain annotation) are on the path.
    pub through_signature_intermediates: bool,
}

/// What the time a certificate is checked at is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum When {
    /// A verified signing time (a log's integrated time, an RFC 3161 time).
    #[default]
    SigningTime,
    /// The time of verification: nothing dated the signature (cosign without a log or a
    /// timestamp checks the certificate against `time.Now()`).
    Now,
}

impl When {
    fn describe(self, at: i64) -> String {
        match self {
            When::SigningTime => format!("the signing time {}", rfc3339(at)),
            When::Now => format!(
                "now ({}): nothing dated the signature (no transparency-log time, no RFC 3161 \
                 timestamp), so it must be valid at the time of verification",
                rfc3339(at)
            ),
        }
    }
}

/// The signing certificate, parsed once for every check that reads it. It remembers which
/// trusted keys verify its signature, so the chain and the SCT's issuer need one verification.
/// (The trusted certificates are parsed once per authority: [`CertificateAuthority::pool`].)
pub struct Leaf<'a> {
    cert: X509Certificate<'a>,
    /// (issuer SPKI DER, whether that key verifies this certificate's signature).
    verified_by: RefCell<Vec<(Vec<u8>, bool)>>,
    /// Intermediates the signature carries (cosign's `dev.sigstore.cosign/chain` annotation).
    intermediates: Vec<Vec<u8>>,
    when: When,
}

impl<'a> Leaf<'a> {
    /// Parses the DER; `None` when x509-parser refuses it.
    pub fn parse(der: &'a [u8]) -> Option<Leaf<'a>> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        Some(Leaf {
            cert,
            verified_by: RefCell::new(Vec::new()),
            intermediates: Vec::new(),
            when: When::SigningTime,
        })
    }

    /// The intermediates the signature carries, for authorities that accept them
    /// ([`CertificateAuthority::accepts_signature_intermediates`]).
    pub fn with_intermediates(mut self, intermediates: Vec<Vec<u8>>) -> Leaf<'a> {
        self.intermediates = intermediates;
        self
    }

    /// What the time given to [`Leaf::chain`] is, for its messages.
    pub fn checked_at(mut self, when: When) -> Leaf<'a> {
        self.when = when;
        self
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

    /// The pool of `authority`, with the signature's intermediates when it accepts them.
    fn pool_of<'p>(&self, authority: &'p CertificateAuthority) -> std::borrow::Cow<'p, CaPool> {
        if !self.intermediates.is_empty() && authority.accepts_signature_intermediates() {
            std::borrow::Cow::Owned(CaPool::with_untrusted(
                &authority.chain_der,
                authority.anchors,
                &self.intermediates,
            ))
        } else {
            authority.pool()
        }
    }

    /// Finds a path from this leaf to a trust anchor within one authority valid at `at`.
    pub fn chain(
        &self,
        authorities: &[CertificateAuthority],
        at: i64,
    ) -> Result<ValidPath, String> {
        let leaf = &self.cert;
        // Go `isValid` on the leaf: RFC 5280 §4.2, a critical extension not understood fails
        // the certificate (the SAN excepted, as cosign and sigstore-go except it).
        let unhandled: Vec<String> = unhandled_critical_extensions(leaf)
            .into_iter()
            .filter(|oid| oid != SAN_OID)
            .collect();
        if !unhandled.is_empty() {
            return Err(format!(
                "the signing certificate has a critical extension that is not understood ({}): \
                 RFC 5280 §4.2 requires rejecting it",
                unhandled.join(", ")
            ));
        }
        let validity = leaf.validity();
        let (not_before, not_after) = (
            validity.not_before.timestamp(),
            validity.not_after.timestamp(),
        );
        if !(not_before <= at && at <= not_after) {
            return Err(format!(
                "the signing certificate is valid from {} to {}, not at {}",
                rfc3339(not_before),
                rfc3339(not_after),
                self.when.describe(at)
            ));
        }
        // Deliberately stricter than Go's x509 (SECURITY.md): a CA certificate is not a signer.
        if matches!(leaf.basic_constraints(), Ok(Some(bc)) if bc.value.ca) {
            return Err("the signing certificate is a CA certificate, not an end entity".into());
        }
        if authorities.is_empty() {
            return Err("no certificate authority is trusted".into());
        }
        let mut reasons = Vec::new();
        for (index, authority) in authorities.iter().enumerate() {
            if !authority.valid_for.contains(at) {
                reasons.push(format!(
                    "CA {} is not trusted at {}",
                    authority.uri,
                    rfc3339(at)
                ));
                continue;
            }
            let pool = self.pool_of(authority);
            match self.path_in(&pool, at) {
                Ok(path) => {
                    let certs = &pool.certificates;
                    let pick = |i: usize| certs.get(i);
                    return Ok(ValidPath {
                        subjects: path
                            .iter()
                            .filter_map(|&i| pick(i).map(|c| c.subject.clone()))
                            .collect(),
                        issuer_spki_der: path
                            .first()
                            .and_then(|&i| pick(i))
                            .map(|c| c.spki_der.clone())
                            .unwrap_or_default(),
                        authority: index,
                        through_signature_intermediates: path
                            .iter()
                            .any(|&i| pick(i).is_some_and(|c| c.untrusted)),
                    });
                }
                Err(reason) => reasons.push(reason),
            }
        }
        reasons.dedup();
        Err(format!(
            "the signing certificate (issuer {}) does not chain to a trusted CA: {}",
            leaf.issuer(),
            reasons.join("; ")
        ))
    }

    /// The path (pool indexes, issuer first) from this leaf to an anchor of `pool`.
    fn path_in(&self, pool: &CaPool, at: i64) -> Result<Vec<usize>, String> {
        let certs = &pool.certificates;
        let leaf_issuer = self.cert.issuer();
        let named: Vec<usize> = (0..certs.len())
            .filter(|&i| certs[i].subject_raw.as_slice() == leaf_issuer.as_raw())
            .collect();
        if named.is_empty() {
            return Err(format!("no trusted certificate is named {leaf_issuer}"));
        }
        let signers: Vec<usize> = named
            .iter()
            .copied()
            .filter(|&i| self.signed_by(&certs[i].spki_der))
            .collect();
        if signers.is_empty() {
            return Err(format!(
                "the trusted certificate named {leaf_issuer} did not sign the signing \
                 certificate (its key does not verify the signature)"
            ));
        }
        let mut search = Search {
            pool,
            at,
            when: self.when,
            failures: Vec::new(),
        };
        let mut path = Vec::new();
        if search.extend(&signers, &mut path) {
            return Ok(path);
        }
        search.failures.dedup();
        Err(search.failures.join("; "))
    }

    /// The SPKI of the trusted certificate that signed this leaf, whatever the time (the SCT's
    /// issuer key hash names it even when the path is refused for its dates).
    pub fn issuer_spki(&self, authorities: &[CertificateAuthority]) -> Option<Vec<u8>> {
        let leaf_issuer = self.cert.issuer().as_raw();
        authorities.iter().find_map(|authority| {
            self.pool_of(authority)
                .certificates
                .iter()
                .find(|c| c.subject_raw.as_slice() == leaf_issuer && self.signed_by(&c.spki_der))
                .map(|c| c.spki_der.clone())
        })
    }

    /// The leaf may be used for code signing (Fulcio certificate profile; Go
    /// `checkChainForKeyUsage` with codeSigning requested).
    pub fn code_signing(&self) -> Result<String, String> {
        match (
            self.cert.extended_key_usage(),
            code_signing_refused(&self.cert),
        ) {
            (_, Some(reason)) => Err(format!("the certificate cannot sign code: {reason}")),
            (Ok(Some(eku)), None) if eku.value.code_signing => {
                Ok("codeSigning extended key usage".into())
            }
            (Ok(Some(_)), None) => Ok(
                "the extended key usage allows any usage (anyExtendedKeyUsage or empty), as \
                 cosign accepts"
                    .into(),
            ),
            // Go's x509 (and so cosign) treats a leaf without the extension as valid for any
            // usage; sigscope agrees, and says so.
            _ => Ok(
                "no extended key usage extension: any usage is allowed (as cosign accepts)".into(),
            ),
        }
    }
}

/// A depth-first search over candidate issuers, recording why each was refused.
struct Search<'p> {
    pool: &'p CaPool,
    at: i64,
    when: When,
    failures: Vec<String>,
}

impl Search<'_> {
    /// Tries each of `candidates` as the next issuer above `path`; true when a path reached an
    /// anchor (left in `path`).
    fn extend(&mut self, candidates: &[usize], path: &mut Vec<usize>) -> bool {
        for &c in candidates {
            if path.contains(&c) {
                continue;
            }
            let Some(cert) = self.pool.certificates.get(c) else {
                continue;
            };
            if let Some(reason) = self.refuse(cert, path.len()) {
                self.failures.push(reason);
                continue;
            }
            path.push(c);
            if cert.anchor {
                return true;
            }
            if path.len() > MAX_PATH_LENGTH {
                self.failures.push(format!(
                    "limit reached: no trust anchor within {MAX_PATH_LENGTH} certificates"
                ));
            } else if cert.issuers.iter().all(|i| path.contains(i)) {
                self.failures.push(format!(
                    "CA certificate {} is not a trust anchor, and no other certificate of the \
                     trust (or of the signature's chain) named {} signed it",
                    cert.subject, cert.issuer
                ));
            } else if self.extend(&cert.issuers, path) {
                return true;
            }
            path.pop();
        }
        false
    }

    /// Why `cert` cannot be the issuer above `below` CA certificates (Go `CheckSignatureFrom`,
    /// `isValid`, `checkChainForKeyUsage`), or `None`.
    fn refuse(&self, cert: &crate::trust::PoolCertificate, below: usize) -> Option<String> {
        let who = if cert.untrusted {
            format!("intermediate {} (from the signature's chain)", cert.subject)
        } else {
            format!("CA certificate {}", cert.subject)
        };
        // RFC 5280 §4.2.1.9 and §4.2.1.3: the issuer's key may sign certificates.
        if let Some(reason) = &cert.not_a_signer {
            return Some(format!("{who} cannot issue certificates: {reason}"));
        }
        // RFC 5280 §4.2: critical extensions must be understood.
        if !cert.unhandled_critical.is_empty() {
            return Some(format!(
                "{who} has a critical extension that is not understood ({})",
                cert.unhandled_critical.join(", ")
            ));
        }
        // Client spec: every certificate of the path is valid at the verified time.
        if !cert.valid_at(self.at) {
            return Some(format!(
                "{who} is valid from {} to {}, not at {}",
                rfc3339(cert.not_before),
                rfc3339(cert.not_after),
                self.when.describe(self.at)
            ));
        }
        // RFC 5280 §4.2.1.9: pathLenConstraint counts the intermediates below this CA.
        if let Some(max) = cert.max_path_len
            && below > max as usize
        {
            return Some(format!(
                "{who} allows {max} intermediate certificate(s) below it (path length \
                 constraint), and the path has {below}"
            ));
        }
        // Go `checkChainForKeyUsage`: every certificate of the path allows codeSigning.
        if let Some(reason) = &cert.not_for_code_signing {
            return Some(format!("{who} cannot be on a code-signing path: {reason}"));
        }
        None
    }
}

/// Finds a path from `leaf_der` to a trust anchor within one authority valid at `at`.
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

/// The leaf may be used for code signing (Fulcio certificate profile).
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
mod tests;
