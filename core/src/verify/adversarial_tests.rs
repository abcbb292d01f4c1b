//! Adversarial material against the cosign pipeline, without a registry (issue 17): each class
//! found against cosign v3, and the published verification bypasses of the peers, each as a
//! regression test of the check that stops it. The registry-level twins, with cosign v3's
//! verdict asserted, are in tests/it/differential_adversarial.rs.

use super::check::Outcome;
use super::cosign::verify_signature;
use super::identity::{IdentityPolicy, Matcher};
use super::policy::{Context, FixedClock, Policy, Signer};
use super::report::SignatureVerdict;
use crate::artifact::simple_signing::SimpleSigning;
use crate::fixture::{
    EntryOptions, ExtraSan, Identity, KeylessSignature, LeafOptions, SigningOptions,
    VirtualSigstore, cosign_bundle,
};
use crate::inventory::layer::{LayerContent, SIMPLE_SIGNING, annotation, decode_layer};
use crate::reference::Digest;
use crate::registry::Descriptor;
use crate::trust::TrustedRoot;

const AT: u64 = 1_760_000_000;
const ISSUER: &str = "https://issuer.example";
const EMAIL: &str = "dev@example.com";

struct Bed {
    sigstore: VirtualSigstore,
    trust: TrustedRoot,
    image: Digest,
}

fn bed() -> Bed {
    let sigstore = VirtualSigstore::new("adversarial", AT - 86_400).unwrap();
    let json = serde_json::to_vec(&sigstore.trusted_root().unwrap()).unwrap();
    Bed {
        trust: TrustedRoot::from_json("unit", &json).unwrap(),
        sigstore,
        image: Digest::sha256_of(b"the image"),
    }
}

fn payload(image: &Digest) -> Vec<u8> {
    serde_json::to_vec(&SimpleSigning::for_image("r/app", image)).unwrap()
}

fn sign(b: &mut Bed, leaf: LeafOptions) -> KeylessSignature {
    let p = payload(&b.image);
    b.sigstore
        .sign(
            &Identity::email(EMAIL, ISSUER),
            &p,
            AT,
            SigningOptions {
                leaf,
                ..SigningOptions::default()
            },
        )
        .unwrap()
}

