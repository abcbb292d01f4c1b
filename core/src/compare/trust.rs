//! The compared builds against the trusted root in force: which signing certificates a CA of
//! that root issued. Information beside the matrix, never an outlier by itself (a repository
//! signed through GitHub's or a private Sigstore is consistent, whatever root is chosen).

use super::{Matrix, Signer};
use crate::trust::TrustedRoot;
use crate::verify::chain::issuer_spki;

/// Sets each signed row's `certificate_authority_trusted`: whether the certificate's issuer is a
/// certificate of one of `trust`'s CAs (at any time; `verify` checks the time too).
pub fn mark_trusted_authorities(matrix: &mut Matrix, trust: &TrustedRoot) {
    let trusted = |signer: Option<&Signer>| {
        signer
            .filter(|s| !s.certificate.is_empty())
            .map(|s| issuer_spki(&s.certificate, &trust.certificate_authorities).is_some())
    };
    for row in &mut matrix.rows {
        row.certificate_authority_trusted = trusted(row.signer.as_ref());
        for signature in &mut row.signatures {
            signature.certificate_authority_trusted = trusted(signature.signer.as_ref());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Row;

    #[test]
    fn a_certificate_is_trusted_only_under_the_root_of_its_ca() {
        let mut sigstore = crate::fixture::VirtualSigstore::new("compare", 1_700_000_000).unwrap();
        let own = TrustedRoot::from_json(
            "fixture",
            &serde_json::to_vec(&sigstore.trusted_root().unwrap()).unwrap(),
        )
        .unwrap();
        let identity = crate::fixture::Identity::email("a@example.com", "https://issuer.example");
        let leaf = sigstore
            .sign(&identity, b"payload", 1_700_000_100, Default::default())
            .unwrap()
            .certificate;
        let row = |certificate: Vec<u8>| Row {
            tag: "v1".into(),
            digest: None,
            signatures: Vec::new(),
            signer: Some(Signer {
                certificate,
                ..Signer::default()
            }),
            key_signed: false,
            outliers: Vec::new(),
            notes: Vec::new(),
            certificate_authority_trusted: None,
        };
        let mut matrix = Matrix {
            rows: vec![row(leaf.clone()), row(Vec::new())],
            majority: Default::default(),
        };
        mark_trusted_authorities(&mut matrix, &own);
        assert_eq!(matrix.rows[0].certificate_authority_trusted, Some(true));
        assert_eq!(matrix.rows[1].certificate_authority_trusted, None);
        let public = TrustedRoot::public_good().unwrap();
        mark_trusted_authorities(&mut matrix, &public);
        assert_eq!(matrix.rows[0].certificate_authority_trusted, Some(false));
    }
}
