//! Authentic timestamp (`trust-store-trust-policy.md`, "Validate Authentic Timestamp" and
//! "Timestamp Countersignature Verification details"). Under `notary.x509`, the RFC 3161
//! countersignature is verified when the statement names a `tsa` store and `verifyTimestamp`
//! is `always` (or `afterCertExpiry` with a certificate of the chain expired); its time range
//! must then lie within every certificate's validity. Without it the chain must be valid now.
//! Under `notary.x509.signingAuthority` the signed authentic signing time must.

use der::Sequence;
use der::asn1::{ObjectIdentifier, OctetString};
use spki::AlgorithmIdentifierOwned;

use super::certchain::{ChainCert, MAX_CHAIN, Purpose, parse_chain, validate_chain};
use super::{Failure, SCHEME_X509_SIGNING_AUTHORITY};
use crate::artifact::encoding::rfc3339;
use crate::artifact::notation::Envelope;
use crate::trust::notation::{Statement, StoreKind, TrustStore, VerifyTimestamp};
use crate::verify::key::HashAlgorithm;
use crate::verify::timestamp::open_token;

/// RFC 5035 `id-aa-signingCertificateV2`.
const SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// RFC 3628 baseline time-stamp policy: one second of accuracy when none is given.
const BASELINE_POLICY: &str = "0.4.0.2023.1.1";

#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

#[derive(Sequence)]
struct EssCertIdV2 {
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    /// Parsed to read the SEQUENCE; the signer is found by the SignerInfo's identifier.
    #[allow(dead_code)]
    issuer_serial: Option<der::Any>,
}

