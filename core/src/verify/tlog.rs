//! Transparency-log checks for Rekor v1 entries (client-spec "Transparency Log"): the Signed
//! Entry Timestamp by a trusted log key valid at the integrated time; the inclusion proof
//! against a checkpoint signed by that log; and the entry body naming exactly the signature,
//! the signer and the signed content.

use sha2::{Digest as _, Sha256};

use crate::artifact::bundle::InclusionProofView;
use crate::artifact::rekor::{EntryBody, VerifierView, parse_checkpoint, set_payload};
use crate::trust::TransparencyLog;
use crate::verify::key::HashAlgorithm;

/// Checks a SET and returns the log that signed it.
pub fn verify_set<'a>(
    set: &[u8],
    body_base64: &str,
    integrated_time: i64,
    log_index: i64,
    log_id: &[u8],
    tlogs: &'a [TransparencyLog],
) -> Result<&'a TransparencyLog, String> {
    let log = tlogs.iter().find(|l| l.log_id == log_id).ok_or_else(|| {
        format!(
            "the entry names log {} which is not trusted",
            hex::encode(log_id)
        )
    })?;
    let key = log
        .key
        .as_ref()
        .map_err(|e| format!("log {} has an unusable key: {e}", log.base_url))?;
    if !log.valid_for.contains(integrated_time) {
        return Err(format!(
            "log {} was not trusted at the integrated time {}",
            log.base_url,
            crate::artifact::encoding::rfc3339(integrated_time)
        ));
    }
    let payload = set_payload(
        body_base64,
        integrated_time,
        &hex::encode(log_id),
        log_index,
    )
    .map_err(|e| e.to_string())?;
    if key.verify_default(&payload, set) {
        Ok(log)
    } else {
        Err(format!(
            "the signed entry timestamp does not verify with the key of {}",
            log.base_url
        ))
    }
}

/// Checks a Rekor v1 inclusion proof and its checkpoint, signed by `log`.
pub fn verify_inclusion_v1(
    proof: &InclusionProofView,
    canonicalized_body: &[u8],
    log: &TransparencyLog,
) -> Result<String, String> {
    let leaf = crate::artifact::merkle::leaf_hash(canonicalized_body);
    let hashes: Vec<[u8; 32]> = proof
        .hashes
        .iter()
        .map(|h| {
            h.as_slice()
                .try_into()
                .map_err(|_| "a proof hash is not 32 bytes".to_owned())
        })
        .collect::<Result<_, _>>()?;
    let root: [u8; 32] = proof
        .root_hash
        .as_slice()
        .try_into()
        .map_err(|_| "the proof's root hash is not 32 bytes".to_owned())?;
    let (index, size) = (
        u64::try_from(proof.log_index).map_err(|_| "negative log index in proof")?,
        u64::try_from(proof.tree_size).map_err(|_| "negative tree size in proof")?,
    );
    crate::artifact::merkle::verify_inclusion(index, size, &leaf, &hashes, &root)
        .map_err(|e| format!("inclusion proof: {e}"))?;
    let envelope = proof
        .checkpoint_envelope
        .as_deref()
        .ok_or("the inclusion proof has no checkpoint")?;
    let checkpoint = parse_checkpoint(envelope).map_err(|e| e.to_string())?;
    if checkpoint.root_hash != proof.root_hash || checkpoint.tree_size != size {
        return Err(format!(
            "the checkpoint is for tree size {} root {}, the proof for size {size} root {}",
            checkpoint.tree_size,
            hex::encode(&checkpoint.root_hash),
            hex::encode(root)
        ));
    }
    let key = log.key.as_ref().map_err(|e| e.to_string())?;
    // Rekor v1 notes: key hint = first four bytes of SHA-256 of the log key's SPKI.
    let hint = hex::encode(&Sha256::digest(key.spki_der())[..4]);
    let signed = checkpoint
        .signatures
        .iter()
        .filter(|s| s.key_hint == hint)
        .any(|s| key.verify_default(checkpoint.signed_text.as_bytes(), &s.signature));
    if signed {
        Ok(format!(
            "included at index {index} of {size}; checkpoint signed by {}",
            log.base_url
        ))
    } else {
        Err(format!("the checkpoint is not signed by {}", log.base_url))
    }
}

/// What a signature claims to be: for matching against an entry body.
pub struct Signed<'a> {
    pub signature: &'a [u8],
    /// The signer: a certificate (DER) or a public key (SPKI DER).
    pub signer: Signer<'a>,
    /// The digest of the signed content (hashedrekord), or of the DSSE payload.
    pub content: ContentDigest,
}

/// A digest and its algorithm, as a log entry records the signed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDigest {
    pub algorithm: HashAlgorithm,
    pub value: Vec<u8>,
}

impl ContentDigest {
    pub fn of(algorithm: HashAlgorithm, content: &[u8]) -> ContentDigest {
        ContentDigest {
            algorithm,
            value: algorithm.digest(content),
        }
    }
}

impl std::fmt::Display for ContentDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), hex::encode(&self.value))
    }
}

