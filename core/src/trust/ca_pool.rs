//! A CA's certificates parsed once: what path validation reads of each trusted certificate
//! (names, CA flag, key usage, path length, extended key usage, critical extensions, validity,
//! key), and the signatures among them (which certificates of the pool issued which, which are
//! self-signed), checked once per trusted root instead of once per verified signature. Only the
//! leaf's own signature is left to check per signature.
//!
//! The rules are Go's `crypto/x509` ones (cosign and sigstore-go build paths with
//! `x509.Verify`), each quoted where it is read.

use std::sync::OnceLock;

use x509_parser::prelude::{FromDer as _, X509Certificate};

/// Which certificates of a chain are trust anchors (where a path may end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anchors {
    /// sigstore-go `ParseCertificateAuthority`: the last certificate of a trusted root's
    /// `certChain` is the root, whatever it is — protobuf-specs allows a chain that ends at an
    /// intermediate (`CertificateAuthority.cert_chain`: "the root … MAY be omitted").
    #[default]
    LastOfChain,
    /// cosign's `SIGSTORE_ROOT_FILE` (`fulcioroots.initRoots`): every self-issued certificate
    /// (subject equal to issuer) is a root, the others are intermediates.
    SelfIssued,
}

/// One trusted certificate, as path validation reads it.
#[derive(Debug, Clone)]
pub struct PoolCertificate {
    /// The subject and issuer names' DER (names are compared byte for byte).
    pub subject_raw: Vec<u8>,
    pub issuer_raw: Vec<u8>,
    /// The subject as x509-parser displays it (the text reports quote).
    pub subject: String,
    /// The issuer as x509-parser displays it.
    pub issuer: String,
    /// Basic constraints `cA` set.
    pub is_ca: bool,
    /// Why this certificate's key may not verify certificate signatures (Go
    /// `CheckSignatureFrom`), or `None` when it may.
    pub not_a_signer: Option<String>,
    /// Basic constraints `pathLenConstraint`, when present.
    pub max_path_len: Option<u32>,
    /// Why its extended key usage excludes codeSigning, or `None` when it allows it.
    pub not_for_code_signing: Option<String>,
    /// Critical extensions Go's x509 does not handle (dotted OIDs).
    pub unhandled_critical: Vec<String>,
    pub not_before: i64,
    pub not_after: i64,
    /// The SubjectPublicKeyInfo DER.
    pub spki_der: Vec<u8>,
    /// Its issuer name is its subject and its own key verifies its signature.
    pub self_signed: bool,
    /// Every certificate of the pool (by index) named as its issuer whose key verifies its
    /// signature, in pool order.
    pub issuers: Vec<usize>,
    /// A trust anchor: a path may end here.
    pub anchor: bool,
    /// Given by the signature (cosign's `dev.sigstore.cosign/chain` annotation), not trusted.
    pub untrusted: bool,
}

impl PoolCertificate {
    pub fn valid_at(&self, at: i64) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// The first issuer in the pool (see [`PoolCertificate::issuers`]).
    pub fn issued_by(&self) -> Option<usize> {
        self.issuers.first().copied()
    }
}

/// Critical extensions Go's `x509` parser does not handle (`processExtensions`): anything but
/// key usage, basic constraints, subject alternative name, name constraints, CRL distribution
/// points, authority key identifier, policy constraints, extended key usage, certificate
/// policies, policy mappings and inhibit anyPolicy (2.5.29.{15,19,17,30,31,35,36,37,32,33,54}).
/// A critical subject key identifier or authority information access makes Go refuse the
/// certificate outright, so they count too. RFC 5280 §4.2: "A certificate-using system MUST
/// reject the certificate if it encounters a critical extension it does not recognize".
pub fn unhandled_critical_extensions(cert: &X509Certificate<'_>) -> Vec<String> {
    const HANDLED: &[&str] = &[
        "2.5.29.15",
        "2.5.29.19",
        "2.5.29.17",
        "2.5.29.30",
        "2.5.29.31",
        "2.5.29.35",
        "2.5.29.36",
        "2.5.29.37",
        "2.5.29.32",
        "2.5.29.33",
        "2.5.29.54",
    ];
    cert.extensions()
        .iter()
        .filter(|e| e.critical)
        .map(|e| e.oid.to_id_string())
        .filter(|oid| !HANDLED.contains(&oid.as_str()))
        .collect()
}

