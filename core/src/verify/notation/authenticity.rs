//! Authenticity (`trust-store-trust-policy.md`, "Validate Authenticity"): the envelope's chain
//! leads to a certificate of a named store of the kind the signing scheme calls for (`ca` for
//! `notary.x509`, `signingAuthority` for `notary.x509.signingAuthority`), compared byte for
//! byte as notation-core-go's `VerifyAuthenticity` does; then the signing certificate's subject
//! matches a trusted identity.

use super::certchain::ChainCert;
use super::{Failure, SCHEME_X509_SIGNING_AUTHORITY};
use crate::trust::notation::dn::Dn;
use crate::trust::notation::{Statement, StoreKind, TrustStore, TrustedIdentity};

/// The chain reaches a trusted certificate of the statement's stores.
pub fn check_store(
    statement: &Statement,
    store: &TrustStore,
    scheme: &str,
    chain: &[ChainCert],
) -> Result<String, Failure> {
    let kind = if scheme == SCHEME_X509_SIGNING_AUTHORITY {
        StoreKind::SigningAuthority
    } else {
        StoreKind::Ca
    };
    let refs: Vec<_> = statement
        .trust_stores
        .iter()
        .filter(|r| r.kind == kind)
        .collect();
    let named = refs
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut trusted = Vec::new();
    for r in &refs {
        let certs = store.certificates(r).map_err(Failure::new)?;
        trusted.extend(certs.iter().map(|c| (*r, c)));
    }
    if trusted.is_empty() {
        return Err(Failure::new(format!(
            "the statement names no {} trust store, which signing scheme {scheme} needs",
            kind.dir_name()
        )));
    }
    for cert in chain {
        if let Some((r, c)) = trusted.iter().find(|(_, c)| c.der == cert.der) {
            return Ok(format!(
                "the chain reaches {:?}, in trust store {r} ({})",
                c.subject, c.file
            ));
        }
    }
    Err(Failure::mismatch(
        "no certificate of the chain is in the trust store",
        format!(
            "one of {} ({})",
            named,
            trusted
                .iter()
                .map(|(_, c)| c.subject.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        chain
            .iter()
            .map(|c| c.subject.as_str())
            .collect::<Vec<_>>()
            .join(" <- "),
    ))
}

/// The signing certificate's subject matches a trusted identity (`x509.subject` attributes all
/// present with the same values; `*` trusts any).
pub fn check_identity(statement: &Statement, leaf: &ChainCert) -> Result<String, Failure> {
    if statement
        .trusted_identities
        .iter()
        .any(|i| matches!(i, TrustedIdentity::Any))
    {
        return Ok("trusted identities \"*\": any certificate from the trust store".into());
    }
    let subjects: Vec<(&String, &Dn)> = statement
        .trusted_identities
        .iter()
        .filter_map(|i| match i {
            TrustedIdentity::X509Subject { text, dn } => Some((text, dn)),
            _ => None,
        })
        .collect();
    if subjects.is_empty() {
        return Err(Failure::new(format!(
            "statement {:?} has no x509.subject trusted identity, the only kind notation matches",
            statement.name
        )));
    }
    let expected = subjects
        .iter()
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join(" | ");
    let dn = Dn::of_certificate(leaf.der).map_err(|e| {
        Failure::mismatch(
            format!("the signing certificate's subject cannot be matched: {e}"),
            expected.clone(),
            leaf.subject.clone(),
        )
    })?;
    match subjects.iter().find(|(_, d)| d.is_subset_of(&dn)) {
        Some((text, _)) => Ok(format!("{:?} matches {text}", leaf.subject)),
        None => Err(Failure::mismatch(
            "the signing certificate's subject matches none of the trusted identities",
            expected,
            leaf.subject.clone(),
        )),
    }
}
