//! The validations on envelopes made here with the fixture's notation CA (JWS and COSE, ES256),
//! each fault failing its own check with the reason, under each level.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::*;
use crate::artifact::notation::{
    COSE_MEDIA_TYPE, JWS_MEDIA_TYPE, PAYLOAD_MEDIA_TYPE, decode_envelope,
};
use crate::fixture::CertifiedKey;
use crate::fixture::notation::{LeafUsage, NotationCa};
use crate::fixture::notation_envelope::{cose_envelope, jws_envelope};
use crate::reference::Digest;
use crate::trust::notation::{StoreKind, StoreRef, TrustPolicyDocument, TrustStore};
use crate::verify::check::Outcome;
use crate::verify::policy::FixedClock;

const T0: u64 = 1_790_000_000;
const SUBJECT: &str = "CN=builder,O=acme,L=Seattle,ST=WA,C=US";
const DIGEST: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

struct Bed {
    ca: NotationCa,
    leaf: CertifiedKey,
}

fn bed() -> Bed {
    let ca = NotationCa::new("acme", T0 - 86_400).unwrap();
    let leaf = ca.leaf(SUBJECT, T0 - 60, 3600).unwrap();
    Bed { ca, leaf }
}

fn payload(digest: &str) -> Value {
    json!({"targetArtifact": {"mediaType": MANIFEST, "digest": digest, "size": 3}})
}

fn protected(extra: Value) -> Value {
    let mut p = json!({
        "alg": "ES256",
        "cty": PAYLOAD_MEDIA_TYPE,
        "crit": ["io.cncf.notary.signingScheme"],
        "io.cncf.notary.signingScheme": "notary.x509",
        "io.cncf.notary.signingTime": crate::artifact::encoding::rfc3339(T0 as i64),
    });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

fn jws(leaf: &CertifiedKey, chain: &[Vec<u8>], protected: &Value, payload: &Value) -> Vec<u8> {
    jws_envelope(leaf, chain, protected, payload.to_string().as_bytes()).unwrap()
}

fn cose(leaf: &CertifiedKey, chain: &[Vec<u8>], payload: &Value) -> Vec<u8> {
    cose_envelope(leaf, chain, T0 as i64, payload.to_string().as_bytes()).unwrap()
}

fn trust(bed: &Bed, level: Value, identities: Value) -> NotationTrust {
    let doc = json!({"version": "1.0", "trustPolicies": [{
        "name": "acme-images", "registryScopes": ["*"],
        "signatureVerification": level,
        "trustStores": ["ca:acme"], "trustedIdentities": identities,
    }]});
    NotationTrust {
        policy: TrustPolicyDocument::from_json("t", doc.to_string().as_bytes()).unwrap(),
        store: TrustStore::from_certificates(vec![(
            StoreRef {
                kind: StoreKind::Ca,
                name: "acme".into(),
            },
            vec![bed.ca.root.der.clone()],
        )]),
    }
}

fn image() -> ImageReport {
    ImageReport {
        digest: DIGEST.parse::<Digest>().unwrap(),
        media_type: MANIFEST.into(),
        size: 3,
        config: None,
        platforms: Vec::new(),
        artifacts: Vec::new(),
        referrers_api: None,
        errors: Vec::new(),
    }
}

fn run(trust: &NotationTrust, media_type: &str, bytes: &[u8], at: u64) -> SignatureVerdict {
    let clock = FixedClock(at as i64);
    let ctx = NotationContext {
        trust,
        clock: &clock,
    };
    let statement = trust.policy.statement_for("r.io/app").unwrap();
    match decode_envelope(media_type, bytes) {
        Ok(view) => verify_envelope(&ctx, statement, &image(), &view.envelope, "here".into()),
        Err(e) => pipeline::malformed(statement, "here".into(), &e.to_string()),
    }
}

fn outcome<'a>(v: &'a SignatureVerdict, name: &str) -> &'a Outcome {
    &v.checks
        .0
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name}: {v:#?}"))
        .outcome
}

