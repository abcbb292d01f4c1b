//! Sigstore bundles attached to an image as OCI referrers (cosign v3's default for signatures and
//! attestations, cosign 2.x with `--new-bundle-format`, GitHub's `push-to-registry`), verified
//! with the bundle pipeline over the image digest, then with cosign's claims about the image.

use super::bundle::{Artifact, BundleOptions, ExpectedSigner, verify_bundle_with};
use super::check::Checks;
use super::policy::{Context, Signer};
use super::report::SignatureVerdict;
use super::storage::Candidate;
use crate::artifact::bundle::{BundleVersion, BundleView, ContentView};
use crate::artifact::in_toto::Statement;
use crate::inventory::layer::{Decoded, LayerContent};
use crate::inventory::model::{Artifact as Attached, ArtifactKind, ImageReport, Layer, Route};
use crate::reference::Digest;

/// The predicate type cosign v3 gives its image signatures.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// What a bundle must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted<'a> {
    /// An image signature, as cosign v3's `verify` takes one: any DSSE in-toto statement about
    /// the image (its own sign predicate, or an attestation: cosign v3 applies no predicate
    /// filter in `verify`); a message-signature bundle is not one.
    ImageSignature,
    /// An attestation of this predicate type (or of any type when `None`).
    Attestation(Option<&'a str>),
}

/// Where a referrer was found, for reports.
pub fn place(artifact: &Attached) -> String {
    match &artifact.found_via {
        Route::LegacyTag { tag } => format!("tag {tag}"),
        Route::ReferrersApi => format!("referrer {} (referrers API)", artifact.digest),
        Route::FallbackTag { tag } => format!("referrer {} (referrers tag {tag})", artifact.digest),
        Route::LayoutSubject => format!("referrer {} (by subject, in the layout)", artifact.digest),
    }
}

/// A checked candidate for every sigstore bundle referrer of `image`, each saying whether
/// cosign v3 would read it as a bundle at all (see [`super::storage`]).
pub fn bundle_candidates(ctx: &Context, image: &ImageReport, wanted: Wanted) -> Vec<Candidate> {
    image
        .artifacts
        .iter()
        .filter(|a| a.kind == ArtifactKind::SigstoreBundle)
        .map(|artifact| {
            let mut candidate = bundle_candidate(ctx, &image.digest, artifact, wanted);
            // go-containerregistry reads the fallback tag only when the registry has no
            // referrers API: cosign v3 never sees a bundle kept only under the tag there.
            if matches!(artifact.found_via, Route::FallbackTag { .. })
                && image.referrers_api == Some(true)
                && candidate.cosign_reads_bundle
            {
                candidate.cosign_reads_bundle = false;
                candidate.skipped_because = Some(
                    "cosign v3 reads the referrers API where the registry has one, and this \
                     bundle is only under the fallback tag"
                        .into(),
                );
            }
            candidate
        })
        .collect()
}

/// The verdicts of every bundle referrer, counted or not (for callers that select by
/// themselves).
pub fn bundle_verdicts(
    ctx: &Context,
    image: &ImageReport,
    wanted: Wanted,
) -> Vec<SignatureVerdict> {
    bundle_candidates(ctx, image, wanted)
        .into_iter()
        .map(|c| c.verdict)
        .collect()
}

fn bundle_candidate(
    ctx: &Context,
    image: &Digest,
    artifact: &Attached,
    wanted: Wanted,
) -> Candidate {
    let place = place(artifact);
    // cosign v3 (`pkg/oci/remote/signatures.go` `Bundle`): exactly one layer, of a sigstore
    // bundle media type, that parses as a bundle of v0.3 or later; anything else it skips.
    let layer = match artifact.layers.as_slice() {
        [] => {
            let reason = if artifact.errors.is_empty() {
                "the bundle referrer has no layer".to_owned()
            } else {
                format!(
                    "the bundle referrer could not be read: {}",
                    artifact.errors.join("; ")
                )
            };
            let unreadable = !artifact.errors.is_empty();
            let verdict = if unreadable {
                SignatureVerdict::unreadable(place, "bundle", reason.clone())
            } else {
                let mut checks = Checks::default();
                checks.fail("bundle", reason.clone());
                SignatureVerdict::new(place, None, checks)
            };
            return Candidate::bundle(verdict, Some(reason));
        }
        [layer] => layer,
        layers => {
            let mut checks = Checks::default();
            checks.fail(
                "bundle",
                format!(
                    "the bundle referrer has {} layers; a bundle referrer holds exactly one",
                    layers.len()
                ),
            );
            return Candidate::bundle(
                SignatureVerdict::new(place, None, checks),
                Some("cosign v3 reads a bundle referrer only with exactly one layer".into()),
            );
        }
    };
    bundle_layer(ctx, image, layer, place, wanted)
}

