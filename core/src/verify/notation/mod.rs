//! Notary Project signatures, verified as `trust-store-trust-policy.md` ("Signature
//! Verification") defines it, against the user's own trust policy and trust stores: the
//! statement for the image's registry scope, then per signature integrity, authenticity
//! (trust store, then trusted identity), expiry, authentic timestamp and revocation, each
//! enforced, logged or skipped as the statement's level says, in the same per-check report as
//! cosign signatures.

mod authenticity;
mod certchain;
mod integrity;
mod pipeline;
#[cfg(test)]
mod tests;
mod timestamp;

use super::policy::{Clock, PolicySummary};
use super::report::{ImageOutcome, ImageVerdict, SignatureVerdict};
use crate::inventory::layer::{Decoded, LayerContent};
use crate::inventory::model::{ArtifactKind, ImageReport, Route};
use crate::trust::notation::NotationTrust;

pub use pipeline::verify_envelope;

/// `notary.x509`: the signing certificate is issued by a CA; the signing time is the signer's
/// claim, so trust in time comes from a timestamp.
pub const SCHEME_X509: &str = "notary.x509";
/// `notary.x509.signingAuthority`: a signing authority vouches for the signing time.
pub const SCHEME_X509_SIGNING_AUTHORITY: &str = "notary.x509.signingAuthority";

/// Why one validation failed: the reason, and the expected and actual values where there are
/// two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub reason: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl Failure {
    pub fn new(reason: impl Into<String>) -> Failure {
        Failure {
            reason: reason.into(),
            expected: None,
            actual: None,
        }
    }

    pub fn mismatch(
        reason: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Failure {
        Failure {
            reason: reason.into(),
            expected: Some(expected.into()),
            actual: Some(actual.into()),
        }
    }
}

/// What a Notation verification reads besides the image.
pub struct NotationContext<'a> {
    pub trust: &'a NotationTrust,
    pub clock: &'a dyn Clock,
}

/// The image as notation resolves it: its repository (the registry scope) and manifest.
pub struct Subject<'a> {
    /// `registry/repository`, the registry scope a statement must name (or `*`).
    pub scope: &'a str,
    pub image: &'a ImageReport,
}

/// Verifies every Notary Project signature on the image under the statement for its scope.
/// One signature that passes (or, at level `skip`, none at all) is enough, as in notation.
pub fn verify_image(ctx: &NotationContext, reference: &str, subject: &Subject) -> ImageVerdict {
    let image = subject.image;
    let statement = match ctx.trust.policy.statement_for(subject.scope) {
        Ok(s) => s,
        Err(e) => {
            // trust-store-trust-policy.md: with no applicable statement the artifact is
            // untrusted; no signature is looked at.
            return ImageVerdict::conclude(
                reference.to_owned(),
                image.digest.clone(),
                Vec::new(),
                &e.to_string(),
                Vec::new(),
                summary(ctx, "no applicable trust policy statement".into()),
            );
        }
    };
    let described = format!(
        "notation trust policy statement {:?} (level {}) for {}",
        statement.name, statement.level.name, subject.scope
    );
    if statement.level.is_skip() {
        let mut verdict = ImageVerdict::conclude(
            reference.to_owned(),
            image.digest.clone(),
            Vec::new(),
            "",
            Vec::new(),
            summary(ctx, described),
        );
        verdict.outcome = ImageOutcome::Skipped {
            reason: format!(
                "trust policy statement {:?} has level skip: signatures are not verified",
                statement.name
            ),
        };
        return verdict;
    }
    let signatures = signature_verdicts(ctx, statement, image);
    ImageVerdict::conclude(
        reference.to_owned(),
        image.digest.clone(),
        signatures,
        "no Notary Project signatures found",
        Vec::new(),
        summary(ctx, described),
    )
}

fn summary(ctx: &NotationContext, signer: String) -> PolicySummary {
    PolicySummary {
        signer,
        annotations: Vec::new(),
        trusted_root: ctx.trust.describe(),
    }
}

/// A verdict for each notation signature manifest attached to the image (its first layer is
/// the envelope, `blobs[0]` in the spec).
fn signature_verdicts(
    ctx: &NotationContext,
    statement: &crate::trust::notation::Statement,
    image: &ImageReport,
) -> Vec<SignatureVerdict> {
    let mut out = Vec::new();
    for artifact in &image.artifacts {
        if artifact.kind != ArtifactKind::NotationSignature {
            continue;
        }
        let place = super::referrer::place(artifact);
        let Some(layer) = artifact.layers.first() else {
            out.push(if artifact.errors.is_empty() {
                let mut checks = super::check::Checks::default();
                checks.fail("integrity", "the signature manifest has no layer");
                SignatureVerdict::new(place, None, checks)
            } else {
                SignatureVerdict::unreadable(
                    place,
                    "integrity",
                    format!(
                        "the signature manifest could not be read: {}",
                        artifact.errors.join("; ")
                    ),
                )
            });
            continue;
        };
        let verdict = match &layer.content {
            LayerContent::Notation { envelope } => match envelope.as_ref() {
                Decoded::Ok(view) => verify_envelope(ctx, statement, image, &view.envelope, place),
                Decoded::Error(e) => pipeline::malformed(statement, place, e),
            },
            LayerContent::Unreadable { error } => SignatureVerdict::unreadable(
                place,
                "integrity",
                format!("the signature envelope could not be read: {error}"),
            ),
            _ => pipeline::malformed(
                statement,
                place,
                &format!(
                    "layer {} is not a notation signature envelope",
                    layer.media_type
                ),
            ),
        };
        // notation (oras-go) reads the referrers API where the registry answers it, and then
        // never the fallback tag: a signature only there is one notation does not see.
        let shadowed = matches!(artifact.found_via, Route::FallbackTag { .. })
            && image.referrers_api == Some(true);
        let mut verdict = verdict;
        if shadowed {
            verdict.not_counted = Some(
                "notation reads the referrers API where the registry has one, and this signature \
                 is only under the fallback tag (where notation sign puts it by default, \
                 --force-referrers-tag)"
                    .into(),
            );
        }
        out.push(verdict);
    }
    out
}
