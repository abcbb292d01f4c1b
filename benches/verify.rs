//! Criterion benches for verification (BENCHMARKS.md): one keyless signature verified end to end
//! in-process (certificate chain, embedded SCT, Rekor SET, identity, the signature over the
//! payload) beside the raw ECDSA P-256 verifications that pipeline contains; decoding one sigstore
//! bundle. `cargo bench --bench verify`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sigscope::demo::{self, DemoLayout};
use sigscope::inventory::discover::{DiscoverOptions, Discovery};
use sigscope::inventory::model::ImageReport;
use sigscope::registry::any::AnySource;
use sigscope::registry::remote::RemoteOptions;
use sigscope::target::Target;
use sigscope::trust::TrustedRoot;
use sigscope::verify::bundle::{Artifact as BundleArtifact, ExpectedSigner, verify_bundle};
use sigscope::verify::cosign::verify_image;
use sigscope::verify::identity::{IdentityPolicy, Matcher};
use sigscope::verify::key::PublicKey;
use sigscope::verify::policy::{Context, FixedClock, Policy, Signer};
use sigscope_core::fixture::{Identity, SigningOptions, VirtualSigstore};

/// 2026-11-01T00:00:00Z
const NOW: i64 = 1_793_491_200;

/// The embedded demo's v1.0.0, as discovery reads it from an OCI layout.
fn demo_image() -> ImageReport {
    let dir = tempfile::tempdir().unwrap();
    let layout = DemoLayout::write(dir.path()).unwrap();
    let target = Target::parse(&format!("oci:{}", layout.path().display())).unwrap();
    let source = AnySource::open(&target, RemoteOptions::default()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (discovery, _) = Discovery::new(&source, DiscoverOptions::default()).await;
        discovery.image("v1.0.0").await.unwrap()
    })
}

fn keyless(c: &mut Criterion) {
    let image = demo_image();
    let trust = TrustedRoot::from_json("demo", demo::trusted_root_json()).unwrap();
    let policy = Policy {
        signer: Signer::Keyless(IdentityPolicy {
            subject: Matcher::regex(demo::CI_IDENTITY_REGEXP).unwrap(),
            issuer: Matcher::Exact(demo::CI_ISSUER.to_owned()),
            claims: Vec::new(),
        }),
        annotations: Vec::new(),
        ignore_tlog: false,
        ignore_sct: false,
        storage: sigscope::verify::storage::Storage::COSIGN_V3,
    };
    let clock = FixedClock(NOW);
    let ctx = Context {
        policy: &policy,
        trust: &trust,
        clock: &clock,
    };
    assert!(
        verify_image(&ctx, "v1.0.0", &image).verified().is_some(),
        "the demo's v1.0.0 verifies"
    );
    c.bench_function("keyless signature, end to end (v1.0.0 of the demo)", |b| {
        b.iter(|| verify_image(black_box(&ctx), "v1.0.0", black_box(&image)))
    });

    // The same, with the trusted root loaded for this one signature: what a single-image run
    // pays (the trusted root's own certificates are parsed, and their signatures checked, once
    // per root, so later signatures skip that).
    c.bench_function(
        "keyless signature, end to end, trusted root loaded fresh (v1.0.0 of the demo)",
        |b| {
            b.iter(|| {
                let trust = TrustedRoot::from_json("demo", demo::trusted_root_json()).unwrap();
                let ctx = Context {
                    policy: &policy,
                    trust: &trust,
                    clock: &clock,
                };
                verify_image(black_box(&ctx), "v1.0.0", black_box(&image))
            })
        },
    );

    // The raw checks inside it: ECDSA P-256 over SHA-256, through the same ring-backed key type.
    // Per signature the path verifies 4 signatures: the leaf certificate's (by the Fulcio
    // intermediate), the embedded SCT's (by the CT log), the SET's (by Rekor) and the one over
    // the payload (by the leaf's key). A freshly loaded root adds 2, once: the intermediate's
    // (by the root) and the root's own.
    let key = sigscope_core::fixture::FixtureKey::derive("bench/raw");
    let public = PublicKey::from_spki_der(&key.spki_der().unwrap()).unwrap();
    let message = vec![7u8; 1024];
    let signature = key.sign(&message);
    assert!(public.verify_default(&message, &signature));
    c.bench_function("raw ECDSA P-256 verification, x1", |b| {
        b.iter(|| public.verify_default(black_box(&message), black_box(&signature)))
    });
    c.bench_function(
        "raw ECDSA P-256 verifications, x4 (leaf certificate, SCT, SET, payload signature)",
        |b| {
            b.iter(|| {
                (0..4).all(|_| public.verify_default(black_box(&message), black_box(&signature)))
            })
        },
    );
    c.bench_function(
        "raw ECDSA P-256 verifications, x5 (a bundle's: leaf certificate, SCT, SET, checkpoint, signature)",
        |b| {
            b.iter(|| {
                (0..5).all(|_| public.verify_default(black_box(&message), black_box(&signature)))
            })
        },
    );
    c.bench_function(
        "raw ECDSA P-256 verifications, x6 (the 4, plus intermediate and root of a fresh root)",
        |b| {
            b.iter(|| {
                (0..6).all(|_| public.verify_default(black_box(&message), black_box(&signature)))
            })
        },
    );
}

