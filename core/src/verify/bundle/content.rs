//! What the bundle signs (client spec "Signature verification"): a message signature over the
//! artifact's digest, or a DSSE envelope whose PAE is signed and whose in-toto statement names
//! the artifact as a subject.

use x509_parser::prelude::FromDer as _;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::inputs::{Artifact, State};
use crate::artifact::bundle::{BundleView, ContentView, DsseView};
use crate::artifact::dsse::{IN_TOTO_PAYLOAD_TYPE, pae};
use crate::artifact::rekor::EntryBody;
use crate::key::{HashAlgorithm, KeyKind, PublicKey, RsaPadding};
use crate::verify::check::Checks;
use crate::verify::tlog::ContentDigest;

/// The signature the log entry and the timestamps cover: the message signature, or the DSSE
/// envelope's (first) signature.
pub(super) fn signature_bytes(bundle: &BundleView) -> &[u8] {
    match &bundle.content {
        ContentView::MessageSignature { signature, .. } => signature,
        ContentView::Dsse(d) => d.signatures.first().map(Vec::as_slice).unwrap_or(&[]),
    }
}

/// The content digest the log entry records: the artifact's for a message signature (in the
/// messageDigest's algorithm); for DSSE the payload's (Rekor v1 `dsse`/`intoto`) or the PAE's
/// in the algorithm the entry names (Rekor v2 hashedrekord over DSSE, rekor-v2 spec §6.1.4).
pub(super) fn logged_content(
    bundle: &BundleView,
    body: &EntryBody,
    artifact: &Artifact,
) -> ContentDigest {
    match &bundle.content {
        // Without the artifact's digest the message signature already failed; the body can
        // then match nothing.
        ContentView::MessageSignature {
            digest_algorithm, ..
        } => {
            let algorithm =
                message_algorithm(digest_algorithm.as_deref()).unwrap_or(HashAlgorithm::Sha256);
            ContentDigest {
                algorithm,
                value: artifact
                    .digest(algorithm)
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default(),
            }
        }
        ContentView::Dsse(d) => match body {
            EntryBody::HashedRekord { data_hash, .. } => {
                let algorithm =
                    HashAlgorithm::from_name(&data_hash.algorithm).unwrap_or(HashAlgorithm::Sha256);
                ContentDigest::of(algorithm, &pae(&d.envelope.payload_type, &d.payload))
            }
            _ => ContentDigest::of(HashAlgorithm::Sha256, &d.payload),
        },
    }
}

/// The digest algorithm of a message signature: the messageDigest's; `None` when the bundle
/// names none or one sigscope does not know.
fn message_algorithm(named: Option<&str>) -> Option<HashAlgorithm> {
    named.and_then(HashAlgorithm::from_name)
}

pub(super) fn check_content(
    bundle: &BundleView,
    artifact: &Artifact,
    checks: &mut Checks,
    state: &State,
) {
    let Some(key) = &state.key else { return };
    match &bundle.content {
        ContentView::MessageSignature {
            digest_algorithm,
            digest,
            signature,
        } => {
            // sigstore-go (`NewMessageSignature`, `algStringToHashFunc`): a message signature
            // carries a messageDigest, and it names its algorithm; protobuf's default
            // (HASH_ALGORITHM_UNSPECIFIED, which a missing or null `algorithm` reads as) is none.
            if digest.is_none() {
                checks.fail(
                    "message digest",
                    "the message signature has no messageDigest (sigstore-go and cosign v3 refuse it)",
                );
                return;
            }
            let Some(algorithm) = message_algorithm(digest_algorithm.as_deref()) else {
                checks.fail(
                    "message digest",
                    match digest_algorithm.as_deref() {
                        None | Some("HASH_ALGORITHM_UNSPECIFIED") => {
                            "the messageDigest names no algorithm (sigstore-go and cosign v3 refuse it)".to_owned()
                        }
                        Some(other) => format!(
                            "the messageDigest's algorithm {other:?} is not one sigscope knows (SHA2_256, SHA2_384, SHA2_512)"
                        ),
                    },
                );
                return;
            };
            let Some(artifact_digest) = artifact.digest(algorithm) else {
                checks.fail(
                    "signature",
                    format!(
                        "the message signature covers the artifact's {}, and only its {} is known: \
                         give the file or a {}: digest",
                        algorithm.name(),
                        artifact.describe(),
                        algorithm.name()
                    ),
                );
                return;
            };
            let content = ContentDigest {
                algorithm,
                value: artifact_digest.to_vec(),
            };
            // The bundle's messageDigest is a hint, but must agree with the artifact.
            if let Some(digest) = digest {
                if digest.as_slice() != artifact_digest {
                    checks.mismatch(
                        "message digest",
                        "the bundle's messageDigest is not the artifact's digest",
                        content.to_string(),
                        format!("{}:{}", algorithm.name(), hex::encode(digest)),
                    );
                } else {
                    checks.pass(
                        "message digest",
                        "the bundle's messageDigest is the artifact's",
                    );
                }
            }
            checks.record(
                "signature",
                verify_message(key, artifact, &content, signature),
            );
        }
        ContentView::Dsse(dsse) => check_dsse(dsse, key, artifact, checks),
    }
}

