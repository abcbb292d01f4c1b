//! cosign image signatures (`.sig` simple-signing layers): the ordered checks cosign's
//! `verify` makes, each recorded, plus the explanation cosign does not give.

use super::check::Checks;
use super::policy::Context;
use super::referrer::Wanted;
use super::report::{ImageVerdict, SignatureVerdict};
use super::signing::{check_signer, check_timestamp, check_tlog, signing_time_and_kind};
use super::storage::Candidate;
use crate::artifact::error::decode_base64;
use crate::artifact::simple_signing::COSIGN_SIGNATURE_TYPE;
use crate::inventory::layer::{Decoded, LayerContent, SignatureLayer};
use crate::inventory::model::{ArtifactKind, ImageReport, Route};
use crate::reference::Digest;

/// Verifies every cosign signature on `image` (found under `reference`): sigstore bundle
/// referrers, `.sig` tags and cosign's OCI 1.1 signature referrers are all checked; which of
/// them count follows the policy's [`Storage`](super::storage::Storage) (cosign v3's choice by
/// default).
pub fn verify_image(ctx: &Context, reference: &str, image: &ImageReport) -> ImageVerdict {
    let bundles = super::referrer::bundle_candidates(ctx, image, Wanted::ImageSignature);
    let legacy = legacy_signature_candidates(ctx, image, true, |_, verdict| verdict);
    ImageVerdict::conclude(
        reference.to_owned(),
        image.digest.clone(),
        ctx.policy.storage.select(bundles, legacy),
        "no signatures found",
        ctx.policy.warnings(),
        ctx.summary(),
    )
}

/// A verdict for every cosign `.sig` layer on `image` (an unreadable manifest or layer, or one
/// that is not a simple-signing payload, is a verdict too); `extend` may add checks to the
/// verdict of each readable signature (policy.json's `signedIdentity`). Only the `.sig` tags:
/// what containers/image and cosign 2.x read.
pub fn legacy_signature_verdicts(
    ctx: &Context,
    image: &ImageReport,
    extend: impl FnMut(&SignatureLayer, SignatureVerdict) -> SignatureVerdict,
) -> Vec<SignatureVerdict> {
    legacy_signature_candidates(ctx, image, false, extend)
        .into_iter()
        .map(|c| c.verdict)
        .collect()
}

/// The `.sig` tags' signatures and, with `oci11`, cosign's OCI 1.1 signature referrers
/// (`--registry-referrers-mode=oci-1-1`: the same simple-signing manifest, stored as a referrer).
fn legacy_signature_candidates(
    ctx: &Context,
    image: &ImageReport,
    oci11: bool,
    mut extend: impl FnMut(&SignatureLayer, SignatureVerdict) -> SignatureVerdict,
) -> Vec<Candidate> {
    let mut signatures = Vec::new();
    for artifact in &image.artifacts {
        let referrer = !matches!(artifact.found_via, Route::LegacyTag { .. });
        if artifact.kind != ArtifactKind::Signature || (referrer && !oci11) {
            continue;
        }
        let place = super::referrer::place(artifact);
        let mut push = |verdict| signatures.push(Candidate::legacy(verdict, referrer));
        if artifact.layers.is_empty() {
            push(if artifact.errors.is_empty() {
                // A manifest with no layers holds no signature (cosign: no signatures found).
                continue;
            } else {
                SignatureVerdict::unreadable(
                    place.clone(),
                    "signature",
                    format!(
                        "the signature manifest could not be read: {}",
                        artifact.errors.join("; ")
                    ),
                )
            });
        }
        for layer in &artifact.layers {
            let verdict = match &layer.content {
                LayerContent::Signature(sig) => extend(
                    sig,
                    verify_signature(ctx, &image.digest, sig, place.clone()),
                ),
                LayerContent::Unreadable { error } => SignatureVerdict::unreadable(
                    place.clone(),
                    "signature",
                    format!("the signature layer could not be read: {error}"),
                ),
                _ => {
                    let mut checks = Checks::default();
                    checks.fail(
                        "signature",
                        format!("layer {} is not a simple-signing payload", layer.media_type),
                    );
                    SignatureVerdict::new(place.clone(), None, checks)
                }
            };
            push(verdict);
        }
    }
    signatures
}

/// The checks of one `.sig` layer, in cosign's order.
pub fn verify_signature(
    ctx: &Context,
    image: &Digest,
    sig: &SignatureLayer,
    place: String,
) -> SignatureVerdict {
    let mut checks = Checks::default();
    let material = &sig.material;
    let signature = match material
        .signature
        .as_deref()
        .map(|s| decode_base64("signature", s))
    {
        Some(Ok(bytes)) => Some(bytes),
        Some(Err(e)) => {
            checks.fail("signature", e.to_string());
            None
        }
        None => {
            checks.fail("signature", "the layer has no signature annotation");
            None
        }
    };
    let timestamp = check_timestamp(ctx, material, signature.as_deref(), &mut checks);
    let at = signing_time_and_kind(ctx, material, timestamp);
    let key = check_signer(ctx, material, at, &mut checks);
    let signer = key.as_ref().map(|k| k.describe());
    if let (Some(key), Some(signature)) = (&key, &signature) {
        if key.verify(&sig.payload_bytes, signature) {
            checks.pass("signature", "the signature over the payload verifies");
        } else {
            checks.fail(
                "signature",
                "the signature does not verify over the payload with the signer's key",
            );
        }
    }
    // The payload must name this image (cosign: "invalid or missing digest in claim").
    match &sig.payload {
        Decoded::Ok(payload) => {
            let claimed = &payload.critical.image.docker_manifest_digest;
            if claimed == &image.to_string() {
                checks.pass("payload digest", format!("the payload signs {image}"));
            } else {
                checks.mismatch(
                    "payload digest",
                    format!("the payload signs {claimed}, not this image {image}"),
                    image.to_string(),
                    claimed.clone(),
                );
            }
            if payload.critical.kind == COSIGN_SIGNATURE_TYPE {
                checks.pass("payload type", COSIGN_SIGNATURE_TYPE);
            } else {
                checks.mismatch(
                    "payload type",
                    "the payload is not a cosign container image signature",
                    COSIGN_SIGNATURE_TYPE,
                    payload.critical.kind.clone(),
                );
            }
            super::annotations::check(
                &ctx.policy.annotations,
                payload.optional.as_ref(),
                &mut checks,
            );
        }
        Decoded::Error(e) => {
            checks.fail("payload digest", format!("the payload is unreadable: {e}"))
        }
    }
    if let Some(signature) = &signature {
        check_tlog(
            ctx,
            material,
            key.as_ref(),
            signature,
            &sig.payload_bytes,
            &mut checks,
        );
    }
    SignatureVerdict::new(place, signer, checks)
}
