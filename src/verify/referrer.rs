//! Sigstore bundles attached to an image as OCI referrers (cosign v3, or cosign 2.x with
//! `--new-bundle-format`), verified with the bundle pipeline over the image digest, plus the
//! predicate type the caller wants.

use super::bundle::{Artifact, BundleOptions, ExpectedSigner, verify_bundle_with};
use super::check::Checks;
use super::policy::{Context, Signer};
use super::report::SignatureVerdict;
use crate::artifact::bundle::{BundleView, ContentView};
use crate::inventory::layer::{Decoded, LayerContent};
use crate::inventory::model::{ArtifactKind, ImageReport, Route};

/// The predicate type cosign v3 gives its image signatures.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// What the bundle must be about: `None` accepts an image signature (a message signature, or
/// a statement of the cosign sign predicate); `Some(t)` an attestation of type `t`.
pub fn bundle_verdicts(
    ctx: &Context,
    image: &ImageReport,
    predicate: Option<&str>,
) -> Vec<SignatureVerdict> {
    let expected = match &ctx.policy.signer {
        Signer::Key(k) => ExpectedSigner::Key(k.clone()),
        Signer::Keyless(id) => ExpectedSigner::Identity(id.clone()),
    };
    let digest: [u8; 32] = image.digest.bytes().try_into().unwrap_or([0; 32]);
    let options = BundleOptions {
        ignore_tlog: ctx.policy.ignore_tlog,
    };
    let mut out = Vec::new();
    for artifact in image
        .artifacts
        .iter()
        .filter(|a| a.kind == ArtifactKind::SigstoreBundle)
    {
        let place = match &artifact.found_via {
            Route::LegacyTag { tag } => format!("tag {tag}"),
            Route::ReferrersApi => format!("referrer {} (API)", artifact.digest),
            Route::FallbackTag { tag } => format!("referrer {} (tag {tag})", artifact.digest),
        };
        for layer in &artifact.layers {
            let LayerContent::Bundle { bundle, bytes } = &layer.content else {
                if let LayerContent::Unreadable { error } = &layer.content {
                    out.push(SignatureVerdict::unreadable(
                        place.clone(),
                        "bundle",
                        error.clone(),
                    ));
                }
                continue;
            };
            let mut checks = Checks::default();
            match bundle.as_ref() {
                Decoded::Ok(view) => check_predicate(view, predicate, &mut checks),
                Decoded::Error(e) => checks.fail("bundle", e.clone()),
            }
            let report = verify_bundle_with(
                bytes,
                &Artifact::from_digest(digest),
                &expected,
                ctx.trust,
                options,
            );
            checks.0.extend(report.checks.0);
            let signer = bundle
                .ok()
                .and_then(|b| b.leaf_certificate())
                .and_then(|c| c.identity())
                .map(str::to_owned);
            out.push(SignatureVerdict::new(place.clone(), signer, checks));
        }
    }
    out
}

fn check_predicate(view: &BundleView, wanted: Option<&str>, checks: &mut Checks) {
    let actual = match &view.content {
        ContentView::MessageSignature { .. } => None,
        ContentView::Dsse(dsse) => match &dsse.statement {
            Some(Ok(s)) => Some(s.predicate_type.as_str()),
            _ => Some("(no readable statement)"),
        },
    };
    match (wanted, actual) {
        (None, None) => checks.pass("bundle kind", "a message signature over the image"),
        (None, Some(COSIGN_SIGN_PREDICATE)) => {
            checks.pass("bundle kind", "a cosign image signature statement")
        }
        (None, Some(other)) => checks.mismatch(
            "bundle kind",
            format!("the bundle is an attestation ({other}), not an image signature"),
            COSIGN_SIGN_PREDICATE,
            other,
        ),
        (Some(w), Some(a)) if w == a => checks.pass("predicate type", w),
        (Some(w), a) => checks.mismatch(
            "predicate type",
            format!("the bundle is not a {w} attestation"),
            w,
            a.unwrap_or("a message signature"),
        ),
    }
}
