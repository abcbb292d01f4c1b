//! Timestamp verification against the public conformance bundles (read from ../shared when
//! present; each test says SKIP otherwise): good tokens verify, and each fault fails for its
//! own reason.

use super::*;
use crate::artifact::bundle::{BundleView, ContentView, decode_bundle};

fn case(name: &str) -> Option<(BundleView, TrustedRoot)> {
    let dir = crate::testing::shared_fixtures()?
        .join("sigstore-conformance/test/assets/bundle-verify")
        .join(name);
    let bundle = decode_bundle(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap()).unwrap();
    let root = TrustedRoot::from_json(name, &std::fs::read(dir.join("trusted_root.json")).unwrap())
        .unwrap();
    Some((bundle, root))
}

fn signature(bundle: &BundleView) -> Vec<u8> {
    match &bundle.content {
        ContentView::MessageSignature { signature, .. } => signature.clone(),
        ContentView::Dsse(d) => d.signatures[0].clone(),
    }
}

fn run(name: &str) -> Option<Result<VerifiedTimestamp, TimestampError>> {
    let (bundle, root) = case(name)?;
    Some(verify_timestamp(
        &bundle.timestamps[0].der,
        &signature(&bundle),
        &root,
    ))
}

#[test]
fn good_tokens_verify_with_and_without_embedded_certificates() {
    for name in [
        "rekor2-happy-path",
        "rekor2-timestamp-with-embedded-cert",
        "rekor2-timestamp-without-embedded-cert",
        "rekor2-timestamp-with-expired-cert-chain",
        "trust-root-tsa-validity-end-inclusive",
    ] {
        let Some(result) = run(name) else { return };
        let v = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(v.time > 1_700_000_000, "{name}: {v:?}");
    }
}

#[test]
fn each_fault_fails_for_its_own_reason() {
    type Expect = fn(&TimestampError) -> bool;
    let cases: [(&str, Expect); 4] = [
        ("rekor2-timestamp-payload-mismatch_fail", |e| {
            matches!(e, TimestampError::Imprint { .. })
        }),
        (
            "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
            |e| matches!(e, TimestampError::Untrusted(r) if r[0].contains("does not chain")),
        ),
        (
            "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
            |e| matches!(e, TimestampError::Untrusted(r) if r[0].contains("no certificate matches")),
        ),
        (
            "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
            |e| matches!(e, TimestampError::Untrusted(r) if r[0].contains("validity window")),
        ),
    ];
    for (name, expected) in cases {
        let Some(result) = run(name) else { return };
        let err = result.expect_err(name);
        assert!(expected(&err), "{name}: {err}");
    }
    let Some(result) = run("rekor2-timestamp-outside-tsa-cert-validity_fail") else {
        return;
    };
    let err = result.unwrap_err();
    assert!(err.to_string().contains("not at"), "{err}");
}

#[test]
fn a_tampered_token_or_signature_is_refused() {
    let Some((bundle, root)) = case("rekor2-happy-path") else {
        return;
    };
    let mut sig = signature(&bundle);
    sig[0] ^= 1;
    let err = verify_timestamp(&bundle.timestamps[0].der, &sig, &root).unwrap_err();
    assert!(matches!(err, TimestampError::Imprint { .. }), "{err}");
    // Flip one byte of the CMS signature value (the token's last bytes).
    let mut der = bundle.timestamps[0].der.clone();
    let last = der.len() - 3;
    der[last] ^= 0x40;
    let err = verify_timestamp(&der, &signature(&bundle), &root).unwrap_err();
    assert!(
        err.to_string().contains("does not verify") || matches!(err, TimestampError::Malformed(_)),
        "{err}"
    );
    // No authorities: nothing vouches.
    let empty = TrustedRoot::default();
    let err = verify_timestamp(&bundle.timestamps[0].der, &signature(&bundle), &empty).unwrap_err();
    assert!(
        err.to_string().contains("no timestamp authorities"),
        "{err}"
    );
}

/// A DER element re-sent with an indefinite outer length (the rest is left as it is; the
/// integration tests convert every level and run sigstore-go on the result).
fn outer_indefinite(der: &[u8]) -> Vec<u8> {
    let header = match der[1] {
        l if l < 0x80 => 2,
        l => 2 + usize::from(l & 0x7f),
    };
    let mut ber = vec![der[0], 0x80];
    ber.extend(&der[header..]);
    ber.extend([0, 0]);
    ber
}

#[test]
fn a_token_in_ber_verifies_as_its_der_does_within_a_der_response() {
    let Some((bundle, root)) = case("rekor2-timestamp-with-embedded-cert") else {
        return;
    };
    let response = &bundle.timestamps[0].der;
    let token = response_token(response).unwrap();
    let ber = outer_indefinite(&token);
    assert_eq!(&ber[..2], &[0x30, 0x80]);
    assert_eq!(crate::artifact::ber::to_der(&ber).unwrap(), token);
    let from_der = verify_timestamp(response, &signature(&bundle), &root).unwrap();
    let opened = open_token(&ber, &signature(&bundle)).unwrap();
    assert_eq!(opened.view.gen_time, from_der.time);
    // Still checked: BER over another signature fails on the imprint.
    let mut sig = signature(&bundle);
    sig[0] ^= 1;
    let err = open_token(&ber, &sig).err().unwrap();
    assert!(matches!(err, TimestampError::Imprint { .. }), "{err}");
    // The response itself must be DER, as sigstore-go's `ParseResponse` reads it.
    let err =
        verify_timestamp(&outer_indefinite(response), &signature(&bundle), &root).unwrap_err();
    assert!(err.to_string().contains("DER TimeStampResp"), "{err}");
}
