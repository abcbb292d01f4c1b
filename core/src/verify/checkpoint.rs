//! Checkpoint signatures (C2SP signed-note over a C2SP tlog-checkpoint), for Rekor v1 and v2.
//!
//! signed-note: a signature line is `— <name> base64(key hash ‖ signature)`; a verifier knows
//! a key by name and 4-byte hash, ignores lines whose name or hash it does not know, and fails
//! when a known key's signature does not verify. The key hash differs by key type:
//! - Ed25519 (signed-note §"Ed25519", Rekor v2 / rekor-tiles): the first four bytes of
//!   SHA-256(name ‖ "\n" ‖ 0x01 ‖ 32-byte key); the signature is Ed25519 over the note text.
//! - ECDSA/RSA (Rekor v1, sigstore-go `util.go` note verifier): the first four bytes of
//!   SHA-256(DER SubjectPublicKeyInfo); the signature is ASN.1 ECDSA over SHA-256 of the text.
//!
//! Witness cosignatures (tlog-cosignature) use other names and keys: they are ignored.

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::key::KeyKind;
use crate::artifact::rekor::CheckpointView;
use crate::trust::TransparencyLog;

/// A checkpoint whose log signature verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedCheckpoint {
    pub origin: String,
    pub tree_size: u64,
    pub root_hash_hex: String,
    /// Signature lines ignored (unknown name or key hash, e.g. witness cosignatures).
    pub ignored_signatures: usize,
}

/// Why a checkpoint did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint origin {actual:?} is not the log's origin {expected:?}")]
    Origin { expected: String, actual: String },
    #[error("checkpoint log key unusable: {0}")]
    Key(String),
    #[error(
        "checkpoint has no signature by the log (expected name {name:?}, key hash {hint}); found {found}"
    )]
    NoLogSignature {
        name: String,
        hint: String,
        found: String,
    },
    #[error("checkpoint signature by {name:?} (key hash {hint}) does not verify")]
    BadSignature { name: String, hint: String },
}

/// The key name a log signs its checkpoints with: the host of its base URL (Rekor v1's origin is
/// `<host> - <tree id>`; Rekor v2's is the host itself).
pub fn key_name(log: &TransparencyLog) -> &str {
    log.origin()
}

/// The 4-byte signed-note key hash of `log`'s key under `name`.
pub fn key_hash(log: &TransparencyLog, name: &str) -> Result<[u8; 4], CheckpointError> {
    let key = log
        .key
        .as_ref()
        .map_err(|e| CheckpointError::Key(e.clone()))?;
    let digest = match key.kind() {
        KeyKind::Ed25519 => {
            let spki = key.spki_der();
            // The raw key is the last 32 bytes of an Ed25519 SubjectPublicKeyInfo (RFC 8410).
            let raw = spki
                .get(spki.len().saturating_sub(32)..)
                .filter(|_| spki.len() >= 32)
                .ok_or_else(|| CheckpointError::Key("short Ed25519 key".to_owned()))?;
            let mut h = Sha256::new();
            h.update(name.as_bytes());
            h.update(b"\n\x01");
            h.update(raw);
            h.finalize()
        }
        _ => Sha256::digest(key.spki_der()),
    };
    let mut out = [0u8; 4];
    out.copy_from_slice(&digest[..4]);
    Ok(out)
}