/// Go `checkChainForKeyUsage` with codeSigning requested: a certificate with no extended key
/// usage, an empty one, or one naming anyExtendedKeyUsage or codeSigning allows it.
pub fn code_signing_refused(cert: &X509Certificate<'_>) -> Option<String> {
    match cert.extended_key_usage() {
        Ok(None) => None,
        Ok(Some(eku)) => {
            let e = eku.value;
            let named = crate::artifact::certificate::extended_key_usage_names(e);
            (!(e.any || e.code_signing || named.is_empty())).then(|| {
                format!(
                    "its extended key usage ({}) does not include codeSigning",
                    named.join(", ")
                )
            })
        }
        Err(e) => Some(format!(
            "its extended key usage extension is malformed: {e}"
        )),
    }
}

/// Go `CheckSignatureFrom`: RFC 5280 §4.2.1.9, a version 3 certificate without basic
/// constraints, or with `cA` false, must not verify certificate signatures; §4.2.1.3, a key
/// usage without keyCertSign neither.
fn signer_refused(cert: &X509Certificate<'_>) -> Option<String> {
    match cert.basic_constraints() {
        Ok(Some(bc)) if !bc.value.ca => {
            return Some("it is not a CA (basic constraints cA is false)".into());
        }
        Ok(None) if cert.version().0 >= 2 => {
            return Some("it is not a CA (no basic constraints extension)".into());
        }
        Err(e) => return Some(format!("its basic constraints are malformed: {e}")),
        _ => {}
    }
    match cert.key_usage() {
        Ok(Some(ku)) if !ku.value.key_cert_sign() => {
            Some("its key usage does not include keyCertSign".into())
        }
        Err(e) => Some(format!("its key usage is malformed: {e}")),
        _ => None,
    }
}

/// The parseable certificates of one CA's chain, in the chain's order (unparseable ones are
/// left out, as path validation has always ignored them).
#[derive(Debug, Clone, Default)]
pub struct CaPool {
    pub certificates: Vec<PoolCertificate>,
}

impl CaPool {
    /// Parses `chain_der` and checks the signatures among its certificates.
    pub fn new(chain_der: &[Vec<u8>], anchors: Anchors) -> CaPool {
        CaPool::with_untrusted(chain_der, anchors, &[])
    }

    /// A pool of `chain_der` (trusted, anchors by `anchors`) and `untrusted_der`, intermediates
    /// a signature brings along (never anchors).
    pub fn with_untrusted(
        chain_der: &[Vec<u8>],
        anchors: Anchors,
        untrusted_der: &[Vec<u8>],
    ) -> CaPool {
        let parsed: Vec<(X509Certificate<'_>, bool)> = chain_der
            .iter()
            .map(|d| (d, false))
            .chain(untrusted_der.iter().map(|d| (d, true)))
            .filter_map(|(d, u)| X509Certificate::from_der(d).ok().map(|(_, c)| (c, u)))
            .collect();
        let trusted = parsed.iter().filter(|(_, u)| !u).count();
        let certificates = parsed
            .iter()
            .enumerate()
            .map(|(index, (cert, untrusted))| {
                let validity = cert.validity();
                let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();
                let anchor = !untrusted
                    && match anchors {
                        Anchors::LastOfChain => index + 1 == trusted,
                        Anchors::SelfIssued => self_issued,
                    };
                PoolCertificate {
                    subject_raw: cert.subject().as_raw().to_vec(),
                    issuer_raw: cert.issuer().as_raw().to_vec(),
                    subject: cert.subject().to_string(),
                    issuer: cert.issuer().to_string(),
                    is_ca: matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca),
                    not_a_signer: signer_refused(cert),
                    max_path_len: match cert.basic_constraints() {
                        Ok(Some(bc)) => bc.value.path_len_constraint,
                        _ => None,
                    },
                    not_for_code_signing: code_signing_refused(cert),
                    unhandled_critical: unhandled_critical_extensions(cert),
                    not_before: validity.not_before.timestamp(),
                    not_after: validity.not_after.timestamp(),
                    spki_der: cert.public_key().raw.to_vec(),
                    self_signed: self_issued && cert.verify_signature(None).is_ok(),
                    issuers: parsed
                        .iter()
                        .enumerate()
                        .filter(|(_, (c, _))| {
                            c.subject().as_raw() == cert.issuer().as_raw()
                                && cert.verify_signature(Some(c.public_key())).is_ok()
                        })
                        .map(|(i, _)| i)
                        .collect(),
                    anchor,
                    untrusted: *untrusted,
                }
            })
            .collect();
        CaPool { certificates }
    }
}