/// The `.sig` layer cosign would store for `sig` (its Rekor bundle from `entry`).
fn layer(sig: &KeylessSignature, entry: &crate::fixture::LogEntry) -> LayerContent {
    let annotations = [
        (annotation::SIGNATURE, sig.signature_base64()),
        (annotation::CERTIFICATE, sig.certificate_pem()),
        (annotation::BUNDLE, cosign_bundle(entry).to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let d = Descriptor {
        media_type: SIMPLE_SIGNING.into(),
        digest: Digest::sha256_of(&sig.payload),
        size: sig.payload.len() as u64,
        annotations,
        platform: None,
        artifact_type: None,
    };
    decode_layer(&d, &sig.payload)
}

fn policy(subject: &str, issuer: &str) -> Policy {
    Policy {
        signer: Signer::Keyless(IdentityPolicy {
            subject: Matcher::Exact(subject.into()),
            issuer: Matcher::Exact(issuer.into()),
            claims: Vec::new(),
        }),
        annotations: Vec::new(),
        ignore_tlog: false,
        ignore_sct: false,
        storage: crate::verify::storage::Storage::COSIGN_V3,
    }
}

fn verify(b: &Bed, content: &LayerContent, policy: &Policy) -> SignatureVerdict {
    let LayerContent::Signature(sig) = content else {
        panic!("not a signature layer")
    };
    let ctx = Context {
        policy,
        trust: &b.trust,
        clock: &FixedClock(AT as i64 + 60),
    };
    verify_signature(&ctx, &b.image, sig, "unit".into())
}

fn failed(v: &SignatureVerdict) -> Vec<&'static str> {
    v.checks.failures().map(|c| c.name).collect()
}

fn reason(v: &SignatureVerdict, name: &str) -> String {
    v.checks
        .0
        .iter()
        .find(|c| c.name == name)
        .map(|c| format!("{:?}", c.outcome))
        .unwrap_or_default()
}

#[test]
fn a_leaf_with_an_unknown_critical_extension_fails_the_chain() {
    let mut b = bed();
    let sig = sign(
        &mut b,
        LeafOptions {
            unknown_critical_extension: true,
            ..LeafOptions::default()
        },
    );
    let v = verify(&b, &layer(&sig, &sig.entry), &policy(EMAIL, ISSUER));
    assert_eq!(failed(&v), ["chain"], "{:#?}", v.checks);
    assert!(reason(&v, "chain").contains("critical extension that is not understood"));
}

// Fulcio writes the issuer in .1 (deprecated, raw) and .8 (DER); cosign's legacy path reads .1
// only and sigstore-go the later of the two. Two different issuers: trusted for neither.
#[test]
fn disagreeing_issuer_extensions_verify_for_neither_issuer() {
    let mut b = bed();
    let sig = sign(
        &mut b,
        LeafOptions {
            deprecated_issuer: Some("https://evil.example"),
            ..LeafOptions::default()
        },
    );
    let l = layer(&sig, &sig.entry);
    for issuer in [ISSUER, "https://evil.example"] {
        let v = verify(&b, &l, &policy(EMAIL, issuer));
        assert_eq!(failed(&v), ["issuer"], "{issuer}: {:#?}", v.checks);
        let why = reason(&v, "issuer");
        assert!(
            why.contains("conflicting issuer extensions")
                && why.contains("https://evil.example")
                && why.contains(ISSUER),
            "{why}"
        );
    }
    // Only .8 (Fulcio's current extension): it names the issuer. Only .1: likewise.
    for arc in [8, 1] {
        let sig = sign(
            &mut b,
            LeafOptions {
                only_issuer_arc: Some(arc),
                ..LeafOptions::default()
            },
        );
        let v = verify(&b, &layer(&sig, &sig.entry), &policy(EMAIL, ISSUER));
        assert!(v.verified, ".{arc} only: {:#?}", v.checks);
    }
}

#[test]
fn the_headline_names_the_san_that_matched() {
    let mut b = bed();
    let sig = sign(
        &mut b,
        LeafOptions {
            extra_sans: &[ExtraSan::Email("first@example.com")],
            extra_sans_first: true,
            ..LeafOptions::default()
        },
    );
    let v = verify(&b, &layer(&sig, &sig.entry), &policy(EMAIL, ISSUER));
    assert!(v.verified, "{:#?}", v.checks);
    assert_eq!(v.signer.as_deref(), Some(EMAIL));
}

#[test]
fn ip_and_uri_sans_compare_as_go_prints_them() {
    let mut b = bed();
    let sig = sign(
        &mut b,
        LeafOptions {
            extra_sans: &[
                ExtraSan::Ip(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]),
                ExtraSan::Uri("HTTPS://Build.Example/x"),
                ExtraSan::ForeignOtherName("mallory"),
            ],
            ..LeafOptions::default()
        },
    );
    let l = layer(&sig, &sig.entry);
    for (identity, ok) in [
        ("10.1.2.3", true),
        ("::ffff:10.1.2.3", false),
        ("https://Build.Example/x", true),
        ("HTTPS://Build.Example/x", false),
        // An otherName of a foreign type is no identity cosign reads.
        ("mallory", false),
    ] {
        let v = verify(&b, &l, &policy(identity, ISSUER));
        assert_eq!(v.verified, ok, "{identity}: {:#?}", v.checks);
    }
}

#[test]
fn base64_with_line_breaks_and_raw_ecdsa_signatures_verify_as_cosign_reads_them() {
    let mut b = bed();
    let sig = sign(&mut b, LeafOptions::default());
    let LayerContent::Signature(mut content) = layer(&sig, &sig.entry) else {
        panic!()
    };
    let b64 = sig.signature_base64();
    let wrapped: String = b64
        .as_bytes()
        .chunks(20)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n");
    content.material.signature = Some(wrapped);
    let v = verify(
        &b,
        &LayerContent::Signature(content.clone()),
        &policy(EMAIL, ISSUER),
    );
    assert!(v.verified, "{:#?}", v.checks);
    // The same signature as IEEE P1363 r‖s verifies the payload (sigstore's ECDSAVerifier);
    // the log entry records the DER form, so only the signature check is asked here.
    let key =
        crate::verify::key::PublicKey::from_spki_der(&sig.signer.spki_der().unwrap()).unwrap();
    let der = p256::ecdsa::Signature::from_der(&sig.signature).unwrap();
    let raw = der.to_bytes().to_vec();
    assert!(key.verify(
        &sig.payload,
        &raw,
        crate::verify::key::HashAlgorithm::Sha256,
        crate::verify::key::RsaPadding::Pkcs1v15
    ));
    assert!(!key.verify(
        &sig.payload[1..],
        &raw,
        crate::verify::key::HashAlgorithm::Sha256,
        crate::verify::key::RsaPadding::Pkcs1v15
    ));
}

// GHSA-whqx-f9j3-ch6m (cosign < 3.0.4): a Rekor bundle whose SET verifies, but whose entry is
// another signature's, made the signature look logged. The entry must name this signature,
// signer and payload (`check_tlog` → `tlog::body_matches`).
#[test]
fn ghsa_whqx_a_rekor_entry_not_bound_to_the_signature_is_refused() {
    let mut b = bed();
    let sig = sign(&mut b, LeafOptions::default());
    let other = sign(&mut b, LeafOptions::default());
    // Our signature and certificate, the other signature's (validly signed) log entry.
    let v = verify(&b, &layer(&sig, &other.entry), &policy(EMAIL, ISSUER));
    assert!(!v.verified, "{:#?}", v.checks);
    assert!(failed(&v).contains(&"tlog entry"), "{:#?}", v.checks);
}

