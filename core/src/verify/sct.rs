//! Embedded SCT verification (RFC 6962 §3.2; client-spec "Certificate Transparency"): at least
//! one SCT in the leaf must be signed by a trusted CT log whose key was valid at the SCT's time,
//! over the precertificate entry (issuer key hash, TBS without the SCT extension).

use sha2::{Digest as _, Sha256};

use crate::artifact::certificate::{CertificateView, tbs_without_sct, tbs_without_sct_of_parsed};
use crate::trust::TransparencyLog;
use crate::verify::chain::Leaf;
use crate::verify::key::{HashAlgorithm, RsaPadding};

/// Verifies the leaf's embedded SCTs; returns a description of the one that verified.
pub fn verify_embedded_scts(
    leaf: &CertificateView,
    issuer_spki_der: &[u8],
    ctlogs: &[TransparencyLog],
) -> Result<String, String> {
    verify_scts(leaf, None, issuer_spki_der, ctlogs)
}

/// [`verify_embedded_scts`] for a leaf already parsed from `leaf.der`.
pub fn verify_embedded_scts_of(
    leaf: &CertificateView,
    parsed: &Leaf,
    issuer_spki_der: &[u8],
    ctlogs: &[TransparencyLog],
) -> Result<String, String> {
    verify_scts(leaf, Some(parsed), issuer_spki_der, ctlogs)
}

fn verify_scts(
    leaf: &CertificateView,
    parsed: Option<&Leaf>,
    issuer_spki_der: &[u8],
    ctlogs: &[TransparencyLog],
) -> Result<String, String> {
    if let Some(e) = &leaf.sct_error {
        return Err(format!("the embedded SCT list is malformed: {e}"));
    }
    if leaf.scts.is_empty() {
        return Err("the certificate has no embedded SCT".into());
    }
    let tbs = match parsed {
        Some(_) => tbs_without_sct_of_parsed(&leaf.der),
        None => tbs_without_sct(&leaf.der),
    }
    .map_err(|e| e.to_string())?;
    let issuer_key_hash = Sha256::digest(issuer_spki_der);
    let mut reasons = Vec::new();
    let mut verified = None;
    for sct in &leaf.scts {
        let Some(log) = hex::decode(&sct.log_id)
            .ok()
            .and_then(|id| ctlogs.iter().find(|l| l.log_id == id))
        else {
            reasons.push(format!("SCT from unknown CT log {}", sct.log_id));
            continue;
        };
        let Ok(key) = &log.key else {
            reasons.push(format!("CT log {} has an unusable key", log.base_url));
            continue;
        };
        let seconds = i64::try_from(sct.timestamp_ms / 1000).unwrap_or(i64::MAX);
        if !log.valid_for.contains(seconds) {
            reasons.push(format!(
                "CT log {} was not trusted at the SCT time {}",
                log.base_url, sct.timestamp_rfc3339
            ));
            continue;
        }
        let Ok(extensions) = hex::decode(&sct.extensions) else {
            reasons.push("SCT extensions are not hex".into());
            continue;
        };
        let Ok(signature) = crate::artifact::error::decode_base64("sct signature", &sct.signature)
        else {
            reasons.push("SCT signature is not base64".into());
            continue;
        };
        let mut signed = Vec::with_capacity(tbs.len() + 64);
        signed.push(0u8); // version v1
        signed.push(0u8); // signature type certificate_timestamp
        signed.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
        signed.extend_from_slice(&issuer_key_hash);
        let len = u32::try_from(tbs.len()).unwrap_or(u32::MAX);
        signed.extend_from_slice(&len.to_be_bytes()[1..]);
        signed.extend_from_slice(&tbs);
        let ext_len = u16::try_from(extensions.len()).unwrap_or(u16::MAX);
        signed.extend_from_slice(&ext_len.to_be_bytes());
        signed.extend_from_slice(&extensions);
        let hash = match sct.hash_algorithm.as_str() {
            "sha384" => HashAlgorithm::Sha384,
            "sha512" => HashAlgorithm::Sha512,
            _ => HashAlgorithm::Sha256,
        };
        if key.verify(&signed, &signature, hash, RsaPadding::Pkcs1v15) {
            if verified.is_none() {
                verified = Some(format!(
                    "SCT from {} at {} verifies",
                    log.base_url, sct.timestamp_rfc3339
                ));
                continue;
            }
            reasons.push(format!("another SCT from {} verifies", log.base_url));
            continue;
        }
        reasons.push(format!(
            "SCT signature from {} does not verify",
            log.base_url
        ));
    }
    // One verifying SCT from a trusted log is what cosign and sigstore-go require; the others
    // are shown, not hidden behind the ✓ (an extra SCT from an unknown log is worth seeing).
    match verified {
        Some(ok) if reasons.is_empty() => Ok(ok),
        Some(ok) => Ok(format!(
            "{ok}; {} other SCT(s): {}",
            reasons.len(),
            reasons.join("; ")
        )),
        None => Err(reasons.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::certificate::decode_certificate;
    use crate::fixture::{Identity, LeafOptions, SigningOptions, VirtualSigstore};
    use crate::trust::TrustedRoot;

    #[test]
    fn fixture_scts_verify_and_faults_are_named() {
        let mut s = VirtualSigstore::new("sct", 1_700_000_000).unwrap();
        let root = TrustedRoot::from_json(
            "t",
            &serde_json::to_vec(&s.trusted_root().unwrap()).unwrap(),
        )
        .unwrap();
        let issuer = s.ca.intermediate.key.spki_der().unwrap();
        let mut leaf = |options: LeafOptions| {
            let sig = s
                .sign(
                    &Identity::email("a@b.c", "https://i"),
                    b"p",
                    1_700_000_100,
                    SigningOptions {
                        leaf: options,
                        ..Default::default()
                    },
                )
                .unwrap();
            decode_certificate(&sig.certificate).unwrap()
        };
        let good = leaf(LeafOptions::default());
        assert!(verify_embedded_scts(&good, &issuer, &root.ctlogs).is_ok());
        let corrupt = leaf(LeafOptions {
            corrupt_sct: true,
            ..Default::default()
        });
        assert!(
            verify_embedded_scts(&corrupt, &issuer, &root.ctlogs)
                .unwrap_err()
                .contains("does not verify")
        );
        let none = leaf(LeafOptions {
            omit_sct: true,
            ..Default::default()
        });
        assert!(
            verify_embedded_scts(&none, &issuer, &root.ctlogs)
                .unwrap_err()
                .contains("no embedded SCT")
        );
        let other = VirtualSigstore::new("other", 1_700_000_000).unwrap();
        let other_root = TrustedRoot::from_json(
            "t",
            &serde_json::to_vec(&other.trusted_root().unwrap()).unwrap(),
        )
        .unwrap();
        assert!(
            verify_embedded_scts(&good, &issuer, &other_root.ctlogs)
                .unwrap_err()
                .contains("unknown CT log")
        );
    }
}