/// A pool made on first use and kept, with the chain it was made from.
#[derive(Debug, Clone, Default)]
pub struct PoolCache(OnceLock<(Vec<Vec<u8>>, CaPool)>);

impl PoolCache {
    /// The pool of `chain_der`: the kept one when it was made from this very chain (the chain is
    /// a public field and may have been replaced since), else a fresh one.
    pub fn pool(&self, chain_der: &[Vec<u8>], anchors: Anchors) -> std::borrow::Cow<'_, CaPool> {
        let (chain, pool) = self
            .0
            .get_or_init(|| (chain_der.to_vec(), CaPool::new(chain_der, anchors)));
        if chain.as_slice() == chain_der {
            std::borrow::Cow::Borrowed(pool)
        } else {
            std::borrow::Cow::Owned(CaPool::new(chain_der, anchors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::VirtualSigstore;

    #[test]
    fn the_fixture_chain_links_intermediate_to_self_signed_root() {
        let s = VirtualSigstore::new("pool", 1_700_000_000).unwrap();
        let chain = vec![s.ca.intermediate.der.clone(), s.ca.root.der.clone()];
        let pool = CaPool::new(&chain, Anchors::LastOfChain);
        let [intermediate, root] = pool.certificates.as_slice() else {
            panic!("two certificates expected: {pool:?}");
        };
        assert_eq!(intermediate.issuers, [1]);
        assert!(!intermediate.self_signed && intermediate.is_ca && !intermediate.anchor);
        assert_eq!(root.issued_by(), Some(1));
        assert!(root.self_signed && root.is_ca && root.anchor);
        assert!(root.not_a_signer.is_none() && root.unhandled_critical.is_empty());
        assert_eq!(intermediate.max_path_len, Some(0));
        assert_eq!(
            intermediate.spki_der,
            s.ca.intermediate.key.spki_der().unwrap()
        );
        // Swapped order: indexes follow the chain; garbage is left out; the last parsed
        // certificate is the anchor.
        let swapped = CaPool::new(
            &[chain[1].clone(), b"junk".to_vec(), chain[0].clone()],
            Anchors::LastOfChain,
        );
        assert_eq!(swapped.certificates.len(), 2);
        assert_eq!(swapped.certificates[1].issued_by(), Some(0));
        assert!(swapped.certificates[1].anchor && !swapped.certificates[0].anchor);
        // cosign's root file: the self-issued certificate is the root, wherever it is.
        let file = CaPool::new(&[chain[1].clone(), chain[0].clone()], Anchors::SelfIssued);
        assert!(file.certificates[0].anchor && !file.certificates[1].anchor);
        // Untrusted intermediates join the pool but never anchor it.
        let with = CaPool::with_untrusted(&chain[1..], Anchors::LastOfChain, &chain[..1]);
        assert!(with.certificates[1].untrusted && !with.certificates[1].anchor);
        assert_eq!(with.certificates[1].issuers, [0]);
        // A cache made from one chain is not used for another.
        let cache = PoolCache::default();
        let anchors = Anchors::LastOfChain;
        assert_eq!(cache.pool(&chain, anchors).certificates.len(), 2);
        assert_eq!(cache.pool(&chain[..1], anchors).certificates.len(), 1);
        assert!(matches!(
            cache.pool(&chain, anchors),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