fn failed_with(v: &SignatureVerdict, name: &str, needle: &str) -> bool {
    matches!(outcome(v, name), Outcome::Failed { reason, .. } if reason.contains(needle))
}

fn strict() -> Value {
    json!({"level": "strict"})
}

#[test]
fn good_jws_and_cose_signatures_pass_every_validation() {
    let b = bed();
    let chain = b.ca.chain_der(&b.leaf);
    let t = trust(&b, strict(), json!(["x509.subject: C=US, ST=WA, O=acme"]));
    for (media, bytes) in [
        (
            JWS_MEDIA_TYPE,
            jws(&b.leaf, &chain, &protected(json!({})), &payload(DIGEST)),
        ),
        (COSE_MEDIA_TYPE, cose(&b.leaf, &chain, &payload(DIGEST))),
    ] {
        let v = run(&t, media, &bytes, T0 + 10);
        assert!(v.verified, "{media}: {v:#?}");
        assert_eq!(v.checks.0.len(), 7, "{v:#?}");
        assert_eq!(v.signer.as_deref(), Some(SUBJECT));
    }
}

#[test]
fn each_fault_fails_its_own_validation_with_the_reason() {
    let b = bed();
    let chain = b.ca.chain_der(&b.leaf);
    let t = trust(&b, strict(), json!(["x509.subject: C=US, ST=WA, O=acme"]));
    let sign = |p: Value, body: Value| jws(&b.leaf, &chain, &protected(p), &body);
    // notation_go_subject_mismatch: the payload names another manifest.
    let other = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let v = run(&t, JWS_MEDIA_TYPE, &sign(json!({}), payload(other)), T0);
    assert!(
        failed_with(&v, "subject", "signs another manifest"),
        "{v:#?}"
    );
    // notation_go_unknown_critical_header (stricter than notation: SECURITY.md).
    let v = run(
        &t,
        JWS_MEDIA_TYPE,
        &sign(
            json!({"crit": ["io.cncf.notary.signingScheme", "x.y"], "x.y": 1}),
            payload(DIGEST),
        ),
        T0,
    );
    assert!(
        failed_with(&v, "integrity", "critical header \"x.y\""),
        "{v:#?}"
    );
    // notation_go_missing_crit
    let v = run(
        &t,
        JWS_MEDIA_TYPE,
        &sign(json!({"crit": null}), payload(DIGEST)),
        T0,
    );
    assert!(failed_with(&v, "integrity", "no \"crit\""), "{v:#?}");
    // notation_go_expiry_not_critical
    let v = run(
        &t,
        JWS_MEDIA_TYPE,
        &sign(
            json!({"io.cncf.notary.expiry": "2027-01-01T00:00:00Z"}),
            payload(DIGEST),
        ),
        T0,
    );
    assert!(failed_with(&v, "integrity", "not marked so"), "{v:#?}");
    // notation_go_expired_signature
    let expiring = json!({"crit": ["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"], "io.cncf.notary.expiry": crate::artifact::encoding::rfc3339(T0 as i64 + 5)});
    let v = run(&t, JWS_MEDIA_TYPE, &sign(expiring, payload(DIGEST)), T0 + 6);
    assert!(failed_with(&v, "expiry", "has expired"), "{v:#?}");
    // A tampered payload: the signature no longer verifies.
    let mut doc: Value = serde_json::from_slice(&sign(json!({}), payload(DIGEST))).unwrap();
    doc["payload"] = json!(URL_SAFE_NO_PAD.encode(payload(other).to_string()));
    let v = run(&t, JWS_MEDIA_TYPE, doc.to_string().as_bytes(), T0);
    assert!(failed_with(&v, "integrity", "does not verify"), "{v:#?}");
    assert!(
        matches!(outcome(&v, "authenticity"), Outcome::Skipped { why } if why.contains("not evaluated"))
    );
    // A malformed envelope.
    let v = run(&t, COSE_MEDIA_TYPE, b"\x00", T0);
    assert!(failed_with(&v, "integrity", "malformed"), "{v:#?}");
}

