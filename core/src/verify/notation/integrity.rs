//! Integrity (`trust-store-trust-policy.md`, "Validate Integrity", and `signing-scheme.md`):
//! the envelope's headers follow their rules, the signature algorithm is the one the signing
//! certificate's key calls for, the signature verifies over the envelope with that key, the
//! chain is well formed, and the payload is a Notary Project payload naming this very manifest.

use serde::Deserialize;

use super::certchain::{ChainCert, Purpose, key_algorithm, parse_chain, validate_chain};
use super::{Failure, SCHEME_X509, SCHEME_X509_SIGNING_AUTHORITY};
use crate::artifact::notation::{Envelope, EnvelopeFormat, PAYLOAD_MEDIA_TYPE, label};
use crate::verify::key::{HashAlgorithm, PublicKey, RsaPadding};

/// Checks everything integrity covers but the subject; returns the parsed chain.
pub fn check(envelope: &Envelope) -> Result<(Vec<ChainCert<'_>>, String), Failure> {
    check_headers(envelope)?;
    let algorithm = envelope.algorithm.as_deref().unwrap_or_default();
    if !matches!(
        algorithm,
        "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512"
    ) {
        return Err(Failure::mismatch(
            "the signature algorithm is not one the Notary Project allows",
            "PS256, PS384, PS512, ES256, ES384 or ES512",
            envelope
                .algorithm
                .clone()
                .unwrap_or_else(|| "(none)".into()),
        ));
    }
    if envelope.content_type.as_deref() != Some(PAYLOAD_MEDIA_TYPE) {
        return Err(Failure::mismatch(
            "the payload content type is not supported",
            PAYLOAD_MEDIA_TYPE,
            envelope
                .content_type
                .clone()
                .unwrap_or_else(|| "(none)".into()),
        ));
    }
    if envelope.payload.is_empty() {
        return Err(Failure::new("the envelope has no payload"));
    }
    if envelope.signature.is_empty() {
        return Err(Failure::new("the envelope has no signature"));
    }
    let chain = parse_chain(&envelope.certificates).map_err(Failure::new)?;
    let leaf = &chain[0];
    // Integrity step iv: the algorithm follows from the signing certificate's key.
    let wanted = key_algorithm(leaf).map_err(Failure::new)?;
    if wanted != algorithm {
        return Err(Failure::mismatch(
            "the envelope's algorithm is not the one the signing certificate's key calls for",
            wanted,
            algorithm,
        ));
    }
    // Integrity step v: the signature verifies with the signing certificate's key.
    let key = PublicKey::from_spki_der(leaf.cert.public_key().raw)
        .map_err(|e| Failure::new(e.to_string()))?;
    if !verify_signature(
        &key,
        algorithm,
        &envelope.signing_input,
        &envelope.signature,
    ) {
        return Err(Failure::new(format!(
            "the {} signature does not verify over the envelope with the key of {:?}",
            envelope.format.name(),
            leaf.subject
        )));
    }
    validate_chain(&chain, Purpose::CodeSigning)
        .map_err(|e| Failure::new(format!("the certificate chain is invalid: {e}")))?;
    let detail = format!(
        "{} envelope, {algorithm} signature by {:?} verifies; chain of {} certificates well formed; {}",
        envelope.format.name(),
        leaf.subject,
        chain.len(),
        envelope.signing_scheme.as_deref().unwrap_or_default()
    );
    Ok((chain, detail))
}