// sigstore-go#611: the entry's artifact digest is compared too, not only its signature and
// signer (signatures are malleable, so an entry with this signature may log other content).
#[test]
fn sigstore_go_611_an_entry_logging_other_content_is_refused() {
    let mut b = bed();
    let sig = sign(&mut b, LeafOptions::default());
    let body = crate::fixture::hashedrekord_body(
        &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"other content")),
        &sig.signature,
        &sig.certificate_pem(),
    );
    let entry = b
        .sigstore
        .rekor
        .append(
            "hashedrekord",
            "0.0.1",
            &body,
            AT as i64 + 1,
            EntryOptions::default(),
        )
        .unwrap();
    let v = verify(&b, &layer(&sig, &entry), &policy(EMAIL, ISSUER));
    assert_eq!(failed(&v), ["tlog entry"], "{:#?}", v.checks);
    assert!(reason(&v, "tlog entry").contains("records content sha256:"));
}

// GHSA-fx35-mq7g-6g98 (cosign < 3.1.3): a public key where the certificate belongs was trusted
// as the signer, skipping the chain and identity checks. A keyless policy needs a certificate
// that parses as one; a key in its place is refused, never used.
#[test]
fn ghsa_fx35_a_public_key_in_the_certificate_annotation_is_not_a_signer() {
    let mut b = bed();
    let sig = sign(&mut b, LeafOptions::default());
    let LayerContent::Signature(mut content) = layer(&sig, &sig.entry) else {
        panic!()
    };
    content.material.certificate = Some(crate::inventory::layer::Decoded::from_result(
        crate::artifact::certificate::decode_pem_certificates(
            "certificate",
            &sig.signer.public_pem().unwrap(),
        )
        .map(|mut c| c.remove(0)),
    ));
    let v = verify(
        &b,
        &LayerContent::Signature(content),
        &policy(EMAIL, ISSUER),
    );
    assert!(!v.verified);
    assert_eq!(failed(&v).first(), Some(&"certificate"), "{:#?}", v.checks);
    assert!(
        !v.checks
            .0
            .iter()
            .any(|c| c.name == "signature" && matches!(c.outcome, Outcome::Passed { .. })),
        "the key in the annotation must never verify the signature: {:#?}",
        v.checks
    );
}

#[test]
fn an_entry_integrated_in_the_future_is_shown_without_failing() {
    let mut b = bed();
    let sig = sign(&mut b, LeafOptions::default());
    let policy = policy(EMAIL, ISSUER);
    let LayerContent::Signature(content) = layer(&sig, &sig.entry) else {
        panic!()
    };
    let ctx = Context {
        policy: &policy,
        trust: &b.trust,
        clock: &FixedClock(AT as i64 - 3600),
    };
    let v = verify_signature(&ctx, &b.image, &content, "unit".into());
    assert!(v.verified, "{:#?}", v.checks);
    assert!(
        v.checks
            .0
            .iter()
            .any(|c| c.name == "integrated time" && matches!(c.outcome, Outcome::Logged { .. })),
        "{:#?}",
        v.checks
    );
}

// SECURITY.md, "stricter than cosign v3": JSON that means one thing to Go's encoding/json
// (last duplicate wins, names match case-insensitively) is not read at all.
#[test]
fn duplicate_and_case_folded_json_keys_are_not_read() {
    use crate::artifact::error::parse_json;
    use crate::artifact::in_toto::Statement;
    let critical = |digest: &str| {
        format!(
            r#"{{"identity":{{"docker-reference":"r/app"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}}"#
        )
    };
    let a = critical("sha256:aa");
    let b = critical("sha256:bb");
    let duplicate = format!(r#"{{"critical":{a},"critical":{b},"optional":null}}"#);
    assert!(parse_json::<SimpleSigning>("payload", duplicate.as_bytes()).is_err());
    let folded = format!(r#"{{"Critical":{a},"optional":null}}"#);
    assert!(parse_json::<SimpleSigning>("payload", folded.as_bytes()).is_err());
    let fine = format!(r#"{{"critical":{a},"optional":null}}"#);
    assert!(parse_json::<SimpleSigning>("payload", fine.as_bytes()).is_ok());
    let subject = r#"[{"name":"x","digest":{"sha256":"aa"}}]"#;
    let statement = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":{subject},"subject":{subject},"predicateType":"p","predicate":{{}}}}"#
    );
    assert!(parse_json::<Statement>("statement", statement.as_bytes()).is_err());
}