#[test]
fn certificate_faults_fail_integrity() {
    let b = bed();
    let t = trust(&b, strict(), json!(["*"]));
    let server =
        b.ca.leaf_with(SUBJECT, T0 - 60, 3600, LeafUsage::ServerAuth)
            .unwrap();
    let bytes = jws(
        &server,
        &b.ca.chain_der(&server),
        &protected(json!({})),
        &payload(DIGEST),
    );
    let v = run(&t, JWS_MEDIA_TYPE, &bytes, T0);
    assert!(
        failed_with(&v, "integrity", "serverAuth is not allowed"),
        "{v:#?}"
    );
    let mut long = b.ca.chain_der(&b.leaf);
    long.extend(std::iter::repeat_n(b.ca.root.der.clone(), 9));
    let bytes = jws(&b.leaf, &long, &protected(json!({})), &payload(DIGEST));
    let v = run(&t, JWS_MEDIA_TYPE, &bytes, T0);
    assert!(failed_with(&v, "integrity", "limit reached"), "{v:#?}");
    let no_root = b.ca.chain_der(&b.leaf)[..2].to_vec();
    let bytes = jws(&b.leaf, &no_root, &protected(json!({})), &payload(DIGEST));
    let v = run(&t, JWS_MEDIA_TYPE, &bytes, T0);
    assert!(failed_with(&v, "integrity", "not self-signed"), "{v:#?}");
}

#[test]
fn levels_enforce_log_or_skip_each_validation() {
    let b = bed();
    let chain = b.ca.chain_der(&b.leaf);
    let bytes = jws(&b.leaf, &chain, &protected(json!({})), &payload(DIGEST));
    let wrong_id = json!(["x509.subject: C=US, ST=WA, O=wabbit"]);
    // notation_go_wrong_identity: strict and permissive fail, audit logs.
    for (level, verified) in [("strict", false), ("permissive", false), ("audit", true)] {
        let v = run(
            &trust(&b, json!({"level": level}), wrong_id.clone()),
            JWS_MEDIA_TYPE,
            &bytes,
            T0,
        );
        assert_eq!(v.verified, verified, "{level}: {v:#?}");
        let o = outcome(&v, "trusted identity");
        match o {
            Outcome::Failed {
                expected,
                actual,
                reason,
            }
            | Outcome::Logged {
                expected,
                actual,
                reason,
            } => {
                assert!(reason.contains("statement \"acme-images\""), "{reason}");
                assert_eq!(
                    expected.as_deref(),
                    Some("x509.subject: C=US, ST=WA, O=wabbit")
                );
                assert!(actual.as_deref().unwrap().contains("O=acme"));
            }
            other => panic!("{level}: {other:?}"),
        }
    }
    // Expired certificate, no timestamp: strict fails, permissive logs.
    let late = T0 + 7200;
    let any = json!(["*"]);
    let v = run(
        &trust(&b, strict(), any.clone()),
        JWS_MEDIA_TYPE,
        &bytes,
        late,
    );
    assert!(
        failed_with(&v, "authentic timestamp", "outside the validity"),
        "{v:#?}"
    );
    let v = run(
        &trust(&b, json!({"level": "permissive"}), any.clone()),
        JWS_MEDIA_TYPE,
        &bytes,
        late,
    );
    assert!(
        v.verified && matches!(outcome(&v, "authentic timestamp"), Outcome::Logged { .. }),
        "{v:#?}"
    );
    // override: strict, but authentic timestamp only logged and revocation skipped.
    let custom =
        json!({"level": "strict", "override": {"authenticTimestamp": "log", "revocation": "skip"}});
    let v = run(&trust(&b, custom, any), JWS_MEDIA_TYPE, &bytes, late);
    assert!(v.verified, "{v:#?}");
    assert!(
        matches!(outcome(&v, "revocation"), Outcome::Skipped { why } if why.contains("level custom"))
    );
}

#[path = "scheme_tests.rs"]
mod schemes;