/// Verifies that `checkpoint` is signed by `log` and names it as its origin.
pub fn verify_checkpoint(
    checkpoint: &CheckpointView,
    log: &TransparencyLog,
) -> Result<VerifiedCheckpoint, CheckpointError> {
    let name = key_name(log);
    // tlog-checkpoint: the origin line identifies the log; Rekor v1 appends " - <tree id>".
    let origin_ok = checkpoint.origin == name
        || checkpoint
            .origin
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(" - "));
    if !origin_ok {
        return Err(CheckpointError::Origin {
            expected: name.to_owned(),
            actual: checkpoint.origin.clone(),
        });
    }
    let hint = hex::encode(key_hash(log, name)?);
    let key = log
        .key
        .as_ref()
        .map_err(|e| CheckpointError::Key(e.clone()))?;
    let mut verified = false;
    let mut ignored = 0;
    for sig in &checkpoint.signatures {
        // signed-note: lines with an unknown name or key hash are skipped.
        if sig.name != name || sig.key_hint != hint {
            ignored += 1;
            continue;
        }
        // A known key whose signature fails makes the note invalid (Go `note.Open`).
        if !key.verify_default(checkpoint.signed_text.as_bytes(), &sig.signature) {
            return Err(CheckpointError::BadSignature {
                name: sig.name.clone(),
                hint: sig.key_hint.clone(),
            });
        }
        verified = true;
    }
    if !verified {
        let found = checkpoint
            .signatures
            .iter()
            .map(|s| format!("{:?}/{}", s.name, s.key_hint))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CheckpointError::NoLogSignature {
            name: name.to_owned(),
            hint,
            found: if found.is_empty() {
                "none".to_owned()
            } else {
                found
            },
        });
    }
    Ok(VerifiedCheckpoint {
        origin: checkpoint.origin.clone(),
        tree_size: checkpoint.tree_size,
        root_hash_hex: hex::encode(&checkpoint.root_hash),
        ignored_signatures: ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::rekor::parse_checkpoint;
    use crate::fixture::{FixtureKey, TransparencyLog as FixtureLog};
    use crate::trust::TrustedRoot;
    use crate::verify::key::PublicKey;

    fn fixture() -> (FixtureLog, TransparencyLog) {
        let key = FixtureKey::derive("checkpoint-test");
        let public = PublicKey::from_spki_der(&key.spki_der().unwrap()).unwrap();
        let log = FixtureLog::new(key, "rekor.example.test - 42");
        let trusted = TrustedRoot::log_for_key("https://rekor.example.test", public);
        (log, trusted)
    }

    #[test]
    fn a_rekor_v1_checkpoint_verifies_and_faults_fail_for_their_own_reason() {
        let (log, trusted) = fixture();
        let text = log.checkpoint(7, &[9u8; 32]).unwrap();
        let good = parse_checkpoint(&text).unwrap();
        let v = verify_checkpoint(&good, &trusted).unwrap();
        assert_eq!((v.tree_size, v.ignored_signatures), (7, 0));

        // Tampered size: the known key's signature no longer verifies.
        let tampered = parse_checkpoint(&text.replacen("\n7\n", "\n8\n", 1)).unwrap();
        let err = verify_checkpoint(&tampered, &trusted).unwrap_err();
        assert!(matches!(err, CheckpointError::BadSignature { .. }), "{err}");

        // Another origin.
        let other =
            parse_checkpoint(&text.replace("rekor.example.test", "rekor.other.test")).unwrap();
        let err = verify_checkpoint(&other, &trusted).unwrap_err();
        assert!(matches!(err, CheckpointError::Origin { .. }), "{err}");
    }

    #[test]
    fn unknown_signatures_are_ignored_but_one_log_signature_is_required() {
        let (log, trusted) = fixture();
        let text = log.checkpoint(7, &[9u8; 32]).unwrap();
        let witness = "\u{2014} witness.example AAAAAAAAAAAAAAAAAAAAAAAA\n";
        let cosigned = parse_checkpoint(&format!("{text}{witness}")).unwrap();
        assert_eq!(
            verify_checkpoint(&cosigned, &trusted)
                .unwrap()
                .ignored_signatures,
            1
        );
        let (note, _) = text.split_once("\n\n").unwrap();
        let only_witness = parse_checkpoint(&format!("{note}\n\n{witness}")).unwrap();
        let err = verify_checkpoint(&only_witness, &trusted).unwrap_err();
        assert!(
            matches!(err, CheckpointError::NoLogSignature { .. }),
            "{err}"
        );
    }

    #[test]
    fn a_rekor_v2_ed25519_checkpoint_verifies_and_a_witness_line_is_ignored() {
        let Some(dir) = crate::testing::shared_fixtures() else {
            return;
        };
        let case =
            dir.join("sigstore-conformance/test/assets/bundle-verify/rekor2-checkpoint-cosigned");
        let root = TrustedRoot::from_json(
            "staging",
            &std::fs::read(case.join("trusted_root.json")).unwrap(),
        )
        .unwrap();
        let bundle = crate::artifact::bundle::decode_bundle(
            &std::fs::read(case.join("bundle.sigstore.json")).unwrap(),
        )
        .unwrap();
        let entry = &bundle.tlog_entries[0];
        let log = root.tlog(&entry.log_id).unwrap();
        // The v2 log id is the signed-note key id: its first four bytes are the key hash.
        assert_eq!(key_hash(log, key_name(log)).unwrap(), entry.log_id[..4]);
        let proof = entry.inclusion_proof.as_ref().unwrap();
        let checkpoint = proof.checkpoint.as_ref().unwrap().as_ref().unwrap();
        let v = verify_checkpoint(checkpoint, log).unwrap();
        assert_eq!(v.ignored_signatures, 1);
    }
}