/// The authentic timestamp validation.
pub fn check(
    statement: &Statement,
    store: &TrustStore,
    envelope: &Envelope,
    chain: &[ChainCert],
    now: i64,
) -> Result<String, Failure> {
    if envelope.signing_scheme.as_deref() == Some(SCHEME_X509_SIGNING_AUTHORITY) {
        let at = envelope
            .authentic_signing_time
            .as_ref()
            .ok_or_else(|| Failure::new("the authentic signing time is missing"))?;
        within(chain, at.unix, at.unix, "the authentic signing time")?;
        return Ok(format!(
            "the authentic signing time {} is within the chain's validity",
            at.text
        ));
    }
    let tsa = statement
        .trust_stores
        .iter()
        .any(|r| r.kind == StoreKind::Tsa);
    let expired = chain.iter().find(|c| c.not_after() < now);
    let why_not = match (tsa, statement.verify_timestamp, expired) {
        (false, _, _) => Some("no tsa trust store in the statement"),
        (true, VerifyTimestamp::AfterCertExpiry, None) => {
            Some("verifyTimestamp afterCertExpiry and no certificate has expired")
        }
        _ => None,
    };
    if let Some(why) = why_not {
        // Without timestamp verification the chain must be valid at verification time.
        within(chain, now, now, "the verification time")?;
        return Ok(format!(
            "timestamp not verified ({why}); the chain is valid at {}",
            rfc3339(now)
        ));
    }
    let token = envelope.timestamp.as_deref().ok_or_else(|| {
        Failure::mismatch(
            "no timestamp countersignature was found in the signature envelope",
            "an RFC 3161 timestamp countersignature (the statement names a tsa store)",
            match expired {
                Some(c) => format!(
                    "none, and {:?} expired at {}",
                    c.subject,
                    rfc3339(c.not_after())
                ),
                None => "none".to_owned(),
            },
        )
    })?;
    let roots: Vec<&[u8]> = statement
        .trust_stores
        .iter()
        .filter(|r| r.kind == StoreKind::Tsa)
        .map(|r| store.certificates(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::new(format!("the tsa trust store: {e}")))?
        .into_iter()
        .flatten()
        .map(|c| c.der.as_slice())
        .collect();
    let (lo, hi, tsa_subject) = countersignature(token, &envelope.signature, &roots)
        .map_err(|e| Failure::new(format!("the timestamp countersignature: {e}")))?;
    within(chain, lo, hi, "the timestamp")?;
    Ok(format!(
        "timestamped by {tsa_subject:?} within [{}, {}], inside the chain's validity",
        rfc3339(lo),
        rfc3339(hi)
    ))
}

/// Every certificate of the chain is valid over `[lo, hi]`.
fn within(chain: &[ChainCert], lo: i64, hi: i64, what: &str) -> Result<(), Failure> {
    for c in chain {
        if lo < c.not_before() || hi > c.not_after() {
            return Err(Failure::mismatch(
                format!(
                    "{what} is outside the validity of certificate {:?}",
                    c.subject
                ),
                format!(
                    "within [{}, {}]",
                    rfc3339(c.not_before()),
                    rfc3339(c.not_after())
                ),
                if lo == hi {
                    rfc3339(lo)
                } else {
                    format!("[{}, {}]", rfc3339(lo), rfc3339(hi))
                },
            ));
        }
    }
    Ok(())
}

/// Verifies the countersignature as notation (tspclient-go) does: the imprint is the hash of
/// the envelope's signature, the signingCertificateV2 attribute names the signer certificate
/// in the token, the CMS signature verifies with it, it chains through the token's certificates
/// to a root of the `tsa` stores valid at genTime, and the chain meets the timestamping
/// certificate rules. Returns the time range (genTime ± accuracy) and the TSA's subject.
fn countersignature(
    token_der: &[u8],
    signature: &[u8],
    roots: &[&[u8]],
) -> Result<(i64, i64, String), String> {
    if roots.is_empty() {
        return Err("no trusted TSA certificate is in the tsa trust store".into());
    }
    let token = open_token(token_der, signature).map_err(|e| e.to_string())?;
    let attr = token
        .signed_attribute(SIGNING_CERTIFICATE_V2)
        .ok_or("the signingCertificateV2 attribute is missing")?;
    let v2: SigningCertificateV2 = attr
        .decode_as()
        .map_err(|e| format!("malformed signingCertificateV2: {e}"))?;
    let id = v2
        .certs
        .first()
        .ok_or("signingCertificateV2 names no certificate")?;
    let embedded = &token.view.certificates;
    let signer = embedded
        .iter()
        .find(|der| token.names_signer(der))
        .ok_or("the signing certificate is not in the timestamp token")?;
    let hash = match id
        .hash_algorithm
        .as_ref()
        .map(|a| a.oid.to_string())
        .as_deref()
    {
        None | Some("2.16.840.1.101.3.4.2.1") => HashAlgorithm::Sha256,
        Some("2.16.840.1.101.3.4.2.2") => HashAlgorithm::Sha384,
        Some("2.16.840.1.101.3.4.2.3") => HashAlgorithm::Sha512,
        Some(other) => {
            return Err(format!(
                "signingCertificateV2 uses unsupported hash {other}"
            ));
        }
    };
    if hash.digest(signer) != id.cert_hash.as_bytes() {
        return Err(
            "the signing certificate does not match the hash in signingCertificateV2".into(),
        );
    }
    token.signature_by(signer)?;
    let gen_time = token.view.gen_time;
    let path = build_path(signer, embedded, roots, gen_time)?;
    let chain = parse_chain(&path)?;
    validate_chain(&chain, Purpose::Timestamping)
        .map_err(|e| format!("the timestamping chain is invalid: {e}"))?;
    if let Some((c, sources)) = chain
        .iter()
        .map(|c| (c, c.revocation_sources()))
        .find(|(_, s)| !s.is_empty())
    {
        return Err(format!(
            "revocation of timestamping certificate {:?} ({}) not checked (offline)",
            c.subject,
            sources.join(", ")
        ));
    }
    let micros = match token.view.accuracy_micros {
        Some(m) if m > 0 => m,
        _ if token.view.policy == BASELINE_POLICY => 1_000_000,
        _ => 0,
    };
    let slack = i64::try_from(micros.div_ceil(1_000_000)).unwrap_or(i64::MAX);
    let subject = chain[0].subject.clone();
    Ok((
        gen_time.saturating_sub(slack),
        gen_time.saturating_add(slack),
        subject,
    ))
}

/// The path from the TSA's certificate to a trusted root through the token's certificates (Go's
/// `x509.Verify` with the store as roots), every certificate valid at `at` and allowing
/// timeStamping when it restricts extended key usage.
fn build_path(
    signer: &[u8],
    intermediates: &[Vec<u8>],
    roots: &[&[u8]],
    at: i64,
) -> Result<Vec<Vec<u8>>, String> {
    let mut path = vec![signer.to_vec()];
    for _ in 0..MAX_CHAIN {
        let current = parse_chain(&path[path.len() - 1..])?;
        let cert = &current[0];
        if at < cert.not_before() || at > cert.not_after() {
            return Err(format!(
                "certificate {:?} is valid from {} to {}, not at genTime {}",
                cert.subject,
                rfc3339(cert.not_before()),
                rfc3339(cert.not_after()),
                rfc3339(at)
            ));
        }
        if let Ok(Some(eku)) = cert.cert.extended_key_usage()
            && !(eku.value.time_stamping || eku.value.any)
        {
            return Err(format!(
                "certificate {:?} does not allow timeStamping",
                cert.subject
            ));
        }
        if roots.contains(&cert.der) {
            return Ok(path);
        }
        let issuer = roots
            .iter()
            .copied()
            .chain(intermediates.iter().map(Vec::as_slice))
            .find(|der| {
                der != &cert.der
                    && x509_parser::parse_x509_certificate(der).is_ok_and(|(_, p)| {
                        p.subject().as_raw() == cert.cert.issuer().as_raw()
                            && cert.cert.verify_signature(Some(p.public_key())).is_ok()
                    })
            })
            .ok_or_else(|| {
                format!(
                    "certificate {:?} does not chain to a root of the tsa trust store",
                    cert.subject
                )
            })?;
        path.push(issuer.to_vec());
    }
    Err(format!(
        "limit reached: no trusted root within {MAX_CHAIN} certificates"
    ))
}
