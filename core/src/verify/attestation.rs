//! cosign attestations (`.att` DSSE layers): the signer and log checks of a signature, then
//! the DSSE signature over the PAE, the statement's subject naming this image, and the
//! predicate type asked for (cosign's short names or a URI).

use super::check::Checks;
use super::policy::Context;
use super::referrer::Wanted;
use super::report::{ImageVerdict, SignatureVerdict};
use super::signing::{check_signer, check_tlog, signing_time_and_kind};
use super::storage::Candidate;
use crate::artifact::dsse::{IN_TOTO_PAYLOAD_TYPE, pae};
use crate::artifact::error::decode_base64;
use crate::artifact::predicate::predicate_type_for;
use crate::inventory::layer::{AttestationLayer, Decoded, LayerContent};
use crate::inventory::model::{ArtifactKind, ImageReport};
use crate::reference::Digest;

/// Verifies the attestations of `image` of `predicate` (a cosign short name or a URI).
pub fn verify_attestations(
    ctx: &Context,
    reference: &str,
    image: &ImageReport,
    predicate: &str,
) -> ImageVerdict {
    verify_attestations_of(ctx, reference, image, Some(predicate))
}

/// Verifies the attestations of `image`: of `predicate` when given, of any type otherwise
/// (the TUI's "every attestation" choice; the predicate type is then reported, not required).
/// Sigstore bundle referrers and `.att` tags are all checked; which count follows the policy's
/// [`Storage`](super::storage::Storage) (cosign v3: bundles when any is attached, else `.att`).
pub fn verify_attestations_of(
    ctx: &Context,
    reference: &str,
    image: &ImageReport,
    predicate: Option<&str>,
) -> ImageVerdict {
    let wanted = predicate.map(predicate_type_for);
    let bundles = super::referrer::bundle_candidates(ctx, image, Wanted::Attestation(wanted));
    let mut legacy = Vec::new();
    for artifact in &image.artifacts {
        if artifact.kind != ArtifactKind::Attestation {
            continue;
        }
        let place = super::referrer::place(artifact);
        if artifact.layers.is_empty() && !artifact.errors.is_empty() {
            legacy.push(SignatureVerdict::unreadable(
                place.clone(),
                "envelope",
                format!(
                    "the attestation manifest could not be read: {}",
                    artifact.errors.join("; ")
                ),
            ));
        }
        for (i, layer) in artifact.layers.iter().enumerate() {
            let here = format!("{place} layer {}", i + 1);
            match &layer.content {
                LayerContent::Attestation(att) => {
                    legacy.push(verify_attestation(ctx, &image.digest, att, wanted, here))
                }
                LayerContent::Unreadable { error } => legacy.push(SignatureVerdict::unreadable(
                    here,
                    "envelope",
                    format!("the attestation layer could not be read: {error}"),
                )),
                _ => {}
            }
        }
    }
    let legacy = legacy
        .into_iter()
        .map(|v| Candidate::legacy(v, false))
        .collect();
    ImageVerdict::conclude(
        reference.to_owned(),
        image.digest.clone(),
        ctx.policy.storage.select(bundles, legacy),
        "no attestations found",
        ctx.policy.warnings(),
        ctx.summary(),
    )
}

/// The checks of one DSSE attestation layer (of type `wanted`, or of any type when `None`).
pub fn verify_attestation(
    ctx: &Context,
    image: &Digest,
    att: &AttestationLayer,
    wanted: Option<&str>,
    place: String,
) -> SignatureVerdict {
    let mut checks = Checks::default();
    let envelope = match &att.envelope {
        Decoded::Ok(e) => e,
        Decoded::Error(e) => {
            checks.fail("envelope", e.clone());
            return SignatureVerdict::new(place, None, checks);
        }
    };
    // cosign `verifyOCIAttestation`: the envelope must carry an in-toto statement
    // (`payloadType` application/vnd.in-toto+json); a payload of another type is not an
    // attestation, whatever its JSON looks like (type confusion).
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        checks.mismatch(
            "payload type",
            "the envelope's payloadType is not in-toto's: its payload is not an attestation",
            IN_TOTO_PAYLOAD_TYPE,
            envelope.payload_type.clone(),
        );
    }
    // The predicate type first: cosign only considers attestations of the requested type.
    match (&att.statement, wanted) {
        (Some(Decoded::Ok(s)), None) => checks.pass(
            "predicate type",
            format!("{} (any type accepted)", s.predicate_type),
        ),
        (Some(Decoded::Ok(s)), Some(wanted)) if s.predicate_type == wanted => {
            checks.pass("predicate type", wanted)
        }
        (Some(Decoded::Ok(s)), Some(wanted)) => checks.mismatch(
            "predicate type",
            format!("the attestation is a {}, not a {wanted}", s.predicate_type),
            wanted,
            s.predicate_type.clone(),
        ),
        (Some(Decoded::Error(e)), _) => checks.fail(
            "predicate type",
            format!("the statement is unreadable: {e}"),
        ),
        (None, _) => checks.fail("predicate type", "the envelope carries no statement"),
    }
    let at = signing_time_and_kind(ctx, &att.material, None);
    let key = check_signer(ctx, &att.material, at, &mut checks);
    let signer = key.as_ref().map(|k| k.describe());
    let payload = decode_base64("dsse payload", &envelope.payload);
    let signatures: Vec<Vec<u8>> = envelope
        .signatures
        .iter()
        .filter_map(|s| decode_base64("dsse signature", &s.sig).ok())
        .collect();
    let mut verified_signature = None;
    match (&key, &payload) {
        (_, Err(e)) => checks.fail("signature", e.to_string()),
        (Some(key), Ok(payload)) => {
            // DSSE: the signature covers PAE(payloadType, payload).
            let message = pae(&envelope.payload_type, payload);
            verified_signature = signatures.iter().find(|s| key.verify(&message, s)).cloned();
            if verified_signature.is_some() {
                checks.pass("signature", "the DSSE signature over the envelope verifies");
            } else {
                checks.fail(
                    "signature",
                    format!(
                        "none of the envelope's {} signatures verifies with the signer's key",
                        signatures.len()
                    ),
                );
            }
        }
        (None, Ok(_)) => {}
    }
    if let Some(Decoded::Ok(statement)) = &att.statement {
        let names_image = statement.subject.iter().any(|s| {
            s.digest
                .get(image.algorithm().name())
                .is_some_and(|d| d.eq_ignore_ascii_case(image.hex()))
        });
        if names_image {
            checks.pass("subject", format!("the statement is about {image}"));
        } else {
            let named: Vec<String> = statement
                .subject
                .iter()
                .flat_map(|s| s.digest.iter().map(|(a, d)| format!("{a}:{d}")))
                .collect();
            checks.mismatch(
                "subject",
                "the statement is about other artifacts",
                image.to_string(),
                named.join(", "),
            );
        }
    }
    if let Ok(payload) = &payload {
        let signature = verified_signature
            .or_else(|| signatures.first().cloned())
            .unwrap_or_default();
        check_tlog(
            ctx,
            &att.material,
            key.as_ref(),
            &signature,
            payload,
            &mut checks,
        );
    }
    SignatureVerdict::new(place, signer, checks)
}