/// A message signature: over the artifact with the digest algorithm the bundle names (what
/// Sigstore clients sign: SHA-256, or SHA-384/512 with P-384/P-521 keys), verified from the
/// bytes when given, else from the digest alone (ECDSA only: a prehash).
fn verify_message(
    key: &PublicKey,
    artifact: &Artifact,
    content: &ContentDigest,
    signature: &[u8],
) -> Result<String, String> {
    let algorithm = content.algorithm;
    let ok = match &artifact.bytes {
        Some(bytes) => {
            key.verify(bytes, signature, algorithm, RsaPadding::Pkcs1v15)
                || key.verify(bytes, signature, algorithm, RsaPadding::Pss)
                || key.verify_default(bytes, signature)
        }
        None => verify_prehashed(key, &content.value, signature)?,
    };
    if ok {
        Ok(format!(
            "the {} signature over {content} verifies",
            key.kind()
        ))
    } else {
        Err(format!(
            "the signature does not verify over {content} with the {} key sha256:{}",
            key.kind(),
            key.fingerprint()
        ))
    }
}

/// ECDSA over a digest given without the message (RustCrypto's prehash verifiers).
fn verify_prehashed(key: &PublicKey, digest: &[u8], signature: &[u8]) -> Result<bool, String> {
    use ecdsa::signature::hazmat::PrehashVerifier as _;
    let point = SubjectPublicKeyInfo::from_der(key.spki_der())
        .map(|(_, spki)| spki.subject_public_key.data.to_vec())
        .map_err(|e| format!("malformed key: {e}"))?;
    Ok(match key.kind() {
        KeyKind::EcdsaP256 => {
            let (Ok(k), Ok(s)) = (
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&point),
                p256::ecdsa::Signature::from_der(signature),
            ) else {
                return Ok(false);
            };
            k.verify_prehash(digest, &s).is_ok()
        }
        KeyKind::EcdsaP384 => {
            let (Ok(k), Ok(s)) = (
                p384::ecdsa::VerifyingKey::from_sec1_bytes(&point),
                p384::ecdsa::Signature::from_der(signature),
            ) else {
                return Ok(false);
            };
            k.verify_prehash(digest, &s).is_ok()
        }
        KeyKind::EcdsaP521 => {
            let (Ok(k), Ok(s)) = (
                p521::ecdsa::VerifyingKey::from_sec1_bytes(&point),
                p521::ecdsa::Signature::from_der(signature),
            ) else {
                return Ok(false);
            };
            k.verify_prehash(digest, &s).is_ok()
        }
        other => {
            return Err(format!(
                "a {other} signature cannot be checked from a digest alone: give the artifact file"
            ));
        }
    })
}

/// DSSE: one signature over PAE(payloadType, payload); the in-toto statement's subjects
/// include the artifact's SHA-256.
fn check_dsse(dsse: &DsseView, key: &PublicKey, artifact: &Artifact, checks: &mut Checks) {
    let [signature] = dsse.signatures.as_slice() else {
        checks.fail(
            "signature",
            format!(
                "the envelope has {} signatures, expected exactly one",
                dsse.signatures.len()
            ),
        );
        return;
    };
    let message = pae(&dsse.envelope.payload_type, &dsse.payload);
    if key.verify_default(&message, signature) {
        checks.pass(
            "signature",
            format!("the {} signature over the DSSE PAE verifies", key.kind()),
        );
    } else {
        checks.fail(
            "signature",
            format!(
                "the DSSE signature does not verify over the PAE with the {} key sha256:{}",
                key.kind(),
                key.fingerprint()
            ),
        );
    }
    let statement = match &dsse.statement {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            checks.fail("in-toto subject", format!("unreadable statement: {e}"));
            return;
        }
        None => {
            checks.mismatch(
                "in-toto subject",
                "the envelope does not carry an in-toto statement",
                IN_TOTO_PAYLOAD_TYPE,
                dsse.envelope.payload_type.clone(),
            );
            return;
        }
    };
    // A subject names the artifact by any digest both sides know (npm provenance: sha512).
    let found = statement.subject.iter().find_map(|s| {
        artifact.digests.iter().find_map(|(alg, d)| {
            s.digest
                .get(*alg)
                .filter(|v| v.eq_ignore_ascii_case(&hex::encode(d)))
                .map(|v| (s, *alg, v))
        })
    });
    match found {
        Some((s, alg, v)) => checks.pass(
            "in-toto subject",
            format!("subject {:?} has the artifact's {alg}:{v}", s.name),
        ),
        None => checks.mismatch(
            "in-toto subject",
            "no subject of the statement has the artifact's digest",
            artifact
                .digests
                .iter()
                .map(|(alg, d)| format!("{alg}:{}", hex::encode(d)))
                .collect::<Vec<_>>()
                .join(" or "),
            statement
                .subject
                .iter()
                .map(|s| {
                    let digests: Vec<String> =
                        s.digest.iter().map(|(a, d)| format!("{a}:{d}")).collect();
                    format!("{} {}", s.name, digests.join(" "))
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}