/// `signing-scheme.md` and the envelope specs' header rules (notation-core-go
/// `validateProtectedHeaders`, `validateCriticalHeaders`, `validateSigningAndExpiryTime`).
fn check_headers(e: &Envelope) -> Result<(), Failure> {
    let scheme = e.signing_scheme.as_deref().unwrap_or_default();
    match scheme {
        SCHEME_X509 => {
            if e.authentic_signing_time.is_some() {
                return Err(Failure::new(format!(
                    "{} must not be present under signing scheme {SCHEME_X509}",
                    label::AUTHENTIC_SIGNING_TIME
                )));
            }
            if e.signing_time.is_none() {
                return Err(Failure::new(format!("{} is missing", label::SIGNING_TIME)));
            }
        }
        SCHEME_X509_SIGNING_AUTHORITY => {
            if e.signing_time.is_some() && e.format == EnvelopeFormat::Jws {
                return Err(Failure::new(format!(
                    "{} must not be present under signing scheme {SCHEME_X509_SIGNING_AUTHORITY}",
                    label::SIGNING_TIME
                )));
            }
            if e.authentic_signing_time.is_none() {
                return Err(Failure::new(format!(
                    "{} is missing under signing scheme {SCHEME_X509_SIGNING_AUTHORITY}",
                    label::AUTHENTIC_SIGNING_TIME
                )));
            }
        }
        _ => {
            return Err(Failure::mismatch(
                "unsupported signing scheme",
                format!("{SCHEME_X509} or {SCHEME_X509_SIGNING_AUTHORITY}"),
                if scheme.is_empty() { "(none)" } else { scheme },
            ));
        }
    }
    let Some(critical) = &e.critical else {
        return Err(Failure::new("the protected header has no \"crit\" list"));
    };
    let mut must = vec![label::SIGNING_SCHEME];
    if e.expiry.is_some() {
        must.push(label::EXPIRY);
    }
    if scheme == SCHEME_X509_SIGNING_AUTHORITY {
        must.push(label::AUTHENTIC_SIGNING_TIME);
    }
    let unmarked: Vec<&str> = must
        .into_iter()
        .filter(|m| !critical.iter().any(|c| c == m))
        .collect();
    if !unmarked.is_empty() {
        return Err(Failure::mismatch(
            "headers the spec requires to be critical are not marked so",
            unmarked.join(", "),
            format!("crit: {}", critical.join(", ")),
        ));
    }
    for c in critical {
        // A listed header must be there (notation-go: a must-be-critical one, or an extended
        // attribute; go-cose: any protected label).
        let present = match c.as_str() {
            label::SIGNING_SCHEME => e.signing_scheme.is_some(),
            label::EXPIRY => e.expiry.is_some(),
            label::AUTHENTIC_SIGNING_TIME => e.authentic_signing_time.is_some(),
            // COSE only: JWS lists no header of its own spec, nor signingTime, in crit.
            label::SIGNING_TIME => e.format == EnvelopeFormat::Cose && e.signing_time.is_some(),
            "1" | "3" => e.format == EnvelopeFormat::Cose,
            other => e.extended.iter().any(|x| x.label == other),
        };
        if !present {
            return Err(Failure::new(format!(
                "header {c:?} is marked critical but not present"
            )));
        }
    }
    // A critical header sigscope does not understand must fail the signature (RFC 7515 §4.1.11,
    // RFC 9052 §3.1); notation hands such headers to a verification plugin.
    if let Some(x) = e.extended.iter().find(|x| x.critical) {
        let reason = if x.label == label::VERIFICATION_PLUGIN {
            format!(
                "the signature requires verification plugin {}; sigscope runs no plugins",
                x.value
            )
        } else {
            format!(
                "critical header {:?} is not one sigscope understands (its value: {})",
                x.label, x.value
            )
        };
        return Err(Failure::new(reason));
    }
    let signed_at = e.claimed_signing_time().map(|t| t.unix);
    if let (Some(expiry), Some(at)) = (&e.expiry, signed_at)
        && expiry.unix <= at
    {
        return Err(Failure::new(format!(
            "the expiry {} is not after the signing time",
            expiry.text
        )));
    }
    Ok(())
}

/// JOSE/COSE signatures: RSASSA-PSS, or ECDSA as the fixed-size `r || s` (RFC 7518 §3.4, RFC
/// 9053 §2.1), converted to DER for the key's verifier.
fn verify_signature(key: &PublicKey, algorithm: &str, message: &[u8], signature: &[u8]) -> bool {
    let hash = match algorithm.get(2..) {
        Some("256") => HashAlgorithm::Sha256,
        Some("384") => HashAlgorithm::Sha384,
        _ => HashAlgorithm::Sha512,
    };
    if algorithm.starts_with("PS") {
        return key.verify(message, signature, hash, RsaPadding::Pss);
    }
    let der = match algorithm {
        "ES256" => {
            p256::ecdsa::Signature::from_slice(signature).map(|s| s.to_der().as_bytes().to_vec())
        }
        "ES384" => {
            p384::ecdsa::Signature::from_slice(signature).map(|s| s.to_der().as_bytes().to_vec())
        }
        _ => p521::ecdsa::Signature::from_slice(signature).map(|s| s.to_der().as_bytes().to_vec()),
    };
    der.is_ok_and(|der| key.verify(message, &der, hash, RsaPadding::Pkcs1v15))
}

/// The payload (`signature-specification.md`, "Payload").
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    pub target_artifact: Descriptor,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub size: i64,
}

/// Integrity step vi: the payload's `targetArtifact` is this manifest: digest, media type and
/// size (notation-go compares the three, oras `content.Equal`).
pub fn check_subject(
    envelope: &Envelope,
    digest: &str,
    media_type: &str,
    size: u64,
) -> Result<String, Failure> {
    let payload: Payload =
        crate::artifact::error::parse_json("notation payload", &envelope.payload).map_err(|e| {
            Failure::new(format!("the payload is not a Notary Project payload: {e}"))
        })?;
    let t = payload.target_artifact;
    let actual = format!("{} {} ({} bytes)", t.media_type, t.digest, t.size);
    let expected = format!("{media_type} {digest} ({size} bytes)");
    if t.digest == digest && t.media_type == media_type && u64::try_from(t.size) == Ok(size) {
        Ok(format!("the payload signs this manifest, {expected}"))
    } else {
        let what = if t.digest != digest {
            "the payload signs another manifest"
        } else {
            "the payload names this digest with another media type or size"
        };
        Err(Failure::mismatch(what, expected, actual))
    }
}