pub enum Signer<'a> {
    Certificate(&'a [u8]),
    Key(&'a [u8]),
}

fn verifier_matches(verifier: &VerifierView, signer: &Signer) -> bool {
    match (verifier, signer) {
        (VerifierView::Certificate(cert), Signer::Certificate(der)) => cert.der == *der,
        (VerifierView::PublicKey { der: key }, Signer::Key(der)) => key == der,
        (VerifierView::Certificate(cert), Signer::Key(der)) => cert.public_key_der == *der,
        _ => false,
    }
}

/// Whether a log entry body names what was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyMatch {
    Matches(String),
    Differs(String),
    /// An entry kind sigscope cannot read: nothing follows either way.
    NotUnderstood(String),
}

impl BodyMatch {
    /// Records the comparison as check `name`.
    pub fn record(self, name: &'static str, checks: &mut crate::verify::check::Checks) {
        match self {
            BodyMatch::Matches(detail) => checks.pass(name, detail),
            BodyMatch::Differs(reason) => checks.fail(name, reason),
            BodyMatch::NotUnderstood(reason) => checks.not_understood(name, reason),
        }
    }
}

impl From<Result<String, String>> for BodyMatch {
    fn from(result: Result<String, String>) -> Self {
        match result {
            Ok(detail) => BodyMatch::Matches(detail),
            Err(reason) => BodyMatch::Differs(reason),
        }
    }
}

/// The entry body logs this signature, signer and content (cosign `compareSigs`,
/// `comparePublicKey`, hash comparison).
pub fn body_matches(body: &EntryBody, signed: &Signed) -> BodyMatch {
    match body {
        EntryBody::Unknown {
            kind, api_version, ..
        } => BodyMatch::NotUnderstood(format!(
            "the log entry is a {kind} {api_version} entry, a kind sigscope does not read"
        )),
        EntryBody::Rekord { .. } => BodyMatch::NotUnderstood(
            "the log entry is a rekord entry (a detached signature over data), which sigscope does not compare with an image signature".into(),
        ),
        _ => known_body_matches(body, signed).into(),
    }
}

/// The entry records `content`: the same algorithm and value.
fn logged(
    hash: &crate::artifact::rekor::HashView,
    content: &ContentDigest,
    what: &str,
) -> Result<(), String> {
    let same_algorithm = HashAlgorithm::from_name(&hash.algorithm) == Some(content.algorithm);
    if same_algorithm
        && hash
            .value
            .eq_ignore_ascii_case(&hex::encode(&content.value))
    {
        Ok(())
    } else {
        Err(format!(
            "the log entry records {what} {}:{}, the signed {what} is {content}",
            hash.algorithm, hash.value
        ))
    }
}

/// The entry's payload hash is the envelope payload's.
fn payload_logged(
    payload_hash: Option<&crate::artifact::rekor::HashView>,
    content: &ContentDigest,
) -> Result<(), String> {
    let hash = payload_hash.ok_or("the log entry has no payload hash")?;
    logged(hash, content, "payload")
}

fn known_body_matches(body: &EntryBody, signed: &Signed) -> Result<String, String> {
    let content = &signed.content;
    match body {
        EntryBody::HashedRekord {
            data_hash,
            signature,
            verifier,
            ..
        } => {
            if signature.as_slice() != signed.signature {
                return Err("the log entry records a different signature".into());
            }
            if !verifier_matches(verifier, &signed.signer) {
                return Err("the log entry records a different certificate or key".into());
            }
            logged(data_hash, content, "content")?;
            Ok("hashedrekord entry names this signature, signer and content".into())
        }
        EntryBody::Intoto {
            payload_hash,
            signatures,
            ..
        }
        | EntryBody::Dsse {
            payload_hash,
            signatures,
            ..
        } => {
            payload_logged(payload_hash.as_ref(), content)?;
            let found = signatures.iter().any(|s| {
                s.signature == signed.signature && verifier_matches(&s.verifier, &signed.signer)
            });
            if found {
                let kind = match body {
                    EntryBody::Intoto { api_version, .. } => format!("intoto {api_version}"),
                    EntryBody::Dsse { api_version, .. } => format!("dsse {api_version}"),
                    _ => "log".into(),
                };
                Ok(format!(
                    "{kind} entry names this envelope's payload, signature and signer"
                ))
            } else {
                Err("the log entry records a different signature or signer".into())
            }
        }
        EntryBody::IntotoV1 {
            payload_hash,
            verifier,
            ..
        } => {
            // intoto 0.0.1 stores no envelope: the payload and the signer are what it binds
            // (cosign skips the signature comparison for attestations, `compareSigs`).
            payload_logged(payload_hash.as_ref(), content)?;
            if !verifier_matches(verifier, &signed.signer) {
                return Err("the log entry records a different certificate or key".into());
            }
            Ok("intoto 0.0.1 entry names this envelope's payload and signer (it stores no signature)".into())
        }
        EntryBody::Rekord { .. } | EntryBody::Unknown { .. } => {
            Err("the log entry is of a kind sigscope cannot compare with this signature".into())
        }
    }
}