fn bundle_layer(
    ctx: &Context,
    image: &Digest,
    layer: &Layer,
    place: String,
    wanted: Wanted,
) -> Candidate {
    let (bundle, bytes) = match &layer.content {
        LayerContent::Bundle { bundle, bytes } => (bundle, bytes),
        LayerContent::Unreadable { error } => {
            return Candidate::bundle(
                SignatureVerdict::unreadable(place, "bundle", error.clone()),
                Some(format!("the bundle could not be read: {error}")),
            );
        }
        _ if layer
            .media_type
            .starts_with("application/vnd.dev.sigstore.bundle")
            && BundleVersion::from_media_type(&layer.media_type).is_none() =>
        {
            // A newer bundle format than this version knows: it might verify.
            let reason = format!(
                "not understood: bundle media type {} is newer than sigscope reads",
                layer.media_type
            );
            return Candidate::bundle(
                SignatureVerdict::unreadable(place, "bundle", reason.clone()),
                Some(reason),
            );
        }
        _ => {
            let mut checks = Checks::default();
            checks.mismatch(
                "bundle",
                "the referrer's layer is not a sigstore bundle",
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                layer.media_type.clone(),
            );
            return Candidate::bundle(
                SignatureVerdict::new(place, None, checks),
                Some("its layer is not a sigstore bundle".into()),
            );
        }
    };
    let mut checks = Checks::default();
    let skipped = match bundle.as_ref() {
        Decoded::Ok(view) if view.version != BundleVersion::V0_3 => Some(format!(
            "cosign v3 reads bundles of v0.3 or later from registries; this one is {}",
            view.media_type
        )),
        Decoded::Ok(_) => None,
        Decoded::Error(e) => {
            checks.fail("bundle", e.clone());
            Some(format!(
                "cosign v3 passes over a bundle it cannot parse ({e})"
            ))
        }
    };
    if let Decoded::Ok(view) = bundle.as_ref() {
        check_kind(view, wanted, &mut checks);
    }
    let expected = match &ctx.policy.signer {
        Signer::Key(k) => ExpectedSigner::Key(k.clone()),
        Signer::Keyless(id) => ExpectedSigner::Identity(id.clone()),
    };
    let digest: [u8; 32] = image.bytes().try_into().unwrap_or([0; 32]);
    let options = BundleOptions {
        ignore_tlog: ctx.policy.ignore_tlog,
        ignore_sct: ctx.policy.ignore_sct,
    };
    let report = verify_bundle_with(
        bytes.as_slice(),
        &Artifact::from_digest(digest),
        &expected,
        ctx.trust,
        options,
    );
    checks.0.extend(report.checks.0);
    if let Decoded::Ok(view) = bundle.as_ref() {
        check_claims(ctx, view, image, &mut checks);
    }
    // The name sigstore-go matched the identity policy against.
    let signer = bundle
        .ok()
        .and_then(|b| b.leaf_certificate())
        .and_then(super::sans::sigstore_go_san);
    Candidate::bundle(SignatureVerdict::new(place, signer, checks), skipped)
}

/// The bundle's content against what is wanted: cosign v3 verifies only DSSE bundles on images
/// ("bundle does not contain a DSSE envelope", `pkg/cosign/verify.go`).
fn check_kind(view: &BundleView, wanted: Wanted, checks: &mut Checks) {
    // A DSSE payload that is not an in-toto statement is no signature or attestation of an
    // image (cosign v3 parses the payload as an in-toto statement and fails otherwise).
    if let ContentView::Dsse(dsse) = &view.content
        && dsse.envelope.payload_type != crate::artifact::dsse::IN_TOTO_PAYLOAD_TYPE
    {
        checks.mismatch(
            "bundle kind",
            "the envelope's payloadType is not in-toto's: its payload is not an attestation",
            crate::artifact::dsse::IN_TOTO_PAYLOAD_TYPE,
            dsse.envelope.payload_type.clone(),
        );
        return;
    }
    let actual = match &view.content {
        ContentView::MessageSignature { .. } => None,
        ContentView::Dsse(dsse) => match &dsse.statement {
            Some(Ok(s)) => Some(s.predicate_type.as_str()),
            _ => Some("(no readable statement)"),
        },
    };
    match (wanted, actual) {
        (_, None) => checks.mismatch(
            "bundle kind",
            "a message-signature bundle: cosign verifies only DSSE bundles on images",
            "a DSSE envelope",
            "a message signature",
        ),
        (Wanted::ImageSignature, Some(COSIGN_SIGN_PREDICATE)) => {
            checks.pass("bundle kind", "a cosign image signature statement")
        }
        (Wanted::ImageSignature, Some(other)) => checks.pass(
            "bundle kind",
            format!(
                "an attestation ({other}), which cosign v3's verify counts as an image signature"
            ),
        ),
        (Wanted::Attestation(None), Some(a)) => {
            checks.pass("predicate type", format!("{a} (any type accepted)"))
        }
        (Wanted::Attestation(Some(w)), Some(a)) if w == a => checks.pass("predicate type", w),
        (Wanted::Attestation(Some(w)), Some(a)) => checks.mismatch(
            "predicate type",
            format!("the bundle is not a {w} attestation"),
            w,
            a,
        ),
    }
}

/// cosign's claims about the image (`IntotoSubjectClaimVerifier`): a subject whose `sha256` is
/// exactly this image's digest, carrying every `-a` annotation with the same JSON value (a
/// string: cosign compares typed values, so the number 5 is not "5").
fn check_claims(ctx: &Context, view: &BundleView, image: &Digest, checks: &mut Checks) {
    let ContentView::Dsse(dsse) = &view.content else {
        return;
    };
    let Some(Ok(statement)) = &dsse.statement else {
        return;
    };
    let wanted = image.to_string();
    let subject = statement.subject.iter().find(|s| {
        s.digest
            .get("sha256")
            .is_some_and(|d| format!("sha256:{d}") == wanted)
    });
    let Some(subject) = subject else {
        checks.mismatch(
            "claims",
            "no subject of the statement names this image's sha256 digest exactly",
            wanted,
            subjects(statement),
        );
        return;
    };
    checks.pass(
        "claims",
        format!("subject {:?} is this image", subject.name),
    );
    let annotations = subject.unknown.get("annotations");
    super::annotations::check(
        &ctx.policy.annotations,
        annotations.and_then(|a| a.as_object()),
        checks,
    );
}

fn subjects(statement: &Statement) -> String {
    statement
        .subject
        .iter()
        .flat_map(|s| s.digest.iter().map(|(a, d)| format!("{a}:{d}")))
        .collect::<Vec<_>>()
        .join(", ")
}
