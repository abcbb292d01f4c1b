//! A CA's certificates parsed once: what path validation reads of each trusted certificate
//! (names, CA flag, validity, key), and the signatures among them (which certificate of the pool
//! issued which, which are self-signed), checked once per trusted root instead of once per
//! verified signature. Only the leaf's own signature is left to check per signature.

use std::sync::OnceLock;

use x509_parser::prelude::{FromDer as _, X509Certificate};

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
    pub not_before: i64,
    pub not_after: i64,
    /// The validity bounds as x509-parser displays them.
    pub not_before_text: String,
    pub not_after_text: String,
    /// The SubjectPublicKeyInfo DER.
    pub spki_der: Vec<u8>,
    /// Its issuer name is its subject and its own key verifies its signature.
    pub self_signed: bool,
    /// The first certificate of the pool (by index) named as its issuer whose key verifies its
    /// signature.
    pub issued_by: Option<usize>,
}

impl PoolCertificate {
    pub fn valid_at(&self, at: i64) -> bool {
        self.not_before <= at && at <= self.not_after
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
    pub fn new(chain_der: &[Vec<u8>]) -> CaPool {
        let parsed: Vec<X509Certificate<'_>> = chain_der
            .iter()
            .filter_map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
            .collect();
        let certificates = parsed
            .iter()
            .map(|cert| {
                let validity = cert.validity();
                PoolCertificate {
                    subject_raw: cert.subject().as_raw().to_vec(),
                    issuer_raw: cert.issuer().as_raw().to_vec(),
                    subject: cert.subject().to_string(),
                    issuer: cert.issuer().to_string(),
                    is_ca: matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca),
                    not_before: validity.not_before.timestamp(),
                    not_after: validity.not_after.timestamp(),
                    not_before_text: validity.not_before.to_string(),
                    not_after_text: validity.not_after.to_string(),
                    spki_der: cert.public_key().raw.to_vec(),
                    self_signed: cert.subject().as_raw() == cert.issuer().as_raw()
                        && cert.verify_signature(None).is_ok(),
                    issued_by: parsed.iter().position(|c| {
                        c.subject().as_raw() == cert.issuer().as_raw()
                            && cert.verify_signature(Some(c.public_key())).is_ok()
                    }),
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
    pub fn pool(&self, chain_der: &[Vec<u8>]) -> std::borrow::Cow<'_, CaPool> {
        let (chain, pool) = self
            .0
            .get_or_init(|| (chain_der.to_vec(), CaPool::new(chain_der)));
        if chain.as_slice() == chain_der {
            std::borrow::Cow::Borrowed(pool)
        } else {
            std::borrow::Cow::Owned(CaPool::new(chain_der))
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
        let pool = CaPool::new(&chain);
        let [intermediate, root] = pool.certificates.as_slice() else {
            panic!("two certificates expected: {pool:?}");
        };
        assert_eq!(intermediate.issued_by, Some(1));
        assert!(!intermediate.self_signed && intermediate.is_ca);
        assert_eq!(root.issued_by, Some(1));
        assert!(root.self_signed && root.is_ca);
        assert_eq!(
            intermediate.spki_der,
            s.ca.intermediate.key.spki_der().unwrap()
        );
        // Swapped order: indexes follow the chain; garbage is left out.
        let swapped = CaPool::new(&[chain[1].clone(), b"junk".to_vec(), chain[0].clone()]);
        assert_eq!(swapped.certificates.len(), 2);
        assert_eq!(swapped.certificates[1].issued_by, Some(0));
        // A cache made from one chain is not used for another.
        let cache = PoolCache::default();
        assert_eq!(cache.pool(&chain).certificates.len(), 2);
        assert_eq!(cache.pool(&chain[..1]).certificates.len(), 1);
        assert!(matches!(cache.pool(&chain), std::borrow::Cow::Borrowed(_)));
    }
}