fn bundle(c: &mut Criterion) {
    let mut sigstore = VirtualSigstore::new("bench", 1_790_000_000 - 86_400).unwrap();
    let identity = Identity::email("dev@acme.example", "https://accounts.example.com");
    // Earlier entries in the log, so the inclusion proof has hashes to climb.
    for i in 0..7u64 {
        let earlier = format!("earlier {i}");
        sigstore
            .sign(
                &identity,
                earlier.as_bytes(),
                1_790_000_000 + i,
                SigningOptions::default(),
            )
            .unwrap();
    }
    let sig = sigstore
        .sign(
            &identity,
            b"payload",
            1_790_000_100,
            SigningOptions::default(),
        )
        .unwrap();
    let bundle = sigstore.message_bundle(&sig).unwrap();
    let entry = &bundle["verificationMaterial"]["tlogEntries"][0];
    assert!(
        entry["inclusionProof"]["hashes"]
            .as_array()
            .is_some_and(|h| !h.is_empty())
            && entry["inclusionProof"]["checkpoint"]["envelope"].is_string()
            && entry["inclusionPromise"]["signedEntryTimestamp"].is_string(),
        "the bench bundle carries an inclusion proof, a checkpoint and a SET"
    );
    let bytes = serde_json::to_vec(&bundle).unwrap();
    sigscope::artifact::bundle::decode_bundle(&bytes).unwrap();
    c.bench_function("decode one sigstore bundle v0.3", |b| {
        b.iter(|| sigscope::artifact::bundle::decode_bundle(black_box(&bytes)))
    });

    let root_json = serde_json::to_vec(&sigstore.trusted_root().unwrap()).unwrap();
    let trust = TrustedRoot::from_json("bench", &root_json).unwrap();
    let expected = ExpectedSigner::Identity(IdentityPolicy {
        subject: Matcher::Exact("dev@acme.example".to_owned()),
        issuer: Matcher::Exact("https://accounts.example.com".to_owned()),
        claims: Vec::new(),
    });
    let artifact = BundleArtifact::from_bytes(b"payload".to_vec());
    assert!(
        verify_bundle(&bytes, &artifact, &expected, &trust)
            .verified()
            .is_some(),
        "the bench bundle verifies"
    );
    // Per bundle the path verifies 5 signatures (the leaf certificate's, the SCT's, the SET's,
    // the checkpoint's and the one over the artifact) and hashes the Merkle path.
    c.bench_function(
        "keyless sigstore bundle v0.3, end to end (chain, SCT, SET, inclusion proof, checkpoint, signature)",
        |b| b.iter(|| verify_bundle(black_box(&bytes), &artifact, &expected, black_box(&trust))),
    );
}

criterion_group!(benches, keyless, bundle);
criterion_main!(benches);
