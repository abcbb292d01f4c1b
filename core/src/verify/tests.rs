//! The cosign pipeline on fixture material, without a registry.

use super::check::Outcome;
use super::cosign::verify_signature;
use super::identity::{IdentityPolicy, Matcher};
use super::policy::{Context, FixedClock, Policy, Signer};
use crate::artifact::simple_signing::SimpleSigning;
use crate::fixture::{Identity, SigningOptions, VirtualSigstore};
use crate::inventory::layer::{LayerContent, SIMPLE_SIGNING, annotation, decode_layer};
use crate::reference::Digest;
use crate::registry::Descriptor;
use crate::trust::TrustedRoot;

const AT: u64 = 1_760_000_000;

struct Case {
    sigstore: VirtualSigstore,
    trust: TrustedRoot,
    image: Digest,
}

fn case() -> Case {
    let sigstore = VirtualSigstore::new("unit-verify", AT - 86_400).unwrap();
    let json = serde_json::to_vec(&sigstore.trusted_root().unwrap()).unwrap();
    Case {
        trust: TrustedRoot::from_json("unit", &json).unwrap(),
        sigstore,
        image: Digest::sha256_of(b"the image"),
    }
}

fn layer(
    c: &mut Case,
    identity: &Identity,
    image: &Digest,
) -> crate::inventory::layer::SignatureLayer {
    let payload = serde_json::to_vec(&SimpleSigning::for_image("r/app", image)).unwrap();
    let sig = c
        .sigstore
        .sign(identity, &payload, AT, SigningOptions::default())
        .unwrap();
    let annotations = [
        (annotation::SIGNATURE, sig.signature_base64()),
        (annotation::CERTIFICATE, sig.certificate_pem()),
        (annotation::BUNDLE, sig.cosign_bundle().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let d = Descriptor {
        media_type: SIMPLE_SIGNING.into(),
        digest: Digest::sha256_of(&payload),
        size: payload.len() as u64,
        annotations,
        platform: None,
        artifact_type: None,
    };
    match decode_layer(&d, &payload) {
        LayerContent::Signature(s) => *s,
        _ => panic!("not a signature"),
    }
}

fn keyless(subject: &str, issuer: &str, ignore_tlog: bool) -> Policy {
    Policy {
        signer: Signer::Keyless(IdentityPolicy {
            subject: Matcher::Exact(subject.into()),
            issuer: Matcher::Exact(issuer.into()),
            claims: Vec::new(),
        }),
        annotations: Vec::new(),
        ignore_tlog,
        ignore_sct: false,
        storage: crate::verify::storage::Storage::COSIGN_V3,
    }
}

#[test]
fn a_good_signature_passes_every_check_and_the_wrong_image_fails_one() {
    let mut c = case();
    let id = Identity::email("dev@example.com", "https://issuer.example");
    let image = c.image.clone();
    let sig = layer(&mut c, &id, &image);
    let policy = keyless("dev@example.com", "https://issuer.example", false);
    let ctx = Context {
        policy: &policy,
        trust: &c.trust,
        clock: &FixedClock(0),
    };
    let v = verify_signature(&ctx, &c.image, &sig, "unit".into());
    assert!(v.verified, "{:#?}", v.checks);
    let other = Digest::sha256_of(b"another image");
    let v = verify_signature(&ctx, &other, &sig, "unit".into());
    let failed: Vec<_> = v.checks.failures().map(|f| f.name).collect();
    assert_eq!(failed, ["payload digest"]);
}

#[test]
fn without_the_log_the_certificate_is_checked_at_the_clock_time() {
    let mut c = case();
    let id = Identity::email("dev@example.com", "https://issuer.example");
    let image = c.image.clone();
    let sig = layer(&mut c, &id, &image);
    let policy = keyless("dev@example.com", "https://issuer.example", true);
    let during = Context {
        policy: &policy,
        trust: &c.trust,
        clock: &FixedClock(AT as i64 + 60),
    };
    let v = verify_signature(&during, &c.image, &sig, "unit".into());
    assert!(v.verified, "{:#?}", v.checks);
    assert!(
        v.checks
            .0
            .iter()
            .any(|ch| ch.name == "tlog" && matches!(ch.outcome, Outcome::Skipped { .. }))
    );
    let later = Context {
        policy: &policy,
        trust: &c.trust,
        clock: &FixedClock(AT as i64 + 3600),
    };
    let v = verify_signature(&later, &c.image, &sig, "unit".into());
    assert_eq!(
        v.checks.failures().map(|f| f.name).collect::<Vec<_>>(),
        ["chain"]
    );
}

#[test]
fn a_cosign_timestamp_annotation_verifies_against_the_trusted_tsa_and_dates_the_signature() {
    use crate::inventory::layer::{Decoded, SigningMaterial};
    let Some(dir) = crate::testing::shared_fixtures() else {
        return;
    };
    let case = dir
        .join("sigstore-conformance/test/assets/bundle-verify/rekor2-timestamp-with-embedded-cert");
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case.join("bundle.sigstore.json")).unwrap()).unwrap();
    let b64 = |v: &serde_json::Value| {
        crate::artifact::error::decode_base64("t", &v.as_str().unwrap().replace('\n', "")).unwrap()
    };
    let token = b64(
        &bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"],
    );
    let signature = b64(&bundle["messageSignature"]["signature"]);
    let trust_file = case.join("trusted_root.json");
    let trust = match std::fs::read(&trust_file) {
        Ok(bytes) => TrustedRoot::from_json("case", &bytes).unwrap(),
        Err(_) => TrustedRoot::public_good().unwrap(),
    };
    let material = SigningMaterial {
        timestamp: Some(Decoded::Error("not needed".into())),
        timestamp_der: Some(token),
        ..SigningMaterial::default()
    };
    let policy = keyless("x", "y", true);
    let ctx = Context {
        policy: &policy,
        trust: &trust,
        clock: &FixedClock(0),
    };
    let mut checks = super::check::Checks::default();
    let t = super::signing::check_timestamp(&ctx, &material, Some(&signature), &mut checks);
    assert_eq!(t, Some(1_754_506_296), "{checks:#?}");
    assert_eq!(
        super::signing::signing_time(&ctx, &material, t),
        1_754_506_296
    );
    let mut checks = super::check::Checks::default();
    assert_eq!(
        super::signing::check_timestamp(&ctx, &material, Some(b"another signature"), &mut checks),
        None
    );
    assert_eq!(checks.failures().next().map(|c| c.name), Some("timestamp"));
}
