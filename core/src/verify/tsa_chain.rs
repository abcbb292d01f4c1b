//! The timestamp authority's certificate path: from the certificate that signed a token to the
//! root of a trusted root's `timestampAuthorities[].certChain` (leaf first, root last), as
//! timestamp-authority `pkg/verification` checks it with Go's `x509.Verify`: issuer names and
//! signatures, CA flags on issuers, every certificate valid at genTime, and the signer's
//! extended key usage timeStamping (RFC 3161 §2.3).

use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::artifact::certificate::rfc4514_from_der;
use crate::artifact::encoding;

/// The longest TSA path followed (a budget on untrusted input).
pub const MAX_DEPTH: usize = 8;

/// Why a TSA certificate path did not verify (lowercase, quoting the certificate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError(pub String);

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, ChainError> {
    X509Certificate::from_der(der)
        .map(|(_, cert)| cert)
        .map_err(|e| ChainError(format!("malformed certificate: {e}")))
}

/// The SubjectPublicKeyInfo DER of a certificate.
pub fn public_key(der: &[u8]) -> Result<Vec<u8>, String> {
    parse(der)
        .map(|c| c.public_key().raw.to_vec())
        .map_err(|ChainError(e)| e)
}

/// The subject as RFC 4514 text.
pub fn subject(der: &[u8]) -> String {
    parse(der)
        .ok()
        .and_then(|c| rfc4514_from_der(c.subject().as_raw()))
        .unwrap_or_else(|| "undecodable subject".to_owned())
}

fn valid_at(cert: &X509Certificate<'_>, at: i64) -> Result<(), ChainError> {
    let (nb, na) = (
        cert.validity().not_before.timestamp(),
        cert.validity().not_after.timestamp(),
    );
    if at < nb || at > na {
        return Err(ChainError(format!(
            "certificate {:?} is valid from {} to {}, not at {}",
            subject(cert.as_ref()),
            encoding::rfc3339(nb),
            encoding::rfc3339(na),
            encoding::rfc3339(at)
        )));
    }
    Ok(())
}

/// Verifies that `signer_der` chains to the last certificate of `chain_der` through the
/// others, at time `at`, and may sign timestamps.
pub fn verify(signer_der: &[u8], chain_der: &[Vec<u8>], at: i64) -> Result<(), ChainError> {
    let anchor = chain_der
        .last()
        .ok_or_else(|| ChainError("the authority has an empty certificate chain".to_owned()))?;
    let signer = parse(signer_der)?;
    // RFC 3161 §2.3: the TSA's certificate carries the timeStamping extended key usage.
    let time_stamping = match signer.extended_key_usage() {
        Ok(Some(eku)) => eku.value.time_stamping,
        Ok(None) => false,
        Err(e) => return Err(ChainError(format!("malformed extended key usage: {e}"))),
    };
    if !time_stamping {
        return Err(ChainError(format!(
            "certificate {:?} lacks the timeStamping extended key usage",
            subject(signer_der)
        )));
    }
    let mut current_der: &[u8] = signer_der;
    for _ in 0..MAX_DEPTH {
        let current = parse(current_der)?;
        // x509.Verify with CurrentTime = genTime: every certificate on the path is valid then.
        valid_at(&current, at)?;
        if current_der == anchor.as_slice() {
            return Ok(());
        }
        let issuer = chain_der.iter().find_map(|der| {
            let candidate = parse(der).ok()?;
            let named = candidate.subject().as_raw() == current.issuer().as_raw();
            let signed = current
                .verify_signature(Some(candidate.public_key()))
                .is_ok();
            (named && signed && der.as_slice() != current_der).then_some(der.as_slice())
        });
        let Some(issuer_der) = issuer else {
            return Err(ChainError(format!(
                "certificate {:?} (issuer {:?}) does not chain to the authority's root {:?}",
                subject(current_der),
                rfc4514_from_der(current.issuer().as_raw()).unwrap_or_default(),
                subject(anchor)
            )));
        };
        // RFC 5280 §4.2.1.9: issuers are CAs.
        let issuer = parse(issuer_der)?;
        if !issuer.is_ca() {
            return Err(ChainError(format!(
                "issuer {:?} is not a CA",
                subject(issuer_der)
            )));
        }
        current_der = issuer_der;
    }
    Err(ChainError(format!(
        "path longer than {MAX_DEPTH} certificates"
    )))
}
